// From the store's minute rows of a deployed service to the series the tests compare: which rows
// are "before" (the previous version over the baseline's minutes) and which "after" (the deployed
// version from the deploy's minute on), summed per minute, with each minute's latency quantiles.
//
// Rule: when the telemetry names the deployed version (service.version), the rows are split by
// version, so a rollout's overlap (old and new processes in the same minutes) is no blur: the
// deploy's own minute counts for the new version's rows. When it does not, the split is by time,
// and the deploy's minute is left out. Calls to other services are split by the calling version
// when the edges name it (each version's calls per request of that version's own requests), and
// by time otherwise. Tables without a version (self time, calls' own time, the system's load) are
// split by time either way.
import { DDSketch } from '../sketch/index.js';
import { minuteRankRise, shareRise, type MinuteCount, median } from './stats.js';
import type { CountSeries, EventSeries, LatencyMinute, LatencySeries, OtherDeploy, VerifySeries } from './types.js';

const MINUTE = 60_000;
/** A minute's latency quantiles need at least this many samples. */
export const MIN_MINUTE_SAMPLES = 5;
/** Levels of the log patterns tested: a new WARN line is news, a new INFO line is just new code. */
export const SEVERE_LEVELS = [
  'WARN',
  'WARNING',
  'ERROR',
  'ERR',
  'FATAL',
  'CRITICAL',
  'CRIT',
  'SEVERE',
  'ALERT',
  'EMERG',
  'PANIC',
];

export interface VersionedRed {
  minuteMs: number;
  endpoint: string;
  version: string;
  requests: number;
  errors: number;
  latency: DDSketch;
}

export interface VersionedEvent {
  minuteMs: number;
  key: string;
  version: string;
  count: number;
  label?: string;
  level?: string;
}

export interface VerifyFacts {
  deploy: { id: number; service: string; environment: string; version: string; deployedAtMs: number };
  baselineMinutes: number;
  /** Minutes ending at or before this have complete data. */
  completeBeforeMs: number;
  red: VersionedRed[];
  errorGroups: VersionedEvent[];
  patterns: VersionedEvent[];
  selfTimes: Array<{ minuteMs: number; visits: number; latency: DDSketch }>;
  /** Calls from the service to each callee (service-graph edges), by the calling version ('' unknown). */
  edges: Array<{ minuteMs: number; callee: string; version: string; calls: number; errors: number }>;
  /** Own time of the service's calls to each callee. */
  edgeTimes: Array<{ minuteMs: number; callee: string; calls: number; unanswered: number; latency: DDSketch }>;
  /** Requests per minute at the system's entries (services no other calls). */
  load: Array<{ minuteMs: number; requests: number }>;
  /** Other services' deploys near this one, each with its service's totals per minute around its deploy. */
  otherDeploys: Array<{
    id: number;
    service: string;
    version: string;
    deployedAtMs: number;
    relation: 'callee' | 'other';
    totals: Array<{ minuteMs: number; requests: number; errors: number; latency: DDSketch }>;
  }>;
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function latencyOf(minuteMs: number, s: DDSketch): LatencyMinute {
  const ok = s.count >= MIN_MINUTE_SAMPLES;
  return {
    minuteMs,
    count: s.count,
    p50: ok ? s.quantile(0.5) : null,
    p95: ok ? s.quantile(0.95) : null,
  };
}

class PerMinute<T> {
  private readonly m = new Map<number, T>();
  constructor(private readonly make: () => T) {}
  at(minuteMs: number): T {
    let v = this.m.get(minuteMs);
    if (v === undefined) {
      v = this.make();
      this.m.set(minuteMs, v);
    }
    return v;
  }
  entries(): Array<[number, T]> {
    return [...this.m].sort((a, b) => a[0] - b[0]);
  }
}

/** The series of a deploy (see the module's rule for what is before and after). */
export function seriesOf(f: VerifyFacts): VerifySeries {
  const d = f.deploy;
  const deployMinute = floorMinute(d.deployedAtMs);
  const baseStart = deployMinute - f.baselineMinutes * MINUTE;
  const versioned = [...f.red, ...f.errorGroups, ...f.patterns].some(
    (r) => r.version === d.version && r.minuteMs >= deployMinute,
  );
  const afterStart = versioned ? deployMinute : deployMinute + MINUTE;
  // Time-split tables start at the first whole minute after the deploy.
  const timeAfterStart = deployMinute + MINUTE;
  const side = (minuteMs: number, version: string | null): 'before' | 'after' | null => {
    if (minuteMs >= baseStart && minuteMs < deployMinute) return versioned && version === d.version ? null : 'before';
    if (version !== null && versioned) return minuteMs >= afterStart && version === d.version ? 'after' : null;
    return minuteMs >= timeAfterStart && minuteMs < f.completeBeforeMs ? 'after' : null;
  };
  const inAfter = (m: number) => m < f.completeBeforeMs;

  // RED: per endpoint and '*', per side and minute.
  type Acc = { requests: number; errors: number; latency: DDSketch };
  const newAcc = (): Acc => ({ requests: 0, errors: 0, latency: new DDSketch() });
  const red = new Map<string, { before: PerMinute<Acc>; after: PerMinute<Acc> }>();
  const redOf = (k: string) => {
    let r = red.get(k);
    if (!r) {
      r = { before: new PerMinute(newAcc), after: new PerMinute(newAcc) };
      red.set(k, r);
    }
    return r;
  };
  const prevServed = new Map<string, number>();
  // Requests per minute of all versions (for time-split tables' rates).
  const allRequests = new Map<number, number>();
  for (const r of f.red) {
    allRequests.set(r.minuteMs, (allRequests.get(r.minuteMs) ?? 0) + r.requests);
    const s = side(r.minuteMs, r.version);
    if (s === null || (s === 'after' && !inAfter(r.minuteMs))) continue;
    if (s === 'before') prevServed.set(r.version, (prevServed.get(r.version) ?? 0) + r.requests);
    for (const k of [r.endpoint, '*']) {
      const a = redOf(k)[s].at(r.minuteMs);
      a.requests += r.requests;
      a.errors += r.errors;
      a.latency.merge(r.latency);
    }
  }
  const total = red.get('*');
  const requestsAt = {
    before: new Map((total?.before.entries() ?? []).map(([m, a]) => [m, a.requests])),
    after: new Map((total?.after.entries() ?? []).map(([m, a]) => [m, a.requests])),
  };
  const served = [...requestsAt.before.values(), ...requestsAt.after.values()].some((n) => n > 0);

  const errorShare: CountSeries[] = [];
  const latency: LatencySeries[] = [];
  for (const [key, r] of [...red].sort((a, b) => (a[0] === '*' ? -1 : b[0] === '*' ? 1 : a[0].localeCompare(b[0])))) {
    const counts = (p: PerMinute<Acc>): MinuteCount[] =>
      p.entries().map(([minuteMs, a]) => ({ minuteMs, x: a.errors, n: a.requests }));
    errorShare.push({
      key,
      label: key === '*' ? 'all endpoints' : null,
      before: counts(r.before),
      after: counts(r.after),
    });
    const lat = (p: PerMinute<Acc>) => p.entries().map(([m, a]) => latencyOf(m, a.latency));
    latency.push({ key, label: key === '*' ? 'all endpoints' : null, before: lat(r.before), after: lat(r.after) });
  }

  // Events per request (per minute when the service served no requests).
  const events = (rows: readonly VersionedEvent[], keep: (r: VersionedEvent) => boolean) => {
    const by = new Map<string, { label: string | null; before: Map<number, number>; after: Map<number, number> }>();
    const pooled = new Map<number, number>();
    for (const r of rows) {
      if (!keep(r)) continue;
      const s = side(r.minuteMs, r.version);
      if (s === null || (s === 'after' && !inAfter(r.minuteMs))) continue;
      let e = by.get(r.key);
      if (!e) {
        e = { label: r.label ?? null, before: new Map(), after: new Map() };
        by.set(r.key, e);
      }
      e[s].set(r.minuteMs, (e[s].get(r.minuteMs) ?? 0) + r.count);
      if (s === 'before') pooled.set(r.minuteMs, (pooled.get(r.minuteMs) ?? 0) + r.count);
    }
    const trialsAt = (s: 'before' | 'after', m: number) => (served ? (requestsAt[s].get(m) ?? 0) : 1);
    // Every minute with trials is a minute the event could have shown in.
    const minutesOf = (s: 'before' | 'after', counts: Map<number, number>) => {
      const ms = new Set<number>(served ? requestsAt[s].keys() : counts.keys());
      if (!served && s === 'before') for (let m = baseStart; m < deployMinute; m += MINUTE) ms.add(m);
      return [...ms].sort((a, b) => a - b).map((m) => ({ minuteMs: m, x: counts.get(m) ?? 0, n: trialsAt(s, m) }));
    };
    const series: EventSeries[] = [...by]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([key, e]) => ({
        key,
        label: e.label,
        before: minutesOf('before', e.before),
        after: minutesOf('after', e.after),
        seenBefore: [...e.before.values()].some((n) => n > 0),
      }));
    return { series, pooled: minutesOf('before', pooled) };
  };
  const groups = events(f.errorGroups, () => true);
  const patterns = events(f.patterns, (r) => SEVERE_LEVELS.includes((r.level ?? '').toUpperCase()));

  // Time-split tables.
  const timeSide = (m: number) => side(m, null);
  const selfBefore = new PerMinute(() => new DDSketch());
  const selfAfter = new PerMinute(() => new DDSketch());
  for (const r of f.selfTimes) {
    const s = timeSide(r.minuteMs);
    if (s) (s === 'before' ? selfBefore : selfAfter).at(r.minuteMs).merge(r.latency);
  }
  const selfTime: LatencySeries | null =
    f.selfTimes.length === 0
      ? null
      : {
          key: d.service,
          label: 'self time',
          before: selfBefore.entries().map(([m, s]) => latencyOf(m, s)),
          after: selfAfter.entries().map(([m, s]) => latencyOf(m, s)),
        };

  // Calls per request: by the calling version when the edges name the deployed one, else by time.
  const edgesVersioned =
    versioned && f.edges.some((e) => e.version === d.version && e.minuteMs >= deployMinute && inAfter(e.minuteMs));
  const edgeSide = (e: { minuteMs: number; version: string }) =>
    edgesVersioned ? side(e.minuteMs, e.version) : timeSide(e.minuteMs);
  const requestsOf = (s: 'before' | 'after', m: number) =>
    edgesVersioned ? (requestsAt[s].get(m) ?? 0) : (allRequests.get(m) ?? 0);
  const callees = [...new Set([...f.edges.map((e) => e.callee), ...f.edgeTimes.map((e) => e.callee)])].sort();
  const edges = callees.map((callee) => {
    const calls = { before: new Map<number, number>(), after: new Map<number, number>() };
    for (const e of f.edges) {
      const s = e.callee === callee ? edgeSide(e) : null;
      if (s && (s === 'before' || inAfter(e.minuteMs)))
        calls[s].set(e.minuteMs, (calls[s].get(e.minuteMs) ?? 0) + e.calls);
    }
    const perRequest = (s: 'before' | 'after'): MinuteCount[] =>
      [...calls[s]]
        .sort((a, b) => a[0] - b[0])
        .map(([m, x]) => ({ minuteMs: m, x, n: requestsOf(s, m) }))
        .filter((c) => c.n > 0);
    const un = { before: new PerMinute(() => ({ x: 0, n: 0 })), after: new PerMinute(() => ({ x: 0, n: 0 })) };
    const own = { before: new PerMinute(() => new DDSketch()), after: new PerMinute(() => new DDSketch()) };
    for (const e of f.edgeTimes) {
      const s = e.callee === callee ? timeSide(e.minuteMs) : null;
      if (!s) continue;
      const u = un[s].at(e.minuteMs);
      u.x += e.unanswered;
      u.n += e.calls;
      own[s].at(e.minuteMs).merge(e.latency);
    }
    const shares = (p: PerMinute<{ x: number; n: number }>) => p.entries().map(([m, v]) => ({ minuteMs: m, ...v }));
    return {
      callee,
      calls: { key: callee, label: null, before: perRequest('before'), after: perRequest('after') },
      unanswered: { key: callee, label: null, before: shares(un.before), after: shares(un.after) },
      ownTime: {
        key: callee,
        label: null,
        before: own.before.entries().map(([m, s]) => latencyOf(m, s)),
        after: own.after.entries().map(([m, s]) => latencyOf(m, s)),
      },
    };
  });

  const load = { before: [] as MinuteCount[], after: [] as MinuteCount[] };
  for (const l of f.load) {
    const s = timeSide(l.minuteMs);
    if (s) load[s].push({ minuteMs: l.minuteMs, x: l.requests, n: 1 });
  }

  const trafficOf = (s: 'before' | 'after'): MinuteCount[] => {
    if (served) return [...requestsAt[s]].sort((a, b) => a[0] - b[0]).map(([m, x]) => ({ minuteMs: m, x, n: 1 }));
    const lines = new Map<number, number>();
    for (const r of [...f.patterns, ...f.errorGroups]) {
      const sd = side(r.minuteMs, r.version);
      if (sd === s && (s === 'before' || inAfter(r.minuteMs)))
        lines.set(r.minuteMs, (lines.get(r.minuteMs) ?? 0) + r.count);
    }
    return [...lines].sort((a, b) => a[0] - b[0]).map(([m, x]) => ({ minuteMs: m, x, n: 1 }));
  };

  const otherDeploys: OtherDeploy[] = f.otherDeploys.map((o) => ({
    id: o.id,
    service: o.service,
    version: o.version,
    deployedAtMs: o.deployedAtMs,
    relation: o.relation,
    changed: changedAcross(o.totals, o.deployedAtMs, f.baselineMinutes, f.completeBeforeMs),
  }));

  const previous = [...prevServed].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  return {
    deploy: d,
    previousVersion: previous === undefined || previous === '' ? null : previous,
    baseline: { startMs: baseStart, endMs: deployMinute },
    afterStartMs: afterStart,
    completeMinutes: Math.max(0, Math.floor((f.completeBeforeMs - afterStart) / MINUTE)),
    traffic: { before: trafficOf('before'), after: trafficOf('after'), unit: served ? 'requests' : 'log lines' },
    load: load.before.length || load.after.length ? load : null,
    errorShare,
    errorGroups: groups.series,
    patterns: patterns.series,
    pooled: { errorGroups: groups.pooled, patterns: patterns.pooled },
    latency,
    selfTime,
    edges,
    otherDeploys,
  };
}

/**
 * Whether a service's errors or latency rose across its own deploy: its error share (Fisher) or
 * its minutes' median latency (ranked) after the deploy against the baseline's minutes before,
 * at p < 0.01 and at least 1.5× (errors) or 1.2× (latency). It is what lets another deploy
 * explain a rise in a service that calls it.
 */
export function changedAcross(
  totals: ReadonlyArray<{ minuteMs: number; requests: number; errors: number; latency: DDSketch }>,
  deployedAtMs: number,
  baselineMinutes: number,
  completeBeforeMs: number,
): boolean {
  const m0 = floorMinute(deployedAtMs);
  const b = totals.filter((t) => t.minuteMs >= m0 - baselineMinutes * MINUTE && t.minuteMs < m0);
  const a = totals.filter((t) => t.minuteMs > m0 && t.minuteMs < completeBeforeMs);
  if (b.length === 0 || a.length === 0) return false;
  const err = shareRise(
    b.map((t) => ({ minuteMs: t.minuteMs, x: t.errors, n: t.requests })),
    a.map((t) => ({ minuteMs: t.minuteMs, x: t.errors, n: t.requests })),
  );
  if (err.p < 0.01 && err.ratio >= 1.5) return true;
  const q = (xs: typeof totals) =>
    xs.filter((t) => t.latency.count >= MIN_MINUTE_SAMPLES).map((t) => t.latency.quantile(0.5));
  const qb = q(b);
  const qa = q(a);
  if (qb.length < 3 || qa.length === 0) return false;
  return minuteRankRise(qb, qa) < 0.01 && median(qa) >= 1.2 * median(qb);
}
