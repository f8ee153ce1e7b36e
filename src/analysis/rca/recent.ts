// What is anomalous now: an alert asks about the present, so the latest part of the incident
// window is also tested against the rest of the window. A service whose anomaly began in that
// latest part and lasts to the end stands out there; one whose anomaly began earlier in the
// window (an earlier, different fault) or already ended does not, since the rest of the window
// holds it too. The ranking then puts the services anomalous now first (rankTested).
import type { RcaInput } from './types.js';

const MINUTE_MS = 60_000;
/** The latest part is this share of the incident window … */
export const RECENT_SHARE = 1 / 5;
/** … and at least this long. */
export const RECENT_MIN_MS = 3 * MINUTE_MS;

/**
 * The input with the incident window split: the earlier part as the baseline (the gauges' too),
 * the latest part (RECENT_SHARE of the window, at least RECENT_MIN_MS, whole incident buckets)
 * as the incident. Null when the window is shorter than twice its latest part.
 */
export function recentSplit(input: RcaInput): RcaInput | null {
  const inc = input.incident;
  const width = Math.max(1, input.bucketMinutes?.incident ?? 1) * MINUTE_MS;
  const buckets = Math.round((inc.endMs - inc.startMs) / width);
  const recent = Math.max(Math.ceil(RECENT_MIN_MS / width), Math.ceil(buckets * RECENT_SHARE));
  if (buckets < 2 * recent) return null;
  const split = inc.startMs + (buckets - recent) * width;
  const earlier = { startMs: inc.startMs, endMs: split };
  const b = input.bucketMinutes;
  return {
    ...input,
    baseline: earlier,
    metricBaseline: earlier,
    incident: { startMs: split, endMs: inc.endMs },
    ...(b ? { bucketMinutes: { baseline: b.incident, incident: b.incident } } : {}),
  };
}
