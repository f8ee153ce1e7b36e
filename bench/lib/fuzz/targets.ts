// The fuzz targets: each decoder and parser on its own (pure: it accepts the input or throws
// its documented error, nothing else) and each through the server (never a 5xx, and the
// server's answer agrees with the pure decoder's verdict where one exists). One list, run by
// the bounded tests (test/fuzz-*.test.ts) and by `npm run bench -- fuzz`.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { RouteOptions } from 'fastify';
import YAML from 'yaml';
import { InfraParseError, parseInfraFiles } from '../../../src/ingest/sources/infra/index.js';
import { OTLP_GRPC_METHODS } from '../../../src/ingest/sources/otlp-grpc/index.js';
import { UndecodableBodyError, decodeOtlp } from '../../../src/ingest/sources/otlp/index.js';
import {
  IMPORT_FORMATS,
  ImportError,
  TICKET_FORMATS,
  type TicketFormat,
  TicketFormatError,
  parseImport,
} from '../../../src/ingest/sources/tickets/index.js';
import type { Signal } from '../../../src/model/index.js';
import type { FuzzServer } from './harness.js';
import { deepObjectJson, hostileParam, hostileString } from './hostile.js';
import { damagedBytes, mutated } from './mutate.js';
import { otlpJson, otlpProtobuf } from './otlp.js';
import { exportSeeds, infraSeeds, webhookSeeds } from './seeds.js';
import { readableSentry, sentryEnvelope, sentryEvent } from './sentry.js';

/** How one case went: `fail` says what was wrong with the answer; `status` is the HTTP status (or gRPC code) when there was one. */
export interface Outcome {
  fail?: string;
  status?: number;
  accepted?: boolean;
}

export interface Target<T = unknown> {
  name: string;
  /** pure: a decoder on its own; server: through the running routes. */
  kind: 'pure' | 'server';
  /** Its share of the cases of its kind. */
  weight: number;
  arbitrary: fc.Arbitrary<T>;
  run(input: T, s: FuzzServer): Promise<Outcome> | Outcome;
  /** The input, short, for a failure message. */
  show(input: T): string;
}

const SIGNALS: Signal[] = ['traces', 'logs', 'metrics'];

/** Buffers and strings, cut to a readable length. */
export function preview(v: unknown): string {
  const s = Buffer.isBuffer(v)
    ? `base64:${v.toString('base64')}`
    : typeof v === 'string'
      ? JSON.stringify(v)
      : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x));
  return (s ?? String(v)).length > 600 ? `${(s ?? '').slice(0, 600)}… (${s!.length} chars)` : (s ?? String(v));
}

/** Runs a pure decoder: accepted (true), refused with its typed error (false); anything else is rethrown. */
function verdict(fn: () => unknown, typed: (err: unknown) => boolean): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (typed(err)) return false;
    throw err;
  }
}

/** Text PostgreSQL cannot store: NUL, or a lone surrogate. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string (value or key) anywhere in a value that PostgreSQL cannot store, or null. */
export function unstorableText(v: unknown): string | null {
  if (typeof v === 'string') return UNSTORABLE.test(v) ? v : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    if (UNSTORABLE.test(k)) return k;
    const bad = unstorableText(x);
    if (bad !== null) return bad;
  }
  return null;
}

function pureOtlp(signal: Signal, format: 'protobuf' | 'json'): Target<Buffer> {
  return {
    name: `otlp/${signal}/${format}`,
    kind: 'pure',
    weight: 3,
    arbitrary: format === 'protobuf' ? otlpProtobuf(signal) : otlpJson(signal),
    show: preview,
    run(body) {
      let decoded: ReturnType<typeof decodeOtlp>;
      try {
        decoded = decodeOtlp(signal, format, body);
      } catch (err) {
        if (err instanceof UndecodableBodyError) return { accepted: false };
        throw err;
      }
      const text = JSON.stringify(decoded.records, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      if (UNSTORABLE.test(text))
        return { fail: `a decoded record holds text PostgreSQL cannot store: ${text.slice(0, 300)}` };
      return { accepted: true };
    },
  };
}

const CONTENT_TYPE = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;

function serverOtlp(signal: Signal, format: 'protobuf' | 'json'): Target<{ body: Buffer; gzip: boolean }> {
  return {
    name: `otlp-http/${signal}/${format}`,
    kind: 'server',
    weight: 3,
    arbitrary: fc.record({ body: format === 'protobuf' ? otlpProtobuf(signal) : otlpJson(signal), gzip: fc.boolean() }),
    show: (i) => `${i.gzip ? 'gzip ' : ''}${preview(i.body)}`,
    async run({ body, gzip }, s) {
      const headers: Record<string, string> = { 'content-type': CONTENT_TYPE[format] };
      if (gzip) headers['content-encoding'] = 'gzip';
      const res = await s.otlp('POST', `/v1/${signal}`, gzip ? gzipSync(body) : body, headers);
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      const decodable = verdict(
        () => decodeOtlp(signal, format, body),
        (e) => e instanceof UndecodableBodyError,
      );
      if ((res.status === 200) !== decodable)
        return {
          status: res.status,
          fail: `answered ${res.status} but the decoder ${decodable ? 'accepts' : 'refuses'} it: ${res.body.slice(0, 300)}`,
        };
      return { status: res.status, accepted: res.status === 200 };
    },
  };
}

/** gRPC codes that are the server's fault, as a 5xx is over HTTP. */
const GRPC_SERVER_FAULTS = new Set([2, 13, 14, 15]); // UNKNOWN, INTERNAL, UNAVAILABLE, DATA_LOSS

function serverGrpc(signal: Signal): Target<Buffer> {
  return {
    name: `otlp-grpc/${signal}`,
    kind: 'server',
    weight: 1,
    arbitrary: otlpProtobuf(signal),
    show: preview,
    async run(body, s) {
      const r = await s.grpc(OTLP_GRPC_METHODS[signal].path, body);
      if (GRPC_SERVER_FAULTS.has(r.code)) return { status: 500, fail: `gRPC status ${r.code}: ${r.details}` };
      const decodable = verdict(
        () => decodeOtlp(signal, 'protobuf', body),
        (e) => e instanceof UndecodableBodyError,
      );
      if ((r.code === 0) !== decodable)
        return { fail: `gRPC status ${r.code} but the decoder ${decodable ? 'accepts' : 'refuses'} it: ${r.details}` };
      return { status: r.code === 0 ? 200 : 400, accepted: r.code === 0 };
    },
  };
}

// --- tickets ---------------------------------------------------------------------------------

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

function pureWebhook(format: TicketFormat): Target<Delivery> {
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

function serverWebhook(format: TicketFormat): Target<Delivery> {
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

const pureImport: Target<ExportFile> = {
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

const serverImport: Target<ExportFile> = {
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

// --- infra -----------------------------------------------------------------------------------

/** YAML only a hostile sender writes: alias bombs, deep nesting, custom tags, merge keys, huge numbers. */
const HOSTILE_YAML = [
  `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
  `${'['.repeat(1000)}${']'.repeat(1000)}`,
  `kind: Deployment\nmetadata: !!js/function "function(){}"\n`,
  `kind: Deployment\nmetadata: {name: !!binary aGVsbG8=}\nspec: {replicas: 1e999}\n`,
  `base: &b {name: x}\nkind: Deployment\nmetadata: {<<: *b, <<: *b}\n`,
  `kind: Deployment\nmetadata: {name: x, __proto__: {polluted: true}}\nspec: {replicas: -99999999999999999999}\n`,
  `--- !!set\n? a\n--- !<tag:yaml.org,2002:omap>\n- a: 1\n`,
  `apiVersion: v1\nkind: List\nitems: [${'{kind: Deployment, metadata: {name: x}},'.repeat(50)}]\n`,
  `kind: Deployment\nmetadata:\n  name: x\n  labels: {"${'k'.repeat(70_000)}": v}\n`,
  '\ufeff\u0000---\n',
];

interface InfraInput {
  files: Array<{ path: string; content: string }>;
}

function infraFiles(): fc.Arbitrary<InfraInput> {
  const doc = mutated(infraSeeds());
  const file = fc.oneof(
    { weight: 4, arbitrary: doc.map((d) => ({ path: 'fuzz.yaml', content: safeYaml(d) })) },
    { weight: 3, arbitrary: doc.map((d) => ({ path: 'fuzz.json', content: JSON.stringify(d) ?? '' })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(damagedBytes(doc.map((d) => safeYaml(d))), fc.constantFrom('k.yaml', 'k.yml', 'k.json', 'K.JSON', ''))
        .map(([b, path]) => ({ path, content: b.toString('utf8') })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_YAML).map((content) => ({ path: 'hostile.yaml', content })) },
  );
  return fc.array(file, { minLength: 1, maxLength: 3 }).map((files) => ({ files }));
}

function safeYaml(d: unknown): string {
  try {
    return YAML.stringify(d);
  } catch {
    return JSON.stringify(d) ?? '';
  }
}

const pureInfra: Target<InfraInput> = {
  name: 'infra/parse',
  kind: 'pure',
  weight: 2,
  arbitrary: infraFiles(),
  show: (i) => preview(i.files),
  run(i) {
    return {
      accepted: verdict(
        () => parseInfraFiles(i.files),
        (e) => e instanceof InfraParseError,
      ),
    };
  },
};

const serverInfra: Target<InfraInput> = {
  name: 'infra/import-route',
  kind: 'server',
  weight: 1,
  arbitrary: infraFiles(),
  show: pureInfra.show,
  async run(i, s) {
    const res = await s.api('POST', '/api/infra/import', JSON.stringify({ source: 'fuzz-infra', files: i.files }), {
      'content-type': 'application/json',
    });
    if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
    return { status: res.status, accepted: res.status < 300 };
  },
};

// --- deploys -------------------------------------------------------------------------------

/** Deploy records as CI and GitHub Actions send them, to be mutated. */
const DEPLOY_SEEDS: unknown[] = [
  { service: 'fuzz-deploy', version: '2.0.1', commit: 'a1b2c3d4e5f6a7b8c9d0', environment: 'production' },
  {
    service: 'fuzz-deploy',
    version: 'v3',
    at: '2026-11-21T09:12:44Z',
    source: 'github-actions',
    attributes: { run: 42, actor: 'octocat', ref: 'refs/heads/main' },
  },
  { service: 'fuzz-deploy-b', version: '1', at: 1_790_000_000_000, commit: null },
];

const serverDeploy: Target<Buffer> = {
  name: 'deploys/record-route',
  kind: 'server',
  weight: 1,
  arbitrary: damagedBytes(mutated(DEPLOY_SEEDS).map((d) => JSON.stringify(d) ?? 'null')),
  show: (b) => preview(b.toString('utf8')),
  async run(body, s) {
    const res = await s.api('POST', '/api/deploys', body, { 'content-type': 'application/json' });
    if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
    return { status: res.status, accepted: res.status < 300 };
  },
};

// --- Sentry ----------------------------------------------------------------------------------

const pureSentry: Target<{ body: Buffer; store: boolean }> = {
  name: 'sentry/parse',
  kind: 'pure',
  weight: 2,
  arbitrary: fc.oneof(
    sentryEnvelope.map((body) => ({ body, store: false })),
    sentryEvent.map((e) => ({ body: Buffer.from(JSON.stringify(e)), store: true })),
  ),
  show: (i) => `${i.store ? 'store' : 'envelope'} ${preview(i.body)}`,
  run(i) {
    return { accepted: readableSentry(i.body, i.store) };
  },
};

/** The Sentry project the server targets send to (made by the seed). */
export const SENTRY_PROJECT = 'fuzz';

function serverSentry(key: () => string): Target<{ body: Buffer; store: boolean }> {
  return {
    name: 'sentry/routes',
    kind: 'server',
    weight: 1,
    arbitrary: pureSentry.arbitrary,
    show: pureSentry.show,
    async run(i, s) {
      const res = await s.api('POST', `/api/${SENTRY_PROJECT}/${i.store ? 'store' : 'envelope'}/`, i.body, {
        'x-sentry-auth': `Sentry sentry_key=${key()}`,
        'content-type': i.store ? 'application/json' : 'application/x-sentry-envelope',
      });
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      if ((res.status === 200) !== readableSentry(i.body, i.store))
        return { status: res.status, fail: `answered ${res.status}, the parser disagrees: ${res.body.slice(0, 200)}` };
      return { status: res.status, accepted: res.status === 200 };
    },
  };
}

// --- every GET route's parameters --------------------------------------------------------------

/**
 * Percent-encodes any string, lone surrogates included: those go as the three bytes UTF-8 would
 * give them (WTF-8), which are not valid UTF-8, as a hostile client may send them.
 */
export function encodeHostile(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** The keys of a Zod object schema (what the routes declare), or none. */
function keysOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Values a parameter is expected to take, so that hostile ones sit beside plausible ones. */
const PLAUSIBLE = [
  '1h',
  '15m',
  '2026-11-21T09:00:00Z',
  '10',
  '1',
  'seeded-checkout',
  'user-1',
  '0af7651916cd43dd8448eb211c80319c',
];

interface GetCase {
  route: number;
  params: Array<[string, string]>;
  path: string[];
}

export function getRoutes(routes: readonly RouteOptions[]): RouteOptions[] {
  return routes.filter(
    (r) => (Array.isArray(r.method) ? r.method : [r.method]).includes('GET') && !r.url.includes('*'),
  );
}

function serverQuery(routes: () => RouteOptions[]): Target<GetCase> {
  const value = fc.oneof(
    { weight: 3, arbitrary: hostileParam },
    { weight: 1, arbitrary: fc.constantFrom(...PLAUSIBLE) },
  );
  const url = (c: GetCase): string => {
    const r = routes()[c.route % routes().length]!;
    let i = 0;
    const path = r.url.replace(/:(\w+)/g, () => encodeHostile(c.path[i++ % c.path.length] ?? 'x'));
    const known = keysOf(r.schema?.querystring);
    const q = c.params
      .map(
        ([k, v]) =>
          `${encodeHostile(known.length && !k.startsWith('?') ? known[k.length % known.length]! : k)}=${encodeHostile(v)}`,
      )
      .join('&');
    return q ? `${path}?${q}` : path;
  };
  return {
    name: 'api/get-params',
    kind: 'server',
    weight: 3,
    arbitrary: fc.record({
      route: fc.nat(),
      // Keys are picked from the route's own (by the key's length) or, prefixed "?", sent as they are.
      params: fc.array(
        fc.tuple(
          fc.oneof(
            fc.string({ maxLength: 12 }),
            hostileString.map((k) => `?${k}`),
          ),
          value,
        ),
        { maxLength: 5 },
      ),
      path: fc.array(value, { minLength: 1, maxLength: 3 }),
    }),
    show: (c) => preview(url(c)),
    async run(c, s) {
      const res = await s.api('GET', url(c));
      if (res.status >= 500) return { status: res.status, fail: `${res.status} ${res.body.slice(0, 300)}` };
      return { status: res.status, accepted: res.status < 300 };
    },
  };
}

const erase = <T>(t: Target<T>) => t as unknown as Target<unknown>;

/** Every target: pure decoders first, then the server's routes. */
export function allTargets(opts: { sentryKey: () => string; routes: () => RouteOptions[] }): Target<unknown>[] {
  const list: Target<unknown>[] = [];
  for (const signal of SIGNALS) for (const f of ['protobuf', 'json'] as const) list.push(erase(pureOtlp(signal, f)));
  for (const format of TICKET_FORMATS) list.push(erase(pureWebhook(format)));
  list.push(erase(pureImport), erase(pureInfra), erase(pureSentry));
  for (const signal of SIGNALS) for (const f of ['protobuf', 'json'] as const) list.push(erase(serverOtlp(signal, f)));
  for (const signal of SIGNALS) list.push(erase(serverGrpc(signal)));
  for (const format of TICKET_FORMATS) list.push(erase(serverWebhook(format)));
  list.push(
    erase(serverImport),
    erase(serverDeploy),
    erase(serverInfra),
    erase(serverSentry(opts.sentryKey)),
    erase(serverQuery(opts.routes)),
  );
  return list;
}
