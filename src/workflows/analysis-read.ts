// Reading what streaming analysis mined (patterns@3, errors@1, RED minutes, the service
// graph) over a time window: totals, a bucketed series, a trend and distinct users per item.
// The same functions answer the API, `orrery patterns|errors|services`, the UI and MCP.
import { DDSketch, HyperLogLog } from '../analysis/index.js';
import { ERRORS_ALGORITHM, culpritOf } from '../analysis/errors/index.js';
import { PATTERNS_ALGORITHM } from '../analysis/patterns/index.js';
import {
  type EdgeWindow,
  type EndpointWindow,
  type MinuteAggregate,
  type MinuteWindow,
  type StoredErrorGroup,
  type StoredPattern,
  edgesInWindow,
  errorGroupWindow,
  errorGroupsByFingerprint,
  errorGroupsInWindow,
  errorVersions,
  patternVersions,
  patternWindow,
  patternsByKey,
  patternsInWindow,
  minuteSignals,
  redInWindow,
  resolvePattern,
  serviceFirstSeen,
} from '../store/index.js';
import type {
  AnalysisWindow,
  EdgeSummary,
  EndpointSummary,
  ErrorFrame,
  ErrorGroupList,
  ErrorGroupShow,
  ErrorGroupSummary,
  ErrorSample,
  Latency,
  LatencySeries,
  PatternList,
  PatternSample,
  PatternShow,
  PatternSummary,
  ServiceActivity,
  ServiceGraph,
  ServiceList,
  ServiceNode,
  ServiceSummary,
  TemplateSlot,
  Trend,
} from '../model/index.js';
import type { Context } from './context.js';
import { isoOrNull } from './iso.js';

export const DEFAULT_WINDOW_MS = 60 * 60_000;
/** Longest window read at once: every sketch in it is merged in memory. */
export const MAX_WINDOW_MS = 31 * 86_400_000;
export const DEFAULT_BUCKETS = 12;
export const MAX_BUCKETS = 240;
export const MAX_ANALYSIS_LIMIT = 1000;
/** Fewest events by which the last quarter must differ from the earlier rate to be a trend. */
export const MIN_TREND_DELTA = 3;

const MINUTE = 60_000;

/** A request the caller got wrong: a 400 at the API, exit 2 at the CLI. */
export class AnalysisInputError extends Error {}

// ---------------------------------------------------------------------------------------
// Shapes

// The response shapes live in the model (model/analysis-api.ts), where the CLI and the web UI
// read them too; re-exported here for callers that still import them from the workflows.
export type {
  AnalysisWindow,
  EdgeSummary,
  EndpointSummary,
  ErrorFrame,
  ErrorGroupDetail,
  ErrorGroupList,
  ErrorGroupShow,
  ErrorGroupSummary,
  ErrorSample,
  Latency,
  LatencySeries,
  PatternDetail,
  PatternList,
  PatternSample,
  PatternShow,
  PatternSummary,
  ServiceActivity,
  ServiceGraph,
  ServiceList,
  ServiceNode,
  ServiceSummary,
  TemplateSlot,
  Trend,
} from '../model/index.js';

export interface WindowQuery {
  /** Default: `until` minus one hour. */
  since?: Date;
  /** Default: now. */
  until?: Date;
  /** Buckets of `series` (default 12, at most one per minute). */
  buckets?: number;
}

export interface PatternQuery extends WindowQuery {
  service?: string;
  /** Severity texts, any case (`error`, `WARN`). */
  levels?: string[];
  /** Case-insensitive text in the template. */
  q?: string;
  /** Default 50. */
  limit?: number;
}

export interface ErrorQuery extends WindowQuery {
  service?: string;
  /** Case-insensitive text in the type or message. */
  q?: string;
  /** Default 50. */
  limit?: number;
}

export interface ServiceQuery extends WindowQuery {
  service?: string;
  /** Most services listed (most requests first); default 200. */
  limit?: number;
}

// ---------------------------------------------------------------------------------------
// Window and trend

const ceilMinute = (t: number) => Math.ceil(t / MINUTE) * MINUTE;

/**
 * The window to read. Minute rows cover whole minutes, so `since` and `until` are both
 * rounded UP to a minute: the window holds the minutes that start in [since, until), a
 * window of `--since 1h` is exactly 60 minutes, and the minute now under way is the last one.
 * At most MAX_WINDOW_MS long, in `buckets` equal buckets (fewer when the window has fewer
 * minutes). The last quarter (for the trend) starts on a minute boundary.
 */
export function resolveWindow(q: WindowQuery, now: Date = new Date()): MinuteWindow {
  const untilMs = (q.until ?? now).getTime();
  const sinceMs = q.since ? q.since.getTime() : untilMs - DEFAULT_WINDOW_MS;
  if (Number.isNaN(untilMs) || Number.isNaN(sinceMs)) throw new AnalysisInputError('since/until: not a valid time');
  if (sinceMs >= untilMs) {
    throw new AnalysisInputError(
      `since (${new Date(sinceMs).toISOString()}) must be before until (${new Date(untilMs).toISOString()})`,
    );
  }
  const since = ceilMinute(sinceMs);
  const until = Math.max(ceilMinute(untilMs), since + MINUTE);
  if (until - since > MAX_WINDOW_MS)
    throw new AnalysisInputError(`the window is longer than ${MAX_WINDOW_MS / 86_400_000} days: narrow since/until`);
  const minutes = (until - since) / MINUTE;
  const requested = q.buckets ?? DEFAULT_BUCKETS;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_BUCKETS) {
    throw new AnalysisInputError(`buckets: must be an integer from 1 to ${MAX_BUCKETS}`);
  }
  const buckets = Math.min(requested, minutes);
  const recentMinutes = Math.max(1, Math.round(minutes / 4));
  return {
    since: new Date(since),
    until: new Date(until),
    buckets,
    bucketMs: (until - since) / buckets,
    recentSince: new Date(until - recentMinutes * MINUTE),
  };
}

function windowInfo(w: MinuteWindow): AnalysisWindow {
  return {
    since: w.since.toISOString(),
    until: w.until.toISOString(),
    buckets: w.buckets,
    bucketSeconds: w.bucketMs / 1000,
    recentSince: w.recentSince.toISOString(),
  };
}

/**
 * The trend of a count over the window, from its total, its part in the last quarter
 * (`recent`) and when the item was first seen:
 *  - `new`: first seen inside the last quarter;
 *  - `rising`: the last quarter's rate is at least twice the rate before it, and the last
 *    quarter has at least MIN_TREND_DELTA (3) more events than that earlier rate predicts;
 *  - `falling`: at most half the earlier rate, and at least 3 fewer events than predicted;
 *  - `steady`: anything else (so 1 vs 0 events is steady, not a trend).
 * A window of one minute has no "before" and is always steady (unless new).
 */
export function trendOf(total: number, recent: number, firstSeen: Date | null, w: MinuteWindow): Trend {
  const first = firstSeen?.getTime();
  if (first !== undefined && first >= w.recentSince.getTime() && first < w.until.getTime()) return 'new';
  const recentMs = w.until.getTime() - w.recentSince.getTime();
  const earlierMs = w.recentSince.getTime() - w.since.getTime();
  if (earlierMs <= 0) return 'steady';
  const expected = ((total - recent) * recentMs) / earlierMs;
  if (recent >= 2 * expected && recent - expected >= MIN_TREND_DELTA) return 'rising';
  if (recent <= expected / 2 && expected - recent >= MIN_TREND_DELTA) return 'falling';
  return 'steady';
}

// ---------------------------------------------------------------------------------------
// Sketches

function mergeHll(list: readonly Uint8Array[] | undefined): number | null {
  if (!list || list.length === 0) return null;
  let acc: HyperLogLog | null = null;
  for (const bytes of list) {
    try {
      const h = HyperLogLog.fromBytes(bytes);
      if (acc === null) acc = h;
      else acc.merge(h);
    } catch {
      // A sketch that does not decode (or another precision) is left out rather than failing the read.
    }
  }
  return acc === null ? null : acc.estimate();
}

export function mergeDd(list: readonly Uint8Array[] | undefined): DDSketch | null {
  let acc: DDSketch | null = null;
  for (const bytes of list ?? []) {
    try {
      const s = DDSketch.fromBytes(bytes);
      if (acc === null) acc = s;
      else acc.merge(s);
    } catch {
      // As for HyperLogLog above.
    }
  }
  return acc;
}

export function quantile(s: DDSketch | null, q: number): number | null {
  if (s === null || s.count === 0) return null;
  return round3(s.quantile(q));
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? round3(part / whole) : null;
}

// ---------------------------------------------------------------------------------------
// Patterns

function clampLimit(limit: number | undefined, fallback: number): number {
  const n = limit ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ANALYSIS_LIMIT)
    throw new AnalysisInputError(`limit: must be an integer from 1 to ${MAX_ANALYSIS_LIMIT}`);
  return n;
}

function patternSummary(p: StoredPattern, m: MinuteAggregate, w: MinuteWindow): PatternSummary {
  return {
    key: p.key,
    service: p.service,
    template: p.template,
    site: p.site,
    level: p.level,
    count: m.totals.count!,
    users: mergeHll(m.sketches.users),
    accounts: mergeHll(m.sketches.accounts),
    series: m.series.count!,
    trend: trendOf(m.totals.count!, m.recent.count!, p.firstSeen, w),
    firstSeen: isoOrNull(p.firstSeen),
    lastSeen: isoOrNull(p.lastSeen),
    firstVersion: p.firstVersion,
    totalCount: p.count,
  };
}

/**
 * The one service a key was found in: null when none, an AnalysisInputError naming them when
 * several (keys are per service, and the caller did not say which).
 */
function onlyService(found: readonly { service: string }[], what: string): string | null {
  if (found.length === 0) return null;
  if (found.length > 1) {
    throw new AnalysisInputError(
      `${what} is in several services (${found.map((f) => f.service).join(', ')}): say which with service`,
    );
  }
  return found[0]!.service;
}

/** Live patterns with lines in the window, most lines first. */
export async function listPatterns(ctx: Pick<Context, 'store'>, q: PatternQuery = {}): Promise<PatternList> {
  const w = resolveWindow(q);
  const rows = await patternsInWindow(ctx.store.db, w, {
    algorithm: PATTERNS_ALGORITHM,
    service: q.service,
    levels: q.levels?.map((l) => l.trim()).filter(Boolean),
    text: q.q,
    limit: clampLimit(q.limit, 50),
  });
  return { window: windowInfo(w), patterns: rows.map((r) => patternSummary(r.pattern, r.minutes, w)) };
}

/**
 * One pattern by key, with its slots, samples, series and versions. A key that merged into
 * another resolves to the pattern it converged into (`resolvedFrom` says so). Null when no
 * pattern has the key; an AnalysisInputError when several services have it and `service`
 * does not say which.
 */
export async function getPattern(
  ctx: Pick<Context, 'store'>,
  key: string,
  q: WindowQuery & { service?: string } = {},
): Promise<PatternShow | null> {
  const w = resolveWindow(q);
  const db = ctx.store.db;
  const found = await patternsByKey(db, PATTERNS_ALGORITHM, key, q.service);
  const service = onlyService(found, `pattern ${key}`);
  if (service === null) return null;
  const live = await resolvePattern(db, PATTERNS_ALGORITHM, service, key);
  if (!live) return null;
  const r = await patternWindow(db, w, PATTERNS_ALGORITHM, service, live.key);
  if (!r) return null;
  return {
    window: windowInfo(w),
    resolvedFrom: live.key === key ? null : key,
    pattern: {
      ...patternSummary(r.pattern, r.minutes, w),
      algorithm: r.pattern.algorithm,
      slots: r.pattern.slots as TemplateSlot[],
      samples: r.pattern.samples as PatternSample[],
      mergedKeys: r.mergedKeys,
      versions: await patternVersions(db, w, service, [live.key, ...r.mergedKeys]),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Error groups

function errorSummary(g: StoredErrorGroup, m: MinuteAggregate, w: MinuteWindow): ErrorGroupSummary {
  return {
    fingerprint: g.fingerprint,
    service: g.service,
    type: g.type,
    message: g.message,
    culprit: culpritOf(g.frames as ErrorFrame[]),
    count: m.totals.count!,
    users: mergeHll(m.sketches.users),
    accounts: mergeHll(m.sketches.accounts),
    series: m.series.count!,
    trend: trendOf(m.totals.count!, m.recent.count!, g.firstSeen, w),
    firstSeen: isoOrNull(g.firstSeen),
    firstRelease: g.firstRelease,
    lastSeen: isoOrNull(g.lastSeen),
    totalCount: g.count,
  };
}

/** Error groups with occurrences in the window, most first. */
export async function listErrorGroups(ctx: Pick<Context, 'store'>, q: ErrorQuery = {}): Promise<ErrorGroupList> {
  const w = resolveWindow(q);
  const rows = await errorGroupsInWindow(ctx.store.db, w, {
    algorithm: ERRORS_ALGORITHM,
    service: q.service,
    text: q.q,
    limit: clampLimit(q.limit, 50),
  });
  return { window: windowInfo(w), errors: rows.map((r) => errorSummary(r.group, r.minutes, w)) };
}

/** One error group with its frames, samples and versions; null when unknown (as for getPattern). */
export async function getErrorGroup(
  ctx: Pick<Context, 'store'>,
  fingerprint: string,
  q: WindowQuery & { service?: string } = {},
): Promise<ErrorGroupShow | null> {
  const w = resolveWindow(q);
  const db = ctx.store.db;
  const found = await errorGroupsByFingerprint(db, ERRORS_ALGORITHM, fingerprint, q.service);
  const service = onlyService(found, `error group ${fingerprint}`);
  if (service === null) return null;
  const r = await errorGroupWindow(db, w, ERRORS_ALGORITHM, service, fingerprint);
  if (!r) return null;
  return {
    window: windowInfo(w),
    error: {
      ...errorSummary(r.group, r.minutes, w),
      algorithm: r.group.algorithm,
      runtime: r.group.runtime,
      frames: r.group.frames as ErrorFrame[],
      samples: r.group.samples as ErrorSample[],
      versions: await errorVersions(db, w, service, fingerprint),
    },
  };
}

// ---------------------------------------------------------------------------------------
// Services and the service graph

function edgeSummary(e: EdgeWindow): EdgeSummary {
  const s = mergeDd(e.minutes.sketches.latency);
  const calls = e.minutes.totals.calls!;
  const errors = e.minutes.totals.errors!;
  return {
    caller: e.caller,
    callee: e.callee,
    calls,
    errors,
    errorRate: rate(errors, calls),
    p50Ms: quantile(s, 0.5),
    p99Ms: quantile(s, 0.99),
  };
}

function latencyOf(s: DDSketch | null): Latency {
  return { p50Ms: quantile(s, 0.5), p95Ms: quantile(s, 0.95), p99Ms: quantile(s, 0.99) };
}

/** One service's summary from its endpoints' minutes in the window, with its neighbours from `edges`. */
function summarize(
  name: string,
  endpoints: readonly EndpointWindow[],
  w: MinuteWindow,
  edges: readonly EdgeSummary[],
  seen: Date | null,
): ServiceSummary {
  const minutes = (w.until.getTime() - w.since.getTime()) / MINUTE;
  const series = new Array<number>(w.buckets).fill(0);
  const errorSeries = new Array<number>(w.buckets).fill(0);
  let requests = 0;
  let errors = 0;
  let recent = 0;
  let latency: DDSketch | null = null;
  const users: Uint8Array[] = [];
  const accounts: Uint8Array[] = [];
  const endpointList: EndpointSummary[] = [];
  for (const { endpoint, minutes: m } of endpoints) {
    requests += m.totals.requests!;
    errors += m.totals.errors!;
    recent += m.recent.requests!;
    for (let i = 0; i < w.buckets; i++) {
      series[i]! += m.series.requests![i]!;
      errorSeries[i]! += m.series.errors![i]!;
    }
    users.push(...(m.sketches.users ?? []));
    accounts.push(...(m.sketches.accounts ?? []));
    const own = mergeDd(m.sketches.latency);
    endpointList.push({
      endpoint,
      requests: m.totals.requests!,
      errors: m.totals.errors!,
      errorRate: rate(m.totals.errors!, m.totals.requests!),
      ...latencyOf(own),
    });
    // After the endpoint's quantiles are taken: merging into `own` later does not change them.
    if (own) {
      if (latency === null) latency = own;
      else latency.merge(own);
    }
  }
  return {
    service: name,
    requests,
    errors,
    errorRate: rate(errors, requests),
    requestsPerMinute: round3(requests / minutes),
    ...latencyOf(latency),
    users: mergeHll(users),
    accounts: mergeHll(accounts),
    series,
    errorSeries,
    trend: trendOf(requests, recent, seen, w),
    firstSeen: isoOrNull(seen),
    endpoints: endpointList,
    callers: edges.filter((e) => e.callee === name),
    callees: edges.filter((e) => e.caller === name),
  };
}

/**
 * RED per service (and per endpoint) in the window: requests, errors, error rate, latency
 * quantiles from the merged DDSketches, distinct users from the merged HyperLogLogs, and the
 * service's callers and callees from the service graph. Most requests first.
 */
export async function listServices(ctx: Pick<Context, 'store'>, q: ServiceQuery = {}): Promise<ServiceList> {
  const w = resolveWindow(q);
  const db = ctx.store.db;
  const endpoints = await redInWindow(db, w, { service: q.service, limit: clampLimit(q.limit, 200) });
  const edges = (await edgesInWindow(db, w, { service: q.service })).map(edgeSummary);
  const byService = new Map<string, EndpointWindow[]>();
  for (const e of endpoints) {
    const list = byService.get(e.service);
    if (list) list.push(e);
    else byService.set(e.service, [e]);
  }
  const order = [...byService.keys()];
  const firstSeen = await serviceFirstSeen(db, order);
  const services = order.map((name) => summarize(name, byService.get(name)!, w, edges, firstSeen.get(name) ?? null));
  return { window: windowInfo(w), services };
}

/**
 * One service's requests, users and accounts in a window (its RED minutes alone): for a caller
 * that needs those, not the callers, callees and endpoints listServices also reads. Null when the
 * service served nothing in the window.
 */
export async function serviceActivity(
  ctx: Pick<Context, 'store'>,
  q: WindowQuery & { service: string },
): Promise<ServiceActivity | null> {
  const w = resolveWindow(q);
  const endpoints = await redInWindow(ctx.store.db, w, { service: q.service, limit: 1 });
  if (endpoints.length === 0) return null;
  const { requests, users, accounts, series } = summarize(q.service, endpoints, w, [], null);
  return { requests, users, accounts, series };
}

/**
 * The service graph in the window: edges (caller → callee, calls, errors, latency) and a node
 * per service on either end or with RED minutes. `service` keeps the edges touching it.
 */
export async function serviceGraph(
  ctx: Pick<Context, 'store'>,
  q: WindowQuery & { service?: string } = {},
): Promise<ServiceGraph> {
  const w = resolveWindow(q);
  const db = ctx.store.db;
  const edges = (await edgesInWindow(db, w, { service: q.service })).map(edgeSummary);
  const names = new Set<string>(q.service === undefined ? [] : [q.service]);
  for (const e of edges) names.add(e.caller).add(e.callee);
  const red =
    q.service === undefined
      ? await redInWindow(db, w, { limit: MAX_ANALYSIS_LIMIT, withUsers: false })
      : await redInWindow(db, w, { services: [...names], limit: MAX_ANALYSIS_LIMIT, withUsers: false });
  for (const r of red) names.add(r.service);
  const nodes = [...names].sort().map((name): ServiceNode => {
    const eps = red.filter((r) => r.service === name);
    const requests = eps.reduce((n, r) => n + r.minutes.totals.requests!, 0);
    const errors = eps.reduce((n, r) => n + r.minutes.totals.errors!, 0);
    const latency = mergeDd(eps.flatMap((r) => r.minutes.sketches.latency ?? []));
    return {
      service: name,
      requests,
      errors,
      errorRate: rate(errors, requests),
      p99Ms: quantile(latency, 0.99),
      edgeOnly: eps.length === 0,
    };
  });
  return { window: windowInfo(w), nodes, edges };
}

// ---------------------------------------------------------------------------------------
// Latency over time

/** A service's (or one endpoint's) requests, errors and latency quantiles per bucket of the window. */
export async function latencySeries(
  ctx: Pick<Context, 'store'>,
  q: WindowQuery & { service: string; endpoint?: string },
): Promise<LatencySeries> {
  const w = resolveWindow(q);
  const { red } = await minuteSignals(ctx.store.db, w.since, w.until, [q.service]);
  const n = w.buckets;
  const requests = new Array<number>(n).fill(0);
  const errors = new Array<number>(n).fill(0);
  const sketches = Array.from({ length: n }, () => new DDSketch());
  for (const r of red) {
    if (r.service !== q.service || (q.endpoint !== undefined && r.endpoint !== q.endpoint)) continue;
    const b = Math.min(n - 1, Math.floor((r.minuteMs - w.since.getTime()) / w.bucketMs));
    if (b < 0) continue;
    requests[b] = (requests[b] as number) + r.requests;
    errors[b] = (errors[b] as number) + r.errors;
    (sketches[b] as DDSketch).merge(r.latency);
  }
  const at = (p: number) => sketches.map((s) => (s.count > 0 ? s.quantile(p) : null));
  return {
    window: windowInfo(w),
    service: q.service,
    endpoint: q.endpoint ?? null,
    requests,
    errors,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
  };
}
