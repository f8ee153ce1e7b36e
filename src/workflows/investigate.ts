// investigate@2: from an alert, a ticket or a problem to ranked findings with evidence. Each
// entry point turns its subject into an anchor (a service, a window, the tickets involved);
// then the same steps run: the signals tested against a baseline (rca@3) with the root told
// from its symptoms, the deploy before the onset, the code and the suspect commits, the
// impact and the priority, the next steps. Each step reads the store and calls a pure
// function; the result is stored, and a re-run of the same subject records what changed.
import {
  DDSketch,
  FindingList,
  type RankedService,
  type RcaInput,
  type RedRow,
  type RelatedTicket,
  changeFinding,
  diffInvestigations,
  growthOf,
  identityLabel,
  priorityScore,
  addFlowTests,
  rankTested,
  rcaFindings,
  testSignals,
  relateTickets,
  ticketOnset,
} from '../analysis/index.js';
import {
  type Deploy,
  type Evidence,
  type Finding,
  INVESTIGATE_ALGORITHM,
  type Investigation,
  type InvestigationResult,
  type InvestigationSubject,
  type PriorityScore,
} from '../model/index.js';
import {
  type SignalBuckets,
  dependencyScope,
  downstreamScopes,
  failedAtEntry,
  flowSignals,
  hurtUsers,
  investigationStore,
  minuteSignals,
  servicesOnEndpointTraces,
  ticketStore,
} from '../store/index.js';
import { type ErrorGroupSummary, listErrorGroups, listPatterns, serviceActivity } from './analysis-read.js';
import type { Context } from './context.js';
import { listDeploys } from './deploys.js';
import { type CodeStepResult, locateCode } from './investigate-code.js';

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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The impact step follows at most this many failed traces of a service to where they entered. */
const ENTRY_TRACES = 5000;
const NO_ENTRY = { traces: 0, failed: 0, users: 0, accounts: 0, withUser: 0, entries: [], capped: false } as const;
/** A request slower than this quantile of the baseline (its typical request) counts as hurt by a latency regression. */
const SLOW_QUANTILE = 0.5;

/**
 * The `q` quantile (ms) of a service's request latency (one endpoint, or all) over the
 * baseline's RED minutes; null with fewer than 20 requests there.
 */
function baselineQuantile(
  red: readonly RedRow[],
  baseline: { startMs: number; endMs: number },
  service: string,
  endpoint: string | null,
  q: number,
): number | null {
  const all = new DDSketch();
  for (const r of red) {
    if (
      r.service !== service ||
      (endpoint !== null && r.endpoint !== endpoint) ||
      r.minuteMs < baseline.startMs ||
      r.minuteMs >= baseline.endMs
    )
      continue;
    all.merge(r.latency);
  }
  return all.count >= 20 ? all.quantile(q) : null;
}

/** The baseline is this many times the incident window, within [30 min, 6 h]. */
const BASELINE_FACTOR = 3;
const BASELINE_MIN_MS = 30 * MINUTE;
const BASELINE_MAX_MS = 6 * HOUR;
/**
 * A long baseline is read in about BASELINE_BUCKETS buckets of several minutes, and a long window
 * in about INCIDENT_BUCKETS, summed in the database: the tests need totals and how they vary from
 * bucket to bucket, not every minute of six hours, and sending every minute of every pattern of
 * every scoped service was most of an investigation's time. (A sample of the baseline's minutes
 * was cheaper, but it loses what is rare: a pattern seen a few times before the onset looked new.)
 */
const BASELINE_BUCKETS = 30;
const INCIDENT_BUCKETS = 15;
/** The log flow is read for this many of the first ranking's candidates. */
const FLOW_CANDIDATES = 10;
/** How far before the onset a deploy is still a candidate cause. */
const CHANGE_LOOK_BACK_MS = 6 * HOUR;
/** A ticket: its users' requests are read this far back, and the window closes this long after it was filed. */
const TICKET_LOOK_BACK_MS = 24 * HOUR;
const TICKET_WINDOW_AFTER_MS = 30 * MINUTE;
/** Related tickets are looked for this far around the ticket. */
const RELATED_BEFORE_MS = 14 * 24 * HOUR;
const RELATED_AFTER_MS = 7 * 24 * HOUR;
const MAX_RELATED_CANDIDATES = 5000;

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}
const iso = (ms: number) => new Date(ms).toISOString();

/** What an entry point hands to the shared steps. */
interface Anchor {
  /** The service the subject is about, when known. */
  service: string | null;
  /** The window's start: the onset, or earlier when the subject says so (a customer's "since 3pm"). */
  sinceMs: number;
  /** When the trouble began by the telemetry, when that is known apart from the window's start. */
  onsetMs?: number;
  untilMs: number;
  /** Tickets that are part of the subject (the ticket and its duplicates, a problem's tickets). */
  tickets: number[];
  /** Words for text retrieval when telemetry names no code. */
  text?: { title: string; body: string };
  /** The ticket named no user, account, trace, route or service. */
  anonymous?: boolean;
  /** Where the subject's own users failed (a ticket), or the problem's own service: the focus, a root candidate even when the ranker did not list it. */
  prefer?: string;
  /** An alerting endpoint: the root candidates are the services on its traces. */
  endpoint?: string;
}

export async function investigate(
  ctx: Pick<Context, 'store'>,
  subject: InvestigationSubject,
  opts: InvestigateOptions = {},
): Promise<Investigation> {
  const now = (opts.now ?? new Date()).getTime();
  const list = new FindingList();
  const gaps: string[] = [];
  let anchor: Anchor;
  let problemId: number | null = null;
  if (subject.kind === 'alert') {
    const sinceMs = Date.parse(subject.since);
    if (!Number.isFinite(sinceMs)) throw new InvestigationInputError(`since "${subject.since}" is not a time`);
    if (sinceMs >= now) throw new InvestigationInputError('since must be in the past');
    anchor = { service: subject.service, sinceMs, untilMs: now, tickets: [], endpoint: subject.endpoint };
  } else if (subject.kind === 'ticket') {
    anchor = await ticketAnchor(ctx, subject.ticketId, now, list, gaps);
  } else {
    anchor = await problemAnchor(ctx, subject.problemId, now, list, gaps);
    problemId = subject.problemId;
  }

  const incident = { startMs: floorMinute(anchor.sinceMs), endMs: floorMinute(anchor.untilMs) + MINUTE };
  const baselineMs = Math.min(
    BASELINE_MAX_MS,
    Math.max(BASELINE_MIN_MS, BASELINE_FACTOR * (incident.endMs - incident.startMs)),
  );
  const baseline = { startMs: incident.startMs - baselineMs, endMs: incident.startMs };
  const window = { since: new Date(incident.startMs), until: new Date(incident.endMs) };

  // 2. The signals, the root and its symptoms. With a service, only what can explain it is read
  // (the service, what it calls directly or not, its direct callers), not every service's rows.
  const since = new Date(baseline.startMs);
  const until = new Date(incident.endMs);
  const scope = anchor.service ? await dependencyScope(ctx.store.db, anchor.service, since, until) : undefined;
  const bucketMinutes = {
    baseline: Math.max(1, Math.ceil(baselineMs / MINUTE / BASELINE_BUCKETS)),
    incident: Math.max(1, Math.ceil((incident.endMs - incident.startMs) / MINUTE / INCIDENT_BUCKETS)),
  };
  const buckets: SignalBuckets = {
    split: new Date(incident.startMs),
    baselineMinutes: bucketMinutes.baseline,
    incidentMinutes: bucketMinutes.incident,
  };
  const signals = await minuteSignals(ctx.store.db, since, until, scope, buckets, { flows: false });
  if (
    anchor.service &&
    !signals.red.some((r) => r.service === anchor.service) &&
    !signals.patterns.some((p) => p.service === anchor.service)
  ) {
    gaps.push(`no telemetry from ${anchor.service} between ${iso(baseline.startMs)} and ${iso(incident.endMs)}`);
  }
  let roots: RankedService[] = [];
  if (anchor.service || signals.red.length || signals.patterns.length) {
    const input: RcaInput = {
      baseline,
      incident,
      red: signals.red,
      patterns: signals.patterns,
      errorGroups: signals.errorGroups,
      edges: signals.edges,
      metrics: signals.metrics,
      bucketMinutes,
    };
    let tests = testSignals(input);
    let rca = rankTested(tests, { weakCandidates: true });
    // The log flow is the costliest signal to read (one row per pair of statements): it is read
    // for the strongest candidates of a first ranking, and the subject's own service, and the
    // ranking is done again with it.
    const flowFor = [
      ...new Set([
        ...rca.services.slice(0, FLOW_CANDIDATES).map((r) => r.service),
        ...(anchor.service ? [anchor.service] : []),
      ]),
    ];
    // The scope's patterns were read with the signals; without a scope (every service), so were all.
    const flows = await flowSignals(ctx.store.db, since, until, flowFor, buckets, signals.merges);
    if (flows.length > 0) {
      tests = addFlowTests(tests, flows);
      rca = rankTested(tests, { weakCandidates: true });
    }
    if (anchor.service && anchor.endpoint) {
      // Only services its requests reached can explain an endpoint's trouble.
      const on = await servicesOnEndpointTraces(
        ctx.store.db,
        anchor.service,
        anchor.endpoint,
        window.since,
        window.until,
      );
      if (on.traces === 0)
        gaps.push(
          `no traces through ${anchor.service} ${anchor.endpoint} in the window, so every service was considered`,
        );
      else {
        const left = rca.services.filter((s) => !on.services.has(s.service)).map((s) => s.service);
        rca.services = rca.services.filter((s) => on.services.has(s.service));
        if (left.length)
          gaps.push(
            `left out ${left.join(', ')}: not on the ${on.traces} traces through ${anchor.endpoint} of ${anchor.service}`,
          );
      }
    }
    roots = rcaFindings(list, rca, iso(incident.startMs));
    if (roots.every((r) => r.score === 0)) {
      gaps.push(
        `no signal changed significantly between the baseline and the window (${rca.tests} tests)${roots.length ? '; the candidates are listed by their strongest test' : ''}`,
      );
    }
  }

  // 3. What changed: each candidate's last deploy before the onset.
  const candidates = roots.length ? roots.map((r) => r.service) : anchor.service ? [anchor.service] : [];
  // Where the subject's own users failed is direct evidence: a candidate even when the ranker
  // did not list it among its first few.
  if (anchor.prefer && !candidates.includes(anchor.prefer)) candidates.push(anchor.prefer);
  const changes = new Map<string, { finding: Finding; deploy: Deploy; previous: Deploy | null }>();
  const deploysOf = await Promise.all(
    candidates.map((service) =>
      listDeploys(ctx, {
        service,
        since: new Date(incident.startMs - CHANGE_LOOK_BACK_MS),
        until: new Date(incident.endMs),
        limit: 50,
      }),
    ),
  );
  for (const [c, service] of candidates.entries()) {
    const deploys = deploysOf[c]!;
    const finding = changeFinding(list, service, deploys, anchor.onsetMs ?? anchor.sinceMs, CHANGE_LOOK_BACK_MS);
    if (!finding) {
      gaps.push(`no deploy of ${service} in the ${CHANGE_LOOK_BACK_MS / HOUR} h before the onset`);
      continue;
    }
    const deploy = deploys.find((d) => d.id === finding.data.deployId)!;
    const older = await listDeploys(ctx, {
      service,
      environment: deploy.environment,
      until: new Date(Date.parse(deploy.deployedAt) - 1),
      limit: 1,
    });
    changes.set(service, { finding, deploy, previous: older[0] ?? null });
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

  // 4–5. The code and the suspect commits, for the likeliest root.
  const focus = anchor.prefer && candidates.includes(anchor.prefer) ? anchor.prefer : (candidates[0] ?? null);
  let code: CodeStepResult | null = null;
  if (focus || anchor.text) {
    code = await locateCode(ctx, {
      service: focus,
      deploy: focus ? (changes.get(focus)?.deploy ?? null) : null,
      window,
      errorGroups: focus ? await errorGroupsOf(focus) : [],
      signals: roots[0]?.signals ?? [],
      text: anchor.text,
    });
    gaps.push(...code.gaps);
    codeFindings(list, code, focus);
  }

  // 6–7. Who is hurt, and how much it matters.
  // Impact is counted for the candidates with a significant signal (all of them when none has one).
  const strong = roots.filter((r) => r.score > 0).map((r) => r.service);
  const counted = strong.length ? candidates.filter((c) => strong.includes(c)) : candidates;
  const ordered = focus && counted.includes(focus) ? [focus, ...counted.filter((c) => c !== focus)] : counted;
  const slowAt = (service: string, endpoint: string | null) =>
    baselineQuantile(signals.red, baseline, service, endpoint, SLOW_QUANTILE);
  const { priority } = await impactFindings(
    ctx,
    list,
    ordered,
    roots,
    window,
    anchor.tickets.length,
    gaps,
    errorGroupsOf,
    slowAt,
  );

  // 8. What to do next.
  nextSteps(list, { focus, changes, code, anchor });

  const result: InvestigationResult = {
    algorithm: INVESTIGATE_ALGORITHM,
    subject,
    window: {
      since: iso(incident.startMs),
      until: iso(incident.endMs),
      onset: iso(anchor.onsetMs ?? anchor.sinceMs),
      baselineSince: iso(baseline.startMs),
      baselineUntil: iso(baseline.endMs),
    },
    summary: summaryOf(list.findings, anchor.service),
    findings: list.findings,
    priority,
    narrative: null,
    gaps,
  };
  if (opts.narrate) {
    const told = await opts.narrate(result);
    result.narrative = told.narrative;
    if (told.gap) result.gaps.push(told.gap);
  }
  const previous = await investigationStore.latestForSubject(ctx.store.db, subject);
  return investigationStore.insertInvestigation(ctx.store.db, {
    result,
    problemId,
    previousId: previous?.id ?? null,
    diff: previous ? diffInvestigations(previous.result, result) : null,
  });
}

// ---------------------------------------------------------------------------------------
// Entry points

function ticketEvidence(t: { id: number; externalId: string; title: string }, summary?: string): Evidence {
  return {
    kind: 'ticket',
    summary: summary ?? `${t.externalId}: ${t.title}`,
    ref: String(t.id),
    query: `/api/tickets/${t.id}`,
  };
}

/**
 * A ticket: its related tickets and duplicates; then where its users' requests failed (the
 * service, and the first failure as the onset, moved earlier to the first occurrence of that
 * service's top error when it began within the look-back); else the services it links to.
 */
async function ticketAnchor(
  ctx: Pick<Context, 'store'>,
  ticketId: number,
  now: number,
  list: FindingList,
  gaps: string[],
): Promise<Anchor> {
  const q = ctx.store.db;
  const detail = await ticketStore.getTicket(q, ticketId);
  if (!detail) throw new InvestigationNotFoundError(`no ticket with id ${ticketId}`);
  const { ticket, mentions, links } = detail;
  const createdMs = Date.parse(ticket.createdAt);
  const text = { title: ticket.title, body: [ticket.body, ...ticket.comments.map((c) => c.body)].join('\n') };

  // 1. Related tickets and duplicates.
  const around = await ticketStore.ticketFactsBetween(
    q,
    new Date(createdMs - RELATED_BEFORE_MS),
    new Date(createdMs + RELATED_AFTER_MS),
    MAX_RELATED_CANDIDATES,
  );
  const facts = around.map((t) => ({ ...t, createdAt: t.createdAt.getTime() }));
  const self = facts.find((t) => t.id === ticket.id) ?? {
    id: ticket.id,
    externalId: ticket.externalId,
    title: ticket.title,
    body: ticket.body,
    createdAt: createdMs,
    entities: mentions
      .filter((m) => m.kind !== 'timestamp' && m.kind !== 'version')
      .map((m) => `${m.kind}:${m.template ?? m.value}`),
  };
  const related = relateTickets({ ...self, title: text.title, body: text.body }, facts, { limit: 10 });
  const duplicates = related.filter((r) => r.duplicate);
  if (related.length) relatedFinding(list, related, around.length);

  // 2. Where the ticket's users were hurt.
  const users = links.filter((l) => l.dstKind === 'end_user').map((l) => l.dstId);
  const accounts = links.filter((l) => l.dstKind === 'account').map((l) => l.dstId);
  const linkedServices = [...new Set(links.filter((l) => l.dstKind === 'service').map((l) => l.dstId))];
  const stamps = mentions
    .filter((m) => m.kind === 'timestamp' && m.at)
    .map((m) => Date.parse(m.at!))
    .filter((t) => t <= createdMs + MINUTE);
  const until = Math.min(now, createdMs + TICKET_WINDOW_AFTER_MS);
  const activity = await ticketStore.userActivity(
    q,
    users,
    accounts,
    new Date(createdMs - TICKET_LOOK_BACK_MS),
    new Date(until),
  );
  // Where they failed, the furthest downstream first: a service whose failures follow a failing
  // service it calls shows that service's fault.
  const failingAll = activity.filter((a) => a.errors > 0);
  const downstream = new Map<string, string[]>();
  const scopes = await downstreamScopes(
    q,
    failingAll.map((a) => a.service),
    new Date(createdMs - TICKET_LOOK_BACK_MS),
    new Date(until),
  );
  for (const a of failingAll) downstream.set(a.service, scopes.get(a.service) ?? [a.service]);
  const upstreamOfAnother = (a: (typeof failingAll)[number]) =>
    failingAll.some(
      (b) =>
        b.service !== a.service &&
        (downstream.get(a.service) ?? []).includes(b.service) &&
        !(downstream.get(b.service) ?? []).includes(a.service),
    );
  const failing = [...failingAll.filter((a) => !upstreamOfAnother(a)), ...failingAll.filter(upstreamOfAnother)];
  // Where the users failed; else a service the ticket names; else where the users' requests went.
  let service: string | null = failing[0]?.service ?? linkedServices[0] ?? activity[0]?.service ?? null;
  let sinceMs = Math.min(failing[0]?.firstError?.getTime() ?? createdMs - 30 * MINUTE, ...stamps);
  let onsetMs: number | undefined;
  if (failing.length) {
    const a = failing[0]!;
    list.add({
      kind: 'signal',
      title: `the ticket's ${a.users.length > 1 ? `${a.users.length} users` : 'user'} had ${a.errors} failed requests in ${a.service}`,
      confidence: 0.9,
      hint: `spans of the users and accounts the ticket names, ${TICKET_LOOK_BACK_MS / HOUR} h before it was filed: ${a.errors} of ${a.requests} requests to ${a.service} failed, the first at ${a.firstError!.toISOString()}`,
      evidence: [
        {
          kind: 'users',
          summary: `${failing.map((f) => `${f.service}: ${f.errors} of ${f.requests} failed`).join('; ')}`,
          query: `/api/spans?service=${encodeURIComponent(a.service)}&status=error`,
          rows: failing.slice(0, 5).map((f) => ({
            service: f.service,
            requests: f.requests,
            errors: f.errors,
            firstError: f.firstError,
            traces: f.traces,
          })),
        },
        ticketEvidence(ticket),
      ],
      data: {
        users: a.users,
        service: a.service,
        errors: a.errors,
        requests: a.requests,
        firstError: a.firstError?.toISOString() ?? null,
      },
    });
    // The onset from telemetry: the users' main failure, or its error group's first occurrence
    // (they can have been hit after the fault began). What the customer wrote only widens the window.
    const groups = (
      await listErrorGroups(ctx, {
        since: new Date(createdMs - TICKET_LOOK_BACK_MS),
        until: new Date(until),
        service: a.service,
        limit: 10,
      })
    ).errors;
    const failures = a.failures.length
      ? a.failures.map((f) => ({ ...f, firstMs: f.first.getTime() }))
      : [{ message: null, errors: a.errors, firstMs: a.firstError!.getTime() }];
    const onset = ticketOnset(failures, groups, createdMs - TICKET_LOOK_BACK_MS);
    if (onset) {
      onsetMs = onset.onsetMs;
      sinceMs = Math.min(onset.onsetMs, ...stamps);
    }
  } else {
    if (users.length || accounts.length)
      gaps.push(
        `no failed request of the ticket's users or accounts (${[...users, ...accounts].length}) in the ${TICKET_LOOK_BACK_MS / HOUR} h before it`,
      );
    // No failure of its own to date it: the service it names began failing when its top error
    // group first occurred (within the look-back), not at a guess of half an hour before.
    if (service) {
      const top = (
        await listErrorGroups(ctx, {
          since: new Date(createdMs - TICKET_LOOK_BACK_MS),
          until: new Date(until),
          service,
          limit: 1,
        })
      ).errors[0];
      const first = top?.firstSeen ? Date.parse(top.firstSeen) : Number.NaN;
      if (Number.isFinite(first) && first >= createdMs - TICKET_LOOK_BACK_MS && first <= createdMs)
        sinceMs = Math.min(first, ...stamps);
    }
  }
  const anonymous =
    users.length === 0 &&
    accounts.length === 0 &&
    linkedServices.length === 0 &&
    !mentions.some((m) => m.kind === 'trace');
  if (!service) {
    gaps.push(
      anonymous
        ? 'the ticket names no user, account, trace, route or service Orrery has seen, so no telemetry could be tied to it'
        : 'the ticket links to no service with telemetry',
    );
    service = null;
  }
  if (sinceMs >= until) sinceMs = until - 30 * MINUTE;
  if (onsetMs !== undefined && onsetMs >= until) onsetMs = undefined;
  return {
    service,
    sinceMs,
    ...(onsetMs !== undefined ? { onsetMs } : {}),
    untilMs: until,
    tickets: [ticket.id, ...duplicates.map((d) => d.id)],
    text,
    anonymous,
    prefer: failing[0]?.service,
  };
}

function relatedFinding(list: FindingList, related: readonly RelatedTicket[], pool: number): Finding {
  const dups = related.filter((r) => r.duplicate).length;
  return list.add({
    kind: 'related_tickets',
    title: `${related.length} related ticket${related.length > 1 ? 's' : ''}${dups ? `, ${dups} likely duplicate${dups > 1 ? 's' : ''}` : ''}`,
    confidence: related[0]!.score,
    hint: `of ${pool} tickets within 14 days before and 7 after: text similarity (similar-tickets@1) joined with shared users, accounts, errors, routes and traces, and time proximity`,
    evidence: related.map((r) =>
      ticketEvidence(r, `${r.externalId}: ${r.title} — ${r.hint} (score ${r.score.toFixed(2)})`),
    ),
    data: {
      tickets: related.map((r) => ({
        id: r.id,
        externalId: r.externalId,
        score: Number(r.score.toFixed(3)),
        duplicate: r.duplicate,
      })),
    },
  });
}

/** A problem: its service and first occurrence, and the tickets attached to it. */
async function problemAnchor(
  ctx: Pick<Context, 'store'>,
  problemId: number,
  now: number,
  list: FindingList,
  gaps: string[],
): Promise<Anchor> {
  const p = await investigationStore.problemSubject(ctx.store.db, problemId);
  if (!p)
    throw new InvestigationNotFoundError(`no problem with id ${problemId} (run orrery triage to build the queue)`);
  const last = p.lastSeen ? Math.min(now, Date.parse(p.lastSeen) + 5 * MINUTE) : now;
  let since = p.firstSeen ? Date.parse(p.firstSeen) : last - HOUR;
  // A long-running problem: look at its last 6 hours, compared with the hours before.
  if (last - since > BASELINE_MAX_MS) {
    gaps.push(
      `the problem began at ${p.firstSeen}; only its last ${BASELINE_MAX_MS / HOUR} h are compared with the baseline before them`,
    );
    since = last - BASELINE_MAX_MS;
  }
  if (since >= last) since = last - 30 * MINUTE;
  let text: Anchor['text'];
  if (p.ticketIds.length) {
    const tickets = await Promise.all(p.ticketIds.slice(0, 20).map((id) => ticketStore.getTicket(ctx.store.db, id)));
    const found = tickets.filter((t) => t !== null);
    if (found.length) {
      text = { title: found.map((t) => t.ticket.title).join('\n'), body: found.map((t) => t.ticket.body).join('\n') };
      list.add({
        kind: 'related_tickets',
        title: `${found.length} tickets attached to problem ${p.id}`,
        confidence: 1,
        hint: 'tickets triage attached to this problem',
        evidence: found.map((t) => ticketEvidence(t.ticket)),
        data: { tickets: found.map((t) => ({ id: t.ticket.id, externalId: t.ticket.externalId })) },
      });
    }
  }
  if (!p.service) gaps.push(`problem ${p.id} names no service`);
  // Triage put the problem in its service, upstream symptoms merged into their downstream cause
  // on trace and quote evidence: that service is the focus (and a candidate), whatever the
  // ranker's order, which the root findings keep.
  return {
    service: p.service,
    sinceMs: since,
    untilMs: last,
    tickets: p.ticketIds,
    text: text ?? { title: p.title, body: '' },
    ...(p.service ? { prefer: p.service } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// Steps

function codeFindings(list: FindingList, code: CodeStepResult, service: string | null): void {
  for (const [i, loc] of code.locations.slice(0, 3).entries()) {
    const where = `${loc.path}${loc.startLine ? `:${loc.startLine}` : ''}`;
    const evidence: Evidence[] = [
      {
        kind: 'code',
        summary: `${loc.symbol ? `${loc.symbol} in ` : ''}${where} (${loc.repository})${loc.owners.length ? `, owned by ${loc.owners.map(identityLabel).join(', ')}` : ''}`,
        ref: `${loc.repository}:${where}`,
        query: loc.symbol
          ? `/api/symbols?name=${encodeURIComponent(loc.symbol)}&repository=${encodeURIComponent(loc.repository)}`
          : undefined,
      },
    ];
    for (const s of loc.sources.slice(0, 4)) {
      if (s.kind === 'frame')
        evidence.push({
          kind: 'error_group',
          summary: `frame ${s.position + 1}: ${s.frame}`,
          ref: s.errorGroup,
          query: `/api/errors/${s.errorGroup}`,
        });
      if (s.kind === 'log_callsite')
        evidence.push({
          kind: 'log_pattern',
          summary: `logs "${s.template}"`,
          ref: s.pattern,
          query: `/api/patterns/${encodeURIComponent(s.pattern)}`,
        });
      if (s.kind === 'route')
        evidence.push({ kind: 'endpoint', summary: `${s.route} serves ${s.endpoint}`, ref: s.endpoint });
      if (s.kind === 'changed')
        evidence.push({
          kind: 'commit',
          summary: `${s.lines} lines last changed by ${s.sha.slice(0, 10)}`,
          ref: s.sha,
        });
      if (s.kind === 'suspect')
        evidence.push({
          kind: 'commit',
          summary: `changed by the likeliest suspect ${s.sha.slice(0, 10)}`,
          ref: s.sha,
        });
    }
    list.add({
      kind: 'code_location',
      title: `${i === 0 ? 'look at ' : ''}${loc.symbol ?? loc.path}${loc.symbol ? ` in ${where}` : ''}`,
      confidence: Math.min(0.95, loc.score / (loc.score + 0.5)),
      hint: `${loc.hint} (score ${loc.score}: frame 1/(1+position), log call site 0.6, route 0.4, changed 0.3+0.2·share, by the top suspect 0.4·its confidence, text 0.3·similarity)`,
      evidence,
      data: { ...loc },
    });
  }
  const range = code.range;
  for (const s of code.suspects.slice(0, 3)) {
    if (s.score <= 0.05 && code.suspects.length > 1) break;
    const evidence: Evidence[] = [
      {
        kind: 'commit',
        summary: `${s.sha.slice(0, 10)} ${s.subject} — ${s.authorName ?? 'unknown author'}, ${s.committedAt ?? ''}; ${s.files.length} files: ${s.files.slice(0, 4).join(', ')}`,
        ref: s.sha,
        query: range?.repository
          ? `/api/repos/${encodeURIComponent(range.repository.name)}/commits?limit=50`
          : undefined,
      },
    ];
    if (s.blame.length) {
      evidence.push({
        kind: 'blame',
        summary: `${s.blame.length} lines of the localized code last changed by it, e.g. ${s.blame[0]!.path}:${s.blame[0]!.line}: ${s.blame[0]!.text.trim().slice(0, 80)}`,
        ref: `${s.blame[0]!.path}:${s.blame[0]!.line}`,
        query: `/api/blame?repository=${encodeURIComponent(s.blame[0]!.repository)}&path=${encodeURIComponent(s.blame[0]!.path)}&start=${s.blame[0]!.line}&end=${s.blame.at(-1)!.line}`,
        rows: s.blame.map((b) => ({ path: b.path, line: b.line, text: b.text })),
      });
    }
    list.add({
      kind: 'suspect_commit',
      title: `commit ${s.sha.slice(0, 10)} "${s.subject}" by ${s.authorName ?? 'unknown'}`,
      confidence: s.confidence,
      hint: `${s.hint}${s.owners.length ? `; owners ${s.owners.map(identityLabel).join(', ')}` : ''} (score ${s.score}, ${range?.commits.length ?? 0} commits in ${service ?? ''} ${range?.base?.slice(0, 10) ?? '?'}..${range?.head?.slice(0, 10) ?? '?'})`,
      evidence,
      data: { ...s },
    });
  }
}

/**
 * Who is hurt, per candidate service: with an error group, the users whose requests failed
 * where they entered, in the traces where the service failed (for the headline impact; else,
 * and for the others, the group's users and accounts); with no error group, of its strongest
 * changed WARN/ERROR pattern; else, for a latency or error-rate regression, the users whose
 * requests failed or were slow (everyone who used the service when the spans carry no user
 * ids, said so). The first candidate with a count sets the priority.
 */
async function impactFindings(
  ctx: Pick<Context, 'store'>,
  list: FindingList,
  candidates: readonly string[],
  ranked: readonly RankedService[],
  window: { since: Date; until: Date },
  tickets: number,
  gaps: string[],
  errorGroupsOf: (service: string) => Promise<ErrorGroupSummary[]>,
  slowAt: (service: string, endpoint: string | null) => number | null,
): Promise<{ priority: PriorityScore | null }> {
  let priority: PriorityScore | null = null;
  const since = window.since.toISOString();
  const ticketNote = tickets ? `; ${tickets} ticket${tickets > 1 ? 's' : ''}` : '';
  const unclear: string[] = [];
  for (const service of candidates) {
    const active = await serviceActivity(ctx, { ...window, service });
    const shareOf = (users: number | null) =>
      users !== null && active?.users
        ? ` (${Math.round((100 * users) / active.users)}% of ${active.users} active)`
        : '';
    const add = (x: {
      users: number | null;
      accounts: number | null;
      series: number[];
      severity: number;
      what: string;
      hint: string;
      evidence: Evidence;
    }) => {
      const growth = growthOf(x.series);
      priority ??= priorityScore({
        users: x.users,
        accounts: x.accounts,
        activeUsers: active?.users ?? null,
        tickets,
        growth,
        severity: x.severity,
      });
      list.add({
        kind: 'impact',
        title: `${x.users ?? 0} users and ${x.accounts ?? 0} accounts ${x.what} in ${service}`,
        confidence: x.users === null ? 0.3 : x.severity === 1 ? 0.9 : 0.7,
        hint: `${x.hint}${shareOf(x.users)}${ticketNote}`,
        evidence: [x.evidence],
        data: {
          service,
          users: x.users,
          accounts: x.accounts,
          activeUsers: active?.users ?? null,
          growth,
          series: x.series,
          tickets,
          severity: x.severity,
        },
      });
    };

    const top = (await errorGroupsOf(service))[0];
    if (top) {
      // Who felt it: the users whose request failed where it entered, in the traces where this
      // service failed (a failure a caller retried hurt nobody); the error group's sketch, of
      // everyone whose request touched the error, when the traces cannot say.
      // (Followed for the first such candidate only, the count the priority uses: it reads raw spans.)
      const entry =
        priority === null
          ? await failedAtEntry(ctx.store.db, service, window.since, window.until, ENTRY_TRACES)
          : NO_ENTRY;
      const atEntry = entry.failed > 0 && entry.withUser > 0 && !entry.capped;
      const sketch = `${top.users ?? 0} users and ${top.accounts ?? 0} accounts hit it (the error group's per-minute HyperLogLog sketches, ≈1% error)`;
      add({
        users: atEntry ? entry.users : top.users,
        accounts: atEntry ? entry.accounts : top.accounts,
        series: top.series,
        severity: 1,
        what: atEntry ? `had requests fail with ${top.type ?? 'an error'}` : `hit ${top.type ?? 'errors'}`,
        hint: atEntry
          ? `distinct users whose request failed at its entry (${entry.entries.join(', ')}) in the ${entry.traces} traces where ${service} failed, from the raw spans: ${entry.failed} failed requests; ${sketch}; trend ${top.trend}`
          : `distinct ids merged from the error group's per-minute HyperLogLog sketches (≈1% error)${entry.capped ? `; more than ${ENTRY_TRACES} failed traces, too many to follow to their entry` : ''}; trend ${top.trend}`,
        evidence: {
          kind: 'error_group',
          summary: `${top.type ?? 'error'}: ${top.message ?? ''} — ${top.count} events since ${since}, first in ${top.firstRelease ?? 'an unknown version'}`,
          ref: top.fingerprint,
          query: `/api/errors/${top.fingerprint}?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    const signals = ranked.find((r) => r.service === service)?.signals ?? [];
    const pattern = signals.find(
      (x) => (x.kind === 'new-error-pattern' || x.kind === 'error-pattern' || x.kind === 'pattern') && x.statistic > 0,
    );
    const p = pattern
      ? (await listPatterns(ctx, { ...window, service, limit: 1000 })).patterns.find((y) => y.key === pattern.key)
      : undefined;
    if (p?.level && /^(warn|error|fatal|critical|severe)/i.test(p.level)) {
      add({
        users: p.users,
        accounts: p.accounts,
        series: p.series,
        severity: /^warn/i.test(p.level) ? 0.4 : 1,
        what: `logged "${p.template.slice(0, 80)}"`,
        hint: `distinct ids merged from the ${p.level} pattern's per-minute HyperLogLog sketches (≈1% error); trend ${p.trend}`,
        evidence: {
          kind: 'log_pattern',
          summary: `${p.template} — ${p.count} lines since ${since}`,
          ref: p.key,
          query: `/api/patterns/${encodeURIComponent(p.key)}?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    const regression = signals.find(
      (x) =>
        (x.kind === 'latency' || x.kind === 'error-rate' || x.kind === 'edge-latency' || x.kind === 'edge-fanout') &&
        x.statistic > 0,
    );
    if (regression && active) {
      // Who felt it: the users whose requests failed or were slower than the baseline's
      // SLOW_QUANTILE (for the regressed endpoint, else the whole service); everyone who used the
      // service only when the requests carry no user ids to count.
      const endpoint =
        regression.kind === 'latency' || regression.kind === 'error-rate'
          ? regression.key === '*'
            ? null
            : regression.key
          : null;
      const threshold = regression.kind === 'error-rate' ? Number.POSITIVE_INFINITY : slowAt(service, endpoint);
      const felt =
        threshold === null
          ? null
          : await hurtUsers(ctx.store.db, service, endpoint, window.since, window.until, threshold);
      const where = endpoint ?? 'its requests';
      const slower =
        threshold !== null && Number.isFinite(threshold)
          ? ` or took longer than ${Math.round(threshold)} ms (the baseline's p${Math.round(SLOW_QUANTILE * 100)})`
          : '';
      const counted = felt !== null && felt.withUser > 0;
      add({
        users: counted ? felt.users : active.users,
        accounts: counted ? felt.accounts : active.accounts,
        series: active.series,
        severity: regression.kind === 'error-rate' ? 1 : 0.6,
        what: counted
          ? `had ${where} fail${slower ? ' or slow down' : ''} while its ${regression.kind} regressed`
          : `used it while its ${regression.kind} regressed (${regression.label ?? regression.key})`,
        hint: counted
          ? `distinct users whose requests to ${service} (${where}) in the window failed${slower}: ${felt.hurt} of ${felt.requests} requests, from the raw spans`
          : `everyone who used ${service} in the window (its users' HyperLogLog sketches), an upper bound on who felt the ${regression.kind} regression`,
        evidence: {
          kind: 'endpoint',
          summary: `${service} ${regression.kind} ${regression.label ?? regression.key}: ${regression.baseline.toPrecision(3)} → ${regression.incident.toPrecision(3)} ${regression.unit}; ${active.requests} requests since ${since}`,
          ref: regression.key,
          query: `/api/services?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    unclear.push(service);
  }
  if (!priority && unclear.length)
    gaps.push(
      `no error group, WARN/ERROR pattern or regression with users in ${unclear.join(', ')}, so impact is not counted`,
    );
  return { priority };
}

function nextSteps(
  list: FindingList,
  s: {
    focus: string | null;
    changes: Map<string, { finding: Finding; deploy: Deploy; previous: Deploy | null }>;
    code: CodeStepResult | null;
    anchor: Anchor;
  },
): void {
  const change = s.focus ? s.changes.get(s.focus) : undefined;
  const suspect = list.findings.find((f) => f.kind === 'suspect_commit');
  const place = list.findings.find((f) => f.kind === 'code_location');
  if (change?.previous) {
    list.add({
      kind: 'next_step',
      title: `roll back ${change.deploy.service} to ${change.previous.version} (deploy ${change.previous.id})`,
      confidence: change.finding.confidence,
      hint: `${change.deploy.version} went out just before the onset [${change.finding.id}]${suspect ? ` and shipped the suspect commit [${suspect.id}]` : ''}; rolling back is proposed, never run without approval`,
      evidence: [...change.finding.evidence, ...(suspect ? suspect.evidence.slice(0, 1) : [])],
      data: {
        action: 'rollback',
        service: change.deploy.service,
        from: change.deploy.version,
        to: change.previous.version,
        deployId: change.previous.id,
      },
    });
  }
  if (place) {
    const owners = (place.data.owners as string[] | undefined) ?? [];
    const author = suspect?.data.authorName as string | null | undefined;
    const people = [...(author ? [`${author} (the suspect commit's author)`] : []), ...owners.map(identityLabel)];
    list.add({
      kind: 'next_step',
      title: `look at ${place.data.symbol ?? place.data.path} (${place.data.path}:${place.data.startLine ?? ''})${people.length ? ` with ${people.join(', ')}` : ''}`,
      confidence: place.confidence,
      hint: `the code the evidence points at [${place.id}]${suspect ? `; the suspect commit [${suspect.id}] changed it` : ''}`,
      evidence: place.evidence.slice(0, 2),
      data: { action: 'inspect', path: place.data.path, symbol: place.data.symbol ?? null, owners },
    });
  }
  if (s.anchor.anonymous && s.anchor.tickets.length) {
    list.add({
      kind: 'next_step',
      title:
        'ask the customer for their account id or login email, the time it happened (with time zone), and the page or request that failed',
      confidence: 0.8,
      hint: 'the ticket names no user, account, trace or route that telemetry holds, so its requests cannot be found',
      evidence: [
        {
          kind: 'ticket',
          summary: 'no user, account, trace, route or service mention linked to telemetry',
          ref: String(s.anchor.tickets[0]),
          query: `/api/tickets/${s.anchor.tickets[0]}`,
        },
      ],
      data: { action: 'ask', ask: ['account id or login email', 'time with time zone', 'page or request'] },
    });
  }
}

function summaryOf(findings: readonly Finding[], service: string | null): string {
  const cite = (kind: string) => findings.find((f) => f.kind === kind);
  const root = cite('root_cause_service');
  const change = cite('change');
  const place = cite('code_location');
  const suspect = cite('suspect_commit');
  const impact = cite('impact');
  const related = cite('related_tickets');
  const parts = [
    root ? `${root.title} [${root.id}]` : `No root cause stood out${service ? ` for ${service}` : ''}`,
    change ? ` after the ${change.title} [${change.id}]` : '',
    suspect ? `; the likeliest commit is ${suspect.title.replace(/^commit /, '')} [${suspect.id}]` : '',
    place ? `; ${place.title} [${place.id}]` : '',
    impact ? `; ${impact.title} [${impact.id}]` : '',
    related ? `; ${related.title} [${related.id}]` : '',
  ];
  return `${parts.join('')}.`;
}
