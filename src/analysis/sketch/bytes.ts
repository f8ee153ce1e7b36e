// Byte helpers shared by the sketches' compact encodings: unsigned LEB128 varints (up to
// 2^53 - 1), zigzag for signed integers, little-endian float64, and a reader that rejects
// truncated or malformed input with a SketchDecodeError instead of reading past the end.

/** Thrown by the sketches' fromBytes on input that is not a sketch they wrote. */
export class SketchDecodeError extends Error {
  override name = 'SketchDecodeError';
}

/** A growable output buffer; `finish()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b & 0xff;
  }

  /** A non-negative safe integer, 7 bits per byte, low groups first. */
  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`varint: ${n} is not a non-negative safe integer`);
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** A signed safe integer, zigzag-mapped (0, -1, 1, -2, … → 0, 1, 2, 3, …) then varint. */
  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  f64(x: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, x, true);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads what ByteWriter wrote; every read checks bounds and throws SketchDecodeError. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(reason: string): never {
    throw new SketchDecodeError(`${this.what}: ${reason} (at byte ${this.pos} of ${this.buf.length})`);
  }

  byte(): number {
    if (this.pos >= this.buf.length) this.fail('truncated input');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(n)) this.fail('varint out of range');
        if (i > 0 && b === 0) this.fail('non-canonical varint');
        return n;
      }
      scale *= 0x80;
    }
    return this.fail('varint too long');
  }

  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  f64(): number {
    if (this.remaining < 8) this.fail('truncated input');
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  bytes(n: number): Uint8Array {
    if (this.remaining < n) this.fail('truncated input');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  end(): void {
    if (this.pos !== this.buf.length) this.fail(`${this.remaining} trailing bytes`);
  }
}
