// The analysis pipeline on the ingest path: committed batches go through the stream analyzer
// (patterns, error groups, RED, service graph, user sketches), and the pending minute rows
// are flushed to the store every few seconds, early when too many are pending, and on stop.
// Analysis never fails an ingest request: the records are committed before it runs, and an
// analysis or flush error is counted in /metrics and logged, not returned.
import { type AnalysisDelta, type AnalyzerLimits, StreamAnalyzer } from '../analysis/aggregate/index.js';
import type { SelfMetrics } from '../observe/index.js';
import type { Db, TelemetryBatch } from '../store/index.js';
import { loadPatternSeeds, writeAnalysisDelta } from '../store/index.js';

export interface AnalysisOptions {
  limits?: Partial<AnalyzerLimits>;
  /** How often pending rows are written (ms). */
  flushIntervalMs?: number;
  /** Where flush failures are reported (the server's logger). */
  onError?: (err: Error, what: string) => void;
}

export class AnalysisPipeline {
  readonly analyzer: StreamAnalyzer;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private failures = 0;
  private flushes = 0;
  /** Deltas that failed to write, retried on the next flush (bounded: oldest dropped). */
  private retry: AnalysisDelta[] = [];

  constructor(
    private readonly db: Db,
    metrics: SelfMetrics,
    private readonly opts: AnalysisOptions = {},
  ) {
    this.analyzer = new StreamAnalyzer(opts.limits);
    metrics.family('orrery_analysis_overflow_total', 'Items past an analysis cardinality limit, per kind.', 'counter', () => {
      const o = this.analyzer.overflow;
      return [
        [{ kind: 'services' }, o.services],
        [{ kind: 'patterns' }, o.patterns],
        [{ kind: 'error_groups' }, o.errorGroups],
        [{ kind: 'endpoints' }, o.endpoints],
      ];
    });
    metrics.gauge('orrery_analysis_pending_rows', 'Analysis minute rows waiting for the next flush.', () => this.analyzer.pendingRows);
    metrics.gauge('orrery_analysis_patterns', 'Log patterns held by the miners.', () => this.analyzer.patternCount());
    metrics.family('orrery_analysis_flushes_total', 'Analysis flushes, per outcome.', 'counter', () => [
      [{ outcome: 'ok' }, this.flushes],
      [{ outcome: 'error' }, this.failures],
    ]);
  }

  /** Seed the miners with the patterns already stored, then flush on a timer. */
  async start(): Promise<void> {
    const seeds = await loadPatternSeeds(this.db, this.analyzer.limits.maxPatternsPerService);
    for (const [service, patterns] of seeds) this.analyzer.seedPatterns(service, patterns);
    this.timer = setInterval(() => {
      void this.flush();
    }, this.opts.flushIntervalMs ?? 5_000);
    this.timer.unref();
  }

  /** Analyse a committed batch. Flushes first when too many rows are pending. */
  async observe(batch: TelemetryBatch): Promise<void> {
    try {
      if (batch.logs.length > 0) this.analyzer.observeLogs(batch.logs);
      if (batch.spans.length > 0) this.analyzer.observeSpans(batch.spans);
    } catch (err) {
      this.failures++;
      this.opts.onError?.(err as Error, 'analysis');
    }
    if (this.analyzer.needsDrain) await this.flush();
  }

  /** Write what is pending. Flushes run one at a time; a failed delta is retried next time. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const delta = this.analyzer.drain();
      const todo = [...this.retry, delta];
      this.retry = [];
      for (let i = 0; i < todo.length; i++) {
        try {
          await writeAnalysisDelta(this.db, todo[i] as AnalysisDelta);
          this.flushes++;
        } catch (err) {
          this.failures++;
          this.opts.onError?.(err as Error, 'analysis flush');
          this.retry = todo.slice(i).slice(-3);
          break;
        }
      }
    });
    return this.flushing;
  }

  /** Stop the timer and write what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
