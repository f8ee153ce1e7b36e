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
  /** A waiter gives up (and fails) after waiting this long (a pool's queue timeout); null: never. */
  patienceMs?: number | null;
}

export interface StationState {
  /** Offered load over capacity, λ·S / c (≥ 1 with no patience: saturated). */
  utilization: number;
  /** Probability that an arrival finds every server busy (it waits, or gives up). */
  pWait: number;
  /** Probability that an arrival gives up after `patienceMs` (0 without patience). */
  pAbandon: number;
  patienceMs: number | null;
  /**
   * The wait of those who wait and are served is an exponential with this rate (per ms) cut at the
   * patience; the rate is negative in overload with patience (waits pile up toward the patience).
   */
  tailRate: number;
  /** Mean wait over all arrivals, those who give up included (ms); Infinity when saturated. */
  waitMs: number;
  saturated: boolean;
}

/** Erlang B, the probability that all c servers are busy in an M/M/c/c loss system offered a Erlangs. */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

const IDLE = (utilization: number, patienceMs: number | null): StationState => ({
  utilization,
  pWait: 0,
  pAbandon: 0,
  patienceMs,
  tailRate: 0,
  waitMs: 0,
  saturated: false,
});

/**
 * The station's state. Without patience, the Allen–Cunneen approximation: Wq ≈ C(c, a) / (cμ − λ) ·
 * (ca² + cs²) / 2, exact for M/M/c (ca² = cs² = 1) and for M/G/1's mean (Pollaczek–Khinchine) when
 * ca² = 1. With patience T, the M/M/c+D queue (waiters give up after T; under FCFS that is the same
 * as an arrival whose wait would pass T leaving at once), with time stretched by (ca² + cs²)/2 in
 * the same way; in overload it serves at capacity and a share 1 − 1/ρ gives up.
 */
export function station(x: StationInput): StationState {
  const lambda = x.arrivalPerSec / 1000;
  const s = x.serviceMs;
  const c = x.servers;
  const patience = x.patienceMs ?? null;
  const utilization = (lambda * s) / c;
  if (lambda <= 0 || s <= 0) return IDLE(utilization, patience);
  const v = Math.max(1e-6, (x.ca2 + x.cs2) / 2);
  const capacity = c / s;
  const drain = capacity - lambda;
  if (patience === null) {
    if (utilization >= 1)
      return { ...IDLE(utilization, null), pWait: 1, tailRate: 0, waitMs: Number.POSITIVE_INFINITY, saturated: true };
    const pWait = erlangC(c, lambda * s);
    return { ...IDLE(utilization, null), pWait, tailRate: drain / v, waitMs: (pWait * v) / drain };
  }
  // M/M/c+D in stretched time: T' = T/v; the density of the offered wait is λπ_{c−1}e^{−(cμ−λ)w}
  // up to T' and λπ_{c−1}e^{λT'}e^{−cμw} beyond, π_{c−1} from Erlang B over the idle states.
  const t = patience / v;
  const b = c > 1 ? erlangB(c - 1, lambda * s) : 1;
  // I1 = ∫_0^T e^{−xw}dw, I2 = e^{−xT}/(cμ), both scaled by e^{xT} when x < 0 (no overflow).
  let i1: number;
  let i2: number;
  let tailMean: number;
  if (Math.abs(drain * t) < 1e-9) {
    i1 = t;
    i2 = 1 / capacity;
    tailMean = (t * t) / 2;
  } else if (drain > 0) {
    const e = Math.exp(-drain * t);
    i1 = (1 - e) / drain;
    i2 = e / capacity;
    tailMean = (1 - e * (1 + drain * t)) / (drain * drain);
  } else {
    // Scaled by e^{drain·t} (≤ 1): i1·e^{xT} = (e^{xT} − 1)/x with x = drain < 0.
    const y = -drain;
    const e = Math.exp(-y * t);
    i1 = (1 - e) / y;
    i2 = 1 / capacity;
    // ∫_0^T w e^{yw} dw · e^{−yT} = (T − (1 − e^{−yT})/y) / y
    tailMean = (t - (1 - e) / y) / y;
    const scale = e;
    // The idle states' weight shrinks by the same factor.
    const q = 1 / (scale + lambda * b * (i1 + i2));
    const pAbandon = q * lambda * b * i2;
    const pWait = q * lambda * b * (i1 + i2);
    return {
      utilization,
      pWait,
      pAbandon,
      patienceMs: patience,
      tailRate: drain / v,
      waitMs: v * q * lambda * b * tailMean + patience * pAbandon,
      saturated: false,
    };
  }
  const q = 1 / (1 + lambda * b * (i1 + i2));
  const pAbandon = q * lambda * b * i2;
  const pWait = q * lambda * b * (i1 + i2);
  return {
    utilization,
    pWait,
    pAbandon,
    patienceMs: patience,
    tailRate: drain / v,
    waitMs: v * q * lambda * b * tailMean + patience * pAbandon,
    saturated: false,
  };
}

/** P(wait > t ms) for an arrival (those who give up wait their patience). */
export function waitExceeds(st: StationState, tMs: number): number {
  if (st.saturated) return 1;
  if (st.pWait === 0) return 0;
  if (st.patienceMs !== null && tMs >= st.patienceMs) return 0;
  const served = st.pWait - st.pAbandon;
  const r = st.tailRate;
  const T = st.patienceMs;
  // The served waiters' wait is exponential with rate r, cut at T (renormalised).
  const survive = (w: number) => (T === null ? Math.exp(-r * w) : truncatedSurvival(r, T, w));
  return served * survive(tMs) + st.pAbandon;
}

/** P(W > w) for W with density ∝ e^{−rW} on (0, T]. */
function truncatedSurvival(r: number, T: number, w: number): number {
  if (w <= 0) return 1;
  if (w >= T) return 0;
  if (Math.abs(r * T) < 1e-9) return 1 - w / T;
  if (r > 0) return (Math.exp(-r * w) - Math.exp(-r * T)) / (1 - Math.exp(-r * T));
  const y = -r;
  return (1 - Math.exp(-y * (T - w))) / (1 - Math.exp(-y * T));
}

/** A wait drawn from the station's distribution: 0, a served waiter's wait, or the patience (given up). */
export function sampleWait(st: StationState, u: number, u2: number): { waitMs: number; gaveUp: boolean } {
  if (st.saturated) return { waitMs: Number.POSITIVE_INFINITY, gaveUp: false };
  if (u >= st.pWait) return { waitMs: 0, gaveUp: false };
  if (u < st.pAbandon) return { waitMs: st.patienceMs as number, gaveUp: true };
  const r = st.tailRate;
  const T = st.patienceMs;
  if (T === null) return { waitMs: -Math.log(1 - u2) / r, gaveUp: false };
  if (Math.abs(r * T) < 1e-9) return { waitMs: u2 * T, gaveUp: false };
  if (r > 0) return { waitMs: -Math.log(1 - u2 * (1 - Math.exp(-r * T))) / r, gaveUp: false };
  const y = -r;
  return { waitMs: T + Math.log(u2 + (1 - u2) * Math.exp(-y * T)) / y, gaveUp: false };
}

/**
 * The mean service time S whose response S + Wq(S) at this arrival rate is `responseMs` (with
 * patience, (1 − P(give up))·S + Wq(S): those who gave up only waited): the measured time of a
 * visit holds its queueing too, which the model adds again at every load.
 * `speed` < 1 (a CPU limit below one core per worker) stretches S at the servers to S/speed.
 * Bisection: the response grows with S; the answer is below the saturation point, so a measured
 * response always has one.
 */
export function serviceTimeFor(responseMs: number, x: Omit<StationInput, 'serviceMs'>, speed = 1): number {
  if (responseMs <= 0 || x.arrivalPerSec <= 0) return Math.max(0, responseMs);
  // With patience the station is stable in overload, and those who give up hold no server: the
  // answer may pass both the response and the saturation point.
  const patient = x.patienceMs != null;
  const cap = patient ? Number.POSITIVE_INFINITY : (x.servers * speed * 1000) / x.arrivalPerSec;
  let lo = 0;
  let hi = Math.min(patient ? 100 * responseMs : responseMs, cap * (1 - 1e-9));
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const st = station({ ...x, serviceMs: mid / speed });
    if ((1 - st.pAbandon) * mid + st.waitMs > responseMs) hi = mid;
    else lo = mid;
  }
  return lo;
}
