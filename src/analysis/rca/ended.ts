// What is over: an alert asks about the present, and its look-back can hold an earlier incident
// that has ended (another fault, already over), whose evidence over the whole window can outweigh
// the current one's. The window's latest part says which anomalies ended, on positive evidence
// only: a service whose findings are significantly back toward the baseline in the latest part
// (the earlier part of the window, tested against the latest part, is significantly worse the same
// way) and which shows nothing significant now (no test of it in the latest part against the
// baseline passes Bonferroni over its tests) had an anomaly that ended; a service with too few
// samples in the latest part gives no such evidence and keeps its place. rankTested ranks the
// services whose anomaly ended after the roots whose anomaly did not, and after the roots of the
// latest part's own ranking (what is significant now).
import { qValues } from './fdr.js';
import type { Draft, RcaTests } from './tests/index.js';
import type { RankedService, RcaInput, RcaSignal } from './types.js';

const MINUTE_MS = 60_000;
/** The latest part is this share of the incident window … */
export const LATEST_SHARE = 1 / 5;
/** … and at least this long. */
export const LATEST_MIN_MS = 3 * MINUTE_MS;

/** The incident window split in two: the latest part, tested against the baseline, and the earlier part tested against it. */
export interface LatestParts {
  /** The baseline as it is, the latest part as the incident. */
  latest: RcaInput;
  /** The latest part as the baseline (the gauges' too), the earlier part as the incident: a significant rise here is a recovery. */
  reversed: RcaInput;
  /** Minutes of the latest part, for hints. */
  minutes: number;
}

/**
 * The latest part is LATEST_SHARE of the incident window, at least LATEST_MIN_MS, in whole
 * incident buckets; null when the window is shorter than twice that.
 */
export function latestParts(input: RcaInput): LatestParts | null {
  const inc = input.incident;
  const width = Math.max(1, input.bucketMinutes?.incident ?? 1) * MINUTE_MS;
  const buckets = Math.round((inc.endMs - inc.startMs) / width);
  const recent = Math.max(Math.ceil(LATEST_MIN_MS / width), Math.ceil(buckets * LATEST_SHARE));
  if (buckets < 2 * recent) return null;
  const split = inc.startMs + (buckets - recent) * width;
  const earlier = { startMs: inc.startMs, endMs: split };
  const latest = { startMs: split, endMs: inc.endMs };
  const { reference: _, ...noReference } = input;
  const b = input.bucketMinutes;
  return {
    latest: { ...input, incident: latest },
    reversed: {
      ...noReference,
      baseline: latest,
      metricBaseline: latest,
      incident: earlier,
      ...(b ? { bucketMinutes: { baseline: b.incident, incident: b.incident } } : {}),
    },
    minutes: Math.round((inc.endMs - split) / MINUTE_MS),
  };
}

/** One finding across windows: the same test of the same key the same way (a call edge's under either end). */
function findingKey(x: Pick<RcaSignal, 'kind' | 'service' | 'key' | 'statistic'>): string {
  // A WARN/ERROR pattern new in one window is the same statement as a risen one in another.
  const kind = x.kind === 'new-error-pattern' ? 'error-pattern' : x.kind;
  const owner = x.key.includes('→') ? '' : x.service;
  return `${owner}\u0000${kind}\u0000${x.key}\u0000${Math.sign(x.statistic)}`;
}

/** A finding whose latest part is significantly back toward the baseline: its reversed test. */
export interface Recovery {
  signal: RcaSignal;
  /** The reversed test's q over its own run. */
  q: number;
  /** The finding's value in the latest part (the reversed test's baseline). */
  latest: number;
  /** Its value in the earlier part. */
  earlier: number;
}

/**
 * Per service with a significant signal, its first recovered finding (strongest first): one whose
 * reversed test (earlier part against the latest part) is significant at `fdr`, the same way.
 */
export function recoveries(services: readonly RankedService[], reversed: RcaTests, fdr: number): Map<string, Recovery> {
  const qs = qValues(reversed.drafts, fdr);
  const byKey = new Map<string, { d: Draft; q: number }>();
  reversed.drafts.forEach((d, j) => {
    const q = qs[j] as number;
    if (q >= fdr) return;
    const k = findingKey(d);
    const prev = byKey.get(k);
    if (prev === undefined || q < prev.q) byKey.set(k, { d, q });
  });
  const out = new Map<string, Recovery>();
  for (const s of services) {
    if (s.score <= 0) continue;
    for (const x of s.signals) {
      if (x.weight <= 0) continue;
      const r = byKey.get(findingKey(x));
      if (r === undefined) continue;
      out.set(s.service, { signal: x, q: r.q, latest: r.d.baseline, earlier: r.d.incident });
      break;
    }
  }
  return out;
}

/**
 * The services with a test in the latest part (against the baseline) whose p passes Bonferroni
 * over that service's tests at `alpha`: something about them is significant now. Traffic never
 * counts, nor a test that could not reach `alpha` whatever the data (too few samples).
 */
export function activeNow(latest: RcaTests, alpha: number): Set<string> {
  const perService = new Map<string, { p: number; n: number }>();
  for (const d of latest.drafts) {
    if (d.kind === 'traffic' || d.pMin > alpha) continue;
    const m = perService.get(d.service) ?? { p: 1, n: 0 };
    m.p = Math.min(m.p, d.p);
    m.n += 1;
    perService.set(d.service, m);
  }
  return new Set([...perService].filter(([, m]) => m.p * m.n < alpha).map(([s]) => s));
}
