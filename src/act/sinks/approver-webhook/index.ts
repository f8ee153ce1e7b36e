// The approver webhook: tells the people who approve remediations that a proposal waits for them,
// is about to expire, or has moved on — a signed JSON POST to a configured URL (a chat bot, a
// pager, a ticketing hook), signed as the webhook executor signs its requests:
//
//   X-Orrery-Timestamp: 1733650000
//   X-Orrery-Signature: sha256=<hex of HMAC-SHA256 over "<timestamp>.<body>">
//   Idempotency-Key: orrery-proposal-7-pending     (the same on every attempt of one notice)
//
// A 2xx answer is delivery; anything else, or no answer within the timeout, is an error the
// caller retries later. It never touches the proposal.
import type { NoticeEvent, ProposalStatus, RiskTier } from '../../../model/index.js';
import { SignedPostError, postSigned } from '../signed-post.js';

export interface ApproverWebhookOptions {
  url: string;
  /** Shared with the receiver; at least 16 characters. */
  secret: string;
  /** Where a person opens the proposal (the UI's base URL), when known. */
  publicUrl?: string;
  timeoutMs?: number;
}

/** What the receiver gets. */
export interface ApproverNotice {
  type: 'orrery.proposal.notice';
  event: NoticeEvent;
  proposal: {
    id: number;
    title: string;
    status: ProposalStatus;
    tier: RiskTier;
    approvals: { counted: number; required: number };
    expiresAt: string;
    /** The UI's page of the proposal, when Orrery knows its public address. */
    url: string | null;
  };
  idempotencyKey: string;
}

export class ApproverWebhookError extends Error {
  override name = 'ApproverWebhookError';
}

export class ApproverWebhook {
  constructor(private readonly opts: ApproverWebhookOptions) {
    if (opts.secret.length < 16) throw new Error('the approver webhook secret must be at least 16 characters');
  }

  /** The notice's body for a proposal and event. */
  notice(p: Omit<ApproverNotice['proposal'], 'url'>, event: NoticeEvent): ApproverNotice {
    const base = this.opts.publicUrl?.replace(/\/$/, '');
    return {
      type: 'orrery.proposal.notice',
      event,
      proposal: { ...p, url: base ? `${base}/proposals/${p.id}` : null },
      idempotencyKey: `orrery-proposal-${p.id}-${event}`,
    };
  }

  /** Sends one notice; throws ApproverWebhookError when it did not land. */
  async send(n: ApproverNotice): Promise<void> {
    try {
      await postSigned({
        url: this.opts.url,
        secret: this.opts.secret,
        body: JSON.stringify(n),
        idempotencyKey: n.idempotencyKey,
        userAgent: 'orrery-approver-webhook',
        timeoutMs: this.opts.timeoutMs ?? 10_000,
      });
    } catch (err) {
      throw err instanceof SignedPostError ? new ApproverWebhookError(err.message) : err;
    }
  }
}
