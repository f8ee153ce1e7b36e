// The statistical tests behind root-cause ranking, each returning a p-value and a signed
// statistic so a finding can say which test it passed and by how much. Exact tests where
// the counts are small enough to matter (binomial, Fisher), normal approximations otherwise.

/** A test's outcome: `p` is one-sided in the direction of `statistic`'s sign unless stated. */
export interface TestResult {
  /** Signed: positive when the incident value is above the baseline. */
  statistic: number;
  p: number;
}

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = 0.99999999999980993;
  const t = y + 7.5;
  for (let i = 0; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (y + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln(n choose k) for integers 0 ≤ k ≤ n. */
function lnChoose(n: number, k: number): number {
  return lnFactorial(n) - lnFactorial(k) - lnFactorial(n - k);
}

/** ln n! for the integers the tests meet most (counts up to LN_FACTORIAL_CACHED), cached. */
const LN_FACTORIAL_CACHED = 1 << 16;
const lnFactorials = new Float64Array(LN_FACTORIAL_CACHED).fill(Number.NaN);

function lnFactorial(n: number): number {
  if (n >= LN_FACTORIAL_CACHED) return logGamma(n + 1);
  let v = lnFactorials[n] as number;
  if (Number.isNaN(v)) {
    v = logGamma(n + 1);
    lnFactorials[n] = v;
  }
  return v;
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaCf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function betaInc(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaCf(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaCf(b, a, 1 - x)) / b;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpper(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return betaInc(p, k, n - k + 1);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialLower(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return 1 - betaInc(p, k + 1, n - k);
}

/** The standard normal survival function P(Z > z) (erfc, Numerical Recipes' Chebyshev fit). */
export function normalSf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** z such that P(Z > z) = p (Acklam's rational approximation, refined once). */
export function normalQuantileSf(p: number): number {
  if (p <= 0) return Number.POSITIVE_INFINITY;
  if (p >= 1) return Number.NEGATIVE_INFINITY;
  // Bisection on normalSf: simple and accurate enough for reporting a z.
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (normalSf(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Poisson rate comparison, conditional (exact) form: with `a` events in exposure `ea`
 * (baseline) and `b` in `eb` (incident), under equal rates b | a+b ~ Binomial(a+b,
 * eb/(ea+eb)). Returns the tail in the direction of the change; statistic = the signed z of
 * that tail (so it can be compared across tests).
 */
export function poissonRateTest(a: number, ea: number, b: number, eb: number): TestResult {
  const n = a + b;
  if (n === 0 || ea <= 0 || eb <= 0) return { statistic: 0, p: 1 };
  const p0 = eb / (ea + eb);
  const expected = n * p0;
  if (b >= expected) {
    const p = binomialUpper(b, n, p0);
    return { statistic: Math.max(0, normalQuantileSf(p)), p };
  }
  const p = binomialLower(b, n, p0);
  return { statistic: -Math.max(0, normalQuantileSf(p)), p };
}

/**
 * Proportion comparison (a share of the service's lines, or an error rate): Fisher's exact
 * test on the 2×2 table [x1, n1-x1; x2, n2-x2], one-sided in the direction of the change.
 * x1/n1 is the baseline, x2/n2 the incident.
 */
export function fisherTest(x1: number, n1: number, x2: number, n2: number): TestResult {
  const k = x1 + x2;
  const n = n1 + n2;
  if (k === 0 || k === n || n1 === 0 || n2 === 0) return { statistic: 0, p: 1 };
  // X = incident successes ~ Hypergeometric(n, k, n2).
  const lo = Math.max(0, k - n1);
  const hi = Math.min(k, n2);
  const up = x2 / n2 >= x1 / n1;
  // The tail from x2 outwards, each term from the one before by the ratio of consecutive
  // probabilities, until the terms no longer change the sum (past the mode they only shrink).
  const mode = Math.floor(((n2 + 1) * (k + 1)) / (n + 2));
  let term = Math.exp(lnChoose(n2, x2) + lnChoose(n1, k - x2) - lnChoose(n, k));
  let p = term;
  if (up) {
    for (let x = x2; x < hi; x++) {
      term *= ((n2 - x) * (k - x)) / ((x + 1) * (n1 - k + x + 1));
      p += term;
      if (x >= mode && term < p * 1e-17) break;
    }
  } else {
    for (let x = x2; x > lo; x--) {
      term *= (x * (n1 - k + x)) / ((n2 - x + 1) * (k - x + 1));
      p += term;
      if (x <= mode && term < p * 1e-17) break;
    }
  }
  p = Math.min(1, p);
  const z = Math.max(0, normalQuantileSf(p));
  return { statistic: up ? z : -z, p };
}

/**
 * Mann–Whitney U on binned samples (e.g. DDSketch bins, ties within a bin): normal
 * approximation with the tie correction; two-sided p, statistic = signed z (positive when the
 * incident values are larger). `effect` is P(incident > baseline) + ½ P(tie).
 */
export function mannWhitneyBinned(
  baseline: ReadonlyArray<readonly [number, number]>,
  incident: ReadonlyArray<readonly [number, number]>,
): TestResult & { effect: number } {
  const n1 = baseline.reduce((s, [, c]) => s + c, 0);
  const n2 = incident.reduce((s, [, c]) => s + c, 0);
  if (n1 === 0 || n2 === 0) return { statistic: 0, p: 1, effect: 0.5 };
  const merged = new Map<number, [number, number]>();
  for (const [k, c] of baseline) {
    const m = merged.get(k) ?? [0, 0];
    m[0] += c;
    merged.set(k, m);
  }
  for (const [k, c] of incident) {
    const m = merged.get(k) ?? [0, 0];
    m[1] += c;
    merged.set(k, m);
  }
  const keys = [...merged.keys()].sort((x, y) => x - y);
  let rank = 0;
  let r2 = 0;
  let ties = 0;
  for (const k of keys) {
    const [c1, c2] = merged.get(k) as [number, number];
    const t = c1 + c2;
    const mid = rank + (t + 1) / 2;
    r2 += c2 * mid;
    rank += t;
    ties += t * t * t - t;
  }
  const u2 = r2 - (n2 * (n2 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const effect = u2 / (n1 * n2);
  if (variance <= 0) return { statistic: 0, p: 1, effect };
  const z = (u2 - mean) / Math.sqrt(variance);
  return { statistic: z, p: Math.min(1, 2 * normalSf(Math.abs(z))), effect };
}

/** P(|T| > |t|) for Student's t with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return betaInc(df / (df + t * t), df / 2, 0.5);
}

/** P(T > t) for Student's t with `df` degrees of freedom. */
export function studentUpper(t: number, df: number): number {
  const two = studentTwoSided(t, df);
  return t >= 0 ? two / 2 : 1 - two / 2;
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The arithmetic mean, summed left to right; 0 when empty. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

export interface GaugeOptions {
  /** An incident value within this ratio of the baseline's median (either way) is no finding whatever its p. Default 2. */
  minRatio?: number;
  /** Floor of the baseline's standard deviation in natural-log units, so a flat baseline does not turn noise into certainty. Default 0.05. */
  minScale?: number;
  /** 'greater' tests for a rise only. Default 'two-sided'. */
  alternative?: 'greater' | 'two-sided';
  /**
   * The c of log(x + c): values well below it count as about equal. Default 1% of the larger of
   * the baseline's median and the incident's peak (a pure ratio scale); a caller that knows the
   * gauge's typical level (e.g. across services) passes it, so that a rise far below that level
   * is not a large ratio.
   */
  offset?: number;
  /**
   * 'log' (the default): values on a ratio scale, log(x + c). 'linear': the values are already on
   * a scale where a difference is a log ratio (e.g. a utilization's headroomScale), so they are
   * compared as they are and `offset` does not apply.
   */
  scale?: 'log' | 'linear';
}

/** Utilization above this counts as this: a full resource's headroom is not zero but small (100×). */
const MAX_UTILIZATION = 0.99;

/**
 * A utilization (a share of a limit, 0 to 1) on the scale of its headroom: −log(1 − u). A
 * difference on this scale is the log of how much the headroom shrank, (1 − u₀)/(1 − u₁); for a
 * CPU it is what queueing (M/M/1) says a request's wait grows by, so 40% of a limit going to 70%
 * matters about as much as 1% going to 50% (the headroom halved both times), and 1% going to 10%
 * does not matter. Pass the result to gaugeShift with `scale: 'linear'`.
 */
export function headroomScale(u: number): number {
  return Math.log(1 / (1 - Math.min(MAX_UTILIZATION, Math.max(0, u))));
}

/**
 * Shift of a gauge (CPU, memory) between windows, as a small-sample prediction test: each
 * incident value, on a log scale, is compared with the baseline's mean and standard deviation by
 * Student's t for one new observation, t = (x − mean) / (sd · √(1 + 1/n)) with n − 1 degrees of
 * freedom (a short baseline has heavy tails, so it cannot give certainty); the strongest
 * incident value's p is multiplied by the number of incident values (Bonferroni), as the fault
 * may cover only part of the window. The log scale, log(x + c), makes the test about ratios
 * whatever the unit (see `offset` for c). An extreme within `minRatio` of the baseline's median
 * (on that scale) is no finding. Statistic: the signed z of p.
 */
export function gaugeShift(
  baseline: readonly number[],
  incident: readonly number[],
  options: GaugeOptions = {},
): TestResult {
  const none = { statistic: 0, p: 1 };
  if (baseline.length < 2 || incident.length === 0) return none;
  const mb = median(baseline);
  const hi = Math.max(...incident);
  const lo = Math.min(...incident);
  const c = Math.max(1e-12, options.offset ?? 0.01 * Math.max(Math.abs(mb), Math.abs(hi)));
  const lg = options.scale === 'linear' ? (x: number) => x : (x: number) => Math.log(Math.max(0, x) + c);
  // The incident value furthest from the baseline's median, on the log scale.
  const up = options.alternative === 'greater' || lg(hi) - lg(mb) >= lg(mb) - lg(lo);
  const x = lg(up ? hi : lo);
  if ((up ? x - lg(mb) : lg(mb) - x) < Math.log(options.minRatio ?? 2)) return none;
  const lb = baseline.map(lg);
  const n = lb.length;
  const mean = lb.reduce((a, b) => a + b, 0) / n;
  const sd = Math.max(Math.sqrt(lb.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)), options.minScale ?? 0.05);
  const scale = sd * Math.sqrt(1 + 1 / n);
  const t = (x - mean) / scale;
  const oneSided = studentUpper(up ? t : -t, n - 1);
  const p = Math.min(1, incident.length * (options.alternative === 'greater' ? oneSided : 2 * oneSided));
  const z = Math.max(0, normalQuantileSf(Math.min(p, 0.5)));
  return { statistic: up ? z : -z, p };
}

/**
 * The smallest p-value Fisher's exact test can give with these margins (`k` successes in all,
 * `n1` baseline and `n2` incident trials), one-sided up, one-sided down, or two-sided as this
 * module computes it (twice the smaller tail). Tests that cannot reach significance whatever
 * the data are left out of the false-discovery family (see discreteFamily).
 */
export function fisherMinP(k: number, n1: number, n2: number, alternative: 'greater' | 'less' | 'two-sided'): number {
  const n = n1 + n2;
  if (k === 0 || k === n || n1 === 0 || n2 === 0) return 1;
  const pmf = (x: number) => Math.exp(lnChoose(n2, x) + lnChoose(n1, k - x) - lnChoose(n, k));
  const hi = pmf(Math.min(k, n2));
  const lo = pmf(Math.max(0, k - n1));
  if (alternative === 'greater') return hi;
  if (alternative === 'less') return lo;
  return Math.min(1, 2 * Math.min(hi, lo));
}

/** The smallest p of poissonRateTest for `n` events in all, one-sided up, down, or twice the smaller. */
export function poissonMinP(n: number, ea: number, eb: number, alternative: 'greater' | 'less' | 'two-sided'): number {
  if (n === 0 || ea <= 0 || eb <= 0) return 1;
  const p0 = eb / (ea + eb);
  const up = p0 ** n;
  const down = (1 - p0) ** n;
  if (alternative === 'greater') return up;
  if (alternative === 'less') return down;
  return Math.min(1, 2 * Math.min(up, down));
}

/** The smallest p of mannWhitneyBinned for samples of n1 and n2 (all values distinct), two-sided. */
export function mannWhitneyMinP(n1: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 1;
  const z = (n1 * n2) / 2 / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return Math.min(1, 2 * normalSf(z));
}

/**
 * Which tests of a family of discrete tests count toward the false-discovery rate: a test whose
 * smallest attainable p-value (given its margins: the counts it was run on) is above α can never
 * be rejected, so it is left out. The margins carry no information on the p-value under the null
 * hypothesis of these conditional tests, so leaving tests out by them keeps the FDR at α
 * ("independent filtering", Bourgon, Gentleman & Huber 2010; cf. Tarone 1990). Continuous tests
 * have a smallest p of 0 and always count.
 */
export function discreteFamily(minPs: readonly number[], alpha: number): boolean[] {
  return minPs.map((p) => p <= alpha);
}

/**
 * Benjamini–Hochberg: the adjusted p-values (q) of a family of tests, in input order. A
 * finding is reported when its q is below the chosen false-discovery rate. `m`, the family's
 * size, defaults to the number of p-values (see discreteFamily for a smaller one).
 */
export function benjaminiHochberg(ps: readonly number[], m: number = ps.length): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => b[0] - a[0]);
  const q = new Array<number>(ps.length);
  let min = 1;
  order.forEach(([p, i], j) => {
    const rank = ps.length - j;
    min = Math.min(min, (p * m) / rank);
    q[i] = min;
  });
  return q;
}

/**
 * Quasi-binomial dispersion of a share across minutes: Pearson's X² of each minute's successes
 * (x of n) against the pooled share, over its degrees of freedom, at least 1 (1 when fewer than
 * two minutes have trials, or the pooled share is 0 or 1). Above 1, the share moves from minute
 * to minute more than independent trials would.
 */
export function binomialDispersion(minutes: ReadonlyArray<readonly [number, number]>): number {
  const used = minutes.filter(([, n]) => n > 0);
  if (used.length < 2) return 1;
  let xs = 0;
  let ns = 0;
  for (const [x, n] of used) {
    xs += x;
    ns += n;
  }
  const p = xs / ns;
  if (p <= 0 || p >= 1) return 1;
  let chi = 0;
  for (const [x, n] of used) chi += (x - n * p) ** 2 / (n * p * (1 - p));
  return Math.max(1, chi / (used.length - 1));
}

/**
 * A test's result with its z divided by √phi (quasi-likelihood: the variance inflated by the
 * dispersion phi), its p recomputed, for a test of `sides` sides; unchanged when phi ≤ 1.
 */
export function deflate(t: TestResult, phi: number, sides: 1 | 2 = 2): TestResult {
  if (!(phi > 1) || t.p >= 1) return t;
  const z = normalQuantileSf(Math.max(t.p, 1e-300) / sides) / Math.sqrt(phi);
  return { statistic: Math.sign(t.statistic) * z, p: Math.min(1, sides * normalSf(z)) };
}
