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

/** JSON that jsonb accepts, for a query parameter. */
export function safeJson(v: unknown): string {
  const s = JSON.stringify(v);
  if (!s.includes('\\u')) return s;
  return s.replace(BAD_JSON_ESCAPE, (_m, lead: string, code: string) => (code === '0000' ? lead : `${lead}\\ufffd`));
}

/** JSON as a COPY text field. */
export function json(v: unknown): string {
  if (v === null || v === undefined) return NULL;
  return text(safeJson(v));
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

/** Epoch nanoseconds as an ISO-8601 timestamp with microseconds. */
export function timestampNs(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const micros = Math.floor((ns % 1e6) / 1e3);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}
