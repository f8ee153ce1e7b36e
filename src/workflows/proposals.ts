// A proposal's life after it is made: listed and shown (expiring the ones past due on the way),
// approved or rejected by identified approvers, run once (claimed in the database before the
// executor is called, the outcome recorded after), recovered after a crash, and undone through a
// new proposal. Every step is an audit entry written in the transaction that makes it.
import { type Executor, ExecutorError, idempotencyKeyOf } from '../act/index.js';
import { decisionState, inverseOf, judgeDecision } from '../analysis/index.js';
import type { ExecutionReport, Proposal, ProposalStatus, ProposalSummary, TokenRole } from '../model/index.js';
import { type Queryable, proposalStore, recordAudit } from '../store/index.js';
import type { Context } from './context.js';
import { preconditionsOf } from './proposal-facts.js';
import { type ProposeOptions, ProposalNotFoundError, repositoryPathOf, storeDraft } from './propose.js';

/** The request is understood but the proposal's state or the caller forbids it (HTTP 401/403/409). */
export class ProposalRefusedError extends Error {
  override name = 'ProposalRefusedError';
  constructor(
    message: string,
    readonly status: 401 | 403 | 409,
  ) {
    super(message);
  }
}

/** Who decides: an identified token, its name and role; null for an anonymous request. */
export interface Decider {
  actor: string;
  name: string;
  role: TokenRole;
}

const SYSTEM = 'system';

async function audit(
  ctx: Pick<Context, 'store'>,
  tx: Queryable,
  actor: string,
  action: string,
  id: number,
  detail: Record<string, unknown>,
): Promise<void> {
  await recordAudit(tx, { actor, action, subjectKind: 'proposal', subjectId: String(id), detail }, ctx.store.audit.key);
}

/** Marks every waiting proposal past its expiry as expired, each with an audit entry; returns their ids. */
export async function expireDue(ctx: Pick<Context, 'store'>): Promise<number[]> {
  const ids = await proposalStore.expiredIds(ctx.store.db);
  const done: number[] = [];
  for (const id of ids) {
    const changed = await ctx.store.db.transaction(async (tx) => {
      const p = await proposalStore.getProposal(tx, id, { lock: true });
      if (!p || (p.status !== 'proposed' && p.status !== 'approved') || Date.parse(p.expiresAt) > Date.now())
        return false;
      // The database's clock decided it was due; the row's status is changed only from what was read.
      if (!(await proposalStore.setStatus(tx, id, p.status, 'expired'))) return false;
      await audit(ctx, tx, SYSTEM, 'proposal.expire', id, { was: p.status, expiresAt: p.expiresAt });
      return true;
    });
    if (changed) done.push(id);
  }
  if (done.length) await ctx.store.audit.advance(ctx.store.db);
  return done;
}

export async function listProposals(
  ctx: Pick<Context, 'store'>,
  q: { status?: ProposalStatus; problem?: number; limit: number },
): Promise<ProposalSummary[]> {
  await expireDue(ctx);
  return proposalStore.listProposals(ctx.store.db, q);
}

export async function getProposal(ctx: Pick<Context, 'store'>, id: number): Promise<Proposal | null> {
  await expireDue(ctx);
  return proposalStore.getProposal(ctx.store.db, id);
}

async function mustGet(ctx: Pick<Context, 'store'>, id: number): Promise<Proposal> {
  const p = await getProposal(ctx, id);
  if (!p) throw new ProposalNotFoundError(`no proposal with id ${id}`);
  return p;
}

/**
 * Records an approval or a rejection. Only an identified approver decides; each identity once;
 * the proposer's approval is kept but not counted; the proposal becomes approved when enough
 * approvals count, rejected at the first rejection.
 */
export async function decide(
  ctx: Pick<Context, 'store'>,
  id: number,
  verdict: 'approve' | 'reject',
  who: Decider | null,
  comment: string | null = null,
): Promise<Proposal> {
  const verb = verdict === 'approve' ? 'approve' : 'reject';
  if (!who)
    throw new ProposalRefusedError(
      `an anonymous request cannot ${verb}: an approval names who approves. Send an approver's token (orrery token create --role approver)`,
      401,
    );
  if (who.role !== 'approver')
    throw new ProposalRefusedError(
      `only a token with the "approver" role can ${verb} proposals; the token "${who.name}" has "${who.role}"`,
      403,
    );
  await mustGet(ctx, id);
  const status = await ctx.store.db.transaction(async (tx) => {
    const p = await proposalStore.getProposal(tx, id, { lock: true });
    if (!p) throw new ProposalNotFoundError(`no proposal with id ${id}`);
    const open = verdict === 'reject' ? ['proposed', 'approved'] : ['proposed'];
    if (!open.includes(p.status))
      throw new ProposalRefusedError(
        `proposal ${id} is ${p.status}: it can no longer be ${verb === 'approve' ? 'approved' : 'rejected'}`,
        409,
      );
    if (p.decisions.some((d) => d.actor === who.actor))
      throw new ProposalRefusedError(`${who.name} (${who.actor}) has already decided on proposal ${id}`, 409);
    const j = judgeDecision(verdict, who.actor, p.proposer);
    await proposalStore.insertDecision(tx, id, {
      actor: who.actor,
      actorName: who.name,
      verdict,
      comment,
      counted: j.counted,
      why: j.why,
    });
    const state = decisionState(p.approval, [...p.decisions, { actor: who.actor, verdict, counted: j.counted }]);
    const next: ProposalStatus =
      state.state === 'rejected' ? 'rejected' : state.state === 'approved' ? 'approved' : p.status;
    if (next !== p.status) await proposalStore.setStatus(tx, id, p.status, next);
    await audit(ctx, tx, who.actor, `proposal.${verdict}`, id, {
      name: who.name,
      counted: j.counted,
      why: j.why,
      approvals: `${state.counted}/${p.approval.required}`,
      status: next,
      ...(comment ? { comment } : {}),
    });
    return next;
  });
  await ctx.store.audit.advance(ctx.store.db);
  void status;
  return mustGet(ctx, id);
}

function executorFor(ctx: Context, p: Proposal): Executor {
  const executors = ctx.remediation?.executors ?? [];
  const ex = executors.find((e) => e.name === p.diff.executor);
  if (!ex)
    throw new ProposalRefusedError(
      p.diff.executor
        ? `proposal ${p.id} was planned on the ${p.diff.executor} executor, which this node does not have configured`
        : `no executor could run proposal ${p.id} when it was proposed (${p.diff.target})`,
      409,
    );
  return ex;
}

function why(p: Proposal): string {
  if (p.status === 'proposed')
    return `proposal ${p.id} is not approved (${p.approval.counted} of ${p.approval.required} approvals): it runs only once approved`;
  return `proposal ${p.id} is ${p.status}: only an approved proposal runs, once`;
}

/** Runs the claimed proposal on its executor and records the outcome; renews the claim's lease meanwhile. */
async function runClaimed(
  ctx: Context,
  p: Proposal,
  ex: Executor,
  node: string,
  run: () => Promise<{ report: ExecutionReport; recovery: string | null }>,
): Promise<void> {
  const leaseMs = ctx.remediation?.leaseMs ?? 60_000;
  const timer = setInterval(
    () => {
      void proposalStore.renewLease(ctx.store.db, p.id, node, leaseMs).catch(() => {});
    },
    Math.max(250, Math.floor(leaseMs / 3)),
  );
  let outcome: {
    status: 'executed' | 'failed';
    report: ExecutionReport | null;
    error: string | null;
    recovery: string | null;
  };
  try {
    const r = await run();
    outcome = { status: 'executed', report: r.report, error: null, recovery: r.recovery };
  } catch (err) {
    outcome = { status: 'failed', report: null, error: (err as Error).message, recovery: null };
    if (!(err instanceof ExecutorError)) outcome.error = `${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    clearInterval(timer);
  }
  await ctx.store.db.transaction(async (tx) => {
    const mine = await proposalStore.finish(tx, p.id, node, outcome.status, {
      report: outcome.report,
      error: outcome.error,
      recovery: outcome.recovery,
      executor: ex.name,
    });
    if (!mine) return;
    await audit(ctx, tx, SYSTEM, outcome.status === 'executed' ? 'proposal.execute' : 'proposal.execute.fail', p.id, {
      executor: ex.name,
      node,
      ...(outcome.report ? { did: outcome.report.did, undo: outcome.report.undo.text, refs: outcome.report.refs } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.recovery ? { recovery: outcome.recovery } : {}),
    });
  });
  await ctx.store.audit.advance(ctx.store.db);
}

/**
 * Runs an approved, unexpired proposal once: its preconditions are checked again, then it is
 * claimed in the database (the one statement that decides which request or node runs it), the
 * executor is called, and the outcome recorded. Anything else is refused with the reason.
 */
export async function executeProposal(ctx: Context, id: number, opts: { actor: string }): Promise<Proposal> {
  const p = await mustGet(ctx, id);
  if (p.status !== 'approved') throw new ProposalRefusedError(why(p), 409);
  const ex = executorFor(ctx, p);
  const node = ctx.remediation?.node ?? 'local';
  const fresh = await preconditionsOf(ctx, p.action);
  const unmet = fresh.filter((c) => c.met === false);
  if (unmet.length) {
    await ctx.store.db.transaction((tx) =>
      audit(ctx, tx, opts.actor, 'proposal.execute.refuse', id, { unmet: unmet.map((c) => `${c.text}: ${c.detail}`) }),
    );
    await ctx.store.audit.advance(ctx.store.db);
    throw new ProposalRefusedError(
      `proposal ${id} does not run: ${unmet.map((c) => `${c.text} — no: ${c.detail}`).join('; ')}`,
      409,
    );
  }
  const claimed = await ctx.store.db.transaction(async (tx) => {
    const c = await proposalStore.claim(tx, id, node, ex.name, ctx.remediation?.leaseMs ?? 60_000);
    if (c)
      await audit(ctx, tx, opts.actor, 'proposal.execute.start', id, { executor: ex.name, node, attempt: c.attempts });
    return c;
  });
  await ctx.store.audit.advance(ctx.store.db);
  if (!claimed) {
    const now = await mustGet(ctx, id);
    throw new ProposalRefusedError(
      now.status === 'approved' ? `proposal ${id} expired before it could run` : why(now),
      409,
    );
  }
  const x = {
    proposalId: id,
    title: p.title,
    idempotencyKey: idempotencyKeyOf(id),
    repositoryPath: await repositoryPathOf(ctx, p.action),
  };
  await runClaimed(ctx, p, ex, node, async () => ({ report: await ex.apply(p.action, x), recovery: null }));
  return mustGet(ctx, id);
}

/**
 * Finishes executions a crash left in flight: this node's own claims (`ownClaims`, when it has
 * just started and so runs none) and claims whose lease ran out. Each is taken over in the
 * database first, so one node recovers it; then its executor says whether the apply took effect:
 * recorded as executed, run now when nothing of it happened, or left as needs-attention.
 */
export async function recoverExecutions(
  ctx: Context,
  opts: { ownClaims: boolean; anyClaim?: boolean },
): Promise<Array<{ id: number; status: ProposalStatus }>> {
  const node = ctx.remediation?.node ?? 'local';
  const leaseMs = ctx.remediation?.leaseMs ?? 60_000;
  const out: Array<{ id: number; status: ProposalStatus }> = [];
  for (const stale of await proposalStore.staleClaims(ctx.store.db, node, opts)) {
    const mine = await ctx.store.db.transaction(async (tx) => {
      const ok = await proposalStore.takeOver(tx, stale.id, stale, node, leaseMs);
      if (ok)
        await audit(ctx, tx, SYSTEM, 'proposal.recover', stale.id, {
          from: stale.node,
          node,
          claimedAt: stale.claimedAt,
        });
      return ok;
    });
    await ctx.store.audit.advance(ctx.store.db);
    if (!mine) continue;
    const p = (await proposalStore.getProposal(ctx.store.db, stale.id)) as Proposal;
    const ex = (ctx.remediation?.executors ?? []).find(
      (e) => e.name === p.execution?.executor || e.name === p.diff.executor,
    );
    const x = {
      proposalId: p.id,
      title: p.title,
      idempotencyKey: idempotencyKeyOf(p.id),
      repositoryPath: await repositoryPathOf(ctx, p.action),
    };
    const r = ex
      ? await ex.recover(p.action, x).catch((err: Error) => ({ state: 'unknown' as const, why: err.message }))
      : {
          state: 'unknown' as const,
          why: `the ${p.execution?.executor ?? p.diff.executor} executor is not configured on ${node}`,
        };
    if (r.state === 'executed') {
      const report = r.report;
      await runClaimed(ctx, p, ex!, node, async () => ({ report, recovery: `recovered after a crash: ${r.how}` }));
    } else if (r.state === 'not-started') {
      await runClaimed(ctx, p, ex!, node, async () => ({
        report: await ex!.apply(p.action, x),
        recovery: `run after a crash: ${r.how}`,
      }));
    } else {
      await ctx.store.db.transaction(async (tx) => {
        const ok = await proposalStore.finish(tx, p.id, node, 'needs-attention', {
          report: null,
          error: null,
          recovery: `an execution was in flight when its node stopped, and ${r.why}: a person must check before it runs again`,
          executor: p.execution?.executor ?? p.diff.executor ?? '',
        });
        if (ok) await audit(ctx, tx, SYSTEM, 'proposal.needs-attention', p.id, { why: r.why, node });
      });
      await ctx.store.audit.advance(ctx.store.db);
    }
    out.push({ id: p.id, status: ((await proposalStore.getProposal(ctx.store.db, p.id)) as Proposal).status });
  }
  return out;
}

/** Proposes the undo of an executed proposal: the inverse action its executor reported, to be approved like any other. */
export async function undoProposal(ctx: Context, id: number, opts: ProposeOptions): Promise<Proposal> {
  const p = await mustGet(ctx, id);
  if (p.status !== 'executed' || !p.execution?.report)
    throw new ProposalRefusedError(`proposal ${id} is ${p.status}: only an executed proposal can be undone`, 409);
  const action = p.execution.report.undo.action ?? inverseOf(p.action);
  if (!action)
    throw new ProposalRefusedError(`proposal ${id} has nothing to undo: ${p.execution.report.undo.text}`, 409);
  const undo = await storeDraft(
    ctx,
    {
      rule: 'rollback-blamed-deploy',
      action,
      rationale: `undoes proposal ${id} (${p.title}), executed by ${p.execution.executor}: ${p.execution.report.undo.text}`,
      evidence: [
        {
          kind: 'deploy',
          summary: `proposal ${id}: ${p.execution.report.did.join('; ')}`,
          ref: String(id),
          query: `/api/proposals/${id}`,
        },
      ],
      atFault: [],
    },
    { kind: 'undo', proposalId: id },
    opts,
  );
  await ctx.store.db.transaction((tx) =>
    audit(ctx, tx, opts.actor, 'proposal.undo', id, { undoProposal: undo.id, title: undo.title }),
  );
  await ctx.store.audit.advance(ctx.store.db);
  return undo;
}
