// Simulations as the API answers them and the store keeps them: what was asked (a load factor,
// a dependency failure, a change), on which calibrated window, by which algorithm, and the
// prediction, each figure with its interval and each input with whether it was measured or
// assumed. One home for the server, the CLI, the web UI and MCP.

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

/** What the simulations take; the failure and change kinds join this union when they exist. */
export type SimulationRequest = LoadSimulationRequest;

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

export type SimulationResult = LoadSimulationResult;

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

/** What a list of runs shows of each result; the failure and change kinds join this union when they exist. */
export type SimulationHeadline = LoadSimulationHeadline;

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
