// Decodes OTLP/HTTP protobuf export requests (logs, traces, metrics) straight into the
// normalized model, reading only the fields Orrery keeps. A truncated or malformed body
// throws; records under a resource with no service.name, and records OTLP calls invalid
// (validity.ts: id lengths, span times), are counted as rejected. Text is storable (NUL
// becomes U+FFFD in the reader).
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
import {
  EMPTY_SCOPE,
  type Reader,
  checkEnd,
  createReader,
  readAnyValue,
  readKeyValue,
  readResource,
  readScope,
} from './proto-reader.js';
import {
  MISSING_SERVICE_NAME,
  type ResourceFields,
  accountIdOf,
  environmentOf,
  httpRoute,
  resourceFields,
  userIdOf,
} from './semconv.js';
import { RejectedRecord, checkLogIds, checkSpanIds, checkSpanTimes } from './validity.js';

type WithService = ResourceFields & { service: string };
type ReadItem<T> = (r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: T[]) => void;

/** Records rejected one by one (RejectedRecord), and why. */
interface Rejects {
  n: number;
  reasons: Set<string>;
}

// Tags (field number << 3 | wire type) of the envelope shared by all three signals:
// Export*ServiceRequest.resource_* = 1, Resource*.resource = 1, Resource*.scope_* = 2,
// Scope*.scope = 1, Scope*.items = 2 — all length-delimited.
const TAG_1_LEN = 0x0a;
const TAG_2_LEN = 0x12;

/**
 * Walks Export*ServiceRequest → Resource* → Scope* → item. The resource (and the scope)
 * may follow their children on the wire, so each level is scanned twice: once for its
 * header message, once for the children. Scanning is cheap (tags and lengths only) and
 * allocates nothing.
 */
function walk<T>(buf: Uint8Array, readItem: ReadItem<T>): DecodedBatch<T> {
  const r = createReader(buf);
  const out: T[] = [];
  const rejects: Rejects = { n: 0, reasons: new Set<string>() };
  let rejected = 0;
  const reasons = rejects.reasons;
  while (r.pos < r.len) {
    const tag = r.tag();
    if (tag !== TAG_1_LEN) {
      r.skip(tag);
      continue;
    }
    const resEnd = r.end();
    const first = r.pos;
    let resource: Attributes = {};
    while (r.pos < resEnd) {
      const t = r.tag();
      if (t === TAG_1_LEN) resource = readResource(r, r.end());
      else r.skip(t);
    }
    checkEnd(r, resEnd);
    const fields = resourceFields(resource);
    const res: WithService = { ...fields, service: fields.service ?? '' };
    r.pos = first;
    while (r.pos < resEnd) {
      const t = r.tag();
      if (t !== TAG_2_LEN) {
        r.skip(t);
        continue;
      }
      const end = r.end();
      const before = out.length;
      readScopeItems(r, end, res, resource, out, readItem, rejects);
      // Items are decoded even without a service name so that a malformed one still fails
      // the whole body (400) rather than being silently counted as a reject.
      if (fields.service === null) {
        rejected += out.length - before;
        out.length = before;
        reasons.add(MISSING_SERVICE_NAME);
      }
    }
  }
  return { records: out, rejected: rejected + rejects.n, rejectReasons: [...reasons] };
}

function readScopeItems<T>(
  r: Reader,
  end: number,
  res: WithService,
  resource: Attributes,
  out: T[],
  readItem: ReadItem<T>,
  rejects: Rejects,
): void {
  const first = r.pos;
  let scope: Scope = EMPTY_SCOPE;
  while (r.pos < end) {
    const t = r.tag();
    if (t === TAG_1_LEN) scope = readScope(r, r.end());
    else r.skip(t);
  }
  checkEnd(r, end);
  r.pos = first;
  while (r.pos < end) {
    const t = r.tag();
    if (t === TAG_2_LEN) {
      const e = r.end();
      try {
        readItem(r, e, res, resource, scope, out);
      } catch (err) {
        // Thrown only after the whole record was read, so the body is still in step.
        if (!(err instanceof RejectedRecord)) throw err;
        rejects.n++;
        rejects.reasons.add(err.message);
      }
      checkEnd(r, e);
    } else r.skip(t);
  }
}

export function bodyText(v: AttributeValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** LogRecord fields 1-12; the record object is built once, in the model's property order. */
function readLogRecord(
  r: Reader,
  end: number,
  res: WithService,
  resource: Attributes,
  scope: Scope,
  out: LogRecord[],
): void {
  let time = 0;
  let observed = 0;
  let severityNumber = 0;
  let severityText = '';
  let body: AttributeValue = null;
  const attributes: Attributes = {};
  let flags = 0;
  let traceId: string | null = null;
  let spanId: string | null = null;
  let eventName = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x09: // 1 time_unix_nano, fixed64
        time = r.fixed64();
        break;
      case 0x10: // 2 severity_number, varint
        severityNumber = r.int32();
        break;
      case 0x1a: // 3 severity_text
        severityText = r.internedString();
        break;
      case 0x2a: // 5 body, AnyValue
        body = readAnyValue(r, r.end());
        break;
      case 0x32: // 6 attributes, KeyValue
        readKeyValue(r, r.end(), attributes);
        break;
      case 0x45: // 8 flags, fixed32
        flags = r.fixed32();
        break;
      case 0x4a: // 9 trace_id, bytes
        traceId = r.hexId();
        break;
      case 0x52: // 10 span_id, bytes
        spanId = r.hexId();
        break;
      case 0x59: // 11 observed_time_unix_nano, fixed64
        observed = r.fixed64();
        break;
      case 0x62: // 12 event_name
        eventName = r.internedString();
        break;
      default:
        r.skip(tag);
    }
  }
  checkLogIds(traceId, spanId);
  out.push({
    service: res.service,
    serviceVersion: res.serviceVersion,
    environment: environmentOf(attributes) ?? res.environment,
    userId: userIdOf(attributes) ?? res.userId,
    accountId: accountIdOf(attributes) ?? res.accountId,
    timeUnixNano: time,
    observedTimeUnixNano: observed,
    severityNumber,
    severityText,
    body: bodyText(body),
    eventName,
    traceId,
    spanId,
    flags,
    attributes,
    resource,
    scope,
  });
}

function readEvent(r: Reader, end: number): SpanEvent {
  let timeUnixNano = 0;
  let name = '';
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x09) timeUnixNano = r.fixed64();
    else if (tag === 0x12) name = r.internedString();
    else if (tag === 0x1a) readKeyValue(r, r.end(), attributes);
    else r.skip(tag);
  }
  checkEnd(r, end);
  return { timeUnixNano, name, attributes };
}

function readLink(r: Reader, end: number): SpanLink {
  let traceId = '';
  let spanId = '';
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) traceId = r.hexId() ?? '';
    else if (tag === 0x12) spanId = r.hexId() ?? '';
    else if (tag === 0x22) readKeyValue(r, r.end(), attributes);
    else r.skip(tag);
  }
  checkEnd(r, end);
  return { traceId, spanId, attributes };
}

interface SpanStatus {
  code: number;
  message: string;
}

/** Status { message = 2; code = 3; } written into `into`, so no object is made per span. */
function readStatus(r: Reader, end: number, into: SpanStatus): void {
  while (r.pos < end) {
    const t = r.tag();
    if (t === 0x12) into.message = r.string();
    else if (t === 0x18) into.code = r.int32();
    else r.skip(t);
  }
  checkEnd(r, end);
}

/** Scratch for readSpan; decoding is synchronous, so one instance is enough. */
const status: SpanStatus = { code: 0, message: '' };

/** Span fields 1-15; the record object is built once, in the model's property order. */
function readSpan(r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: Span[]): void {
  let traceId: string | null = null;
  let spanId: string | null = null;
  let parentSpanId: string | null = null;
  let traceState = '';
  let name = '';
  let kind = 0;
  // Times are kept as 32-bit halves so that the duration is an exact integer difference.
  let startLo = 0;
  let startHi = 0;
  let endLo = 0;
  let endHi = 0;
  const attributes: Attributes = {};
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  status.code = 0;
  status.message = '';
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: // 1 trace_id
        traceId = r.hexId();
        break;
      case 0x12: // 2 span_id
        spanId = r.hexId();
        break;
      case 0x1a: // 3 trace_state
        traceState = r.string();
        break;
      case 0x22: // 4 parent_span_id
        parentSpanId = r.hexId();
        break;
      case 0x2a: // 5 name
        name = r.internedString();
        break;
      case 0x30: // 6 kind, varint
        kind = r.int32();
        break;
      case 0x39: // 7 start_time_unix_nano, fixed64
        startLo = r.fixed32();
        startHi = r.fixed32();
        break;
      case 0x41: // 8 end_time_unix_nano, fixed64
        endLo = r.fixed32();
        endHi = r.fixed32();
        break;
      case 0x4a: // 9 attributes
        readKeyValue(r, r.end(), attributes);
        break;
      case 0x5a: // 11 events
        events.push(readEvent(r, r.end()));
        break;
      case 0x6a: // 13 links
        links.push(readLink(r, r.end()));
        break;
      case 0x7a: // 15 status
        readStatus(r, r.end(), status);
        break;
      default:
        r.skip(tag);
    }
  }
  checkSpanIds(traceId, spanId, parentSpanId, links);
  const duration = (endHi - startHi) * 4294967296 + (endLo - startLo);
  checkSpanTimes(startHi === 0 && startLo === 0, endHi === 0 && endLo === 0, duration);
  out.push({
    service: res.service,
    serviceVersion: res.serviceVersion,
    environment: environmentOf(attributes) ?? res.environment,
    userId: userIdOf(attributes) ?? res.userId,
    accountId: accountIdOf(attributes) ?? res.accountId,
    traceId: traceId as string,
    spanId: spanId as string,
    parentSpanId,
    traceState,
    name,
    kind,
    startTimeUnixNano: startHi * 4294967296 + startLo,
    endTimeUnixNano: endHi * 4294967296 + endLo,
    durationNano: duration,
    statusCode: status.code,
    statusMessage: status.message,
    httpRoute: httpRoute(attributes),
    attributes,
    events,
    links,
    resource,
    scope,
  });
}

const METRIC_KINDS: Record<number, MetricKind> = {
  5: 'gauge',
  7: 'sum',
  9: 'histogram',
  10: 'exponential_histogram',
  11: 'summary',
};

function readMetric(
  r: Reader,
  end: number,
  res: WithService,
  resource: Attributes,
  scope: Scope,
  out: MetricPoint[],
): void {
  let name = '';
  let description = '';
  let unit = '';
  let kind: MetricKind | null = null;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const tag = r.tag();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (tag === 0x0a) name = r.string();
    else if (tag === 0x12) description = r.string();
    else if (tag === 0x1a) unit = r.string();
    else if (METRIC_KINDS[field] && wt === 2) {
      kind = METRIC_KINDS[field]!;
      dataEnd = r.end();
      dataStart = r.pos;
      r.pos = dataEnd;
    } else r.skip(tag);
  }
  checkEnd(r, end);
  if (kind === null) return;
  r.pos = dataStart;
  let temporality = 0;
  let monotonic = false;
  // Temporality and monotonicity may follow the points on the wire: scan for them first.
  while (r.pos < dataEnd) {
    const tag = r.tag();
    if (tag === 0x10) temporality = r.int32();
    else if (tag === 0x18) monotonic = r.bool();
    else r.skip(tag);
  }
  checkEnd(r, dataEnd);
  r.pos = dataStart;
  while (r.pos < dataEnd) {
    const tag = r.tag();
    if (tag !== 0x0a) {
      r.skip(tag);
      continue;
    }
    const p = readPoint(r, r.end(), kind);
    out.push({
      service: res.service,
      serviceVersion: res.serviceVersion,
      environment: environmentOf(p.attributes) ?? res.environment,
      userId: userIdOf(p.attributes) ?? res.userId,
      accountId: accountIdOf(p.attributes) ?? res.accountId,
      name,
      description,
      unit,
      kind,
      temporality,
      monotonic,
      startTimeUnixNano: p.startTimeUnixNano,
      timeUnixNano: p.timeUnixNano,
      value: p.value,
      count: p.count,
      detail: p.detail,
      attributes: p.attributes,
      resource,
      scope,
    });
  }
  r.pos = end;
}

interface PointFields {
  startTimeUnixNano: number;
  timeUnixNano: number;
  value: number | null;
  count: number | null;
  detail: Attributes | null;
  attributes: Attributes;
}

/** Number, histogram, exponential-histogram and summary data points; their field numbers differ. */
function readPoint(r: Reader, end: number, kind: MetricKind): PointFields {
  const p: PointFields = {
    startTimeUnixNano: 0,
    timeUnixNano: 0,
    value: null,
    count: null,
    detail: null,
    attributes: {},
  };
  const detail: Attributes = {};
  const attrField = kind === 'histogram' ? 9 : kind === 'exponential_histogram' ? 1 : 7;
  while (r.pos < end) {
    const tag = r.tag();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === attrField && wt === 2) {
      readKeyValue(r, r.end(), p.attributes);
      continue;
    }
    if (field === 2 && wt === 1) {
      p.startTimeUnixNano = r.fixed64();
      continue;
    }
    if (field === 3 && wt === 1) {
      p.timeUnixNano = r.fixed64();
      continue;
    }
    if (kind === 'gauge' || kind === 'sum') {
      if (field === 4 && wt === 1) p.value = r.double();
      else if (field === 6 && wt === 1) p.value = r.sfixed64();
      else r.skip(tag);
      continue;
    }
    if (field === 4 && wt === 1) {
      p.count = r.fixed64();
      continue;
    }
    if (field === 5 && wt === 1) {
      p.value = r.double();
      continue;
    }
    if (kind === 'histogram') {
      if (field === 6) detail.bucketCounts = readPackedFixed64(r, tag);
      else if (field === 7) detail.explicitBounds = readPackedDouble(r, tag);
      else if (field === 11 && wt === 1) detail.min = r.double();
      else if (field === 12 && wt === 1) detail.max = r.double();
      else r.skip(tag);
    } else if (kind === 'exponential_histogram') {
      if (field === 6 && wt === 0) detail.scale = r.sint32();
      else if (field === 7 && wt === 1) detail.zeroCount = r.fixed64();
      else if ((field === 8 || field === 9) && wt === 2) {
        detail[field === 8 ? 'positive' : 'negative'] = readExpBuckets(r, r.end());
      } else if (field === 12 && wt === 1) detail.min = r.double();
      else if (field === 13 && wt === 1) detail.max = r.double();
      else r.skip(tag);
    } else if (kind === 'summary') {
      if (field === 6 && wt === 2) {
        const qEnd = r.end();
        const q: Attributes = {};
        while (r.pos < qEnd) {
          const t = r.tag();
          if (t === 0x09) q.quantile = r.double();
          else if (t === 0x11) q.value = r.double();
          else r.skip(t);
        }
        checkEnd(r, qEnd);
        if (!Array.isArray(detail.quantiles)) detail.quantiles = [];
        (detail.quantiles as AttributeValue[]).push(q);
      } else r.skip(tag);
    } else r.skip(tag);
  }
  checkEnd(r, end);
  if (Object.keys(detail).length > 0) p.detail = detail;
  return p;
}

/** A repeated fixed64, packed (wire type 2) or not (1); any other wire type is skipped. */
function readPackedFixed64(r: Reader, tag: number): number[] {
  const wt = tag & 7;
  if (wt === 1) return [r.fixed64()];
  if (wt !== 2) {
    r.skip(tag);
    return [];
  }
  const end = r.end();
  const out: number[] = [];
  while (r.pos < end) out.push(r.fixed64());
  checkEnd(r, end);
  return out;
}

/** A repeated double, packed (wire type 2) or not (1); any other wire type is skipped. */
function readPackedDouble(r: Reader, tag: number): number[] {
  const wt = tag & 7;
  if (wt === 1) return [r.double()];
  if (wt !== 2) {
    r.skip(tag);
    return [];
  }
  const end = r.end();
  const out: number[] = [];
  while (r.pos < end) out.push(r.double());
  checkEnd(r, end);
  return out;
}

function readExpBuckets(r: Reader, end: number): Attributes {
  const b: { offset: number; bucketCounts: number[] } = { offset: 0, bucketCounts: [] };
  while (r.pos < end) {
    const t = r.tag();
    if (t === 0x08) b.offset = r.sint32();
    else if (t === 0x12) {
      const e = r.end();
      while (r.pos < e) b.bucketCounts.push(r.uint64());
      checkEnd(r, e);
    } else if (t === 0x10) b.bucketCounts.push(r.uint64());
    else r.skip(t);
  }
  checkEnd(r, end);
  return b;
}

export function decodeLogsProtobuf(buf: Uint8Array): DecodedBatch<LogRecord> {
  return walk<LogRecord>(buf, readLogRecord);
}

export function decodeTracesProtobuf(buf: Uint8Array): DecodedBatch<Span> {
  return walk<Span>(buf, readSpan);
}

export function decodeMetricsProtobuf(buf: Uint8Array): DecodedBatch<MetricPoint> {
  return walk<MetricPoint>(buf, readMetric);
}
