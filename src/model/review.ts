// A pull-request review (review@1): a range's changed symbols with their production context,
// its blast radius, the tests that reach the changed code, the owners to ask, the risk in its
// configuration changes, and a risk tier whose every reason cites evidence. What `orrery
// review`, POST /api/reviews and the GitHub delivery answer.
import type { BlastRadius, ChangedUnitKind, ExposureMark } from './blast-radius.js';

export const REVIEW_TIERS = ['low', 'medium', 'high'] as const;
export type ReviewTier = (typeof REVIEW_TIERS)[number];

/** An endpoint whose code reaches a changed symbol, as production measured it up to `asOf`. */
export interface ReviewEndpoint {
  service: string;
  endpoint: string;
  /** Requests enter the system here. */
  entry: boolean;
  mark: ExposureMark;
  callsPerMinute: number | null;
  errorsPerMinute: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** An error group one of whose stack frames lies in a changed symbol. */
export interface ReviewErrorGroup {
  service: string;
  fingerprint: string;
  /** The frame in the changed symbol: `function (file:line)`. */
  frame: string;
}

export interface ReviewSymbol {
  /** `path name`: how reasons and tests name it. */
  id: string;
  path: string;
  name: string;
  kind: ChangedUnitKind;
  change: 'added' | 'removed' | 'modified';
  /** At head (at base for a removed symbol). */
  lines: { startLine: number; endLine: number } | null;
  service: string | null;
  /** Endpoints of its own service whose handlers reach it through static calls, busiest first. */
  endpoints: ReviewEndpoint[];
  /** Sum over `endpoints`; null when production has no minutes for any of them. */
  callsPerMinute: number | null;
  /** The highest p95 among `endpoints`. */
  p95Ms: number | null;
  /** Sampled traces showed production running it (or code that reaches it). */
  seenAtRuntime: boolean;
  /** Production ran it in the window: seen at runtime, or an endpoint reaching it had requests. */
  hot: boolean;
  errorGroups: ReviewErrorGroup[];
  problems: Array<{ id: number; title: string }>;
  tickets: Array<{ id: number; title: string }>;
  /** Past investigations (up to `asOf`) whose suspect commits changed this symbol's file. */
  suspectInvestigations: number;
  /** Test files whose code calls it, directly or through the call graph. */
  tests: string[];
  /** Loops the change added or altered in it that call another service once per item. */
  loopCalls: Array<{ line: number; calls: string; service: string; endpoint: string; p95Ms: number | null }>;
  /** Nested reads whose path it changed to keys no code in the repository writes (`discount.rate.percent` for `discount.percent`). */
  unwrittenReads: Array<{ line: number; read: string; replaced: string; unwritten: string[] }>;
}

export interface ReviewTest {
  path: string;
  /** The changed symbols it reaches (`path name`). */
  reaches: string[];
}

export interface ReviewOwner {
  /** A CODEOWNERS entry (`@team`), or an author's name. */
  owner: string;
  /** `codeowners`: owns a changed file; `recent-author`: changed one of these files recently (before the range). */
  why: 'codeowners' | 'recent-author';
  paths: string[];
}

/** What a configuration setting is read as. */
export type ConfigRole =
  | 'timeout'
  | 'attempts'
  | 'pool'
  | 'workers'
  | 'replicas'
  | 'hpa-min'
  | 'hpa-max'
  | 'cpu-limit'
  | 'memory-limit'
  | 'cpu-request'
  | 'memory-request';

/** What production measured for the thing a setting governs. */
export interface ConfigMeasure {
  /** `p99 of cart → catalog POST /inventory/reserve`, `cart's requests per minute`. */
  what: string;
  value: number;
  unit: 'ms' | 'per-minute' | 'ratio';
  /** Why the setting governs it: the env var's words matched the call, or the workload's service. */
  why: string;
}

export interface ReviewConfigChange {
  path: string;
  /** The line at head that sets it (null when the setting was removed). */
  line: number | null;
  /** `Deployment/cart`. */
  resource: string;
  service: string | null;
  /** An env var's name, `replicas`, `limits.cpu`, `minReplicas`… */
  setting: string;
  role: ConfigRole;
  before: string | null;
  after: string | null;
  /** The change in the setting's own unit (ms, attempts, millicores, bytes, replicas); null when either side is missing. */
  beforeValue: number | null;
  afterValue: number | null;
  measured: ConfigMeasure | null;
}

/** A route the change removed, with what production still sends it. */
export interface ReviewRouteChange {
  service: string;
  endpoint: string;
  path: string;
  /** `removed`, or `renamed` when the same handler is now registered at another path. */
  change: 'removed' | 'renamed';
  renamedTo: string | null;
  callsPerMinute: number | null;
}

export type ReviewEvidenceKind =
  | 'endpoint'
  | 'edge'
  | 'error-group'
  | 'problem'
  | 'ticket'
  | 'investigation'
  | 'config'
  | 'symbol'
  | 'test';

export interface ReviewEvidence {
  kind: ReviewEvidenceKind;
  /** What it names: `cart POST /carts/:user/items`, an error group's fingerprint, `problem 12`. */
  ref: string;
  detail: string;
}

export type ReviewRule =
  | 'timeout-below-measured'
  | 'attempts-reduced-on-failing-call'
  | 'capacity-reduced-under-load'
  | 'route-removed-with-traffic'
  | 'remote-call-per-item'
  | 'read-path-nobody-writes'
  | 'hot-code-untested'
  | 'known-trouble'
  | 'suspect-history'
  | 'wide-exposure';

export interface ReviewReason {
  rule: ReviewRule;
  tier: Exclude<ReviewTier, 'low'>;
  /** The rule as a general sentence. */
  says: string;
  /** What in this change meets it. */
  finding: string;
  evidence: ReviewEvidence[];
  /** Where in the head revision it applies, for an annotation. */
  at: { path: string; startLine: number; endLine: number } | null;
}

export interface ReviewRollout {
  strategy: 'direct' | 'canary' | 'staged';
  /** What to watch while it rolls out. */
  watch: ReviewEvidence[];
  text: string;
}

/** A changed line with production evidence, as a check run's annotation carries it. */
export interface ReviewAnnotation {
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export interface Review {
  algorithm: string;
  repository: string;
  base: string;
  head: string;
  /** Production was read only up to this time. */
  asOf: string;
  window: { since: string; until: string; minutes: number } | null;
  commits: Array<{ sha: string; subject: string; author: string | null }>;
  tier: ReviewTier;
  reasons: ReviewReason[];
  rollout: ReviewRollout;
  symbols: ReviewSymbol[];
  /** Changed symbols production runs that no test reaches (`path name`): they deserve a test before merge. */
  untestedHot: string[];
  tests: ReviewTest[];
  owners: ReviewOwner[];
  config: ReviewConfigChange[];
  routes: ReviewRouteChange[];
  annotations: ReviewAnnotation[];
  blastRadius: BlastRadius;
  notes: string[];
}
