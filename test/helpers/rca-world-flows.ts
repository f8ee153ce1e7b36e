// More named worlds for the rca version snapshot (rca-world-cases.ts lists them all): rates
// over gaps and buckets of several minutes (rca-rank's last cases) and log flow (rca-flow's).
import type { ErrorGroupRow, FlowRow, PatternRow } from '../../src/analysis/rca/index.js';
import { MIN, type RcaWorld, T0, flowInput, input } from './rca-worlds.js';

export function gapInData(): RcaWorld {
  const errorGroups: ErrorGroupRow[] = [];
  const patterns: PatternRow[] = [];
  for (const m of [3, 4, 5, 6, 7]) {
    errorGroups.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'TimeoutError', count: 5 });
    patterns.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'info', level: 'INFO', count: 50 });
  }
  return { input: input({ baseline: { startMs: T0 - 25 * MIN, endMs: T0 + 5 * MIN }, errorGroups, patterns }) };
}

export function quietMinute(): RcaWorld {
  const errorGroups: ErrorGroupRow[] = [];
  for (const m of [5, 6, 7]) {
    errorGroups.push({ minuteMs: T0 + m * MIN, service: 'cart', key: 'TypeError', count: 60 });
    errorGroups.push({ minuteMs: T0 + m * MIN, service: 'web', key: 'Timeout', count: 1 });
  }
  return { input: input({ errorGroups }) };
}

export function buckets(bucketed: boolean): RcaWorld {
  const baseline = { startMs: T0 - 32 * MIN, endMs: T0 };
  const incident = { startMs: T0, endMs: T0 + 10 * MIN };
  const errorGroups: ErrorGroupRow[] = [];
  const patterns: PatternRow[] = [];
  for (let m = -32; m < 10; m++) {
    errorGroups.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'TimeoutError', count: m < 0 ? 5 : 20 });
    patterns.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'info', level: 'INFO', count: 100 });
  }
  if (!bucketed) return { input: input({ baseline, incident, errorGroups, patterns }) };
  const bucketOf = (ms: number) =>
    ms < T0
      ? Math.max(baseline.startMs, T0 - Math.ceil((T0 - ms) / (5 * MIN)) * 5 * MIN)
      : T0 + Math.floor((ms - T0) / (4 * MIN)) * 4 * MIN;
  const sum = <R extends { minuteMs: number; key: string; count: number }>(rows: R[]): R[] => {
    const out = new Map<string, R>();
    for (const r of rows) {
      const b = bucketOf(r.minuteMs);
      const o = out.get(`${b} ${r.key}`);
      if (o) o.count += r.count;
      else out.set(`${b} ${r.key}`, { ...r, minuteMs: b });
    }
    return [...out.values()];
  };
  return {
    input: input({
      baseline,
      incident,
      errorGroups: sum(errorGroups),
      patterns: sum(patterns),
      bucketMinutes: { baseline: 5, incident: 4 },
    }),
  };
}

export function flowSites(): RcaWorld {
  const patterns: PatternRow[] = [];
  const flows: FlowRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const cut = m >= 6;
    patterns.push({ minuteMs, service: 'route', key: 'a1', level: 'INFO', count: 10, site: 'Route.java:53' });
    patterns.push({ minuteMs, service: 'route', key: 'a2', level: 'INFO', count: 10, site: 'Route.java:53' });
    patterns.push({ minuteMs, service: 'route', key: 'b', level: 'INFO', count: cut ? 0 : 20, site: 'Route.java:60' });
    if (!cut)
      flows.push(
        { minuteMs, service: 'route', from: 'a1', to: 'b', count: 10 },
        { minuteMs, service: 'route', from: 'a2', to: 'b', count: 10 },
      );
  }
  return { input: flowInput({ patterns, flows }) };
}

export function flows(...parts: Array<{ patterns: PatternRow[]; flows: FlowRow[] }>): RcaWorld {
  return { input: flowInput({ patterns: parts.flatMap((p) => p.patterns), flows: parts.flatMap((p) => p.flows) }) };
}

/** Every world by name; each call builds fresh rows (the rankers may not mutate them, but sketches are objects). */
