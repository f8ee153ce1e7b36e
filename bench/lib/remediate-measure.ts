// What the remediation bench measures after an action, from the load driver's own timings (not
// Orrery's): when the storefront recovered, and how the predicted error rate and p95 compare with
// those the shoppers then saw. Pure: observations in, figures out.
import { type EndpointStats, type EntryEndpoint, type Observation, endpointStats } from '../../src/demo/index.js';
import type { Json, ProposalSimulation } from '../../src/model/index.js';
import { entryEndpointOf } from './sim-predict.js';

/** A window of the shoppers' requests that recovery is judged on. */
export const RECOVERY_WINDOW_MS = 30_000;
/** Windows are looked at this far apart. */
export const RECOVERY_STEP_MS = 10_000;
/** Recovered: the window that starts then and the next two (50 s of requests in all) are healthy. */
export const RECOVERY_CONFIRM = 3;
/** An endpoint counts in a window only with this many requests in it (fewer say little about a p95). */
export const MIN_WINDOW_REQUESTS = 10;
/** Healthy, and predicted right: an error rate within 5 points… */
export const ERROR_TOLERANCE = 0.05;
/** …and a p95 within 25% (of the baseline's for health, of the measured for a prediction). */
export const P95_TOLERANCE = 0.25;
/** A p95 this close to the baseline's is healthy however small the baseline (a few ms of jitter). */
export const P95_FLOOR_MS = 50;
/** The measured side of a prediction: from this long after the action ended… */
export const SETTLE_MS = 30_000;
/** …for this long. */
export const MEASURE_MS = 90_000;
/** A predicted endpoint is compared only with this many measured requests. */
export const MIN_MEASURED_REQUESTS = 20;

export interface WindowHealth {
  fromMs: number;
  healthy: boolean;
  /** The endpoints out of bounds, in words. */
  why: string[];
}

/** Whether the shoppers' requests in [fromMs, fromMs + RECOVERY_WINDOW_MS) are as healthy as the baseline's. */
export function windowHealth(
  observations: readonly Observation[],
  baseline: readonly EndpointStats[],
  fromMs: number,
): WindowHealth {
  const now = endpointStats(observations, fromMs, fromMs + RECOVERY_WINDOW_MS);
  const why: string[] = [];
  for (const e of now) {
    const b = baseline.find((x) => x.endpoint === e.endpoint);
    if (!b || b.requests < MIN_WINDOW_REQUESTS || e.requests < MIN_WINDOW_REQUESTS) continue;
    if (e.errorRate! > b.errorRate! + ERROR_TOLERANCE)
      why.push(`${e.endpoint} errors ${pct(e.errorRate)} (baseline ${pct(b.errorRate)})`);
    const bound = Math.max(b.p95Ms! * (1 + P95_TOLERANCE), b.p95Ms! + P95_FLOOR_MS);
    if (e.p95Ms! > bound) why.push(`${e.endpoint} p95 ${Math.round(e.p95Ms!)} ms (baseline ${Math.round(b.p95Ms!)})`);
  }
  return { fromMs, healthy: why.length === 0, why };
}

export interface Recovery {
  /** When the storefront was healthy again for good (epoch ms), null when not by `untilMs`. */
  atMs: number | null;
  /** atMs − the action's start, in seconds. */
  afterS: number | null;
  /** Each window looked at. */
  windows: WindowHealth[];
}

/**
 * The first moment at or after the action's start from which RECOVERY_CONFIRM windows in a row
 * are healthy (each endpoint with enough requests has an error rate within 5 points and a p95
 * within 25% — or 50 ms — of its own before the fault), looking only at requests sent before
 * `untilMs`.
 */
export function recoveryOf(
  observations: readonly Observation[],
  baseline: readonly EndpointStats[],
  actionMs: number,
  untilMs: number,
): Recovery {
  const windows: WindowHealth[] = [];
  for (let t = actionMs; t + RECOVERY_WINDOW_MS <= untilMs; t += RECOVERY_STEP_MS)
    windows.push(windowHealth(observations, baseline, t));
  for (let i = 0; i + RECOVERY_CONFIRM <= windows.length; i++) {
    if (windows.slice(i, i + RECOVERY_CONFIRM).every((w) => w.healthy)) {
      const atMs = windows[i]!.fromMs;
      return { atMs, afterS: (atMs - actionMs) / 1000, windows };
    }
  }
  return { atMs: null, afterS: null, windows };
}

export interface EffectComparison {
  endpoint: EntryEndpoint;
  predicted: { errorRate: number | null; p95Ms: number | null };
  measured: { errorRate: number | null; p95Ms: number | null; requests: number };
  /** null: not compared (no prediction, or too few measured requests). */
  errorWithin: boolean | null;
  p95Within: boolean | null;
}

/** Each storefront endpoint the simulation predicted, beside what the shoppers measured after the action. */
export function compareEffect(
  simulation: Json<ProposalSimulation>,
  observations: readonly Observation[],
  fromMs: number,
  toMs: number,
): EffectComparison[] {
  const measured = endpointStats(observations, fromMs, toMs);
  return simulation.endpoints.flatMap((e) => {
    const endpoint = entryEndpointOf(e.service, e.endpoint);
    if (!endpoint) return [];
    const m = measured.find((x) => x.endpoint === endpoint)!;
    const enough = m.requests >= MIN_MEASURED_REQUESTS;
    const pe = e.after.errorRate.value;
    const pp = e.after.p95.value;
    return [
      {
        endpoint,
        predicted: { errorRate: pe, p95Ms: pp },
        measured: { errorRate: m.errorRate, p95Ms: m.p95Ms, requests: m.requests },
        errorWithin: enough && pe !== null ? Math.abs(pe - m.errorRate!) <= ERROR_TOLERANCE : null,
        p95Within: enough && pp !== null ? Math.abs(pp - m.p95Ms!) <= P95_TOLERANCE * m.p95Ms! : null,
      },
    ];
  });
}

/** Met when at least one endpoint was compared and every compared figure is within its tolerance. */
export function effectMet(cs: readonly EffectComparison[]): boolean {
  const checks = cs.flatMap((c) => [c.errorWithin, c.p95Within]).filter((x): x is boolean => x !== null);
  return checks.length > 0 && checks.every(Boolean);
}

function pct(x: number | null): string {
  return x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`;
}
