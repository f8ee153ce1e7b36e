// The webhook executor: a signed JSON POST of the approved action to a configured URL (a CI job,
// an Argo Rollouts or Flagger hook, a chat-ops bot). The body names the proposal and carries an
// idempotency key that is the same on every attempt; the signature is HMAC-SHA256 over
// `<timestamp>.<body>` with the shared secret, in the headers the receiver checks:
//
//   X-Orrery-Timestamp: 1733650000
//   X-Orrery-Signature: sha256=<hex>
//   Idempotency-Key: orrery-proposal-7
//
// A 2xx answer is success; its JSON may say what the receiver did (`did`: strings) and how to
// undo it (`undo`: a string). After a crash Orrery cannot ask a webhook whether a POST landed,
// so recovery leaves it to a person (needs-attention) rather than send it twice.
import { inverseOf, titleOf, undoText } from '../../../analysis/index.js';
import type { ExecutionReport, ProposalAction } from '../../../model/index.js';
import {
  type ExecutionContext,
  type Executor,
  ExecutorError,
  type ExecutorPlan,
  type RecoverResult,
} from '../../executor.js';
import { SignedPostError, postSigned } from '../signed-post.js';

export { webhookSignature } from '../signed-post.js';

export interface WebhookExecutorOptions {
  url: string;
  /** Shared with the receiver; at least 16 characters. */
  secret: string;
  timeoutMs?: number;
  /** Kinds it accepts (default every kind). */
  kinds?: readonly ProposalAction['kind'][];
}

/** What the receiver gets. */
export interface WebhookBody {
  type: 'orrery.remediation';
  proposal: { id: number; title: string };
  action: ProposalAction;
  idempotencyKey: string;
}

export class WebhookExecutor implements Executor {
  readonly name = 'webhook';

  constructor(private readonly opts: WebhookExecutorOptions) {
    if (opts.secret.length < 16) throw new Error('the webhook executor secret must be at least 16 characters');
  }

  refusal(action: ProposalAction): string | null {
    return this.opts.kinds && !this.opts.kinds.includes(action.kind)
      ? `configured for ${this.opts.kinds.join(', ')} only`
      : null;
  }

  private body(action: ProposalAction, x: ExecutionContext): string {
    const b: WebhookBody = {
      type: 'orrery.remediation',
      proposal: { id: x.proposalId, title: x.title },
      action,
      idempotencyKey: x.idempotencyKey,
    };
    return JSON.stringify(b);
  }

  async plan(action: ProposalAction, x: ExecutionContext): Promise<ExecutorPlan> {
    const why = this.refusal(action);
    if (why) throw new ExecutorError(why);
    return {
      diff: {
        executor: this.name,
        target: `POST ${this.opts.url} (signed, Idempotency-Key ${x.idempotencyKey})`,
        changes: [{ what: 'request', from: null, to: titleOf(action) }],
        patch: JSON.stringify(JSON.parse(this.body(action, x)), null, 2),
      },
      preconditions: [],
    };
  }

  async apply(action: ProposalAction, x: ExecutionContext): Promise<ExecutionReport> {
    let answer: { status: number; text: string };
    try {
      answer = await postSigned({
        url: this.opts.url,
        secret: this.opts.secret,
        body: this.body(action, x),
        idempotencyKey: x.idempotencyKey,
        userAgent: 'orrery-executor',
        timeoutMs: this.opts.timeoutMs ?? 60_000,
      });
    } catch (err) {
      throw err instanceof SignedPostError ? new ExecutorError(err.message) : err;
    }
    const text = answer.text;
    let said: { did?: unknown; undo?: unknown } = {};
    try {
      said = text ? (JSON.parse(text) as typeof said) : {};
    } catch {
      // A receiver that answers 2xx with no JSON has accepted the request.
    }
    const did = Array.isArray(said.did) ? said.did.map(String) : [];
    return {
      executor: this.name,
      did: [`POST ${this.opts.url}: ${answer.status} for "${titleOf(action)}"`, ...did],
      undo: {
        text: typeof said.undo === 'string' ? said.undo : undoText(action),
        action: inverseOf(action),
      },
      refs: [{ kind: 'delivery', value: x.idempotencyKey }],
    };
  }

  async recover(): Promise<RecoverResult> {
    return {
      state: 'unknown',
      why: 'a webhook cannot be asked whether a POST it may have received took effect, and sending it again could run it twice',
    };
  }
}
