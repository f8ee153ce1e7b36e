// From a subject (an alert, a ticket, a problem) to its anchor: the service, the window and the
// tickets the shared steps work from; and from the anchor to the windows the signals are read in.
import type { InvestigationSubject } from '../../model/index.js';
import type { Anchor, InvestigationWindows, ProblemSubjectFacts, TicketSubjectFacts, UserActivity } from './facts.js';
import { ticketWindow } from './onset.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A ticket: its users' requests are read this far back, and the window closes this long after it was filed. */
export const TICKET_LOOK_BACK_MS = 24 * HOUR;
export const TICKET_WINDOW_AFTER_MS = 30 * MINUTE;
/** The baseline is this many times the incident window, within [30 min, 6 h]; a problem is looked at over its last 6 h. */
export const BASELINE_FACTOR = 3;
export const BASELINE_MIN_MS = 30 * MINUTE;
export const BASELINE_MAX_MS = 6 * HOUR;
/**
 * A long baseline is read in about BASELINE_BUCKETS buckets of several minutes, and a long window
 * in about INCIDENT_BUCKETS, summed in the database: the tests need totals and how they vary from
 * bucket to bucket, not every minute of six hours, and sending every minute of every pattern of
 * every scoped service was most of an investigation's time. (A sample of the baseline's minutes
 * was cheaper, but it loses what is rare: a pattern seen a few times before the onset looked new.)
 */
export const BASELINE_BUCKETS = 30;
export const INCIDENT_BUCKETS = 15;

/** An alert's anchor, or why its subject cannot be investigated (the caller turns it into a 400). */
export function alertAnchor(
  subject: Extract<InvestigationSubject, { kind: 'alert' }>,
  nowMs: number,
): Anchor | { error: string } {
  const sinceMs = Date.parse(subject.since);
  if (!Number.isFinite(sinceMs)) return { error: `since "${subject.since}" is not a time` };
  if (sinceMs >= nowMs) return { error: 'since must be in the past' };
  return { service: subject.service, sinceMs, untilMs: nowMs, tickets: [], endpoint: subject.endpoint };
}

/** The end of a ticket's window: a while after it was filed, or now. */
export function ticketUntil(createdMs: number, nowMs: number, opts: { windowAfterMs?: number } = {}): number {
  return Math.min(nowMs, createdMs + (opts.windowAfterMs ?? TICKET_WINDOW_AFTER_MS));
}

/**
 * The services where the ticket's users failed, the furthest downstream first: a service whose
 * failures follow a failing service it calls shows that service's fault. `downstream` maps a
 * service to what it calls (itself only when missing).
 */
export function failingOrder<T extends Pick<UserActivity, 'service' | 'errors'>>(
  activity: readonly T[],
  downstream: ReadonlyMap<string, readonly string[]>,
): T[] {
  const failingAll = activity.filter((a) => a.errors > 0);
  const below = (s: string) => downstream.get(s) ?? [s];
  const upstreamOfAnother = (a: T) =>
    failingAll.some(
      (b) => b.service !== a.service && below(a.service).includes(b.service) && !below(b.service).includes(a.service),
    );
  return [...failingAll.filter((a) => !upstreamOfAnother(a)), ...failingAll.filter(upstreamOfAnother)];
}

/** The ticket's service: where its users failed; else a service it names; else where their requests went. */
export function ticketService(
  failing: readonly Pick<UserActivity, 'service'>[],
  linkedServices: readonly string[],
  activity: readonly Pick<UserActivity, 'service'>[],
): string | null {
  return failing[0]?.service ?? linkedServices[0] ?? activity[0]?.service ?? null;
}

/**
 * A ticket's anchor: where its users' requests failed (the service, and the onset from the
 * users' main failure and its error group), else the services it links to; the ticket and its
 * duplicates. The gaps say what could not be tied to telemetry.
 */
export function ticketAnchor(
  f: TicketSubjectFacts,
  nowMs: number,
  opts: { lookBackMs?: number; windowAfterMs?: number } = {},
): { anchor: Anchor; gaps: string[] } {
  const lookBackMs = opts.lookBackMs ?? TICKET_LOOK_BACK_MS;
  const gaps: string[] = [];
  const createdMs = f.ticket.createdMs;
  const untilMs = ticketUntil(createdMs, nowMs, opts);
  const failing = failingOrder(f.activity, f.downstream);
  const service = ticketService(failing, f.linkedServices, f.activity);
  const { sinceMs, onsetMs } = ticketWindow(
    {
      createdMs,
      untilMs,
      stampsMs: f.stampsMs,
      failure: failing[0] ?? null,
      groups: f.failingGroups,
      linkedTopGroup: service ? f.linkedTopGroup : null,
    },
    { lookBackMs },
  );
  if (!failing.length && (f.users.length || f.accounts.length))
    gaps.push(
      `no failed request of the ticket's users or accounts (${[...f.users, ...f.accounts].length}) in the ${lookBackMs / HOUR} h before it`,
    );
  const anonymous =
    f.users.length === 0 && f.accounts.length === 0 && f.linkedServices.length === 0 && !f.mentionsTrace;
  if (!service)
    gaps.push(
      anonymous
        ? 'the ticket names no user, account, trace, route or service Orrery has seen, so no telemetry could be tied to it'
        : 'the ticket links to no service with telemetry',
    );
  return {
    anchor: {
      service,
      sinceMs,
      ...(onsetMs !== undefined ? { onsetMs } : {}),
      untilMs,
      tickets: [f.ticket.id, ...f.related.filter((r) => r.duplicate).map((d) => d.id)],
      text: f.text,
      anonymous,
      prefer: failing[0]?.service,
    },
    gaps,
  };
}

/**
 * A problem's anchor: its service and the time it was seen (its last `maxProblemMs` when it
 * ran longer, said in a gap), and the tickets attached to it. Triage put the problem in its
 * service, upstream symptoms merged into their downstream cause on trace and quote evidence:
 * that service is the focus (and a candidate), whatever the ranker's order, and the
 * investigation stays on it (`stayOn`): another service's fault in the same window is another
 * problem.
 */
export function problemAnchor(
  f: ProblemSubjectFacts,
  nowMs: number,
  opts: { maxProblemMs?: number } = {},
): { anchor: Anchor; gaps: string[] } {
  const maxMs = opts.maxProblemMs ?? BASELINE_MAX_MS;
  const p = f.problem;
  const gaps: string[] = [];
  const last = p.lastSeen ? Math.min(nowMs, Date.parse(p.lastSeen) + 5 * MINUTE) : nowMs;
  let since = p.firstSeen ? Date.parse(p.firstSeen) : last - HOUR;
  if (last - since > maxMs) {
    gaps.push(
      `the problem began at ${p.firstSeen}; only its last ${maxMs / HOUR} h are compared with the baseline before them`,
    );
    since = last - maxMs;
  }
  if (since >= last) since = last - 30 * MINUTE;
  if (!p.service) gaps.push(`problem ${p.id} names no service`);
  const text = f.tickets.length
    ? { title: f.tickets.map((t) => t.title).join('\n'), body: f.tickets.map((t) => t.body).join('\n') }
    : { title: p.title, body: '' };
  return {
    anchor: {
      service: p.service,
      sinceMs: since,
      untilMs: last,
      tickets: p.ticketIds,
      text,
      ...(p.service ? { prefer: p.service, stayOn: p.service } : {}),
    },
    gaps,
  };
}

export interface WindowOptions {
  baselineFactor?: number;
  baselineMinMs?: number;
  baselineMaxMs?: number;
  baselineBuckets?: number;
  incidentBuckets?: number;
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

/** The incident window (whole minutes), the baseline before it, and the bucket sizes to read them in. */
export function investigationWindows(
  anchor: Pick<Anchor, 'sinceMs' | 'untilMs'>,
  opts: WindowOptions = {},
): InvestigationWindows {
  const incident = { startMs: floorMinute(anchor.sinceMs), endMs: floorMinute(anchor.untilMs) + MINUTE };
  const baselineMs = Math.min(
    opts.baselineMaxMs ?? BASELINE_MAX_MS,
    Math.max(
      opts.baselineMinMs ?? BASELINE_MIN_MS,
      (opts.baselineFactor ?? BASELINE_FACTOR) * (incident.endMs - incident.startMs),
    ),
  );
  return {
    incident,
    baseline: { startMs: incident.startMs - baselineMs, endMs: incident.startMs },
    bucketMinutes: {
      baseline: Math.max(1, Math.ceil(baselineMs / MINUTE / (opts.baselineBuckets ?? BASELINE_BUCKETS))),
      incident: Math.max(
        1,
        Math.ceil((incident.endMs - incident.startMs) / MINUTE / (opts.incidentBuckets ?? INCIDENT_BUCKETS)),
      ),
    },
  };
}
