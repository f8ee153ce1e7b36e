// Small statistics the simulation needs: empirical distributions, a seeded random source (the
// same calibration and request always give the same answer), reservoir samples and quantiles.
import type { Distribution } from './types.js';

/** The value at quantile q (0–1) of ascending `sorted`, interpolated; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const at = q * (n - 1);
  const lo = Math.floor(at);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  if (a === b) return a;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return at - lo < 0.5 ? a : b;
  return a + (b - a) * (at - lo);
}

export const EMPTY_DISTRIBUTION: Distribution = { n: 0, mean: 0, cv2: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 };

/** Mean, cv² and quantiles of `values` (sorted in place). */
export function describe(values: number[]): Distribution {
  const n = values.length;
  if (n === 0) return EMPTY_DISTRIBUTION;
  values.sort((a, b) => a - b);
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  const cv2 = n > 1 && mean > 0 ? ss / (n - 1) / (mean * mean) : 0;
  return {
    n,
    mean,
    cv2,
    p50: quantileSorted(values, 0.5),
    p90: quantileSorted(values, 0.9),
    p95: quantileSorted(values, 0.95),
    p99: quantileSorted(values, 0.99),
    max: values[n - 1] as number,
  };
}

/** Squared coefficient of variation of the gaps between `starts` (sorted in place); 1 (Poisson) with too few. */
export function gapCv2(starts: number[]): number {
  if (starts.length < 10) return 1;
  starts.sort((a, b) => a - b);
  let sum = 0;
  let sq = 0;
  const n = starts.length - 1;
  for (let i = 1; i < starts.length; i++) {
    const g = (starts[i] as number) - (starts[i - 1] as number);
    sum += g;
    sq += g * g;
  }
  const mean = sum / n;
  if (mean <= 0) return 1;
  return Math.max(0, (sq / n - mean * mean) / (mean * mean));
}

/** A seeded generator (mulberry32): uniform in [0, 1). */
export class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Exponential with mean `mean`. */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }
  /** Uniform in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
}

/** A uniform sample of at most `size` of the items offered (Algorithm R, seeded). */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;
  constructor(
    private readonly size: number,
    private readonly random: Random,
  ) {}
  /** Whether the next offer would be kept, and where: -1 when not. Call take() with the index. */
  slot(): number {
    this.seen++;
    if (this.items.length < this.size) return this.items.length;
    const j = this.random.int(this.seen);
    return j < this.size ? j : -1;
  }
  take(at: number, item: T): void {
    this.items[at] = item;
  }
}

/** The 10th and 90th percentiles of finite-or-infinite values (Infinity stays: unbounded). */
export function spread(values: number[]): { p10: number; p90: number } {
  const s = [...values].sort((a, b) => a - b);
  return { p10: quantileSorted(s, 0.1), p90: quantileSorted(s, 0.9) };
}
