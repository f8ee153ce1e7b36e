// The tests deploy verification runs at each look: counts against counts (a share, or events per
// request) with the baseline's minute-to-minute dispersion, and per-minute values (a minute's
// latency quantile) ranked against the baseline's minutes, exactly.
import { deflate, fisherTest, normalSf, poissonRateTest, studentUpper } from '../rca/index.js';

/** Events `x` out of trials `n` in one minute (errors of requests, calls of requests, lines of requests). */
export interface MinuteCount {
  minuteMs: number;
  x: number;
  n: number;
}

/**
 * How much more a rate (x per n) moves from minute to minute than Poisson counts would: Pearson's
 * X² of each minute's x against n times the pooled rate, over its degrees of freedom, at least 1
 * (1 with fewer than two minutes with trials, or no events).
 */
export function rateDispersion(minutes: readonly MinuteCount[]): number {
  const used = minutes.filter((m) => m.n > 0);
  if (used.length < 2) return 1;
  let xs = 0;
  let ns = 0;
  for (const m of used) {
    xs += m.x;
    ns += m.n;
  }
  if (xs <= 0) return 1;
  const rate = xs / ns;
  let chi = 0;
  for (const m of used) chi += (m.x - m.n * rate) ** 2 / (m.n * rate);
  return Math.max(1, chi / (used.length - 1));
}

/** Dispersion of a share (x of n, x ≤ n) across minutes: Pearson's X² against the pooled share. */
export function shareDispersion(minutes: readonly MinuteCount[]): number {
  const used = minutes.filter((m) => m.n > 0);
  if (used.length < 2) return 1;
  let xs = 0;
  let ns = 0;
  for (const m of used) {
    xs += m.x;
    ns += m.n;
  }
  const p = xs / ns;
  if (p <= 0 || p >= 1) return 1;
  let chi = 0;
  for (const m of used) chi += (m.x - m.n * p) ** 2 / (m.n * p * (1 - p));
  return Math.max(1, chi / (used.length - 1));
}

/**
 * How much a sum over consecutive minutes varies more than one over independent ones, when
 * minutes follow each other (a level that wanders): (1 + ρ) / (1 − ρ) for the lag-1
 * autocorrelation ρ of `xs` in time order (bias-corrected), ρ taken in [0, 0.8]; 1 with fewer
 * than 4 values.
 */
export function serialInflation(xs: readonly number[]): number {
  if (xs.length < 4) return 1;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i]! - m) ** 2;
    if (i > 0) num += (xs[i]! - m) * (xs[i - 1]! - m);
  }
  if (den <= 0) return 1;
  // The lag-1 estimate is biased low by about (1 + 4ρ) / n over n values (Kendall): added back.
  const raw = num / den;
  const rho = Math.min(0.8, Math.max(0, raw + (1 + 4 * Math.max(0, raw)) / xs.length));
  return (1 + rho) / (1 - rho);
}

/**
 * The same inflation measured directly: the variance of sums of `k` consecutive values against
 * k times the variance of one (overlapping windows; k at most a third of the values), at least
 * the lag-1 estimate's and at most 10. A level that wanders slowly shows here and hardly at lag 1.
 */
export function windowInflation(xs: readonly number[], k: number): number {
  const lag = serialInflation(xs);
  const w = Math.min(Math.max(1, Math.floor(k)), Math.floor(xs.length / 3));
  if (w < 2) return lag;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const d = xs.map((x) => x - m);
  const one = d.reduce((a, b) => a + b * b, 0) / d.length;
  if (one <= 0) return lag;
  let acc = 0;
  let windows = 0;
  for (let i = 0; i + w <= d.length; i++) {
    let s = 0;
    for (let j = i; j < i + w; j++) s += d[j]!;
    acc += s * s;
    windows++;
  }
  return Math.min(10, Math.max(lag, acc / windows / (w * one)));
}

/** Pearson residuals of each minute's x against n times the pooled rate (share when `share`). */
function residuals(minutes: readonly MinuteCount[], share: boolean): number[] {
  const used = minutes.filter((m) => m.n > 0);
  const xs = used.reduce((a, m) => a + m.x, 0);
  const ns = used.reduce((a, m) => a + m.n, 0);
  const p = ns > 0 ? xs / ns : 0;
  if (p <= 0 || (share && p >= 1)) return [];
  return used.map((m) => (m.x - m.n * p) / Math.sqrt(m.n * p * (share ? 1 - p : 1)));
}

function sum(ms: readonly MinuteCount[]): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const m of ms) {
    x += m.x;
    n += m.n;
  }
  return { x, n };
}

/** A test's one-sided p for a rise, with the figures it compared. */
export interface RiseTest {
  p: number;
  before: number;
  after: number;
  /** after ÷ before (Infinity when before is 0 and after is not). */
  ratio: number;
}

const ratioOf = (after: number, before: number) => (before > 0 ? after / before : after > 0 ? Infinity : 1);

/**
 * A share rose (errors of requests, unanswered of calls): Fisher's exact test, one-sided, its z
 * divided by √φ where φ is the share's dispersion over the baseline's minutes.
 */
export function shareRise(before: readonly MinuteCount[], after: readonly MinuteCount[], phi?: number): RiseTest {
  const b = sum(before);
  const a = sum(after);
  const bs = b.n > 0 ? b.x / b.n : 0;
  const as = a.n > 0 ? a.x / a.n : 0;
  const out = { before: bs, after: as, ratio: ratioOf(as, bs) };
  if (a.x === 0 || b.n === 0 || a.n === 0) return { p: 1, ...out };
  const t = fisherTest(b.x, b.n, a.x, a.n);
  if (t.statistic <= 0) return { p: 1, ...out };
  const infl = windowInflation(residuals(before, true), after.filter((m) => m.n > 0).length);
  return { p: deflate(t, (phi ?? shareDispersion(before)) * infl, 1).p, ...out };
}

/**
 * A rate per trial rose (error-group events, log lines or calls per request): the exact
 * conditional Poisson test of the two sides' counts over their exposures, its z divided by √φ,
 * φ the rate's dispersion over the baseline's minutes (or the caller's, for an event the
 * baseline never saw and so cannot show the dispersion of).
 */
export function rateRise(before: readonly MinuteCount[], after: readonly MinuteCount[], phi?: number): RiseTest {
  const b = sum(before);
  const a = sum(after);
  const br = b.n > 0 ? b.x / b.n : 0;
  const ar = a.n > 0 ? a.x / a.n : 0;
  const out = { before: br, after: ar, ratio: ratioOf(ar, br) };
  if (a.x === 0 || b.n === 0 || a.n === 0) return { p: 1, ...out };
  const t = poissonRateTest(b.x, b.n, a.x, a.n);
  if (t.statistic <= 0) return { p: 1, ...out };
  const infl = windowInflation(residuals(before, false), after.filter((m) => m.n > 0).length);
  return { p: deflate(t, (phi ?? rateDispersion(before)) * infl, 1).p, ...out };
}

/**
 * The null distribution of the Mann–Whitney count U (pairs with the second sample's value above
 * the first's) for samples of n and k with no ties: its counts for u = 0 … n·k, from the
 * recursion N(n, k; u) = N(n, k−1; u−n) + N(n−1, k; u) (the largest value is either one of the k,
 * above all n, or one of the n). Doubles hold the counts (C(n+k, k)) well past what is asked.
 */
function uCounts(n: number, k: number): Float64Array[] {
  const size = n * k + 1;
  // cur[j] = counts for (n', j) as n' goes 0 … n.
  const cur: Float64Array[] = [];
  for (let j = 0; j <= k; j++) {
    const a = new Float64Array(size);
    a[0] = 1;
    cur.push(a);
  }
  for (let m = 1; m <= n; m++) {
    for (let j = 1; j <= k; j++) {
      const row = cur[j]!;
      const prev = cur[j - 1]!;
      // cur[j] holds (m−1, j); add (m, j−1) shifted by m (cur[j−1] is already (m, j−1)).
      for (let u = size - 1; u >= m; u--) row[u]! += prev[u - m]!;
    }
  }
  return cur;
}

const EXACT_LIMIT = 200;

/**
 * Whether the k values after the deploy sit above the n values of the baseline's minutes:
 * one-sided Mann–Whitney with ties counted against the rise (so the exact no-ties distribution
 * is conservative). Exact up to 200 minutes a side; the normal approximation beyond.
 */
export function minuteRankRise(before: readonly number[], after: readonly number[]): number {
  const n = before.length;
  const k = after.length;
  if (n === 0 || k === 0) return 1;
  let u = 0;
  for (const a of after) for (const b of before) if (a > b) u++;
  if (n > EXACT_LIMIT || k > EXACT_LIMIT) {
    const mean = (n * k) / 2;
    const sd = Math.sqrt((n * k * (n + k + 1)) / 12);
    return normalSf((u - 0.5 - mean) / sd);
  }
  const counts = uCounts(n, k)[k]!;
  let total = 0;
  let tail = 0;
  for (let i = 0; i < counts.length; i++) {
    total += counts[i]!;
    if (i >= u) tail += counts[i]!;
  }
  return Math.min(1, tail / total);
}

/**
 * minuteRankRise for minutes that follow each other: the exact p turned into a z, divided by the
 * square root of the baseline's serial inflation (its minutes' lag-1 autocorrelation: a wandering
 * level puts neighbouring minutes on the same side), and back into a p.
 */
export function serialRankRise(before: readonly number[], after: readonly number[]): number {
  const p = minuteRankRise(before, after);
  // The lag-1 inflation only: ranks are bounded, and the window's estimate, noisy at a few
  // minutes, would take from a saturated rank test the power it has.
  const infl = serialInflation(before);
  if (infl <= 1 || p >= 1) return p;
  return deflate({ statistic: 1, p }, infl, 1).p;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A robust z's bound: one wild minute adds at most this much. */
const Z_CAP = 5;

/**
 * Whether the after-minutes' level (a latency quantile per minute) rose above the baseline's, by
 * how much and not just in order: each minute's log value as a robust z against the baseline
 * (median, scaled MAD), bounded at ±5 so one wild minute cannot decide; the after-minutes' mean z
 * against the baseline's, over the baseline's own spread of those z and the serial inflation of
 * sums of that many minutes (windowInflation), as a Student t with the baseline's minutes less
 * one degrees of freedom. One-sided p.
 */
export function levelRise(before: readonly number[], after: readonly number[]): number {
  const n = before.length;
  const k = after.length;
  if (n < 3 || k === 0) return 1;
  const positive = [...before, ...after].filter((x) => x > 0);
  const floor = positive.length ? Math.min(...positive) / 2 : 1e-9;
  const log = (x: number) => Math.log(Math.max(x, floor));
  const lb = before.map(log);
  const center = median(lb);
  let scale = 1.4826 * median(lb.map((x) => Math.abs(x - center)));
  if (!(scale > 0)) scale = Math.sqrt(lb.reduce((a, x) => a + (x - center) ** 2, 0) / n);
  if (!(scale > 0)) scale = 0.01; // a flat baseline: a 1% step is one z
  const z = (x: number) => Math.max(-Z_CAP, Math.min(Z_CAP, (log(x) - center) / scale));
  const zb = before.map(z);
  const za = after.map(z);
  const mb = zb.reduce((a, b) => a + b, 0) / n;
  const ma = za.reduce((a, b) => a + b, 0) / k;
  const v = Math.max(zb.reduce((a, x) => a + (x - mb) ** 2, 0) / (n - 1), 0.25);
  const infl = windowInflation(zb, k);
  const t = (ma - mb) / Math.sqrt(v * infl * (1 / k + 1 / n));
  return t > 0 ? studentUpper(t, n - 1) : 1;
}
