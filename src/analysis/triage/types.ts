// The shapes triage@1 reads and produces: signals of the window (error groups, WARN/ERROR log
// patterns, the service graph, open tickets) in, one ranked problem per fault out.
import type { PriorityScore } from '../../model/index.js';
import type { TicketFacts } from '../investigate/index.js';
import type { EvidenceOptions } from './evidence.js';

export const TRIAGE_ALGORITHM = 'triage@1';

export type TriageTrend = 'new' | 'rising' | 'falling' | 'steady';

/** Who owns the code a member points at, and how that was found (`file:<path>`, `service-path:<prefix>`). */
export interface Owners {
  owners: string[];
  from: string;
}

/** The window every series is cut in: the same buckets for all inputs. */
export interface TriageWindow {
  since: string;
  until: string;
  /** Start of the last quarter (a ticket-only problem is `new` when its first ticket is after it). */
  recentSince: string;
  buckets: number;
  bucketMs: number;
}

export interface TriageErrorGroup {
  service: string;
  fingerprint: string;
  type: string | null;
  message: string | null;
  /** The innermost in-app frame as `function (file:line)`. */
  culprit: string | null;
  /** Occurrences in the window. */
  count: number;
  /** Occurrences per bucket of the window. */
  series: number[];
  /** HyperLogLog sketches of the users and accounts hit in the window (analysis/sketch's bytes), merged across members. */
  userSketches: Uint8Array[];
  accountSketches: Uint8Array[];
  /** Trace ids of its sampled occurrences. */
  traces: string[];
  trend: TriageTrend;
  firstSeen: string | null;
  lastSeen: string | null;
  owners: Owners | null;
}

export interface TriagePattern {
  service: string;
  key: string;
  template: string;
  /** Severity text as logged (`WARN`, `error`, …). */
  level: string | null;
  count: number;
  series: number[];
  userSketches: Uint8Array[];
  accountSketches: Uint8Array[];
  /** Trace ids of its sampled lines. */
  traces: string[];
  trend: TriageTrend;
  firstSeen: string | null;
  lastSeen: string | null;
  owners: Owners | null;
}

export interface TriageTicket extends TicketFacts {
  /** Epoch ms of the last update, else null. */
  updatedAt: number | null;
  /** The reporter's keyed hash: a reporter is a user hurt. */
  reporterHash: string | null;
  /** Services the ticket is linked to by a trace or by name. */
  linkedServices: string[];
  /** Services linked because they served a route the ticket names (at ingest, from spans). */
  routeServices: string[];
  /**
   * The errors the users it names had in the window: the service and the text (a failed
   * span's status message, an ERROR log's body), distinct.
   */
  userErrors: Array<{ service: string; text: string }>;
  /** Owners of the service the ticket is linked to, for a ticket-only problem. */
  owners?: Owners | null;
}

export interface TriageInput {
  window: TriageWindow;
  errors: readonly TriageErrorGroup[];
  /** WARN and ERROR patterns with lines in the window. */
  patterns: readonly TriagePattern[];
  /** Service-graph edges seen in the window. */
  edges: ReadonlyArray<{ caller: string; callee: string }>;
  /** Open and pending tickets. */
  tickets: readonly TriageTicket[];
  /** Route keys (analysis routeKey) each service served in the window. */
  serviceRoutes: Readonly<Record<string, readonly string[]>>;
  /** When each service was first seen (ISO); a service left out is taken as long known. */
  serviceFirstSeen?: Readonly<Record<string, string>>;
}

export interface TriageOptions extends Partial<EvidenceOptions> {
  /** Least score for a ticket to attach to a problem (default 3; see ticket-match.ts). */
  ticketMinScore?: number;
}

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

export interface TriageResult {
  algorithm: typeof TRIAGE_ALGORITHM;
  window: TriageWindow;
  /** The rules as applied, with their thresholds. */
  rules: string[];
  /** Highest priority first. */
  problems: TriagedProblem[];
  /** Patterns that joined no problem and were neither new nor rising (background). */
  ignoredPatterns: number;
}
