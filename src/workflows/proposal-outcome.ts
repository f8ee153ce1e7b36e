// After the action (issue 21, step 4): an executed rollback, scale or config change is watched
// like a deploy — the services it changed, minute by minute, before it and after it
// (proposal-outcome@1, analysis/remediate/outcome) — until it ends resolved, not-resolved or
// made-worse. The first decision is stored on the proposal and audited; made-worse proposes the
// undo at once (it waits for approval like any proposal: nothing runs unattended); the triage
// problem the proposal was for is closed when resolved and reopened otherwise.
import { OUTCOME_DEFAULTS, PROPOSAL_OUTCOME_ALGORITHM, judgeOutcome, outcomeMinutes } from '../analysis/index.js';
import type { Proposal, ProposalKind, ProposalOutcome } from '../model/index.js';
import {
  type Queryable,
  firstDeployOf,
  problemStore,
  proposalStore,
  recordAudit,
  serviceTotals,
  storedVerification,
} from '../store/index.js';
import type { Context } from './context.js';
import { DEFAULT_SETTLE_MS } from './deploy-verify.js';
import { undoProposal } from './proposals.js';

const MINUTE = 60_000;
const SYSTEM = 'system';

/** The kinds whose effect shows in their service's requests (a flag, restart or revert is not watched yet). */
export const WATCHED_KINDS: readonly ProposalKind[] = ['rollback', 'scale', 'config'];

export interface WatchOutcomeOptions {
  now?: Date;
  watchMinutes?: number;
  baselineMinutes?: number;
  settleMs?: number;
  alpha?: number;
}

function servicesOf(p: Proposal): string[] {
  const a = p.action;
  return a.kind === 'rollback' || a.kind === 'scale' || a.kind === 'config' ? [a.service] : [];
}

/** The triage problem a proposal was made for: its own, its investigation's, or its regressed deploy's. */
async function problemOf(q: Queryable, p: Proposal): Promise<number | null> {
  const s = p.source;
  if (s.kind === 'problem') return s.id;
  if (s.kind === 'investigation') {
    const rows = await q.query('SELECT problem_id FROM investigation WHERE id = $1', [s.id]);
    return rows[0]?.problem_id == null ? null : Number(rows[0].problem_id);
  }
  if (s.kind === 'verification') return (await storedVerification(q, s.deployId))?.problemId ?? null;
  return null;
}

/** When the action took effect, in ms; null (with why) while a rollback's deploy has not been seen. */
async function liveAt(q: Queryable, p: Proposal): Promise<{ at: number | null; note: string }> {
  const x = p.execution!;
  const finished = Date.parse(x.finishedAt ?? x.claimedAt);
  const a = p.action;
  if (a.kind !== 'rollback') return { at: finished, note: 'when the executor finished' };
  const d = await firstDeployOf(q, {
    service: a.service,
    environment: a.environment,
    version: a.toVersion,
    since: new Date(Math.floor(Date.parse(x.claimedAt) / MINUTE) * MINUTE),
  });
  if (d) return { at: Math.max(Date.parse(d.deployedAt), finished), note: `deploy ${d.id}` };
  const opened = x.report?.refs.some((r) => r.kind === 'pull-request' || r.kind === 'branch') ?? false;
  return opened
    ? { at: null, note: `waiting for the deploy of ${a.service} ${a.toVersion} (the executor opened a pull request)` }
    : { at: finished, note: 'when the executor finished (no deploy of the version was recorded)' };
}

function waiting(p: Proposal, note: string, baselineMinutes: number, watch: number, started: number): ProposalOutcome {
  return {
    algorithm: PROPOSAL_OUTCOME_ALGORITHM,
    verdict: 'watching',
    services: servicesOf(p),
    summary: `watching: ${note}`,
    baseline: {
      since: new Date(started - baselineMinutes * MINUTE).toISOString(),
      until: new Date(started).toISOString(),
    },
    after: { since: new Date(started).toISOString(), until: new Date(started).toISOString() },
    watchMinutes: watch,
    looks: 0,
    requests: { before: 0, after: 0 },
    tests: [],
    decidedAt: null,
    undoProposalId: null,
    problem: null,
  };
}

/**
 * An executed proposal's outcome: the stored one once decided, else computed from the minutes
 * with complete data (and stored, with its consequences, when that decides it). Null for a
 * proposal that is not an executed rollback, scale or config change.
 */
export async function watchOutcome(
  ctx: Context,
  id: number,
  opts: WatchOutcomeOptions = {},
): Promise<ProposalOutcome | null> {
  const db = ctx.store.db;
  const p = await proposalStore.getProposal(db, id);
  if (p?.status !== 'executed' || !p.execution || !WATCHED_KINDS.includes(p.action.kind)) return null;
  if (p.outcome) return p.outcome;
  const now = opts.now ?? new Date();
  const watch = opts.watchMinutes ?? OUTCOME_DEFAULTS.watchMinutes;
  const baselineMinutes = opts.baselineMinutes ?? OUTCOME_DEFAULTS.baselineMinutes;
  const completeBefore = Math.floor((now.getTime() - (opts.settleMs ?? DEFAULT_SETTLE_MS)) / MINUTE) * MINUTE;
  // The baseline is the whole minutes before the action began; the watch, whole minutes after it
  // took effect: for a rollback, the deploy of the version it rolled back to (an executor that
  // opens a pull request is done long before that); else when the executor finished.
  const started = Math.floor(Date.parse(p.execution.claimedAt) / MINUTE) * MINUTE;
  const live = await liveAt(db, p);
  if (live.at === null) return waiting(p, live.note, baselineMinutes, watch, started);
  const ended = Math.floor(live.at / MINUTE) * MINUTE + MINUTE;
  const baseline = { since: new Date(started - baselineMinutes * MINUTE), until: new Date(started) };
  const after = {
    since: new Date(ended),
    until: new Date(Math.max(ended, Math.min(completeBefore, ended + watch * MINUTE))),
  };
  const services = servicesOf(p);
  const read = (w: { since: Date; until: Date }) =>
    Promise.all(services.map((s) => serviceTotals(db, s, w.since, w.until))).then(outcomeMinutes);
  const [before, afterMinutes] = await Promise.all([read(baseline), read(after)]);
  // A minute with no requests still counts as a look: the watch ends with the window, not the traffic.
  const looks = Math.round((after.until.getTime() - after.since.getTime()) / MINUTE);
  const padded = [...afterMinutes];
  for (let m = after.since.getTime(); m < after.until.getTime(); m += MINUTE)
    if (!padded.some((x) => x.minuteMs === m)) padded.push({ minuteMs: m, requests: 0, errors: 0, p95: null });
  padded.sort((a, b) => a.minuteMs - b.minuteMs);
  const j = judgeOutcome(before, padded, { watchMinutes: watch, ...(opts.alpha ? { alpha: opts.alpha } : {}) });
  const outcome: ProposalOutcome = {
    algorithm: PROPOSAL_OUTCOME_ALGORITHM,
    verdict: j.verdict,
    services,
    summary: j.summary,
    baseline: { since: baseline.since.toISOString(), until: baseline.until.toISOString() },
    after: { since: after.since.toISOString(), until: after.until.toISOString() },
    watchMinutes: watch,
    looks: Math.min(looks, watch),
    requests: j.requests,
    tests: j.tests,
    decidedAt: j.verdict === 'watching' ? null : after.until.toISOString(),
    undoProposalId: null,
    problem: null,
  };
  if (j.verdict === 'watching') return outcome;

  const problemId = await problemOf(db, p);
  const stored = await db.transaction(async (tx) => {
    // The outcome is claimed first: a second watcher that decided too changes nothing after it.
    if (!(await proposalStore.setOutcome(tx, id, outcome))) return false;
    if (problemId !== null) {
      const to = j.verdict === 'resolved' ? 'resolved' : 'open';
      const was = await problemStore.setProblemStatus(tx, problemId, to);
      if (was !== null) {
        const action = was === to || was === 'merged' ? 'unchanged' : to === 'resolved' ? 'closed' : 'reopened';
        outcome.problem = { id: problemId, action };
        await proposalStore.patchOutcome(tx, id, { problem: outcome.problem });
      }
    }
    const key = ctx.store.audit.key;
    await recordAudit(
      tx,
      {
        actor: SYSTEM,
        action: 'proposal.outcome',
        subjectKind: 'proposal',
        subjectId: String(id),
        detail: { verdict: outcome.verdict, summary: outcome.summary, algorithm: outcome.algorithm },
      },
      key,
    );
    if (outcome.problem && outcome.problem.action !== 'unchanged')
      await recordAudit(
        tx,
        {
          actor: SYSTEM,
          action: outcome.problem.action === 'closed' ? 'problem.close' : 'problem.reopen',
          subjectKind: 'problem',
          subjectId: String(problemId),
          detail: { proposal: id, verdict: outcome.verdict },
        },
        key,
      );
    return true;
  });
  await ctx.store.audit.advance(db);
  if (!stored) return (await proposalStore.getProposal(db, id))?.outcome ?? outcome;
  if (outcome.verdict === 'made-worse') {
    // Proposed at once, not run: an undo waits for approval like any other action.
    try {
      const undo = await undoProposal(ctx, id, { actor: SYSTEM });
      outcome.undoProposalId = undo.id;
      await proposalStore.patchOutcome(db, id, { undoProposalId: undo.id });
    } catch (err) {
      outcome.summary += `; the undo could not be proposed: ${(err as Error).message}`;
      await proposalStore.patchOutcome(db, id, { summary: outcome.summary });
    }
  }
  return outcome;
}

/** Watches every executed rollback, scale or config change of the last watch window and an hour still undecided (the server's minute loop). */
export async function watchRecentOutcomes(
  ctx: Context,
  opts: WatchOutcomeOptions & { onError?: (err: Error, id: number) => void } = {},
): Promise<Array<{ id: number; verdict: ProposalOutcome['verdict'] }>> {
  const now = opts.now ?? new Date();
  const watch = opts.watchMinutes ?? OUTCOME_DEFAULTS.watchMinutes;
  const ids = await proposalStore.awaitingOutcome(
    ctx.store.db,
    WATCHED_KINDS,
    new Date(now.getTime() - (watch + 60) * MINUTE),
  );
  const out: Array<{ id: number; verdict: ProposalOutcome['verdict'] }> = [];
  for (const id of ids) {
    try {
      const o = await watchOutcome(ctx, id, { ...opts, now });
      if (o && o.verdict !== 'watching') out.push({ id, verdict: o.verdict });
    } catch (err) {
      opts.onError?.(err as Error, id);
    }
  }
  return out;
}
