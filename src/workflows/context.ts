// What every workflow runs against: the store, the ingest writer and the self-metrics.
import type { SelfMetrics } from '../observe/index.js';
import type { BatchWriter, Store } from '../store/index.js';

export interface Context {
  store: Store;
  writer: BatchWriter;
  metrics: SelfMetrics;
}
