// What /api/patterns, /api/errors and /api/services answer (and `orrery patterns|errors|
// services` prints): streaming analysis's patterns@3, errors@1, RED minutes and service graph
// read over a window. Produced by workflows/analysis-read; read by the CLI and the web UI.

export type Trend = 'new' | 'rising' | 'falling' | 'steady';

/** What a parameter slot of a log template held in the lines seen so far. */
export type SlotType =
  | 'int'
  | 'float'
  | 'hex'
  | 'uuid'
  | 'ip'
  | 'path'
  | 'url'
  | 'time'
  | 'duration'
  | 'size'
  | 'word'
  | 'mixed';

export interface TemplateSlot {
  /** Which `<*>` of the template this is, counting from 0. */
  index: number;
  type: SlotType;
}

/** Events per service.version in the window. */
export interface VersionCount {
  version: string;
  count: number;
}

/** The window as read: whole minutes (since and until rounded up), cut into equal buckets. */
export interface AnalysisWindow {
  since: string;
  until: string;
  buckets: number;
  bucketSeconds: number;
  /** Start of the last quarter, which `trend` compares with the rest. */
  recentSince: string;
}

export interface PatternSample {
  time: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
}

export interface PatternSummary {
  key: string;
  service: string;
  template: string;
  /** The log call site of its lines (`<file or function>:<line>`, from code.* attributes), null when they named none. */
  site: string | null;
  level: string | null;
  /** Lines in the window (lines of keys merged into this one included). */
  count: number;
  /** Distinct users in the window (HyperLogLog estimate); null when no line carried a user. */
  users: number | null;
  accounts: number | null;
  /** Lines per bucket, oldest first. */
  series: number[];
  trend: Trend;
  firstSeen: string | null;
  lastSeen: string | null;
  /** service.version of the first line seen. */
  firstVersion: string | null;
  /** Lines over all time, as the pipeline counts them. */
  totalCount: number;
}

export interface PatternDetail extends PatternSummary {
  algorithm: string;
  slots: TemplateSlot[];
  samples: PatternSample[];
  /** Keys that converged into this pattern; their lines count here. */
  mergedKeys: string[];
  /** Lines per service.version in the window, most first. */
  versions: VersionCount[];
}

export interface PatternList {
  window: AnalysisWindow;
  patterns: PatternSummary[];
}

export interface PatternShow {
  window: AnalysisWindow;
  pattern: PatternDetail;
  /** The key asked for when it had merged into `pattern.key`; null when asked for directly. */
  resolvedFrom: string | null;
}

export interface ErrorFrame {
  file: string;
  function: string;
  line: number | null;
  column: number | null;
  module: string | null;
  inApp: boolean;
}

export interface ErrorSample {
  time: string;
  message: string;
  traceId: string | null;
  spanId: string | null;
  stacktrace?: string;
}

export interface ErrorGroupSummary {
  fingerprint: string;
  service: string;
  type: string | null;
  message: string | null;
  /** The innermost in-app frame (else the innermost frame) as `function (file:line)`. */
  culprit: string | null;
  count: number;
  users: number | null;
  accounts: number | null;
  series: number[];
  trend: Trend;
  firstSeen: string | null;
  /** service.version of the first occurrence. */
  firstRelease: string | null;
  lastSeen: string | null;
  totalCount: number;
}

export interface ErrorGroupDetail extends ErrorGroupSummary {
  algorithm: string;
  runtime: string | null;
  /** Innermost (where thrown) first. */
  frames: ErrorFrame[];
  samples: ErrorSample[];
  versions: VersionCount[];
}

export interface ErrorGroupList {
  window: AnalysisWindow;
  errors: ErrorGroupSummary[];
}

export interface ErrorGroupShow {
  window: AnalysisWindow;
  error: ErrorGroupDetail;
}

/** Latency quantiles in milliseconds, from the merged DDSketches (1% relative accuracy); null with no requests. */
export interface Latency {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface EdgeSummary {
  caller: string;
  callee: string;
  calls: number;
  errors: number;
  /** errors / calls; null with no calls. */
  errorRate: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface EndpointSummary extends Latency {
  endpoint: string;
  requests: number;
  errors: number;
  errorRate: number | null;
}

export interface ServiceSummary extends Latency {
  service: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  requestsPerMinute: number;
  users: number | null;
  accounts: number | null;
  /** Requests per bucket. */
  series: number[];
  /** Errors per bucket. */
  errorSeries: number[];
  /** On requests; `new` needs the service's first_seen from the service table. */
  trend: Trend;
  firstSeen: string | null;
  endpoints: EndpointSummary[];
  /** Edges into this service, most calls first. */
  callers: EdgeSummary[];
  /** Edges out of it. */
  callees: EdgeSummary[];
}

export interface ServiceList {
  window: AnalysisWindow;
  services: ServiceSummary[];
}

export interface ServiceNode {
  service: string;
  requests: number;
  errors: number;
  errorRate: number | null;
  p99Ms: number | null;
  /** True when the service has no RED minutes in the window and is known only from edges (a database, a third party). */
  edgeOnly: boolean;
}

export interface ServiceGraph {
  window: AnalysisWindow;
  nodes: ServiceNode[];
  edges: EdgeSummary[];
}

/** What a service served in a window: what listServices reports of it, without its endpoints, edges and trend. */
export interface ServiceActivity {
  requests: number;
  users: number | null;
  accounts: number | null;
  /** Requests per bucket of the window. */
  series: number[];
}

export interface LatencySeries {
  window: AnalysisWindow;
  service: string;
  /** The endpoint asked for; null: all of the service's. */
  endpoint: string | null;
  requests: number[];
  errors: number[];
  /** Per bucket, from the bucket's merged DDSketches (1% relative accuracy); null where no request. */
  p50Ms: Array<number | null>;
  p95Ms: Array<number | null>;
}
