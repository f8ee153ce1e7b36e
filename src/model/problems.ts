// Problems (triage@1): the clustered faults of a window, as triage produces them, as the store
// keeps them (with ids and a lifecycle), and as the queue (/api/problems) shows them.
import type { Trend } from './analysis-api.js';
import type { PriorityScore } from './investigation.js';
import type { DeployVerdictSummary } from './deploy-verification.js';

export type TriageTrend = Trend;

export type MemberKind = 'error' | 'pattern' | 'ticket';

/** One signal merged into a problem, with the reason. */
export interface ProblemMember {
  kind: MemberKind;
  /** Error fingerprint, pattern key, or ticket id. */
  ref: string;
  /** The member's own key: `error:<service>:<fingerprint>`, `pattern:<service>:<key>`, `ticket:<id>`. */
  key: string;
  service: string | null;
  title: string;
  /** `seed`: the problem's first signal; `attached`: joined it; `merged`: came with an upstream problem merged in. */
  role: 'seed' | 'attached' | 'merged';
  /** Why it is here, in words. */
  why: string;
  /** Events in the window (errors or lines); tickets count 1. */
  count: number;
}

export interface TriagedProblem {
  /** Stable across runs: `error:<service>:<fingerprint>`, `pattern:<service>:<key>` or `tickets:<lowest ticket id>`. */
  key: string;
  kind: 'error' | 'pattern' | 'tickets';
  title: string;
  /** The service of the problem's seed (the downstream cause after merges); for tickets, the most linked service. */
  service: string | null;
  /** Every service a member is in. */
  services: string[];
  /** Distinct users (HyperLogLog union of members' sketches and the attached tickets' users and reporters, ≈1%); null when nothing carried one. */
  users: number | null;
  accounts: number | null;
  /** Events in the window over every telemetry member. */
  events: number;
  trend: TriageTrend;
  /** The seed's events per bucket. */
  series: number[];
  /** Ids of the attached tickets, lowest first. */
  tickets: number[];
  owners: string[] | null;
  /** How the owners were found (`file:<path>`, `service-path:<prefix>`), null when unknown. */
  ownersFrom: string | null;
  members: ProblemMember[];
  /** Keys of problems merged into this one as upstream symptoms. */
  mergedFrom: string[];
  priority: PriorityScore;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Why this is one problem and where its priority comes from, in words. */
  hint: string;
}

export type ProblemStatus = 'open' | 'resolved' | 'merged';
/** A stored problem: the last run's answer for it, with its id and lifecycle. */
export interface Problem extends TriagedProblem {
  id: number;
  status: ProblemStatus;
  algorithm: string | null;
  /** The problem it merged into (status 'merged'), else null. */
  mergedInto: number | null;
  /** The window of the run that last produced it. */
  window: { since: string; until: string } | null;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
}

export interface ProblemTicket {
  id: number;
  source: string;
  externalId: string;
  title: string;
  status: string;
  createdAt: string;
  url: string | null;
}

export interface ProblemDetail {
  problem: Problem;
  /** Tickets whose problem_id is this problem, oldest first. */
  tickets: ProblemTicket[];
  /** Problems merged into this one (status 'merged'). */
  merged: Array<{ id: number; key: string; title: string }>;
}

/** The deploy a problem most likely came with: its service's last deploy before it was first seen. */
export interface SuspectedDeploy {
  id: number;
  service: string;
  version: string;
  deployedAt: string;
  commit: string | null;
  /** Its verification's decided verdict (deploy-verify); null while watched or never verified. */
  verdict: DeployVerdictSummary | null;
  /** The first version Orrery saw running (not a deploy it saw go out): never verified. */
  baseline: boolean;
}

/** A stored problem with what the queue shows beside it. */
export interface QueuedProblem extends Problem {
  /** Its service's last deploy at most six hours before it was first seen (a minute after counts: rollouts overlap the first errors); null when none. */
  suspectedDeploy: SuspectedDeploy | null;
  /** The newest investigation of this problem, if one was run. */
  investigation: { id: number; createdAt: string } | null;
}

/** One problem as /api/problems/:id answers: the queued problem with its tickets and merges. */
export interface QueuedProblemDetail extends Omit<ProblemDetail, 'problem'> {
  problem: QueuedProblem;
}
