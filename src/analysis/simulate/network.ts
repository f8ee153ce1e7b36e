// The open queueing network: per service a CPU station (replicas × workers servers, the visits'
// CPU share of self time as demand) and, where a pool is set, a pool station (replicas × pool
// size, the leaf calls' hold time as demand), each an M/G/c by Allen–Cunneen. Demands are the
// measured times less the queueing they held at the calibrated load. Arrivals are the entries'
// rates × their load factor × visits per request, plus the retries timed-out calls cause, found
// as a fixed point (timeouts rise with the queues, retries add load, the queues rise again).
import type { ModelInputs } from './inputs.js';
import type { ModelSettings } from './overrides.js';
import { type StationState, sampleWait, serviceTimeFor, station } from './queueing.js';
import { Random } from './stats.js';
import type { Calibration, CapacitySettings, TreeSample } from './types.js';

/** What a run of the model holds fixed: its inputs, the demands behind them and the baseline's queues. */
export interface PreparedModel {
  cal: Calibration;
  inputs: ModelInputs;
  /** Per service: CPU demand per visit (ms, at full speed), and a pool's hold per leaf call (ms). */
  cpuMs: number[];
  poolMs: number[];
  /** Per edge: mean visits and leaf calls per call in what it caused below it, per service. */
  subtree: Array<{ visits: Map<number, number>; leaf: Map<number, number> }>;
  baseline: NetworkState;
  seed: number;
}

export interface NetworkState {
  replicas: number[];
  cpu: StationState[];
  /** null: the service has no pool (its leaf calls are a pure delay). */
  pool: Array<StationState | null>;
  /** Per service, the share of visits (CPU) and of leaf calls (pool) that fail at this load. */
  cpuFail: number[];
  poolFail: number[];
  /** Per service, the pool's queue timeout in force (ms) or null. */
  poolTimeoutMs: Array<number | null>;
  edges: EdgeState[];
  /** Per entry, the requests per second at this load. */
  rate: number[];
}

export interface EdgeState {
  /** Per attempt with a timeout, the share that times out (0 for one without). */
  timeoutShare: number[];
  /** Extra attempts per call (retries). */
  extraAttempts: number;
  /** Share of calls for which every attempt timed out. */
  failAll: number;
}

const FIXED_POINT_ROUNDS = 40;
/** Below this chance of waiting, a station's wait is taken at its mean rather than drawn. */
const RARE_WAIT = 1e-4;
const EDGE_DRAWS = 200;

/** The speed of a worker under a CPU limit below one core per worker (1: unlimited). */
export function speedOf(c: CapacitySettings): number {
  const limit = c.cpuLimitCores.value;
  return limit === null ? 1 : Math.min(1, limit / c.workers.value);
}

function cpuServers(c: CapacitySettings, replicas: number): number {
  return Math.max(1, replicas * c.workers.value);
}

/** Replicas at a CPU load (cores): an autoscaler on CPU moves them toward its target within its bounds; never below the baseline's. */
function replicasAt(c: CapacitySettings, fixed: boolean, baseline: number, cores: number): number {
  const h = c.hpa;
  if (fixed || !h || h.cpuTargetPercent === null || c.cpuRequestCores === null) return c.replicas.value;
  const desired = Math.ceil(cores / (c.cpuRequestCores * (h.cpuTargetPercent / 100)) - 1e-9);
  return Math.min(h.max, Math.max(baseline, h.min, desired));
}

/** A wait drawn from a station's distribution: none, a served waiter's, or the patience (given up); Infinity when saturated. */
export function drawWait(st: StationState, r: Random): number {
  if (st.pWait === 0) return 0;
  return sampleWait(st, r.next(), r.next()).waitMs;
}

/** The extra time a request tree spends waiting at this state beyond the baseline's mean waits. */
export function extraWait(t: TreeSample, state: NetworkState, base: NetworkState, r: Random): number {
  let extra = 0;
  for (const s of t.services) {
    const cpu = state.cpu[s.service] as StationState;
    extra -= s.visits * (base.cpu[s.service] as StationState).waitMs;
    // A station where hardly anyone waits adds its mean instead of draws (most, at low load).
    if (cpu.pWait < RARE_WAIT) extra += s.visits * cpu.waitMs;
    else for (let k = 0; k < s.visits; k++) extra += drawWait(cpu, r);
    const pool = state.pool[s.service];
    if (pool && s.leafCalls > 0) {
      extra -= s.leafCalls * ((base.pool[s.service] as StationState | null)?.waitMs ?? 0);
      if (pool.pWait < RARE_WAIT) extra += s.leafCalls * pool.waitMs;
      else for (let k = 0; k < s.leafCalls; k++) extra += drawWait(pool, r);
    }
    if (!Number.isFinite(extra)) return extra;
  }
  return extra;
}

function subtreeOf(samples: readonly TreeSample[]): { visits: Map<number, number>; leaf: Map<number, number> } {
  const visits = new Map<number, number>();
  const leaf = new Map<number, number>();
  for (const t of samples)
    for (const s of t.services) {
      if (s.visits) visits.set(s.service, (visits.get(s.service) ?? 0) + s.visits);
      if (s.leafCalls) leaf.set(s.service, (leaf.get(s.service) ?? 0) + s.leafCalls);
    }
  const n = samples.length || 1;
  for (const m of [visits, leaf]) for (const [k, v] of m) m.set(k, v / n);
  return { visits, leaf };
}

interface Run {
  capacity: readonly CapacitySettings[];
  fixedReplicas: readonly boolean[];
  attemptTimeoutsMs: ReadonlyArray<ReadonlyArray<number | null>>;
  baselineReplicas: readonly number[];
}

/** The network's state at per-entry load factors, with the given capacity and timeouts. */
function solve(
  cal: Calibration,
  inputs: ModelInputs,
  cpuMs: readonly number[],
  poolMs: readonly number[],
  subtree: PreparedModel['subtree'],
  run: Run,
  factors: readonly number[],
  seed: number,
  baseForEdges: NetworkState | null,
): NetworkState {
  const nS = cal.services.length;
  const rate = inputs.rate.map((r, i) => r * (factors[i] as number));
  const baseCpu = new Array(nS).fill(0);
  const basePool = new Array(nS).fill(0);
  rate.forEach((r, e) => {
    for (const v of inputs.visits[e] ?? []) baseCpu[v.index] += r * v.perRequest;
    for (const v of inputs.leaf[e] ?? []) basePool[v.index] += r * v.perRequest;
  });
  const callRate = new Array(cal.edges.length).fill(0);
  rate.forEach((r, e) => {
    for (const c of inputs.edgeCalls[e] ?? []) callRate[c.index] += r * c.perRequest;
  });
  const timed = cal.edges.flatMap((_, i) => ((run.attemptTimeoutsMs[i] ?? []).some((t) => t !== null) ? [i] : []));
  const extra = new Array(cal.edges.length).fill(0);
  let state: NetworkState | null = null;
  for (let round = 0; round < FIXED_POINT_ROUNDS; round++) {
    const lamCpu = [...baseCpu];
    const lamPool = [...basePool];
    for (const i of timed) {
      const add = (extra[i] as number) * (callRate[i] as number);
      if (add <= 0) continue;
      const sub = subtree[i] as PreparedModel['subtree'][number];
      for (const [s, v] of sub.visits) lamCpu[s] += add * v;
      for (const [s, v] of sub.leaf) lamPool[s] += add * v;
    }
    const replicas: number[] = [];
    const cpu: StationState[] = [];
    const pool: Array<StationState | null> = [];
    const cpuFail: number[] = [];
    const poolFail: number[] = [];
    const poolTimeoutMs: Array<number | null> = [];
    for (let s = 0; s < nS; s++) {
      const c = run.capacity[s] as CapacitySettings;
      const sc = cal.services[s] as Calibration['services'][number];
      const cores = ((lamCpu[s] as number) * (cpuMs[s] as number)) / 1000;
      const reps = replicasAt(c, run.fixedReplicas[s] as boolean, run.baselineReplicas[s] as number, cores);
      replicas.push(reps);
      const st = station({
        arrivalPerSec: lamCpu[s] as number,
        serviceMs: (cpuMs[s] as number) / speedOf(c),
        servers: cpuServers(c, reps),
        ca2: sc.arrivalCv2,
        cs2: inputs.selfCv2[s] as number,
      });
      cpu.push(st);
      cpuFail.push(st.saturated ? 1 - 1 / st.utilization : 0);
      if (c.pool && sc.leaf) {
        const t = c.pool.queueTimeoutMs.value;
        const ps = station({
          arrivalPerSec: lamPool[s] as number,
          serviceMs: poolMs[s] as number,
          servers: Math.max(1, reps * c.pool.size.value),
          ca2: sc.leaf.arrivalCv2,
          cs2: inputs.leafCv2[s] as number,
          patienceMs: t,
        });
        pool.push(ps);
        poolTimeoutMs.push(t);
        poolFail.push(ps.saturated ? 1 - 1 / ps.utilization : ps.pAbandon);
      } else {
        pool.push(null);
        poolTimeoutMs.push(null);
        poolFail.push(0);
      }
    }
    const edges: EdgeState[] = cal.edges.map(() => ({ timeoutShare: [], extraAttempts: 0, failAll: 0 }));
    state = { replicas, cpu, pool, cpuFail, poolFail, poolTimeoutMs, edges, rate };
    const base = baseForEdges ?? state;
    let moved = 0;
    for (const i of timed) {
      const timeouts = run.attemptTimeoutsMs[i] as ReadonlyArray<number | null>;
      const samples = (cal.edges[i] as Calibration['edges'][number]).samples;
      const r = new Random(seed * 7919 + i);
      const draws: number[] = [];
      for (let d = 0; d < EDGE_DRAWS && samples.length > 0; d++) {
        const t = samples[r.int(samples.length)] as TreeSample;
        draws.push(Math.max(0, t.durationMs + extraWait(t, state, base, r)));
      }
      const shares = timeouts.map((t) =>
        t === null || draws.length === 0 ? 0 : draws.filter((x) => x > t).length / draws.length,
      );
      let reach = 1;
      let ex = 0;
      for (let k = 0; k < shares.length - 1; k++) {
        reach *= shares[k] as number;
        ex += reach;
      }
      const failAll = reach * (shares[shares.length - 1] as number);
      const next = round === 0 ? ex : 0.5 * (extra[i] as number) + 0.5 * ex;
      moved = Math.max(moved, Math.abs(next - (extra[i] as number)));
      extra[i] = next;
      edges[i] = { timeoutShare: shares, extraAttempts: next, failAll };
    }
    if (timed.length === 0 || (round > 0 && moved < 1e-3)) break;
  }
  return state as NetworkState;
}

/** Demands from the measured times, and the baseline's state (factor 1, the calibrated capacity). */
export function prepare(cal: Calibration, inputs: ModelInputs, seed: number): PreparedModel {
  const baselineReplicas = cal.services.map((s) => s.capacity.replicas.value);
  // CPU demand: a gauge's, or the assumed share of self time less the queueing it met.
  const cpuMs = cal.services.map(
    (s, i) =>
      inputs.cpuMs[i] ??
      serviceTimeFor(
        (inputs.cpuShare[i] as number) * (inputs.selfMs[i] as number),
        {
          arrivalPerSec: inputs.visitRate[i] as number,
          servers: cpuServers(s.capacity, s.capacity.replicas.value),
          ca2: s.arrivalCv2,
          cs2: inputs.selfCv2[i] as number,
        },
        speedOf(s.capacity),
      ),
  );
  const poolMs = cal.services.map((s, i) =>
    s.capacity.pool && s.leaf
      ? serviceTimeFor(inputs.leafMs[i] as number, {
          arrivalPerSec: inputs.leafRate[i] as number,
          servers: Math.max(1, s.capacity.replicas.value * s.capacity.pool.size.value),
          ca2: s.leaf.arrivalCv2,
          cs2: inputs.leafCv2[i] as number,
          patienceMs: s.capacity.pool.queueTimeoutMs.value,
        })
      : (inputs.leafMs[i] as number),
  );
  const subtree = cal.edges.map((e) => subtreeOf(e.samples));
  const run: Run = {
    capacity: cal.services.map((s) => s.capacity),
    fixedReplicas: cal.services.map(() => true),
    attemptTimeoutsMs: cal.edges.map((e) => e.attemptTimeoutsMs.value),
    baselineReplicas,
  };
  const ones = cal.entries.map(() => 1);
  const baseline = solve(cal, inputs, cpuMs, poolMs, subtree, run, ones, seed, null);
  return { cal, inputs, cpuMs, poolMs, subtree, baseline, seed };
}

/** The state at per-entry load factors with the settings `--set` gave. */
export function stateAt(m: PreparedModel, settings: ModelSettings, factors: readonly number[]): NetworkState {
  return solve(
    m.cal,
    m.inputs,
    m.cpuMs,
    m.poolMs,
    m.subtree,
    {
      capacity: settings.capacity,
      fixedReplicas: settings.fixedReplicas,
      attemptTimeoutsMs: settings.attemptTimeoutsMs,
      baselineReplicas: m.baseline.replicas,
    },
    factors,
    m.seed,
    m.baseline,
  );
}
