// Which proposals the list marks for the people who decide. Pure, and free of JSX so the tests
// import it as it is.
import type { ProposalSummary } from '../model/proposals.js';

/** The server's default ORRERY_APPROVER_EXPIRING_MINUTES, for an answer that does not carry its own. */
export const DEFAULT_EXPIRING_MINUTES = 30;

/**
 * What a person deciding should see first: `pending` while it waits for approval, and `expiring`
 * when it still waits and expires within `expiringMinutes` (the server's setting, which the
 * proposals list carries), or the approver webhook already said so.
 */
export function attention(
  p: Pick<ProposalSummary, 'status' | 'expiresAt' | 'notices'>,
  now = Date.now(),
  expiringMinutes = DEFAULT_EXPIRING_MINUTES,
): { pending: boolean; expiring: boolean } {
  const waiting = p.status === 'proposed' || p.status === 'approved';
  const left = Date.parse(p.expiresAt) - now;
  return {
    pending: p.status === 'proposed',
    expiring: waiting && left > 0 && (left <= expiringMinutes * 60_000 || p.notices?.expiring?.sentAt != null),
  };
}
