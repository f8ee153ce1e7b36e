// The findings a subject brings before any telemetry is tested: a ticket's related tickets and
// where its users failed, a problem's attached tickets.
import type { Evidence } from '../../model/index.js';
import { SIMILAR_TICKETS_ALGORITHM } from '../retrieval/index.js';
import { failingOrder } from './anchor.js';
import type { ProblemSubjectFacts, TicketSubjectFacts, UserActivity } from './facts.js';
import type { FindingList } from './findings.js';
import type { RelatedTicket } from './related-tickets.js';

const HOUR = 3_600_000;

export function ticketEvidence(t: { id: number; externalId: string; title: string }, summary?: string): Evidence {
  return {
    kind: 'ticket',
    summary: summary ?? `${t.externalId}: ${t.title}`,
    ref: String(t.id),
    query: `/api/tickets/${t.id}`,
  };
}

/** The related tickets and likely duplicates, out of `pool` tickets compared. */
export function relatedFinding(list: FindingList, related: readonly RelatedTicket[], pool: number): void {
  const dups = related.filter((r) => r.duplicate).length;
  list.add({
    kind: 'related_tickets',
    title: `${related.length} related ticket${related.length > 1 ? 's' : ''}${dups ? `, ${dups} likely duplicate${dups > 1 ? 's' : ''}` : ''}`,
    confidence: related[0]!.score,
    hint: `of ${pool} tickets within 14 days before and 7 after: text similarity (${SIMILAR_TICKETS_ALGORITHM}) joined with shared users, accounts, errors, routes and traces, and time proximity`,
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

/** The ticket's users' failed requests in the first failing service (`failing` in failingOrder's order). */
export function usersFailedFinding(
  list: FindingList,
  failing: readonly UserActivity[],
  ticket: { id: number; externalId: string; title: string },
  lookBackMs: number,
): void {
  const a = failing[0]!;
  list.add({
    kind: 'signal',
    title: `the ticket's ${a.users.length > 1 ? `${a.users.length} users` : 'user'} had ${a.errors} failed requests in ${a.service}`,
    confidence: 0.9,
    hint: `spans of the users and accounts the ticket names, ${lookBackMs / HOUR} h before it was filed: ${a.errors} of ${a.requests} requests to ${a.service} failed, the first at ${a.firstError!.toISOString()}`,
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
}

/** A ticket subject's findings, in order: its related tickets, then where its users failed. */
export function ticketFindings(list: FindingList, f: TicketSubjectFacts, opts: { lookBackMs: number }): void {
  if (f.related.length) relatedFinding(list, f.related, f.pool);
  const failing = failingOrder(f.activity, f.downstream);
  if (failing.length) usersFailedFinding(list, failing, f.ticket, opts.lookBackMs);
}

/** The tickets triage attached to a problem (those still stored). */
export function problemTicketsFinding(list: FindingList, f: ProblemSubjectFacts): void {
  if (!f.tickets.length) return;
  list.add({
    kind: 'related_tickets',
    title: `${f.tickets.length} tickets attached to problem ${f.problem.id}`,
    confidence: 1,
    hint: 'tickets triage attached to this problem',
    evidence: f.tickets.map((t) => ticketEvidence(t)),
    data: { tickets: f.tickets.map((t) => ({ id: t.id, externalId: t.externalId })) },
  });
}
