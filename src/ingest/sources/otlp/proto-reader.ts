// A minimal protobuf wire-format reader over one request body, plus the OTLP v1 messages
// shared by all three signals (AnyValue, KeyValue, Resource, InstrumentationScope).
// Field numbers are the ones in opentelemetry-proto; unknown fields are skipped, as the
// protobuf rules ask, and truncated or malformed input throws a RangeError.
import type { AttributeValue, Attributes, Scope } from '../../../model/index.js';
import { storableText } from '../../transforms/index.js';

const TWO_32 = 4294967296;

/** Node's UTF-8 decoder (invalid sequences become U+FFFD); the fallback is the same decoder. */
const utf8Slice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as { utf8Slice?: (start: number, end: number) => string }).utf8Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('utf8', start, end);
  };
const hexSlice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as { hexSlice?: (start: number, end: number) => string }).hexSlice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('hex', start, end);
  };

// Attribute keys repeat in every record, so short ASCII keys are interned: a hit costs a
// hash and a compare instead of a new string. Slots are overwritten on collision.
const INTERN_SLOTS = 4096;
const INTERN_MAX_LEN = 40;
const interned: Array<string | undefined> = new Array(INTERN_SLOTS).fill(undefined);

/** Groups (wire types 3/4, deprecated) may nest; deeper than this is treated as hostile. */
const MAX_GROUP_DEPTH = 32;

export class Reader {
  readonly buf: Buffer;
  readonly len: number;
  pos = 0;
  /** High 32 bits of the last 64-bit varint read by varint64(); the low half is returned. */
  private hi = 0;
  private readonly view: DataView;

  constructor(buf: Uint8Array) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** A field tag (or any varint) as an unsigned 32-bit number; longer varints keep their low 32 bits. */
  uint32(): number {
    const pos = this.pos;
    if (pos < this.len) {
      const b = this.buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.varint64() >>> 0;
  }

  /** A tag; field number 0 is illegal in protobuf and marks garbage. */
  tag(): number {
    const t = this.uint32();
    if (t < 8) throw new RangeError(`invalid field number 0 at offset ${this.pos}`);
    return t;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  sint32(): number {
    const v = this.uint32();
    return ((v >>> 1) ^ -(v & 1)) | 0;
  }

  bool(): boolean {
    const lo = this.varint64();
    return lo !== 0 || this.hi !== 0;
  }

  /** int64 as a double (two's complement, like Long#toNumber); exact below 2^53. */
  int64(): number {
    const lo = this.varint64();
    return (this.hi | 0) * TWO_32 + lo;
  }

  /** uint64 as a double; exact below 2^53. */
  uint64(): number {
    const lo = this.varint64();
    return this.hi * TWO_32 + lo;
  }

  fixed32(): number {
    const p = this.need(4);
    const b = this.buf;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  sfixed32(): number {
    return this.fixed32() | 0;
  }

  /** fixed64 as a double: exact below 2^53, within ~256 ns for today's epoch nanoseconds. */
  fixed64(): number {
    const lo = this.fixed32();
    return this.fixed32() * TWO_32 + lo;
  }

  /** sfixed64 as a double. */
  sfixed64(): number {
    const lo = this.fixed32();
    return (this.fixed32() | 0) * TWO_32 + lo;
  }

  double(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  /** Reads a length prefix, checks it against the body and returns the end offset. */
  end(): number {
    const pos = this.pos;
    let len: number;
    if (pos < this.len && this.buf[pos]! < 0x80) {
      len = this.buf[pos]!;
      this.pos = pos + 1;
    } else {
      len = this.varint64();
      if (this.hi !== 0) throw new RangeError(`length at offset ${pos} does not fit in 32 bits`);
    }
    const end = this.pos + len;
    if (end > this.len) throw new RangeError(`length ${len} at offset ${this.pos} runs past the end of the body`);
    return end;
  }

  /** UTF-8 text, storable: decoding never yields a lone surrogate, so only NUL needs a look. */
  string(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    if (start === end) return '';
    const s = utf8Slice.call(this.buf, start, end);
    return s.indexOf('\0') === -1 ? s : storableText(s);
  }

  /** A string that is likely to repeat (attribute keys, names, severities): interned when short ASCII. */
  internedString(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    const n = end - start;
    if (n === 0) return '';
    if (n > INTERN_MAX_LEN) {
      const long = utf8Slice.call(this.buf, start, end);
      return long.indexOf('\0') === -1 ? long : storableText(long);
    }
    const b = this.buf;
    let h = n;
    for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    const slot = (h ^ (h >>> 16)) & (INTERN_SLOTS - 1);
    const hit = interned[slot];
    if (hit !== undefined && hit.length === n && sameAscii(hit, b, start)) return hit;
    const s = utf8Slice.call(b, start, end);
    if (s.indexOf('\0') !== -1) return storableText(s);
    // Only pure ASCII is cached, so that length and char codes map 1:1 onto the bytes.
    if (s.length === n && isAscii(b, start, end)) interned[slot] = s;
    return s;
  }

  /** A bytes field as lowercase hex; empty or all-zero ids are null. */
  hexId(): string | null {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    const b = this.buf;
    for (let i = start; i < end; i++) {
      if (b[i] !== 0) return hexSlice.call(b, start, end);
    }
    return null;
  }

  base64(): string {
    const end = this.end();
    const start = this.pos;
    this.pos = end;
    return this.buf.toString('base64', start, end);
  }

  /** Skips the value of the field whose `tag` was just read; wire types 4, 6 and 7 are invalid here. */
  skip(tag: number, depth = 0): void {
    const wt = tag & 7;
    switch (wt) {
      case 0:
        this.varint64();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.pos = this.end();
        return;
      case 3:
        this.skipGroup(tag >>> 3, depth);
        return;
      case 5:
        this.need(4);
        return;
      default:
        throw new RangeError(`invalid wire type ${wt} at offset ${this.pos}`);
    }
  }

  /** Skips to the END_GROUP tag matching `field`'s START_GROUP. */
  private skipGroup(field: number, depth: number): void {
    if (depth >= MAX_GROUP_DEPTH) throw new RangeError(`groups nested deeper than ${MAX_GROUP_DEPTH} levels`);
    for (;;) {
      const t = this.tag();
      if ((t & 7) !== 4) this.skip(t, depth + 1);
      else if (t >>> 3 === field) return;
      else throw new RangeError(`END_GROUP for field ${t >>> 3} inside group ${field} at offset ${this.pos}`);
    }
  }

  /** Advances past `n` bytes and returns where they start, or throws if the body is shorter. */
  private need(n: number): number {
    const p = this.pos;
    if (p + n > this.len) throw new RangeError(`${n} bytes at offset ${p} run past the end of the body`);
    this.pos = p + n;
    return p;
  }

  /** Reads a varint of up to 10 bytes; returns the low 32 bits (unsigned) and leaves the high ones in `hi`. */
  private varint64(): number {
    const b = this.buf;
    const len = this.len;
    let pos = this.pos;
    let lo = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= len) throw truncatedVarint(pos);
      byte = b[pos++]!;
      lo |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (pos >= len) throw truncatedVarint(pos);
    byte = b[pos++]!;
    lo |= (byte & 0x0f) << 28;
    let hi = (byte & 0x7f) >> 4;
    if (byte >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw new RangeError(`varint longer than 10 bytes at offset ${pos}`);
        if (pos >= len) throw truncatedVarint(pos);
        byte = b[pos++]!;
        hi |= (byte & 0x7f) << shift;
        if (byte < 0x80) break;
      }
    }
    this.pos = pos;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }
}

function truncatedVarint(pos: number): RangeError {
  return new RangeError(`varint at offset ${pos} runs past the end of the body`);
}

function sameAscii(s: string, b: Uint8Array, start: number): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== b[start + i]) return false;
  }
  return true;
}

function isAscii(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (b[i]! >= 0x80) return false;
  }
  return true;
}

export function createReader(buf: Uint8Array): Reader {
  return new Reader(buf);
}

const MAX_DEPTH = 32;

export function readAnyValue(r: Reader, end: number, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new RangeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt === 2) value = r.string();
        else r.skip(tag);
        break;
      case 2:
        if (wt === 0) value = r.bool();
        else r.skip(tag);
        break;
      case 3:
        if (wt === 0) value = r.int64();
        else r.skip(tag);
        break;
      case 4:
        if (wt === 1) value = r.double();
        else r.skip(tag);
        break;
      case 5:
        if (wt === 2) value = readArrayValue(r, r.end(), depth + 1);
        else r.skip(tag);
        break;
      case 6:
        if (wt === 2) {
          const obj: Attributes = {};
          readKeyValueList(r, r.end(), obj, depth + 1);
          value = obj;
        } else r.skip(tag);
        break;
      case 7:
        if (wt === 2) value = r.base64();
        else r.skip(tag);
        break;
      default:
        r.skip(tag);
    }
  }
  checkEnd(r, end);
  return value;
}

/** A sub-message must end exactly where its length said; a field straddling the end is corrupt. */
export function checkEnd(r: Reader, end: number): void {
  if (r.pos !== end) throw new RangeError(`a field runs past its message's end at offset ${end}`);
}

function readArrayValue(r: Reader, end: number, depth: number): AttributeValue[] {
  const out: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) out.push(readAnyValue(r, r.end(), depth));
    else r.skip(tag);
  }
  checkEnd(r, end);
  return out;
}

/** KeyValueList { repeated KeyValue values = 1; } into an object. */
function readKeyValueList(r: Reader, end: number, into: Attributes, depth: number): void {
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) readKeyValue(r, r.end(), into, depth);
    else r.skip(tag);
  }
  checkEnd(r, end);
}

/** One KeyValue { key = 1; value = 2; } added to `into`. */
export function readKeyValue(r: Reader, end: number, into: Attributes, depth = 0): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) key = r.internedString();
    else if (tag === 0x12) value = readAnyValue(r, r.end(), depth);
    else r.skip(tag);
  }
  checkEnd(r, end);
  setAttribute(into, key, value);
}

/** Adds one attribute. A key of "__proto__" would otherwise set the object's prototype
 * and vanish, so it becomes an ordinary own property, as JSON.parse makes it. */
export function setAttribute(into: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

/** Resource { repeated KeyValue attributes = 1; } */
export function readResource(r: Reader, end: number): Attributes {
  const attrs: Attributes = {};
  readKeyValueList(r, end, attrs, 0);
  return attrs;
}

/** InstrumentationScope { name = 1; version = 2; repeated KeyValue attributes = 3; } */
export function readScope(r: Reader, end: number): Scope {
  const scope: Scope = { name: '', version: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 0x0a) scope.name = r.string();
    else if (tag === 0x12) scope.version = r.string();
    else if (tag === 0x1a) readKeyValue(r, r.end(), scope.attributes);
    else r.skip(tag);
  }
  checkEnd(r, end);
  return scope;
}

export const EMPTY_SCOPE: Scope = Object.freeze({ name: '', version: '', attributes: Object.freeze({}) }) as Scope;
