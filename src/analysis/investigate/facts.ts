// What an investigation read, as one plain object: workflows/investigate reads it (calling the
// pure decisions it needs to know what to read next), and buildInvestigation turns it into the
// result. The read shapes are structural (only the fields the decisions use), so the store's
// and the API's richer rows fit them without a conversion.
import type { CommitRange, Deploy, InvestigationSubject } from '../../model/index.js';
import type { RcaResult, RcaSignal, TimeWindow } from '../rca/index.js';
import type { DDSketch } from '../sketch/index.js';
import type { CodeLocation, SuspectCommit } from './code-suspects.js';
import type { OnsetGroup } from './onset.js';
import type { RelatedTicket } from './related-tickets.js';

/** What an entry point (alert, ticket, problem) hands to the shared steps. */
export interface Anchor {
  /** The service the subject is about, when known. */
  service: string | null;
  /** The window's start: the onset, or earlier when the subject says so (a customer's "since 3pm"). */
  sinceMs: number;
  /** When the trouble began by the telemetry, when that is known apart from the window's start. */
  onsetMs?: number;
  untilMs: number;
  /** Tickets that are part of the subject (the ticket and its duplicates, a problem's tickets). */
  tickets: number[];
  /** Words for text retrieval when telemetry names no code. */
  text?: { title: string; body: string };
  /** The ticket named no user, account, trace, route or service. */
  anonymous?: boolean;
  /** Where the subject's own users failed (a ticket), or the problem's own service: the focus, a root candidate even when the ranker did not list it. */
  prefer?: string;
  /** An alerting endpoint: the root candidates are the services on its traces. */
  endpoint?: string;
  /**
   * A problem's service: the investigation stays on the problem's fault. Only this service and
   * the services its trouble is explained by can be root candidates (see rootCandidates).
   */
  stayOn?: string;
}

/** The window tested, the baseline before it, and the bucket sizes the signals are summed in. */
export interface InvestigationWindows {
  incident: TimeWindow;
  baseline: TimeWindow;
  bucketMinutes: { baseline: number; incident: number };
}

/** One service's spans of a ticket's users (the store's userActivity row). */
export interface UserActivity {
  service: string;
  requests: number;
  errors: number;
  firstError: Date | null;
  users: string[];
  traces: string[];
  /** The failures by status message, most first. */
  failures: ReadonlyArray<{ message: string | null; errors: number; first: Date }>;
}

/** A ticket subject as read: the ticket, its related tickets, its users' requests and their services' error groups. */
export interface TicketSubjectFacts {
  ticket: { id: number; externalId: string; title: string; createdMs: number };
  /** Title, and body with its comments: for related tickets and text retrieval. */
  text: { title: string; body: string };
  /** relateTickets' answer, and how many tickets around it were compared. */
  related: RelatedTicket[];
  pool: number;
  users: string[];
  accounts: string[];
  /** The services the ticket links to, each once, in link order. */
  linkedServices: string[];
  /** The times the ticket mentions (all of them; the decision drops those after it was filed). */
  stampsMs: number[];
  mentionsTrace: boolean;
  activity: UserActivity[];
  /** For each failing service, the services it calls (downstreamScopes; a service missing means itself only). */
  downstream: ReadonlyMap<string, readonly string[]>;
  /** The error groups (up to 10) of the service where the users failed first; null when they did not fail. */
  failingGroups: OnsetGroup[] | null;
  /** With no failure: the chosen service's top error group in the look-back, when there is one. */
  linkedTopGroup: { firstSeen: string | null } | null;
}

/** A problem subject as read, with the tickets attached to it that still exist (at most 20). */
export interface ProblemSubjectFacts {
  problem: {
    id: number;
    service: string | null;
    title: string;
    firstSeen: string | null;
    lastSeen: string | null;
    ticketIds: number[];
  };
  tickets: Array<{ id: number; externalId: string; title: string; body: string }>;
}

/** The fields of an error group summary the impact step uses. */
export interface ImpactErrorGroup {
  fingerprint: string;
  type: string | null;
  message: string | null;
  count: number;
  users: number | null;
  accounts: number | null;
  series: number[];
  trend: string;
  firstRelease: string | null;
}

/** The fields of a log pattern summary the impact step uses. */
export interface ImpactPattern {
  key: string;
  template: string;
  level: string | null;
  count: number;
  users: number | null;
  accounts: number | null;
  series: number[];
  trend: string;
}

/** A service's requests and users in the window. */
export interface ImpactActivity {
  requests: number;
  users: number | null;
  accounts: number | null;
  series: number[];
}

/** The failed traces of a service followed to where they entered (store/signal-query failedAtEntry). */
export interface EntryFailures {
  traces: number;
  failed: number;
  users: number;
  accounts: number;
  withUser: number;
  entries: readonly string[];
  capped: boolean;
}

/** The users whose requests failed or were slow (store/signal-query hurtUsers). */
export interface HurtUsers {
  users: number;
  accounts: number;
  requests: number;
  hurt: number;
  withUser: number;
}

/** What was read for one service's impact, in the order the impact step counts them. */
export interface ServiceImpactFacts {
  service: string;
  active: ImpactActivity | null;
  /** The service's top error group in the window. */
  topGroup: ImpactErrorGroup | null;
  /** Read for the first counted service with an error group only (it reads raw spans); null otherwise. */
  entry: EntryFailures | null;
  /** The strongest changed pattern's summary, when a pattern signal named one and it was found. */
  pattern: ImpactPattern | null;
  /** A latency or error-rate regression (read only with no error group or WARN/ERROR pattern, and activity). */
  regression: {
    signal: RcaSignal;
    endpoint: string | null;
    /** Slower than this counts as hurt; +∞ for an error-rate regression; null when the baseline is too thin. */
    thresholdMs: number | null;
    hurt: HurtUsers | null;
  } | null;
}

/** The code step's answer (workflows/investigate-code). */
export interface CodeStepResult {
  locations: CodeLocation[];
  suspects: SuspectCommit[];
  range: CommitRange | null;
  /** Steps that could not run, and why. */
  gaps: string[];
}

/** Requests of one service endpoint in one bucket (the signals' RED rows without their sketches). */
export interface TrafficRow {
  minuteMs: number;
  service: string;
  endpoint: string;
  requests: number;
}

/** One version of a service in one bucket (a minute of red_minute by version, or seconds of raw spans). */
export interface VersionMinute {
  /** The bucket's start. */
  minuteMs: number;
  version: string;
  requests: number;
  errors: number;
  /** Milliseconds. */
  latency: DDSketch;
}

/** What the load judgement (load-change) reads: the traffic of the services read, their calls, and the judged service by version. */
export interface LoadFacts {
  /** The service judged: the focus. */
  service: string;
  /** Every service's requests per endpoint, in the windows' buckets. */
  traffic: readonly TrafficRow[];
  /** The caller→callee pairs of the service graph in the read. */
  calls: ReadonlyArray<{ caller: string; callee: string }>;
  /** The judged service per bucket and version around its likely change (empty when it has none). */
  versions: readonly VersionMinute[];
  /** The versions' bucket: 60 for minute rows, less from the raw spans. */
  bucketSeconds: number;
}

/** A candidate's likely change and the deploy before it (the rollback target). */
export interface CandidateChange {
  deploy: Deploy;
  previous: Deploy | null;
}

export interface InvestigationFacts {
  subject: InvestigationSubject;
  anchor: Anchor;
  ticket: TicketSubjectFacts | null;
  problem: ProblemSubjectFacts | null;
  /** Gaps of the subject (ticket or problem), in the order found. */
  subjectGaps: string[];
  windows: InvestigationWindows;
  /** No telemetry from the anchor's service; the endpoint restriction. */
  signalGaps: string[];
  /** The final ranking (log flows added, restricted to the endpoint's traces); null when nothing was ranked. */
  rca: RcaResult | null;
  /** Per candidate service, the deploys of the look-back before the window. */
  deploys: ReadonlyMap<string, readonly Deploy[]>;
  changes: ReadonlyMap<string, CandidateChange>;
  code: CodeStepResult | null;
  /** The traffic and versions of the focus (first) and of the other candidates with a likely change, for the load judgement (load-change); empty when nothing was ranked. */
  load: readonly LoadFacts[];
  /** In impact order. */
  impact: readonly ServiceImpactFacts[];
}
