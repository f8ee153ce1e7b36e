// Sentry payloads to telemetry records: an envelope's items, or a whole event posted to the
// older store endpoint. Error and message events become error log records (with their
// breadcrumbs as logs), transactions and span items become spans, log items logs; items Orrery keeps nothing
// of (attachments, sessions, client reports, profiles, replays, …) are counted and dropped.
// A payload that is not JSON where JSON is due fails the whole request (EnvelopeError): the
// SDK is told, rather than acknowledged for something not stored. Pure.
import type { LogRecord, Span } from '../../../model/index.js';
import { type Envelope, EnvelopeError } from './envelope.js';
import { breadcrumbRecords, logItemRecords } from './logs.js';
import { errorRecord } from './error-event.js';
import { type Json, eventBase, obj, timeNs } from './fields.js';
import { spanItemSpans } from './span-items.js';
import { type SpansResult, transactionSpans } from './transaction.js';

export interface SentryRecords {
  logs: LogRecord[];
  spans: Span[];
  /** Records rejected one by one (a span with a bad id or time), with their distinct reasons. */
  rejected: number;
  rejectReasons: string[];
  /** Items of types Orrery keeps nothing of, by type. */
  dropped: Record<string, number>;
  /** Events (error, message or transaction) read. */
  events: number;
}

export interface DecodeSentryOptions {
  /** The project the request was sent to: the service when the event names none. */
  project: string;
  /** When the request arrived (ns): the time of an event that has none. */
  receivedNs: number;
}

function empty(): SentryRecords {
  return { logs: [], spans: [], rejected: 0, rejectReasons: [], dropped: {}, events: 0 };
}

function json(payload: Buffer, what: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new EnvelopeError(`${what} is not JSON: ${(err as Error).message}`);
  }
  const o = obj(v);
  if (!o) throw new EnvelopeError(`${what} is not a JSON object`);
  return o;
}

/** Adds one event (error, message or transaction) to `out`. */
function addEvent(out: SentryRecords, event: Json, transaction: boolean, opts: DecodeSentryOptions): void {
  const base = eventBase(event, opts.project);
  const at = timeNs(event.timestamp) ?? opts.receivedNs;
  out.events++;
  if (transaction) {
    addSpans(out, transactionSpans(event, base));
  } else {
    out.logs.push(errorRecord(event, base, at, opts.receivedNs));
  }
  out.logs.push(...breadcrumbRecords(event, base, at));
}

function addSpans(out: SentryRecords, r: SpansResult): void {
  out.spans.push(...r.spans);
  out.rejected += r.rejected;
  for (const reason of r.reasons) if (!out.rejectReasons.includes(reason)) out.rejectReasons.push(reason);
}

/** The records of an envelope's items. */
export function decodeEnvelope(envelope: Envelope, opts: DecodeSentryOptions): SentryRecords {
  const out = empty();
  envelope.items.forEach((item, i) => {
    const what = `item ${i + 1} (${item.type})`;
    if (item.type === 'event') addEvent(out, json(item.payload, what), false, opts);
    else if (item.type === 'transaction') addEvent(out, json(item.payload, what), true, opts);
    else if (item.type === 'span') addSpans(out, spanItemSpans(json(item.payload, what), opts.project));
    else if (item.type === 'log')
      out.logs.push(...logItemRecords(json(item.payload, what), opts.project, opts.receivedNs));
    else
      Object.defineProperty(out.dropped, item.type, {
        value: (Object.hasOwn(out.dropped, item.type) ? out.dropped[item.type]! : 0) + 1,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  });
  return out;
}

/** The records of one event posted whole to `/api/<project>/store/`. */
export function decodeStoreEvent(body: Buffer, opts: DecodeSentryOptions): SentryRecords {
  if (body.length === 0) throw new EnvelopeError('the event is empty');
  const event = json(body, 'the event');
  const out = empty();
  addEvent(out, event, event.type === 'transaction', opts);
  return out;
}
