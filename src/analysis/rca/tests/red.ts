// RED tests (requests, errors, duration), each in the direction a fault moves it, against the
// recent baseline only (they follow load, so a week-old reference says little):
//  - latency, per service and endpoint, and per caller→callee edge: Mann–Whitney U on the
//    latency sketches' bins (tie-corrected normal approximation), one-sided (slower), its z
//    divided by the square root of the baseline's own minute-to-minute dispersion (each baseline
//    minute against the rest), kept only when P(incident > baseline) exceeds ½ by `minEffect`;
//  - error rate (requests or edge calls): Fisher's exact test, one-sided up;
//  - traffic (requests per minute of the service's telemetry): conditional binomial test of two
//    Poisson rates, two-sided (reported as context, never scored, and adjusted in a family of its
//    own: traffic moves because of callers);
//  - fan-out: a caller's calls to a callee per request it served, one-sided up.
// The service and endpoint tests (redDrafts) and the edge tests (edgeDrafts) are apart, so
// the edge half can become a family file of its own.
import { DDSketch } from '../../sketch/index.js';
import {
  fisherMinP,
  fisherTest,
  mannWhitneyBinned,
  mannWhitneyMinP,
  normalSf,
  poissonMinP,
  poissonRateTest,
} from '../stats.js';
import type { RcaInput, SignalKind } from '../types.js';
import { type Draft, Pair, type Side, observedMinutes, sideOf, twoSided, upsert } from './common.js';

export const RED_TESTS = {
  latency: 'Mann–Whitney U on latency sketch bins, one-sided (slower)',
  'error-rate': "Fisher's exact, one-sided (increase)",
  traffic: 'conditional binomial test of Poisson rates per minute of telemetry, two-sided',
} as const satisfies Partial<Record<SignalKind, string>>;

export const EDGE_TESTS = {
  'edge-latency': 'Mann–Whitney U on latency sketch bins, one-sided (slower)',
  'edge-errors': "Fisher's exact, one-sided (increase)",
  'edge-fanout':
    'conditional binomial test of Poisson rates, calls per request the caller served, one-sided (increase)',
} as const satisfies Partial<Record<SignalKind, string>>;

const TESTS = { ...RED_TESTS, ...EDGE_TESTS };

const MIN_LATENCY_SAMPLES = 5;
/** Vargha–Delaney "small" effect: P(incident > baseline) − ½ ≥ 0.06. */
export const DEFAULT_MIN_EFFECT = 0.06;

/** Requests (or calls), errors and latency of one key on one side. */
export interface Red {
  requests: number;
  errors: number;
  latency: DDSketch;
  /** Per minute (baseline side only), for the dispersion. */
  minutes: Map<number, DDSketch>;
}

export const newRed = (): Red => ({ requests: 0, errors: 0, latency: new DDSketch(), minutes: new Map() });

/** A baseline's latency: all of it and minute by minute. */
export interface Lat {
  all: DDSketch;
  minutes: Map<number, DDSketch>;
}

export function addLatency(acc: Red, side: Side, minuteMs: number, s: DDSketch): void {
  acc.latency.merge(s);
  if (side !== 'base') return;
  upsert(acc.minutes, minuteMs, () => new DDSketch()).merge(s);
}

function latencyBins(s: DDSketch): Array<[number, number]> {
  const bins = s.bins();
  if (s.zeros > 0) bins.unshift([Number.NEGATIVE_INFINITY, s.zeros]);
  return bins;
}

/** Bin counts of `all` less those of `part` (a minute's sketch out of the window's). */
function binsMinus(
  all: ReadonlyArray<[number, number]>,
  part: ReadonlyArray<[number, number]>,
): Array<[number, number]> {
  const left = new Map(all);
  for (const [k, c] of part) left.set(k, (left.get(k) ?? 0) - c);
  return [...left].filter(([, c]) => c > 0);
}

/**
 * How much more the latency distribution moves from minute to minute than independent samples
 * would (requests come in mixes, callers retry, caches warm): the mean square of each baseline
 * minute's Mann–Whitney z against the rest of the baseline, at least 1 (1 when fewer than two
 * minutes can be compared). Dividing an incident's z² by it calibrates the test to the
 * baseline's own variation (quasi-likelihood overdispersion).
 */
function latencyDispersion(perMinute: readonly DDSketch[], all: DDSketch): number {
  const minutesUsed = perMinute.filter(
    (m) => m.count >= MIN_LATENCY_SAMPLES && all.count - m.count >= MIN_LATENCY_SAMPLES,
  );
  if (minutesUsed.length < 2) return 1;
  const allBins = latencyBins(all);
  let sum = 0;
  for (const m of minutesUsed) {
    const mine = latencyBins(m);
    sum += mannWhitneyBinned(binsMinus(allBins, mine), mine).statistic ** 2;
  }
  return Math.max(1, sum / minutesUsed.length);
}

/**
 * Slower in the incident: one-sided Mann–Whitney, its z deflated by the baseline's dispersion,
 * with the effect at least ½ + minEffect. `test` names it (default: the kind's RED test).
 */
export function latencyDraft(
  kind: 'latency' | 'edge-latency' | 'self-time' | 'edge-time',
  service: string,
  key: string,
  b: Lat,
  i: DDSketch,
  minEffect: number,
  test?: string,
): Draft | null {
  if (b.all.count < MIN_LATENCY_SAMPLES || i.count < MIN_LATENCY_SAMPLES) return null;
  const t = mannWhitneyBinned(latencyBins(b.all), latencyBins(i));
  if (t.effect - 0.5 < minEffect || t.statistic <= 0) return null;
  const phi = latencyDispersion([...b.minutes.values()], b.all);
  const z = t.statistic / Math.sqrt(phi);
  return {
    kind,
    service,
    key,
    baseline: b.all.quantile(0.5),
    incident: i.quantile(0.5),
    unit: 'p50 ms',
    test: `${test ?? RED_TESTS.latency}${phi > 1 ? `, z ÷ √${phi.toFixed(1)} (the baseline's minute-to-minute dispersion)` : ''}`,
    statistic: z,
    p: normalSf(z),
    pMin: mannWhitneyMinP(b.all.count, i.count) / 2,
  };
}

function errorDraft(kind: 'error-rate' | 'edge-errors', service: string, key: string, b: Red, i: Red): Draft | null {
  if (i.errors === 0) return null;
  const t = fisherTest(b.errors, b.requests, i.errors, i.requests);
  if (t.statistic <= 0) return null;
  return {
    kind,
    service,
    key,
    baseline: b.errors / Math.max(1, b.requests),
    incident: i.errors / Math.max(1, i.requests),
    unit: 'error share',
    test: TESTS[kind],
    ...t,
    pMin: fisherMinP(b.errors + i.errors, b.requests, i.requests, 'greater'),
  };
}

/**
 * RED per service (all endpoints, key '*', with its traffic) and per endpoint, against the
 * recent baseline, appended to `out`: per key, latency then error rate. Returns the per-service
 * totals (edgeDrafts' fan-out divides by the caller's requests).
 */
export function redDrafts(input: RcaInput, out: Draft[], opts: { minEffect: number }): Pair<[string], Red> {
  const seen = observedMinutes(input, 'baseline');
  const svc = new Pair<[string], Red>(newRed);
  const ep = new Pair<[string, string], Red>(newRed);
  for (const r of input.red) {
    const side = sideOf(r.minuteMs, input, 'baseline');
    if (side === null) continue;
    for (const acc of [svc.at(side, [r.service]), ep.at(side, [r.service, r.endpoint])]) {
      acc.requests += r.requests;
      acc.errors += r.errors;
      addLatency(acc, side, r.minuteMs, r.latency);
    }
  }
  const tested = (service: string, endpoint: string, b: Red, i: Red): void => {
    const lat = latencyDraft(
      'latency',
      service,
      endpoint,
      { all: b.latency, minutes: b.minutes },
      i.latency,
      opts.minEffect,
    );
    if (lat) out.push(lat);
    const err = errorDraft('error-rate', service, endpoint, b, i);
    if (err) out.push(err);
  };
  for (const k of svc.keys()) {
    const [service] = k;
    const b = svc.base.get(k) ?? newRed();
    const i = svc.inc.get(k) ?? newRed();
    tested(service, '*', b, i);
    // Per minute in which the service reported anything: a gap in the data is not a drop.
    const rMin = Math.max(1, seen.base.get(k)?.n ?? 0);
    const iMin = Math.max(1, seen.inc.get(k)?.n ?? 0);
    const t = twoSided(poissonRateTest(b.requests, rMin, i.requests, iMin));
    out.push({
      kind: 'traffic',
      service,
      key: '*',
      baseline: b.requests / rMin,
      incident: i.requests / iMin,
      unit: 'requests per minute',
      test: TESTS.traffic,
      ...t,
      pMin: 0,
    });
  }
  for (const k of ep.keys()) {
    const [service, endpoint] = k;
    tested(service, endpoint, ep.base.get(k) ?? newRed(), ep.inc.get(k) ?? newRed());
  }
  return svc;
}

/**
 * Per call edge, the baseline's and the incident's calls, failures (as `failed` reads them from a
 * row) and latency: the edge rows of the service graph or of the span trees' own time.
 */
export function edgeSides<
  R extends { minuteMs: number; caller: string; callee: string; calls: number; latency: DDSketch },
>(input: RcaInput, rows: readonly R[], failed: (r: R) => number): Pair<[string, string], Red> {
  const edge = new Pair<[string, string], Red>(newRed);
  for (const r of rows) {
    const side = sideOf(r.minuteMs, input, 'baseline');
    if (side === null) continue;
    const e = edge.at(side, [r.caller, r.callee]);
    e.requests += r.calls;
    e.errors += failed(r);
    addLatency(e, side, r.minuteMs, r.latency);
  }
  return edge;
}

/**
 * Edges, against the recent baseline: latency and errors of the callee as its callers see
 * them, and the caller's fan-out, appended to `out`. Returns the caller→callee links that
 * carried errors in the incident with nothing to compare them with: neither the edge nor its
 * caller was seen in the baseline (a world, or a pair of services, younger than the window).
 * No test can say such an edge changed; the errors on it are what shows the path carries the
 * callee's failure. A new edge from a caller that was already running is not one: a new call
 * path is the caller's own change.
 */
export function edgeDrafts(
  input: RcaInput,
  out: Draft[],
  opts: { svc: Pair<[string], Red>; minEffect: number },
): Set<string> {
  const { svc, minEffect } = opts;
  const unbaselined = new Set<string>();
  const edge = edgeSides(input, input.edges, (r) => r.errors);
  for (const k of edge.keys()) {
    const [caller, callee] = k;
    const b = edge.base.get(k) ?? newRed();
    const i = edge.inc.get(k) ?? newRed();
    const key = `${caller}→${callee}`;
    const lat = latencyDraft('edge-latency', callee, key, { all: b.latency, minutes: b.minutes }, i.latency, minEffect);
    if (lat) out.push(lat);
    const err = errorDraft('edge-errors', callee, key, b, i);
    if (err) out.push(err);
    const rb = svc.base.get([caller])?.requests ?? 0;
    const ri = svc.inc.get([caller])?.requests ?? 0;
    if (b.requests === 0 && rb === 0 && i.errors > 0) unbaselined.add(key);
    // Fan-out: the caller's calls to this callee per request the caller served. A rise is the
    // caller's own change (an N+1, a new retry loop), attributed to the caller; it also
    // explains the callee's extra traffic.
    if (rb > 0 && ri > 0 && b.requests > 0) {
      const t = poissonRateTest(b.requests, rb, i.requests, ri);
      if (t.statistic > 0) {
        out.push({
          kind: 'edge-fanout',
          service: caller,
          key,
          baseline: b.requests / rb,
          incident: i.requests / ri,
          unit: 'calls per request',
          test: TESTS['edge-fanout'],
          ...t,
          pMin: poissonMinP(b.requests + i.requests, rb, ri, 'greater'),
        });
      }
    }
  }
  return unbaselined;
}
