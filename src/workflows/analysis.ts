// The analysis pipeline on the ingest path: committed batches go through the stream analyzer
// (patterns, error groups, RED, service graph, user sketches), and the pending minute rows
// are flushed to the store every few seconds, early when too many are pending, and on stop.
// Every few minutes of event time, the minutes that have closed are compacted (one row per
// key and minute in place of one per flush), so that reading a long window stays cheap; on a
// store without autovacuum (PGlite, or PostgreSQL with it off) the minute tables are then
// vacuumed (and hourly analyzed), outside the flush chain, so that the rows compaction
// removed stop being read.
// Analysis never fails an ingest request: the records are committed before it runs, and an
// analysis or flush error is counted in /metrics and logged, not returned.
//
// A flush the store rejects for its data (an SQLSTATE of class 22, 23 or 54) is written
// again one service at a time, and a failing service's rows in halves down to single rows,
// so one bad row costs only itself: it is dropped, counted in
// orrery_analysis_rows_dropped_total{reason} and logged once per SQLSTATE. Any other failure
// (the store is down) keeps the unwritten rows for the next flush.
import {
  type AnalysisDelta,
  type AnalyzerLimits,
  StreamAnalyzer,
  deltaRows,
  halveDelta,
  splitDeltaByService,
} from '../analysis/aggregate/index.js';
import type { SelfMetrics } from '../observe/index.js';
import type { Db, TelemetryBatch } from '../store/index.js';
import {
  autovacuums,
  compactMinutes,
  dataErrorClass,
  loadPatternSeeds,
  rollUpSpanTimes,
  sqlState,
  vacuumMinutes,
  writeAnalysisDelta,
} from '../store/index.js';

const MINUTE = 60_000;
/** Deltas kept for retry while the store is failing; past this the oldest is dropped (and counted). */
const MAX_RETRY_DELTAS = 3;
/** At the first compaction after start, minutes this far before the closed ones are compacted too. */
const FIRST_COMPACTION_LOOK_BACK_MS = 60 * MINUTE;
/**
 * The minute tables' statistics are refreshed with a vacuum at most this often (wall clock):
 * compaction's churn would make autovacuum's rule (10% of the rows changed) analyze every time,
 * and the reads' plans do not depend on fresh statistics (their indexes cover them).
 */
const ANALYZE_EVERY_MS = 60 * MINUTE;

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
  /**
   * Roll closed minutes' span trees up into self time and edge own time (store/span-time-rollup),
   * one minute at a time as spans newer than the closing delay arrive. Default true.
   */
  rollUpSpanTimes?: boolean;
  /**
   * VACUUM the minute tables after a compaction (one at a time; skipped while one runs), with
   * ANALYZE at most once an hour. Default: when the store has no autovacuum (PGlite; PostgreSQL
   * with autovacuum off).
   */
  vacuumAfterCompaction?: boolean;
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
  /** Rows dropped, per reason (an SQLSTATE class name, or store_unavailable past the retry bound). */
  private readonly dropped = new Map<string, number>();
  /** The SQLSTATEs whose drops were logged already: each is logged once. */
  private readonly loggedDrops = new Set<string>();
  /** The newest minute with data (event time, capped at the clock). */
  private newest = Number.NEGATIVE_INFINITY;
  /** Minutes before this are compacted (null: none yet by this process). */
  private compactedUntil: number | null = null;
  private readonly compacted = { runs: 0, rowsIn: 0, rowsOut: 0, failures: 0 };
  /** The newest span start seen (event time, capped at the clock): span-time minutes close by it. */
  private newestSpan = Number.NEGATIVE_INFINITY;
  /** Span-time minutes before this are rolled up (null: none yet by this process). */
  private rolledUntil: number | null = null;
  private readonly rolled = { runs: 0, minutes: 0, failures: 0 };
  /** The vacuum after a compaction, while it runs (not part of the flush chain). */
  private vacuuming: Promise<void> | null = null;
  /** Whether to vacuum after compaction (asked of the store at the first compaction). */
  private vacuums: Promise<boolean> | null = null;
  /** When this process last analyzed the minute tables (wall clock; null: not yet). */
  private analyzedAt: number | null = null;
  private readonly vacuumed = { runs: 0, failures: 0 };

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
    metrics.family(
      'orrery_analysis_span_time_rollups_total',
      'Roll-ups of closed minutes into self time and edge own time, per outcome.',
      'counter',
      () => [
        [{ outcome: 'ok' }, this.rolled.runs],
        [{ outcome: 'error' }, this.rolled.failures],
      ],
    );
    metrics.family('orrery_analysis_flushes_total', 'Analysis flushes, per outcome.', 'counter', () => [
      [{ outcome: 'ok' }, this.flushes],
      [{ outcome: 'error' }, this.failures],
    ]);
    metrics.family(
      'orrery_analysis_rows_dropped_total',
      'Analysis rows not written, per reason: rejected by the store for their data (the SQLSTATE class), or store_unavailable (still failing past the retry bound).',
      'counter',
      () => [...this.dropped].map(([reason, n]) => [{ reason }, n]),
    );
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
    metrics.family(
      'orrery_analysis_vacuums_total',
      'VACUUM runs of the minute tables after compaction, per outcome.',
      'counter',
      () => [
        [{ outcome: 'ok' }, this.vacuumed.runs],
        [{ outcome: 'error' }, this.vacuumed.failures],
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
      if (batch.spans.length > 0) {
        this.analyzer.observeSpans(batch.spans);
        let newest = this.newestSpan;
        for (const sp of batch.spans) if (sp.startTimeUnixNano / 1e6 > newest) newest = sp.startTimeUnixNano / 1e6;
        this.newestSpan = Math.min(newest, (this.opts.now ?? Date.now)());
      }
    } catch (err) {
      this.failures++;
      this.opts.onError?.(err as Error, 'analysis');
    }
    if (this.analyzer.needsDrain) await this.flush();
  }

  /**
   * Write what is pending. Flushes run one at a time; rows the store rejects for their data
   * are isolated and dropped, rows it failed to take for any other reason are retried next time.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const delta = this.analyzer.drain();
      const todo = [...this.retry, delta];
      this.retry = [];
      for (const d of todo) {
        // Once the store fails, the rest waits for the next flush instead of failing too.
        if (this.retry.length > 0) this.retry.push(d);
        else this.retry.push(...(await this.writeIsolating(d)));
      }
      if (this.retry.length > 0) this.failures++;
      else this.flushes++;
      while (this.retry.length > MAX_RETRY_DELTAS) {
        this.drop('store_unavailable', deltaRows(this.retry.shift() as AnalysisDelta));
      }
      this.newest = Math.max(this.newest, Math.min(newestMinute(delta), (this.opts.now ?? Date.now)()));
      if (this.retry.length === 0) {
        await this.compactIfDue();
        await this.rollUpIfDue();
      }
    });
    return this.flushing;
  }

  /**
   * Writes `delta`; on a data error, each service's rows apart, and a failing service's in
   * halves (`depth` > 0) until the rows that fail are single and dropped. Returns the parts
   * left unwritten by a store failure, to retry.
   */
  private async writeIsolating(delta: AnalysisDelta, depth = 0): Promise<AnalysisDelta[]> {
    const rows = deltaRows(delta);
    if (rows === 0) return [];
    try {
      await writeAnalysisDelta(this.db, delta);
      return [];
    } catch (err) {
      const reason = dataErrorClass(err);
      if (reason === null) {
        this.opts.onError?.(err as Error, 'analysis flush');
        return [delta];
      }
      if (rows === 1) {
        this.drop(reason, 1, err as Error);
        return [];
      }
      const services = depth === 0 ? splitDeltaByService(delta) : null;
      const parts = services && services.size > 1 ? [...services.values()] : halveDelta(delta);
      const left: AnalysisDelta[] = [];
      for (const p of parts) left.push(...(await this.writeIsolating(p, depth + 1)));
      return left;
    }
  }

  /** Counts dropped rows; the first drop for each SQLSTATE is logged, later ones only counted. */
  private drop(reason: string, rows: number, err?: Error): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + rows);
    const state = err ? (sqlState(err) ?? reason) : reason;
    if (this.loggedDrops.has(state)) return;
    this.loggedDrops.add(state);
    const why = err ? `the store rejected them (SQLSTATE ${state}: ${err.message})` : 'the store kept failing';
    this.opts.onError?.(
      new Error(
        `analysis rows dropped: ${why}; further drops for this reason are counted in orrery_analysis_rows_dropped_total{reason="${reason}"} and not logged`,
      ),
      'analysis rows dropped',
    );
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
      return;
    }
    this.vacuumSoon();
  }

  /**
   * Rolls up the span-time minutes closed since the last roll-up (after a flush, in the flush
   * chain): a minute is closed when spans closeAfterMinutes newer have arrived. The first
   * roll-up of a process looks back as far as the first compaction.
   */
  private async rollUpIfDue(): Promise<void> {
    if (this.opts.rollUpSpanTimes === false || !Number.isFinite(this.newestSpan)) return;
    const closedBefore = Math.floor(this.newestSpan / MINUTE) * MINUTE - (this.opts.closeAfterMinutes ?? 2) * MINUTE;
    const from = this.rolledUntil ?? closedBefore - FIRST_COMPACTION_LOOK_BACK_MS;
    if (closedBefore <= from) return;
    try {
      const stats = await rollUpSpanTimes(this.db, new Date(from), new Date(closedBefore));
      this.rolledUntil = closedBefore;
      this.rolled.runs++;
      this.rolled.minutes += stats.minutes;
    } catch (err) {
      this.rolled.failures++;
      this.opts.onError?.(err as Error, 'span-time roll-up');
    }
  }

  /**
   * Starts a vacuum of the minute tables unless one runs (or the store vacuums itself). Not
   * awaited by the flush: the next flush's writes do not wait for it on PostgreSQL, and on
   * PGlite they wait only for the statement under way.
   */
  private vacuumSoon(): void {
    if (this.vacuuming) return;
    this.vacuums ??=
      this.opts.vacuumAfterCompaction === undefined
        ? autovacuums(this.db).then(
            (auto) => !auto,
            () => false,
          )
        : Promise.resolve(this.opts.vacuumAfterCompaction);
    this.vacuuming = this.vacuums
      .then(async (vacuum) => {
        if (!vacuum) return false;
        const now = Date.now();
        const analyze = this.analyzedAt === null || now - this.analyzedAt >= ANALYZE_EVERY_MS;
        await vacuumMinutes(this.db, { analyze });
        if (analyze) this.analyzedAt = now;
        return true;
      })
      .then(
        (ran) => {
          if (ran) this.vacuumed.runs++;
        },
        (err: Error) => {
          this.vacuumed.failures++;
          this.opts.onError?.(err, 'analysis vacuum');
        },
      )
      .finally(() => {
        this.vacuuming = null;
      });
  }

  /** Stop the timer and write what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
    await this.vacuuming;
  }
}
