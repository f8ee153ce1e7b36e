// The shapes triage@1 reads and produces: signals of the window (error groups, WARN/ERROR log
// patterns, the service graph, open tickets) in, one ranked problem per fault out.
import type { TriageTrend, TriagedProblem } from '../../model/index.js';
import type { TicketFacts } from '../investigate/index.js';
import type { EvidenceOptions } from './evidence.js';

export const TRIAGE_ALGORITHM = 'triage@1';

// The problems triage produces are API shapes, so they live in the model; re-exported here.
export type { MemberKind, ProblemMember, TriagedProblem, TriageTrend } from '../../model/index.js';

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
