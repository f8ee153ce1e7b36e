// Small synthetic worlds for root-cause ranking, shared by the rca tests and the version
// snapshot: deterministic (a seeded LCG, a fixed T0), so the same builder call always gives
// the same rows and the same ranking.
import type { EdgeRow, FlowRow, PatternRow, RcaInput, RcaOptions, RedRow } from '../../src/analysis/rca/index.js';
import { DDSketch } from '../../src/analysis/sketch/index.js';

export const MIN = 60_000;
export const T0 = Date.UTC(2026, 0, 5, 10, 0);
/** rca-rank's windows: five minutes of baseline, three of incident. */
export const BASE = { startMs: T0, endMs: T0 + 5 * MIN };
export const INC = { startMs: T0 + 5 * MIN, endMs: T0 + 8 * MIN };
/** A known-good reference an hour earlier, and a quiet one-minute recent baseline. */
export const REF = { startMs: T0 - 60 * MIN, endMs: T0 - 50 * MIN };
export const SHORT = { startMs: T0 + 4 * MIN, endMs: T0 + 5 * MIN };
/** rca-flow's windows: six minutes of baseline, two of incident. */
export const FLOW_BASE = { startMs: T0, endMs: T0 + 6 * MIN };
export const FLOW_INC = { startMs: T0 + 6 * MIN, endMs: T0 + 8 * MIN };

/** Deterministic pseudo-random numbers (LCG), so fixtures are stable. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` latencies spread ±30% around `median`. */
export function sketch(n: number, median: number, r: () => number): DDSketch {
  const s = new DDSketch();
  for (let i = 0; i < n; i++) s.add(median * (0.7 + 0.6 * r()));
  return s;
}

export interface Svc {
  name: string;
  requests: number;
  /** Median latency (ms) before and during the incident. */
  latency: [number, number];
  /** Error share before and during. */
  errors?: [number, number];
}

/** Eight minutes of RED rows and caller→callee edges for a chain of services. */
export function world(services: Svc[], calls: Array<[string, string]>, seed = 7): Pick<RcaInput, 'red' | 'edges'> {
  const r = rng(seed);
  const red: RedRow[] = [];
  const edges: EdgeRow[] = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5 ? 1 : 0;
    for (const s of services) {
      const errShare = s.errors?.[inc] ?? 0;
      red.push({
        minuteMs,
        service: s.name,
        endpoint: `GET /${s.name}`,
        requests: s.requests,
        errors: Math.round(s.requests * errShare),
        latency: sketch(s.requests, s.latency[inc], r),
      });
    }
    for (const [caller, callee] of calls) {
      const c = byName.get(callee) as Svc;
      const errShare = c.errors?.[inc] ?? 0;
      edges.push({
        minuteMs,
        caller,
        callee,
        calls: c.requests,
        errors: Math.round(c.requests * errShare),
        latency: sketch(c.requests, c.latency[inc], r),
      });
    }
  }
  return { red, edges };
}

/** An input over rca-rank's windows with no rows but `parts`. */
export function input(parts: Partial<RcaInput>): RcaInput {
  return { baseline: BASE, incident: INC, red: [], patterns: [], errorGroups: [], edges: [], ...parts };
}

/** An input over rca-flow's windows with no rows but `parts`. */
export function flowInput(parts: Partial<RcaInput>): RcaInput {
  return { baseline: FLOW_BASE, incident: FLOW_INC, red: [], patterns: [], errorGroups: [], edges: [], ...parts };
}

/** `service` logs 20 INFO lines a minute in REF and the eight minutes from T0, and `warnAt(minute)` of `<service>-warn`. */
export function logRows(service: string, warnAt: (minuteMs: number) => number): PatternRow[] {
  const rows: PatternRow[] = [];
  const minutes = [
    ...Array.from({ length: 10 }, (_, i) => REF.startMs + i * MIN),
    ...Array.from({ length: 8 }, (_, i) => T0 + i * MIN),
  ];
  for (const minuteMs of minutes) {
    rows.push({ minuteMs, service, key: `${service}-info`, level: 'INFO', count: 20 });
    const w = warnAt(minuteMs);
    if (w > 0) rows.push({ minuteMs, service, key: `${service}-warn`, level: 'ERROR', count: w });
  }
  return rows;
}

/** A service whose endpoint /a logs a1 and a2 once per request and /b logs b1, with the given requests per minute. */
export function mixRows(
  service: string,
  mix: (m: number) => [number, number],
  a2Missing: (m: number) => boolean,
): Pick<RcaInput, 'red' | 'patterns'> {
  const red: RedRow[] = [];
  const patterns: PatternRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const [a, b] = mix(m);
    const lat = new DDSketch();
    lat.add(10, a + b);
    red.push({ minuteMs, service, endpoint: '/a', requests: a, errors: 0, latency: lat });
    red.push({ minuteMs, service, endpoint: '/b', requests: b, errors: 0, latency: new DDSketch() });
    patterns.push({ minuteMs, service, key: `${service}-a1`, level: 'INFO', count: a });
    if (!a2Missing(m)) patterns.push({ minuteMs, service, key: `${service}-a2`, level: 'INFO', count: a });
    patterns.push({ minuteMs, service, key: `${service}-b1`, level: 'INFO', count: b });
  }
  return { red, patterns };
}

/**
 * A service whose requests log `calc` then `done` (site-less patterns), `n(m)` requests a minute;
 * `cut(m)` of them stop after `calc` (the span ends there).
 */
export function calcDone(
  service: string,
  n: (m: number) => number,
  cut: (m: number) => number,
): { patterns: PatternRow[]; flows: FlowRow[] } {
  const patterns: PatternRow[] = [];
  const flows: FlowRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const k = n(m);
    const c = cut(m);
    patterns.push({ minuteMs, service, key: `${service}-calc`, level: 'INFO', count: k });
    patterns.push({ minuteMs, service, key: `${service}-done`, level: 'INFO', count: k - c });
    flows.push({ minuteMs, service, from: `${service}-calc`, to: `${service}-done`, count: k - c });
  }
  return { patterns, flows };
}

/** One named world of the version snapshot: an input and the options it is ranked with. */
export interface RcaWorld {
  input: RcaInput;
  options?: RcaOptions;
}
