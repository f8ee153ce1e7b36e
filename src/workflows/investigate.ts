// investigate@5: from an alert, a ticket or a problem to ranked findings with evidence. This
// file only reads: the subject, the signals, each candidate's deploys, code and impact, into one
// InvestigationFacts, calling the pure decisions of analysis/investigate between reads where
// the next read depends on them (the anchor, the first ranking, the candidates, the focus, the
// impact order). buildInvestigation makes the result from the facts; then the optional
// narrative, and the run is stored with what changed since the subject's last run.
import {
  type Anchor,
  type CandidateChange,
  type CodeStepResult,
  type InvestigationFacts,
  type LoadFacts,
  type ProblemSubjectFacts,
  type RcaResult,
  type ServiceImpactFacts,
  type TicketSubjectFacts,
  BASELINE_MIN_MS,
  CHANGE_LOOK_BACK_MS,
  ENTRY_TRACES,
  TICKET_LOOK_BACK_MS,
  alertAnchor,
  alertOnset,
  serviceBuckets,
  buildInvestigation,
  candidateServices,
  countsImpact,
  countsPattern,
  diffInvestigations,
  failingOrder,
  firstRanking,
  focusOf,
  hurtThreshold,
  impactOrder,
  impactReads,
  investigationWindows,
  likelyChange,
  loadJudgement,
  problemAnchor,
  relateTickets,
  restrictToEndpoint,
  rootCandidates,
  ticketAnchor,
  ticketService,
  ticketUntil,
  withFlows,
} from '../analysis/index.js';
import type { Deploy, Investigation, InvestigationResult, InvestigationSubject } from '../model/index.js';
import {
  type SignalBuckets,
  dependencyScope,
  downstreamScopes,
  failedAtEntry,
  flowSignals,
  hurtUsers,
  investigationStore,
  minuteSignals,
  serviceMinutes,
  servicesOnEndpointTraces,
  spanTimeSignals,
  ticketStore,
  versionBuckets,
  versionMinutes,
} from '../store/index.js';
import { type ErrorGroupSummary, listErrorGroups, listPatterns, serviceActivity } from './analysis-read.js';
import type { Context } from './context.js';
import { listDeploys } from './deploys.js';
import { locateCode } from './investigate-code.js';

export class InvestigationInputError extends Error {}
export class InvestigationNotFoundError extends Error {}

/** Writes the optional narrative; null when no LLM is configured. Never throws. */
export type Narrator = (
  result: InvestigationResult,
) => Promise<{ narrative: InvestigationResult['narrative']; gap: string | null }>;

export interface InvestigateOptions {
  now?: Date;
  narrate?: Narrator | null;
}

type Ctx = Pick<Context, 'store'>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Related tickets are looked for this far around the ticket. */
const RELATED_BEFORE_MS = 14 * DAY;
const RELATED_AFTER_MS = 7 * DAY;
const MAX_RELATED_CANDIDATES = 5000;
/**
 * A deployed version is compared with the one before it from the raw spans in buckets of
 * VERSION_BUCKET_S, from VERSION_BEFORE_MS before its deploy to VERSION_AFTER_MS after it; from the
 * minute rows (an hour either side, up to the window) when the raw spans are gone.
 */
const VERSION_BUCKET_S = 15;
/** An alert's onset is looked for in buckets of this many seconds of the raw spans. */
const ONSET_BUCKET_S = 15;
/** Minutes with requests before an alert's look-back that make a history to compare it with. */
const ONSET_HISTORY_MINUTES = 2;
const VERSION_BEFORE_MS = 15 * MINUTE;
const VERSION_AFTER_MS = 30 * MINUTE;
const VERSION_MINUTES_MS = 60 * MINUTE;
const NO_VERSIONS = { versions: [], bucketSeconds: 60 };
const iso = (ms: number) => new Date(ms).toISOString();

export async function investigate(
  ctx: Ctx,
  subject: InvestigationSubject,
  opts: InvestigateOptions = {},
): Promise<Investigation> {
  const facts = await readFacts(ctx, subject, (opts.now ?? new Date()).getTime());
  const result = buildInvestigation(facts);
  if (opts.narrate) {
    const told = await opts.narrate(result);
    result.narrative = told.narrative;
    if (told.gap) result.gaps.push(told.gap);
  }
  const previous = await investigationStore.latestForSubject(ctx.store.db, subject);
  return investigationStore.insertInvestigation(ctx.store.db, {
    result,
    problemId: subject.kind === 'problem' ? subject.problemId : null,
    previousId: previous?.id ?? null,
    diff: previous ? diffInvestigations(previous.result, result) : null,
  });
}

/** Everything an investigation of `subject` reads, as of `nowMs`. */
async function readFacts(ctx: Ctx, subject: InvestigationSubject, nowMs: number): Promise<InvestigationFacts> {
  const s = await readSubjectFacts(ctx, subject, nowMs);
  const windows = investigationWindows(s.anchor);
  const signals = await readSignalFacts(ctx, s.anchor, windows);
  const candidates = await readCandidateFacts(ctx, s.anchor, windows, signals);
  return { subject, ...s, windows, signalGaps: signals.signalGaps, rca: signals.rca, ...candidates };
}

// ---------------------------------------------------------------------------------------
// The subject

type SubjectFacts = Pick<InvestigationFacts, 'anchor' | 'ticket' | 'problem' | 'subjectGaps'>;

async function readSubjectFacts(ctx: Ctx, subject: InvestigationSubject, nowMs: number): Promise<SubjectFacts> {
  if (subject.kind === 'alert') {
    const anchor = alertAnchor(subject, nowMs);
    if ('error' in anchor) throw new InvestigationInputError(anchor.error);
    return { anchor: await withAlertOnset(ctx, anchor), ticket: null, problem: null, subjectGaps: [] };
  }
  if (subject.kind === 'ticket') {
    const ticket = await readTicketFacts(ctx, subject.ticketId, nowMs);
    const { anchor, gaps } = ticketAnchor(ticket, nowMs);
    return { anchor, ticket, problem: null, subjectGaps: gaps };
  }
  const problem = await readProblemFacts(ctx, subject.problemId);
  const { anchor, gaps } = problemAnchor(problem, nowMs);
  return { anchor, ticket: null, problem, subjectGaps: gaps };
}

/**
 * An alert's window: its look-back, unless nothing of the alerted service came before it to
 * compare with (a service, or a world, younger than the look-back); then it starts at the
 * alert's onset inside the look-back (alertOnset), and what came before the onset is the
 * baseline. With a history before the look-back the whole look-back is compared with it: cutting
 * it at a later rise would put an earlier part of the same trouble (a repeated fault) into the
 * baseline. The onset is found in ONSET_BUCKET_S buckets of the raw spans, or in the minute rows
 * when the raw spans are gone.
 */
async function withAlertOnset(ctx: Ctx, anchor: Anchor): Promise<Anchor> {
  if (!anchor.service) return anchor;
  const history = await serviceMinutes(
    ctx.store.db,
    anchor.service,
    new Date(anchor.sinceMs - BASELINE_MIN_MS),
    new Date(anchor.sinceMs),
  );
  if (history.filter((m) => m.requests > 0).length >= ONSET_HISTORY_MINUTES) return anchor;
  const from = new Date(anchor.sinceMs - BASELINE_MIN_MS);
  const until = new Date(anchor.untilMs);
  const raw = await versionBuckets(ctx.store.db, anchor.service, from, until, ONSET_BUCKET_S);
  const points = raw.length > 0 ? serviceBuckets(raw) : await serviceMinutes(ctx.store.db, anchor.service, from, until);
  const onset = alertOnset(points, anchor.sinceMs, anchor.untilMs);
  return onset ? { ...anchor, sinceMs: onset.onsetMs, onsetMs: onset.onsetMs } : anchor;
}

/**
 * A ticket: its related tickets; its users' and accounts' requests in the look-back; what the
 * services where they failed call; the error groups of the service they failed in first (or,
 * with no failure, the top group of the service chosen), which date the onset.
 */
async function readTicketFacts(ctx: Ctx, ticketId: number, nowMs: number): Promise<TicketSubjectFacts> {
  const q = ctx.store.db;
  const detail = await ticketStore.getTicket(q, ticketId);
  if (!detail) throw new InvestigationNotFoundError(`no ticket with id ${ticketId}`);
  const { ticket, mentions, links } = detail;
  const createdMs = Date.parse(ticket.createdAt);
  const text = { title: ticket.title, body: [ticket.body, ...ticket.comments.map((c) => c.body)].join('\n') };

  const around = await ticketStore.ticketFactsBetween(
    q,
    new Date(createdMs - RELATED_BEFORE_MS),
    new Date(createdMs + RELATED_AFTER_MS),
    MAX_RELATED_CANDIDATES,
  );
  const others = around.map((t) => ({ ...t, createdAt: t.createdAt.getTime() }));
  const self = others.find((t) => t.id === ticket.id) ?? {
    id: ticket.id,
    externalId: ticket.externalId,
    title: ticket.title,
    body: ticket.body,
    createdAt: createdMs,
    entities: mentions
      .filter((m) => m.kind !== 'timestamp' && m.kind !== 'version')
      .map((m) => `${m.kind}:${m.template ?? m.value}`),
  };
  const related = relateTickets({ ...self, title: text.title, body: text.body }, others, { limit: 10 });

  const users = links.filter((l) => l.dstKind === 'end_user').map((l) => l.dstId);
  const accounts = links.filter((l) => l.dstKind === 'account').map((l) => l.dstId);
  const linkedServices = [...new Set(links.filter((l) => l.dstKind === 'service').map((l) => l.dstId))];
  const lookBack = new Date(createdMs - TICKET_LOOK_BACK_MS);
  const until = new Date(ticketUntil(createdMs, nowMs));
  const activity = await ticketStore.userActivity(q, users, accounts, lookBack, until);
  const downstream = await downstreamScopes(
    q,
    activity.filter((a) => a.errors > 0).map((a) => a.service),
    lookBack,
    until,
  );
  const failing = failingOrder(activity, downstream);
  const service = ticketService(failing, linkedServices, activity);
  const groupsOf = async (s: string, limit: number) =>
    (await listErrorGroups(ctx, { since: lookBack, until, service: s, limit })).errors;
  return {
    ticket: { id: ticket.id, externalId: ticket.externalId, title: ticket.title, createdMs },
    text,
    related,
    pool: around.length,
    users,
    accounts,
    linkedServices,
    stampsMs: mentions.filter((m) => m.kind === 'timestamp' && m.at).map((m) => Date.parse(m.at!)),
    mentionsTrace: mentions.some((m) => m.kind === 'trace'),
    activity,
    downstream,
    failingGroups: failing[0] ? await groupsOf(failing[0].service, 10) : null,
    linkedTopGroup: !failing[0] && service ? ((await groupsOf(service, 1))[0] ?? null) : null,
  };
}

/** A problem and the tickets attached to it (the first 20 that still exist). */
async function readProblemFacts(ctx: Ctx, problemId: number): Promise<ProblemSubjectFacts> {
  const p = await investigationStore.problemSubject(ctx.store.db, problemId);
  if (!p)
    throw new InvestigationNotFoundError(`no problem with id ${problemId} (run orrery triage to build the queue)`);
  const tickets = p.ticketIds.length
    ? await Promise.all(p.ticketIds.slice(0, 20).map((id) => ticketStore.getTicket(ctx.store.db, id)))
    : [];
  return {
    problem: {
      id: p.id,
      service: p.service,
      title: p.title,
      firstSeen: p.firstSeen,
      lastSeen: p.lastSeen,
      ticketIds: p.ticketIds,
    },
    tickets: tickets
      .filter((t) => t !== null)
      .map(({ ticket: t }) => ({ id: t.id, externalId: t.externalId, title: t.title, body: t.body })),
  };
}

// ---------------------------------------------------------------------------------------
// The signals

type SignalFacts = Pick<InvestigationFacts, 'signalGaps' | 'rca'> & {
  red: Awaited<ReturnType<typeof minuteSignals>>['red'];
  /** The caller→callee pairs read (for the load judgement's entries). */
  calls: Array<{ caller: string; callee: string }>;
};

/**
 * The minute signals of the baseline and the window (with a service, only what can explain it:
 * the service, what it calls directly or not, its direct callers), ranked; the log flow of the
 * first ranking's strongest candidates, ranked again with it; for an endpoint, only the services
 * on its traces.
 */
async function readSignalFacts(ctx: Ctx, anchor: Anchor, windows: InvestigationFacts['windows']): Promise<SignalFacts> {
  const { incident, baseline, bucketMinutes } = windows;
  const gaps: string[] = [];
  const since = new Date(baseline.startMs);
  const until = new Date(incident.endMs);
  const scope = anchor.service ? await dependencyScope(ctx.store.db, anchor.service, since, until) : undefined;
  const buckets: SignalBuckets = {
    split: new Date(incident.startMs),
    baselineMinutes: bucketMinutes.baseline,
    incidentMinutes: bucketMinutes.incident,
  };
  // Self time and edge own time come from the raw span trees of both windows, read beside the minute rows.
  const [signals, spans] = await Promise.all([
    minuteSignals(ctx.store.db, since, until, scope, buckets, { flows: false }),
    spanTimeSignals(ctx.store.db, since, until, scope ? { services: scope } : {}),
  ]);
  const share = spans.sampled;
  if (share < 1)
    gaps.push(
      `self time and edge time were measured on a ${(share * 100).toFixed(0)}% sample of the traces (by trace id)`,
    );
  if (
    anchor.service &&
    !signals.red.some((r) => r.service === anchor.service) &&
    !signals.patterns.some((p) => p.service === anchor.service)
  )
    gaps.push(`no telemetry from ${anchor.service} between ${iso(baseline.startMs)} and ${iso(incident.endMs)}`);
  if (!anchor.service && !signals.red.length && !signals.patterns.length)
    return { signalGaps: gaps, rca: null, red: signals.red, calls: [] };

  const first = firstRanking(
    {
      baseline,
      incident,
      red: signals.red,
      patterns: signals.patterns,
      errorGroups: signals.errorGroups,
      edges: signals.edges,
      metrics: signals.metrics,
      selfTimes: spans.selfTimes,
      edgeTimes: spans.edgeTimes,
      bucketMinutes,
    },
    anchor.service,
  );
  // The scope's patterns were read with the signals; without a scope (every service), so were all.
  const flows = await flowSignals(ctx.store.db, since, until, first.flowFor, buckets, signals.merges);
  let rca: RcaResult = withFlows(first, flows);
  if (anchor.service && anchor.endpoint) {
    const on = await servicesOnEndpointTraces(
      ctx.store.db,
      anchor.service,
      anchor.endpoint,
      new Date(incident.startMs),
      new Date(incident.endMs),
    );
    const restricted = restrictToEndpoint(rca, on, { service: anchor.service, endpoint: anchor.endpoint });
    rca = restricted.rca;
    gaps.push(...restricted.gaps);
  }
  const calls = new Map(
    signals.edges.map((e) => [`${e.caller}\u0000${e.callee}`, { caller: e.caller, callee: e.callee }]),
  );
  return { signalGaps: gaps, rca, red: signals.red, calls: [...calls.values()] };
}

// ---------------------------------------------------------------------------------------
// The candidates: changes, code, impact

/** The focus's requests by version around its deploy at `deployMs` (see VERSION_BUCKET_S). */
async function readVersions(
  ctx: Ctx,
  service: string,
  deployMs: number,
  windows: InvestigationFacts['windows'],
): Promise<Pick<LoadFacts, 'versions' | 'bucketSeconds'>> {
  const until = Math.min(windows.incident.endMs, deployMs + VERSION_AFTER_MS);
  const raw = await versionBuckets(
    ctx.store.db,
    service,
    new Date(deployMs - VERSION_BEFORE_MS),
    new Date(until),
    VERSION_BUCKET_S,
  );
  if (raw.length > 0) return { versions: raw, bucketSeconds: VERSION_BUCKET_S };
  const minutes = await versionMinutes(
    ctx.store.db,
    service,
    new Date(deployMs - VERSION_MINUTES_MS),
    new Date(Math.min(windows.incident.startMs, deployMs + VERSION_MINUTES_MS)),
  );
  return { versions: minutes, bucketSeconds: 60 };
}

type CandidateFacts = Pick<InvestigationFacts, 'deploys' | 'changes' | 'code' | 'load' | 'impact'>;

async function readCandidateFacts(
  ctx: Ctx,
  anchor: Anchor,
  windows: InvestigationFacts['windows'],
  signals: SignalFacts,
): Promise<CandidateFacts> {
  const { incident, baseline } = windows;
  const window = { since: new Date(incident.startMs), until: new Date(incident.endMs) };
  const roots = signals.rca ? rootCandidates(signals.rca, { stayOn: anchor.stayOn }) : [];
  const candidates = candidateServices(roots, anchor);

  // Each candidate's deploys of the look-back; for its likely change, the deploy before it.
  const deploysOf = await Promise.all(
    candidates.map((service) =>
      listDeploys(ctx, {
        service,
        since: new Date(incident.startMs - CHANGE_LOOK_BACK_MS),
        until: window.until,
        limit: 50,
      }),
    ),
  );
  const deploys = new Map<string, readonly Deploy[]>(candidates.map((service, i) => [service, deploysOf[i]!]));
  const changes = new Map<string, CandidateChange>();
  for (const service of candidates) {
    const deploy = likelyChange(service, deploys.get(service)!, anchor.onsetMs ?? anchor.sinceMs);
    if (!deploy) continue;
    const older = await listDeploys(ctx, {
      service,
      environment: deploy.environment,
      until: new Date(Date.parse(deploy.deployedAt) - 1),
      limit: 1,
    });
    changes.set(service, { deploy, previous: older[0] ?? null });
  }

  // Each candidate's error groups in the window, read once for the code step and the impact.
  const groupsRead = new Map<string, Promise<ErrorGroupSummary[]>>();
  const errorGroupsOf = (service: string) => {
    let p = groupsRead.get(service);
    if (!p) {
      p = listErrorGroups(ctx, { ...window, service, limit: 5 }).then((r) => r.errors);
      groupsRead.set(service, p);
    }
    return p;
  };

  // The traffic, and each candidate's versions around its likely change (the focus first): a load
  // change that explains a candidate's trouble clears its deploy.
  const focus = focusOf(candidates, anchor, roots);
  const load: LoadFacts[] = [];
  if (focus && signals.rca) {
    const traffic = signals.red.map((r) => ({
      minuteMs: r.minuteMs,
      service: r.service,
      endpoint: r.endpoint,
      requests: r.requests,
    }));
    const judged = [focus, ...candidates.filter((c) => c !== focus && changes.has(c))];
    const reads = await Promise.all(
      judged.map((service) => {
        const change = changes.get(service);
        return change ? readVersions(ctx, service, Date.parse(change.deploy.deployedAt), windows) : NO_VERSIONS;
      }),
    );
    for (const [i, service] of judged.entries()) load.push({ service, traffic, calls: signals.calls, ...reads[i]! });
  }
  const cleared = loadJudgement({ anchor, load, rca: signals.rca, windows, changes }, focus)?.explains ?? false;

  // The code and the suspect commits, for the likeliest root (no deploy's range when the load explains it).
  let code: CodeStepResult | null = null;
  if (focus || anchor.text) {
    code = await locateCode(ctx, {
      service: focus,
      deploy: focus && !cleared ? (changes.get(focus)?.deploy ?? null) : null,
      window,
      errorGroups: focus ? await errorGroupsOf(focus) : [],
      signals: roots[0]?.signals ?? [],
      text: anchor.text,
    });
  }

  // Who is hurt, per service in impact order. The failed traces are followed to their entry
  // (raw spans) only for the first service counted, the count the priority uses.
  const impact: ServiceImpactFacts[] = [];
  let counted = false;
  for (const service of impactOrder(roots, candidates, focus)) {
    const active = await serviceActivity(ctx, { ...window, service });
    const f: ServiceImpactFacts = {
      service,
      active,
      topGroup: (await errorGroupsOf(service))[0] ?? null,
      entry: null,
      pattern: null,
      regression: null,
    };
    if (f.topGroup) {
      if (!counted) f.entry = await failedAtEntry(ctx.store.db, service, window.since, window.until, ENTRY_TRACES);
    } else {
      const reads = impactReads(service, roots);
      if (reads.patternKey !== null)
        f.pattern =
          (await listPatterns(ctx, { ...window, service, limit: 1000 })).patterns.find(
            (y) => y.key === reads.patternKey,
          ) ?? null;
      if (!countsPattern(f.pattern) && reads.regression && active) {
        const thresholdMs = hurtThreshold(reads.regression, signals.red, baseline, { service });
        const hurt =
          thresholdMs === null
            ? null
            : await hurtUsers(
                ctx.store.db,
                service,
                reads.regression.endpoint,
                window.since,
                window.until,
                thresholdMs,
              );
        f.regression = { ...reads.regression, thresholdMs, hurt };
      }
    }
    impact.push(f);
    counted ||= countsImpact(f);
  }
  return { deploys, changes, code, load, impact };
}
