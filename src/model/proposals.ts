// Remediation proposals (propose@1): an action a person may approve — roll back, scale, change a
// config value, turn a flag off, restart, revert a commit — with the evidence it rests on, a
// simulation of its effect, its preconditions, blast radius, the dry-run diff of what will
// change, its risk tier and the approvals it needs, and an expiry. Approval decisions and the
// execution (claimed once in the database, then run by one executor) are kept with it.
import type { Evidence } from './findings.js';
import type { Figure, SimulationWindow } from './simulation.js';

export const PROPOSAL_KINDS = ['rollback', 'scale', 'config', 'flag', 'restart', 'revert'] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** What a proposal does, with the values it changes from and to (`from` as recorded when proposed). */
export type ProposalAction =
  | {
      kind: 'rollback';
      service: string;
      /** '' when deploys name no environment. */
      environment: string;
      fromVersion: string;
      toVersion: string;
      /** The deploy that last ran `toVersion`; null when written by hand for a version no deploy recorded. */
      toDeployId: number | null;
      toCommit: string | null;
    }
  | {
      kind: 'scale';
      service: string;
      /** The Deployment's replicas; null: left as it is. */
      replicas: { from: number | null; to: number } | null;
      /** The HorizontalPodAutoscaler's minimum; null: left as it is (or no HPA). */
      hpaMin: { from: number | null; to: number } | null;
    }
  | { kind: 'config'; service: string; name: string; from: string | null; to: string }
  | { kind: 'flag'; service: string; flag: string; to: 'off' | 'on' }
  | { kind: 'restart'; services: string[] }
  | {
      kind: 'revert';
      /** The repository's name in Orrery. */
      repository: string;
      sha: string;
      subject: string;
      /** The service the commit changed, when known. */
      service: string | null;
    };

/** Where a proposal came from. */
export type ProposalSource =
  | { kind: 'investigation'; id: number }
  | { kind: 'problem'; id: number }
  /** A deploy named by hand. */
  | { kind: 'deploy'; id: number }
  /** A deploy its verification (deploy-verify) found regressed. */
  | { kind: 'verification'; deployId: number }
  | { kind: 'manual' }
  /** The undo of an executed proposal. */
  | { kind: 'undo'; proposalId: number };

export const PROPOSAL_STATUSES = [
  'proposed',
  'approved',
  'rejected',
  'expired',
  'executing',
  'executed',
  'failed',
  'needs-attention',
] as const;
/**
 * proposed → approved (enough approvals) → executing (claimed by one node) → executed | failed;
 * proposed → rejected | expired. `needs-attention`: an execution cut short (the process died)
 * whose effect the executor cannot tell; a person must look before anything runs again.
 */
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export type RiskTier = 'low' | 'medium' | 'high';

export interface RiskAssessment {
  tier: RiskTier;
  /** The rules that applied to this proposal, in words. */
  reasons: string[];
  /** Every tier rule, as printed with each proposal. */
  rules: string[];
}

/** A condition the action needs; checked when proposed and again before it runs. */
export interface Precondition {
  /** A stable key, e.g. `running-version`, `target-deployable`, `executor`. */
  key: string;
  text: string;
  /** null: could not be checked (nothing to check it against). */
  met: boolean | null;
  detail: string;
}

export interface ProposalBlastRadius {
  /** The services the action changes. */
  changed: string[];
  /** Services that call a changed one (directly or through others) in the window, with their calls per minute into it. */
  exposed: Array<{ service: string; via: string; callsPerMinute: number }>;
  /** Requests per minute the changed services served in the window. */
  requestsPerMinute: number | null;
  window: SimulationWindow | null;
  note: string | null;
}

/** One entry endpoint's error rate and p95 now, and as predicted after the action. */
export interface ProposalEffect {
  service: string;
  endpoint: string;
  before: { errorRate: number; p95: number | null; requests: number };
  after: { errorRate: Figure; p95: Figure };
}

/** What `simulate` predicts after the action. */
export interface ProposalSimulation {
  /** The stored simulation run. */
  simulationId: number;
  algorithm: string;
  /** Why this calibration models the action, e.g. "calibrated before deploy 12, when 1.3.1 ran". */
  method: string;
  window: SimulationWindow;
  factor: number;
  set: string[];
  endpoints: ProposalEffect[];
}

/** Exactly what the executor will change, computed without changing anything. */
export interface DryRunDiff {
  /** The executor that will run it; null when none configured can. */
  executor: string | null;
  /** Where the change goes: `git <repo> branch orrery/proposal-7 (pull request into main)`, `POST https://…`. */
  target: string;
  /** Each value changed. */
  changes: Array<{ what: string; from: string | null; to: string | null }>;
  /** A unified diff of files, the JSON body of a request, or the supervisor's commands. */
  patch: string;
}

export interface ApprovalPolicy {
  /** Approvals that count needed before it may run. */
  required: number;
  role: 'approver';
  /** The rules, in words, as printed with the proposal. */
  rules: string[];
}

export interface ApprovalDecision {
  /** `token:<id>`. */
  actor: string;
  /** The token's name. */
  actorName: string | null;
  verdict: 'approve' | 'reject';
  comment: string | null;
  at: string;
  /** Whether it counts toward `required` (the proposer's own approval does not). */
  counted: boolean;
  why: string;
}

/** How to undo what an executor did: in words, and as an action a new proposal can carry. */
export interface UndoPlan {
  text: string;
  /** null: nothing to undo (a restart) or no action expresses it. */
  action: ProposalAction | null;
}

/** What an executor reports it did. */
export interface ExecutionReport {
  executor: string;
  did: string[];
  undo: UndoPlan;
  /** Handles of what it made: a branch, a commit, a pull request's URL, a delivery id. */
  refs: Array<{ kind: 'branch' | 'commit' | 'pull-request' | 'delivery' | 'deploy'; value: string }>;
}

export interface ProposalExecution {
  executor: string;
  /** The node that claimed it last. */
  node: string;
  attempts: number;
  claimedAt: string;
  finishedAt: string | null;
  report: ExecutionReport | null;
  error: string | null;
  /** How the run ended after a crash: resumed by `recovered`, or left for a person. */
  recovery: string | null;
}

export interface Proposal {
  id: number;
  algorithm: string;
  status: ProposalStatus;
  title: string;
  action: ProposalAction;
  source: ProposalSource;
  /** Why this action, in words, citing its evidence. */
  rationale: string;
  evidence: Evidence[];
  /** null with `simulationNote` saying why when the action has no model or no data. */
  simulation: ProposalSimulation | null;
  simulationNote: string | null;
  preconditions: Precondition[];
  blastRadius: ProposalBlastRadius;
  diff: DryRunDiff;
  risk: RiskAssessment;
  approval: ApprovalPolicy & { counted: number };
  /** Who proposed it: `token:<id>`, `anonymous-loopback`, `system`. */
  proposer: string;
  createdAt: string;
  expiresAt: string;
  decisions: ApprovalDecision[];
  execution: ProposalExecution | null;
  /** After an executed rollback, scale or config change: whether it helped (null until decided, or for other kinds). */
  outcome: ProposalOutcome | null;
  /** The approver webhook's deliveries ({} when none is configured or nothing was due). */
  notices: ProposalNotices;
}

export type ProposalOutcomeVerdict = 'resolved' | 'not-resolved' | 'made-worse';

/** One comparison of the changed services' minutes before the action with those after it. */
export interface OutcomeTest {
  measure: 'error share' | 'p95 ms (minute)';
  /** `rise`: worse after the action; `fall`: better. */
  direction: 'rise' | 'fall';
  before: number;
  after: number;
  /** The test that was run, in words. */
  test: string;
  /** One-sided p at the look that decided (or the latest). */
  p: number;
  /** The level it had to reach at one look: alpha over the tests and the watch window's looks. */
  level: number;
  passed: boolean;
}

/**
 * How an executed action turned out (proposal-outcome@1): `resolved` (the changed services' error
 * share or p95 fell, and neither rose), `made-worse` (either rose), `not-resolved` (neither moved
 * by the watch window's end). `watching` is only ever computed, never stored.
 */
export interface ProposalOutcome {
  algorithm: string;
  verdict: ProposalOutcomeVerdict | 'watching';
  /** The services whose minutes were compared: those the action changed. */
  services: string[];
  summary: string;
  baseline: SimulationWindow;
  after: SimulationWindow;
  watchMinutes: number;
  /** Minutes after the action with complete data so far. */
  looks: number;
  requests: { before: number; after: number };
  tests: OutcomeTest[];
  decidedAt: string | null;
  /** made-worse: the undo proposed at once (not run); null otherwise or when there is nothing to undo. */
  undoProposalId: number | null;
  /** The triage problem the proposal was for, and what the outcome did to it. */
  problem: { id: number; action: 'closed' | 'reopened' | 'unchanged' } | null;
}

/**
 * What approvers are told through the approver webhook (ORRERY_APPROVER_WEBHOOK_URL): `pending`
 * when a proposal waits for approval, `expiring` when a waiting one nears its expiry, and each
 * later status it reaches. One notice per proposal and event.
 */
export const NOTICE_EVENTS = [
  'pending',
  'expiring',
  'approved',
  'rejected',
  'expired',
  'executed',
  'failed',
  'needs-attention',
] as const;
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

/** One notice's delivery: attempts so far, when it may be tried next, when it landed. */
export interface NoticeDelivery {
  attempts: number;
  /** The earliest time of the next attempt (a running attempt's lease, or the backoff after a failure). */
  nextAt: string | null;
  sentAt: string | null;
  lastError: string | null;
}

/** The approver webhook's deliveries of a proposal, by event. */
export type ProposalNotices = Partial<Record<NoticeEvent, NoticeDelivery>>;

/** One proposal as a list shows it. */
/** GET /api/proposals: the proposals, newest first, and how close to its expiry a waiting one counts as expiring (ORRERY_APPROVER_EXPIRING_MINUTES). */
export interface ProposalListAnswer {
  proposals: ProposalSummary[];
  expiringMinutes: number;
}

export interface ProposalSummary {
  id: number;
  status: ProposalStatus;
  title: string;
  kind: ProposalKind;
  tier: RiskTier;
  approvals: { counted: number; required: number };
  proposer: string;
  createdAt: string;
  expiresAt: string;
  executor: string | null;
  source: ProposalSource;
  /** The stored outcome's verdict after an executed rollback, scale or config change; null until decided. */
  outcome: ProposalOutcomeVerdict | null;
  /** The approver webhook's deliveries ({} when none is configured or nothing was due). */
  notices: ProposalNotices;
}
