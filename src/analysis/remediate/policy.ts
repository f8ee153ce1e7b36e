// The risk tier of a proposal (from its kind and its blast radius), the approvals each tier needs,
// how a decision counts, and the expiry. Printed with every proposal, so a person can check the
// tier and the count against the rules that made them.
import type {
  ApprovalDecision,
  ApprovalPolicy,
  ProposalAction,
  ProposalBlastRadius,
  RiskAssessment,
  RiskTier,
} from '../../model/index.js';
import { scalesDown, servicesOf } from './actions.js';

export const RISK_RULES: readonly string[] = [
  'high: the action changes more than one service (a restart of several included)',
  'high: it scales down (fewer replicas, or a lower HPA minimum)',
  'high: it rolls back or reverts a service the evidence does not name at fault',
  'medium: it rolls back or reverts the service at fault',
  'medium: it changes a config value, turns a feature flag off or on, or restarts one service',
  'medium: it scales up one service that other services call (its blast radius reaches them)',
  'low: it scales up one service nothing else calls',
  'the tier is the highest any rule gives',
];

const RANK: Record<RiskTier, number> = { low: 0, medium: 1, high: 2 };

/**
 * The tier: `atFault` are the services the evidence names at fault (the investigation's root
 * causes, the problem's or the regressed deploy's service); empty for a proposal written by hand.
 */
export function riskOf(a: ProposalAction, atFault: readonly string[], blast: ProposalBlastRadius): RiskAssessment {
  const found: Array<[RiskTier, string]> = [];
  const services = servicesOf(a);
  if (services.length > 1) found.push(['high', `it changes ${services.length} services (${services.join(', ')})`]);
  if (scalesDown(a)) found.push(['high', `it scales ${a.kind === 'scale' ? a.service : ''} down`]);
  if (a.kind === 'rollback' || a.kind === 'revert') {
    const target = services[0];
    if (target !== undefined && atFault.includes(target))
      found.push(['medium', `it ${a.kind === 'rollback' ? 'rolls back' : 'reverts'} ${target}, the service at fault`]);
    else
      found.push([
        'high',
        target === undefined
          ? 'it reverts a commit whose service is not known'
          : atFault.length === 0
            ? `nothing names ${target} at fault (written by hand)`
            : `the evidence names ${atFault.join(', ')} at fault, not ${target}`,
      ]);
  }
  if (a.kind === 'config') found.push(['medium', `it changes ${a.service}'s ${a.name}`]);
  if (a.kind === 'flag') found.push(['medium', `it turns ${a.service}'s flag ${a.flag} ${a.to}`]);
  if (a.kind === 'restart' && services.length === 1) found.push(['medium', `it restarts ${services[0]}`]);
  if (a.kind === 'scale' && !scalesDown(a)) {
    if (blast.exposed.length > 0)
      found.push([
        'medium',
        `it scales up ${a.service}, which ${blast.exposed.map((e) => e.service).join(', ')} call${blast.exposed.length === 1 ? 's' : ''}`,
      ]);
    else found.push(['low', `it scales up ${a.service}, which nothing else calls`]);
  }
  const tier = found.reduce<RiskTier>((t, [x]) => (RANK[x] > RANK[t] ? x : t), 'low');
  return { tier, reasons: found.map(([t, why]) => `${t}: ${why}`), rules: [...RISK_RULES] };
}

export const APPROVAL_RULES: readonly string[] = [
  'only a token with the approver role approves or rejects (admin does not include approver)',
  'an approval names who approves: an anonymous request cannot approve or reject',
  "each identity decides once; the proposer's own approval is recorded but does not count",
  'low and medium need 1 approval; high needs 2, from two different approvers, neither the proposer',
  'one rejection by an approver rejects it',
  'it runs only once approved and before it expires: an expired, rejected or unapproved proposal never runs',
];

export function approvalPolicy(tier: RiskTier): ApprovalPolicy {
  return { required: tier === 'high' ? 2 : 1, role: 'approver', rules: [...APPROVAL_RULES] };
}

/** Whether a decision counts toward the required approvals, and why. */
export function judgeDecision(
  verdict: 'approve' | 'reject',
  actor: string,
  proposer: string,
): { counted: boolean; why: string } {
  if (verdict === 'reject') return { counted: true, why: 'a rejection by an approver rejects the proposal' };
  if (actor === proposer)
    return { counted: false, why: "the proposer's own approval does not count: someone else must approve" };
  return { counted: true, why: 'an approver other than the proposer' };
}

/** The proposal's state after its decisions: rejected, approved (enough counted approvals) or still waiting. */
export function decisionState(
  policy: Pick<ApprovalPolicy, 'required'>,
  decisions: readonly Pick<ApprovalDecision, 'verdict' | 'counted' | 'actor'>[],
): { state: 'rejected' | 'approved' | 'waiting'; counted: number } {
  if (decisions.some((d) => d.verdict === 'reject')) return { state: 'rejected', counted: 0 };
  const counted = new Set(decisions.filter((d) => d.verdict === 'approve' && d.counted).map((d) => d.actor)).size;
  return { state: counted >= policy.required ? 'approved' : 'waiting', counted };
}

/** How long a proposal waits for approval and execution unless its proposer says otherwise. */
export const DEFAULT_PROPOSAL_TTL_MS = 4 * 3_600_000;
export const MIN_PROPOSAL_TTL_MS = 1_000;
export const MAX_PROPOSAL_TTL_MS = 7 * 86_400_000;

export class ProposalInputError extends Error {
  override name = 'ProposalInputError';
}

/** `90s`, `30m`, `4h`, `2d` or milliseconds, within the bounds. */
export function parseTtl(v: string | number): number {
  const m = typeof v === 'number' ? null : /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/i.exec(v.trim());
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms =
    typeof v === 'number'
      ? v
      : m
        ? Number(m[1]) * unit[m[2]!.toLowerCase() as keyof typeof unit]
        : /^\d+$/.test(v.trim())
          ? Number(v)
          : Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_PROPOSAL_TTL_MS || ms > MAX_PROPOSAL_TTL_MS)
    throw new ProposalInputError(`expiry "${v}" must be a duration like 30m, 4h or 2d, from 1s to 7d`);
  return Math.round(ms);
}
