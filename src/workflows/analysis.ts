// The analysis pipeline on the ingest path: committed batches go through the stream analyzer
// (patterns, error groups, RED, service graph, user sketches), and the pending minute rows
// are flushed to the store every few seconds, early when too many are pending, and on stop.
// Every few minutes of event time, the minutes that have closed are compacted (one row per
// key and minute in place of one per flush), so that reading a long window stays cheap.
// Analysis never fails an ingest request: the records are committed before it runs, and an
// analysis or flush error is counted in /metrics and logged, not returned.
import { type AnalysisDelta, type AnalyzerLimits, StreamAnalyzer } from '../analysis/aggregate/index.js';
import type { SelfMetrics } from '../observe/index.js';
import type { Db, TelemetryBatch } from '../store/index.js';
import { compactMinutes, loadPatternSeeds, writeAnalysisDelta } from '../store/index.js';

const MINUTE = 60_000;
/** At the first compaction after start, minutes this far before the closed ones are compacted too. */
const FIRST_COMPACTION_LOOK_BACK_MS = 60 * MINUTE;

export interface AnalysisOptions {
  limits?: Partial<AnalyzerLimits>;
  /** How often pending rows are written (ms). */
  flushIntervalMs?: number;
  /** Where flush failures are reported (the server's logger). */
  onError?: (err: Error, what: string) => void;
  /** Closed minutes are compacted once this many of them (event time) are waiting; 0 turns compaction off. */
  compactEveryMinutes?: number;
  /** A minute is closed when data this many minutes newer has arrived (how late rows may still come). */
  closeAfterMinutes?: number;
  /** The clock event time is capped at (tests). */
  now?: () => number;
}

function newestMinute(delta: AnalysisDelta): number {
  let m = Number.NEGATIVE_INFINITY;
  for (const rows of [delta.patternMinutes, delta.errorMinutes, delta.red, delta.edges, delta.flows])
    for (const r of rows) if (r.minuteMs > m) m = r.minuteMs;
  return m;
}

export class AnalysisPipeline {
  readonly analyzer: StreamAnalyzer;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private failures = 0;
  private flushes = 0;
  /** Deltas that failed to write, retried on the next flush (bounded: oldest dropped). */
  private retry: AnalysisDelta[] = [];
  /** The newest minute with data (event time, capped at the clock). */
  private newest = Number.NEGATIVE_INFINITY;
  /** Minutes before this are compacted (null: none yet by this process). */
  private compactedUntil: number | null = null;
  private readonly compacted = { runs: 0, rowsIn: 0, rowsOut: 0, failures: 0 };

  constructor(
    private readonly db: Db,
    metrics: SelfMetrics,
    private readonly opts: AnalysisOptions = {},
  ) {
    this.analyzer = new StreamAnalyzer(opts.limits);
    metrics.family(
      'orrery_analysis_overflow_total',
      'Items past an analysis cardinality limit, per kind.',
      'counter',
      () => {
        const o = this.analyzer.overflow;
        return [
          [{ kind: 'services' }, o.services],
          [{ kind: 'patterns' }, o.patterns],
          [{ kind: 'error_groups' }, o.errorGroups],
          [{ kind: 'endpoints' }, o.endpoints],
        ];
      },
    );
    metrics.gauge(
      'orrery_analysis_pending_rows',
      'Analysis minute rows waiting for the next flush.',
      () => this.analyzer.pendingRows,
    );
    metrics.gauge('orrery_analysis_patterns', 'Log patterns held by the miners.', () => this.analyzer.patternCount());
    metrics.family('orrery_analysis_flushes_total', 'Analysis flushes, per outcome.', 'counter', () => [
      [{ outcome: 'ok' }, this.flushes],
      [{ outcome: 'error' }, this.failures],
    ]);
    metrics.family(
      'orrery_analysis_compaction_rows_total',
      'Minute rows removed by compaction (in) and written in their place (out).',
      'counter',
      () => [
        [{ direction: 'in' }, this.compacted.rowsIn],
        [{ direction: 'out' }, this.compacted.rowsOut],
      ],
    );
    metrics.family(
      'orrery_analysis_compactions_total',
      'Compactions of closed minutes, per outcome.',
      'counter',
      () => [
        [{ outcome: 'ok' }, this.compacted.runs],
        [{ outcome: 'error' }, this.compacted.failures],
      ],
    );
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
      this.newest = Math.max(this.newest, Math.min(newestMinute(delta), (this.opts.now ?? Date.now)()));
      if (this.retry.length === 0) await this.compactIfDue();
    });
    return this.flushing;
  }

  /** Compacts the closed minutes once enough of them wait (after a flush, in the flush chain). */
  private async compactIfDue(): Promise<void> {
    const every = this.opts.compactEveryMinutes ?? 5;
    if (every <= 0 || !Number.isFinite(this.newest)) return;
    const closedBefore = Math.floor(this.newest / MINUTE) * MINUTE - (this.opts.closeAfterMinutes ?? 2) * MINUTE;
    const from = this.compactedUntil ?? closedBefore - FIRST_COMPACTION_LOOK_BACK_MS;
    if (closedBefore - from < every * MINUTE) return;
    try {
      const stats = await compactMinutes(this.db, new Date(from), new Date(closedBefore));
      this.compactedUntil = closedBefore;
      this.compacted.runs++;
      for (const s of stats) {
        this.compacted.rowsIn += s.rowsIn;
        this.compacted.rowsOut += s.rowsOut;
      }
    } catch (err) {
      this.compacted.failures++;
      this.opts.onError?.(err as Error, 'analysis compaction');
    }
  }

  /** Stop the timer and write what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }
}
