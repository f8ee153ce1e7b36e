// The simulation bench's judgements, pure: what the running shop's measurements say (a
// step's saturated resources, the ladder's knee, an endpoint's outcome under a fault or a
// mutant) and how a prediction compares with them (issue 19's targets: p95 within 25% where
// the measured p95 is under the timeout, error rate within 5 points, the right first
// bottleneck, the knee within one step; failure F1 over affected endpoints and error rate
// within 10 points; mutation recall and precision per function).
import type { EndpointStats } from '../../src/demo/index.js';

export type ResourceKind = 'cpu' | 'pool';
export interface Bottleneck {
  service: string;
  resource: ResourceKind;
}

/** What the model says about one entry endpoint. Intervals are [low, high], e.g. its 10th–90th percentile. */
export interface PredictedEndpoint {
  endpoint: string;
  p50Ms: number | null;
  p95Ms: number | null;
  errorRate: number | null;
  p95Interval: [number, number] | null;
  errorRateInterval: [number, number] | null;
}

export interface LoadPrediction {
  factor: number;
  endpoints: PredictedEndpoint[];
  bottleneck: Bottleneck | null;
  /** The load factor at which the model says latency takes off; null when it says none. */
  kneeFactor: number | null;
}

export type Outcome = 'failed' | 'degraded' | 'unaffected';

export interface FailurePrediction {
  endpoints: { endpoint: string; outcome: Outcome; errorRate: number | null; p95Ms: number | null }[];
}

export interface ChangePrediction {
  /** Entry endpoints the change is predicted to expose. */
  endpoints: string[];
}

/** One measured rung of a ladder. */
export interface MeasuredStep {
  factor: number;
  /** False when the host was too busy for the step to count (over 80% CPU). */
  valid: boolean;
  endpoints: EndpointStats[];
  /** Resources at their limit during the step (see `saturatedResources`). */
  saturated: Bottleneck[];
}

/** A service's use of its limits during a step, as the world measured it. */
export interface ServiceUse {
  service: string;
  replicas: number;
  /** Mean CPU over the step, millicores (all replicas). */
  cpuM: number;
  /** Per replica; null when unlimited. */
  cpuLimitM: number | null;
  /** cpuM / (limit × replicas); null when unlimited. */
  cpuOfLimit: number | null;
  /** Share of CPU periods in which a replica was held back. */
  throttledShare: number | null;
  /** Requests that gave up waiting for a pooled connection (the service's own logs). */
  poolTimeouts: number;
}

/** A CPU limit counts as reached at this share of it (the governor holds the rest back). */
export const CPU_SATURATED = 0.85;
/**
 * …or when it held the service back in this share of its periods: on a busy host a service
 * can hit its quota in bursts yet get less than its limit on average.
 */
export const THROTTLED_SATURATED = 0.25;

/** Resources at their limit: CPU at ≥ 85% of the limit or throttled in ≥ 25% of periods, a pool that made requests give up. */
export function saturatedResources(uses: readonly ServiceUse[]): Bottleneck[] {
  const out: Bottleneck[] = [];
  for (const u of uses) {
    const cpu = (u.cpuOfLimit ?? 0) >= CPU_SATURATED || (u.throttledShare ?? 0) >= THROTTLED_SATURATED;
    if (cpu) out.push({ service: u.service, resource: 'cpu' });
    if (u.poolTimeouts > 0) out.push({ service: u.service, resource: 'pool' });
  }
  return out;
}

const sameBottleneck = (a: Bottleneck, b: Bottleneck) => a.service === b.service && a.resource === b.resource;

/** The lowest rung with a saturated resource, and its resources; null when none saturated. */
export function firstBottleneck(steps: readonly MeasuredStep[]): { factor: number; resources: Bottleneck[] } | null {
  const hit = [...steps].sort((a, b) => a.factor - b.factor).find((s) => s.saturated.length > 0);
  return hit ? { factor: hit.factor, resources: hit.saturated } : null;
}

const share = (n: number, d: number) => (d > 0 ? n / d : 0);

/** Whether an endpoint's latency "took off" against the 1× reference: p95 at least doubled (and up 200 ms), or errors up 5 points. */
export function tookOff(base: EndpointStats, step: EndpointStats): boolean {
  if (step.requests === 0 || base.requests === 0) return false;
  const p95 = step.p95Ms ?? 0;
  const ref = base.p95Ms ?? 0;
  if (p95 >= 2 * ref && p95 - ref >= 200) return true;
  return (step.errorRate ?? 0) - (base.errorRate ?? 0) >= 0.05;
}

/** The knee: the lowest rung above 1× where some endpoint took off; null when none did. */
export function measuredKnee(base: readonly EndpointStats[], steps: readonly MeasuredStep[]): number | null {
  const ref = new Map(base.map((e) => [e.endpoint, e]));
  for (const s of [...steps].sort((a, b) => a.factor - b.factor)) {
    if (s.factor <= 1) continue;
    if (s.endpoints.some((e) => ref.has(e.endpoint) && tookOff(ref.get(e.endpoint)!, e))) return s.factor;
  }
  return null;
}

export interface Tally {
  hits: number;
  scored: number;
}

export interface LadderScore {
  p95: Tally;
  errorRate: Tally;
  /** How often the measured value fell inside the predicted interval (p95 and error rate). */
  coverage: Tally;
  bottleneck: { predicted: Bottleneck | null; measured: Bottleneck[] | null; right: boolean | null };
  knee: { predicted: number | null; measured: number | null; right: boolean | null };
  /** Rungs left out because the host was too busy. */
  invalidSteps: number[];
}

export interface LadderScoreOptions {
  /** The load driver's request timeout: p95 is scored only where the measured p95 is under it. */
  timeoutMs: number;
  /** The ladder's rungs; a knee beyond the last counts as the next rung. */
  factors: readonly number[];
}

const within = (pred: number, meas: number, rel: number) => Math.abs(pred - meas) <= rel * meas;

/**
 * Compares one ladder's predictions (by factor) with its measured rungs. Invalid rungs are
 * left out; the knee and the bottleneck are not scored when a rung up to them was invalid.
 */
export function scoreLadder(
  base: readonly EndpointStats[],
  steps: readonly MeasuredStep[],
  predictions: ReadonlyMap<number, LoadPrediction>,
  opts: LadderScoreOptions,
): LadderScore {
  const out: LadderScore = {
    p95: { hits: 0, scored: 0 },
    errorRate: { hits: 0, scored: 0 },
    coverage: { hits: 0, scored: 0 },
    bottleneck: { predicted: null, measured: null, right: null },
    knee: { predicted: null, measured: null, right: null },
    invalidSteps: steps.filter((s) => !s.valid).map((s) => s.factor),
  };
  for (const s of steps) {
    const p = predictions.get(s.factor);
    if (!p || !s.valid) continue;
    for (const m of s.endpoints) {
      const e = p.endpoints.find((x) => x.endpoint === m.endpoint);
      if (!e || m.requests === 0) continue;
      if (m.p95Ms !== null && m.p95Ms < opts.timeoutMs && e.p95Ms !== null) {
        out.p95.scored++;
        if (within(e.p95Ms, m.p95Ms, 0.25)) out.p95.hits++;
      }
      if (m.errorRate !== null && e.errorRate !== null) {
        out.errorRate.scored++;
        if (Math.abs(e.errorRate - m.errorRate) <= 0.05) out.errorRate.hits++;
      }
      const underTimeout = m.p95Ms !== null && m.p95Ms < opts.timeoutMs;
      for (const [iv, v] of [
        [underTimeout ? e.p95Interval : null, m.p95Ms],
        [e.errorRateInterval, m.errorRate],
      ] as const) {
        if (!iv || v === null) continue;
        out.coverage.scored++;
        if (v >= iv[0] && v <= iv[1]) out.coverage.hits++;
      }
    }
  }
  const any = [...predictions.values()];
  const beyond = (opts.factors.at(-1) ?? 1) + 1;
  const firstInvalid = Math.min(...out.invalidSteps, Number.POSITIVE_INFINITY);

  out.knee.predicted = any.find((p) => p.kneeFactor !== null)?.kneeFactor ?? null;
  out.knee.measured = measuredKnee(base, steps);
  if (any.length > 0 && (out.knee.measured ?? beyond) < firstInvalid) {
    const pred = Math.min(out.knee.predicted ?? beyond, beyond);
    out.knee.right = Math.abs(pred - (out.knee.measured ?? beyond)) <= 1;
  }

  out.bottleneck.predicted = any.find((p) => p.bottleneck !== null)?.bottleneck ?? null;
  const first = firstBottleneck(steps);
  out.bottleneck.measured = first?.resources ?? null;
  if (any.length > 0 && first && first.factor < firstInvalid) {
    const pred = out.bottleneck.predicted;
    out.bottleneck.right = pred !== null && first.resources.some((r) => sameBottleneck(r, pred));
  }
  return out;
}

/** How an endpoint fared under a fault or a mutant, against the same traffic without it. */
export function classify(base: EndpointStats, during: EndpointStats): Outcome | null {
  if (during.requests === 0 || base.requests === 0) return null;
  const rate = during.errorRate ?? 0;
  if (rate >= 0.5) return 'failed';
  const baseRate = base.errorRate ?? 0;
  const extraErrors = during.errors - baseRate * during.requests;
  if (rate - baseRate >= 0.05 && extraErrors >= 2) return 'degraded';
  const p95 = during.p95Ms ?? 0;
  const ref = base.p95Ms ?? 0;
  if (p95 >= 2 * ref && p95 - ref >= 250) return 'degraded';
  const wrong = share(during.wrongAnswers, during.requests) - share(base.wrongAnswers, base.requests);
  if (wrong >= 0.05 && during.wrongAnswers >= 2) return 'degraded';
  return 'unaffected';
}

export interface BinaryScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Precision, recall and F1 of predicted against measured labels; F1 is null without any pair. */
export function binaryScore(pairs: readonly { predicted: boolean; measured: boolean }[]): BinaryScore {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of pairs) {
    if (p.predicted && p.measured) tp++;
    else if (p.predicted) fp++;
    else if (p.measured) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : null;
  const recall = tp + fn ? tp / (tp + fn) : null;
  let f1: number | null = null;
  if (pairs.length > 0) {
    // Nothing affected and nothing predicted is a perfect answer; otherwise the harmonic mean.
    if (tp + fp + fn === 0) f1 = 1;
    else f1 = (2 * tp) / (2 * tp + fp + fn);
  }
  return { tp, fp, fn, precision, recall, f1 };
}

/** One function's recall (of the endpoints it affected) and precision (of those predicted); null where undefined. */
export function setScore(
  predicted: ReadonlySet<string>,
  measured: ReadonlySet<string>,
): { recall: number | null; precision: number | null } {
  const both = [...predicted].filter((e) => measured.has(e)).length;
  return {
    recall: measured.size ? both / measured.size : null,
    precision: predicted.size ? both / predicted.size : null,
  };
}

/** The mean of the defined values; null when none is. */
export function meanOf(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}
