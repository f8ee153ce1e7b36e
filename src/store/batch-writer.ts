// Group commit for ingest: concurrent requests queue their batches, and each writer slot
// takes everything queued so far and commits it in one transaction. Every submitter's
// promise settles only when its own records are committed (or failed). The queue is
// bounded, so an overloaded store turns into a fast "try later" instead of unbounded memory.
import type { TelemetryBatch } from './raw-writer.js';

export class OverloadedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`the store is behind: the ingest queue is full; retry after ${retryAfterSeconds}s`);
  }
}

/** The submitter's client went away before its batch's transaction began; nothing was written. */
export class AbandonedBatchError extends Error {
  constructor() {
    super('the client went away before its batch was written; nothing was stored');
  }
}

export interface SubmitOptions {
  /** Aborted when the client is gone: a batch still queued then is dropped, never written. */
  signal?: AbortSignal;
}

interface Pending {
  batch: TelemetryBatch;
  signal: AbortSignal | undefined;
  size: number;
  /** performance.now() when it was queued. */
  at: number;
  resolve(): void;
  reject(err: unknown): void;
}

export interface BatchWriterOptions {
  /** Writer slots; 1 for PGlite. */
  concurrency: number;
  /** Records queued (not yet being written) beyond which submit() is refused. */
  maxQueuedRecords: number;
  /** Once the oldest queued batch has waited this long, new ones are refused: an exporter
   * would time out (10 s by default in the OTel SDKs) before its answer came. */
  maxQueueWaitMs: number;
  /** Records one transaction takes at most. */
  maxBatchRecords: number;
  /** Commit latency and size, for the self-metrics. */
  onCommit?: (records: number, seconds: number, ok: boolean) => void;
}

function size(b: TelemetryBatch): number {
  return b.logs.length + b.spans.length + b.metrics.length;
}

export class BatchWriter {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private active = 0;

  constructor(
    private readonly write: (batch: TelemetryBatch) => Promise<void>,
    private readonly opts: BatchWriterOptions,
  ) {}

  get queuedRecords(): number {
    return this.queued;
  }

  /**
   * Resolves once the batch is committed. A batch whose `signal` aborts while it is still
   * queued is taken out and rejected with AbandonedBatchError; once its transaction has
   * begun it is committed regardless (a client retrying that batch may store it twice).
   */
  submit(batch: TelemetryBatch, opts: SubmitOptions = {}): Promise<void> {
    const n = size(batch);
    if (n === 0) return Promise.resolve();
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new AbandonedBatchError());
    if (
      this.queued > 0 &&
      (this.queued + n > this.opts.maxQueuedRecords || this.oldestWaitMs() > this.opts.maxQueueWaitMs)
    ) {
      return Promise.reject(new OverloadedError(1));
    }
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { batch, signal, size: n, at: performance.now(), resolve, reject };
      this.queue.push(p);
      this.queued += n;
      signal?.addEventListener('abort', () => this.abandon(p), { once: true });
      this.pump();
    });
  }

  private abandon(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.queued -= p.size;
    p.reject(new AbandonedBatchError());
  }

  private oldestWaitMs(): number {
    const first = this.queue[0];
    return first ? performance.now() - first.at : 0;
  }

  private pump(): void {
    while (this.active < this.opts.concurrency && this.queue.length > 0) {
      const group: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && (group.length === 0 || n + this.queue[0]!.size <= this.opts.maxBatchRecords)) {
        const p = this.queue.shift()!;
        group.push(p);
        n += p.size;
      }
      this.queued -= n;
      this.active++;
      void this.commit(group, n);
    }
  }

  private async commit(group: Pending[], n: number): Promise<void> {
    const merged: TelemetryBatch =
      group.length === 1
        ? group[0]!.batch
        : {
            logs: group.flatMap((p) => p.batch.logs),
            spans: group.flatMap((p) => p.batch.spans),
            metrics: group.flatMap((p) => p.batch.metrics),
          };
    const t0 = performance.now();
    try {
      await this.write(merged);
      this.opts.onCommit?.(n, (performance.now() - t0) / 1000, true);
      for (const p of group) p.resolve();
    } catch (err) {
      this.opts.onCommit?.(n, (performance.now() - t0) / 1000, false);
      for (const p of group) p.reject(err);
    } finally {
      this.active--;
      this.pump();
    }
  }

  /** Resolves when everything queued so far has been committed or failed. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.active > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
