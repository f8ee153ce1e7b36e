// Decodes OTLP/HTTP JSON export requests into the same model as the protobuf path.
// Per the OTLP JSON encoding: trace and span ids are hex strings, 64-bit integers may be
// strings or numbers, enums are integers, and field names are lowerCamelCase (the
// proto field names are accepted too). Unknown fields are ignored. Every string is made
// storable (NUL and lone surrogates, which JSON's \u escapes can carry, become U+FFFD), and
// invalid records (validity.ts) are rejected one by one, as in the protobuf path.
import type {
  AttributeValue,
  Attributes,
  DecodedBatch,
  LogRecord,
  MetricKind,
  MetricPoint,
  Scope,
  Span,
  SpanEvent,
  SpanLink,
} from '../../../model/index.js';
import { storableText, storableValue } from '../../transforms/index.js';
import { bodyText } from './decode-protobuf.js';
import { setAttribute } from './proto-reader.js';
import { MISSING_SERVICE_NAME, type ResourceFields, httpRoute, resourceFields, semanticFields } from './semconv.js';
import {
  BAD_LINK_ID,
  BAD_LOG_SPAN_ID,
  BAD_LOG_TRACE_ID,
  BAD_PARENT_SPAN_ID,
  BAD_SPAN_ID,
  BAD_TRACE_ID,
  RejectedRecord,
  checkLogIds,
  checkSpanIds,
  checkSpanTimes,
} from './validity.js';

type Json = Record<string, unknown>;
type WithService = ResourceFields & { service: string };

export class OtlpJsonError extends Error {}

function obj(v: unknown, what: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new OtlpJsonError(`${what} must be an object`);
  return v as Json;
}

function arr(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpJsonError(`${what} must be an array`);
  return v;
}

function field(o: Json, camel: string, snake: string): unknown {
  return o[camel] ?? o[snake];
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new OtlpJsonError(`${what} must be a string`);
  return storableText(v);
}

function int(v: unknown, what: string): number {
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new OtlpJsonError(`${what} must be an integer or a decimal string`);
}

function big(v: unknown): bigint {
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  return 0n;
}

function dbl(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new OtlpJsonError(`${what} must be a number`);
}

const HEX_ID = /^[0-9a-fA-F]*$/;

/** A hex id, lowercase; null when empty or all zero. Not hex at all: the record is rejected with `reason`. */
function hexId(v: unknown, what: string, reason: string): string | null {
  const s = str(v, what);
  if (s === '') return null;
  if (!HEX_ID.test(s) || s.length % 2 !== 0) throw new RejectedRecord(reason);
  return /^0+$/.test(s) ? null : s.toLowerCase();
}

const MAX_DEPTH = 32;

export function anyValue(v: unknown, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new OtlpJsonError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  const o = obj(v, 'AnyValue');
  if ('stringValue' in o || 'string_value' in o) return str(field(o, 'stringValue', 'string_value'), 'stringValue');
  if ('boolValue' in o || 'bool_value' in o) return Boolean(field(o, 'boolValue', 'bool_value'));
  if ('intValue' in o || 'int_value' in o) return int(field(o, 'intValue', 'int_value'), 'intValue');
  if ('doubleValue' in o || 'double_value' in o) return dbl(field(o, 'doubleValue', 'double_value'), 'doubleValue');
  if ('bytesValue' in o || 'bytes_value' in o) return str(field(o, 'bytesValue', 'bytes_value'), 'bytesValue');
  if ('arrayValue' in o || 'array_value' in o) {
    const a = obj(field(o, 'arrayValue', 'array_value'), 'arrayValue');
    return arr(a.values, 'arrayValue.values').map((x) => anyValue(x, depth + 1));
  }
  if ('kvlistValue' in o || 'kvlist_value' in o) {
    const kv = obj(field(o, 'kvlistValue', 'kvlist_value'), 'kvlistValue');
    return keyValues(kv.values, 'kvlistValue.values', depth + 1);
  }
  return null;
}

function keyValues(v: unknown, what: string, depth = 0): Attributes {
  const out: Attributes = {};
  for (const item of arr(v, what)) {
    const kv = obj(item, what);
    setAttribute(out, str(kv.key, `${what}.key`), anyValue(kv.value, depth));
  }
  return out;
}

function scopeOf(v: unknown): Scope {
  const s = obj(v, 'scope');
  return {
    name: str(s.name, 'scope.name'),
    version: str(s.version, 'scope.version'),
    attributes: keyValues(s.attributes, 'scope.attributes'),
  };
}

function walk<T>(
  body: unknown,
  resourceKey: [string, string],
  scopeKey: [string, string],
  itemKey: [string, string],
  readItem: (item: Json, res: WithService, resource: Attributes, scope: Scope, out: T[]) => void,
): DecodedBatch<T> {
  const root = obj(body, 'request body');
  const out: T[] = [];
  let rejected = 0;
  const reasons = new Set<string>();
  for (const rItem of arr(field(root, ...resourceKey), resourceKey[0])) {
    const rObj = obj(rItem, resourceKey[0]);
    const resource = keyValues(obj(rObj.resource, 'resource').attributes, 'resource.attributes');
    const fields = resourceFields(resource);
    const res = { ...fields, service: fields.service ?? '' };
    const before = out.length;
    for (const sItem of arr(field(rObj, ...scopeKey), scopeKey[0])) {
      const sObj = obj(sItem, scopeKey[0]);
      const scope = scopeOf(sObj.scope);
      for (const item of arr(field(sObj, ...itemKey), itemKey[0])) {
        try {
          readItem(obj(item, itemKey[0]), res, resource, scope, out);
        } catch (err) {
          if (!(err instanceof RejectedRecord)) throw err;
          rejected++;
          reasons.add(err.message);
        }
      }
    }
    if (fields.service === null && out.length > before) {
      rejected += out.length - before;
      out.length = before;
      reasons.add(MISSING_SERVICE_NAME);
    }
  }
  return { records: out, rejected, rejectReasons: [...reasons] };
}

function readLog(o: Json, res: WithService, resource: Attributes, scope: Scope, out: LogRecord[]): void {
  const attributes = keyValues(o.attributes, 'logRecord.attributes');
  const traceId = hexId(field(o, 'traceId', 'trace_id'), 'traceId', BAD_LOG_TRACE_ID);
  const spanId = hexId(field(o, 'spanId', 'span_id'), 'spanId', BAD_LOG_SPAN_ID);
  checkLogIds(traceId, spanId);
  out.push({
    ...semanticFields(res, attributes),
    timeUnixNano: int(field(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
    observedTimeUnixNano: int(field(o, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano'),
    severityNumber: int(field(o, 'severityNumber', 'severity_number'), 'severityNumber'),
    severityText: str(field(o, 'severityText', 'severity_text'), 'severityText'),
    body: o.body === undefined ? '' : bodyText(anyValue(o.body)),
    eventName: str(field(o, 'eventName', 'event_name'), 'eventName'),
    traceId,
    spanId,
    flags: int(o.flags, 'flags'),
    attributes,
    resource,
    scope,
  });
}

function readSpan(o: Json, res: WithService, resource: Attributes, scope: Scope, out: Span[]): void {
  const attributes = keyValues(o.attributes, 'span.attributes');
  const traceId = hexId(field(o, 'traceId', 'trace_id'), 'traceId', BAD_TRACE_ID);
  const spanId = hexId(field(o, 'spanId', 'span_id'), 'spanId', BAD_SPAN_ID);
  const parentSpanId = hexId(field(o, 'parentSpanId', 'parent_span_id'), 'parentSpanId', BAD_PARENT_SPAN_ID);
  const startRaw = field(o, 'startTimeUnixNano', 'start_time_unix_nano');
  const endRaw = field(o, 'endTimeUnixNano', 'end_time_unix_nano');
  const status = obj(o.status, 'span.status');
  const events: SpanEvent[] = arr(o.events, 'span.events').map((e) => {
    const ev = obj(e, 'span.events');
    return {
      timeUnixNano: int(field(ev, 'timeUnixNano', 'time_unix_nano'), 'event.timeUnixNano'),
      name: str(ev.name, 'event.name'),
      attributes: keyValues(ev.attributes, 'event.attributes'),
    };
  });
  const links: SpanLink[] = arr(o.links, 'span.links').map((l) => {
    const lk = obj(l, 'span.links');
    return {
      traceId: hexId(field(lk, 'traceId', 'trace_id'), 'link.traceId', BAD_LINK_ID) ?? '',
      spanId: hexId(field(lk, 'spanId', 'span_id'), 'link.spanId', BAD_LINK_ID) ?? '',
      attributes: keyValues(lk.attributes, 'link.attributes'),
    };
  });
  checkSpanIds(traceId, spanId, parentSpanId, links);
  const start = big(startRaw);
  const end = big(endRaw);
  checkSpanTimes(start === 0n, end === 0n, Number(end - start));
  out.push({
    ...semanticFields(res, attributes),
    traceId: traceId as string,
    spanId: spanId as string,
    parentSpanId,
    traceState: str(field(o, 'traceState', 'trace_state'), 'traceState'),
    name: str(o.name, 'span.name'),
    kind: int(o.kind, 'span.kind'),
    startTimeUnixNano: int(startRaw, 'startTimeUnixNano'),
    endTimeUnixNano: int(endRaw, 'endTimeUnixNano'),
    durationNano: Number(end - start),
    statusCode: int(status.code, 'status.code'),
    statusMessage: str(status.message, 'status.message'),
    httpRoute: httpRoute(attributes),
    attributes,
    events,
    links,
    resource,
    scope,
  });
}

const KINDS: Array<[string, string, MetricKind]> = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

function readMetric(o: Json, res: WithService, resource: Attributes, scope: Scope, out: MetricPoint[]): void {
  for (const [camel, snake, kind] of KINDS) {
    const data = field(o, camel, snake);
    if (data === undefined) continue;
    const d = obj(data, camel);
    const temporality = int(field(d, 'aggregationTemporality', 'aggregation_temporality'), 'aggregationTemporality');
    const monotonic = Boolean(field(d, 'isMonotonic', 'is_monotonic'));
    for (const pItem of arr(field(d, 'dataPoints', 'data_points'), `${camel}.dataPoints`)) {
      const p = obj(pItem, 'dataPoint');
      const attributes = keyValues(p.attributes, 'dataPoint.attributes');
      let value: number | null = null;
      let count: number | null = null;
      let detail: Attributes | null = null;
      if (kind === 'gauge' || kind === 'sum') {
        const asInt = field(p, 'asInt', 'as_int');
        value = asInt !== undefined ? int(asInt, 'asInt') : dbl(field(p, 'asDouble', 'as_double'), 'asDouble');
      } else {
        count = int(p.count, 'count');
        value = dbl(p.sum, 'sum');
        detail = {};
        for (const [k, v] of Object.entries(p)) {
          if (!['attributes', 'count', 'sum', 'startTimeUnixNano', 'timeUnixNano', 'exemplars', 'flags'].includes(k)) {
            setAttribute(detail, storableText(k), storableValue(v) as AttributeValue);
          }
        }
      }
      out.push({
        ...semanticFields(res, attributes),
        name: str(o.name, 'metric.name'),
        description: str(o.description, 'metric.description'),
        unit: str(o.unit, 'metric.unit'),
        kind,
        temporality,
        monotonic,
        startTimeUnixNano: int(field(p, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
        timeUnixNano: int(field(p, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'),
        value,
        count,
        detail,
        attributes,
        resource,
        scope,
      });
    }
    return;
  }
}

export function decodeLogsJson(body: unknown): DecodedBatch<LogRecord> {
  return walk<LogRecord>(
    body,
    ['resourceLogs', 'resource_logs'],
    ['scopeLogs', 'scope_logs'],
    ['logRecords', 'log_records'],
    readLog,
  );
}

export function decodeTracesJson(body: unknown): DecodedBatch<Span> {
  return walk<Span>(
    body,
    ['resourceSpans', 'resource_spans'],
    ['scopeSpans', 'scope_spans'],
    ['spans', 'spans'],
    readSpan,
  );
}

export function decodeMetricsJson(body: unknown): DecodedBatch<MetricPoint> {
  return walk<MetricPoint>(
    body,
    ['resourceMetrics', 'resource_metrics'],
    ['scopeMetrics', 'scope_metrics'],
    ['metrics', 'metrics'],
    readMetric,
  );
}
