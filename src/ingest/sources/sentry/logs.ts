// Breadcrumbs and Sentry log items as log records. A breadcrumb is what the SDK saw before an
// event (a console line, an HTTP call, a navigation); a log item (`type: log`) carries the
// SDK's structured logs (`{items: [{timestamp, level, body, trace_id, attributes}]}`). Pure.
import type { Attributes, LogRecord } from '../../../model/index.js';
import { severityOf, traceContext } from './error-event.js';
import {
  type EventBase,
  type Json,
  arr,
  attrValue,
  baseFromAttributes,
  hexId,
  obj,
  semanticOf,
  setAttribute,
  text,
  timeNs,
  typedAttributes,
} from './fields.js';

/** Breadcrumbs at most per event (SDKs keep 100 by default). */
export const MAX_BREADCRUMBS = 200;

function record(base: EventBase, over: Partial<LogRecord> & Pick<LogRecord, 'body' | 'timeUnixNano'>): LogRecord {
  return {
    ...semanticOf(base),
    observedTimeUnixNano: over.timeUnixNano,
    severityNumber: 9,
    severityText: 'INFO',
    eventName: '',
    traceId: null,
    spanId: null,
    flags: 0,
    attributes: {},
    resource: base.resource,
    scope: base.scope,
    ...over,
  };
}

/** An event's breadcrumbs (a list, or `{values: [...]}`), in the event's trace. */
export function breadcrumbRecords(event: Json, base: EventBase, fallbackNs: number): LogRecord[] {
  const raw = event.breadcrumbs;
  const list = Array.isArray(raw) ? raw : arr(obj(raw)?.values);
  const { traceId } = traceContext(event);
  const out: LogRecord[] = [];
  for (const b of list.slice(-MAX_BREADCRUMBS)) {
    const o = obj(b);
    if (!o) continue;
    const category = text(o.category);
    const type = text(o.type);
    const data = obj(o.data);
    const message = text(o.message);
    const body = message ?? [category, data ? JSON.stringify(data) : null].filter(Boolean).join(' ');
    if (body === '') continue;
    const attributes: Attributes = {};
    if (category !== null) attributes['sentry.breadcrumb.category'] = category;
    if (type !== null) attributes['sentry.breadcrumb.type'] = type;
    if (data)
      for (const [k, v] of Object.entries(data)) {
        const a = attrValue(v);
        if (a !== undefined) setAttribute(attributes, k, a);
      }
    const [severityNumber, severityText] = severityOf(o.level, 'info');
    out.push(
      record(base, {
        body,
        timeUnixNano: timeNs(o.timestamp) ?? fallbackNs,
        severityNumber,
        severityText,
        eventName: 'sentry.breadcrumb',
        traceId,
        attributes,
      }),
    );
  }
  return out;
}

/**
 * The records of one `log` item's payload. Each log names its release, environment and host
 * in its attributes (`sentry.release`, `sentry.environment`, `server.address`), and may name
 * its service (`service`), read as an event's are.
 */
export function logItemRecords(payload: Json, project: string, receivedNs: number): LogRecord[] {
  const out: LogRecord[] = [];
  const bases = new Map<string, EventBase>();
  for (const item of arr(payload.items)) {
    const o = obj(item);
    if (!o) continue;
    const attrs = typedAttributes(o.attributes);
    const base = baseFromAttributes(attrs, project, bases);
    const body = text(o.body) ?? '';
    const [severityNumber, severityText] = severityOf(o.level === 'warn' ? 'warning' : o.level, 'info');
    const n = typeof o.severity_number === 'number' ? o.severity_number : severityNumber;
    out.push(
      record(base, {
        body,
        timeUnixNano: timeNs(o.timestamp) ?? receivedNs,
        observedTimeUnixNano: receivedNs,
        severityNumber: n,
        severityText,
        eventName: 'sentry.log',
        traceId: hexId(o.trace_id, 32),
        spanId: hexId(o.span_id, 16),
        attributes: attrs,
      }),
    );
  }
  return out;
}
