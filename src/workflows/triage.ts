// `triage`: one prioritized queue of problems across the world. Reads the window's error
// groups, WARN/ERROR log patterns, service-graph edges, served routes and open tickets from
// the store, clusters them with triage@1 (analysis/triage), stores the problems (stable ids
// by key) and returns the ranked queue. The server, the CLI, the UI and MCP all call this.
import { ERRORS_ALGORITHM, type CulpritFrame, culpritOf, innermostFrame } from '../analysis/errors/index.js';
import { TupleMap, tupleKey } from '../analysis/index.js';
import { PATTERNS_ALGORITHM } from '../analysis/patterns/index.js';
import {
  type Owners,
  TRIAGE_ALGORITHM,
  type TriageErrorGroup,
  type TriagePattern,
  type TriageTicket,
  type TriageWindow,
  triageProblems,
} from '../analysis/triage/index.js';
import {
  type MinuteWindow,
  errorGroupsInWindow,
  investigationStore,
  listDeploys as listStoredDeploys,
  patternsInWindow,
  serviceFirstSeen,
} from '../store/index.js';
import type { Problem, ProblemStatus, QueuedProblem, QueuedProblemDetail, SuspectedDeploy } from '../model/index.js';
import {
  edgePairs,
  getProblem as getStoredProblem,
  listProblems as listStoredProblems,
  openTickets,
  ownersFor,
  problemsByIds,
  saveRun,
  servedRoutes,
  userErrors,
} from '../store/problem-store.js';
import { AnalysisInputError, type ErrorFrame, MAX_ANALYSIS_LIMIT, resolveWindow, trendOf } from './analysis-read.js';
import type { Context } from './context.js';
import { isoOrNull } from './iso.js';

export const DEFAULT_TRIAGE_WINDOW_MS = 24 * 3_600_000;
/** Series are per minute up to this many buckets (24 h); longer windows use this many equal buckets. */
export const MAX_TRIAGE_BUCKETS = 1440;
/** Tickets are read from at least this far back: a ticket filed days ago can name a fault still happening. */
export const TICKET_LOOK_BACK_MS = 7 * 86_400_000;
export const MAX_TRIAGE_TICKETS = 2000;
export const DEFAULT_TRIAGE_LIMIT = 20;
/** Levels of the patterns triage reads (compared upper-case). */
export const TRIAGE_LEVELS = [
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
  'EMERGENCY',
  'PANIC',
];

const MINUTE = 60_000;

export interface TriageOptions {
  /** Default: `until` minus 24 h. */
  since?: Date;
  /** Default: now. */
  until?: Date;
  /** Problems returned (all are stored); default 20, at most 1000. */
  limit?: number;
  now?: Date;
}

export interface TriageRun {
  algorithm: typeof TRIAGE_ALGORITHM;
  window: TriageWindow;
  rules: string[];
  /** The first `limit` problems, highest priority first. */
  problems: Problem[];
  /** Problems found in the window (all stored). */
  total: number;
  /** Open problems from earlier runs this run did not see, now resolved. */
  resolved: number;
  /** Stored problems that merged into another this run. */
  merged: number;
  /** Patterns that joined nothing and were neither new nor rising. */
  ignoredPatterns: number;
  /** What the run could not read in full, and what that means. */
  gaps: string[];
}

function distinctErrors(
  list: ReadonlyArray<{ service: string; text: string }>,
): Array<{ service: string; text: string }> {
  const seen = new TupleMap<[string, string], { service: string; text: string }>();
  for (const e of list) seen.set([e.service, e.text], e);
  return [...seen.values()];
}

/** The trace ids of an error group's or pattern's stored samples. */
function traceIds(samples: readonly unknown[]): string[] {
  const out = new Set<string>();
  for (const s of samples) {
    const t = (s as { traceId?: unknown } | null)?.traceId;
    if (typeof t === 'string' && t !== '') out.add(t.toLowerCase());
  }
  return [...out];
}

/**
 * Runs triage@1 over the window and stores the problems. Problems keep their id across runs
 * (by key); a run whose window reaches now and read everything resolves the open problems it
 * did not see. Throws AnalysisInputError for a bad window or limit.
 */
export async function triage(ctx: Pick<Context, 'store'>, opts: TriageOptions = {}): Promise<TriageRun> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? DEFAULT_TRIAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANALYSIS_LIMIT)
    throw new AnalysisInputError(`limit: must be an integer from 1 to ${MAX_ANALYSIS_LIMIT}`);
  const until = opts.until ?? now;
  const since = opts.since ?? new Date(until.getTime() - DEFAULT_TRIAGE_WINDOW_MS);
  const base = resolveWindow({ since, until }, now);
  const minutes = (base.until.getTime() - base.since.getTime()) / MINUTE;
  const buckets = Math.min(minutes, MAX_TRIAGE_BUCKETS);
  const w: MinuteWindow = { ...base, buckets, bucketMs: (base.until.getTime() - base.since.getTime()) / buckets };
  const db = ctx.store.db;
  const gaps: string[] = [];

  const groups = await errorGroupsInWindow(db, w, { algorithm: ERRORS_ALGORITHM, limit: MAX_ANALYSIS_LIMIT });
  const pats = await patternsInWindow(db, w, {
    algorithm: PATTERNS_ALGORITHM,
    levels: TRIAGE_LEVELS,
    limit: MAX_ANALYSIS_LIMIT,
  });
  if (groups.length === MAX_ANALYSIS_LIMIT)
    gaps.push(`only the ${MAX_ANALYSIS_LIMIT} error groups with the most events were read`);
  if (pats.length === MAX_ANALYSIS_LIMIT)
    gaps.push(`only the ${MAX_ANALYSIS_LIMIT} WARN/ERROR patterns with the most lines were read`);

  const frames = new TupleMap<[string, string], readonly CulpritFrame[]>();
  for (const g of groups) frames.set([g.group.service, g.group.fingerprint], g.group.frames as ErrorFrame[]);
  // ownersFor answers by an opaque string id: the tuple's encoding, so no two items share one.
  const owners = await ownersFor(db, [
    ...groups.map((g) => ({
      id: tupleKey(['e', g.group.service, g.group.fingerprint]),
      service: g.group.service,
      file: innermostFrame(frames.get([g.group.service, g.group.fingerprint]) ?? [])?.file ?? null,
    })),
    ...pats.map((p) => ({
      id: tupleKey(['p', p.pattern.service, p.pattern.key]),
      service: p.pattern.service,
      patternKey: p.pattern.key,
    })),
  ]);

  const errors: TriageErrorGroup[] = groups.map(({ group: g, minutes: m }) => ({
    service: g.service,
    fingerprint: g.fingerprint,
    type: g.type,
    message: g.message,
    culprit: culpritOf(frames.get([g.service, g.fingerprint]) ?? []),
    count: m.totals.count!,
    series: m.series.count!,
    userSketches: m.sketches.users ?? [],
    accountSketches: m.sketches.accounts ?? [],
    traces: traceIds(g.samples),
    trend: trendOf(m.totals.count!, m.recent.count!, g.firstSeen, w),
    firstSeen: isoOrNull(g.firstSeen),
    lastSeen: isoOrNull(g.lastSeen),
    owners: owners.get(tupleKey(['e', g.service, g.fingerprint])) ?? null,
  }));
  const patterns: TriagePattern[] = pats.map(({ pattern: p, minutes: m }) => ({
    service: p.service,
    key: p.key,
    template: p.template,
    level: p.level,
    count: m.totals.count!,
    series: m.series.count!,
    userSketches: m.sketches.users ?? [],
    accountSketches: m.sketches.accounts ?? [],
    traces: traceIds(p.samples),
    trend: trendOf(m.totals.count!, m.recent.count!, p.firstSeen, w),
    firstSeen: isoOrNull(p.firstSeen),
    lastSeen: isoOrNull(p.lastSeen),
    owners: owners.get(tupleKey(['p', p.service, p.key])) ?? null,
  }));

  const ticketSince = new Date(Math.min(w.since.getTime(), w.until.getTime() - TICKET_LOOK_BACK_MS));
  const open = await openTickets(db, ticketSince, w.until, MAX_TRIAGE_TICKETS);
  if (open.length === MAX_TRIAGE_TICKETS) gaps.push(`only the ${MAX_TRIAGE_TICKETS} newest open tickets were read`);
  const hit = await userErrors(
    db,
    open.flatMap((t) => t.users),
    w.since,
    w.until,
  );
  const ticketServices = [...new Set(open.flatMap((t) => [...t.linkedServices, ...t.routeServices]))];
  const serviceOwners = await ownersFor(
    db,
    ticketServices.map((s) => ({ id: s, service: s })),
  );
  const tickets: TriageTicket[] = open.map((t) => {
    const home = t.linkedServices[0] ?? t.routeServices[0];
    const own: Owners | null = home === undefined ? null : (serviceOwners.get(home) ?? null);
    return {
      id: t.id,
      externalId: t.externalId,
      title: t.title,
      body: t.body,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      entities: t.entities,
      reporterHash: t.reporterHash,
      linkedServices: t.linkedServices,
      routeServices: t.routeServices,
      userErrors: distinctErrors(t.users.flatMap((u) => hit.get(u) ?? [])),
      owners: own,
    };
  });

  const window: TriageWindow = {
    since: w.since.toISOString(),
    until: w.until.toISOString(),
    recentSince: w.recentSince.toISOString(),
    buckets: w.buckets,
    bucketMs: w.bucketMs,
  };
  const services = [...new Set([...errors.map((e) => e.service), ...patterns.map((p) => p.service)])];
  const firstSeen = await serviceFirstSeen(db, services);
  const result = triageProblems({
    window,
    serviceFirstSeen: Object.fromEntries([...firstSeen].map(([s, d]) => [s, d.toISOString()])),
    errors,
    patterns,
    edges: await edgePairs(db, w.since, w.until),
    tickets,
    serviceRoutes: await servedRoutes(db, w.since, w.until),
  });

  // The window reaches now when its last minute is the one under way.
  const reachesNow = w.until.getTime() >= now.getTime();
  if (!reachesNow) gaps.push('the window ends before now, so problems it did not see were left open');
  const authoritative = reachesNow && gaps.length === 0;
  const saved = await db.transaction((tx) => saveRun(tx, result, { authoritative }));
  const stored = await problemsByIds(
    db,
    result.problems.slice(0, limit).map((p) => saved.ids.get(p.key)!),
  );
  return {
    algorithm: TRIAGE_ALGORITHM,
    window,
    rules: result.rules,
    problems: stored,
    total: result.problems.length,
    resolved: saved.resolved,
    merged: saved.merged,
    ignoredPatterns: result.ignoredPatterns,
    gaps,
  };
}

export interface ProblemListQuery {
  status?: ProblemStatus | 'all';
  limit?: number;
}

export type { QueuedProblem, QueuedProblemDetail, SuspectedDeploy } from '../model/index.js';

const SUSPECT_LOOK_BACK_MS = 6 * 3_600_000;

async function queued(ctx: Pick<Context, 'store'>, p: Problem): Promise<QueuedProblem> {
  const db = ctx.store.db;
  let suspectedDeploy: SuspectedDeploy | null = null;
  const first = p.firstSeen ? Date.parse(p.firstSeen) : Number.NaN;
  if (p.service && Number.isFinite(first)) {
    const [d] = await listStoredDeploys(db, {
      service: p.service,
      since: new Date(first - SUSPECT_LOOK_BACK_MS),
      until: new Date(first + 60_000),
      limit: 1,
    });
    if (d)
      suspectedDeploy = {
        id: d.id,
        service: d.service,
        version: d.version,
        deployedAt: d.deployedAt,
        commit: d.commitSha,
        verdict: d.verdict ?? null,
        baseline: d.attributes.baseline === true,
      };
  }
  const inv = await investigationStore.latestForSubject(db, { kind: 'problem', problemId: p.id });
  return { ...p, suspectedDeploy, investigation: inv ? { id: inv.id, createdAt: inv.createdAt } : null };
}

/** Stored problems (no new run), highest priority first; default the 50 open ones. */
export async function listProblems(ctx: Pick<Context, 'store'>, q: ProblemListQuery = {}): Promise<QueuedProblem[]> {
  const limit = q.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ANALYSIS_LIMIT)
    throw new AnalysisInputError(`limit: must be an integer from 1 to ${MAX_ANALYSIS_LIMIT}`);
  const problems = await listStoredProblems(ctx.store.db, { status: q.status ?? 'open', limit });
  const out: QueuedProblem[] = [];
  for (const p of problems) out.push(await queued(ctx, p));
  return out;
}

/** One stored problem with its tickets and the problems merged into it; null when unknown. */
export async function getProblem(ctx: Pick<Context, 'store'>, id: number): Promise<QueuedProblemDetail | null> {
  const detail = await getStoredProblem(ctx.store.db, id);
  return detail ? { ...detail, problem: await queued(ctx, detail.problem) } : null;
}
