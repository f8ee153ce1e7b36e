// Encoders for PostgreSQL's COPY text format. Values are escaped so that no input (tabs,
// newlines, backslashes, NUL bytes, lone surrogates) can break a row or fail the batch.

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;

export const NULL = '\\N';

export function text(s: string | null | undefined): string {
  if (s === null || s === undefined) return NULL;
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s
    .replaceAll('\0', '')
    .replaceAll('\\', '\\\\')
    .replaceAll('\n', '\\n')
    .replaceAll('\r', '\\r')
    .replaceAll('\t', '\\t');
}

// JSON.stringify writes \u escapes only for control characters and lone surrogates.
// jsonb rejects \u0000 and unpaired surrogates, so both are rewritten.
const BAD_JSON_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})/gi;

function fixJsonEscapes(s: string): string {
  if (!s.includes('\\u')) return s;
  return s.replace(BAD_JSON_ESCAPE, (_m, lead: string, code: string) => (code === '0000' ? lead : `${lead}\\ufffd`));
}

/** JSON that jsonb accepts, for a query parameter. */
export function safeJson(v: unknown): string {
  return fixJsonEscapes(JSON.stringify(v));
}

/** JSON as a COPY text field. */
export function json(v: unknown): string {
  if (v === null || v === undefined) return NULL;
  const s = JSON.stringify(v);
  // JSON.stringify escapes every control character, so output without a backslash has
  // nothing for jsonb to reject and nothing for COPY to escape: the common case.
  if (s.indexOf('\\') === -1) return s;
  return text(fixJsonEscapes(s));
}

const INT8_LIMIT = 9.2e18;

/** An integer for an int2/int4/int8 column; values past int8's range are clamped, not fatal. */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NULL;
  return String(Math.trunc(Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, n))));
}

export function float(n: number | null | undefined): string {
  if (n === null || n === undefined) return NULL;
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  return String(n);
}

export function bool(b: boolean): string {
  return b ? 't' : 'f';
}

// Timestamps PostgreSQL and JS Dates can both hold: 1970 to 2262 in nanoseconds.
const MAX_NS = 9.2e18;

/** True when `ns` is a usable epoch-nanosecond timestamp (0 means "unset" in OTLP). */
export function validNs(ns: number): boolean {
  return ns > 0 && ns < MAX_NS;
}

// An ISO timestamp is "<YYYY-MM-DDTHH:MM:SS.>" + 3 digits of ms + 3 digits of µs + "Z".
// The per-second prefix costs a Date and toISOString, so recent seconds are cached in a
// small direct-mapped table (a batch's times are usually within a minute of each other);
// the digits come from lookup tables.
const DIGITS3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DIGITS3Z = DIGITS3.map((d) => `${d}Z`);
const SECOND_SLOTS = 1024;
const slotSecond = new Float64Array(SECOND_SLOTS).fill(Number.NaN);
const slotPrefix: string[] = new Array<string>(SECOND_SLOTS).fill('');

/** "YYYY-MM-DDTHH:MM:SS." for an epoch second, from the cache when it is there. */
function secondPrefix(sec: number): string {
  const slot = sec & (SECOND_SLOTS - 1);
  if (slotSecond[slot] === sec) return slotPrefix[slot]!;
  const prefix = new Date(sec * 1000).toISOString().slice(0, 20);
  slotSecond[slot] = sec;
  slotPrefix[slot] = prefix;
  return prefix;
}

/** Epoch nanoseconds as an ISO-8601 timestamp with microseconds, e.g. 2026-11-22T10:00:00.123456Z. */
export function timestampNs(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const micros = Math.floor((ns % 1e6) / 1e3);
  // Outside 1970..2262 the cache's arithmetic is unchecked (and years may not be 4 digits).
  if (!validNs(ns)) return `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
  const sec = Math.floor(ms / 1000);
  return secondPrefix(sec) + DIGITS3[ms - sec * 1000]! + DIGITS3Z[micros]!;
}
