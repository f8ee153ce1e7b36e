// Queueing formulas: Erlang C for the probability of waiting at c servers, the Allen–Cunneen
// approximation of the mean wait at an M/G/c (G/G/c) station, its wait distribution (an atom at
// zero and an exponential tail), and the inverse the calibration needs: the service time that,
// with the queueing it causes at the measured load, gives the measured response time.

/**
 * Erlang C: the probability that an arrival waits at an M/M/c station offered `a` Erlangs
 * (arrival rate × mean service time). 1 when a ≥ c (saturated). Computed through Erlang B's
 * recursion, which is stable for thousands of servers.
 */
export function erlangC(c: number, a: number): number {
  if (!(c >= 1)) throw new Error(`servers must be ≥ 1, not ${c}`);
  if (a <= 0) return 0;
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

export interface StationInput {
  /** Arrivals per second. */
  arrivalPerSec: number;
  /** Mean service time per visit, milliseconds (at the servers' speed). */
  serviceMs: number;
  servers: number;
  /** Squared coefficients of variation of the gaps between arrivals (1: Poisson) and of the service time (1: exponential). */
  ca2: number;
  cs2: number;
}

export interface StationState {
  /** Offered load over capacity, λ·S / c (≥ 1: saturated). */
  utilization: number;
  /** Probability that a visit waits. */
  pWait: number;
  /** Mean wait of the visits that wait (ms); Infinity when saturated. */
  waitIfWaitingMs: number;
  /** Mean wait over all visits (ms); Infinity when saturated. */
  waitMs: number;
  saturated: boolean;
}

/**
 * The Allen–Cunneen approximation: Wq ≈ C(c, a) / (cμ − λ) · (ca² + cs²) / 2, exact for M/M/c
 * (ca² = cs² = 1) and for M/G/1's mean (the Pollaczek–Khinchine formula) when ca² = 1.
 */
export function station(x: StationInput): StationState {
  const lambda = x.arrivalPerSec;
  const s = x.serviceMs / 1000;
  const a = lambda * s;
  const utilization = a / x.servers;
  if (lambda <= 0 || s <= 0) return { utilization: 0, pWait: 0, waitIfWaitingMs: 0, waitMs: 0, saturated: false };
  if (utilization >= 1)
    return {
      utilization,
      pWait: 1,
      waitIfWaitingMs: Number.POSITIVE_INFINITY,
      waitMs: Number.POSITIVE_INFINITY,
      saturated: true,
    };
  const pWait = erlangC(x.servers, a);
  const variability = (x.ca2 + x.cs2) / 2;
  const waitIfWaitingMs = ((1000 * s) / (x.servers * (1 - utilization))) * variability;
  return { utilization, pWait, waitIfWaitingMs, waitMs: pWait * waitIfWaitingMs, saturated: false };
}

/** P(wait > t ms): the exponential tail C · e^(−t/θ) of the M/M/c wait, with θ scaled like the mean. */
export function waitExceeds(st: StationState, tMs: number): number {
  if (st.saturated) return 1;
  if (st.pWait === 0 || st.waitIfWaitingMs === 0) return 0;
  return st.pWait * Math.exp(-tMs / st.waitIfWaitingMs);
}

/**
 * The mean service time S whose response S + Wq(S) at this arrival rate is `responseMs`: the
 * measured time of a visit holds its queueing too, which the model adds again at every load.
 * `speed` < 1 (a CPU limit below one core per worker) stretches S at the servers to S/speed.
 * Bisection: the response grows with S; the answer is below the saturation point, so a measured
 * response always has one.
 */
export function serviceTimeFor(responseMs: number, x: Omit<StationInput, 'serviceMs'>, speed = 1): number {
  if (responseMs <= 0 || x.arrivalPerSec <= 0) return Math.max(0, responseMs);
  const cap = (x.servers * speed * 1000) / x.arrivalPerSec;
  let lo = 0;
  let hi = Math.min(responseMs, cap * (1 - 1e-9));
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const st = station({ ...x, serviceMs: mid / speed });
    if (mid + st.waitMs > responseMs) hi = mid;
    else lo = mid;
  }
  return lo;
}
