// An entry endpoint's latency and error rate at a network state. Latency: its own sampled traces,
// each with the waits the state adds at every service visit and pool call on it beyond the
// baseline's (drawn from each station's wait distribution), and the timeouts its timed calls sit
// through before a retry; so the measured shape of each request (parallel calls, self time that
// is not CPU) is kept and only the queueing changes. Errors: the baseline's, and the share the
// state's failures (overload, a pool's queue timeout, calls that time out on every attempt) add,
// each reaching the request with its measured (or assumed) propagation.
import { type NetworkState, type PreparedModel, extraWait } from './network.js';
import { Random, quantileSorted } from './stats.js';
import type { Calibration, TreeSample } from './types.js';

export interface EndpointState {
  p50: number;
  p95: number;
  errorRate: number;
}

/** Π over the entry's visits, leaf calls and calls of the chance that nothing there failed its request. */
function survival(m: PreparedModel, entry: number, state: NetworkState): number {
  const cal = m.cal;
  let ok = 1;
  for (const v of m.inputs.visits[entry] ?? []) {
    const prop = (cal.services[v.index] as Calibration['services'][number]).errorPropagation.value;
    ok *= (1 - prop * (state.cpuFail[v.index] as number)) ** v.perRequest;
  }
  for (const v of m.inputs.leaf[entry] ?? []) {
    const prop = (cal.services[v.index] as Calibration['services'][number]).errorPropagation.value;
    ok *= (1 - prop * (state.poolFail[v.index] as number)) ** v.perRequest;
  }
  for (const c of m.inputs.edgeCalls[entry] ?? []) {
    const prop = (cal.edges[c.index] as Calibration['edges'][number]).errorPropagation.value;
    ok *= (1 - prop * (state.edges[c.index]?.failAll ?? 0)) ** c.perRequest;
  }
  return ok;
}

/** The entry's error rate at `state`: its measured rate, with what the state adds over the baseline's. */
export function errorRateAt(m: PreparedModel, entry: number, state: NetworkState): number {
  const e = m.cal.entries[entry] as Calibration['entries'][number];
  const base = survival(m, entry, m.baseline);
  const now = survival(m, entry, state);
  const ratio = base > 0 ? now / base : now;
  return Math.min(1, Math.max(0, 1 - (1 - e.errorRate) * ratio));
}

/** Time spent on timed-out attempts before the one that answered. */
function retryDelay(
  t: TreeSample,
  state: NetworkState,
  timeouts: ReadonlyArray<ReadonlyArray<number | null>>,
  r: Random,
): number {
  let delay = 0;
  for (const et of t.edges) {
    const shares = state.edges[et.edge]?.timeoutShare ?? [];
    if (shares.length < 2) continue;
    const ts = timeouts[et.edge] ?? [];
    for (let c = 0; c < et.calls; c++)
      for (let k = 0; k < shares.length - 1; k++) {
        if (r.next() >= (shares[k] as number)) break;
        delay += (ts[k] as number | null) ?? 0;
      }
  }
  return delay;
}

/** A state already drawn from, with its endpoints: a later state no different on an entry's path reuses its figures. */
export interface Reference {
  state: NetworkState;
  endpoints: ReadonlyArray<EndpointState | null>;
}

/**
 * Whether the entry's requests wait the same at `a` as at `b` (within a hundredth of a millisecond,
 * or a five-hundredth of its p50, per request) and time out alike: its latency figures are then the same.
 */
function samePath(m: PreparedModel, entry: number, a: NetworkState, b: NetworkState, p50: number): boolean {
  let diff = 0;
  for (const v of m.inputs.visits[entry] ?? []) {
    const x = a.cpu[v.index];
    const y = b.cpu[v.index];
    if (!x || !y || x.saturated || y.saturated) return false;
    diff += v.perRequest * Math.abs(x.waitMs - y.waitMs);
  }
  for (const v of m.inputs.leaf[entry] ?? []) {
    const x = a.pool[v.index];
    const y = b.pool[v.index];
    if (!x || !y) continue;
    if (x.saturated || y.saturated) return false;
    diff += v.perRequest * Math.abs(x.waitMs - y.waitMs);
  }
  for (const c of m.inputs.edgeCalls[entry] ?? []) {
    const x = a.edges[c.index]?.timeoutShare ?? [];
    const y = b.edges[c.index]?.timeoutShare ?? [];
    if (x.some((s, k) => Math.abs(s - (y[k] ?? 0)) > 1e-4) || y.some((s, k) => Math.abs(s - (x[k] ?? 0)) > 1e-4))
      return false;
  }
  return diff <= Math.max(0.01, 0.002 * p50);
}

/**
 * The least a sampled request can take once waits are taken off: its visits' CPU demand and its
 * leaf calls' pool hold, never more than it took. Taking the window's mean waits off every sample
 * (extraWait) would otherwise bring a quick sample below its own work, to 0 ms, when a saturated
 * station is relieved.
 */
function workOf(m: PreparedModel, t: TreeSample): number {
  let work = 0;
  for (const s of t.services) work += s.visits * (m.cpuMs[s.service] ?? 0) + s.leafCalls * (m.poolMs[s.service] ?? 0);
  return Math.min(t.durationMs, work);
}

/** p50 and p95 (ms; Infinity when a queue on its path grows without bound) and the error rate of each entry. */
export function endpointsAt(
  m: PreparedModel,
  state: NetworkState,
  timeouts: ReadonlyArray<ReadonlyArray<number | null>>,
  draws: number,
  only?: ReadonlySet<number>,
  reference?: Reference,
): Array<EndpointState | null> {
  return m.cal.entries.map((e, i) => {
    if (only && !only.has(i)) return null;
    const errorRate = errorRateAt(m, i, state);
    if (e.samples.length === 0) return { p50: e.latency.p50, p95: e.latency.p95, errorRate };
    const ref = reference?.endpoints[i];
    if (ref && reference && samePath(m, i, state, reference.state, ref.p50))
      return { p50: ref.p50, p95: ref.p95, errorRate };
    const r = new Random(m.seed * 104729 + i);
    const xs = new Float64Array(draws);
    for (let d = 0; d < draws; d++) {
      const t = e.samples[r.int(e.samples.length)] as TreeSample;
      const extra = extraWait(t, state, m.baseline, r);
      xs[d] = Number.isFinite(extra)
        ? Math.max(workOf(m, t), t.durationMs + extra + retryDelay(t, state, timeouts, r))
        : Number.POSITIVE_INFINITY;
    }
    xs.sort();
    return { p50: quantileSorted(xs, 0.5), p95: quantileSorted(xs, 0.95), errorRate };
  });
}
