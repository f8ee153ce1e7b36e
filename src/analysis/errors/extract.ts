// Exceptions out of normalized telemetry: OTLP span events named `exception`, log records
// with `exception.*` attributes, and log bodies that are themselves a stack trace (a Java
// logger printing the trace into the message). Nothing is parsed for an ordinary log line:
// a body is only read as a trace when it carries a runtime's frame marker.
import type { AttributeValue, Attributes, LogRecord, Span } from '../../model/index.js';
import { parseStackTrace, runtimeFromHint } from './stack-parse.js';
import type { Runtime } from './types.js';

export interface ExceptionOccurrence {
  type: string | null;
  message: string | null;
  stacktrace: string | null;
  timeUnixNano: number;
  /** From the resource's `telemetry.sdk.language` (else `process.runtime.name`); a hint for
   *  parseStackTrace, 'unknown' when neither names a runtime we parse. */
  runtime: Runtime;
  /** `exception.escaped` of a span event (the exception left the span's scope); null for logs
   *  and when not recorded. */
  escaped: boolean | null;
  source: 'span-event' | 'log-attributes' | 'log-body';
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  traceId: string | null;
  spanId: string | null;
}

/** A string attribute, or null; a list of strings (a trace sent line by line) is joined. */
function text(v: AttributeValue | undefined): string | null {
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v.join('\n');
  return null;
}

function flag(v: AttributeValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}

/** The runtime an OTel resource names. */
export function runtimeOfResource(resource: Attributes): Runtime {
  const byLanguage = runtimeFromHint(text(resource['telemetry.sdk.language']));
  return byLanguage !== 'unknown' ? byLanguage : runtimeFromHint(text(resource['process.runtime.name']));
}

/** Every exception a span recorded, in event order. An event with none of type, message and
 *  stack trace (the spec requires type or message) is skipped. */
export function exceptionsFromSpan(span: Span): ExceptionOccurrence[] {
  const out: ExceptionOccurrence[] = [];
  let runtime: Runtime | undefined;
  for (const ev of span.events) {
    if (ev.name !== 'exception') continue;
    const a = ev.attributes;
    const type = text(a['exception.type']);
    const message = text(a['exception.message']);
    const stacktrace = text(a['exception.stacktrace']);
    if (type === null && message === null && stacktrace === null) continue;
    runtime ??= runtimeOfResource(span.resource);
    out.push({
      type,
      message,
      stacktrace,
      timeUnixNano: ev.timeUnixNano || span.endTimeUnixNano,
      runtime,
      escaped: flag(a['exception.escaped']),
      source: 'span-event',
      service: span.service,
      serviceVersion: span.serviceVersion,
      environment: span.environment,
      traceId: span.traceId || null,
      spanId: span.spanId || null,
    });
  }
  return out;
}

/** Marks a body that may be a stack trace; cheap `includes` checks, no regex. */
function looksLikeTrace(body: string): boolean {
  if (body.length < 40 || !body.includes('\n')) return false;
  return (
    body.includes('\n\tat ') ||
    body.includes('\n    at ') ||
    body.includes('Traceback (most recent call last):') ||
    body.includes('goroutine ') ||
    (body.includes('.go:') && body.includes('\n\t'))
  );
}

/**
 * The exception a log record carries: its `exception.*` attributes, else its body when the
 * body is a stack trace the parser reads frames from (type and message then come from the
 * trace's header). Null for every other log line.
 */
export function exceptionFromLog(log: LogRecord): ExceptionOccurrence | null {
  const a = log.attributes;
  let type = text(a['exception.type']);
  let message = text(a['exception.message']);
  let stacktrace = text(a['exception.stacktrace']);
  let source: ExceptionOccurrence['source'] = 'log-attributes';
  const runtime = runtimeOfResource(log.resource);
  if (type === null && message === null && stacktrace === null) {
    if (!looksLikeTrace(log.body)) return null;
    const parsed = parseStackTrace(log.body, runtime);
    if (parsed.frames.length === 0) return null;
    type = parsed.type;
    message = parsed.message;
    stacktrace = log.body;
    source = 'log-body';
  }
  return {
    type,
    message,
    stacktrace,
    timeUnixNano: log.timeUnixNano || log.observedTimeUnixNano,
    runtime,
    escaped: null,
    source,
    service: log.service,
    serviceVersion: log.serviceVersion,
    environment: log.environment,
    traceId: log.traceId,
    spanId: log.spanId,
  };
}
