// Simulations as the API answers them and the store keeps them: what was asked (a load factor,
// a dependency failure, a change), on which calibrated window, by which algorithm, and the
// prediction, each figure with its interval and each input with whether it was measured or
// assumed. One home for the server, the CLI, the web UI and MCP.

import type { BlastRadius } from './blast-radius.js';

export const SIMULATION_KINDS = ['load', 'failure', 'change'] as const;
export type SimulationKind = (typeof SIMULATION_KINDS)[number];

/** Where a model input came from: read from telemetry or manifests, or a stated assumption. */
export type Validity = 'measured' | 'assumed';

/**
 * A predicted figure: the estimate from the whole calibration, and the 10th and 90th percentiles
 * over the model's uncertain inputs (bootstrap over the calibration window's blocks and traces,
 * assumed values drawn from their ranges). null: unbounded (a queue that grows for as long as the
 * load lasts), or nothing to compute it from.
 */
export interface Figure {
  value: number | null;
  p10: number | null;
  p90: number | null;
}

/** One input the model used: its value, whether it was measured, and from what. */
export interface SimulationInput {
  /** e.g. `catalog replicas`, `cart → catalog timeout`, `web /checkout arrival rate`. */
  name: string;
  /** As shown: `2`, `800 ms`, `3.1/s`, `none`. */
  value: string;
  validity: Validity;
  /** e.g. `Deployment shop/catalog (deploy/k8s/catalog.yaml:1)`, `traces: 1,204 visits`, or why it is assumed. */
  source: string;
}

export interface SimulationWindow {
  since: string;
  until: string;
}

/** `orrery simulate load`: what happens at `factor` times the calibrated traffic. */
export interface LoadSimulationRequest {
  kind: 'load';
  /** Multiplies the calibrated arrival rate (of `endpoint` only, when given). */
  factor: number;
  /** `service endpoint` or an endpoint name unique among the entries; null: every entry endpoint. */
  endpoint: string | null;
  /** `service.setting=value` lines, as given (`catalog.replicas=3`, `catalog.env.DB_POOL_SIZE=4`). */
  set: string[];
  /** The calibration window's length. */
  windowMs: number;
}

/** How the failed service fails, as `simulate failure --mode` reads it. */
export type FailureMode =
  /** Every call to it fails at once (connections refused). */
  | { kind: 'down' }
  /** Every answer it gives comes `delayMs` later. */
  | { kind: 'slow'; delayMs: number }
  /** Each request to it fails with probability `rate` (0 to 1). */
  | { kind: 'errors'; rate: number };

/** `orrery simulate failure`: what fails when `service` fails as `mode` says. */
export interface FailureSimulationRequest {
  kind: 'failure';
  service: string;
  /** As given: `down`, `slow=2s`, `errors=30%`. */
  mode: string;
  /** The calibration window's length. */
  windowMs: number;
}

/** `orrery simulate change`: the blast radius of a range of an indexed repository, or of what a deploy shipped. */
export interface ChangeSimulationRequest {
  kind: 'change';
  /** `base..head`; null when a deploy was asked about. */
  range: string | null;
  repository: string | null;
  deploy: number | null;
  /** The start of the telemetry window read (ISO); null: the default, 7 days before the run. */
  since: string | null;
}

/** What the simulations take. */
export type SimulationRequest = LoadSimulationRequest | FailureSimulationRequest | ChangeSimulationRequest;

export interface EndpointLatency {
  p50: number | null;
  p95: number | null;
  /** Share of requests that failed, 0 to 1. */
  errorRate: number;
}

export interface EndpointPrediction {
  service: string;
  endpoint: string;
  /** Requests per second in the calibration window (measured) and at the simulated load. */
  rate: { baseline: number; predicted: number };
  /** Measured in the calibration window (milliseconds). */
  baseline: EndpointLatency & { requests: number };
  /** Predicted at the simulated load (milliseconds; error rate 0 to 1). */
  predicted: { p50: Figure; p95: Figure; errorRate: Figure };
  /** The smallest load factor at which this endpoint's p95 passes twice its predicted baseline; null value: not below the scan's end. */
  knee: Figure;
  /** Visits per request to each service it reaches (its own included), from its traces. */
  visits: Array<{ service: string; perRequest: number }>;
}

export type ResourceKind = 'cpu' | 'pool';

export interface ResourcePrediction {
  /** `cpu`: the service's workers (replicas × workers per replica); `pool`: its connection pool (replicas × pool size). */
  kind: ResourceKind;
  /** Servers at the simulated load (after settings and the autoscaler). */
  servers: number;
  /** Busy share of the servers, 0 to 1 or more (≥ 1: saturated). */
  utilization: Figure;
  baselineUtilization: number;
  /** Mean wait for a server (milliseconds) beyond the calibrated baseline's; null: unbounded. */
  waitMs: Figure;
  saturated: boolean;
  /** Share of visits that fail here (a pool's queue timeout, or overload beyond capacity). */
  failShare: Figure;
}

export interface ServicePrediction {
  service: string;
  replicas: { baseline: number; predicted: number };
  resources: ResourcePrediction[];
}

/** A call edge with a timeout or retries: how often calls time out and how much load retries add. */
export interface EdgePrediction {
  caller: string;
  callee: string;
  /** Timeout of each attempt (milliseconds); null: the attempt waits as long as it takes. */
  attemptTimeoutsMs: Array<number | null>;
  /** Share of first attempts that time out. */
  timeoutShare: Figure;
  /** Calls to the callee per call made (1: no retries). */
  loadMultiplier: Figure;
  /** Share of calls that fail after every attempt. */
  failShare: Figure;
}

export interface Bottleneck {
  service: string;
  resource: ResourceKind;
  /** The load factor at which it saturates; null value: not below the scan's end. */
  saturatesAt: Figure;
  /** Its utilization at the simulated load. */
  utilization: Figure;
}

export interface LoadSimulationResult {
  kind: 'load';
  algorithm: string;
  window: SimulationWindow;
  factor: number;
  endpoint: string | null;
  /** The settings changed by `--set`: each line, the setting it changed and its value before. */
  settings: Array<{ set: string; setting: string; from: string; to: string }>;
  endpoints: EndpointPrediction[];
  services: ServicePrediction[];
  edges: EdgePrediction[];
  /** The first resource to saturate as the load grows; null when nothing saturates below the scan's end. */
  bottleneck: Bottleneck | null;
  /** The smallest load factor at which an entry endpoint (of at least 1% of the requests) passes twice its p95. */
  knee: Figure;
  /** The largest factor scanned for the knee and the bottleneck. */
  scannedTo: number;
  inputs: SimulationInput[];
  /** How many inputs were measured and how many assumed. */
  validity: Record<Validity, number>;
  /** What the model takes for granted, in words. */
  assumptions: string[];
  /** Data problems that weaken the prediction (few traces, a setting not understood). */
  warnings: string[];
  /** Bootstrap replicates behind the intervals. */
  replicates: number;
  /** Share of the window's traces read (1: all; less when sampled by trace id). */
  sampled: number;
  traces: number;
}

/**
 * An entry endpoint's outcome under the failure, by the same definitions as the measurements it
 * is checked against: failed when its error rate is at least 50%; degraded when its error rate
 * rises 5 points or more, or its p95 at least doubles and rises 250 ms or more; else unaffected.
 */
export type FailureOutcome = 'failed' | 'degraded' | 'unaffected';

/** Who used an endpoint (or a set of them) in the look-back: distinct users and accounts, and the most active. */
export interface EndpointPeople {
  /** Distinct users (a HyperLogLog estimate); null when the telemetry named none. */
  users: number | null;
  accounts: number | null;
}

export interface FailureEndpointPrediction {
  service: string;
  /** http.route, else the span name (as load's EndpointPrediction names it). */
  endpoint: string;
  outcome: FailureOutcome;
  /** Requests per second in the calibration window. */
  rate: number;
  /** Measured in the calibration window (milliseconds; error rate 0 to 1). */
  baseline: EndpointLatency & { requests: number };
  /** Predicted under the failure: share of requests failing (0 to 1), latency (milliseconds). */
  errorRate: Figure;
  p50: Figure;
  p95: Figure;
  /** Share of its sampled requests that reach the failed service (0 to 1). */
  reach: number;
  /** The call paths from the endpoint to the failed service seen in its requests (`web → cart → catalog`). */
  paths: string[];
  /** Why this outcome, in words: what reaches the failed service, what times out, what a failure does. */
  why: string;
  /** Who used it in the look-back; null when not read (no telemetry minutes). */
  people: EndpointPeople | null;
  /** Open tickets that name it, or a user or account who used it (ids; details in the result's tickets). */
  tickets: number[];
}

export interface PersonActivity {
  id: string;
  requests: number;
}

/** The people behind the failed and degraded endpoints over the look-back. */
export interface FailurePeople extends EndpointPeople {
  since: string;
  until: string;
  topUsers: PersonActivity[];
  topAccounts: PersonActivity[];
}

export interface FailureTicket {
  id: number;
  title: string;
  status: string;
  /** What ties it to the failure: the route it names, or the user or account it names who used an affected endpoint. */
  why: string;
  /** `service endpoint` of the affected endpoints it names or whose users it names. */
  endpoints: string[];
}

export interface FailureSimulationResult {
  kind: 'failure';
  algorithm: string;
  window: SimulationWindow;
  service: string;
  mode: FailureMode;
  /** The mode as given (`slow=2s`). */
  modeText: string;
  /** Every entry endpoint of the calibration window, failed first. */
  endpoints: FailureEndpointPrediction[];
  summary: Record<FailureOutcome, number>;
  /** The users and accounts of the failed and degraded endpoints; null when not read. */
  people: FailurePeople | null;
  /** Open tickets naming an affected endpoint or one of its users or accounts (at most 50). */
  tickets: FailureTicket[];
  /** The outcome definitions, in words. */
  definitions: string[];
  inputs: SimulationInput[];
  validity: Record<Validity, number>;
  assumptions: string[];
  warnings: string[];
  replicates: number;
  sampled: number;
  traces: number;
}

/** A change's blast radius as a stored simulation's result. */
export interface ChangeSimulationResult extends BlastRadius {
  kind: 'change';
}

export type SimulationResult = LoadSimulationResult | FailureSimulationResult | ChangeSimulationResult;

/** A stored simulation. */
export interface Simulation {
  id: number;
  kind: SimulationKind;
  algorithm: string;
  /** The telemetry window it was calibrated on; null for a kind that calibrates on none. */
  window: SimulationWindow | null;
  request: SimulationRequest;
  result: SimulationResult;
  createdAt: string;
}

/** A load simulation's verdict in a line: what saturates first and where latency takes off. */
export interface LoadSimulationHeadline {
  kind: 'load';
  /** The first resource to saturate and the load factor's estimate at which it does (null: not below `scannedTo`). */
  bottleneck: { service: string; resource: ResourceKind; saturatesAt: number | null } | null;
  /** The knee's estimate; null: latency does not take off below `scannedTo`. */
  knee: number | null;
  scannedTo: number;
}

/** A failure simulation's verdict in a line: how many entry endpoints fail, degrade or are unaffected. */
export interface FailureSimulationHeadline {
  kind: 'failure';
  service: string;
  modeText: string;
  summary: Record<FailureOutcome, number>;
}

/** A change simulation's verdict in a line: what it exposes. */
export interface ChangeSimulationHeadline {
  kind: 'change';
  entryEndpoints: number;
  runtimeConfirmed: number;
  staticOnly: number;
  services: number;
}

/** What a list of runs shows of each result. */
export type SimulationHeadline = LoadSimulationHeadline | FailureSimulationHeadline | ChangeSimulationHeadline;

export interface SimulationSummary {
  id: number;
  kind: SimulationKind;
  algorithm: string;
  window: SimulationWindow | null;
  request: SimulationRequest;
  createdAt: string;
  /** The result's verdict in a line, so a list need not read whole results; null for a kind that has none yet. */
  headline: SimulationHeadline | null;
}
