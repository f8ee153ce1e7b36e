// The ticket targets: each sender's webhook payloads (its conformance fixtures mutated, headers
// too, the JSON sometimes damaged, nested deep or form-encoded) on their own and through
// /webhooks/<sender> and POST /api/tickets; export files through parseImport and
// POST /api/tickets/import.
import fc from 'fast-check';
import {
  IMPORT_FORMATS,
  ImportError,
  type TicketFormat,
  TicketFormatError,
  parseImport,
} from '../../../src/ingest/sources/tickets/index.js';
import { deepObjectJson, hostileString } from './hostile.js';
import { damagedBytes, mutated } from './mutate.js';
import { exportSeeds, webhookSeeds } from './seeds.js';
import { type Target, preview, verdict } from './target.js';

interface Delivery {
  headers: Record<string, string>;
  body: Buffer;
}

/** A sender's deliveries: its fixtures mutated, their headers sometimes too, the JSON sometimes damaged. */
function deliveries(format: TicketFormat): fc.Arbitrary<Delivery> {
  const seeds = format.name === 'generic' ? webhookSeeds('generic') : webhookSeeds(format.name);
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      mutated(seeds.map((x) => x.body)),
      fc.option(
        fc.tuple(
          fc.constantFrom('x-github-event', 'x-github-delivery', 'x-zendesk-webhook-id', 'content-type'),
          hostileString,
        ),
        { freq: 4 },
      ),
      fc.constantFrom('none', 'none', 'none', 'damage', 'deep', 'form'),
      fc.nat(),
    )
    .map(([i, body, header, how, at]) => {
      const headers: Record<string, string> = { ...seeds[i]!.headers, 'content-type': 'application/json' };
      if (header) headers[header[0]] = header[1].replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '?');
      let text = JSON.stringify(body) ?? 'null';
      if (how === 'deep') text = deepObjectJson(2000 + (at % 20_000));
      let bytes = Buffer.from(text);
      if (how === 'damage')
        bytes = Buffer.concat([bytes.subarray(0, at % Math.max(1, bytes.length)), Buffer.from([0xff, 0])]);
      if (how === 'form') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        bytes = Buffer.from(
          at % 3 === 0 ? `nopayload=${encodeURIComponent(text)}` : `payload=${encodeURIComponent(text)}`,
        );
      }
      return { headers, body: bytes };
    });
}

function parseJsonOrUndefined(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function pureWebhook(format: TicketFormat): Target<Delivery> {
  return {
    name: `tickets/webhook/${format.name}`,
    kind: 'pure',
    weight: 1,
    arbitrary: deliveries(format),
    show: (d) => `${JSON.stringify(d.headers)} ${preview(d.body.toString('utf8'))}`,
    run(d) {
      const body = parseJsonOrUndefined(d.body);
      if (body === undefined) return { accepted: false };
      return {
        accepted: verdict(
          () => format.fromWebhook(d.headers, body),
          (e) => e instanceof TicketFormatError,
        ),
      };
    },
  };
}

export function serverWebhook(format: TicketFormat): Target<Delivery> {
  const url = format.name === 'generic' ? '/api/tickets' : `/webhooks/${format.name}`;
  return {
    name: `tickets/webhook-route/${format.name}`,
    kind: 'server',
    weight: 1,
    arbitrary: deliveries(format),
    show: (d) => `${JSON.stringify(d.headers)} ${preview(d.body.toString('utf8'))}`,
    async run(d, s) {
      const res = await s.api('POST', url, d.body, d.headers);
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      return { status: res.status, accepted: res.status < 300 };
    },
  };
}

interface ExportFile {
  format: (typeof IMPORT_FORMATS)[number] | 'auto';
  contentType: string;
  filename: string;
  content: Buffer;
}

/** Export files: JSON ones mutated as documents, every one damaged as text, CSV rows of hostile cells. */
function exportFiles(): fc.Arbitrary<ExportFile> {
  const seeds = exportSeeds();
  const json = seeds.filter((x) => x.file.endsWith('.json'));
  const csv = seeds.filter((x) => x.file.endsWith('.csv'));
  const mutatedJson = mutated(json.map((x) => JSON.parse(x.content) as unknown)).map((d) => JSON.stringify(d) ?? '');
  const csvText = fc.oneof(
    fc.constantFrom(...csv.map((x) => x.content)),
    fc
      .tuple(
        fc.constantFrom(...csv.map((x) => x.content.split(/\r?\n/, 1)[0]!)),
        fc.array(fc.array(fc.oneof(hostileString, fc.string({ maxLength: 20 })), { maxLength: 25 }), { maxLength: 6 }),
      )
      .map(([header, rows]) =>
        [
          header,
          ...rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')),
        ].join('\n'),
      ),
  );
  return fc.record({
    contentType: fc.constantFrom('text/csv', 'application/json', 'application/x-ndjson', 'text/plain'),
    format: fc.oneof(fc.constant('auto' as const), fc.constantFrom(...IMPORT_FORMATS)),
    filename: fc.constantFrom('export.csv', 'export.json', 'x.ndjson', '', 'a\u0000.csv'),
    content: fc.oneof(
      damagedBytes(mutatedJson),
      damagedBytes(csvText),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    ),
  });
}

export const pureImport: Target<ExportFile> = {
  name: 'tickets/import',
  kind: 'pure',
  weight: 2,
  arbitrary: exportFiles(),
  show: (f) => `${f.format} ${f.filename} ${preview(f.content.toString('utf8'))}`,
  run(f) {
    return {
      accepted: verdict(
        () => parseImport(f.format, f.content.toString('utf8'), { filename: f.filename }),
        (e) => e instanceof ImportError,
      ),
    };
  },
};

export const serverImport: Target<ExportFile> = {
  name: 'tickets/import-route',
  kind: 'server',
  weight: 1,
  arbitrary: exportFiles(),
  show: pureImport.show,
  async run(f, s) {
    const q = new URLSearchParams({ format: f.format, filename: f.filename });
    const res = await s.api('POST', `/api/tickets/import?${q}`, f.content, { 'content-type': f.contentType });
    if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
    return { status: res.status, accepted: res.status < 300 };
  },
};
