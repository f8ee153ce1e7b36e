// Inputs and outputs of root-cause ranking: per-minute rows as the streaming analyzer
// produces them (and the store keeps), and ranked services with the evidence behind each.
import type { SignalKind as ModelSignalKind } from '../../model/index.js';
import type { DDSketch } from '../sketch/index.js';

/** Minutes in [startMs, endMs). */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

/** Requests handled by a service endpoint in one minute (SERVER/CONSUMER/root spans). */
export interface RedRow {
  minuteMs: number;
  service: string;
  endpoint: string;
  requests: number;
  errors: number;
  /** Milliseconds. */
  latency: DDSketch;
}

/** Log lines of one mined pattern in one minute; level is the pattern's highest level. */
export interface PatternRow {
  minuteMs: number;
  service: string;
  key: string;
  level: string;
  count: number;
  /** For display: the template. */
  label?: string;
  /** The log call site of the pattern's lines, when they named one. */
  site?: string;
}

/** How often one pattern's line was followed by another's in the same span, in one minute. */
export interface FlowRow {
  minuteMs: number;
  service: string;
  from: string;
  to: string;
  count: number;
}

/** Occurrences of one error group (fingerprint) in one minute. */
export interface ErrorGroupRow {
  minuteMs: number;
  service: string;
  key: string;
  count: number;
  /** For display: type and message. */
  label?: string;
}

/** Calls from one service to another in one minute (a service-graph edge). */
export interface EdgeRow {
  minuteMs: number;
  caller: string;
  callee: string;
  calls: number;
  errors: number;
  /** Milliseconds, the callee's span as seen under the caller's. */
  latency: DDSketch;
}

/**
 * A service's own (self) time in one minute: per visit (an entry span and its local
 * descendants), the entry's duration less the time it spent in calls to other services.
 */
export interface SelfTimeRow {
  minuteMs: number;
  service: string;
  visits: number;
  /** Milliseconds. */
  latency: DDSketch;
}

/**
 * One call edge's own time in one minute: per answered call, the client span's duration less the
 * server span's (the network and queueing between them); and the calls no server span answered.
 */
export interface EdgeTimeRow {
  minuteMs: number;
  caller: string;
  callee: string;
  /** Answered and unanswered calls. */
  calls: number;
  unanswered: number;
  /** Milliseconds, of the answered calls. */
  latency: DDSketch;
}

/** One sample of a resource gauge (CPU, memory, …) of a service. */
export interface MetricRow {
  minuteMs: number;
  service: string;
  name: string;
  value: number;
}

export interface RcaInput {
  baseline: TimeWindow;
  incident: TimeWindow;
  red: readonly RedRow[];
  patterns: readonly PatternRow[];
  errorGroups: readonly ErrorGroupRow[];
  edges: readonly EdgeRow[];
  /** Log flow (which line follows which in a span); absent or empty when not collected. */
  flows?: readonly FlowRow[];
  metrics?: readonly MetricRow[];
  /** Self time per service (from the span trees); absent or empty when not read. */
  selfTimes?: readonly SelfTimeRow[];
  /** Own time and unanswered calls per call edge (from the span trees); absent or empty when not read. */
  edgeTimes?: readonly EdgeTimeRow[];
  /** The gauges' baseline when it differs from `baseline` (gauges are sparse: a longer look back). */
  metricBaseline?: TimeWindow;
  /**
   * Known-good windows (e.g. the same hour last week, or a period marked healthy): log patterns
   * and error groups are tested against them too, each a test of its own beside the one against
   * the recent baseline, so a short recent baseline, or one an earlier incident disturbed, still
   * leaves a healthy comparison; a WARN/ERROR pattern absent from the reference is "new" there.
   */
  reference?: readonly TimeWindow[];
  /**
   * Rows that stand for several minutes: each side's rows are buckets of this many minutes,
   * starting at their minuteMs (the baseline's aligned to end at the incident's start, its first
   * one cut at the baseline's start; the incident's from its start). Rates per minute count a
   * bucket with data as the minutes it spans, and minute-to-minute dispersions become bucket to
   * bucket. Absent: one row per minute.
   */
  bucketMinutes?: { baseline: number; incident: number };
}

export interface RcaOptions {
  /** False-discovery rate for Benjamini–Hochberg over all tests of one run. Default 0.01. */
  fdr?: number;
  /** A symptom's score is multiplied by this. Default 0.25. */
  symptomDiscount?: number;
  /** Signals kept per service in the output (the strongest). Default 8. */
  maxSignals?: number;
  /**
   * Weight multiplier of a new WARN/ERROR pattern (none in the baseline or reference): a
   * statement the code never logged while healthy counts as two pieces of evidence, its share
   * change and its novelty. Default 2.
   */
  newPatternWeight?: number;
  /**
   * Also list, after the significant services and with score 0, every other service that was
   * tested, by its strongest scored test's p (a candidate list when the evidence is weak), that
   * test as its one signal (weight 0, its q at or above the FDR). Default false.
   */
  weakCandidates?: boolean;
  /**
   * Rank the services whose anomaly ended in the latest part of the incident window (see ended.ts:
   * their findings significantly back toward the baseline there, nothing of theirs significant
   * now) after the roots whose anomaly did not end and the roots significant in the latest part.
   * Default true: an alert's look-back can hold an earlier incident that is over.
   */
  endedLast?: boolean;
}

/**
 * What a signal tested: one list, the model's SIGNAL_KINDS, since findings publish it. Among
 * them, `edge-fanout` is the calls a caller makes to a callee per request it serves (a caller
 * that starts calling more, an N+1 or a retry loop, changed itself), and `log-flow` what follows
 * a log statement in a span (its next statement's share of what followed it: a code path cut
 * short or sent elsewhere).
 */
export type SignalKind = ModelSignalKind;

/** One tested change between the baseline and the incident window. */
export interface RcaSignal {
  kind: SignalKind;
  service: string;
  /** What was tested: an endpoint, a pattern key, a fingerprint, a metric name, "caller→callee". */
  key: string;
  label?: string;
  baseline: number;
  incident: number;
  /** What baseline and incident measure, e.g. "p50 ms", "share of lines", "per minute". */
  unit: string;
  /** The test that was run (see TESTS). */
  test: string;
  /** Signed: positive when the incident is above the baseline (a z or comparable). */
  statistic: number;
  p: number;
  /** Benjamini–Hochberg adjusted p over all tests of the run. */
  q: number;
  /** −log10 q, capped (times newPatternWeight for a new-error-pattern): what this signal adds to the service's score. */
  weight: number;
}

export interface RankedService {
  service: string;
  score: number;
  /** Score from the service's own signals, before the symptom discount. */
  ownScore: number;
  confidence: number;
  /** The downstream services this one's anomaly is attributed to, when judged a symptom. */
  symptomOf: string[];
  hint: string;
  signals: RcaSignal[];
}

export interface RcaResult {
  algorithm: string;
  baseline: TimeWindow;
  incident: TimeWindow;
  /** Every service with a significant signal, best root-cause candidate first. */
  services: RankedService[];
  /** Tests run, and how many passed the FDR. */
  tests: number;
  significant: number;
}
