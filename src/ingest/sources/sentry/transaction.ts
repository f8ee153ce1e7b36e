// A Sentry transaction as spans: the transaction itself is the local root (its trace context:
// `contexts.trace`), and each entry of `spans` a child. Ids, times and durations follow the
// same validity rules as OTLP spans: a bad span is rejected alone and counted. Pure.
import { type Attributes, type Span, SpanKind, StatusCode } from '../../../model/index.js';
import { RejectedRecord, checkSpanIds, checkSpanTimes } from '../otlp/index.js';
import {
  type EventBase,
  type Json,
  arr,
  attrValue,
  durationNs,
  hexId,
  obj,
  semanticOf,
  setAttribute,
  tagAttributes,
  text,
  timeNs,
} from './fields.js';

/** The span kind a Sentry `op` names (https://develop.sentry.dev/sdk/telemetry/traces/span-operations/). */
export function kindOf(op: string | null, root: boolean): number {
  if (op === null) return root ? SpanKind.SERVER : SpanKind.INTERNAL;
  if (op.startsWith('http.server') || op === 'rpc.server' || op.startsWith('function')) return SpanKind.SERVER;
  if (op.startsWith('http.client') || op === 'rpc.client' || op.startsWith('db') || op.startsWith('cache'))
    return SpanKind.CLIENT;
  if (op.startsWith('queue.publish') || op.startsWith('queue.submit')) return SpanKind.PRODUCER;
  if (op.startsWith('queue.process') || op.startsWith('queue.task')) return SpanKind.CONSUMER;
  return SpanKind.INTERNAL;
}

/** Sentry's span status names: `ok` (or none) is unset, as an OTel SDK leaves a good span; any other is an error. */
function statusOf(status: string | null): { code: number; message: string } {
  if (status === null || status === 'ok') return { code: StatusCode.UNSET, message: '' };
  return { code: StatusCode.ERROR, message: status };
}

function dataAttributes(data: unknown, into: Attributes): void {
  const o = obj(data);
  if (!o) return;
  for (const [k, v] of Object.entries(o)) {
    const a = attrValue(v);
    if (a !== undefined) setAttribute(into, k, a);
  }
}

/** `GET /users/:id` → `/users/:id`; a name that is not a route gives null. */
export function routeOfName(name: string): string | null {
  const m = /^(?:[A-Z]+\s+)?(\/\S*)$/.exec(name);
  return m ? m[1]! : null;
}

/** What a span is made of, as Sentry sends it (ids and times still raw). */
export interface SentrySpanParts {
  traceId: string | null;
  spanId: unknown;
  parentSpanId: unknown;
  start: unknown;
  end: unknown;
  name: string;
  op: string | null;
  /** The local root: the transaction, or the segment of streamed spans. */
  root: boolean;
  /** The name is a route template (`GET /cart/:id`). */
  nameIsRoute: boolean;
  status: string | null;
  attributes: Attributes;
}

/**
 * A span of the event, checked by OTLP's validity rules (a RejectedRecord when its ids or times
 * are bad): `op` gives the kind, a status other than `ok` is an error, `http.route` comes from the
 * attributes or a server root's route-template name.
 */
export function sentrySpan(base: EventBase, p: SentrySpanParts): Span {
  const spanId = hexId(p.spanId, 16);
  const hasParent = p.parentSpanId !== undefined && p.parentSpanId !== null && p.parentSpanId !== '';
  const parent = hasParent ? hexId(p.parentSpanId, 16) : null;
  checkSpanIds(p.traceId, spanId, hasParent ? (parent ?? '') : null, []);
  const start = timeNs(p.start);
  const end = timeNs(p.end);
  const duration = start !== null && end !== null ? durationNs(p.start, p.end, start, end) : 0;
  checkSpanTimes(start === null, end === null, duration);
  const kind = kindOf(p.op, p.root);
  const route =
    text(p.attributes['http.route']) ?? (p.nameIsRoute && kind === SpanKind.SERVER ? routeOfName(p.name) : null);
  const status = statusOf(p.status);
  return {
    ...semanticOf(base),
    traceId: p.traceId!,
    spanId: spanId!,
    parentSpanId: parent,
    traceState: '',
    name: p.name,
    kind,
    startTimeUnixNano: start!,
    endTimeUnixNano: end!,
    durationNano: duration,
    statusCode: status.code,
    statusMessage: status.message,
    httpRoute: route,
    attributes: p.attributes,
    events: [],
    links: [],
    resource: base.resource,
    scope: base.scope,
  };
}

export interface SpansResult {
  spans: Span[];
  rejected: number;
  reasons: string[];
}

/** The transaction's spans; rejected ones are counted with their reasons. */
export function transactionSpans(event: Json, base: EventBase): SpansResult {
  const out: SpansResult = { spans: [], rejected: 0, reasons: [] };
  const trace = obj(obj(event.contexts)?.trace) ?? {};
  const traceId = hexId(trace.trace_id, 32);
  const name = text(event.transaction) ?? text(trace.op) ?? 'transaction';
  const source = text(obj(event.transaction_info)?.source);
  const tags = tagAttributes(base);

  const make = (s: Json, root: boolean): Span => {
    const attributes: Attributes = root ? { ...tags } : {};
    dataAttributes(s.data, attributes);
    const op = text(s.op);
    if (op !== null) attributes['sentry.op'] = op;
    const origin = text(s.origin);
    if (origin !== null) attributes['sentry.origin'] = origin;
    return sentrySpan(base, {
      traceId: root ? traceId : (hexId(s.trace_id, 32) ?? traceId),
      spanId: s.span_id,
      parentSpanId: s.parent_span_id,
      start: root ? event.start_timestamp : s.start_timestamp,
      end: root ? event.timestamp : s.timestamp,
      name: root ? name : (text(s.description) ?? op ?? 'span'),
      op,
      root,
      nameIsRoute: root && source === 'route',
      status: text(s.status),
      attributes,
    });
  };
  const each = (s: Json, root: boolean) => {
    try {
      out.spans.push(make(s, root));
    } catch (err) {
      if (!(err instanceof RejectedRecord)) throw err;
      out.rejected++;
      if (!out.reasons.includes(err.message)) out.reasons.push(err.message);
    }
  };
  each(trace, true);
  for (const s of arr(event.spans)) {
    const o = obj(s);
    if (o) each(o, false);
    else {
      out.rejected++;
      if (!out.reasons.includes('a span is not an object')) out.reasons.push('a span is not an object');
    }
  }
  return out;
}
