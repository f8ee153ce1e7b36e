// Low-level helpers over protobufjs' Reader for the OTLP v1 messages shared by all three
// signals (AnyValue, KeyValue, Resource, InstrumentationScope). Field numbers are the
// ones in opentelemetry-proto; unknown fields are skipped, as the protobuf rules ask.
import protobuf from 'protobufjs/minimal.js';
import type { AttributeValue, Attributes, Scope } from '../../../model/index.js';

export type Reader = protobuf.Reader;

export function createReader(buf: Uint8Array): Reader {
  return protobuf.Reader.create(buf);
}

/** Reads a length prefix and returns the end offset of the embedded message. */
export function messageEnd(r: Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`length ${len} at offset ${r.pos} runs past the end of the body`);
  return end;
}

/** fixed64 nanoseconds as a double; exact below 2^53, within ~256 ns for today's epochs. */
export function readFixed64(r: Reader): number {
  const lo = r.fixed32();
  const hi = r.fixed32();
  return hi * 4294967296 + lo;
}

/** fixed64 read as its two halves, for exact differences of two timestamps. */
export function readFixed64Parts(r: Reader, out: [number, number]): void {
  out[0] = r.fixed32();
  out[1] = r.fixed32();
}

/** sfixed64 (NumberDataPoint.as_int) as a double. */
export function readSfixed64(r: Reader): number {
  const lo = r.fixed32();
  const hi = r.sfixed32();
  return hi * 4294967296 + lo;
}

export function readInt64(r: Reader): number {
  const v = r.int64() as unknown;
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

export function readUint64(r: Reader): number {
  const v = r.uint64() as unknown;
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

/** A bytes field as lowercase hex without copying it first; empty or all-zero ids are null. */
export function readHexId(r: Reader): string | null {
  const end = messageEnd(r);
  const start = r.pos;
  r.pos = end;
  if (end === start) return null;
  const buf = r.buf as Buffer;
  let zero = true;
  for (let i = start; i < end; i++) {
    if (buf[i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return null;
  return Buffer.prototype.toString.call(buf, 'hex', start, end);
}

export function readBase64(r: Reader): string {
  const end = messageEnd(r);
  const start = r.pos;
  r.pos = end;
  return Buffer.prototype.toString.call(r.buf as Buffer, 'base64', start, end);
}

const MAX_DEPTH = 32;

export function readAnyValue(r: Reader, end: number, depth = 0): AttributeValue {
  if (depth > MAX_DEPTH) throw new RangeError(`AnyValue nested deeper than ${MAX_DEPTH} levels`);
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt === 2) value = r.string();
        else r.skipType(wt);
        break;
      case 2:
        if (wt === 0) value = r.bool();
        else r.skipType(wt);
        break;
      case 3:
        if (wt === 0) value = readInt64(r);
        else r.skipType(wt);
        break;
      case 4:
        if (wt === 1) value = r.double();
        else r.skipType(wt);
        break;
      case 5:
        if (wt === 2) value = readArrayValue(r, messageEnd(r), depth + 1);
        else r.skipType(wt);
        break;
      case 6:
        if (wt === 2) {
          const obj: Attributes = {};
          readKeyValueList(r, messageEnd(r), obj, depth + 1);
          value = obj;
        } else r.skipType(wt);
        break;
      case 7:
        if (wt === 2) value = readBase64(r);
        else r.skipType(wt);
        break;
      default:
        r.skipType(wt);
    }
  }
  r.pos = end;
  return value;
}

function readArrayValue(r: Reader, end: number, depth: number): AttributeValue[] {
  const out: AttributeValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) out.push(readAnyValue(r, messageEnd(r), depth));
    else r.skipType(tag & 7);
  }
  return out;
}

/** KeyValueList { repeated KeyValue values = 1; } into an object. */
function readKeyValueList(r: Reader, end: number, into: Attributes, depth: number): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) readKeyValue(r, messageEnd(r), into, depth);
    else r.skipType(tag & 7);
  }
}

/** One KeyValue { key = 1; value = 2; } added to `into`. */
export function readKeyValue(r: Reader, end: number, into: Attributes, depth = 0): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    const field = tag >>> 3;
    if (field === 1 && wt === 2) key = r.string();
    else if (field === 2 && wt === 2) value = readAnyValue(r, messageEnd(r), depth);
    else r.skipType(wt);
  }
  into[key] = value;
}

/** Resource { repeated KeyValue attributes = 1; } */
export function readResource(r: Reader, end: number): Attributes {
  const attrs: Attributes = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) readKeyValue(r, messageEnd(r), attrs);
    else r.skipType(tag & 7);
  }
  return attrs;
}

/** InstrumentationScope { name = 1; version = 2; repeated KeyValue attributes = 3; } */
export function readScope(r: Reader, end: number): Scope {
  const scope: Scope = { name: '', version: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    const wt = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wt === 2) scope.name = r.string();
        else r.skipType(wt);
        break;
      case 2:
        if (wt === 2) scope.version = r.string();
        else r.skipType(wt);
        break;
      case 3:
        if (wt === 2) readKeyValue(r, messageEnd(r), scope.attributes);
        else r.skipType(wt);
        break;
      default:
        r.skipType(wt);
    }
  }
  return scope;
}

export const EMPTY_SCOPE: Scope = Object.freeze({ name: '', version: '', attributes: Object.freeze({}) }) as Scope;
