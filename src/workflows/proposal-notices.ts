// Approver notices: on the server's timer, each proposal's due notice (analysis/remediate/notices:
// `pending`, `expiring`, each later status) is claimed in the database — so one node sends it,
// once — and posted to the approver webhook; a failed attempt is tried again after a growing
// pause. Apart from the proposals' own transactions: a slow or broken receiver delays only its
// notices, never a proposal, an approval or an execution.
import type { ApproverWebhook } from '../act/index.js';
import { type NoticeOptions, NOTICE_DEFAULTS, noticeBackoffMs, noticesDue } from '../analysis/index.js';
import type { NoticeEvent } from '../model/index.js';
import { proposalStore } from '../store/index.js';
import type { Context } from './context.js';

export interface NotifyOptions extends Partial<NoticeOptions> {
  /** How long an attempt holds its notice before another node may try it (default 60 s). */
  leaseMs?: number;
  /** Proposals made this many days ago or less are looked at (default 7). */
  days?: number;
  now?: () => number;
}

export interface NotifyResult {
  sent: Array<{ id: number; event: NoticeEvent }>;
  failed: Array<{ id: number; event: NoticeEvent; attempts: number; error: string }>;
}

/** Sends every notice due now; never throws for a receiver's failure (it is recorded on the notice). */
export async function notifyApprovers(
  ctx: Pick<Context, 'store'>,
  webhook: ApproverWebhook,
  opts: NotifyOptions = {},
): Promise<NotifyResult> {
  const o: NoticeOptions = {
    expiringMs: opts.expiringMs ?? NOTICE_DEFAULTS.expiringMs,
    maxAttempts: opts.maxAttempts ?? NOTICE_DEFAULTS.maxAttempts,
  };
  const now = opts.now ?? Date.now;
  const db = ctx.store.db;
  const result: NotifyResult = { sent: [], failed: [] };
  const candidates = await proposalStore.noticeCandidates(db, opts.days ?? 7);
  for (const p of candidates) {
    for (const event of noticesDue(p, now(), o)) {
      const claim = await proposalStore.claimNotice(db, p.id, event, opts.leaseMs ?? 60_000, o.maxAttempts);
      if (!claim) continue;
      const proposal = {
        id: p.id,
        title: p.title,
        status: p.status,
        tier: p.tier,
        approvals: p.approvals,
        expiresAt: p.expiresAt,
      };
      try {
        await webhook.send(webhook.notice(proposal, event));
        await proposalStore.finishNotice(db, p.id, event, { sent: true });
        result.sent.push({ id: p.id, event });
      } catch (err) {
        const error = (err as Error).message;
        await proposalStore.finishNotice(db, p.id, event, {
          sent: false,
          error,
          retryInMs: noticeBackoffMs(claim.attempts),
        });
        result.failed.push({ id: p.id, event, attempts: claim.attempts, error });
      }
    }
  }
  return result;
}
