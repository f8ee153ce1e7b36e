// Hostile OTLP input: text PostgreSQL cannot store (NUL, lone surrogates) becomes U+FFFD at
// decode time, in protobuf and JSON alike; spans with ids of the wrong length, no ids, no
// times, or an absurd duration are rejected one by one with a reason (partial_success), not
// the whole request; and the text helpers behind it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs/minimal.js';
import { decodeOtlp } from '../src/ingest/sources/otlp/index.js';
import { storableText, storableValue } from '../src/ingest/transforms/index.js';

const FFFD = '\ufffd';
const TRACE = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const SPAN = Buffer.from('b7ad6b7169203331', 'hex');
const NOW_NS = 1_790_000_000_000_000_000;

type W = protobuf.Writer;
const str = (w: W, tag: number, s: string) => w.uint32(tag).string(s);
function keyValue(w: W, tag: number, key: string, value: string): void {
  w.uint32(tag).fork();
  str(w, 0x0a, key);
  w.uint32(0x12).fork();
  str(w, 0x0a, value);
  w.ldelim();
  w.ldelim();
}
/** fixed64 from a bigint, as two little-endian halves. */
function fixed64(w: W, tag: number, v: bigint): void {
  w.uint32(tag)
    .fixed32(Number(v & 0xffffffffn))
    .fixed32(Number(v >> 32n));
}

interface ProtoSpan {
  traceId?: Buffer;
  spanId?: Buffer;
  parentSpanId?: Buffer;
  name?: string;
  start?: bigint;
  end?: bigint;
  attrs?: Record<string, string>;
}

/** ExportTraceServiceRequest with one resource (service.name = service) and one scope. */
function tracesProto(spans: ProtoSpan[], service = 'svc'): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork(); // resource_spans
  w.uint32(0x0a).fork(); // resource
  keyValue(w, 0x0a, 'service.name', service);
  w.ldelim();
  w.uint32(0x12).fork(); // scope_spans
  for (const s of spans) {
    w.uint32(0x12).fork();
    w.uint32(0x0a).bytes(s.traceId ?? TRACE);
    w.uint32(0x12).bytes(s.spanId ?? SPAN);
    if (s.parentSpanId) w.uint32(0x22).bytes(s.parentSpanId);
    str(w, 0x2a, s.name ?? 'GET /x');
    fixed64(w, 0x39, s.start ?? BigInt(NOW_NS));
    fixed64(w, 0x41, s.end ?? BigInt(NOW_NS) + 5_000_000n);
    for (const [k, v] of Object.entries(s.attrs ?? {})) keyValue(w, 0x4a, k, v);
    w.ldelim();
  }
  w.ldelim();
  w.ldelim();
  return Buffer.from(w.finish());
}

function logsProto(
  records: Array<{ body: string; attrs?: Record<string, string>; traceId?: Buffer }>,
  service = 'svc',
) {
  const w = protobuf.Writer.create();
  w.uint32(0x0a).fork();
  w.uint32(0x0a).fork();
  keyValue(w, 0x0a, 'service.name', service);
  w.ldelim();
  w.uint32(0x12).fork();
  for (const r of records) {
    w.uint32(0x12).fork();
    fixed64(w, 0x09, BigInt(NOW_NS));
    w.uint32(0x2a).fork();
    str(w, 0x0a, r.body);
    w.ldelim();
    for (const [k, v] of Object.entries(r.attrs ?? {})) keyValue(w, 0x32, k, v);
    if (r.traceId) w.uint32(0x4a).bytes(r.traceId);
    w.ldelim();
  }
  w.ldelim();
  w.ldelim();
  return Buffer.from(w.finish());
}

const jsonAttr = (key: string, v: string) => ({ key, value: { stringValue: v } });
function tracesJson(spans: Record<string, unknown>[], service = 'svc'): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [{ resource: { attributes: [jsonAttr('service.name', service)] }, scopeSpans: [{ spans }] }],
    }),
  );
}
const goodJsonSpan = (over: Record<string, unknown> = {}) => ({
  traceId: TRACE.toString('hex'),
  spanId: SPAN.toString('hex'),
  name: 'GET /x',
  startTimeUnixNano: String(NOW_NS),
  endTimeUnixNano: String(NOW_NS + 5_000_000),
  ...over,
});

describe('text PostgreSQL can store', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD and keeps everything else as it is', () => {
    assert.equal(storableText('plain'), 'plain');
    assert.equal(storableText('a\u0000b'), `a${FFFD}b`);
    assert.equal(storableText('x\ud800y\udc00'), `x${FFFD}y${FFFD}`);
    assert.equal(storableText('pair \ud83d\ude00 ok'), 'pair \ud83d\ude00 ok');
    const clean = 'unchanged';
    assert.equal(storableText(clean), clean);
  });

  it('walks values deeply, keys included, and returns the same object when nothing changed', () => {
    const same = { a: ['b', { c: 1 }], d: null };
    assert.equal(storableValue(same), same);
    assert.deepEqual(storableValue({ 'k\u0000': ['v\ud800', { n: 'x\u0000' }], ok: 2 }), {
      [`k${FFFD}`]: [`v${FFFD}`, { n: `x${FFFD}` }],
      ok: 2,
    });
  });
});

describe('OTLP decoders and hostile text', () => {
  const dirty = { 'bad\u0000key': 'bad\u0000value', 'http.route': '/r\u0000' };

  it('protobuf: NUL in bodies, attribute keys and values, span names and resource values becomes U+FFFD', () => {
    const logs = decodeOtlp('logs', 'protobuf', logsProto([{ body: 'nul \u0000 here', attrs: dirty }], 'svc\u0000'));
    assert.equal(logs.rejected, 0);
    const [l] = logs.records;
    assert.equal(l!.body, `nul ${FFFD} here`);
    assert.equal(l!.service, `svc${FFFD}`);
    assert.deepEqual(l!.attributes, { [`bad${FFFD}key`]: `bad${FFFD}value`, 'http.route': `/r${FFFD}` });
    assert.equal(l!.resource['service.name'], `svc${FFFD}`);
    const spans = decodeOtlp('traces', 'protobuf', tracesProto([{ name: 'GET \u0000', attrs: dirty }]));
    assert.equal(spans.rejected, 0);
    assert.equal(spans.records[0]!.name, `GET ${FFFD}`);
    assert.equal(spans.records[0]!.httpRoute, `/r${FFFD}`);
  });

  it('JSON: NUL and lone surrogates anywhere become U+FFFD', () => {
    const body = JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [jsonAttr('service.name', 'svc\ud800')] },
          scopeLogs: [
            {
              scope: { name: 'lib\u0000' },
              logRecords: [
                {
                  body: { kvlistValue: { values: [jsonAttr('in\u0000ner', '\udc00')] } },
                  severityText: 'ERR\u0000',
                  attributes: [jsonAttr('k\u0000', 'v\u0000'), jsonAttr('s', 'x\ud800')],
                },
                { body: { stringValue: 'plain \u0000 body' } },
              ],
            },
          ],
        },
      ],
    });
    const { records, rejected } = decodeOtlp('logs', 'json', Buffer.from(body));
    assert.equal(rejected, 0);
    const text = JSON.stringify(records);
    assert.doesNotMatch(text, /\\u0000|\\ud[89a-f]/i, text);
    assert.equal(records[0]!.service, `svc${FFFD}`);
    assert.equal(records[0]!.attributes[`k${FFFD}`], `v${FFFD}`);
    assert.equal(records[0]!.scope.name, `lib${FFFD}`);
    assert.equal(records[1]!.body, `plain ${FFFD} body`);
    const spans = decodeOtlp('traces', 'json', tracesJson([goodJsonSpan({ name: 'n\u0000' })]));
    assert.equal(spans.records[0]!.name, `n${FFFD}`);
  });
});

describe('OTLP span and log validity', () => {
  const cases: Array<[string, ProtoSpan, RegExp]> = [
    ['a 3-byte trace id', { traceId: Buffer.from('0a0b0c', 'hex') }, /trace id.*16 bytes/],
    ['a 4-byte span id', { spanId: Buffer.from('0a0b0c0d', 'hex') }, /span id.*8 bytes/],
    ['an all-zero trace id', { traceId: Buffer.alloc(16) }, /trace id/],
    ['an all-zero span id', { spanId: Buffer.alloc(8) }, /span id/],
    ['a 5-byte parent span id', { parentSpanId: Buffer.from('0102030405', 'hex') }, /parent span id.*8 bytes/],
    ['start 0 and end 2^64-1', { start: 0n, end: 2n ** 64n - 1n }, /start time/],
    ['an end before its start', { start: BigInt(NOW_NS), end: BigInt(NOW_NS) - 1n }, /ends before it starts/],
    ['a duration of 8 days', { end: BigInt(NOW_NS) + 8n * 86_400n * 1_000_000_000n }, /longer than 7 days/],
    ['no end time', { end: 0n }, /end time/],
  ];
  for (const [what, bad, reason] of cases) {
    it(`protobuf: rejects a span with ${what}, keeping the good ones`, () => {
      const d = decodeOtlp('traces', 'protobuf', tracesProto([{}, bad, { name: 'also good' }]));
      assert.equal(d.records.length, 2);
      assert.equal(d.rejected, 1);
      assert.match(d.rejectReasons.join('; '), reason);
    });
  }

  const jsonCases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a 3-byte trace id', { traceId: '0a0b0c' }, /trace id.*16 bytes/],
    ['a non-hex trace id', { traceId: 'zz'.repeat(16) }, /trace id/],
    ['an empty span id', { spanId: '' }, /span id/],
    ['an all-zero trace id', { traceId: '0'.repeat(32) }, /trace id/],
    ['a 3-byte link span id', { links: [{ traceId: TRACE.toString('hex'), spanId: 'abcdef' }] }, /link/],
    ['start 0 and end 2^64-1', { startTimeUnixNano: '0', endTimeUnixNano: '18446744073709551615' }, /start time/],
    ['an end before its start', { endTimeUnixNano: String(NOW_NS - 1_000_000) }, /ends before it starts/],
  ];
  for (const [what, over, reason] of jsonCases) {
    it(`JSON: rejects a span with ${what}, keeping the good ones`, () => {
      const d = decodeOtlp('traces', 'json', tracesJson([goodJsonSpan(), goodJsonSpan(over)]));
      assert.equal(d.records.length, 1);
      assert.equal(d.rejected, 1);
      assert.match(d.rejectReasons.join('; '), reason);
    });
  }

  it('rejects a log record whose trace id has the wrong length; an absent one is fine', () => {
    const d = decodeOtlp(
      'logs',
      'protobuf',
      logsProto([
        { body: 'ok' },
        { body: 'bad', traceId: Buffer.from('0a0b0c', 'hex') },
        { body: 'ok', traceId: TRACE },
      ]),
    );
    assert.deepEqual(
      d.records.map((r) => r.traceId),
      [null, TRACE.toString('hex')],
    );
    assert.equal(d.rejected, 1);
    assert.match(d.rejectReasons.join('; '), /trace id.*16 bytes/);
  });
});
