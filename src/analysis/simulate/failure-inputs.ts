// What the failure model rests on, per call edge: the caller's timeouts and retries, whether its
// caller waits for it, and how often a failed call on it fails the request — measured where the
// window (or the endpoint's own sampled requests) saw failed calls on it, else an assumption with
// a range the intervals draw from. Listed as the result's inputs with their validity.
import type { SimulationInput } from '../../model/index.js';
import type { Random } from './stats.js';
import type { Calibration, CallNode, Setting } from './types.js';

/** An unobserved failure is assumed to reach the request; the intervals draw it from this share up to 1. */
export const ASSUMED_PROPAGATION_LOW = 0.5;
/** Requests of one endpoint with a failed call on an edge needed to use their own share rather than the edge's. */
export const MIN_ENTRY_EVIDENCE = 5;
/** An edge whose calls mostly outlive the visit that made them (or are messages) is not waited for. */
export const DETACHED_SHARE = 0.5;

/**
 * Whether a caller makes its next attempt after an attempt answered with an error: measured when
 * the traces showed retries after failed answers (yes) or only retries while the attempt before
 * still ran (no: it retries after timeouts only); with no retry seen, attempts the env sets are
 * assumed to cover errors too.
 */
export function retriesErrors(e: Calibration['edges'][number]): Setting<boolean> {
  const attempts = e.attemptTimeoutsMs.value.length;
  if (attempts < 2) return { value: false, validity: 'measured', source: 'one attempt: nothing to retry' };
  if (e.retries.afterFailure > 0)
    return {
      value: true,
      validity: 'measured',
      source: `${Math.round(e.retries.afterFailure)} retries after a failed answer seen in the traces`,
    };
  if (e.retries.seen > 0)
    return {
      value: false,
      validity: 'measured',
      source: `the ${Math.round(e.retries.seen)} retries seen all came while the attempt before still ran: retried after timeouts only`,
    };
  return {
    value: true,
    validity: 'assumed',
    source: `no retry seen; the ${attempts} attempts set are assumed to retry failed answers too`,
  };
}

/** How often a failed call on an edge fails the request: a share, and what it rests on. */
export interface Propagation {
  value: number;
  validity: 'measured' | 'assumed';
  /** Failed calls it was measured on (0: assumed). */
  n: number;
  source: string;
}

/** Per edge, the window's propagation (from the calibration). */
export function edgePropagation(cal: Calibration): Propagation[] {
  return cal.edges.map((e) => {
    const p: Setting<number> = e.errorPropagation;
    if (p.validity === 'assumed')
      return {
        value: 1,
        validity: 'assumed',
        n: 0,
        source: `no failed call ${e.caller} → ${e.callee} in the window: assumed to fail the request unless a fallback was seen (intervals: ${ASSUMED_PROPAGATION_LOW * 100}–100%)`,
      };
    const n = Math.max(1, Math.round(e.errorRate * e.calls * cal.sampled));
    return { value: p.value, validity: 'measured', n, source: p.source };
  });
}

/** Per edge, the failed calls on it in an entry's sampled requests: how many requests had one, and how many of those failed. */
export function entryEvidence(
  samples: ReadonlyArray<{ error: boolean; calls?: CallNode[] }>,
): Map<number, { n: number; failed: number }> {
  const out = new Map<number, { n: number; failed: number }>();
  for (const t of samples) {
    const edges = new Set<number>();
    const walk = (nodes: readonly CallNode[], depth: number) => {
      for (const c of nodes) {
        if (c.failed) edges.add(c.edge);
        if (depth < 64) walk(c.calls, depth + 1);
      }
    };
    walk(t.calls ?? [], 0);
    for (const e of edges) {
      const x = out.get(e) ?? { n: 0, failed: 0 };
      x.n++;
      if (t.error) x.failed++;
      out.set(e, x);
    }
  }
  return out;
}

/** Per entry, per edge, the propagation its own requests measured (enough of them), else the edge's. */
export function entryPropagation(cal: Calibration): Array<Map<number, Propagation>> {
  return cal.entries.map((entry) => {
    const own = new Map<number, Propagation>();
    for (const [e, x] of entryEvidence(entry.samples)) {
      if (x.n < MIN_ENTRY_EVIDENCE) continue;
      const edge = cal.edges[e] as Calibration['edges'][number];
      own.set(e, {
        value: x.failed / x.n,
        validity: 'measured',
        n: x.n,
        source: `${x.n} of ${entry.service} ${entry.endpoint}'s sampled requests had a failed call ${edge.caller} → ${edge.callee}, ${x.failed} of them failed`,
      });
    }
    return own;
  });
}

/** A replicate's draw: a measured share resampled from its failed calls, an assumed one from its range. */
export function drawPropagation(p: Propagation, r: Random): number {
  if (p.validity === 'assumed') {
    const u = r.next();
    return ASSUMED_PROPAGATION_LOW + (1 - ASSUMED_PROPAGATION_LOW) * (1 - u * u);
  }
  const n = Math.min(p.n, 500);
  let k = 0;
  for (let i = 0; i < n; i++) if (r.next() < p.value) k++;
  return k / n;
}

const ms = (x: number) => `${x >= 10 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;

/** The inputs behind the prediction: per entry its sampled requests, per edge on a path to the failed service its settings. */
export function failureInputs(
  cal: Calibration,
  onPath: ReadonlySet<number>,
  edges: readonly Propagation[],
  perEntry: ReadonlyArray<ReadonlyMap<number, Propagation>>,
  failMs: ReadonlyArray<{ ms: number; measured: boolean; source: string } | null>,
): SimulationInput[] {
  const out: SimulationInput[] = [];
  const traced = `traces in the window${cal.sampled < 1 ? ` (${pct(cal.sampled)} of them read, by trace id)` : ''}`;
  for (const e of cal.entries)
    out.push({
      name: `${e.service} ${e.endpoint} request trees`,
      value: `${e.samples.length} sampled`,
      validity: 'measured',
      source: `${Math.round(e.requests)} requests in ${traced}`,
    });
  for (const i of [...onPath].sort((a, b) => a - b)) {
    const e = cal.edges[i] as Calibration['edges'][number];
    const name = `${e.caller} → ${e.callee}`;
    const t = e.attemptTimeoutsMs;
    out.push({
      name: `${name} attempt timeouts`,
      value: t.value.map((x) => (x === null ? 'none' : ms(x))).join(', '),
      validity: t.validity,
      source: t.source,
    });
    const p = edges[i] as Propagation;
    out.push({
      name: `${name} failed call reaching the request`,
      value: pct(p.value),
      validity: p.validity,
      source: p.source,
    });
    perEntry.forEach((m, k) => {
      const own = m.get(i);
      const entry = cal.entries[k] as Calibration['entries'][number];
      if (own)
        out.push({
          name: `${name} failed call reaching ${entry.service} ${entry.endpoint}`,
          value: pct(own.value),
          validity: 'measured',
          source: own.source,
        });
    });
    if (e.calls > 0 && e.detached / e.calls >= DETACHED_SHARE)
      out.push({
        name: `${name} not waited for`,
        value: pct(e.detached / e.calls),
        validity: 'measured',
        source: `${Math.round(e.detached)} of ${Math.round(e.calls)} calls were messages or outlived the visit that made them`,
      });
    const retry = retriesErrors(e);
    if (t.value.length > 1)
      out.push({
        name: `${name} retries a failed answer`,
        value: retry.value ? 'yes' : 'no',
        validity: retry.validity,
        source: retry.source,
      });
    const f = failMs[i];
    if (f)
      out.push({
        name: `${name} failing attempt duration`,
        value: ms(f.ms),
        validity: f.measured ? 'measured' : 'assumed',
        source: f.source,
      });
  }
  return out;
}
