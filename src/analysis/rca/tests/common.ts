// What every family of rca's tests shares: the draft a test produces before the FDR
// correction, the two sides it compares, per-key totals of both sides, and the minutes a
// service reported anything (the exposure of its per-minute rates).
import { type KeyPart, TupleMap, TupleSet } from '../../tuple-map.js';
import type { TestResult } from '../stats.js';
import type { RcaInput, RcaSignal, TimeWindow } from '../types.js';

/** Appended to a test's description when it compared the incident with the known-good reference. */
export const VS_REFERENCE = ' against the known-good reference';
export const MINUTE_MS = 60_000;

/** A tested change before the FDR correction (rankTested turns it into an RcaSignal). */
export interface Draft extends Omit<RcaSignal, 'q' | 'weight'> {
  /** The smallest p-value the test could give with these margins (0 for continuous tests). */
  pMin: number;
}

/** A draft without its bookkeeping. */
export function signal(d: Draft): Omit<RcaSignal, 'q' | 'weight'> {
  const { pMin: _, ...rest } = d;
  return rest;
}

/** The baseline (or reference) side of a comparison, and the incident's. */
export type Side = 'base' | 'inc';

/** What the incident is compared with: the recent baseline, or the known-good reference windows. */
export type Comparison = 'baseline' | 'reference';

export function inWindow(ms: number, w: TimeWindow): boolean {
  return ms >= w.startMs && ms < w.endMs;
}

export function twoSided(t: TestResult): TestResult {
  return { statistic: t.statistic, p: Math.min(1, 2 * t.p) };
}

export function sideOf(ms: number, input: RcaInput, against: Comparison): Side | null {
  if (inWindow(ms, input.incident)) return 'inc';
  if (against === 'baseline') return inWindow(ms, input.baseline) ? 'base' : null;
  return (input.reference ?? []).some((w) => inWindow(ms, w)) ? 'base' : null;
}

/** Per-key totals of both sides, each side in the order its keys were first met. */
export class Pair<K extends readonly KeyPart[], T> {
  readonly base = new TupleMap<K, T>();
  readonly inc = new TupleMap<K, T>();
  constructor(private readonly zero: () => T) {}
  /** The side's total under `key`, made zero first when missing. */
  at(side: Side, key: K): T {
    return (side === 'base' ? this.base : this.inc).upsert(key, this.zero);
  }
  /** Every key of either side: the baseline's in their order, then the incident's new ones. */
  keys(): TupleSet<K> {
    return new TupleSet([...this.base.keys(), ...this.inc.keys()]);
  }
}

/** Counts per minute. */
export type PerMinute = Map<number, number>;

export function addAt(m: PerMinute, minute: number, n: number): void {
  m.set(minute, (m.get(minute) ?? 0) + n);
}

/** The value under `key` in a plain Map, made by `make` and stored first when missing. */
export function upsert<K, V>(m: Map<K, V>, key: K, make: () => V): V {
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    m.set(key, v);
  }
  return v;
}

/** Minutes, per service and side, in which the service reported anything (requests or log lines). */
export function observedMinutes(input: RcaInput, against: Comparison): Pair<[string], { n: number }> {
  const buckets = new Pair<[string], Set<number>>(() => new Set());
  for (const r of [...input.red, ...input.patterns]) {
    const side = sideOf(r.minuteMs, input, against);
    if (side !== null) buckets.at(side, [r.service]).add(r.minuteMs);
  }
  const seen = new Pair<[string], { n: number }>(() => ({ n: 0 }));
  for (const side of ['base', 'inc'] as const) {
    for (const [key, starts] of side === 'base' ? buckets.base : buckets.inc) {
      let n = 0;
      for (const start of starts) n += bucketSpan(input, side, against, start);
      seen.at(side, key).n = n;
    }
  }
  return seen;
}

/** The minutes a row starting at `start` stands for (1 without buckets; the reference is per minute). */
export function bucketSpan(input: RcaInput, side: Side, against: Comparison, start: number): number {
  const b = input.bucketMinutes;
  if (b === undefined || (side === 'base' && against === 'reference')) return 1;
  const width = (side === 'base' ? b.baseline : b.incident) * MINUTE_MS;
  if (width <= MINUTE_MS) return 1;
  const w = side === 'base' ? input.baseline : input.incident;
  // Buckets are aligned to the incident's start: the next boundary after `start`, cut at the window's end.
  const origin = input.incident.startMs;
  const next = origin + (Math.floor((start - origin) / width) + 1) * width;
  return Math.max(1, Math.round((Math.min(next, w.endMs) - start) / MINUTE_MS));
}
