// sim-failure@1: what happens to each entry endpoint when one service fails (down, slow, or
// failing a share of its requests). A Monte Carlo over each entry's sampled request trees
// (failure-walk): calls into the failed service fail or slow down attempt by attempt under their
// callers' timeouts and retries, callers above time out where the added delay passes their
// timeouts, and a failure reaches the request as often as the window measured (else as assumed);
// the outcome follows the same definitions as the measurements it is checked against. Intervals:
// bootstrap replicates of each entry's sampled trees and of the propagation shares.
import type {
  FailureEndpointPrediction,
  FailureMode,
  FailureOutcome,
  FailureSimulationResult,
  Figure,
} from '../../model/index.js';
import {
  DETACHED_SHARE,
  type Propagation,
  drawPropagation,
  edgePropagation,
  entryPropagation,
  failureInputs,
  retriesErrors,
} from './failure-inputs.js';
import { describeMode, parseFailureMode } from './failure-mode.js';
import { type WalkSettings, type WalkTrace, pathsToFailed, walkRequest } from './failure-walk.js';
import { SimulationInputError } from './overrides.js';
import { Random, quantileSorted } from './stats.js';
import type { Calibration, TreeSample } from './types.js';

export const SIM_FAILURE_ALGORITHM = 'sim-failure@1';

export interface FailureRequest {
  service: string;
  /** `down`, `slow=2s`, `errors=30%`. */
  mode: string;
}

export interface FailureOptions {
  /** Bootstrap replicates behind the intervals (default 30; 0: no intervals). */
  replicates?: number;
  /** Requests drawn per entry for the estimate (default 1,000) and per replicate (default 300). */
  draws?: number;
  replicateDraws?: number;
  seed?: number;
}

/** The outcome thresholds: an error rate this high is a failure; these rises are a degradation. */
export const FAILED_ERROR_RATE = 0.5;
export const DEGRADED_ERROR_POINTS = 0.05;
export const DEGRADED_P95_RATIO = 2;
export const DEGRADED_P95_MS = 250;

export const FAILURE_DEFINITIONS: readonly string[] = [
  `failed: the error rate is ${FAILED_ERROR_RATE * 100}% or more`,
  `degraded: the error rate rises ${DEGRADED_ERROR_POINTS * 100} points or more, or the p95 latency is at least ${DEGRADED_P95_RATIO}× its baseline and ${DEGRADED_P95_MS} ms above it`,
  'unaffected: neither (an answer a fallback changed without failing or slowing the request is not predicted)',
];

export const FAILURE_ASSUMPTIONS: readonly string[] = [
  'Each request keeps its sampled shape: the same calls, in the same order, with the same durations, except what the failure changes.',
  'down: every attempt to call the failed service fails at once (connections refused); its callers see an error without waiting.',
  'slow: every answer of the failed service comes the given delay later; a caller whose attempt timeout is passed gives up at the timeout and makes its next attempt, if any.',
  'errors: each attempt to call the failed service fails with the given probability, independently, taking as long as the failed calls measured on that edge (at once when none was seen); a failed answer is retried only where the traces showed retries after failed answers, or where no retry was seen and the env sets several attempts; a request the failed service itself serves fails with that probability at once.',
  'A call waiting on slowed calls below it takes their added delay (calls that overlapped in the sample ran in parallel: the largest delay of a group counts) and times out where that passes its own timeout; a timeout the call already outlived in the sample is not taken as in force.',
  "A failure reaches the request as often as failed calls on that edge failed their requests in the window (the endpoint's own requests when at least 5 had one); never seen: assumed to always fail it, the intervals drawing the share from 50% to 100%.",
  'Calls their caller does not wait for (messages, calls that mostly outlive the visit that made them) neither delay nor fail the request.',
  "Load does not change: the failed service's callers send the same traffic, and nothing queues longer because of the failure (see simulate load for that).",
];

/** The outcome of an endpoint, by the definitions above. */
export function failureOutcome(
  baseline: { errorRate: number; p95: number | null },
  predicted: { errorRate: number; p95: number | null },
): FailureOutcome {
  if (predicted.errorRate >= FAILED_ERROR_RATE) return 'failed';
  if (predicted.errorRate - baseline.errorRate >= DEGRADED_ERROR_POINTS) return 'degraded';
  const p95 = predicted.p95 ?? Number.POSITIVE_INFINITY;
  const base = baseline.p95 ?? 0;
  if (p95 >= DEGRADED_P95_RATIO * base && p95 - base >= DEGRADED_P95_MS) return 'degraded';
  return 'unaffected';
}

interface EntryRun {
  errorRate: number;
  p50: number;
  p95: number;
  /** Share of draws in which a call timed out on each edge. */
  timedOut: Map<number, number>;
  /** Share of draws in which a failure reached the request. */
  failedByFault: number;
}

interface Model {
  cal: Calibration;
  ws: WalkSettings;
  entryIsFailed: boolean[];
}

/** One entry's requests under the failure: `picks` of its samples, with `prop(edge)` the share reaching the request. */
function runEntry(
  m: Model,
  entry: number,
  picks: readonly number[],
  prop: (edge: number) => number,
  r: Random,
): EntryRun {
  const e = m.cal.entries[entry] as Calibration['entries'][number];
  const xs = new Float64Array(picks.length);
  let failed = 0;
  let byFault = 0;
  const timedOut = new Map<number, number>();
  const mode = m.ws.mode;
  picks.forEach((p, d) => {
    const t = e.samples[p] as TreeSample;
    const trace: WalkTrace = { timedOut: new Set(), reached: false };
    let fail = false;
    let ms: number;
    if (m.entryIsFailed[entry] && (mode.kind === 'down' || (mode.kind === 'errors' && r.next() < mode.rate))) {
      fail = true;
      ms = 0;
    } else {
      const res = walkRequest(t, m.ws, r, trace);
      ms = res.ms + (m.entryIsFailed[entry] && mode.kind === 'slow' ? mode.delayMs : 0);
      const draws = new Map<number, number>();
      for (const o of res.origins) {
        let u = draws.get(o);
        if (u === undefined) {
          u = r.next();
          draws.set(o, u);
        }
        if (u < prop(o)) fail = true;
      }
    }
    if (fail) byFault++;
    if (fail || t.error) failed++;
    for (const x of trace.timedOut) timedOut.set(x, (timedOut.get(x) ?? 0) + 1);
    xs[d] = ms;
  });
  xs.sort();
  const n = picks.length || 1;
  for (const [k, v] of timedOut) timedOut.set(k, v / n);
  return {
    errorRate: failed / n,
    p50: quantileSorted(xs, 0.5),
    p95: quantileSorted(xs, 0.95),
    timedOut,
    failedByFault: byFault / n,
  };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

function figure(value: number, reps: readonly number[]): Figure {
  if (reps.length === 0) return { value: finite(value), p10: finite(value), p90: finite(value) };
  const s = [...reps].sort((a, b) => a - b);
  return { value: finite(value), p10: finite(quantileSorted(s, 0.1)), p90: finite(quantileSorted(s, 0.9)) };
}

const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;

/** Predicts every entry endpoint's outcome with `req.service` failed as `req.mode` says. */
export function simulateFailure(
  cal: Calibration,
  req: FailureRequest,
  options: FailureOptions = {},
): FailureSimulationResult {
  const opts = {
    replicates: options.replicates ?? 30,
    draws: options.draws ?? 1000,
    replicateDraws: options.replicateDraws ?? 300,
    seed: options.seed ?? 1,
  };
  const mode: FailureMode = parseFailureMode(req.mode);
  const failed = cal.services.findIndex((s) => s.service === req.service);
  if (failed < 0) {
    const names = cal.services.map((s) => s.service).sort();
    throw new SimulationInputError(
      `no service "${req.service}" in the calibration window${names.length ? `; services: ${names.join(', ')}` : ' (it saw none)'}`,
    );
  }
  const serviceIndex = new Map(cal.services.map((s, i) => [s.service, i]));
  const callee = cal.edges.map((e) => serviceIndex.get(e.callee) as number);
  const caller = cal.edges.map((e) => serviceIndex.get(e.caller) as number);
  const failMs = cal.edges.map((e, i) => {
    if (callee[i] !== failed || mode.kind !== 'errors') return null;
    return e.failedDuration
      ? { ms: e.failedDuration.p50, measured: true, source: `${e.failedDuration.n} failed calls' median duration` }
      : { ms: 0, measured: false, source: 'no failed call seen: a failing attempt is assumed to fail at once' };
  });
  const ws: WalkSettings = {
    failed,
    mode,
    callee,
    timeouts: cal.edges.map((e) => e.attemptTimeoutsMs.value),
    detached: cal.edges.map((e) => e.calls > 0 && e.detached / e.calls >= DETACHED_SHARE),
    failMs: failMs.map((f) => f?.ms ?? 0),
    retriesErrors: cal.edges.map((e) => retriesErrors(e).value),
  };
  const m: Model = { cal, ws, entryIsFailed: cal.entries.map((e) => e.service === req.service) };
  const edgeProps = edgePropagation(cal);
  const entryProps = entryPropagation(cal);
  const propOf = (entry: number, edge: number): Propagation =>
    (entryProps[entry] as Map<number, Propagation>).get(edge) ?? (edgeProps[edge] as Propagation);

  // The estimate: each entry's samples in turn, as many rounds as the draws take.
  const point = cal.entries.map((e, i) => {
    const n = e.samples.length;
    const picks = n === 0 ? [] : Array.from({ length: Math.max(opts.draws, n) }, (_, d) => d % n);
    return runEntry(m, i, picks, (edge) => propOf(i, edge).value, new Random(opts.seed * 7919 + i));
  });
  // Replicates: each entry's samples drawn with replacement, each propagation share drawn.
  const random = new Random(opts.seed * 2654435761);
  const reps: EntryRun[][] = [];
  for (let k = 0; k < opts.replicates; k++) {
    const drawn = new Map<string, number>();
    reps.push(
      cal.entries.map((e, i) => {
        const n = e.samples.length;
        const picks = n === 0 ? [] : Array.from({ length: opts.replicateDraws }, () => random.int(n));
        const prop = (edge: number) => {
          const p = propOf(i, edge);
          const key = p === edgeProps[edge] ? `e${edge}` : `${i}:${edge}`;
          let v = drawn.get(key);
          if (v === undefined) {
            v = drawPropagation(p, random);
            drawn.set(key, v);
          }
          return v;
        };
        return runEntry(m, i, picks, prop, new Random(opts.seed * 31 + k * 1009 + i));
      }),
    );
  }

  const name = (i: number) => cal.services[i]?.service ?? '?';
  const onPath = new Set<number>();
  const endpoints: FailureEndpointPrediction[] = cal.entries.map((e, i) => {
    const p = point[i] as EntryRun;
    const over = (f: (x: EntryRun) => number) => reps.map((r) => f(r[i] as EntryRun));
    const errorRate = figure(
      p.errorRate,
      over((x) => x.errorRate),
    );
    const p95 = figure(
      p.p95,
      over((x) => x.p95),
    );
    const baseline = { p50: e.latency.p50, p95: e.latency.p95, errorRate: e.errorRate, requests: e.requests };
    const outcome =
      e.samples.length === 0 ? 'unaffected' : failureOutcome(baseline, { errorRate: p.errorRate, p95: p.p95 });
    // How the failure reaches it: the paths seen in its samples, and the share of them that reach it.
    const pathCount = new Map<string, number>();
    let reaching = 0;
    const root = serviceIndex.get(e.service) as number;
    for (const t of e.samples) {
      const paths = pathsToFailed(t, root, caller, ws);
      if (paths.length > 0 || m.entryIsFailed[i]) reaching++;
      for (const path of paths) {
        const k = path.map(name).join(' → ');
        pathCount.set(k, (pathCount.get(k) ?? 0) + 1);
        for (let s = 1; s < path.length; s++) {
          const edge = cal.edges.findIndex(
            (x) => x.caller === name(path[s - 1] as number) && x.callee === name(path[s] as number),
          );
          if (edge >= 0) onPath.add(edge);
        }
      }
    }
    const reach = e.samples.length ? reaching / e.samples.length : 0;
    const paths = [...pathCount]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k]) => k);
    return {
      service: e.service,
      endpoint: e.endpoint,
      outcome,
      rate: e.ratePerSec,
      baseline,
      errorRate,
      p50: figure(
        p.p50,
        over((x) => x.p50),
      ),
      p95,
      reach,
      paths,
      why: whyOf(m, i, p, reach, paths, (edge) => propOf(i, edge), outcome),
      people: null,
      tickets: [],
    };
  });
  const rank: Record<FailureOutcome, number> = { failed: 0, degraded: 1, unaffected: 2 };
  endpoints.sort((a, b) => rank[a.outcome] - rank[b.outcome] || b.rate - a.rate);
  const inputs = failureInputs(cal, onPath, edgeProps, entryProps, failMs);
  const warnings = [...cal.warnings];
  if (!cal.entries.some((e) => e.samples.some((t) => t.calls !== undefined)))
    warnings.push('the calibration kept no request trees: nothing to walk');
  return {
    kind: 'failure',
    algorithm: SIM_FAILURE_ALGORITHM,
    window: { since: new Date(cal.window.startMs).toISOString(), until: new Date(cal.window.endMs).toISOString() },
    service: req.service,
    mode,
    modeText: req.mode.trim(),
    endpoints,
    summary: {
      failed: endpoints.filter((x) => x.outcome === 'failed').length,
      degraded: endpoints.filter((x) => x.outcome === 'degraded').length,
      unaffected: endpoints.filter((x) => x.outcome === 'unaffected').length,
    },
    people: null,
    tickets: [],
    definitions: [...FAILURE_DEFINITIONS],
    inputs,
    validity: {
      measured: inputs.filter((x) => x.validity === 'measured').length,
      assumed: inputs.filter((x) => x.validity === 'assumed').length,
    },
    assumptions: [...FAILURE_ASSUMPTIONS],
    warnings,
    replicates: opts.replicates,
    sampled: cal.sampled,
    traces: cal.traces,
  };
}

/** The outcome in words: what reaches the failed service, what times out, how a failure reaches the request. */
function whyOf(
  m: Model,
  entry: number,
  run: EntryRun,
  reach: number,
  paths: readonly string[],
  prop: (edge: number) => Propagation,
  outcome: FailureOutcome,
): string {
  const e = m.cal.entries[entry] as Calibration['entries'][number];
  const failedName = m.cal.services[m.ws.failed]?.service ?? '?';
  const mode = describeMode(m.ws.mode);
  if (m.entryIsFailed[entry]) return `served by ${failedName} itself, ${mode}`;
  if (reach === 0) return `none of its ${e.samples.length} sampled requests calls ${failedName}`;
  const parts = [`${pct(reach)} of its sampled requests call ${failedName} (${paths.join('; ')})`];
  const timed = [...run.timedOut].sort((a, b) => b[1] - a[1]);
  for (const [edge, share] of timed.slice(0, 3)) {
    const x = m.cal.edges[edge] as Calibration['edges'][number];
    const ts = m.ws.timeouts[edge] ?? [];
    parts.push(
      `${x.caller} → ${x.callee} gives up after ${ts.length === 1 ? `its ${ts[0]} ms timeout` : `${ts.length} attempts (${ts.map((t) => (t === null ? 'no timeout' : `${Math.round(t)} ms`)).join(', ')})`} in ${pct(share)} of requests`,
    );
  }
  if (run.failedByFault > 0) {
    const origins = new Set<number>([...run.timedOut.keys()]);
    m.cal.edges.forEach((_, i) => {
      if (m.ws.callee[i] === m.ws.failed && m.ws.mode.kind !== 'slow') origins.add(i);
    });
    const said = [...origins]
      .map((i) => ({ i, p: prop(i) }))
      .filter((x) => paths.some((p) => p.includes(`${m.cal.edges[x.i]?.caller} → ${m.cal.edges[x.i]?.callee}`)))
      .slice(0, 3)
      .map(({ i, p }) => {
        const x = m.cal.edges[i] as Calibration['edges'][number];
        return `a failed call ${x.caller} → ${x.callee} fails ${pct(p.value)} of requests (${p.validity})`;
      });
    parts.push(...said);
  } else if (outcome === 'unaffected' && m.ws.mode.kind !== 'slow')
    parts.push('its failures are absorbed before the request fails');
  return parts.join('; ');
}
