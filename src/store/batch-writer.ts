// Group commit for ingest: concurrent requests queue their batches, and each writer slot
// takes everything queued so far and commits it in one transaction. Every submitter's
// promise settles only when its own records are committed (or failed). The queue is
// bounded, so an overloaded store turns into a fast "try later" instead of unbounded memory.
import type { KeyedBatch, TelemetryBatch } from './raw-writer.js';

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
  /** The batch's idempotency key: a batch whose key was committed before is not stored again. */
  key?: string;
}

interface Pending {
  batch: TelemetryBatch;
  key: string | null;
  signal: AbortSignal | undefined;
  size: number;
  /** performance.now() when it was queued. */
  at: number;
  resolve(stored: boolean): void;
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

/** The parts' records as one batch (for a writer that takes them all alike). */
export function mergeBatches(parts: readonly KeyedBatch[]): TelemetryBatch {
  if (parts.length === 1) return (parts[0] as KeyedBatch).batch;
  return {
    logs: parts.flatMap((p) => p.batch.logs),
    spans: parts.flatMap((p) => p.batch.spans),
    metrics: parts.flatMap((p) => p.batch.metrics),
  };
}

function size(b: TelemetryBatch): number {
  return b.logs.length + b.spans.length + b.metrics.length;
}

export class BatchWriter {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private active = 0;

  constructor(
    /**
     * Commits the parts in one transaction; resolves to which were stored (a part whose key was
     * committed before is not), or to anything else (nothing) when all were.
     */
    private readonly write: (parts: readonly KeyedBatch[]) => Promise<unknown>,
    private readonly opts: BatchWriterOptions,
  ) {}

  get queuedRecords(): number {
    return this.queued;
  }

  /**
   * Resolves once the batch is committed: true when it was stored, false when its key had been
   * committed before (a client's retry, stored once). A batch whose `signal` aborts while it is
   * still queued is taken out and rejected with AbandonedBatchError; once its transaction has
   * begun it is committed regardless (a keyed retry of it is then not stored again).
   */
  submit(batch: TelemetryBatch, opts: SubmitOptions = {}): Promise<boolean> {
    const n = size(batch);
    if (n === 0) return Promise.resolve(true);
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(new AbandonedBatchError());
    if (
      this.queued > 0 &&
      (this.queued + n > this.opts.maxQueuedRecords || this.oldestWaitMs() > this.opts.maxQueueWaitMs)
    ) {
      return Promise.reject(new OverloadedError(1));
    }
    return new Promise<boolean>((resolve, reject) => {
      const p: Pending = { batch, key: opts.key ?? null, signal, size: n, at: performance.now(), resolve, reject };
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
    const t0 = performance.now();
    try {
      const stored = await this.write(group.map((p) => ({ batch: p.batch, key: p.key })));
      this.opts.onCommit?.(n, (performance.now() - t0) / 1000, true);
      const flags: readonly unknown[] = Array.isArray(stored) ? stored : [];
      for (const [i, p] of group.entries()) p.resolve(flags[i] !== false);
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
