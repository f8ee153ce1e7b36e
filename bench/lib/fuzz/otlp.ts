// OTLP export requests for the fuzzer, all three signals, from one schema of the messages
// Orrery reads: generated as protobuf (right and wrong wire types, lengths past the buffer,
// huge varints, unknown and duplicate fields, truncation) and as OTLP JSON (right and wrong
// kinds of value, ids of every length, times as strings or numbers past every limit).
import fc from 'fast-check';
import type { Signal } from '../../../src/model/index.js';
import { hostileNumber, hostileString } from './hostile.js';

type Kind =
  | 'string'
  | 'id16'
  | 'id8'
  | 'varint'
  | 'fixed64'
  | 'fixed32'
  | 'double'
  | 'bool'
  | 'packedFixed64'
  | 'packedDouble';
interface Field {
  no: number;
  json: string;
  kind: Kind | { msg: string };
  repeated?: boolean;
}

/** The OTLP messages (opentelemetry-proto v1), as far as Orrery reads them. */
const SCHEMA: Record<string, Field[]> = {
  ExportTraceServiceRequest: [{ no: 1, json: 'resourceSpans', kind: { msg: 'ResourceSpans' }, repeated: true }],
  ExportLogsServiceRequest: [{ no: 1, json: 'resourceLogs', kind: { msg: 'ResourceLogs' }, repeated: true }],
  ExportMetricsServiceRequest: [{ no: 1, json: 'resourceMetrics', kind: { msg: 'ResourceMetrics' }, repeated: true }],
  ResourceSpans: [
    { no: 1, json: 'resource', kind: { msg: 'Resource' } },
    { no: 2, json: 'scopeSpans', kind: { msg: 'ScopeSpans' }, repeated: true },
    { no: 3, json: 'schemaUrl', kind: 'string' },
  ],
  ResourceLogs: [
    { no: 1, json: 'resource', kind: { msg: 'Resource' } },
    { no: 2, json: 'scopeLogs', kind: { msg: 'ScopeLogs' }, repeated: true },
  ],
  ResourceMetrics: [
    { no: 1, json: 'resource', kind: { msg: 'Resource' } },
    { no: 2, json: 'scopeMetrics', kind: { msg: 'ScopeMetrics' }, repeated: true },
  ],
  Resource: [
    { no: 1, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
    { no: 2, json: 'droppedAttributesCount', kind: 'varint' },
  ],
  Scope: [
    { no: 1, json: 'name', kind: 'string' },
    { no: 2, json: 'version', kind: 'string' },
    { no: 3, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
  ],
  ScopeSpans: [
    { no: 1, json: 'scope', kind: { msg: 'Scope' } },
    { no: 2, json: 'spans', kind: { msg: 'Span' }, repeated: true },
  ],
  ScopeLogs: [
    { no: 1, json: 'scope', kind: { msg: 'Scope' } },
    { no: 2, json: 'logRecords', kind: { msg: 'LogRecord' }, repeated: true },
  ],
  ScopeMetrics: [
    { no: 1, json: 'scope', kind: { msg: 'Scope' } },
    { no: 2, json: 'metrics', kind: { msg: 'Metric' }, repeated: true },
  ],
  Span: [
    { no: 1, json: 'traceId', kind: 'id16' },
    { no: 2, json: 'spanId', kind: 'id8' },
    { no: 3, json: 'traceState', kind: 'string' },
    { no: 4, json: 'parentSpanId', kind: 'id8' },
    { no: 5, json: 'name', kind: 'string' },
    { no: 6, json: 'kind', kind: 'varint' },
    { no: 7, json: 'startTimeUnixNano', kind: 'fixed64' },
    { no: 8, json: 'endTimeUnixNano', kind: 'fixed64' },
    { no: 9, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
    { no: 11, json: 'events', kind: { msg: 'Event' }, repeated: true },
    { no: 13, json: 'links', kind: { msg: 'Link' }, repeated: true },
    { no: 15, json: 'status', kind: { msg: 'Status' } },
  ],
  Event: [
    { no: 1, json: 'timeUnixNano', kind: 'fixed64' },
    { no: 2, json: 'name', kind: 'string' },
    { no: 3, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
  ],
  Link: [
    { no: 1, json: 'traceId', kind: 'id16' },
    { no: 2, json: 'spanId', kind: 'id8' },
    { no: 4, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
  ],
  Status: [
    { no: 2, json: 'message', kind: 'string' },
    { no: 3, json: 'code', kind: 'varint' },
  ],
  LogRecord: [
    { no: 1, json: 'timeUnixNano', kind: 'fixed64' },
    { no: 11, json: 'observedTimeUnixNano', kind: 'fixed64' },
    { no: 2, json: 'severityNumber', kind: 'varint' },
    { no: 3, json: 'severityText', kind: 'string' },
    { no: 5, json: 'body', kind: { msg: 'AnyValue' } },
    { no: 6, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
    { no: 8, json: 'flags', kind: 'fixed32' },
    { no: 9, json: 'traceId', kind: 'id16' },
    { no: 10, json: 'spanId', kind: 'id8' },
    { no: 12, json: 'eventName', kind: 'string' },
  ],
  Metric: [
    { no: 1, json: 'name', kind: 'string' },
    { no: 2, json: 'description', kind: 'string' },
    { no: 3, json: 'unit', kind: 'string' },
    { no: 5, json: 'gauge', kind: { msg: 'Gauge' } },
    { no: 7, json: 'sum', kind: { msg: 'Sum' } },
    { no: 9, json: 'histogram', kind: { msg: 'Histogram' } },
    { no: 10, json: 'exponentialHistogram', kind: { msg: 'Histogram' } },
    { no: 11, json: 'summary', kind: { msg: 'Gauge' } },
  ],
  Gauge: [{ no: 1, json: 'dataPoints', kind: { msg: 'NumberDataPoint' }, repeated: true }],
  Sum: [
    { no: 1, json: 'dataPoints', kind: { msg: 'NumberDataPoint' }, repeated: true },
    { no: 2, json: 'aggregationTemporality', kind: 'varint' },
    { no: 3, json: 'isMonotonic', kind: 'bool' },
  ],
  Histogram: [
    { no: 1, json: 'dataPoints', kind: { msg: 'HistogramDataPoint' }, repeated: true },
    { no: 2, json: 'aggregationTemporality', kind: 'varint' },
  ],
  NumberDataPoint: [
    { no: 7, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
    { no: 2, json: 'startTimeUnixNano', kind: 'fixed64' },
    { no: 3, json: 'timeUnixNano', kind: 'fixed64' },
    { no: 4, json: 'asDouble', kind: 'double' },
    { no: 6, json: 'asInt', kind: 'fixed64' },
  ],
  HistogramDataPoint: [
    { no: 9, json: 'attributes', kind: { msg: 'KeyValue' }, repeated: true },
    { no: 2, json: 'startTimeUnixNano', kind: 'fixed64' },
    { no: 3, json: 'timeUnixNano', kind: 'fixed64' },
    { no: 4, json: 'count', kind: 'fixed64' },
    { no: 5, json: 'sum', kind: 'double' },
    { no: 6, json: 'bucketCounts', kind: 'packedFixed64' },
    { no: 7, json: 'explicitBounds', kind: 'packedDouble' },
    { no: 11, json: 'min', kind: 'double' },
    { no: 12, json: 'max', kind: 'double' },
  ],
  KeyValue: [
    { no: 1, json: 'key', kind: 'string' },
    { no: 2, json: 'value', kind: { msg: 'AnyValue' } },
  ],
  AnyValue: [
    { no: 1, json: 'stringValue', kind: 'string' },
    { no: 2, json: 'boolValue', kind: 'bool' },
    { no: 3, json: 'intValue', kind: 'varint' },
    { no: 4, json: 'doubleValue', kind: 'double' },
    { no: 5, json: 'arrayValue', kind: { msg: 'ArrayValue' } },
    { no: 6, json: 'kvlistValue', kind: { msg: 'KvList' } },
    { no: 7, json: 'bytesValue', kind: 'string' },
  ],
  ArrayValue: [{ no: 1, json: 'values', kind: { msg: 'AnyValue' }, repeated: true }],
  KvList: [{ no: 1, json: 'values', kind: { msg: 'KeyValue' }, repeated: true }],
};

export const ROOT: Record<Signal, string> = {
  traces: 'ExportTraceServiceRequest',
  logs: 'ExportLogsServiceRequest',
  metrics: 'ExportMetricsServiceRequest',
};

/** A generated message, independent of its encoding: each field's values in order. */
export type Node = { [field: string]: Leaf[] };
type Leaf =
  | { k: 'str'; v: string }
  | { k: 'num'; v: bigint }
  | { k: 'dbl'; v: number }
  | { k: 'bytes'; v: Buffer }
  | { k: 'msg'; v: Node }
  | { k: 'raw'; v: Buffer };

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const NOW_NS = BigInt(Date.now()) * 1_000_000n;
const time64: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: -3_600_000_000_000n, max: 3_600_000_000_000n }).map((d) => NOW_NS + d) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n) },
  { weight: 1, arbitrary: u64 },
);
const serviceName = fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c'), hostileString);
const text = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 2, arbitrary: hostileString });

function idBytes(len: number): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ minLength: len, maxLength: len }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constant(Buffer.alloc(len)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)) },
  );
}

function leafOf(kind: Kind, field: string): fc.Arbitrary<Leaf> {
  switch (kind) {
    case 'string':
      return (
        field === 'key'
          ? fc.oneof(
              fc.constantFrom('service.name', 'service.version', 'http.route', 'enduser.id', 'deployment.environment'),
              text,
            )
          : text
      ).map((v) => ({ k: 'str' as const, v }));
    case 'id16':
      return idBytes(16).map((v) => ({ k: 'bytes' as const, v }));
    case 'id8':
      return idBytes(8).map((v) => ({ k: 'bytes' as const, v }));
    case 'varint':
      return fc
        .oneof(fc.bigInt({ min: -5n, max: 30n }), u64, fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
        .map((v) => ({ k: 'num' as const, v }));
    case 'fixed64':
      return time64.map((v) => ({ k: 'num' as const, v }));
    case 'fixed32':
      return fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }).map((v) => ({ k: 'num' as const, v }));
    case 'bool':
      return fc.bigInt({ min: 0n, max: 2n }).map((v) => ({ k: 'num' as const, v }));
    case 'double':
      return fc.oneof(fc.double(), hostileNumber).map((v) => ({ k: 'dbl' as const, v }));
    case 'packedFixed64':
      return fc.array(u64, { maxLength: 6 }).map((vs) => ({ k: 'bytes' as const, v: Buffer.concat(vs.map(fixed64)) }));
    case 'packedDouble':
      return fc
        .array(fc.double(), { maxLength: 6 })
        .map((vs) => ({ k: 'bytes' as const, v: Buffer.concat(vs.map(double)) }));
  }
}

let cached: Record<string, fc.Arbitrary<Node>> | null = null;
function nodes(): Record<string, fc.Arbitrary<Node>> {
  if (!cached) {
    const all = fc.letrec((tie) => {
      const out: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, fields] of Object.entries(SCHEMA)) {
        const parts: Record<string, fc.Arbitrary<Leaf[]>> = {};
        for (const f of fields) {
          const one: fc.Arbitrary<Leaf> =
            typeof f.kind === 'string'
              ? leafOf(f.kind, f.json)
              : tie(f.kind.msg).map((v) => ({ k: 'msg' as const, v: v as Node }));
          parts[f.json] = f.repeated
            ? fc.array(one, { maxLength: 3, depthIdentifier: 'otlp' })
            : fc
                .option(one, { nil: undefined, freq: 2, depthIdentifier: 'otlp' })
                .map((v) => (v === undefined ? [] : [v]));
        }
        let rec: fc.Arbitrary<unknown> = fc.record(parts);
        if (name === 'Resource') {
          rec = fc.tuple(rec as fc.Arbitrary<Node>, fc.option(serviceName, { freq: 6 })).map(([r, svc]) =>
            svc === null
              ? r
              : {
                  ...r,
                  attributes: [
                    {
                      k: 'msg',
                      v: {
                        key: [{ k: 'str', v: 'service.name' }],
                        value: [{ k: 'msg', v: { stringValue: [{ k: 'str', v: svc }] } }],
                      },
                    },
                    ...(r.attributes ?? []),
                  ],
                },
          );
        }
        out[name] = rec;
      }
      return out;
    });
    cached = all as unknown as Record<string, fc.Arbitrary<Node>>;
  }
  return cached;
}

// --- protobuf -------------------------------------------------------------------------------

/** How the encoder damages the message it writes, chosen per case. */
export interface WireDamage {
  /** Per field, the chance (0–1) it is written with the wrong wire type. */
  wrongWire: number;
  /** Per length-delimited field, the chance its length is a lie (past the buffer, or huge). */
  badLength: number;
  /** Unknown fields (random tags and wire types) sprinkled in. */
  unknown: number;
  /** 0–1: a per-byte seed for the choices above. */
  seed: number;
}

function rng(seed: number): () => number {
  let s = Math.floor(seed * 2 ** 31) | 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 1_000_000) / 1_000_000;
  };
}

const WIRE: Record<Kind | 'msg', number> = {
  string: 2,
  id16: 2,
  id8: 2,
  varint: 0,
  fixed64: 1,
  fixed32: 5,
  double: 1,
  bool: 0,
  packedFixed64: 2,
  packedDouble: 2,
  msg: 2,
};

/** A base-128 varint of up to 64 bits (negative numbers as their two's complement, 10 bytes). */
export function varint(v: bigint): Buffer {
  let u = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const b = Number(u & 0x7fn);
    u >>= 7n;
    out.push(u > 0n ? b | 0x80 : b);
  } while (u > 0n);
  return Buffer.from(out);
}

export function fixed64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return b;
}

function fixed32(v: bigint): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(Number(BigInt.asUintN(32, v)));
  return b;
}

function double(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b;
}

function encodeNode(msg: string, node: Node, damage: WireDamage, rand: () => number): Buffer {
  const out: Buffer[] = [];
  for (const f of SCHEMA[msg]!) {
    const kind = typeof f.kind === 'string' ? f.kind : 'msg';
    for (const leaf of node[f.json] ?? []) {
      let wire = WIRE[kind];
      if (rand() < damage.wrongWire) wire = [0, 1, 2, 5, 3, 4, 6, 7][Math.floor(rand() * 8)]!;
      out.push(varint(BigInt((f.no << 3) | wire)));
      const payload =
        leaf.k === 'msg'
          ? encodeNode((f.kind as { msg: string }).msg, leaf.v, damage, rand)
          : leaf.k === 'str'
            ? Buffer.from(leaf.v, 'utf8')
            : leaf.k === 'bytes' || leaf.k === 'raw'
              ? leaf.v
              : null;
      const num = leaf.k === 'num' ? leaf.v : BigInt(payload?.length ?? 0);
      if (wire === 0) out.push(varint(num));
      else if (wire === 1) out.push(leaf.k === 'dbl' ? double(leaf.v) : fixed64(num));
      else if (wire === 5) out.push(fixed32(num));
      else if (wire === 2) {
        const bytes = payload ?? (leaf.k === 'dbl' ? double(leaf.v) : varint(num));
        // Sometimes a length that lies: past the end of the buffer, or huge.
        const lie = rand() < damage.badLength;
        const len = lie
          ? [bytes.length + 1 + Math.floor(rand() * 100), 2 ** 31 - 1, 2 ** 32 - 1, 2n ** 64n - 1n][
              Math.floor(rand() * 4)
            ]!
          : bytes.length;
        out.push(varint(BigInt(len)), bytes);
      }
      // Group wire types (3, 4) and the unused 6, 7 carry nothing a reader can skip safely.
    }
  }
  if (rand() < damage.unknown) {
    const no = BigInt(16 + Math.floor(rand() * 1000));
    out.push(
      varint((no << 3n) | 2n),
      varint(7n),
      Buffer.from('unknown'),
      varint(no << 3n),
      varint(BigInt(Math.floor(rand() * 2 ** 40))),
    );
  }
  return Buffer.concat(out);
}

/** An OTLP protobuf body of a signal: mostly well formed, some damaged at the wire level, some cut or spliced. */
export function otlpProtobuf(signal: Signal): fc.Arbitrary<Buffer> {
  const root = ROOT[signal];
  return fc
    .tuple(
      nodes()[root]!,
      fc.oneof(
        { weight: 5, arbitrary: fc.constant({ wrongWire: 0, badLength: 0, unknown: 0.05, seed: 0.5 }) },
        {
          weight: 3,
          arbitrary: fc.record({
            wrongWire: fc.double({ min: 0, max: 0.2, noNaN: true }),
            badLength: fc.double({ min: 0, max: 0.2, noNaN: true }),
            unknown: fc.double({ min: 0, max: 1, noNaN: true }),
            seed: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
        },
      ),
      fc.constantFrom('none', 'none', 'none', 'truncate', 'flip', 'append'),
      fc.nat(),
      fc.uint8Array({ minLength: 1, maxLength: 12 }),
    )
    .map(([node, damage, how, at, junk]) => {
      const b = encodeNode(root, node, damage, rng(damage.seed));
      if (how === 'none' || b.length === 0) return b;
      const i = at % b.length;
      if (how === 'truncate') return b.subarray(0, i);
      if (how === 'flip') {
        const c = Buffer.from(b);
        c[i] = c[i]! ^ (junk[0]! || 0xff);
        return c;
      }
      return Buffer.concat([b, Buffer.from(junk)]);
    });
}

// --- JSON -----------------------------------------------------------------------------------

/** How a leaf is written in JSON: the right way, or one of the wrong ones. */
function jsonLeaf(kind: Kind, leaf: Leaf, wrong: number): unknown {
  if (wrong > 0.9)
    return [null, {}, [], true, 'x', -1, Number.POSITIVE_INFINITY, '\u0000'][Math.floor((wrong - 0.9) * 80) % 8];
  switch (leaf.k) {
    case 'str':
      return leaf.v;
    case 'bytes':
      if (kind === 'packedFixed64' || kind === 'packedDouble') return [1, 2, '3', -1];
      return wrong > 0.8 ? leaf.v.toString('base64') : leaf.v.toString('hex');
    case 'num':
      if (kind === 'bool') return leaf.v === 1n;
      return wrong > 0.7 ? Number(leaf.v) : leaf.v.toString();
    case 'dbl':
      return Number.isFinite(leaf.v) ? leaf.v : String(leaf.v);
    default:
      return null;
  }
}

function toJson(msg: string, node: Node, wrong: () => number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of SCHEMA[msg]!) {
    const leaves = node[f.json] ?? [];
    if (leaves.length === 0) continue;
    const values = leaves.map((l) =>
      l.k === 'msg' ? toJson((f.kind as { msg: string }).msg, l.v, wrong) : jsonLeaf(f.kind as Kind, l, wrong()),
    );
    out[f.json] = f.repeated ? values : values[0];
  }
  return out;
}

/** An OTLP JSON body of a signal: the generated message, some of its values of the wrong kind, some text damaged. */
export function otlpJson(signal: Signal): fc.Arbitrary<Buffer> {
  const root = ROOT[signal];
  return fc
    .tuple(
      nodes()[root]!,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom('none', 'none', 'none', 'truncate', 'nul', 'dupKey'),
      fc.nat(),
    )
    .map(([node, seed, share, how, at]) => {
      const r = rng(seed);
      // Most documents are all right; some have a share of their values of the wrong kind.
      const wrong = () => (share < 0.6 ? r() * 0.7 : r());
      const text = JSON.stringify(toJson(root, node, wrong));
      const i = at % Math.max(1, text.length);
      if (how === 'truncate') return Buffer.from(text.slice(0, i));
      if (how === 'nul')
        return Buffer.concat([Buffer.from(text.slice(0, i)), Buffer.from([0]), Buffer.from(text.slice(i))]);
      if (how === 'dupKey') return Buffer.from(text.replace('{', `{"${Object.keys(SCHEMA)[at % 3]}":1,`));
      return Buffer.from(text);
    });
}
