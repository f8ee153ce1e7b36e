// How a simulation colours the service map: each kind maps its services to a band of one
// legend, and each band to a fill and border that keep the map's dark label text readable
// (every fill is light: at least 4.5:1 against #101828). Pure, so it is tested without a browser.
import type {
  FailureOutcome,
  FailureSimulationResult,
  LoadSimulationResult,
  ServicePrediction,
} from '../../model/index.js';

/** A band of a legend: its colours, its name, and what it means. */
export interface Band {
  id: string;
  fill: string;
  border: string;
  /** Thicker border for the bands that demand attention, so the map does not rely on hue alone. */
  borderWidth: number;
  label: string;
}

/** One service's paint on the map: its band and a short note drawn under its name. */
export interface NodePaint {
  band: Band;
  note: string;
}

/** Predicted utilization of a service's busiest resource, from idle to saturated. */
export const UTILIZATION_BANDS = {
  low: { id: 'low', fill: '#d1fadf', border: '#027a48', borderWidth: 1, label: 'below 50% busy' },
  moderate: { id: 'moderate', fill: '#fef0c7', border: '#b54708', borderWidth: 1, label: '50–80% busy' },
  high: { id: 'high', fill: '#fddcab', border: '#c4320a', borderWidth: 2, label: '80–100% busy' },
  saturated: { id: 'saturated', fill: '#fecdca', border: '#b42318', borderWidth: 4, label: 'saturated (≥ 100%)' },
} as const satisfies Record<string, Band>;

/** The band of a utilization (0 to 1 or more; null: unbounded, a queue that only grows). */
export function utilizationBand(utilization: number | null, saturated = false): Band {
  if (saturated || utilization === null || utilization >= 1) return UTILIZATION_BANDS.saturated;
  if (utilization >= 0.8) return UTILIZATION_BANDS.high;
  if (utilization >= 0.5) return UTILIZATION_BANDS.moderate;
  return UTILIZATION_BANDS.low;
}

/**
 * A service's busiest resource at the simulated load: the one with the highest predicted
 * utilization (an unbounded one counts as the highest; a saturated one beats one that is not).
 * null when the model gave the service no resource.
 */
export function busiestResource(s: ServicePrediction): ServicePrediction['resources'][number] | null {
  const score = (r: ServicePrediction['resources'][number]) =>
    r.utilization.value === null ? Number.POSITIVE_INFINITY : r.utilization.value + (r.saturated ? 1e6 : 0);
  let best: ServicePrediction['resources'][number] | null = null;
  for (const r of s.resources) if (best === null || score(r) > score(best)) best = r;
  return best;
}

const pct = (x: number | null) => (x === null ? '∞' : `${Math.round(x * 100)}%`);

/** Each modelled service's paint for a load simulation: the band of its busiest resource. */
export function loadPaint(r: LoadSimulationResult): Map<string, NodePaint> {
  const out = new Map<string, NodePaint>();
  for (const s of r.services) {
    const busiest = busiestResource(s);
    if (!busiest) continue;
    out.set(s.service, {
      band: utilizationBand(busiest.utilization.value, busiest.saturated),
      note: `${busiest.kind === 'cpu' ? 'CPU' : 'pool'} ${pct(busiest.utilization.value)}${busiest.saturated ? ' saturated' : ''}`,
    });
  }
  return out;
}

/** What a failure does to a service: the one made to fail, and the outcome of each on a path to it. */
export const OUTCOME_BANDS = {
  injected: { id: 'injected', fill: '#fecdca', border: '#7a271a', borderWidth: 5, label: 'made to fail' },
  failed: { id: 'failed', fill: '#fecdca', border: '#b42318', borderWidth: 3, label: 'fails' },
  degraded: { id: 'degraded', fill: '#fef0c7', border: '#b54708', borderWidth: 2, label: 'degraded' },
  unaffected: { id: 'unaffected', fill: '#d1fadf', border: '#027a48', borderWidth: 1, label: 'unaffected' },
} as const satisfies Record<string, Band>;

const WORST: readonly FailureOutcome[] = ['failed', 'degraded', 'unaffected'];

/**
 * Each service's paint for a failure simulation: the failed service `injected`; every other
 * service on a call path from an entry endpoint to it (the endpoint's own service included) the
 * worst outcome of those endpoints; services of unaffected endpoints `unaffected`.
 */
export function failurePaint(r: FailureSimulationResult): Map<string, NodePaint> {
  const worst = new Map<string, FailureOutcome>();
  const note = (service: string, o: FailureOutcome) => {
    const had = worst.get(service);
    if (had === undefined || WORST.indexOf(o) < WORST.indexOf(had)) worst.set(service, o);
  };
  for (const e of r.endpoints) {
    note(e.service, e.outcome);
    for (const path of e.paths) for (const s of path.split(' → ')) note(s.trim(), e.outcome);
  }
  const out = new Map<string, NodePaint>();
  for (const [service, o] of worst)
    if (service !== r.service)
      out.set(service, {
        band: OUTCOME_BANDS[o],
        note: o === 'unaffected' ? 'unaffected' : `${o === 'failed' ? 'fails' : 'degraded'} by it`,
      });
  out.set(r.service, { band: OUTCOME_BANDS.injected, note: r.modeText });
  return out;
}
