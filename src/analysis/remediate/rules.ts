// The rules that turn what Orrery found into actions, each a sentence that holds for any system:
//
//   1. The deploy that the evidence blames (an investigation's change of its root service, a
//      problem's suspected deploy, a deploy whose verification regressed) is rolled back to the
//      version its service ran before it — when it is still that service's newest deploy.
//   2. When a rollback would also take away later deploys (the blamed change already went out
//      with later changes) or there is no earlier version, the investigation's suspect commit is
//      reverted instead, as a pull request.
//   3. A rise in load that the focus service's trouble followed, with a resource of that service
//      saturated or past the target utilization at the present load, is met by scaling that
//      service to the replicas that bring the utilization under the target (scale.ts).
import type {
  Deploy,
  Evidence,
  Finding,
  InvestigationResult,
  ProposalAction,
  QueuedProblem,
} from '../../model/index.js';
import { findingsOf } from '../../model/index.js';

/** An action with the reasons for it, before the workflow adds its simulation, blast radius and diff. */
export interface ProposalDraft {
  action: ProposalAction;
  rationale: string;
  evidence: Evidence[];
  /** The services the evidence names at fault (for the risk tier). */
  atFault: string[];
  /** The rule that made it (1, 2 or 3 above), for the hint. */
  rule: 'rollback-blamed-deploy' | 'revert-suspect-commit' | 'scale-saturated';
}

/** A load rise the workflow simulates before a scale draft can be made (rule 3). */
export interface ScaleRequest {
  service: string;
  rationale: string;
  evidence: Evidence[];
  atFault: string[];
}

export interface RuleResult {
  drafts: ProposalDraft[];
  scale: ScaleRequest[];
  /** Why a rule did not apply, in words (for the answer when nothing is proposed). */
  notes: string[];
}

/** The deploy a rollback would return to: the service's newest deploy before `d` that ran another version. */
export function previousDeploy(d: Deploy, deploys: readonly Deploy[]): Deploy | null {
  const t = Date.parse(d.deployedAt);
  return (
    [...deploys]
      .filter(
        (x) =>
          x.service === d.service &&
          x.environment === d.environment &&
          x.id !== d.id &&
          x.version !== d.version &&
          Date.parse(x.deployedAt) < t,
      )
      .sort((a, b) => Date.parse(b.deployedAt) - Date.parse(a.deployedAt))[0] ?? null
  );
}

/** Deploys of `d`'s service (and environment) after it that shipped another version. */
export function laterDeploys(d: Deploy, deploys: readonly Deploy[]): Deploy[] {
  const t = Date.parse(d.deployedAt);
  return deploys.filter(
    (x) =>
      x.service === d.service &&
      x.environment === d.environment &&
      x.id !== d.id &&
      x.version !== d.version &&
      Date.parse(x.deployedAt) > t,
  );
}

const deployEvidence = (d: Deploy, summary: string): Evidence => ({
  kind: 'deploy',
  summary,
  ref: String(d.id),
  query: `/api/deploys/${d.id}`,
});

const cite = (f: Finding, n = 2): Evidence[] =>
  f.evidence.slice(0, n).map((e) => ({ ...e, summary: `[${f.id}] ${e.summary}` }));

/**
 * Rules 1 and 2 for one blamed deploy: a rollback when it is the newest and has a version before
 * it, else a revert of `suspect` when given; a note otherwise.
 */
export function rollbackOrRevert(
  blamed: Deploy,
  deploys: readonly Deploy[],
  why: { rationale: string; evidence: Evidence[]; atFault: string[] },
  suspect: { repository: string; sha: string; subject: string; evidence: Evidence[]; label: string } | null,
): { draft: ProposalDraft | null; note: string | null } {
  const prev = previousDeploy(blamed, deploys);
  const later = laterDeploys(blamed, deploys);
  if (prev && later.length === 0) {
    return {
      draft: {
        rule: 'rollback-blamed-deploy',
        action: {
          kind: 'rollback',
          service: blamed.service,
          environment: blamed.environment,
          fromVersion: blamed.version,
          toVersion: prev.version,
          toDeployId: prev.id,
          toCommit: prev.commitSha,
        },
        rationale: `${why.rationale}; ${blamed.service} ${blamed.version} (deploy ${blamed.id}) is its newest deploy, so rolling back to ${prev.version} (deploy ${prev.id}, the version it ran before) takes away only that change`,
        evidence: [
          ...why.evidence,
          deployEvidence(blamed, `${blamed.service} ${blamed.version} deployed ${blamed.deployedAt}`),
          deployEvidence(prev, `${prev.service} ${prev.version}, the version before, deployed ${prev.deployedAt}`),
        ],
        atFault: why.atFault,
      },
      note: null,
    };
  }
  const blocked =
    later.length > 0
      ? `${later.length} later deploy${later.length === 1 ? '' : 's'} of ${blamed.service} (${later.map((d) => d.version).join(', ')}) went out after ${blamed.version}, so a rollback would take them away too`
      : `${blamed.service} has no deploy of another version before ${blamed.version} to roll back to`;
  if (!suspect) return { draft: null, note: `no rollback: ${blocked}, and no suspect commit to revert` };
  return {
    draft: {
      rule: 'revert-suspect-commit',
      action: {
        kind: 'revert',
        repository: suspect.repository,
        sha: suspect.sha,
        subject: suspect.subject,
        service: blamed.service,
      },
      rationale: `${why.rationale}; ${blocked}; so the suspect commit ${suspect.label} is reverted instead, as a pull request`,
      evidence: [
        ...why.evidence,
        deployEvidence(blamed, `${blamed.service} ${blamed.version} deployed ${blamed.deployedAt}`),
        ...later.map((d) => deployEvidence(d, `a later deploy: ${d.service} ${d.version} at ${d.deployedAt}`)),
        ...suspect.evidence,
      ],
      atFault: why.atFault,
    },
    note: null,
  };
}

/**
 * Rules 1–3 on a stored investigation. `deploys` are the deploys of the services its change
 * findings name (any order).
 */
export function fromInvestigation(inv: InvestigationResult, deploys: readonly Deploy[]): RuleResult {
  const out: RuleResult = { drafts: [], scale: [], notes: [] };
  const roots = findingsOf(inv.findings, 'root_cause_service');
  const atFault = roots.map((r) => r.data.service);
  const changes = findingsOf(inv.findings, 'change');
  const suspects = findingsOf(inv.findings, 'suspect_commit');
  // The focus's change: the change finding of the highest root service that has one.
  const change = [...changes].sort((a, b) => {
    const ra = atFault.indexOf(a.data.service);
    const rb = atFault.indexOf(b.data.service);
    return (ra < 0 ? 1e9 : ra) - (rb < 0 ? 1e9 : rb);
  })[0];
  if (change) {
    const blamed = deploys.find((d) => d.id === change.data.deployId);
    const root = roots.find((r) => r.data.service === change.data.service);
    if (!blamed) out.notes.push(`the change's deploy ${change.data.deployId} is no longer stored`);
    else {
      const s = suspects[0];
      const r = rollbackOrRevert(
        blamed,
        deploys,
        {
          rationale: `${change.data.service} ${change.data.version} went out just before the trouble [${change.id}]${root ? ` and ${change.data.service} is a root cause [${root.id}]` : ''}`,
          evidence: [...(root ? cite(root, 1) : []), ...cite(change)],
          atFault,
        },
        s?.data.repository
          ? {
              repository: s.data.repository,
              sha: s.data.sha,
              subject: s.data.subject,
              evidence: cite(s),
              label: `${s.data.sha.slice(0, 10)} [${s.id}]`,
            }
          : null,
      );
      if (r.draft) out.drafts.push(r.draft);
      if (r.note) out.notes.push(r.note);
    }
  } else out.notes.push('no rollback: the investigation blames no deploy');
  for (const load of findingsOf(inv.findings, 'load_change')) {
    out.scale.push({
      service: load.data.service,
      rationale: `${load.data.service}'s trouble followed a rise in load: ${load.data.entry} went from ${load.data.baselinePerMinute.toFixed(0)} to ${load.data.incidentPerMinute.toFixed(0)} requests a minute (×${load.data.ratio.toFixed(1)}) [${load.id}]`,
      evidence: cite(load),
      atFault: [load.data.service],
    });
  }
  return out;
}

/** Rules 1–2 on a triage problem: its suspected deploy (the service's last deploy before it was first seen). */
export function fromProblem(p: QueuedProblem, deploys: readonly Deploy[]): RuleResult {
  const out: RuleResult = { drafts: [], scale: [], notes: [] };
  const sd = p.suspectedDeploy;
  if (!sd) {
    out.notes.push(
      `no rollback: problem ${p.id} has no suspected deploy (no deploy of its service shortly before it was first seen)`,
    );
    return out;
  }
  const blamed = deploys.find((d) => d.id === sd.id);
  if (!blamed) {
    out.notes.push(`the suspected deploy ${sd.id} is no longer stored`);
    return out;
  }
  const r = rollbackOrRevert(
    blamed,
    deploys,
    {
      rationale: `problem ${p.id} ("${p.title}") was first seen ${p.firstSeen ?? 'in the window'}, just after ${sd.service} ${sd.version} went out`,
      evidence: [
        {
          kind: p.kind === 'error' ? 'error_group' : p.kind === 'pattern' ? 'log_pattern' : 'ticket',
          summary: `problem ${p.id}: ${p.title} (${p.events} events${p.users !== null ? `, ${p.users} users` : ''})`,
          ref: p.key,
          query: `/api/problems/${p.id}`,
        },
      ],
      atFault: p.service ? [p.service] : [sd.service],
    },
    null,
  );
  if (r.draft) out.drafts.push(r.draft);
  if (r.note) out.notes.push(`${r.note} (investigate the problem for a suspect commit to revert)`);
  return out;
}

/** Rule 1 on a deploy a person or a verification blames (`why` says which). */
export function fromDeploy(
  d: Deploy,
  deploys: readonly Deploy[],
  why: { rationale: string; evidence: Evidence[] },
): RuleResult {
  const out: RuleResult = { drafts: [], scale: [], notes: [] };
  const r = rollbackOrRevert(d, deploys, { ...why, atFault: [d.service] }, null);
  if (r.draft) out.drafts.push(r.draft);
  if (r.note) out.notes.push(r.note);
  return out;
}
