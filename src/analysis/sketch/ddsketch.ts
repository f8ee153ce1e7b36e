// DDSketch (Masson, Rim & Lee, VLDB 2019): the mergeable latency sketch of the RED
// aggregates, with a relative-accuracy guarantee. One exists per minute per key, so it is
// kept small in memory and compact when serialized.
import { ByteReader, ByteWriter } from './bytes.js';

export const DDSKETCH_ALGORITHM = 'ddsketch@1';

/**
 * Values below this count in the zero bucket and are reported as 0 (an absolute error below
 * 1e-9; OTLP durations have nanosecond resolution, so no real latency in ms is affected).
 */
export const DDSKETCH_MIN_INDEXABLE = 1e-9;

const DEFAULT_ALPHA = 0.01;
const DEFAULT_MAX_BINS = 2048;
const MAX_MAX_BINS = 1 << 20;
// Keeps every bin index of a finite double within int32.
const MIN_ALPHA = 1e-6;
const VERSION = 1;
const FLAG_ALPHA = 1;
const FLAG_MAX_BINS = 2;
const FLAG_COLLAPSED = 4;
const FLAG_NONEMPTY = 8;
const KNOWN_FLAGS = FLAG_ALPHA | FLAG_MAX_BINS | FLAG_COLLAPSED | FLAG_NONEMPTY;
// Shared by every sketch with no bins yet (never written: the first bin allocates).
const NO_KEYS = new Int32Array(0);
const NO_COUNTS = new Float64Array(0);

export interface DDSketchOptions {
  /** Relative accuracy, in [1e-6, 1). Default 0.01. */
  alpha?: number;
  /** Most bins kept; past it the lowest bins are collapsed into one. Default 2048. */
  maxBins?: number;
}

export interface DDSketchSummary {
  count: number;
  sum: number;
  /** null when the sketch is empty (as are the quantiles). */
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/**
 * A DDSketch with the exact logarithmic index mapping: bin i holds values in
 * (γ^(i-1), γ^i] with γ = (1+α)/(1−α), and reports 2γ^i/(γ+1), which is within α·v of every
 * value v in the bin.
 *
 * Guarantee: `quantile(q)` returns a value within α·|x| of x, where x is the value of rank
 * ⌊q·(count−1)⌋ (0-based) in the sorted input, i.e. relative error at most α (default 1%), up to
 * floating-point rounding at bin boundaries.
 * This holds while the bins have not been collapsed (see `collapsed`). With α = 0.01 and
 * the default 2048 bins the sketch covers a range of values of ~10^17 before collapsing,
 * so latencies never collapse in practice. After a collapse the lowest bin absorbs every
 * smaller value, and the bound still holds for ranks above that bin.
 *
 * Bins are sparse: two sorted parallel arrays (12 bytes a bin) that grow only with the
 * number of distinct bins. Counts are integers (exact up to 2^53).
 */
export class DDSketch {
  readonly alpha: number;
  readonly maxBins: number;
  private readonly gamma: number;
  private readonly multiplier: number;
  private readonly logGamma: number;
  private keys: Int32Array;
  private counts: Float64Array;
  private n = 0;
  private zeroCount = 0;
  private total = 0;
  private totalSum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;
  private isCollapsed = false;

  constructor(options: DDSketchOptions = {}) {
    const alpha = options.alpha ?? DEFAULT_ALPHA;
    const maxBins = options.maxBins ?? DEFAULT_MAX_BINS;
    if (!(alpha >= MIN_ALPHA && alpha < 1))
      throw new RangeError(`DDSketch: alpha must be in [${MIN_ALPHA}, 1), got ${alpha}`);
    if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_MAX_BINS) {
      throw new RangeError(`DDSketch: maxBins must be an integer in [2, ${MAX_MAX_BINS}], got ${maxBins}`);
    }
    this.alpha = alpha;
    this.maxBins = maxBins;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
    this.multiplier = 1 / this.logGamma;
    this.keys = NO_KEYS;
    this.counts = NO_COUNTS;
  }

  get count(): number {
    return this.total;
  }
  get sum(): number {
    return this.totalSum;
  }
  /** Smallest value added (exact); NaN when empty. */
  get min(): number {
    return this.total === 0 ? Number.NaN : this.lo;
  }
  /** Largest value added (exact); NaN when empty. */
  get max(): number {
    return this.total === 0 ? Number.NaN : this.hi;
  }
  /** Number of non-empty bins (the zero bucket not included). */
  get binCount(): number {
    return this.n;
  }
  /** True once the lowest bins were merged to stay within maxBins. */
  get collapsed(): boolean {
    return this.isCollapsed;
  }

  /** The bin index for a value ≥ DDSKETCH_MIN_INDEXABLE. */
  binIndex(value: number): number {
    return Math.ceil(Math.log(value) * this.multiplier);
  }

  /** The value reported for a bin. */
  binValue(index: number): number {
    return (2 * Math.exp(index * this.logGamma)) / (this.gamma + 1);
  }

  /**
   * Adds `value` (≥ 0, finite) `count` times (a non-negative integer). Throws RangeError
   * otherwise: a negative duration from clock skew is the caller's to clamp or drop.
   */
  add(value: number, count = 1): void {
    if (!(value >= 0 && value < Number.POSITIVE_INFINITY))
      throw new RangeError(`DDSketch.add: value must be finite and >= 0, got ${value}`);
    if (!(count >= 0 && Number.isSafeInteger(count)))
      throw new RangeError(`DDSketch.add: count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    this.total += count;
    this.totalSum += value * count;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
    if (value < DDSKETCH_MIN_INDEXABLE) {
      this.zeroCount += count;
      return;
    }
    this.addToBin(Math.ceil(Math.log(value) * this.multiplier), count);
  }

  private addToBin(index: number, count: number): void {
    const keys = this.keys;
    let n = this.n;
    if (this.isCollapsed && index < keys[0]!) index = keys[0]!;
    // Binary search for the first key >= index.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && keys[lo] === index) {
      this.counts[lo]! += count;
      return;
    }
    if (n === keys.length) this.grow(n * 2);
    const k = this.keys;
    const c = this.counts;
    if (lo < n) {
      k.copyWithin(lo + 1, lo, n);
      c.copyWithin(lo + 1, lo, n);
    }
    k[lo] = index;
    c[lo] = count;
    this.n = ++n;
    if (n > this.maxBins) this.collapseLowest();
  }

  private grow(capacity: number): void {
    const cap = Math.min(Math.max(capacity, 4), this.maxBins + 1);
    if (cap <= this.keys.length) return;
    const k = new Int32Array(cap);
    const c = new Float64Array(cap);
    k.set(this.keys.subarray(0, this.n));
    c.set(this.counts.subarray(0, this.n));
    this.keys = k;
    this.counts = c;
  }

  /** Folds bins below the lowest of the top maxBins into it. */
  private collapseLowest(): void {
    const drop = this.n - this.maxBins;
    if (drop <= 0) return;
    let folded = 0;
    for (let i = 0; i <= drop; i++) folded += this.counts[i]!;
    this.keys.copyWithin(0, drop, this.n);
    this.counts.copyWithin(0, drop, this.n);
    this.counts[0] = folded;
    this.n = this.maxBins;
    this.isCollapsed = true;
  }

  /** Folds bins below `floor` into the bin at `floor` (which must exist). */
  private foldBelow(floor: number): void {
    let i = 0;
    let folded = 0;
    while (i < this.n && this.keys[i]! < floor) folded += this.counts[i++]!;
    if (i === 0) return;
    this.keys.copyWithin(0, i, this.n);
    this.counts.copyWithin(0, i, this.n);
    this.n -= i;
    this.counts[0]! += folded;
  }

  /**
   * Adds `other` into this sketch: afterwards it is the sketch of both inputs (the same bins
   * as one sketch fed both streams, collapsed or not, given equal maxBins; this sketch's
   * maxBins is kept). Throws when the relative accuracies differ.
   */
  merge(other: DDSketch): void {
    if (other.gamma !== this.gamma) {
      throw new Error(
        `DDSketch.merge: cannot merge a sketch with alpha ${other.alpha} into one with alpha ${this.alpha}`,
      );
    }
    if (other.total === 0) return;
    if (other !== this && !other.isCollapsed && this.addInPlace(other)) return;
    const an = this.n;
    const bn = other.n;
    const bk = other === this ? other.keys.slice(0, bn) : other.keys;
    const bc = other === this ? other.counts.slice(0, bn) : other.counts;
    const floorA = this.isCollapsed && an > 0 ? this.keys[0]! : Number.NEGATIVE_INFINITY;
    const floorB = other.isCollapsed && bn > 0 ? bk[0]! : Number.NEGATIVE_INFINITY;
    // Both key lists are sorted: merged from the back into this sketch's arrays (grown when
    // short), so that nothing not yet read is overwritten and nothing is allocated when they fit.
    if (this.keys.length < an + bn) {
      const cap = Math.max(an + bn, 2 * this.keys.length);
      const k = new Int32Array(cap);
      const c = new Float64Array(cap);
      k.set(this.keys.subarray(0, an));
      c.set(this.counts.subarray(0, an));
      this.keys = k;
      this.counts = c;
    }
    const k = this.keys;
    const c = this.counts;
    let i = an - 1;
    let j = bn - 1;
    let o = an + bn - 1;
    while (j >= 0) {
      if (i >= 0 && k[i]! > bk[j]!) {
        k[o] = k[i]!;
        c[o--] = c[i--]!;
      } else if (i >= 0 && k[i] === bk[j]) {
        k[o] = k[i]!;
        c[o--] = c[i--]! + bc[j--]!;
      } else {
        k[o] = bk[j]!;
        c[o--] = bc[j--]!;
      }
    }
    // This sketch's bins below the last merged one stay where they are; close the gap that
    // shared bins left between them and the merged ones.
    const gap = o - i;
    if (gap > 0) {
      k.copyWithin(i + 1, o + 1, an + bn);
      c.copyWithin(i + 1, o + 1, an + bn);
    }
    this.n = an + bn - gap;
    this.addTotals(other);
    if (other.isCollapsed) this.isCollapsed = true;
    const floor = Math.max(floorA, floorB);
    if (floor > Number.NEGATIVE_INFINITY) this.foldBelow(floor);
    if (this.n > this.maxBins) this.collapseLowest();
  }

  /** Adds `other`'s zero count, count, sum and range to this sketch's. */
  private addTotals(other: DDSketch): void {
    this.zeroCount += other.zeroCount;
    this.total += other.total;
    this.totalSum += other.totalSum;
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }

  /**
   * merge's common case without allocating: when every bin of `other` (not collapsed) is a bin
   * of this sketch, or below this one's collapsed floor, its counts are added where they are.
   * False (nothing changed) when a bin would have to be inserted.
   */
  private addInPlace(other: DDSketch): boolean {
    const ak = this.keys;
    const an = this.n;
    const bk = other.keys;
    const bn = other.n;
    const floor = this.isCollapsed && an > 0 ? ak[0]! : Number.NEGATIVE_INFINITY;
    let i = 0;
    for (let j = 0; j < bn; j++) {
      const key = bk[j]!;
      if (key < floor) continue;
      while (i < an && ak[i]! < key) i++;
      if (i >= an || ak[i] !== key) return false;
    }
    const ac = this.counts;
    const bc = other.counts;
    i = 0;
    for (let j = 0; j < bn; j++) {
      const key = bk[j]!;
      if (key < floor) {
        ac[0]! += bc[j]!;
        continue;
      }
      while (ak[i]! < key) i++;
      ac[i]! += bc[j]!;
    }
    this.addTotals(other);
    return true;
  }

  /**
   * The value at quantile q in [0, 1] (see the class comment for the bound); NaN when empty.
   * q = 0 and q = 1 return the exact min and max.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`DDSketch.quantile: q must be in [0, 1], got ${q}`);
    if (this.total === 0) return Number.NaN;
    if (q === 0) return this.lo;
    if (q === 1) return this.hi;
    const rank = q * (this.total - 1);
    let seen = this.zeroCount;
    let v = this.hi;
    if (seen > rank) {
      v = 0;
    } else {
      for (let i = 0; i < this.n; i++) {
        seen += this.counts[i]!;
        if (seen > rank) {
          v = this.binValue(this.keys[i]!);
          break;
        }
      }
    }
    // The true value lies in [min, max], so clamping only moves the estimate towards it.
    return v < this.lo ? this.lo : v > this.hi ? this.hi : v;
  }

  /** The non-empty bins, lowest first, as [index, count]; the zero bucket not included. */
  bins(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.n; i++) out.push([this.keys[i]!, this.counts[i]!]);
    return out;
  }

  /** Count of values below DDSKETCH_MIN_INDEXABLE (reported as 0). */
  get zeros(): number {
    return this.zeroCount;
  }

  toJSON(): DDSketchSummary {
    const empty = this.total === 0;
    return {
      count: this.total,
      sum: this.totalSum,
      min: empty ? null : this.lo,
      max: empty ? null : this.hi,
      p50: empty ? null : this.quantile(0.5),
      p90: empty ? null : this.quantile(0.9),
      p99: empty ? null : this.quantile(0.99),
    };
  }

  /**
   * Compact encoding: version byte, flags, [alpha f64], [maxBins varint], then if non-empty
   * the zero count, sum, min, max, the bin count, the first index zigzag, the gaps between
   * indexes as varints and the counts as varints.
   */
  toBytes(): Uint8Array {
    const w = new ByteWriter(16 + this.n * 3);
    let flags = 0;
    if (this.alpha !== DEFAULT_ALPHA) flags |= FLAG_ALPHA;
    if (this.maxBins !== DEFAULT_MAX_BINS) flags |= FLAG_MAX_BINS;
    if (this.isCollapsed) flags |= FLAG_COLLAPSED;
    if (this.total > 0) flags |= FLAG_NONEMPTY;
    w.byte(VERSION);
    w.byte(flags);
    if (flags & FLAG_ALPHA) w.f64(this.alpha);
    if (flags & FLAG_MAX_BINS) w.varint(this.maxBins);
    if (this.total === 0) return w.finish();
    w.varint(this.zeroCount);
    w.f64(this.totalSum);
    w.f64(this.lo);
    w.f64(this.hi);
    w.varint(this.n);
    let prev = 0;
    for (let i = 0; i < this.n; i++) {
      const k = this.keys[i]!;
      if (i === 0) w.zigzag(k);
      else w.varint(k - prev);
      prev = k;
    }
    for (let i = 0; i < this.n; i++) w.varint(this.counts[i]!);
    return w.finish();
  }

  /** Decodes toBytes' output; throws SketchDecodeError on anything else. */
  static fromBytes(bytes: Uint8Array): DDSketch {
    const r = new ByteReader(bytes, 'DDSketch.fromBytes');
    const version = r.byte();
    if (version !== VERSION) r.fail(`unknown version ${version}`);
    const flags = r.byte();
    if (flags & ~KNOWN_FLAGS) r.fail(`unknown flags ${flags}`);
    const alpha = flags & FLAG_ALPHA ? r.f64() : DEFAULT_ALPHA;
    if (!(alpha >= MIN_ALPHA && alpha < 1)) r.fail(`alpha ${alpha} out of range`);
    const maxBins = flags & FLAG_MAX_BINS ? r.varint() : DEFAULT_MAX_BINS;
    if (maxBins < 2 || maxBins > MAX_MAX_BINS) r.fail(`maxBins ${maxBins} out of range`);
    const s = new DDSketch({ alpha, maxBins });
    if (!(flags & FLAG_NONEMPTY)) {
      if (flags & FLAG_COLLAPSED) r.fail('empty sketch marked collapsed');
      r.end();
      return s;
    }
    const zeros = r.varint();
    const sum = r.f64();
    const min = r.f64();
    const max = r.f64();
    if (!(sum >= 0)) r.fail(`bad sum ${sum}`);
    if (!(min >= 0 && min <= max && max < Number.POSITIVE_INFINITY)) r.fail(`bad min/max ${min}/${max}`);
    const n = r.varint();
    // Each bin takes at least two bytes, which bounds the allocation by the input's size.
    if (n > maxBins || n * 2 > r.remaining) r.fail(`bin count ${n} out of range`);
    if (n === 0 && zeros === 0) r.fail('non-empty sketch with no values');
    if (flags & FLAG_COLLAPSED && n === 0) r.fail('collapsed sketch with no bins');
    const keys = n === 0 ? NO_KEYS : new Int32Array(n);
    const counts = n === 0 ? NO_COUNTS : new Float64Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      const k = i === 0 ? r.zigzag() : prev + r.varint();
      if (i > 0 && k === prev) r.fail('bin indexes not strictly increasing');
      if (k < -(2 ** 31) || k >= 2 ** 31) r.fail(`bin index ${k} out of range`);
      keys[i] = k;
      prev = k;
    }
    let total = zeros;
    for (let i = 0; i < n; i++) {
      const c = r.varint();
      if (c === 0) r.fail('empty bin');
      counts[i] = c;
      total += c;
    }
    r.end();
    if (!Number.isSafeInteger(total)) r.fail('total count out of range');
    s.keys = keys;
    s.counts = counts;
    s.n = n;
    s.zeroCount = zeros;
    s.total = total;
    s.totalSum = sum;
    s.lo = min;
    s.hi = max;
    s.isCollapsed = (flags & FLAG_COLLAPSED) !== 0;
    return s;
  }
}
