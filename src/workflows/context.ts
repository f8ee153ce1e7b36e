// What every workflow runs against: the store, the ingest writer, the self-metrics, and the
// ingest transforms (redaction, streaming analysis).
import type { Executor } from '../act/index.js';
import type { Redactor } from '../ingest/transforms/index.js';
import type { SelfMetrics } from '../observe/index.js';
import type { BatchWriter, Store } from '../store/index.js';
import type { AnalysisPipeline } from './analysis.js';

export interface Context {
  store: Store;
  writer: BatchWriter;
  metrics: SelfMetrics;
  /** Redaction before anything is stored; absent only when switched off (ORRERY_REDACT=off). */
  redactor?: Redactor;
  /** Streaming analysis of committed telemetry; absent when switched off (ORRERY_ANALYSIS=off). */
  analysis?: AnalysisPipeline;
  /** The executors approved proposals run on, and this node's name in execution claims; absent: nothing can run. */
  remediation?: Remediation;
}

export interface Remediation {
  /** In order of preference: a proposal is planned on the first that can run its action. */
  executors: readonly Executor[];
  /** This node's name in execution claims (ORRERY_NODE_ID). */
  node: string;
  /** How long a claim holds without renewal before another node may recover it. */
  leaseMs: number;
}
