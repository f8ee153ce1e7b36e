// A Sentry error event as one error log record whose `exception.*` attributes carry the
// exception and its stack trace, written out in the runtime's own text format so that error
// grouping (analysis/errors: its parsers, in-app rules and fingerprint) reads it exactly as it
// reads an OTLP exception, and the group's frames reach the code index the same way. Pure.
import type { Attributes, LogRecord } from '../../../model/index.js';
import { type EventBase, type Json, arr, hexId, int, obj, semanticOf, tagAttributes, text } from './fields.js';

interface Frame {
  file: string | null;
  fn: string | null;
  module: string | null;
  line: number | null;
  column: number | null;
}

/** Frames at most, as errors@1 keeps (the innermost ones). */
const MAX_FRAMES = 200;

/** Sentry lists frames outermost first; returned innermost first, as the text formats print them. */
function framesOf(stacktrace: unknown): Frame[] {
  const frames = arr(obj(stacktrace)?.frames);
  const out: Frame[] = [];
  for (let i = frames.length - 1; i >= 0 && out.length < MAX_FRAMES; i--) {
    const f = obj(frames[i]);
    if (!f) continue;
    out.push({
      file: text(f.abs_path) ?? text(f.filename),
      fn: text(f.function),
      module: text(f.module),
      line: int(f.lineno),
      column: int(f.colno),
    });
  }
  return out;
}

function v8(type: string | null, message: string | null, frames: Frame[]): string {
  const lines = [[type ?? 'Error', message].filter(Boolean).join(': ')];
  for (const f of frames) {
    const loc = [f.file ?? '<anonymous>', f.line, f.line !== null ? f.column : null]
      .filter((x) => x !== null)
      .join(':');
    lines.push(f.fn ? `    at ${f.fn} (${loc})` : `    at ${loc}`);
  }
  return lines.join('\n');
}

function python(type: string | null, message: string | null, frames: Frame[]): string {
  const lines = ['Traceback (most recent call last):'];
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    lines.push(`  File "${f.file ?? '<unknown>'}", line ${f.line ?? 0}, in ${f.fn ?? '<module>'}`);
  }
  lines.push(message ? `${type ?? 'Exception'}: ${message}` : (type ?? 'Exception'));
  return lines.join('\n');
}

function java(type: string | null, message: string | null, frames: Frame[]): string {
  const lines = [[type ?? 'java.lang.Throwable', message].filter(Boolean).join(': ')];
  for (const f of frames) {
    const where = f.file ? `${f.file}${f.line !== null ? `:${f.line}` : ''}` : 'Unknown Source';
    lines.push(`\tat ${f.module ? `${f.module}.` : ''}${f.fn ?? '<unknown>'}(${where})`);
  }
  return lines.join('\n');
}

function go(_type: string | null, message: string | null, frames: Frame[]): string {
  const lines = [`panic: ${message ?? 'error'}`, '', 'goroutine 1 [running]:'];
  for (const f of frames) {
    lines.push(`${f.module ? `${f.module}.` : ''}${f.fn ?? 'unknown'}(...)`);
    lines.push(`\t${f.file ?? 'unknown.go'}:${f.line ?? 0}`);
  }
  return lines.join('\n');
}

/** The stack trace as the platform's runtime prints it; V8's format for platforms without a parser of their own. */
export function renderStack(platform: string | null, type: string | null, message: string | null, frames: Frame[]) {
  switch (platform) {
    case 'python':
      return python(type, message, frames);
    case 'java':
      return java(type, message, frames);
    case 'go':
      return go(type, message, frames);
    default:
      return v8(type, message, frames);
  }
}

const SEVERITY: Record<string, [number, string]> = {
  fatal: [21, 'FATAL'],
  error: [17, 'ERROR'],
  warning: [13, 'WARN'],
  info: [9, 'INFO'],
  log: [9, 'INFO'],
  debug: [5, 'DEBUG'],
};

export function severityOf(level: unknown, fallback: string): [number, string] {
  const name = typeof level === 'string' && Object.hasOwn(SEVERITY, level) ? level : fallback;
  return SEVERITY[name]!;
}

/** `message` as a string, or `{formatted|message}`, or `logentry`. */
function messageOf(event: Json): string | null {
  const m = event.message;
  if (typeof m === 'string') return text(m);
  const mo = obj(m) ?? obj(event.logentry);
  return text(mo?.formatted) ?? text(mo?.message);
}

/** The trace context of an event: `contexts.trace`. */
export function traceContext(event: Json): { traceId: string | null; spanId: string | null; ctx: Json | null } {
  const ctx = obj(obj(event.contexts)?.trace);
  return { traceId: hexId(ctx?.trace_id, 32), spanId: hexId(ctx?.span_id, 16), ctx };
}

/**
 * The record of an error (or message) event. The reported exception is the last of
 * `exception.values` (Sentry lists a chain root cause first); a message-only event is a log
 * line with no exception attributes.
 */
export function errorRecord(event: Json, base: EventBase, timeNs: number, receivedNs: number): LogRecord {
  const exc = arr(obj(event.exception)?.values ?? event.exception);
  const last = obj(exc[exc.length - 1]);
  const message = messageOf(event);
  const attributes: Attributes = tagAttributes(base);
  const eventId = text(event.event_id);
  if (eventId !== null) attributes['sentry.event_id'] = eventId;
  const transaction = text(event.transaction);
  if (transaction !== null) attributes['sentry.transaction'] = transaction;
  let body = message ?? '';
  if (last) {
    const type = text(last.type);
    const value = text(last.value);
    const frames = framesOf(last.stacktrace ?? obj(last.raw_stacktrace));
    if (type !== null) attributes['exception.type'] = type;
    if (value !== null) attributes['exception.message'] = value;
    if (frames.length > 0) attributes['exception.stacktrace'] = renderStack(base.platform, type, value, frames);
    const mech = obj(last.mechanism);
    if (mech && mech.handled === false) attributes['exception.escaped'] = true;
    if (body === '') body = [type, value].filter(Boolean).join(': ');
  }
  const [severityNumber, severityText] = severityOf(event.level, 'error');
  const { traceId, spanId } = traceContext(event);
  return {
    ...semanticOf(base),
    timeUnixNano: timeNs,
    observedTimeUnixNano: receivedNs,
    severityNumber,
    severityText,
    body,
    eventName: 'sentry.event',
    traceId,
    spanId,
    flags: 0,
    attributes,
    resource: base.resource,
    scope: base.scope,
  };
}
