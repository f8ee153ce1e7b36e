// When an alert's trouble began. An alert names a service and a look-back ("since"); the look-back
// is a bound, not the onset: the alert fired because of how the service behaves now, and the
// window before that can hold an earlier incident that has ended (another fault, already over),
// which would otherwise be compared as if it were part of this one. So the onset is the latest
// significant upward change point, within the look-back, of the alerted service's error ratio or
// median latency, per minute with data; the investigation compares from there, and the minutes
// before it (the earlier part of the look-back included) are its baseline. The investigation
// looks for it only when the service has no history before the look-back (workflows/investigate:
// with one, the whole look-back is compared with it, so a repeated fault's earlier part stays in).
import { findOnset } from '../rca/index.js';
import { DDSketch } from '../sketch/index.js';
import type { VersionMinute } from './facts.js';

/** The alerted service's requests in one minute, or one shorter bucket (all its endpoints). */
export interface ServiceMinute {
  /** The minute's (the bucket's) start. */
  minuteMs: number;
  requests: number;
  errors: number;
  /** Median latency of the minute, ms; null with no latency recorded. */
  p50Ms: number | null;
}

export interface AlertOnsetOptions {
  /** A change point counts when its p (Bonferroni over the splits tried) is below this. Default 0.01. */
  alpha?: number;
  /** Fewest minutes with data on each side of a change point. Default 2. */
  minSegment?: number;
  /** Minutes with fewer requests carry no ratio or median. Default 5. */
  minRequests?: number;
}

export interface AlertOnset {
  onsetMs: number;
  /** The measure whose change set the onset. */
  measure: 'error ratio' | 'p50 latency';
  before: number;
  after: number;
  p: number;
}

interface Change {
  index: number;
  before: number;
  after: number;
  p: number;
}

/**
 * Every significant change point of `series` by binary segmentation: the best split of the
 * whole series, then of each side, while a split is significant.
 */
function changePoints(series: readonly number[], alpha: number, minSegment: number, offset = 0): Change[] {
  const best = findOnset(series, { kind: 'value', minSegment });
  if (!best || !(best.p < alpha)) return [];
  const left = changePoints(series.slice(0, best.index), alpha, minSegment, offset);
  const right = changePoints(series.slice(best.index), alpha, minSegment, offset + best.index);
  return [...left, { index: offset + best.index, before: best.before, after: best.after, p: best.p }, ...right];
}

/**
 * The alert's onset: the latest upward change point of the error ratio or the log median latency
 * that falls in [sinceMs, untilMs), or null when neither changed there (the look-back's start
 * stays the window's start).
 */
export function alertOnset(
  minutes: readonly ServiceMinute[],
  sinceMs: number,
  untilMs: number,
  opts: AlertOnsetOptions = {},
): AlertOnset | null {
  const alpha = opts.alpha ?? 0.01;
  const minSegment = opts.minSegment ?? 2;
  const minRequests = opts.minRequests ?? 5;
  const rows = [...minutes].filter((m) => m.requests >= minRequests).sort((a, b) => a.minuteMs - b.minuteMs);
  const measures: Array<{ measure: AlertOnset['measure']; points: Array<{ ms: number; v: number }> }> = [
    { measure: 'error ratio', points: rows.map((m) => ({ ms: m.minuteMs, v: m.errors / m.requests })) },
    {
      measure: 'p50 latency',
      points: rows
        .filter((m) => m.p50Ms !== null && m.p50Ms > 0)
        .map((m) => ({ ms: m.minuteMs, v: Math.log(m.p50Ms!) })),
    },
  ];
  let latest: AlertOnset | null = null;
  for (const { measure, points } of measures) {
    const series = points.map((p) => p.v);
    for (const c of changePoints(series, alpha, minSegment)) {
      const at = points[c.index]!.ms;
      if (!(c.after > c.before) || at < sinceMs || at >= untilMs) continue;
      const shown = measure === 'p50 latency' ? { before: Math.exp(c.before), after: Math.exp(c.after) } : c;
      if (!latest || at > latest.onsetMs)
        latest = { onsetMs: at, measure, before: shown.before, after: shown.after, p: c.p };
    }
  }
  return latest;
}

/** Buckets of one service by version, summed over its versions, with each bucket's median latency. */
export function serviceBuckets(rows: readonly VersionMinute[]): ServiceMinute[] {
  const by = new Map<number, { requests: number; errors: number; latency: DDSketch }>();
  for (const r of rows) {
    let b = by.get(r.minuteMs);
    if (!b) {
      b = { requests: 0, errors: 0, latency: new DDSketch() };
      by.set(r.minuteMs, b);
    }
    b.requests += r.requests;
    b.errors += r.errors;
    b.latency.merge(r.latency);
  }
  return [...by]
    .sort((a, b) => a[0] - b[0])
    .map(([minuteMs, b]) => {
      const p50 = b.latency.quantile(0.5);
      return { minuteMs, requests: b.requests, errors: b.errors, p50Ms: Number.isFinite(p50) ? p50 : null };
    });
}
