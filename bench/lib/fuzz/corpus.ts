// The hostile corpus (test/fixtures/hostile/*.json): requests a hostile client sends, each with
// the answer it must get. Bodies are described rather than stored when they are large or
// binary (a gzip bomb, JSON nested 100,000 deep), and built here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../paths.js';
import type { Answer, FuzzServer } from './harness.js';
import { varint } from './otlp.js';

export const CORPUS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'hostile');

export type BodySpec =
  | { text: string }
  | { hex: string }
  | { json: unknown }
  /** `[[[…]]]` this deep. */
  | { deepJson: number }
  /** An OTLP JSON logs request whose one body is a kvlist nested this deep. */
  | { deepAnyValue: number }
  /** An OTLP JSON traces request with one span whose attribute key is this long. */
  | { longKey: number }
  /** An OTLP protobuf logs request whose service name is these bytes (hex). */
  | { logsServiceBytes: string }
  /** POST /api/infra/import's body: one JSON file of Kubernetes Lists nested this deep. */
  | { deepInfraList: number }
  /** gzip of this many zero bytes. */
  | { gzipZeros: number };

export interface HostileCase {
  name: string;
  listener: 'otlp' | 'api';
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body: BodySpec | null;
  status: number;
  /** A substring of the answer's message (its body's `message`, or the body). */
  message: string;
}

export function loadCorpus(): HostileCase[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) =>
      Object.values(JSON.parse(readFileSync(join(CORPUS_DIR, f), 'utf8')) as Record<string, HostileCase[]>).flat(),
    );
}

const NOW_NS = String(BigInt(Date.now()) * 1_000_000n);
const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }] };

function lenDelimited(tag: number, payload: Buffer): Buffer {
  return Buffer.concat([varint(BigInt(tag)), varint(BigInt(payload.length)), payload]);
}

export function buildBody(spec: BodySpec | null): Buffer | undefined {
  if (spec === null) return undefined;
  if ('text' in spec) return Buffer.from(spec.text);
  if ('hex' in spec) return Buffer.from(spec.hex, 'hex');
  if ('json' in spec) return Buffer.from(JSON.stringify(spec.json));
  if ('deepJson' in spec) return Buffer.from(`${'['.repeat(spec.deepJson)}${']'.repeat(spec.deepJson)}`);
  if ('deepAnyValue' in spec) {
    const open = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(spec.deepAnyValue);
    const close = '}]}}'.repeat(spec.deepAnyValue);
    return Buffer.from(
      `{"resourceLogs":[{"resource":${JSON.stringify(resource)},"scopeLogs":[{"logRecords":[{"timeUnixNano":"${NOW_NS}","body":${open}{"stringValue":"deep"}${close}}]}]}]}`,
    );
  }
  if ('longKey' in spec) {
    const span = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      name: 'GET /long',
      startTimeUnixNano: NOW_NS,
      endTimeUnixNano: String(BigInt(NOW_NS) + 1_000_000n),
      attributes: [{ key: 'k'.repeat(spec.longKey), value: { stringValue: 'v' } }],
    };
    return Buffer.from(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans: [span] }] }] }));
  }
  if ('logsServiceBytes' in spec) {
    // LogsData { resource_logs { resource { attributes { key "service.name" value { string_value <bytes> } } } scope_logs { log_records { body "x" } } } }
    const value = lenDelimited(0x12, lenDelimited(0x0a, Buffer.from(spec.logsServiceBytes, 'hex')));
    const kv = lenDelimited(0x0a, Buffer.concat([lenDelimited(0x0a, Buffer.from('service.name')), value]));
    const res = lenDelimited(0x0a, kv);
    const record = lenDelimited(0x12, lenDelimited(0x2a, lenDelimited(0x0a, Buffer.from('x'))));
    return lenDelimited(0x0a, Buffer.concat([res, lenDelimited(0x12, record)]));
  }
  if ('deepInfraList' in spec) {
    const n = spec.deepInfraList;
    const content = `${'{"kind":"List","apiVersion":"v1","items":['.repeat(n)}{"kind":"Service","apiVersion":"v1","metadata":{"name":"x"}}${']}'.repeat(n)}`;
    return Buffer.from(JSON.stringify({ source: 'hostile-deep', files: [{ path: 'deep.json', content }] }));
  }
  return gzipSync(Buffer.alloc(spec.gzipZeros), { level: 9 });
}

/** The answer's message: a JSON body's `message`, else the body as text. */
export function messageOf(a: Answer): string {
  try {
    const j = JSON.parse(a.body) as { message?: unknown };
    if (typeof j?.message === 'string') return j.message;
  } catch {
    /* not JSON: the body is the message */
  }
  return a.body;
}

/** Sends one case; `$SENTRY_KEY` in a header is replaced by the project's key. */
export function send(s: FuzzServer, c: HostileCase, sentryKey: string): Promise<Answer> {
  const headers = Object.fromEntries(
    Object.entries(c.headers).map(([k, v]) => [k, v.replace('$SENTRY_KEY', sentryKey)]),
  );
  const body = buildBody(c.body);
  return (c.listener === 'otlp' ? s.otlp : s.api)(c.method, c.url, body, headers);
}
