// The one conformance suite every ticket format passes (STYLE rule 6). Each format has a
// folder of realistic payloads in its sender's own shape, test/fixtures/tickets/<format>/:
//   <case>.payload.json + <case>.expected.json   a webhook delivery: {headers, tickets | ignored | error}
//   <case>.export.(csv|json) + <case>.expected.json   an export file: {importFormat, tickets | error}
// and the same spec runs over all of them, plus shared checks on bad input and signatures.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  IMPORT_FORMATS,
  ImportError,
  TICKET_FORMATS,
  type TicketFormat,
  TicketFormatError,
  detectImportFormat,
  parseImport,
} from '../src/ingest/sources/tickets/index.js';
import type { TicketInput } from '../src/model/index.js';
import { signFor } from './fixtures/tickets/signatures.js';

const ROOT = new URL('./fixtures/tickets/', import.meta.url).pathname;
const read = (format: string, file: string) => readFileSync(join(ROOT, format, file), 'utf8');

interface WebhookCase {
  name: string;
  raw: string;
  headers: Record<string, string>;
  tickets?: TicketInput[];
  ignored?: string;
  status?: number;
  error?: string;
}

interface ExportCase {
  name: string;
  file: string;
  content: string;
  importFormat: (typeof IMPORT_FORMATS)[number];
  tickets?: TicketInput[];
  error?: string;
}

function cases(format: string): { webhooks: WebhookCase[]; exports: ExportCase[] } {
  const files = readdirSync(join(ROOT, format));
  const webhooks = files
    .filter((f) => f.endsWith('.payload.json'))
    .map((f) => {
      const name = f.replace('.payload.json', '');
      return { name, raw: read(format, f), ...JSON.parse(read(format, `${name}.expected.json`)) } as WebhookCase;
    });
  const exports = files
    .filter((f) => /\.export\.(csv|json)$/.test(f))
    .map((f) => {
      const name = f.replace(/\.export\.(csv|json)$/, '');
      return {
        name,
        file: f,
        content: read(format, f),
        ...JSON.parse(read(format, `${name}.expected.json`)),
      } as ExportCase;
    });
  return { webhooks, exports };
}

/** What every TicketInput from every format satisfies, whatever its sender. */
function assertWellFormed(t: TicketInput, format: TicketFormat): void {
  if (format.name !== 'generic') assert.equal(t.source, format.source);
  assert.ok(t.externalId.trim(), 'externalId is not empty');
  assert.ok(t.title.trim(), 'title is not empty');
  assert.ok(['open', 'pending', 'closed'].includes(t.status), `status ${t.status}`);
  for (const d of [t.createdAt, t.updatedAt, ...t.comments.map((c) => c.createdAt)]) {
    if (d !== null) assert.equal(new Date(d).toISOString(), d, 'dates are normalized ISO-8601');
  }
  assert.ok(Array.isArray(t.labels) && t.labels.every((l) => typeof l === 'string'));
  assert.equal(typeof t.body, 'string');
}

function error(fn: () => unknown): TicketFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TicketFormatError) return err;
    throw new Error(`expected a TicketFormatError, got ${(err as Error).stack}`);
  }
  throw new Error('expected a TicketFormatError, got a result');
}

describe('ticket formats: fixtures exist for every format', () => {
  it('each format has webhook payloads, bad payloads, and export files when it reads exports', () => {
    for (const format of TICKET_FORMATS) {
      const c = cases(format.name);
      assert.ok(
        c.webhooks.some((w) => w.tickets),
        `${format.name}: a payload that yields tickets`,
      );
      assert.ok(
        c.webhooks.some((w) => w.error),
        `${format.name}: a bad payload`,
      );
      if (format.fromExportRecord) assert.ok(c.exports.length > 0, `${format.name}: an export fixture`);
    }
  });
  it('every import format has at least one fixture', () => {
    const seen = new Set(TICKET_FORMATS.flatMap((f) => cases(f.name).exports.map((e) => e.importFormat)));
    for (const f of IMPORT_FORMATS) assert.ok(seen.has(f), f);
  });
});

for (const format of TICKET_FORMATS) {
  describe(`ticket format: ${format.name}`, () => {
    const { webhooks, exports } = cases(format.name);
    const sampleHeaders = webhooks.find((w) => w.tickets)!.headers;

    for (const c of webhooks) {
      it(`webhook ${c.name}: ${c.tickets ? 'reads the tickets' : c.ignored ? 'is acknowledged and ignored' : `is refused naming "${c.error}"`}`, () => {
        const body = JSON.parse(c.raw);
        if (c.error) {
          const err = error(() => format.fromWebhook(c.headers, body));
          assert.equal(err.field, c.error, err.message);
          assert.ok(err.message.includes(c.error), `the message names the field: ${err.message}`);
          return;
        }
        const out = format.fromWebhook(c.headers, body);
        if (c.ignored) {
          assert.equal(out.kind, 'ignored');
          if (out.kind === 'ignored') {
            assert.match(out.reason, new RegExp(c.ignored, 'i'));
            assert.equal(out.status ?? 202, c.status ?? 202);
          }
          return;
        }
        assert.equal(out.kind, 'tickets');
        if (out.kind !== 'tickets') return;
        assert.deepEqual(out.tickets, c.tickets);
        for (const t of out.tickets) assertWellFormed(t, format);
      });
    }

    it('refuses a body that is not a JSON object, with a TicketFormatError (never a crash)', () => {
      for (const body of [null, [], 'issue', 42, true]) {
        const err = error(() => format.fromWebhook(sampleHeaders, body));
        assert.match(err.message, /object/);
      }
    });

    it('names the field when a nested object has the wrong type', () => {
      // Replace every object-valued top-level field by a string: the format must say which one it needed.
      const broken = webhooks
        .filter((w) => w.tickets)
        .map((c) => {
          const body = JSON.parse(c.raw);
          const objects = Object.keys(body).filter(
            (k) => typeof body[k] === 'object' && body[k] !== null && !Array.isArray(body[k]),
          );
          for (const k of objects) body[k] = 'oops';
          return { c, body, changed: objects.length > 0 };
        })
        .find((b) => b.changed);
      assert.ok(broken, 'a payload with a nested object');
      const err = error(() => format.fromWebhook(broken.c.headers, broken.body));
      assert.ok(err.field, `a field is named: ${err.message}`);
    });

    if (format.signature) {
      const sig = format.signature;
      it(`verifies ${sig.header}: the right secret passes; a changed body or another secret fails`, () => {
        const raw = Buffer.from(webhooks.find((w) => w.tickets)!.raw);
        const signed = signFor(format.name, raw, 's3cret');
        assert.equal(sig.missing(signed), false);
        assert.deepEqual(sig.verify(raw, signed, 's3cret'), { ok: true });
        const changed = Buffer.from(raw.toString().replace(/"/, ' "'));
        const bad1 = sig.verify(changed, signed, 's3cret');
        const bad2 = sig.verify(raw, signed, 'other');
        assert.equal(bad1.ok, false);
        assert.equal(bad2.ok, false);
        if (!bad2.ok) assert.match(bad2.reason, /does not match|must be/);
        assert.equal(sig.missing({}), true);
      });
    }

    for (const c of exports) {
      it(`export ${c.file} (${c.importFormat}): ${c.tickets ? 'reads every record' : 'fails naming the bad record, with nothing read'}`, () => {
        assert.equal(detectImportFormat(c.content, c.file), c.importFormat, 'auto-detected');
        if (c.error) {
          assert.throws(
            () => parseImport(c.importFormat, c.content),
            (e: Error) => e instanceof ImportError && new RegExp(c.error!).test(e.message),
          );
          return;
        }
        const { tickets, format: detected } = parseImport('auto', c.content, { filename: c.file });
        assert.equal(detected, c.importFormat);
        assert.deepEqual(tickets, c.tickets);
        for (const t of tickets) assertWellFormed(t, format);
      });
    }
  });
}

describe('import files: shared failure modes', () => {
  it('refuses empty files, unreadable JSON and non-object records, naming the problem', () => {
    assert.throws(() => parseImport('generic-csv', 'id,title\n'), /no tickets/);
    assert.throws(() => parseImport('generic-json', '{"tickets": [1, 2]}'), /record 1 is not an object/);
    assert.throws(() => parseImport('jira-json', '{"issues": [{"key": "A-1"'), /not a readable JSON file/);
    assert.throws(
      () => parseImport('zendesk-json', '{"id": 1, "subject": "a"}\n{"id": 2, oops}'),
      /line 2 is not JSON/,
    );
    assert.throws(() => detectImportFormat('\u0000\u0001garbage', 'x.json'), ImportError);
  });
  it('reads newline-delimited JSON (Zendesk full export) and overrides the generic source', () => {
    const nd = '{"id": 1, "subject": "a", "created_at": "2026-11-22T10:00:00Z"}\n{"id": 2, "subject": "b"}\n';
    assert.deepEqual(
      parseImport('zendesk-json', nd).tickets.map((t) => [t.externalId, t.title, t.createdAt]),
      [
        ['1', 'a', '2026-11-22T10:00:00.000Z'],
        ['2', 'b', null],
      ],
    );
    assert.equal(
      parseImport('generic-csv', 'id,title\n1,x\n', { source: 'helpscout' }).tickets[0]!.source,
      'helpscout',
    );
  });
});
