// Decodes OTLP/HTTP protobuf export requests (logs, traces, metrics) straight into the
// normalized model, reading only the fields Orrery keeps. A truncated or malformed body
// throws; records under a resource with no service.name are counted as rejected.
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
  createReader,
  messageEnd,
  readAnyValue,
  readFixed64,
  readFixed64Parts,
  readHexId,
  readSfixed64,
  readKeyValue,
  readResource,
  readScope,
  readUint64,
} from './proto-reader.js';
import { MISSING_SERVICE_NAME, type ResourceFields, httpRoute, resourceFields, semanticFields } from './semconv.js';

type WithService = ResourceFields & { service: string };

/**
 * Walks Export*ServiceRequest → Resource* → Scope* → item, the shape all three signals
 * share (resource = 1, scope_* = 2 at the resource level; scope = 1, items = 2 below).
 */
function walk<T>(
  buf: Uint8Array,
  readItem: (r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: T[]) => void,
): DecodedBatch<T> {
  const r = createReader(buf);
  const out: T[] = [];
  let rejected = 0;
  const reasons = new Set<string>();
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skipType(tag & 7);
      continue;
    }
    const resEnd = messageEnd(r);
    // The resource may follow the scopes on the wire, so collect scope ranges first.
    let resource: Attributes = {};
    const scopeRanges: Array<[number, number]> = [];
    while (r.pos < resEnd) {
      const t = r.uint32();
      const field = t >>> 3;
      if (field === 1 && (t & 7) === 2) resource = readResource(r, messageEnd(r));
      else if (field === 2 && (t & 7) === 2) {
        const end = messageEnd(r);
        scopeRanges.push([r.pos, end]);
        r.pos = end;
      } else r.skipType(t & 7);
    }
    const fields = resourceFields(resource);
    for (const [start, end] of scopeRanges) {
      r.pos = start;
      const before = out.length;
      readScopeItems(r, end, fields, resource, out, readItem);
      if (fields.service === null) {
        rejected += out.length - before;
        out.length = before;
        reasons.add(MISSING_SERVICE_NAME);
      }
    }
    r.pos = resEnd;
  }
  return { records: out, rejected, rejectReasons: [...reasons] };
}

function readScopeItems<T>(
  r: Reader,
  end: number,
  fields: ResourceFields,
  resource: Attributes,
  out: T[],
  readItem: (r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: T[]) => void,
): void {
  let scope: Scope = EMPTY_SCOPE;
  const itemRanges: Array<[number, number]> = [];
  while (r.pos < end) {
    const t = r.uint32();
    const field = t >>> 3;
    if (field === 1 && (t & 7) === 2) scope = readScope(r, messageEnd(r));
    else if (field === 2 && (t & 7) === 2) {
      const e = messageEnd(r);
      itemRanges.push([r.pos, e]);
      r.pos = e;
    } else r.skipType(t & 7);
  }
  // Items are decoded even without a service name so that a malformed one still fails the
  // whole body (400) rather than being silently counted as a reject.
  const res = { ...fields, service: fields.service ?? '' };
  for (const [s, e] of itemRanges) {
    r.pos = s;
    readItem(r, e, res, resource, scope, out);
  }
  r.pos = end;
}

export function bodyText(v: AttributeValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

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
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt === 1) time = readFixed64(r);
        else r.skipType(wt);
        break;
      case 2:
        if (wt === 0) severityNumber = r.int32();
        else r.skipType(wt);
        break;
      case 3:
        if (wt === 2) severityText = r.string();
        else r.skipType(wt);
        break;
      case 5:
        if (wt === 2) body = readAnyValue(r, messageEnd(r));
        else r.skipType(wt);
        break;
      case 6:
        if (wt === 2) readKeyValue(r, messageEnd(r), attributes);
        else r.skipType(wt);
        break;
      case 8:
        if (wt === 5) flags = r.fixed32();
        else r.skipType(wt);
        break;
      case 9:
        if (wt === 2) traceId = readHexId(r);
        else r.skipType(wt);
        break;
      case 10:
        if (wt === 2) spanId = readHexId(r);
        else r.skipType(wt);
        break;
      case 11:
        if (wt === 1) observed = readFixed64(r);
        else r.skipType(wt);
        break;
      case 12:
        if (wt === 2) eventName = r.string();
        else r.skipType(wt);
        break;
      default:
        r.skipType(wt);
    }
  }
  out.push({
    ...semanticFields(res, attributes),
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
  const ev: SpanEvent = { timeUnixNano: 0, name: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === 1) ev.timeUnixNano = readFixed64(r);
    else if (field === 2 && wt === 2) ev.name = r.string();
    else if (field === 3 && wt === 2) readKeyValue(r, messageEnd(r), ev.attributes);
    else r.skipType(wt);
  }
  return ev;
}

function readLink(r: Reader, end: number): SpanLink {
  const link: SpanLink = { traceId: '', spanId: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === 2) link.traceId = readHexId(r) ?? '';
    else if (field === 2 && wt === 2) link.spanId = readHexId(r) ?? '';
    else if (field === 4 && wt === 2) readKeyValue(r, messageEnd(r), link.attributes);
    else r.skipType(wt);
  }
  return link;
}

const startParts: [number, number] = [0, 0];
const endParts: [number, number] = [0, 0];

function readSpan(r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: Span[]): void {
  let traceId: string | null = null;
  let spanId: string | null = null;
  let parentSpanId: string | null = null;
  let traceState = '';
  let name = '';
  let kind = 0;
  startParts[0] = startParts[1] = endParts[0] = endParts[1] = 0;
  const attributes: Attributes = {};
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  let statusCode = 0;
  let statusMessage = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt === 2) traceId = readHexId(r);
        else r.skipType(wt);
        break;
      case 2:
        if (wt === 2) spanId = readHexId(r);
        else r.skipType(wt);
        break;
      case 3:
        if (wt === 2) traceState = r.string();
        else r.skipType(wt);
        break;
      case 4:
        if (wt === 2) parentSpanId = readHexId(r);
        else r.skipType(wt);
        break;
      case 5:
        if (wt === 2) name = r.string();
        else r.skipType(wt);
        break;
      case 6:
        if (wt === 0) kind = r.int32();
        else r.skipType(wt);
        break;
      case 7:
        if (wt === 1) readFixed64Parts(r, startParts);
        else r.skipType(wt);
        break;
      case 8:
        if (wt === 1) readFixed64Parts(r, endParts);
        else r.skipType(wt);
        break;
      case 9:
        if (wt === 2) readKeyValue(r, messageEnd(r), attributes);
        else r.skipType(wt);
        break;
      case 11:
        if (wt === 2) events.push(readEvent(r, messageEnd(r)));
        else r.skipType(wt);
        break;
      case 13:
        if (wt === 2) links.push(readLink(r, messageEnd(r)));
        else r.skipType(wt);
        break;
      case 15:
        if (wt === 2) {
          const sEnd = messageEnd(r);
          while (r.pos < sEnd) {
            const t = r.uint32();
            if (t >>> 3 === 2 && (t & 7) === 2) statusMessage = r.string();
            else if (t >>> 3 === 3 && (t & 7) === 0) statusCode = r.int32();
            else r.skipType(t & 7);
          }
        } else r.skipType(wt);
        break;
      default:
        r.skipType(wt);
    }
  }
  if (traceId === null || spanId === null) {
    throw new RangeError('a span has an empty trace_id or span_id');
  }
  const start = startParts[1] * 4294967296 + startParts[0];
  const stop = endParts[1] * 4294967296 + endParts[0];
  out.push({
    ...semanticFields(res, attributes),
    traceId,
    spanId,
    parentSpanId,
    traceState,
    name,
    kind,
    startTimeUnixNano: start,
    endTimeUnixNano: stop,
    durationNano: Math.max(0, (endParts[1] - startParts[1]) * 4294967296 + (endParts[0] - startParts[0])),
    statusCode,
    statusMessage,
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

function readMetric(r: Reader, end: number, res: WithService, resource: Attributes, scope: Scope, out: MetricPoint[]): void {
  let name = '';
  let description = '';
  let unit = '';
  let kind: MetricKind | null = null;
  let dataStart = 0;
  let dataEnd = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === 2) name = r.string();
    else if (field === 2 && wt === 2) description = r.string();
    else if (field === 3 && wt === 2) unit = r.string();
    else if (METRIC_KINDS[field] && wt === 2) {
      kind = METRIC_KINDS[field]!;
      dataEnd = messageEnd(r);
      dataStart = r.pos;
      r.pos = dataEnd;
    } else r.skipType(wt);
  }
  if (kind === null) return;
  r.pos = dataStart;
  let temporality = 0;
  let monotonic = false;
  const pointRanges: Array<[number, number]> = [];
  while (r.pos < dataEnd) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === 2) {
      const e = messageEnd(r);
      pointRanges.push([r.pos, e]);
      r.pos = e;
    } else if (field === 2 && wt === 0) temporality = r.int32();
    else if (field === 3 && wt === 0) monotonic = r.bool();
    else r.skipType(wt);
  }
  for (const [s, e] of pointRanges) {
    r.pos = s;
    const p = readPoint(r, e, kind);
    out.push({
      ...semanticFields(res, p.attributes),
      name,
      description,
      unit,
      kind,
      temporality,
      monotonic,
      ...p,
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
  const p: PointFields = { startTimeUnixNano: 0, timeUnixNano: 0, value: null, count: null, detail: null, attributes: {} };
  const detail: Attributes = {};
  const attrField = kind === 'histogram' ? 9 : kind === 'exponential_histogram' ? 1 : 7;
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === attrField && wt === 2) {
      readKeyValue(r, messageEnd(r), p.attributes);
      continue;
    }
    if (field === 2 && wt === 1) {
      p.startTimeUnixNano = readFixed64(r);
      continue;
    }
    if (field === 3 && wt === 1) {
      p.timeUnixNano = readFixed64(r);
      continue;
    }
    if (kind === 'gauge' || kind === 'sum') {
      if (field === 4 && wt === 1) p.value = r.double();
      else if (field === 6 && wt === 1) p.value = readSfixed64(r);
      else r.skipType(wt);
      continue;
    }
    if (field === 4 && wt === 1) {
      p.count = readFixed64(r);
      continue;
    }
    if (field === 5 && wt === 1) {
      p.value = r.double();
      continue;
    }
    if (kind === 'histogram') {
      if (field === 6) detail.bucketCounts = readPackedFixed64(r, wt);
      else if (field === 7) detail.explicitBounds = readPackedDouble(r, wt);
      else if (field === 11 && wt === 1) detail.min = r.double();
      else if (field === 12 && wt === 1) detail.max = r.double();
      else r.skipType(wt);
    } else if (kind === 'exponential_histogram') {
      if (field === 6 && wt === 0) detail.scale = r.sint32();
      else if (field === 7 && wt === 1) detail.zeroCount = readFixed64(r);
      else if ((field === 8 || field === 9) && wt === 2) {
        detail[field === 8 ? 'positive' : 'negative'] = readExpBuckets(r, messageEnd(r));
      } else if (field === 12 && wt === 1) detail.min = r.double();
      else if (field === 13 && wt === 1) detail.max = r.double();
      else r.skipType(wt);
    } else if (kind === 'summary') {
      if (field === 6 && wt === 2) {
        const qEnd = messageEnd(r);
        const q: Attributes = {};
        while (r.pos < qEnd) {
          const t = r.uint32();
          if (t >>> 3 === 1 && (t & 7) === 1) q.quantile = r.double();
          else if (t >>> 3 === 2 && (t & 7) === 1) q.value = r.double();
          else r.skipType(t & 7);
        }
        if (!Array.isArray(detail.quantiles)) detail.quantiles = [];
        (detail.quantiles as AttributeValue[]).push(q);
      } else r.skipType(wt);
    } else r.skipType(wt);
  }
  if (Object.keys(detail).length > 0) p.detail = detail;
  return p;
}

function readPackedFixed64(r: Reader, wt: number): number[] {
  if (wt === 1) return [readFixed64(r)];
  const end = messageEnd(r);
  const out: number[] = [];
  while (r.pos < end) out.push(readFixed64(r));
  return out;
}

function readPackedDouble(r: Reader, wt: number): number[] {
  if (wt === 1) return [r.double()];
  const end = messageEnd(r);
  const out: number[] = [];
  while (r.pos < end) out.push(r.double());
  return out;
}

function readExpBuckets(r: Reader, end: number): Attributes {
  const b: { offset: number; bucketCounts: number[] } = { offset: 0, bucketCounts: [] };
  while (r.pos < end) {
    const t = r.uint32();
    const wt = t & 7;
    if (t >>> 3 === 1 && wt === 0) b.offset = r.sint32();
    else if (t >>> 3 === 2 && wt === 2) {
      const e = messageEnd(r);
      while (r.pos < e) b.bucketCounts.push(readUint64(r));
    } else if (t >>> 3 === 2 && wt === 0) b.bucketCounts.push(readUint64(r));
    else r.skipType(wt);
  }
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
