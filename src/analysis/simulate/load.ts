// sim-load@2: what happens at `factor` times the calibrated traffic (of one entry endpoint, or of
// all), with `--set` changes: per entry endpoint p50/p95 and error rate, per service its
// utilization and queueing, the first resource to saturate and the factor at which latency takes
// off; each figure with its interval over bootstrap replicates of the calibration.
import type {
  Bottleneck,
  EdgePrediction,
  EndpointPrediction,
  Figure,
  LoadSimulationResult,
  ResourcePrediction,
  ServicePrediction,
} from '../../model/index.js';
import { type EndpointState, endpointsAt } from './endpoints.js';
import { bootstrapInputs, pointInputs } from './inputs.js';
import { type NetworkState, type PreparedModel, prepare, stateAt } from './network.js';
import { type ModelSettings, SimulationInputError, applySettings } from './overrides.js';
import { Random, quantileSorted } from './stats.js';
import { inputsOf } from './validity.js';
import type { Calibration } from './types.js';

export const SIM_LOAD_ALGORITHM = 'sim-load@2';

export interface LoadRequest {
  factor: number;
  /** `service endpoint`, or an endpoint name unique among the entries; null: all. */
  endpoint: string | null;
  set: readonly string[];
}

export interface LoadOptions {
  /** Bootstrap replicates behind the intervals (default 30; 0: no intervals). */
  replicates?: number;
  /** Latency draws per endpoint at the simulated load (default 800; 400 in each replicate) and per scan step (default 200). */
  draws?: number;
  replicateDraws?: number;
  scanDraws?: number;
  /** The largest load factor the knee and bottleneck scans reach (default 20). */
  maxFactor?: number;
  seed?: number;
}

export const MAX_FACTOR = 1000;
/** p95 this many times its 1× value is where latency "takes off". */
export const KNEE_RATIO = 2;
/** Endpoints with less than this share of the entry requests do not set the overall knee. */
const KNEE_MIN_SHARE = 0.01;

export const LOAD_ASSUMPTIONS: readonly string[] = [
  'Each service is an M/G/c station on the CPU (replicas × workers) and, where a pool is set, another on its pool (replicas × pool size); mean waits by the Allen–Cunneen approximation, with the arrivals as bursty as the measured gaps between visits and the service times as variable as measured.',
  "A visit's measured time holds the queueing it met at the calibrated load; the demand is that time less the queueing the model gives at that load.",
  'Each request keeps its measured shape (its path, its parallel calls, self time that is not CPU): only the waits change, drawn at each visit; waits of calls made in parallel are added, an upper bound for fan-out.',
  'A queue that saturates with no timeout grows for as long as the load lasts: its latency is unbounded, and the share beyond capacity is counted as failed (clients give up).',
  'A caller retries only after a timeout, and the timed-out attempt keeps running at the callee (the load adds up).',
  'An autoscaler on CPU settles within its bounds at its target (the steady state after scaling, never below the replicas seen).',
  'The mix of endpoints and the paths their requests take stay as calibrated.',
];

/** The factors the knee and bottleneck scans step through. */
export function scanFactors(max: number): number[] {
  const out: number[] = [];
  for (let f = 1.25; f <= Math.min(4, max) + 1e-9; f += 0.25) out.push(Number(f.toFixed(2)));
  for (let f = 4.5; f <= Math.min(8, max) + 1e-9; f += 0.5) out.push(f);
  for (let f = 9; f <= max + 1e-9; f += 1) out.push(f);
  return out;
}

/** The entries `endpoint` names (all when null); a name that matches none or several throws. */
export function entriesNamed(cal: Calibration, endpoint: string | null): Set<number> {
  if (endpoint === null) return new Set(cal.entries.map((_, i) => i));
  const want = endpoint.trim();
  const exact = cal.entries.flatMap((e, i) => (`${e.service} ${e.endpoint}` === want ? [i] : []));
  if (exact.length > 0) return new Set(exact);
  const byName = cal.entries.flatMap((e, i) => (e.endpoint === want ? [i] : []));
  if (byName.length === 1) return new Set(byName);
  const list = cal.entries.slice(0, 15).map((e) => `"${e.service} ${e.endpoint}"`);
  if (byName.length > 1)
    throw new SimulationInputError(
      `--endpoint "${endpoint}" is served by ${byName.map((i) => cal.entries[i]?.service).join(', ')}: name it as "service endpoint"`,
    );
  throw new SimulationInputError(
    `--endpoint "${endpoint}" is not an entry endpoint in the calibration window${list.length ? `; entry endpoints: ${list.join(', ')}${cal.entries.length > 15 ? ', …' : ''}` : ' (it saw none)'}`,
  );
}

interface RunResult {
  state: NetworkState;
  endpoints: Array<EndpointState | null>;
  /** Per entry, the knee (Infinity: not below maxFactor). */
  knees: number[];
  kneeAll: number;
  bottleneck: { service: number; resource: 'cpu' | 'pool'; at: number } | null;
  baseline: NetworkState;
}

function maxUtilization(st: NetworkState): { service: number; resource: 'cpu' | 'pool'; u: number } {
  let best = { service: -1, resource: 'cpu' as 'cpu' | 'pool', u: -1 };
  st.cpu.forEach((c, s) => {
    if (c.utilization > best.u) best = { service: s, resource: 'cpu', u: c.utilization };
  });
  st.pool.forEach((p, s) => {
    if (p && p.utilization > best.u) best = { service: s, resource: 'pool', u: p.utilization };
  });
  return best;
}

function runOnce(
  m: PreparedModel,
  settings: ModelSettings,
  factor: number,
  scaled: ReadonlySet<number>,
  opts: Required<LoadOptions>,
): RunResult {
  const cal = m.cal;
  const factorsAt = (f: number) => cal.entries.map((_, i) => (scaled.has(i) ? f : 1));
  const state = stateAt(m, settings, factorsAt(factor));
  const endpoints = endpointsAt(m, state, settings.attemptTimeoutsMs, opts.draws);
  // Scans: the first station to saturate (states alone, cheap), and each endpoint's knee by a
  // binary search over the scan's factors (its p95 grows with the load).
  const grid = scanFactors(opts.maxFactor);
  const states = new Map<number, NetworkState>();
  const stateOf = (f: number) => {
    let st = states.get(f);
    if (st === undefined) {
      st = stateAt(m, settings, factorsAt(f));
      states.set(f, st);
    }
    return st;
  };
  const state1 = stateOf(1);
  const at1 = endpointsAt(m, state1, settings.attemptTimeoutsMs, opts.scanDraws);
  const reference = { state: state1, endpoints: at1 };
  let satBracket: [number, number] | null = maxUtilization(state1).u >= 1 ? [1, 1] : null;
  let prevF = 1;
  for (const f of grid) {
    if (satBracket !== null) break;
    if (maxUtilization(stateOf(f)).u >= 1) satBracket = [prevF, f];
    prevF = f;
  }
  const knees = cal.entries.map((_, i) => {
    const base = (at1[i] as EndpointState).p95;
    const target = KNEE_RATIO * base;
    const memo = new Map<number, number>([[1, base]]);
    const p95 = (f: number) => {
      let v = memo.get(f);
      if (v === undefined) {
        v = (
          endpointsAt(m, stateOf(f), settings.attemptTimeoutsMs, opts.scanDraws, new Set([i]), reference)[
            i
          ] as EndpointState
        ).p95;
        memo.set(f, v);
      }
      return v;
    };
    if (grid.length === 0 || !(p95(grid[grid.length - 1] as number) > target)) return Number.POSITIVE_INFINITY;
    let lo = -1;
    let hi = grid.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p95(grid[mid] as number) > target) hi = mid;
      else lo = mid;
    }
    const fLo = lo < 0 ? 1 : (grid[lo] as number);
    const fHi = grid[hi] as number;
    const before = p95(fLo);
    const now = p95(fHi);
    return Number.isFinite(now) && now > before && before <= target
      ? fLo + ((fHi - fLo) * (target - before)) / (now - before)
      : fHi;
  });
  const total = cal.entries.reduce((s, e) => s + e.requests, 0) || 1;
  const counted = cal.entries.flatMap((e, i) => (e.requests / total >= KNEE_MIN_SHARE && scaled.has(i) ? [i] : []));
  let bottleneck: RunResult['bottleneck'] = null;
  if (satBracket) {
    let [lo, hi] = satBracket;
    if (lo < hi)
      for (let k = 0; k < 12; k++) {
        const mid = (lo + hi) / 2;
        if (maxUtilization(stateAt(m, settings, factorsAt(mid))).u >= 1) hi = mid;
        else lo = mid;
      }
    const b = maxUtilization(stateAt(m, settings, factorsAt(hi)));
    bottleneck = { service: b.service, resource: b.resource, at: hi };
  }
  const kneeAll = counted.length ? Math.min(...counted.map((i) => knees[i] as number)) : Number.POSITIVE_INFINITY;
  return { state, endpoints, knees, kneeAll, bottleneck, baseline: m.baseline };
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** A figure from the estimate and the replicates' values (Infinity: unbounded → null). */
function figure(value: number, reps: readonly number[]): Figure {
  if (reps.length === 0) return { value: finite(value), p10: finite(value), p90: finite(value) };
  const s = [...reps].sort((a, b) => a - b);
  return { value: finite(value), p10: finite(quantileSorted(s, 0.1)), p90: finite(quantileSorted(s, 0.9)) };
}

/** Predicts the system at `req.factor` times the calibrated load, with `req.set` applied. */
export function simulateLoad(cal: Calibration, req: LoadRequest, options: LoadOptions = {}): LoadSimulationResult {
  const opts: Required<LoadOptions> = {
    replicates: options.replicates ?? 30,
    draws: options.draws ?? 800,
    replicateDraws: options.replicateDraws ?? 400,
    scanDraws: options.scanDraws ?? 200,
    maxFactor: options.maxFactor ?? 20,
    seed: options.seed ?? 1,
  };
  if (!(Number.isFinite(req.factor) && req.factor > 0 && req.factor <= MAX_FACTOR))
    throw new SimulationInputError(
      `the load factor must be a number above 0 and at most ${MAX_FACTOR}, not ${req.factor}`,
    );
  const scaled = entriesNamed(cal, req.endpoint);
  const settings = applySettings(cal, req.set);
  const warnings = [...cal.warnings];
  if (cal.entries.length === 0) warnings.push('no entry endpoint in the window: nothing to predict');

  const point = runOnce(prepare(cal, pointInputs(cal), opts.seed), settings, req.factor, scaled, opts);
  const random = new Random(opts.seed * 2654435761);
  const reps: RunResult[] = [];
  for (let r = 0; r < opts.replicates; r++)
    reps.push(
      runOnce(prepare(cal, bootstrapInputs(cal, random), opts.seed + r + 1), settings, req.factor, scaled, {
        ...opts,
        draws: opts.replicateDraws,
      }),
    );
  const over = (f: (x: RunResult) => number) => reps.map(f);
  const inf = Number.POSITIVE_INFINITY;

  const endpoints: EndpointPrediction[] = cal.entries.map((e, i) => {
    const p = point.endpoints[i] as EndpointState;
    return {
      service: e.service,
      endpoint: e.endpoint,
      rate: { baseline: e.ratePerSec, predicted: point.state.rate[i] as number },
      baseline: { p50: e.latency.p50, p95: e.latency.p95, errorRate: e.errorRate, requests: e.requests },
      predicted: {
        p50: figure(
          p.p50,
          over((x) => x.endpoints[i]?.p50 ?? inf),
        ),
        p95: figure(
          p.p95,
          over((x) => x.endpoints[i]?.p95 ?? inf),
        ),
        errorRate: figure(
          p.errorRate,
          over((x) => x.endpoints[i]?.errorRate ?? 1),
        ),
      },
      knee: figure(
        point.knees[i] as number,
        over((x) => x.knees[i] as number),
      ),
      visits: e.visits.map((v) => ({ service: cal.services[v.service]?.service ?? '?', perRequest: v.perRequest })),
    };
  });

  const services: ServicePrediction[] = cal.services.map((s, i) => {
    const resources: ResourcePrediction[] = [];
    const cap = settings.capacity[i] as Calibration['services'][number]['capacity'];
    const wait = (x: RunResult, kind: 'cpu' | 'pool') => {
      const now = kind === 'cpu' ? x.state.cpu[i] : x.state.pool[i];
      const was = kind === 'cpu' ? x.baseline.cpu[i] : x.baseline.pool[i];
      return (now?.waitMs ?? 0) - (was?.waitMs ?? 0);
    };
    const reps0 = point.state.replicas[i] as number;
    resources.push({
      kind: 'cpu',
      servers: Math.max(1, reps0 * cap.workers.value),
      utilization: figure(
        point.state.cpu[i]?.utilization ?? 0,
        over((x) => x.state.cpu[i]?.utilization ?? 0),
      ),
      baselineUtilization: point.baseline.cpu[i]?.utilization ?? 0,
      waitMs: figure(
        wait(point, 'cpu'),
        over((x) => wait(x, 'cpu')),
      ),
      saturated: point.state.cpu[i]?.saturated ?? false,
      failShare: figure(
        point.state.cpuFail[i] as number,
        over((x) => x.state.cpuFail[i] as number),
      ),
    });
    if (point.state.pool[i] && cap.pool)
      resources.push({
        kind: 'pool',
        servers: Math.max(1, reps0 * cap.pool.size.value),
        utilization: figure(
          point.state.pool[i]?.utilization ?? 0,
          over((x) => x.state.pool[i]?.utilization ?? 0),
        ),
        baselineUtilization: point.baseline.pool[i]?.utilization ?? 0,
        waitMs: figure(
          wait(point, 'pool'),
          over((x) => wait(x, 'pool')),
        ),
        saturated: point.state.pool[i]?.saturated ?? false,
        failShare: figure(
          point.state.poolFail[i] as number,
          over((x) => x.state.poolFail[i] as number),
        ),
      });
    return {
      service: s.service,
      replicas: { baseline: point.baseline.replicas[i] as number, predicted: reps0 },
      resources,
    };
  });

  const edges: EdgePrediction[] = cal.edges.flatMap((e, i) => {
    const t = settings.attemptTimeoutsMs[i] ?? [null];
    if (t.every((x) => x === null)) return [];
    const share = (x: RunResult) => x.state.edges[i]?.timeoutShare[0] ?? 0;
    return [
      {
        caller: e.caller,
        callee: e.callee,
        attemptTimeoutsMs: [...t],
        timeoutShare: figure(share(point), over(share)),
        loadMultiplier: figure(
          1 + (point.state.edges[i]?.extraAttempts ?? 0),
          over((x) => 1 + (x.state.edges[i]?.extraAttempts ?? 0)),
        ),
        failShare: figure(
          point.state.edges[i]?.failAll ?? 0,
          over((x) => x.state.edges[i]?.failAll ?? 0),
        ),
      },
    ];
  });

  let bottleneck: Bottleneck | null = null;
  if (point.bottleneck) {
    const b = point.bottleneck;
    const util = (x: RunResult) =>
      (b.resource === 'cpu' ? x.state.cpu[b.service]?.utilization : x.state.pool[b.service]?.utilization) ?? 0;
    bottleneck = {
      service: cal.services[b.service]?.service ?? '?',
      resource: b.resource,
      saturatesAt: figure(
        b.at,
        over((x) => (x.bottleneck ? x.bottleneck.at : inf)),
      ),
      utilization: figure(util(point), over(util)),
    };
  }
  const inputs = inputsOf(cal, settings);
  return {
    kind: 'load',
    algorithm: SIM_LOAD_ALGORITHM,
    window: { since: new Date(cal.window.startMs).toISOString(), until: new Date(cal.window.endMs).toISOString() },
    factor: req.factor,
    endpoint: req.endpoint,
    settings: settings.applied,
    endpoints,
    services,
    edges,
    bottleneck,
    knee: figure(
      point.kneeAll,
      over((x) => x.kneeAll),
    ),
    scannedTo: opts.maxFactor,
    inputs,
    validity: {
      measured: inputs.filter((x) => x.validity === 'measured').length,
      assumed: inputs.filter((x) => x.validity === 'assumed').length,
    },
    assumptions: [...LOAD_ASSUMPTIONS],
    warnings,
    replicates: opts.replicates,
    sampled: cal.sampled,
    traces: cal.traces,
  };
}
