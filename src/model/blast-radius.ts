// A change's blast radius (sim-change@1): what a diff changed, what reaches the changed code,
// which endpoints are exposed — each marked runtime-confirmed or static-only — with their
// traffic, the services, users and accounts behind them, open problems and tickets, and owners.
// The result of `orrery simulate change` and of the change simulation in the API.

/** runtime-confirmed: sampled traces showed this endpoint's requests running the changed code
 *  or code that reaches it; static-only: only the code walk says so (never seen at runtime). */
export type ExposureMark = 'runtime-confirmed' | 'static-only';

export type ChangedUnitKind = 'symbol' | 'route' | 'variable' | 'module';

export interface BlastChangedFile {
  path: string;
  /** The path at base when the file was renamed. */
  oldPath: string | null;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  /** Changed units in it; 0 with a `note` for files Orrery does not parse (config, docs…). */
  units: number;
  note: string | null;
}

export interface BlastChangedUnit {
  path: string;
  /** `Cart.add`, `GET /carts/:user` (a route's inline handler), `config` (a top-level variable), `<module>`. */
  name: string;
  kind: ChangedUnitKind;
  change: 'added' | 'removed' | 'modified';
  /** Which lines, or why a unit changed without a hunk inside it (`its import of x changed`). */
  why: string;
  lines: { startLine: number; endLine: number } | null;
  service: string | null;
  owners: string[];
  seenAtRuntime: boolean;
}

/** A unit that reaches a changed one through static calls. */
export interface BlastReachedUnit {
  path: string;
  name: string;
  kind: ChangedUnitKind;
  service: string | null;
  /** Calls from the nearest changed unit. */
  depth: number;
  /** The unit it calls on the way (`path name`). */
  calls: string;
  seenAtRuntime: boolean;
}

export interface BlastEvidence {
  /** span-code: a span's code.* attributes name the unit; span-name: an internal span is named
   *  after it; frame: an exception's stack frame is in it; log: a line its log statement wrote;
   *  handler: the endpoint's own handler changed and served requests; trace-call: the endpoint
   *  calls an exposed endpoint in sampled traces. */
  kind: 'span-code' | 'span-name' | 'frame' | 'log' | 'handler' | 'trace-call';
  /** The affected unit the evidence names (`path name`), or the endpoint called for trace-call. */
  unit: string;
  detail: string;
  traceId: string | null;
}

export interface BlastEndpoint {
  service: string;
  /** As telemetry names it (`http.route`, else the span name); the declared path when never served. */
  endpoint: string;
  /** HTTP methods: the route's declared method, or those seen on its spans. */
  methods: string[];
  /** Requests enter the system here (the first span of their traces). */
  entry: boolean;
  mark: ExposureMark;
  /** `code`: its own handler reaches the change; `calls`: it calls an exposed endpoint of another service. */
  via: 'code' | 'calls';
  /** How it is reached, from the change up: `services/cart/src/cart-summary.js lineItems` … `GET /carts/:user`, then `→ cart /carts/:user`. */
  path: string[];
  callsPerMinute: number | null;
  errorsPerMinute: number | null;
  /** Distinct users and accounts seen on it in the window (HyperLogLog, ≈1%). */
  users: number | null;
  accounts: number | null;
  evidence: BlastEvidence[];
  /** Where the route is declared, when the code walk found it. */
  handler: { path: string; line: number } | null;
  owners: string[];
}

export interface BlastService {
  service: string;
  mark: ExposureMark;
  /** Exposed endpoints of the service; 0 when only the service graph ties it in. */
  endpoints: number;
  entryEndpoints: number;
  callsPerMinute: number | null;
  /** `code`, `calls`, or `service-graph` (it calls an exposed service, but no sampled trace said from which endpoint). */
  via: 'code' | 'calls' | 'service-graph';
  owners: string[];
}

export interface BlastPeople {
  /** Distinct users and accounts over the exposed entry endpoints (HyperLogLog union). */
  users: number | null;
  accounts: number | null;
  /** The most active, by requests to exposed entry endpoints in the window. */
  topUsers: Array<{ id: string; requests: number }>;
  topAccounts: Array<{ id: string; requests: number }>;
}

export interface BlastProblem {
  id: number;
  title: string;
  service: string | null;
  priority: number | null;
  /** `code`: one of its error groups or patterns comes from affected code; `service`: it is in an exposed service. */
  why: 'code' | 'service';
  detail: string;
}

export interface BlastTicket {
  id: number;
  title: string;
  status: string;
  /** What ties it: a route it names, a service it is linked to, or a listed problem. */
  why: string;
}

export interface BlastOwner {
  owner: string;
  /** `changed`: owns changed code (reviewers); `exposed`: owns an exposed endpoint's code or service. */
  role: 'changed' | 'exposed';
  paths: string[];
}

export interface BlastRadius {
  algorithm: string;
  repository: string;
  base: string;
  head: string;
  /** The deploy asked about, when the range came from one. */
  deploy: { id: number; service: string; version: string } | null;
  /** Only code this service runs counted as changed (a deploy ships one service). */
  service: string | null;
  /** The telemetry window read; null when nothing was read (no telemetry). */
  window: { since: string; until: string; minutes: number } | null;
  summary: {
    changedUnits: number;
    reachedUnits: number;
    endpoints: number;
    entryEndpoints: number;
    runtimeConfirmed: number;
    staticOnly: number;
    services: number;
    /** Sum over the exposed entry endpoints. */
    entryCallsPerMinute: number | null;
  };
  files: BlastChangedFile[];
  changed: BlastChangedUnit[];
  reached: BlastReachedUnit[];
  endpoints: BlastEndpoint[];
  services: BlastService[];
  people: BlastPeople;
  problems: BlastProblem[];
  tickets: BlastTicket[];
  owners: BlastOwner[];
  runtime: { traces: number; endpointsSampled: number };
  /** What limited the answer (bounds hit, no telemetry, files not parsed), in words. */
  notes: string[];
}
