// Ticket text before it is stored: the telemetry's redactor (the same rules, the same custom
// rules and switches) when redaction is on, and emails as keyed-hash mentions always, so that a
// person a ticket names joins the same person in telemetry and in other tickets.
import { redactEmails } from '../analysis/index.js';
import type { Redactor } from '../ingest/transforms/index.js';

export interface TicketRedaction {
  /** Free text (title, body, comments, labels, status, priority, url): secrets → placeholders, emails → `[email h:…]`. */
  text(s: string): string;
  /** A user or account id given as a field: the rules of telemetry's user ids (an email → its bare keyed hash). */
  id(s: string): string;
}

/**
 * `redactor` is the context's (absent when ORRERY_REDACT=off: then only emails are hashed,
 * as tickets always were). Its hash key must be `emailKey`, the per-install email hash key,
 * as `orrery up` builds it; the final `redactEmails` pass is what keeps emails out when the
 * redactor's email rule is disabled (it finds nothing when the rule already ran).
 */
export function ticketRedaction(redactor: Redactor | undefined, emailKey: string): TicketRedaction {
  if (!redactor) return { text: (s) => redactEmails(s, emailKey), id: (s) => s };
  return {
    text: (s) => redactEmails(redactor.text(s, { emails: 'mention' }), emailKey),
    id: (s) => redactor.text(s, { emails: 'hash' }),
  };
}
