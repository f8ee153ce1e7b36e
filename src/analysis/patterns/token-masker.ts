// The hot-path twin of maskToken (mask.ts): masks the whitespace-free tokens of one line, read
// in place by offset from the line's UTF-16 code units (copied once into a typed array, which
// is much faster to scan than the string), into a reusable buffer, with no regular expressions
// and no allocation. It applies exactly maskToken's rules and must give exactly its output (a
// test checks the two agree on real log tokens and on random ones); it does not type the
// slots, so the miner's slow path, which needs the types, still calls maskToken. The rare
// tokens whose rules need the whole token first (a URL, values collapsing into one such as
// `<*>.<*>`) are handed to maskToken itself.
import { CALENDAR_WORDS, maskToken } from './mask.js';
import type { SlotType } from './types.js';

const DIGIT = 1;
const HEX_LETTER = 2;
const LETTER = 4;
const DELIMITER = 8;
const SPACE = 16;
const DOT = 32;
/** Digits and hex letters. */
const HEX = 64;
/** Any other character (of a part), including all from 128 up. */
const OTHER = 128;

/** Character classes of all UTF-16 code units (a full table: one load, no range check). */
const CLASS = new Uint8Array(65536).fill(OTHER);
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT | HEX;
for (let c = 65; c <= 90; c++) CLASS[c] = LETTER | (c <= 70 ? HEX_LETTER | HEX : 0);
for (let c = 97; c <= 122; c++) CLASS[c] = LETTER | (c <= 102 ? HEX_LETTER | HEX : 0);
for (const ch of ',;:=|"\'()[]{}<>@/#') CLASS[ch.charCodeAt(0)] = DELIMITER;
for (const c of [32, 9, 10, 13, 12, 11]) CLASS[c] = SPACE;
CLASS[46] = DOT;

function classOf(c: number): number {
  return CLASS[c] as number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The whitespace the miner splits lines on: space, tab, LF, VT, FF, CR. */
export function isSpace(c: number): boolean {
  return c === 32 || (c <= 13 && c >= 9);
}

function isDelimiter(c: number): boolean {
  return CLASS[c] === DELIMITER;
}

/** Day and month names (mask.ts's CALENDAR_WORDS) by length. */
const CALENDAR_BY_LENGTH: string[][] = [];
for (const w of CALENDAR_WORDS) {
  const list = CALENDAR_BY_LENGTH[w.length];
  if (list === undefined) CALENDAR_BY_LENGTH[w.length] = [w];
  else list.push(w);
}

/**
 * Does src[a, b) equal `word` (lower-case letters) ignoring ASCII case? Folding with `| 32`
 * maps only the upper-case letters onto lower-case ones, and toLowerCase maps nothing else
 * onto the letters of these words, so this is the `toLowerCase() ===` of mask.ts.
 */
function equalsFolded(src: Uint16Array, a: number, b: number, word: string): boolean {
  if (b - a !== word.length) return false;
  for (let i = a; i < b; i++) if (((src[i] as number) | 32) !== word.charCodeAt(i - a)) return false;
  return true;
}

/** Does src[a, b) contain `word` (lower-case letters) ignoring ASCII case (as `/true|false|null/i` does)? */
function containsFolded(src: Uint16Array, a: number, b: number, word: string): boolean {
  const n = word.length;
  const first = word.charCodeAt(0);
  for (let i = a; i + n <= b; i++) {
    if (((src[i] as number) | 32) !== first) continue;
    let k = 1;
    while (k < n && ((src[i + k] as number) | 32) === word.charCodeAt(k)) k++;
    if (k === n) return true;
  }
  return false;
}

/** maskToken's mayHoldValue for a token with no digit and no slash: a calendar-like start or a boolean word in it. */
function mayHoldWord(src: Uint16Array, a: number, b: number): boolean {
  const n = b - a;
  if (n >= 3 && n <= 10) {
    switch (src[a]) {
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
  }
  return containsFolded(src, a, b, 'true') || containsFolded(src, a, b, 'false') || containsFolded(src, a, b, 'null');
}

/** A part with no digit that is a value (isBoolean or isCalendarWord): true, false, null, a day or month name. */
function isWordValue(src: Uint16Array, a: number, b: number): boolean {
  const n = b - a;
  if (n < 3 || n > 9) return false;
  const c0 = src[a] as number;
  if (n === 4 || n === 5) {
    const f = c0 | 32;
    if (
      (f === 116 || f === 102 || f === 110) &&
      (equalsFolded(src, a, b, 'true') || equalsFolded(src, a, b, 'false') || equalsFolded(src, a, b, 'null'))
    ) {
      return true;
    }
  }
  if (c0 < 65 || c0 > 90) return false;
  const words = CALENDAR_BY_LENGTH[n];
  if (words !== undefined) for (const w of words) if (equalsFolded(src, a, b, w)) return true;
  return false;
}

/** valueType(src[a, b)) !== null. */
function isValue(src: Uint16Array, a: number, b: number): boolean {
  const n = b - a;
  if (n === 0) return false;
  const c0 = src[a] as number;
  if (isDigit(c0)) return true;
  if ((c0 === 45 || c0 === 43) && n > 1) {
    const c1 = src[a + 1] as number;
    if (isDigit(c1) || c1 === 46) return true;
  }
  if (isWordValue(src, a, b)) return true;
  let digits = 0;
  let letters = 0;
  let hex = true;
  let dot = false;
  // An identifier with a numeric segment (between `_`, `-`, `#`): blk_-123, rdd_30_1, host-41.
  let numericSegment = false;
  let segLength = 0;
  let segDigits = true;
  for (let i = a; i < b; i++) {
    const c = src[i] as number;
    if (c === 95 || c === 45 || c === 35) {
      if (segLength > 0 && segDigits) numericSegment = true;
      segLength = 0;
      segDigits = true;
      hex = false;
      continue;
    }
    segLength++;
    if (isDigit(c)) digits++;
    else {
      segDigits = false;
      if (c === 46) dot = true;
      if ((classOf(c) & LETTER) !== 0) letters++;
      if ((classOf(c) & HEX_LETTER) === 0) hex = false;
    }
  }
  if (segLength > 0 && segDigits) numericSegment = true;
  if (digits === 0) return false;
  if (hex && n >= 6) return true;
  // More digits than letters: a code or a number with a letter (`Z1234`).
  if (digits > letters) return true;
  // A version: v2.0, V1.2.3
  if ((c0 === 118 || c0 === 86) && n > 2 && isDigit(src[a + 1] as number) && dot) return true;
  return numericSegment;
}

function contains(src: Uint16Array, a: number, b: number, c: number): boolean {
  for (let i = a; i < b; i++) if (src[i] === c) return true;
  return false;
}

/**
 * For a part with no digit: could one of its dot segments be a value (maskDotted)? Only a
 * boolean or a calendar word could, so: a segment with the length and first letter of one.
 */
function dotSegmentsValueLike(src: Uint16Array, a: number, b: number): boolean {
  let s = a;
  for (let i = a; i <= b; i++) {
    if (i < b && src[i] !== 46) continue;
    const n = i - s;
    if (n >= 3 && n <= 9) {
      const c0 = src[s] as number;
      if (c0 >= 65 && c0 <= 90) return true;
      const f = c0 | 32;
      if ((n === 4 || n === 5) && (f === 116 || f === 102 || f === 110)) return true;
    }
    s = i + 1;
  }
  return false;
}

/** maskToken's findUrl, given the token's first `://` at src[sep]: is there a scheme starting with a letter before it? */
function isUrlScheme(src: Uint16Array, start: number, sep: number): boolean {
  let s = sep;
  while (s > start) {
    const c = src[s - 1] as number;
    if (!((classOf(c) & (LETTER | DIGIT)) !== 0 || c === 43 || c === 45 || c === 46)) break;
    s--;
  }
  return s !== sep && (classOf(src[s] as number) & LETTER) !== 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Two code units as one 32-bit number, as a Uint32Array over them reads them: compares go two units at a time. */
export function pair(first: number, second: number): number {
  return (LITTLE_ENDIAN ? first | (second << 16) : (first << 16) | second) >>> 0;
}

/** The two code units of a pair(), in order. */
export function unpair(w: number): [number, number] {
  return LITTLE_ENDIAN ? [w & 0xffff, w >>> 16] : [w >>> 16, w & 0xffff];
}

/** Node's Buffer, when there is one: its UTF-16 write copies a string into code units natively. */
const NodeBuffer = LITTLE_ENDIAN ? (globalThis as { Buffer?: typeof Buffer }).Buffer : undefined;

/**
 * Holds one line as code units (`src[0, limit)`) and masks its tokens into `out[0, length)`:
 * load a line, set `length` to 0 to start an output, then call token() at each token start.
 */
export class TokenMasker {
  /**
   * The loaded line twice over, in one buffer: at 0 (`src`) and again one unit after `size`
   * (the units of `oddPairs`), so that any two of its units can be read as one number.
   */
  private units = new Uint16Array(2048);
  private size = 1024;
  /** The loaded line's first `limit` UTF-16 code units, and a space after them. */
  src = this.units.subarray(0, this.size);
  /**
   * The line two code units at a time, from an even and from an odd unit: src[i, i + 2) is
   * pair-wise evenPairs[i / 2] for an even i, oddPairs[(i + 1) / 2] for an odd one.
   */
  evenPairs = new Uint32Array(this.units.buffer, 0, this.size / 2);
  oddPairs = new Uint32Array(this.units.buffer, 2 * this.size, this.size / 2);
  limit = 0;
  out = new Uint16Array(1024);
  /** `out` two code units at a time: out[2j, 2j + 2) is outPairs[j]. */
  outPairs = new Uint32Array(this.out.buffer);
  length = 0;
  private line = '';
  private bytes = NodeBuffer ? NodeBuffer.from(this.units.buffer) : null;
  /** Wildcards written by part(), dotted() and path() (maskToken's collapse needs the count). */
  private wilds = 0;
  private readonly types: SlotType[] = [];

  /** Read line[0, limit) into `src`. */
  load(line: string, limit: number): void {
    if (limit + 2 > this.size) {
      // An even size keeps oddPairs aligned.
      this.size = 2 * Math.ceil(Math.max(limit + 2, this.size * 2) / 2);
      this.units = new Uint16Array(2 * this.size);
      this.src = this.units.subarray(0, this.size);
      this.evenPairs = new Uint32Array(this.units.buffer, 0, this.size / 2);
      this.oddPairs = new Uint32Array(this.units.buffer, 2 * this.size, this.size / 2);
      this.bytes = NodeBuffer ? NodeBuffer.from(this.units.buffer) : null;
    }
    const src = this.src;
    if (this.bytes !== null) this.bytes.write(line, 0, 2 * limit, 'utf16le');
    else for (let i = 0; i < limit; i++) src[i] = line.charCodeAt(i);
    this.units.copyWithin(this.size + 1, 0, limit);
    src[limit] = 32;
    this.line = line;
    this.limit = limit;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.out.length) return;
    const grown = new Uint16Array(2 * Math.ceil(Math.max(this.out.length * 2, this.length + extra) / 2));
    grown.set(this.out.subarray(0, this.length));
    this.out = grown;
    this.outPairs = new Uint32Array(grown.buffer);
  }

  private copy(a: number, b: number): void {
    const out = this.out;
    const src = this.src;
    let o = this.length;
    for (let i = a; i < b; i++) out[o++] = src[i] as number;
    this.length = o;
  }

  private wild(): void {
    const out = this.out;
    const o = this.length;
    out[o] = 60;
    out[o + 1] = 42;
    out[o + 2] = 62;
    this.length = o + 3;
    this.wilds++;
  }

  /** Append one character (the punctuation after a size unit). */
  push(c: number): void {
    this.reserve(1);
    this.out[this.length++] = c;
  }

  /** Append a string (maskToken's answer for the tokens handed to it). */
  private text(s: string): void {
    this.reserve(s.length);
    const out = this.out;
    let o = this.length;
    for (let i = 0; i < s.length; i++) out[o++] = s.charCodeAt(i);
    this.length = o;
  }

  /** Does the output end with `<*>`? */
  endsWithWildcard(): boolean {
    const o = this.length;
    const out = this.out;
    return o >= 3 && out[o - 1] === 62 && out[o - 2] === 42 && out[o - 3] === 60;
  }

  /**
   * Split the loaded line into its tokens (as the miner's tokenize does) and mask each: the
   * raw tokens go to `raw`, their masked forms to `masked` (the same string when unchanged).
   */
  split(raw: string[], masked: string[]): void {
    const src = this.src;
    const limit = this.limit;
    let p = 0;
    for (;;) {
      while (p < limit && isSpace(src[p] as number)) p++;
      if (p >= limit) return;
      this.length = 0;
      const end = this.token(p);
      const tok = this.line.slice(p, end);
      raw.push(tok);
      let same = this.length === end - p;
      for (let i = 0; same && i < this.length; i++) same = this.out[i] === src[p + i];
      masked.push(same ? tok : this.string());
      p = end;
    }
  }

  /** The output as a string. */
  string(): string {
    let s = '';
    for (let i = 0; i < this.length; i += 8192) {
      s += String.fromCharCode.apply(
        null,
        this.out.subarray(i, Math.min(this.length, i + 8192)) as unknown as number[],
      );
    }
    return s;
  }

  /**
   * Append the masked form of the loaded line's token starting at `start`, and return where
   * the token ends (at whitespace or at the limit). Same output as maskToken(the token).
   *
   * Each part (a run between delimiters) is scanned once, collecting which character classes
   * it holds; from those and its first characters most parts are known to be a value (`<*>`)
   * or not (copied). The rest (dots, `_`/`-` segments, a trailing full stop, value words) go
   * through part(), which applies maskPart's rules as they are written; paths through path().
   */
  token(start: number): number {
    const src = this.src;
    const limit = this.limit;
    this.reserve(3 * (limit - start) + 4);
    const out = this.out;
    const from = this.length;
    let o = from;
    let wilds = 0;
    let interesting = false;
    let urlChecked = false;
    let i = start;
    // src[limit] is a space, so every token ends.
    let c = src[i] as number;
    let k = CLASS[c] as number;
    for (;;) {
      if ((k & (DELIMITER | SPACE)) === 0) {
        // A part: scan it, then decide.
        const a = i;
        let any = 0;
        let all = -1;
        do {
          any |= k;
          all &= k;
          c = src[++i] as number;
          k = CLASS[c] as number;
        } while ((k & (DELIMITER | SPACE)) === 0);
        const n = i - a;
        const c0 = src[a] as number;
        let value = false;
        let exact = false;
        if ((any & DIGIT) !== 0) {
          interesting = true;
          if ((any & DOT) !== 0) exact = true;
          else value = isDigit(c0) || ((all & HEX) !== 0 && n >= 6) || isValue(src, a, i);
        } else if ((any & DOT) !== 0 || ((c0 === 45 || c0 === 43) && n > 1)) {
          // No digit: a dotted name is left alone unless a segment could be a value word.
          exact = c0 === 45 || c0 === 43 || src[i - 1] === 46 || dotSegmentsValueLike(src, a, i);
        } else if (n >= 3 && n <= 9) {
          // A boolean or a calendar word (isWordValue, whose first checks are inlined here)?
          const f = c0 | 32;
          exact =
            ((c0 >= 65 && c0 <= 90) || ((n === 4 || n === 5) && (f === 116 || f === 102 || f === 110))) &&
            isWordValue(src, a, i);
        }
        if (exact) {
          this.length = o;
          this.wilds = 0;
          this.part(a, i);
          o = this.length;
          wilds += this.wilds;
        } else if (value) {
          out[o] = 60;
          out[o + 1] = 42;
          out[o + 2] = 62;
          o += 3;
          wilds++;
        } else for (let j = a; j < i; j++) out[o++] = src[j] as number;
        continue;
      }
      if ((k & SPACE) !== 0) break;
      // A delimiter: where a path or a URL may start, else itself.
      if (c === 47) {
        interesting = true;
        if ((i === start || isDelimiter(src[i - 1] as number)) && i + 1 < limit) {
          const next = src[i + 1] as number;
          if (!isDelimiter(next) && !isSpace(next)) {
            this.length = o;
            const j = this.path(i, i === start);
            if (j > i) {
              o = this.length;
              wilds++;
              i = j;
              c = src[i] as number;
              k = CLASS[c] as number;
              continue;
            }
          }
        }
      } else if (c === 58 && !urlChecked && i + 3 <= limit && src[i + 1] === 47 && src[i + 2] === 47) {
        // The token's first `://` decides whether it holds a URL.
        urlChecked = true;
        if (i > start && isUrlScheme(src, start, i)) return this.whole(start, from);
      }
      out[o++] = c;
      c = src[++i] as number;
      k = CLASS[c] as number;
    }
    this.length = o;
    if (wilds > 0) {
      // maskToken leaves a token with no digit, no slash and no value word as it is.
      if (!interesting && !mayHoldWord(src, start, i)) {
        this.length = from;
        this.copy(start, i);
      } else if (wilds > 1 && this.collapses(from)) return this.whole(start, from);
    }
    return i;
  }

  /** Hand the token at `start` to maskToken: its answer replaces out[from, ..). */
  private whole(start: number, from: number): number {
    let end = start;
    while (end < this.limit && !isSpace(this.src[end] as number)) end++;
    this.length = from;
    this.text(maskToken(this.line.slice(start, end), this.types));
    this.types.length = 0;
    return end;
  }

  /**
   * A path at src[i] (a slash at a part boundary, a part after it) runs to the next delimiter
   * other than `/`, less a sentence full stop. When it is one value, write `<*>` and return
   * its end; else return i.
   */
  private path(i: number, atStart: boolean): number {
    const src = this.src;
    let j = i;
    for (;;) {
      const d = src[j] as number;
      if (d !== 47 && ((CLASS[d] as number) & (DELIMITER | SPACE)) !== 0) break;
      j++;
    }
    if (j > i + 1 && src[j - 1] === 46) j--;
    // A slash before a single value (`/10.0.0.1`) is a prefix of that value; a path (`/a/b`,
    // or `/default-rack` at the start of a token) is one value.
    if (atStart || isValue(src, i + 1, j) || contains(src, i + 1, j, 47)) {
      this.wild();
      return j;
    }
    return i;
  }

  /** Would maskToken's collapse change out[from, length): is there a `<*><*>` or `<*>.<*>` in it? */
  private collapses(from: number): boolean {
    const out = this.out;
    for (let i = from; i + 6 <= this.length; i++) {
      if (out[i] !== 60 || out[i + 1] !== 42 || out[i + 2] !== 62) continue;
      const j = out[i + 3] === 46 ? i + 4 : i + 3;
      if (j + 3 <= this.length && out[j] === 60 && out[j + 1] === 42 && out[j + 2] === 62) return true;
    }
    return false;
  }

  /** maskPart: one delimiter-free part, src[a, b). */
  private part(a: number, b: number): void {
    const src = this.src;
    const n = b - a;
    if (n > 1 && src[b - 1] === 46 && isDigit(src[b - 2] as number) && isValue(src, a, b - 1)) {
      // A full stop ending a sentence is not part of the value before it: `port 8030.`
      this.wild();
      this.push(46);
      return;
    }
    const c0 = src[a] as number;
    if (isValue(src, a, b)) {
      const version = (c0 === 118 || c0 === 86) && n > 1 && isDigit(src[a + 1] as number);
      if ((classOf(c0) & LETTER) !== 0 && !version && contains(src, a, b, 46) && this.dotted(a, b)) return;
      this.wild();
      return;
    }
    if (contains(src, a, b, 46) && this.dotted(a, b)) return;
    this.copy(a, b);
  }

  /** maskDotted: mask src[a, b) segment by segment; false, with nothing written, when no segment is a value. */
  private dotted(a: number, b: number): boolean {
    const src = this.src;
    const from = this.length;
    const wilds = this.wilds;
    let changed = false;
    let s = a;
    for (let i = a; i <= b; i++) {
      if (i < b && src[i] !== 46) continue;
      if (isValue(src, s, i)) {
        this.wild();
        changed = true;
      } else this.copy(s, i);
      if (i < b) this.push(46);
      s = i + 1;
    }
    if (!changed) {
      this.length = from;
      this.wilds = wilds;
    }
    return changed;
  }
}
