// When did it start: the single most likely change point of a per-minute series, by a
// likelihood-ratio scan (Poisson rates for counts, Gaussian means with a pooled variance for
// values), with a Bonferroni-corrected p over the split points tried.
import { normalSf } from './stats.js';

export interface OnsetOptions {
  /** 'count' (events per minute, Poisson) or 'value' (a gauge or latency, Gaussian). Default 'count'. */
  kind?: 'count' | 'value';
  /** Fewest points on each side of the split. Default 2. */
  minSegment?: number;
}

export interface Onset {
  /** Index of the first point after the change. */
  index: number;
  before: number;
  after: number;
  /** Log-likelihood ratio of the two-segment model over the one-segment model. */
  llr: number;
  /** P(a change this strong somewhere | no change), Bonferroni over the splits tried. */
  p: number;
}

/** P(χ²₁ > x) = 2·P(Z > √x). */
function chi1Sf(x: number): number {
  return x <= 0 ? 1 : 2 * normalSf(Math.sqrt(x));
}

function poissonLl(sum: number, n: number): number {
  if (sum <= 0 || n <= 0) return 0;
  const rate = sum / n;
  return sum * Math.log(rate) - rate * n;
}

/** The best single change point of `series`, or null when it is too short to split. */
export function findOnset(series: readonly number[], options: OnsetOptions = {}): Onset | null {
  const kind = options.kind ?? 'count';
  const minSeg = Math.max(1, options.minSegment ?? 2);
  const n = series.length;
  if (n < 2 * minSeg) return null;
  const prefix = [0];
  const prefix2 = [0];
  for (const x of series) {
    prefix.push((prefix.at(-1) as number) + x);
    prefix2.push((prefix2.at(-1) as number) + x * x);
  }
  const total = prefix[n] as number;
  const total2 = prefix2[n] as number;
  let best: Onset | null = null;
  const splits = n - 2 * minSeg + 1;
  for (let k = minSeg; k <= n - minSeg; k++) {
    const s1 = prefix[k] as number;
    const s2 = total - s1;
    let llr: number;
    if (kind === 'count') {
      llr = poissonLl(s1, k) + poissonLl(s2, n - k) - poissonLl(total, n);
    } else {
      // Gaussian mean shift, variance profiled out: n/2 · ln(SS0 / SS1).
      const ss0 = total2 - (total * total) / n;
      const ss1 = total2 - (s1 * s1) / k - (s2 * s2) / (n - k);
      llr = ss1 <= 1e-12 ? (ss0 <= 1e-12 ? 0 : 50 * n) : (n / 2) * Math.log(ss0 / ss1);
    }
    if (best === null || llr > best.llr) best = { index: k, before: s1 / k, after: s2 / (n - k), llr, p: 1 };
  }
  if (best === null) return null;
  best.p = Math.min(1, chi1Sf(2 * best.llr) * splits);
  return best;
}
