// Which proposals the list marks for the people who decide. Pure, and free of JSX so the tests
// import it as it is.
import type { ProposalSummary } from '../model/proposals.js';

/** As the server's default ORRERY_APPROVER_EXPIRING_MINUTES: a waiting proposal this close to its expiry is marked. */
const EXPIRING_MS = 30 * 60_000;

/**
 * What a person deciding should see first: `pending` while it waits for approval, and `expiring`
 * when it still waits and expires within 30 minutes (or the approver webhook already said so).
 */
export function attention(
  p: Pick<ProposalSummary, 'status' | 'expiresAt' | 'notices'>,
  now = Date.now(),
): { pending: boolean; expiring: boolean } {
  const waiting = p.status === 'proposed' || p.status === 'approved';
  const left = Date.parse(p.expiresAt) - now;
  return {
    pending: p.status === 'proposed',
    expiring: waiting && left > 0 && (left <= EXPIRING_MS || p.notices?.expiring?.sentAt != null),
  };
}
