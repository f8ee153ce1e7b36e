// When one signal's per-bucket series follows another's (part of the evidence, in
// evidence.ts, that two signals are one fault), and the growth a series shows for the
// priority. Pure.

/** Pearson's r of two equally long series; null when either is constant (r is undefined). */
export function pearson(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new Error(`series of different lengths (${a.length} and ${b.length})`);
  const n = a.length;
  if (n < 2) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  if (va === 0 || vb === 0) return null;
  return cov / Math.sqrt(va * vb);
}

interface Stats {
  mean: number;
  /** √Σ(x − mean)², 0 for a constant series. */
  norm: number;
  /** Positions of the buckets with events, ascending. */
  nonzero: Int32Array;
}

/** Per-series sums, computed once per series (a triage run tests each series against many). */
const statsCache = new WeakMap<readonly number[], Stats>();

function statsOf(s: readonly number[]): Stats {
  let st = statsCache.get(s);
  if (st) return st;
  let sum = 0;
  let sq = 0;
  const nz: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    sum += v;
    sq += v * v;
    if (v !== 0) nz.push(i);
  }
  const mean = sum / (s.length || 1);
  st = { mean, norm: Math.sqrt(Math.max(0, sq - s.length * mean * mean)), nonzero: Int32Array.from(nz) };
  statsCache.set(s, st);
  return st;
}

/**
 * Pearson's r and the buckets with events in either series, from cached sums:
 * Σ(a − ā)(b − b̄) = Σab − n·ā·b̄, and Σab runs over the sparser series' events only, so a
 * test costs the number of buckets with events, not the window's length.
 */
function correlate(a: readonly number[], b: readonly number[]): { r: number | null; active: number } {
  if (a.length !== b.length) throw new Error(`series of different lengths (${a.length} and ${b.length})`);
  let sa = statsOf(a);
  let sb = statsOf(b);
  let other = b;
  if (sb.nonzero.length < sa.nonzero.length) {
    [sa, sb] = [sb, sa];
    other = a;
  }
  let ab = 0;
  let both = 0;
  for (const i of sa.nonzero) {
    const v = other[i]!;
    if (v !== 0) {
      both++;
      ab += v * (other === b ? a[i]! : b[i]!);
    }
  }
  const active = sa.nonzero.length + sb.nonzero.length - both;
  const n = a.length;
  const r =
    n < 2 || sa.norm === 0 || sb.norm === 0
      ? null
      : Math.max(-1, Math.min(1, (ab - n * sa.mean * sb.mean) / (sa.norm * sb.norm)));
  return { r, active };
}

export interface FollowOptions {
  /** Least Pearson r over the window's buckets (default 0.7). */
  minCorrelation: number;
  /** Fewest buckets with events in either series for r to count (default 3: r of two blips is chance). */
  minActiveBuckets: number;
  /** Two signals first seen inside the window at most this far apart follow each other (default 60 s). */
  firstSeenSlackMs: number;
}

export const FOLLOW_DEFAULTS: FollowOptions = { minCorrelation: 0.7, minActiveBuckets: 3, firstSeenSlackMs: 60_000 };

export interface Signal {
  series: readonly number[];
  /** Epoch ms of the first event ever, or null when unknown. */
  firstSeenMs: number | null;
}

export interface Follow {
  /** Pearson r, or null when it could not be computed or did not count. */
  r: number | null;
  /** Both were first seen inside the window within the slack of each other. */
  sameOnset: boolean;
  /** The reason in words, for a member's `why`. */
  why: string;
}

/**
 * Whether `a` follows `b`: r ≥ minCorrelation over at least minActiveBuckets buckets with
 * events, or both first seen inside the window within firstSeenSlackMs of each other. Null
 * when it does not.
 */
export function follows(
  a: Signal,
  b: Signal,
  windowSinceMs: number,
  opts: FollowOptions = FOLLOW_DEFAULTS,
): Follow | null {
  const c = correlate(a.series, b.series);
  const active = c.active;
  const r = active >= opts.minActiveBuckets ? c.r : null;
  const sameOnset =
    a.firstSeenMs !== null &&
    b.firstSeenMs !== null &&
    a.firstSeenMs >= windowSinceMs &&
    b.firstSeenMs >= windowSinceMs &&
    Math.abs(a.firstSeenMs - b.firstSeenMs) <= opts.firstSeenSlackMs;
  const correlated = r !== null && r >= opts.minCorrelation;
  if (!correlated && !sameOnset) return null;
  const parts: string[] = [];
  if (correlated) parts.push(`series r=${r.toFixed(2)} over ${active} active buckets`);
  if (sameOnset) {
    const gap = Math.round(Math.abs(a.firstSeenMs! - b.firstSeenMs!) / 1000);
    parts.push(`first seen ${gap} s apart`);
  }
  return { r: correlated ? r : null, sameOnset, why: parts.join(', ') };
}

/**
 * Growth for the priority: events in the later half of the window over the earlier half
 * (1 = flat; 2 when the earlier half had none and the later some), as investigate@3 counts it.
 */
export function growthOf(series: readonly number[]): number {
  const half = Math.floor(series.length / 2);
  let early = 0;
  let late = 0;
  for (let i = 0; i < series.length; i++) {
    if (i < half) early += series[i]!;
    else late += series[i]!;
  }
  if (early === 0) return late > 0 ? 2 : 1;
  return late / early;
}
