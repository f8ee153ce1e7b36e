// The calibration every simulation runs on: what a window of whole traces, the infrastructure
// manifests and the CPU gauges say about the system's traffic, paths and capacity. Each input
// says whether it was measured or assumed and from what (`Setting`), so a prediction can state
// its validity. Plain data, built by calibrate(); the load model, and the failure model after
// it, read it.
import type { Validity } from '../../model/index.js';
import type { TimedSpan } from '../rca/index.js';

/** One span as the calibration reads it: span-times' fields plus the route and the error status. */
export interface SimSpan extends TimedSpan {
  /** http.route, when the span has one. */
  route: string | null;
  /** Status code ERROR. */
  error: boolean;
}

/** A value with where it came from. */
export interface Setting<T> {
  value: T;
  validity: Validity;
  /** The manifest and key, the telemetry it was counted from, or the reason for the assumption. */
  source: string;
}

/**
 * An assumed number with the range the intervals draw it from: uniformly, or with a density rising
 * linearly toward the range's top (`towardHigh`: lo + (hi − lo)(1 − u²); its median, hi − (hi − lo)/4,
 * is then the value).
 */
export interface UncertainSetting extends Setting<number> {
  range: readonly [number, number] | null;
  towardHigh?: boolean;
}

/** A draw of an uncertain setting from `u`, uniform in [0, 1). */
export function drawSetting(s: UncertainSetting, u: number): number {
  if (!s.range) return s.value;
  const [lo, hi] = s.range;
  return s.towardHigh ? lo + (hi - lo) * (1 - u * u) : lo + (hi - lo) * u;
}

/** An empirical distribution (milliseconds, or whatever was measured). */
export interface Distribution {
  n: number;
  mean: number;
  /** Squared coefficient of variation (variance / mean²); 0 with fewer than two values. */
  cv2: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Per bootstrap block of the window: counts and sums from which a replicate's means are rebuilt. */
export interface BlockSums {
  count: number[];
  sum: number[];
  sumSq: number[];
}

/**
 * What one request tree (a trace from its entry, or one call with what it caused) touched: per
 * service (an index into Calibration.services) its visits with their summed self time and its
 * leaf calls (to nothing instrumented: a database, a third party) with their summed duration;
 * per call edge (an index into Calibration.edges) its calls.
 */
export interface TreeSample {
  durationMs: number;
  error: boolean;
  services: ServiceTouch[];
  edges: EdgeTouch[];
  /** An entry's request tree: the calls its root's visit made, each with the calls below it (entry samples only). */
  calls?: CallNode[];
}

/**
 * One call of a sampled request, where the failure model walks: the edge it was made on, when it
 * started (from the request's start) and how long its client span ran, whether it failed, and
 * the calls its callee made while answering it.
 */
export interface CallNode {
  edge: number;
  atMs: number;
  ms: number;
  failed: boolean;
  calls: CallNode[];
}

export interface ServiceTouch {
  service: number;
  visits: number;
  selfMs: number;
  leafCalls: number;
  leafMs: number;
}

export interface EdgeTouch {
  edge: number;
  calls: number;
}

/** An entry endpoint: where requests enter (a root span, or one whose parent is not in the store). */
export interface EntryCalibration {
  service: string;
  /** http.route, else the span name (as the RED minutes name endpoints). */
  endpoint: string;
  /** Entry requests that started in the window (divided by the share read when sampled). */
  requests: number;
  ratePerSec: number;
  errorRate: number;
  /** End-to-end duration of its requests (milliseconds). */
  latency: Distribution;
  /** Mean per request over its traces: visits to each service, leaf calls of each service, calls on each edge. */
  visits: Array<{ service: number; perRequest: number }>;
  leafCalls: Array<{ service: number; perRequest: number }>;
  edgeCalls: Array<{ edge: number; perRequest: number }>;
  /** A uniform sample of its traces (at most Calibration.sampleSize). */
  samples: TreeSample[];
  /** Its requests per bootstrap block. */
  blockRequests: number[];
}

/** A connection pool: `size` per replica, guarding the service's leaf calls. */
export interface PoolSettings {
  /** The env var it was read from (`DB_POOL_SIZE`). */
  name: string;
  size: Setting<number>;
  /** How long a caller waits for a connection before failing; null: as long as it takes. */
  queueTimeoutMs: Setting<number | null>;
}

export interface HpaSettings {
  min: number;
  max: number;
  /** Target average CPU utilization, percent of the request; null: it scales on something else. */
  cpuTargetPercent: number | null;
  source: string;
}

/** A service's capacity as the manifests (and where they are silent, the telemetry or an assumption) give it. */
export interface CapacitySettings {
  replicas: Setting<number>;
  /** Requests one replica works on at once (threads, processes); Node and most event loops: 1. */
  workers: Setting<number>;
  /** Per replica; null: no limit. */
  cpuLimitCores: Setting<number | null>;
  cpuRequestCores: number | null;
  hpa: HpaSettings | null;
  pool: PoolSettings | null;
  /** The manifest's literal env, from which pool, workers and timeouts are read (and `--set …env…` changes). */
  env: Record<string, string>;
  /** Where the env came from (`Deployment shop/catalog (deploy/k8s/catalog.yaml:1)`); null: no manifest. */
  workload: string | null;
}

/**
 * A visit's CPU demand. From gauges: busy cores over visits per second, per visit (ms), measured
 * directly. Else a share of the visit's self time, its queueing for the CPU included (the model
 * takes out the queueing it predicts at the calibrated load), assumed.
 */
export type CpuDemand = { from: 'gauge'; msPerVisit: Setting<number> } | { from: 'self-time'; share: UncertainSetting };

export interface ServiceCalibration {
  service: string;
  /** Visits (entry span plus local descendants) that started in the window. */
  visits: number;
  /** Self time per visit (milliseconds): the visit less its calls. */
  selfTime: Distribution;
  /** Squared coefficient of variation of the gaps between visits' starts. */
  arrivalCv2: number;
  /** Calls no instrumented service answered (databases, third parties); null when none. */
  leaf: { calls: number; duration: Distribution; arrivalCv2: number } | null;
  blocks: { visits: BlockSums; leaf: BlockSums };
  /** What a visit asks of the CPU: measured by CPU gauges, or an assumed share of its self time. */
  cpu: CpuDemand;
  /** Of the traces in which a span of this service failed, the share whose entry failed. */
  errorPropagation: Setting<number>;
  /** Instances seen in telemetry (median per minute); null when not read. */
  instances: number | null;
  capacity: CapacitySettings;
}

export interface EdgeCalibration {
  caller: string;
  callee: string;
  /** Calls that started in the window, answered or not. */
  calls: number;
  /** Share of calls that failed (the client or the server span failed, or no server answered). */
  errorRate: number;
  /** Client span duration (milliseconds). */
  duration: Distribution;
  /** Duration of the failed calls; null when none failed: the latency at which calls fail. */
  failedDuration: Distribution | null;
  /** Timeout of each attempt; the last null when it waits as long as it takes. [null]: one attempt, no timeout. */
  attemptTimeoutsMs: Setting<Array<number | null>>;
  /** Of the traces in which a call on this edge failed, the share whose entry failed. */
  errorPropagation: Setting<number>;
  /**
   * Retries seen in the traces: a call repeated by the same caller span after the one before failed,
   * or while it still ran (it timed out); per attempt k (from 1), the median time from its start to
   * the next attempt's when the next began while it still ran; the most attempts of one call.
   */
  retries: {
    seen: number;
    /** Of those, the retries made after the attempt before had failed (answered with an error), not while it still ran. */
    afterFailure: number;
    spacingMs: number[];
    maxAttempts: number;
  };
  /**
   * Calls its caller did not wait for: a message sent (a producer span), or a call still running
   * when the visit that made it had ended (same division by the share read as `calls`).
   */
  detached: number;
  /** The endpoints the callee served on this edge, most called first (settings are matched to edges by name). */
  calleeEndpoints: string[];
  /** A uniform sample of its calls with what each caused below it. */
  samples: TreeSample[];
}

export interface CalibrationWindow {
  startMs: number;
  endMs: number;
}

export interface Calibration {
  window: CalibrationWindow;
  /** The bootstrap blocks' length; blocks = window / blockMs. */
  blockMs: number;
  blocks: number;
  /** Share of the window's traces read (1: all). */
  sampled: number;
  traces: number;
  sampleSize: number;
  services: ServiceCalibration[];
  entries: EntryCalibration[];
  edges: EdgeCalibration[];
  /** Settings read but not understood, little data, and the like. */
  warnings: string[];
}
