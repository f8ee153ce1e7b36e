// remediate (propose@1): proposals from findings — the rules, the risk tier, the approval rules,
// the expiry — and their Markdown. Pure: the workflow reads, simulates and stores.
export {
  PROPOSE_ALGORITHM,
  titleOf,
  servicesOf,
  changesOf,
  scalesDown,
  simulationSetOf,
  inverseOf,
  undoText,
} from './actions.js';
export {
  RISK_RULES,
  APPROVAL_RULES,
  riskOf,
  approvalPolicy,
  judgeDecision,
  decisionState,
  parseTtl,
  ProposalInputError,
  DEFAULT_PROPOSAL_TTL_MS,
  MIN_PROPOSAL_TTL_MS,
  MAX_PROPOSAL_TTL_MS,
} from './policy.js';
export { previousDeploy, laterDeploys, rollbackOrRevert, fromInvestigation, fromProblem, fromDeploy } from './rules.js';
export type { ProposalDraft, ScaleRequest, RuleResult } from './rules.js';
export { DEFAULT_UTILIZATION_TARGET, MAX_SCALE_REPLICAS, scaleNeed, replicasFor, scaleAction } from './scale.js';
export type { ScaleNeed } from './scale.js';
export { proposalMarkdown } from './render.js';
export { NOTICE_DEFAULTS, statusEvent, expiringSoon, noticeBackoffMs, noticesDue } from './notices.js';
export type { NoticeOptions } from './notices.js';
export { PROPOSAL_OUTCOME_ALGORITHM, OUTCOME_DEFAULTS, judgeOutcome, outcomeMinutes } from './outcome.js';
export type { OutcomeMinute, OutcomeJudgement } from './outcome.js';
