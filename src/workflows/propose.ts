// Making proposals: from an investigation, a triage problem or a deploy (propose@1's rules), or an
// action written by hand. Each gets its preconditions, blast radius, simulated effect, the
// dry-run diff of the executor that would run it, its risk tier and approvals, and an expiry;
// it is stored with an audit entry in one transaction.
import { type Executor, ExecutorError, idempotencyKeyOf } from '../act/index.js';
import {
  DEFAULT_PROPOSAL_TTL_MS,
  DEFAULT_UTILIZATION_TARGET,
  PROPOSE_ALGORITHM,
  type ProposalDraft,
  ProposalInputError,
  type RuleResult,
  type ScaleRequest,
  SimulationInputError,
  approvalPolicy,
  changesOf,
  fromDeploy,
  fromInvestigation,
  fromProblem,
  replicasFor,
  riskOf,
  scaleAction,
  scaleNeed,
  simulateLoad as predictLoad,
  titleOf,
} from '../analysis/index.js';
import type {
  DryRunDiff,
  Evidence,
  LoadSimulationResult,
  Precondition,
  Proposal,
  ProposalAction,
  ProposalSource,
} from '../model/index.js';
import { codeStore, getDeploy, investigationStore, listDeploys, proposalStore, recordAudit } from '../store/index.js';
import type { Context } from './context.js';
import {
  PROPOSAL_WINDOW_MS,
  blastRadiusOf,
  manifestOf,
  newestDeploy,
  preconditionsOf,
  simulateAction,
} from './proposal-facts.js';
import { calibrateWindow } from './simulate.js';
import { verifyDeployment } from './deploy-verify.js';
import { getProblem } from './triage.js';

export { ProposalInputError } from '../analysis/index.js';

/** An action as a person writes it: the values it changes from are read from the store. */
export type ManualAction =
  | { kind: 'rollback'; service: string; toVersion: string; environment?: string }
  | { kind: 'scale'; service: string; replicas?: number; hpaMin?: number }
  | { kind: 'config'; service: string; name: string; value: string }
  | { kind: 'flag'; service: string; flag: string; to?: 'off' | 'on' }
  | { kind: 'restart'; services: string[] }
  | { kind: 'revert'; repository: string; sha: string };

export type ProposeRequest =
  | { from: 'investigation'; id: number }
  | { from: 'problem'; id: number }
  /** A deploy to roll back, e.g. one its verification found regressed (`reason` says why). */
  | { from: 'deploy'; id: number; reason?: string }
  /** A deploy whose verification (deploy-verify) found it regressed: its findings are the evidence. */
  | { from: 'verification'; deployId: number }
  | { from: 'manual'; action: ManualAction; reason: string };

export interface ProposeOptions {
  /** Who proposes: `token:<id>`, `anonymous-loopback`, `system`. */
  actor: string;
  /** How long it waits for approval and execution (default 4 h). */
  ttlMs?: number;
  now?: Date;
  /** Run the simulation of each action's effect (default true). */
  simulate?: boolean;
}

export interface ProposeResult {
  proposals: Proposal[];
  /** Why a rule made nothing, in words. */
  notes: string[];
}

export class ProposalNotFoundError extends Error {
  override name = 'ProposalNotFoundError';
}

const manualEvidence = (reason: string, actor: string): Evidence => ({
  kind: 'ticket',
  summary: `written by hand by ${actor}: ${reason}`,
});

async function manualDraft(ctx: Context, m: ManualAction, reason: string, actor: string): Promise<ProposalDraft> {
  const evidence = [manualEvidence(reason, actor)];
  const base = { rationale: reason, evidence, atFault: [] as string[], rule: 'rollback-blamed-deploy' as const };
  switch (m.kind) {
    case 'rollback': {
      const now = await newestDeploy(ctx, m.service, m.environment);
      if (!now) throw new ProposalInputError(`no deploy of ${m.service} is recorded: its running version is not known`);
      if (now.version === m.toVersion) throw new ProposalInputError(`${m.service} already runs ${m.toVersion}`);
      const target = (
        await listDeploys(ctx.store.db, { service: m.service, environment: now.environment, limit: 500 })
      ).find((d) => d.version === m.toVersion);
      return {
        ...base,
        action: {
          kind: 'rollback',
          service: m.service,
          environment: now.environment,
          fromVersion: now.version,
          toVersion: m.toVersion,
          toDeployId: target?.id ?? null,
          toCommit: target?.commitSha ?? null,
        },
      };
    }
    case 'scale': {
      if (m.replicas === undefined && m.hpaMin === undefined)
        throw new ProposalInputError('a scale needs replicas, an HPA minimum, or both');
      const man = await manifestOf(ctx, m.service);
      return {
        ...base,
        action: {
          kind: 'scale',
          service: m.service,
          replicas: m.replicas === undefined ? null : { from: man?.replicas ?? null, to: m.replicas },
          hpaMin: m.hpaMin === undefined ? null : { from: man?.hpaMin ?? null, to: m.hpaMin },
        },
      };
    }
    case 'config': {
      const man = await manifestOf(ctx, m.service);
      return {
        ...base,
        action: { kind: 'config', service: m.service, name: m.name, from: man?.env[m.name] ?? null, to: m.value },
      };
    }
    case 'flag':
      return { ...base, action: { kind: 'flag', service: m.service, flag: m.flag, to: m.to ?? 'off' } };
    case 'restart':
      if (m.services.length === 0) throw new ProposalInputError('a restart names at least one service');
      return { ...base, action: { kind: 'restart', services: [...new Set(m.services)] } };
    case 'revert': {
      const repo = await codeStore.findRepository(ctx.store.db, m.repository);
      if (!repo) throw new ProposalInputError(`no repository "${m.repository}" is indexed (orrery repo add)`);
      const commit = await codeStore.findCommit(ctx.store.db, repo.id, m.sha);
      if (!commit) throw new ProposalInputError(`commit ${m.sha} is not in ${m.repository}'s indexed history`);
      const paths = await codeStore.getServicePaths(ctx.store.db, repo.id);
      const files = commit.files.map((f) => f.path);
      const service = paths.find((p) => p.pathPrefix && files.some((f) => f.startsWith(p.pathPrefix)))?.service ?? null;
      return {
        ...base,
        action: {
          kind: 'revert',
          repository: repo.name,
          sha: commit.sha,
          subject: commit.message.split('\n')[0] ?? '',
          service,
        },
      };
    }
  }
}

/** Rule 3: simulate the present load; when the service's busiest resource is past its target, size the scale-up and check it. */
async function scaleDraft(
  ctx: Context,
  req: ScaleRequest,
  now: Date,
): Promise<{ draft: ProposalDraft | null; note: string | null }> {
  const window = { startMs: now.getTime() - PROPOSAL_WINDOW_MS, endMs: now.getTime() };
  const { calibration } = await calibrateWindow(ctx, window);
  if (calibration.entries.length === 0)
    return { draft: null, note: `no scale of ${req.service}: no traces in the last 30 minutes to simulate` };
  const svc = calibration.services.find((s) => s.service === req.service);
  const target = svc?.capacity.hpa?.cpuTargetPercent
    ? svc.capacity.hpa.cpuTargetPercent / 100
    : DEFAULT_UTILIZATION_TARGET;
  const present = predictLoad(calibration, { factor: 1, endpoint: null, set: [] }, { replicates: 10 });
  const need = scaleNeed(present, req.service);
  if (!need) return { draft: null, note: `no scale of ${req.service}: the load model has no resource of it` };
  let to = replicasFor(need, target);
  if (to === null)
    return {
      draft: null,
      note: `no scale of ${req.service}: its ${need.resource} is at ${(need.utilization * 100).toFixed(0)}%, under the ${(target * 100).toFixed(0)}% target`,
    };
  // The count is checked with the model at that many replicas, stepping up while it falls short.
  for (let i = 0; i < 3; i++) {
    let check: LoadSimulationResult;
    try {
      check = predictLoad(
        calibration,
        { factor: 1, endpoint: null, set: [`${req.service}.replicas=${to}`] },
        { replicates: 10 },
      );
    } catch (err) {
      if (err instanceof SimulationInputError) break;
      throw err;
    }
    const after = scaleNeed(check, req.service);
    if (!after || (!after.saturated && after.utilization < target)) break;
    to += 1;
  }
  const man = await manifestOf(ctx, req.service);
  return {
    draft: {
      rule: 'scale-saturated',
      action: scaleAction(req.service, to, man ?? { replicas: need.current, hpaMin: null, hasHpa: false }),
      rationale: `${req.rationale}; at the present load its ${need.resource} is ${Number.isFinite(need.utilization) ? `${(need.utilization * 100).toFixed(0)}% busy` : 'saturated'} on ${need.current} replicas, over the ${(target * 100).toFixed(0)}% target${svc?.capacity.hpa?.cpuTargetPercent ? " (its HPA's)" : ''}; ${to} replicas bring it under`,
      evidence: req.evidence,
      atFault: req.atFault,
    },
    note: null,
  };
}

function noExecutorDiff(a: ProposalAction, why: string): DryRunDiff {
  return { executor: null, target: why, changes: changesOf(a), patch: '' };
}

/** The dry run on the first executor that can run the action, with its preconditions. */
export async function planOn(
  executors: readonly Executor[],
  a: ProposalAction,
  x: { proposalId: number; title: string; repositoryPath: string | null },
): Promise<{ diff: DryRunDiff; preconditions: Precondition[] }> {
  if (executors.length === 0)
    return {
      diff: noExecutorDiff(a, 'no executor is configured (ORRERY_EXECUTORS)'),
      preconditions: [
        {
          key: 'executor',
          text: 'an executor can run it',
          met: false,
          detail: 'no executor is configured (ORRERY_EXECUTORS)',
        },
      ],
    };
  const refusals: string[] = [];
  for (const ex of executors) {
    const why = ex.refusal(a);
    if (why) {
      refusals.push(`${ex.name}: ${why}`);
      continue;
    }
    try {
      const plan = await ex.plan(a, { ...x, idempotencyKey: idempotencyKeyOf(x.proposalId) });
      return {
        diff: plan.diff,
        preconditions: [
          { key: 'executor', text: `${ex.name} can run it`, met: true, detail: plan.diff.target },
          ...plan.preconditions,
        ],
      };
    } catch (err) {
      if (!(err instanceof ExecutorError)) throw err;
      refusals.push(`${ex.name}: ${err.message}`);
    }
  }
  return {
    diff: noExecutorDiff(a, `no configured executor can run it (${refusals.join('; ')})`),
    preconditions: [{ key: 'executor', text: 'an executor can run it', met: false, detail: refusals.join('; ') }],
  };
}

export async function repositoryPathOf(ctx: Pick<Context, 'store'>, a: ProposalAction): Promise<string | null> {
  if (a.kind !== 'revert') return null;
  return (await codeStore.findRepository(ctx.store.db, a.repository))?.path ?? null;
}

/** Stores one draft as a proposal, with everything it carries, and its audit entry. */
export async function storeDraft(
  ctx: Context,
  draft: ProposalDraft,
  source: ProposalSource,
  opts: ProposeOptions & { blamedAt?: Date | null },
): Promise<Proposal> {
  const now = opts.now ?? new Date();
  const a = draft.action;
  const title = titleOf(a);
  const blastRadius = await blastRadiusOf(ctx, a, now);
  let blamedAt = opts.blamedAt ?? null;
  if (!blamedAt && a.kind === 'rollback') {
    const d = await newestDeploy(ctx, a.service, a.environment);
    blamedAt = d && d.version === a.fromVersion ? new Date(d.deployedAt) : null;
  }
  const sim =
    opts.simulate === false
      ? { simulation: null, note: 'not simulated (simulate: false)' }
      : await simulateAction(ctx, a, now, blamedAt);
  const risk = riskOf(a, draft.atFault, blastRadius);
  const approval = approvalPolicy(risk.tier);
  const generic = await preconditionsOf(ctx, a);
  const repositoryPath = await repositoryPathOf(ctx, a);
  // The plan needs the proposal's id (the branch, the idempotency key): the row is made first.
  return ctx.store.db
    .transaction(async (tx) => {
      const id = await proposalStore.insertProposal(tx, {
        algorithm: PROPOSE_ALGORITHM,
        title,
        action: a,
        source,
        rationale: draft.rationale,
        evidence: draft.evidence,
        simulation: sim.simulation,
        simulationNote: sim.note,
        preconditions: generic,
        blastRadius,
        diff: noExecutorDiff(a, 'planning'),
        risk,
        approval,
        proposer: opts.actor,
        expiresAt: new Date(now.getTime() + (opts.ttlMs ?? DEFAULT_PROPOSAL_TTL_MS)),
      });
      const plan = await planOn(ctx.remediation?.executors ?? [], a, {
        proposalId: id,
        title,
        repositoryPath,
      });
      await tx.query(
        `UPDATE proposal SET body = jsonb_set(jsonb_set(body, '{diff}', $2::jsonb), '{preconditions}', $3::jsonb), executor = $4 WHERE id = $1`,
        [id, JSON.stringify(plan.diff), JSON.stringify([...generic, ...plan.preconditions]), plan.diff.executor],
      );
      await recordAudit(
        tx,
        {
          actor: opts.actor,
          action: 'proposal.create',
          subjectKind: 'proposal',
          subjectId: String(id),
          detail: {
            title,
            kind: a.kind,
            source,
            tier: risk.tier,
            required: approval.required,
            executor: plan.diff.executor,
          },
        },
        ctx.store.audit.key,
      );
      return id;
    })
    .then(async (id) => {
      await ctx.store.audit.advance(ctx.store.db);
      return (await proposalStore.getProposal(ctx.store.db, id)) as Proposal;
    });
}

/** Makes and stores the proposals a request asks for; `notes` say why a rule made nothing. */
export async function propose(ctx: Context, req: ProposeRequest, opts: ProposeOptions): Promise<ProposeResult> {
  const now = opts.now ?? new Date();
  let rules: RuleResult;
  let source: ProposalSource;
  let blamedAt: Date | null = null;
  if (req.from === 'manual') {
    if (!req.reason.trim()) throw new ProposalInputError('a proposal written by hand says why (reason)');
    const draft = await manualDraft(ctx, req.action, req.reason.trim(), opts.actor);
    return { proposals: [await storeDraft(ctx, draft, { kind: 'manual' }, opts)], notes: [] };
  }
  if (req.from === 'investigation') {
    const inv = await investigationStore.getInvestigation(ctx.store.db, req.id);
    if (!inv) throw new ProposalNotFoundError(`no investigation with id ${req.id}`);
    const services = [...new Set(inv.result.findings.flatMap((f) => (f.kind === 'change' ? [f.data.service] : [])))];
    const deploys = (
      await Promise.all(services.map((service) => listDeploys(ctx.store.db, { service, limit: 200 })))
    ).flat();
    rules = fromInvestigation(inv.result, deploys);
    const change = inv.result.findings.find((f) => f.kind === 'change');
    blamedAt = change?.kind === 'change' ? new Date(change.data.deployedAt) : null;
    source = { kind: 'investigation', id: req.id };
  } else if (req.from === 'problem') {
    const detail = await getProblem(ctx, req.id);
    if (!detail) throw new ProposalNotFoundError(`no problem with id ${req.id}`);
    const sd = detail.problem.suspectedDeploy;
    const deploys = sd ? await listDeploys(ctx.store.db, { service: sd.service, limit: 200 }) : [];
    rules = fromProblem(detail.problem, deploys);
    blamedAt = sd ? new Date(sd.deployedAt) : null;
    source = { kind: 'problem', id: req.id };
  } else if (req.from === 'verification') {
    const v = await verifyDeployment(ctx, req.deployId);
    if (!v) throw new ProposalNotFoundError(`no deploy with id ${req.deployId}`);
    if (v.verdict !== 'regressed')
      throw new ProposalInputError(
        `deploy ${req.deployId}'s verification is ${v.verdict}, not regressed: nothing to roll back on its account`,
      );
    const d = (await getDeploy(ctx.store.db, req.deployId))!;
    const all = await listDeploys(ctx.store.db, { service: d.service, limit: 200 });
    rules = fromDeploy(d, all, {
      rationale: `deploy ${d.id}'s verification (${v.algorithm}) found ${d.service} ${d.version} regressed: ${v.summary}`,
      evidence: v.findings
        .slice(0, 4)
        .flatMap((f) => f.evidence.slice(0, 1).map((e) => ({ ...e, summary: `[${f.id}] ${f.title}: ${e.summary}` }))),
    });
    blamedAt = new Date(d.deployedAt);
    source = { kind: 'verification', deployId: d.id };
  } else {
    const d = await getDeploy(ctx.store.db, req.id);
    if (!d) throw new ProposalNotFoundError(`no deploy with id ${req.id}`);
    const all = await listDeploys(ctx.store.db, { service: d.service, limit: 200 });
    rules = fromDeploy(d, all, {
      rationale: req.reason?.trim() ? req.reason.trim() : `deploy ${d.id} (${d.service} ${d.version}) is blamed`,
      evidence: [
        {
          kind: 'deploy',
          summary: `${d.service} ${d.version} deployed ${d.deployedAt}`,
          ref: String(d.id),
          query: `/api/deploys/${d.id}`,
        },
      ],
    });
    blamedAt = new Date(d.deployedAt);
    source = { kind: 'deploy', id: req.id };
  }
  const notes = [...rules.notes];
  const drafts = [...rules.drafts];
  for (const s of rules.scale) {
    const r = await scaleDraft(ctx, s, now);
    if (r.draft) drafts.push(r.draft);
    if (r.note) notes.push(r.note);
  }
  const proposals: Proposal[] = [];
  for (const d of drafts) proposals.push(await storeDraft(ctx, d, source, { ...opts, blamedAt }));
  return { proposals, notes };
}
