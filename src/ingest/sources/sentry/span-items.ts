// Streamed spans: the `span` item newer SDKs send in place of a transaction (@sentry/node 11 does
// by default), a container `{version: 2, items: [...]}` of spans (or one span object), each with
// `{value, type}` attributes. The segment span (`is_segment`) is the local root. Each span names
// its release, environment and service in its attributes (`sentry.release`, `sentry.environment`,
// `service`, `server.address`), read as an event's are. Ids and times follow the OTLP validity
// rules: a bad span is rejected alone and counted. Pure.
import type { Attributes, Span } from '../../../model/index.js';
import { RejectedRecord } from '../otlp/index.js';
import { type EventBase, type Json, baseFromAttributes, hexId, obj, text, typedAttributes } from './fields.js';
import { type SpansResult, sentrySpan } from './transaction.js';

/** Attributes that describe the SDK's setup, not the span: dropped (the integration list is long). */
const SETUP_KEYS = new Set(['sentry.sdk.integrations']);

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
    const attributes = typedAttributes(s.attributes, SETUP_KEYS);
    const base = baseFromAttributes(attributes, project, bases);
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
  const hasParent = s.parent_span_id !== undefined && s.parent_span_id !== null && s.parent_span_id !== '';
  const root = s.is_segment === true || !hasParent;
  const op = text(attributes['sentry.op']) ?? text(s.op);
  return sentrySpan(base, {
    traceId: hexId(s.trace_id, 32),
    spanId: s.span_id,
    parentSpanId: s.parent_span_id,
    start: s.start_timestamp,
    end: s.end_timestamp ?? s.timestamp,
    name: text(s.name) ?? text(s.description) ?? op ?? 'span',
    op,
    root,
    nameIsRoute: root && text(attributes['sentry.segment.name.source']) === 'route',
    status: text(s.status),
    attributes,
  });
}
