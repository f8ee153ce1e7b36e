// Streamed spans: the `span` item newer SDKs send in place of a transaction (@sentry/node 11 does
// by default), a container `{version: 2, items: [...]}` of spans (or one span object), each with
// `{value, type}` attributes. The segment span (`is_segment`) is the local root. Each span names
// its release, environment and service in its attributes (`sentry.release`, `sentry.environment`,
// `service`, `server.address`), read as an event's are. Ids and times follow the OTLP validity
// rules: a bad span is rejected alone and counted. Pure.
import { type Attributes, type Span, StatusCode } from '../../../model/index.js';
import { RejectedRecord, checkSpanIds, checkSpanTimes } from '../otlp/index.js';
import {
  type EventBase,
  type Json,
  attrValue,
  durationNs,
  eventBase,
  hexId,
  obj,
  setAttribute,
  text,
  timeNs,
} from './fields.js';
import { type SpansResult, kindOf, routeOfName } from './transaction.js';

/** Attributes that describe the SDK's setup, not the span: dropped (the integration list is long). */
const SETUP_KEYS = new Set(['sentry.sdk.integrations']);

function typedAttributes(v: unknown): Attributes {
  const out: Attributes = {};
  const o = obj(v);
  if (!o) return out;
  for (const [k, raw] of Object.entries(o)) {
    if (SETUP_KEYS.has(k)) continue;
    const typed = obj(raw);
    const a = attrValue(typed && 'value' in typed ? typed.value : raw);
    if (a !== undefined) setAttribute(out, k, a);
  }
  return out;
}

function reject(out: SpansResult, reason: string): void {
  out.rejected++;
  if (!out.reasons.includes(reason)) out.reasons.push(reason);
}

/** The spans of one `span` item's payload. */
export function spanItemSpans(payload: Json, project: string): SpansResult {
  const out: SpansResult = { spans: [], rejected: 0, reasons: [] };
  const list = Array.isArray(payload.items) ? payload.items : [payload];
  const bases = new Map<string, EventBase>();
  for (const raw of list) {
    const s = obj(raw);
    if (!s) {
      reject(out, 'a span is not an object');
      continue;
    }
    const attributes = typedAttributes(s.attributes);
    const like = {
      release: attributes['sentry.release'],
      environment: attributes['sentry.environment'],
      server_name: attributes['server.address'],
      tags: { service: attributes.service },
      user: { id: attributes['user.id'], email: attributes['user.email'], username: attributes['user.name'] },
      sdk: { name: attributes['sentry.sdk.name'], version: attributes['sentry.sdk.version'] },
    };
    const key = JSON.stringify(like);
    let base = bases.get(key);
    if (!base) {
      base = eventBase(like, project);
      bases.set(key, base);
    }
    try {
      out.spans.push(toSpan(s, attributes, base));
    } catch (err) {
      if (!(err instanceof RejectedRecord)) throw err;
      reject(out, err.message);
    }
  }
  return out;
}

function toSpan(s: Json, attributes: Attributes, base: EventBase): Span {
  const traceId = hexId(s.trace_id, 32);
  const spanId = hexId(s.span_id, 16);
  const hasParent = s.parent_span_id !== undefined && s.parent_span_id !== null && s.parent_span_id !== '';
  const parent = hasParent ? hexId(s.parent_span_id, 16) : null;
  checkSpanIds(traceId, spanId, hasParent ? (parent ?? '') : null, []);
  const endRaw = s.end_timestamp ?? s.timestamp;
  const start = timeNs(s.start_timestamp);
  const end = timeNs(endRaw);
  const duration = start !== null && end !== null ? durationNs(s.start_timestamp, endRaw, start, end) : 0;
  checkSpanTimes(start === null, end === null, duration);
  const segment = s.is_segment === true || !hasParent;
  const op = text(attributes['sentry.op']) ?? text(s.op);
  const name = text(s.name) ?? text(s.description) ?? op ?? 'span';
  const kind = kindOf(op, segment);
  const source = text(attributes['sentry.segment.name.source']);
  const route =
    text(attributes['http.route']) ?? (segment && source === 'route' && kind === 2 ? routeOfName(name) : null);
  const status = text(s.status);
  const failed = status !== null && status !== 'ok';
  return {
    service: base.service,
    serviceVersion: base.serviceVersion,
    environment: base.environment,
    userId: base.userId,
    accountId: base.accountId,
    traceId: traceId!,
    spanId: spanId!,
    parentSpanId: parent,
    traceState: '',
    name,
    kind,
    startTimeUnixNano: start!,
    endTimeUnixNano: end!,
    durationNano: duration,
    statusCode: failed ? StatusCode.ERROR : StatusCode.UNSET,
    statusMessage: failed ? status : '',
    httpRoute: route,
    attributes,
    events: [],
    links: [],
    resource: base.resource,
    scope: base.scope,
  };
}
