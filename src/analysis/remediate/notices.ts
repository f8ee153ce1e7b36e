// Which approver notices are due (the approver webhook: ORRERY_APPROVER_WEBHOOK_URL): one per
// proposal and event — `pending` while it waits for approval, `expiring` when a waiting one nears
// its expiry, and each later status it reaches — each tried until it lands, with a growing pause
// between attempts, up to a bound. Pure: the workflow reads, claims and sends.
import type { NoticeEvent, ProposalNotices, ProposalStatus } from '../../model/index.js';

export interface NoticeOptions {
  /** A waiting proposal this close to its expiry gets the `expiring` notice (default 30 min). */
  expiringMs: number;
  /** Attempts before a notice is given up (default 8: about 10 minutes of tries). */
  maxAttempts: number;
}

export const NOTICE_DEFAULTS: NoticeOptions = { expiringMs: 30 * 60_000, maxAttempts: 8 };

/** The notice of a status: `pending` for proposed, the status's name for the rest; none while executing. */
export function statusEvent(status: ProposalStatus): NoticeEvent | null {
  return status === 'proposed' ? 'pending' : status === 'executing' ? null : status;
}

/** Whether a proposal still waiting (proposed or approved) expires within `expiringMs` of now. */
export function expiringSoon(
  p: { status: ProposalStatus; expiresAt: string },
  nowMs: number,
  expiringMs = NOTICE_DEFAULTS.expiringMs,
): boolean {
  if (p.status !== 'proposed' && p.status !== 'approved') return false;
  const left = Date.parse(p.expiresAt) - nowMs;
  return left > 0 && left <= expiringMs;
}

/** The pause after the n-th failed attempt: 5 s, 10 s, 20 s … up to 5 minutes. */
export function noticeBackoffMs(attempts: number): number {
  return Math.min(5 * 60_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * The events whose notice should be sent now: the current status's (never an earlier status's:
 * an approver is told what is true now) and `expiring` while it applies; each only when it has
 * not landed, has attempts left, and its next attempt is due.
 */
export function noticesDue(
  p: { status: ProposalStatus; expiresAt: string; notices: ProposalNotices },
  nowMs: number,
  opts: NoticeOptions = NOTICE_DEFAULTS,
): NoticeEvent[] {
  const events: NoticeEvent[] = [];
  const current = statusEvent(p.status);
  if (current) events.push(current);
  if (expiringSoon(p, nowMs, opts.expiringMs)) events.push('expiring');
  return events.filter((e) => {
    const d = p.notices[e];
    if (!d) return true;
    if (d.sentAt !== null || d.attempts >= opts.maxAttempts) return false;
    return d.nextAt === null || Date.parse(d.nextAt) <= nowMs;
  });
}
