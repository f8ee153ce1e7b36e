// Token masking for patterns@3: turns one whitespace-separated token of a log body into its
// masked form, with the parts that are plainly values (numbers, hex, ids with numeric
// segments, IPs, paths, URLs, booleans) replaced by `<*>`, and says what type each was.
//
// The rules are general conventions about what a value looks like in any log, not rules for
// one system: a part is a value when it starts with a digit (`42`, `5.8`, `16K`, `-27`,
// `10.0.0.1`), is long hex (`0x1f`, `9f4ef63`), is an identifier with a numeric segment
// (`blk_-4737`, `rdd_30_1`, `attempt_1445_0020_m_0`, `host-41`), is a dotted name whose
// segment is numeric (`core.9136` → `core.<*>`), has more digits than letters (`Z1234`,
// `G1236`: a code, not a name), a version (`v2.0`), an absolute path, the rest of a URL after
// `scheme://`, or a boolean. Identifiers that merely contain a digit
// (`jk2_init`, `tty2`, `HttpServer2`, `PSR0`, `L3`) are names, and stay.
//
// Speed matters (this runs on every ingested log line), so the hot path is a character scan
// with no regular expressions; tokens without a digit, `/` or a boolean cost one pass.
import type { SlotType } from './types.js';

export const WILDCARD = '<*>';

const C_0 = 48;
const C_9 = 57;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

function isHexLetter(c: number): boolean {
  return (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Characters that separate the parts of a token: `key=value`, `(x)`, `host:port`, `a,b`, `x@y`. */
function isDelimiter(c: number): boolean {
  switch (c) {
    case 44: // ,
    case 59: // ;
    case 58: // :
    case 61: // =
    case 124: // |
    case 34: // "
    case 39: // '
    case 40: // (
    case 41: // )
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 60: // <
    case 62: // >
    case 64: // @
    case 47: // /
    case 35: // #
      return true;
    default:
      return false;
  }
}

/** Does the token need the slow path at all? (a digit, a slash, a boolean or null, a calendar word) */
function mayHoldValue(tok: string): boolean {
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if (isDigit(c) || c === 47) return true;
  }
  if (mayBeCalendar(tok)) return true;
  return VALUE_WORD.test(tok);
}

const VALUE_WORD = /true|false|null/i;

function mayBeCalendar(tok: string): boolean {
  const n = tok.length;
  if (n < 3 || n > 10) return false;
  switch (tok.charCodeAt(0)) {
    case 77: // M
    case 87: // W
    case 83: // S
    case 74: // J
    case 65: // A
    case 79: // O
    case 78: // N
    case 68: // D
      return true;
  }
  return false;
}

/** Day and month names, lower case. */
export const CALENDAR_WORDS: ReadonlySet<string> = new Set(
  'mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december'.split(
    ' ',
  ),
);

/** `true`, `false` and `null`. */
function isBoolean(part: string): boolean {
  const n = part.length;
  if (n !== 4 && n !== 5) return false;
  // true, false and null are values wherever they appear.
  const l = part.toLowerCase();
  return l === 'true' || l === 'false' || l === 'null';
}

/** Day and month names (`Sat`, `Jul`) in a timestamp written out in words. */
function isCalendarWord(part: string): boolean {
  const n = part.length;
  if (n < 3 || n > 9) return false;
  const c = part.charCodeAt(0);
  if (c < 65 || c > 90) return false;
  return CALENDAR_WORDS.has(part.toLowerCase());
}

/** Classify a part that starts with a digit or a sign: int, float, ip, time, size, duration, hex. */
function numericType(part: string): SlotType {
  let dots = 0;
  let colons = 0;
  let letters = 0;
  let hexLetters = 0;
  let dashes = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 46) dots++;
    else if (c === 58) colons++;
    else if (c === 45) dashes++;
    else if (isLetter(c)) {
      letters++;
      if (isHexLetter(c)) hexLetters++;
    }
  }
  if (letters === 0) {
    if (dots === 3 && colons === 0) return 'ip';
    if (colons > 0) return 'time';
    if (dots === 1) return 'float';
    if (dots > 1) return 'mixed';
    if (dashes >= 2) return 'time';
    return 'int';
  }
  if (part.length >= 36 && dashes === 4) return 'uuid';
  if ((part.startsWith('0x') || part.startsWith('0X')) && letters - hexLetters <= 1) return 'hex';
  if (letters === hexLetters && part.length >= 6) return 'hex';
  const last = part.charCodeAt(part.length - 1);
  if (letters <= 3 && isLetter(last)) {
    const unit = part.replace(/^[-+]?[0-9.]+/, '').toLowerCase();
    if (/^(ns|us|µs|ms|s|m|h|d|min|sec|secs)$/.test(unit)) return 'duration';
    if (/^(b|k|m|g|t|kb|mb|gb|tb|kib|mib|gib|tib|bytes)$/.test(unit)) return 'size';
  }
  return 'mixed';
}

/** Is `part` (no delimiters in it) a value, and of what type? null when it is a name. */
export function valueType(part: string): SlotType | null {
  const n = part.length;
  if (n === 0) return null;
  const c0 = part.charCodeAt(0);
  if (isDigit(c0)) return numericType(part);
  if ((c0 === 45 || c0 === 43) && n > 1 && (isDigit(part.charCodeAt(1)) || part.charCodeAt(1) === 46)) {
    return numericType(part);
  }
  if (isBoolean(part)) return 'word';
  if (isCalendarWord(part)) return 'time';
  let digits = 0;
  let letters = 0;
  let hex = true;
  for (let i = 0; i < n; i++) {
    const c = part.charCodeAt(i);
    if (isDigit(c)) digits++;
    else {
      if (isLetter(c)) letters++;
      if (!isHexLetter(c)) hex = false;
    }
  }
  if (digits === 0) return null;
  if (hex && n >= 6) return 'hex';
  // More digits than letters: a code or a number with a letter (`Z1234`, `G1236`), not a name.
  if (digits > letters) return 'mixed';
  // A version: v2.0, V1.2.3
  if ((c0 === 118 || c0 === 86) && n > 2 && isDigit(part.charCodeAt(1)) && part.includes('.')) return 'mixed';
  // An identifier with a numeric segment: blk_-123, rdd_30_1, host-41, attempt_1_2_m_3.
  let segStart = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? part.charCodeAt(i) : 95;
    if (c === 95 || c === 45 || c === 35) {
      if (i > segStart) {
        let numeric = true;
        for (let j = segStart; j < i; j++) {
          if (!isDigit(part.charCodeAt(j))) {
            numeric = false;
            break;
          }
        }
        if (numeric) return 'mixed';
      }
      segStart = i + 1;
    }
  }
  return null;
}

/** Mask a dotted name segment by segment: `core.9136` → `core.<*>`; null when nothing changes. */
function maskDotted(part: string, types: SlotType[]): string | null {
  const segs = part.split('.');
  let changed = false;
  for (let i = 0; i < segs.length; i++) {
    const t = valueType(segs[i] as string);
    if (t !== null) {
      segs[i] = WILDCARD;
      types.push(t);
      changed = true;
    }
  }
  return changed ? segs.join('.') : null;
}

/** Mask one delimiter-free part of a token. */
function maskPart(part: string, types: SlotType[]): string {
  // A full stop ending a sentence is not part of the value before it: `port 8030.`
  if (part.length > 1 && part.charCodeAt(part.length - 1) === 46) {
    const head = part.slice(0, -1);
    const ht = valueType(head);
    if (ht !== null && isDigit(head.charCodeAt(head.length - 1))) {
      types.push(ht);
      return `${WILDCARD}.`;
    }
  }
  const t = valueType(part);
  if (t !== null) {
    // A dotted name (letters before the first dot) masks per segment; numbers and IPs as a whole.
    if (t === 'mixed' && part.includes('.') && isLetter(part.charCodeAt(0)) && !/^[vV]\d/.test(part)) {
      const dotted = maskDotted(part, types);
      if (dotted !== null) return dotted;
    }
    types.push(t);
    return WILDCARD;
  }
  if (part.includes('.')) {
    const dotted = maskDotted(part, types);
    if (dotted !== null) return dotted;
  }
  return part;
}

/** The URL in a token: where its scheme starts and where `://` is; null when there is none. */
function findUrl(tok: string): { start: number; sep: number } | null {
  const sep = tok.indexOf('://');
  if (sep <= 0) return null;
  let start = sep;
  while (start > 0) {
    const c = tok.charCodeAt(start - 1);
    if (!(isLetter(c) || isDigit(c) || c === 43 || c === 45 || c === 46)) break;
    start--;
  }
  if (start === sep || !isLetter(tok.charCodeAt(start))) return null;
  return { start, sep };
}

/** Where a URL ends: at whitespace (already split) or a closing bracket or quote. */
function urlEnd(tok: string, from: number): number {
  let j = from;
  while (j < tok.length) {
    const c = tok.charCodeAt(j);
    if (c === 93 || c === 41 || c === 125 || c === 34 || c === 39 || c === 62 || c === 44) break;
    j++;
  }
  return j;
}

function isPathStart(tok: string, i: number): boolean {
  // `/x`, `~/x`, `./x` at a part boundary, with something after the slash that is not a delimiter.
  const c = tok.charCodeAt(i);
  if (c !== 47) return false;
  const next = tok.charCodeAt(i + 1);
  return i + 1 < tok.length && !isDelimiter(next) && next !== 32;
}

/** End of a path starting at i: runs to the next delimiter other than `/` (and a trailing `.`). */
function pathEnd(tok: string, i: number): number {
  let j = i;
  while (j < tok.length) {
    const c = tok.charCodeAt(j);
    if (c !== 47 && isDelimiter(c)) break;
    j++;
  }
  // A sentence full stop after a path is not part of it.
  if (j > i + 1 && tok.charCodeAt(j - 1) === 46) j--;
  return j;
}

/** Mask a whitespace-free token; the types of the `<*>` it introduced are appended to `types`. */
export function maskToken(tok: string, types: SlotType[]): string {
  if (!mayHoldValue(tok)) return tok;
  // scheme://host:port masks host and port; scheme://anything/else is one value after `://`.
  const url = findUrl(tok);
  if (url !== null) {
    const end = urlEnd(tok, url.sep + 3);
    const rest = tok.slice(url.sep + 3, end);
    const before = url.start > 0 ? maskToken(tok.slice(0, url.start), types) : '';
    let masked: string;
    if (/^[\w.-]+(:\d+)?$/.test(rest)) masked = maskToken(rest, types);
    else {
      types.push('url');
      masked = WILDCARD;
    }
    const after = end < tok.length ? maskToken(tok.slice(end), types) : '';
    return `${before}${tok.slice(url.start, url.sep + 3)}${masked}${after}`;
  }
  const first = types.length;
  let out = '';
  let i = 0;
  const n = tok.length;
  while (i < n) {
    const c = tok.charCodeAt(i);
    if (c === 47 && (i === 0 || isDelimiter(tok.charCodeAt(i - 1))) && isPathStart(tok, i)) {
      const end = pathEnd(tok, i);
      const body = tok.slice(i + 1, end);
      // A slash before a single value (`/10.0.0.1`) is a prefix of that value; a path
      // (`/a/b`, or `/default-rack` at the start of a token) is one value.
      const vt = valueType(body);
      if (vt !== null || body.includes('/') || i === 0) {
        types.push(vt ?? 'path');
        out += WILDCARD;
        i = end;
        continue;
      }
    }
    if (isDelimiter(c)) {
      out += tok[i];
      i++;
      continue;
    }
    let j = i;
    while (j < n && !isDelimiter(tok.charCodeAt(j))) j++;
    out += maskPart(tok.slice(i, j), types);
    i = j;
  }
  if (types.length - first > 1) out = collapse(out, types, first);
  return out;
}

/** `<*><*>` and `<*>.<*>` are one value: `1.2.3` after per-part masking, `<*>-<*>` stays two. */
function collapse(text: string, types: SlotType[], first: number): string {
  let s = text;
  for (;;) {
    const i = s.indexOf('<*><*>');
    const j = s.indexOf('<*>.<*>');
    if (i < 0 && j < 0) break;
    const at = i < 0 ? j : j < 0 ? i : Math.min(i, j);
    const len = at === i ? 6 : 7;
    // Which slot is it? Count wildcards before `at`.
    let k = 0;
    for (let p = s.indexOf(WILDCARD); p >= 0 && p < at; p = s.indexOf(WILDCARD, p + 3)) k++;
    types.splice(first + k, 2, 'mixed');
    s = `${s.slice(0, at)}${WILDCARD}${s.slice(at + len)}`;
  }
  return s;
}
