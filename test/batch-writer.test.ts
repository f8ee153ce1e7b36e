// Group commit: concurrent submissions share a transaction, each settles with its own
// commit, and the queue refuses work by size and by how long the oldest batch has waited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWriter, OverloadedError, type TelemetryBatch, mergeBatches } from '../src/store/index.js';
import { logRecord } from './helpers/records.js';

const batch = (n: number): TelemetryBatch => ({
  logs: Array.from({ length: n }, () => logRecord()),
  spans: [],
  metrics: [],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gatedWriter(opts: Partial<ConstructorParameters<typeof BatchWriter>[1]> = {}) {
  const writes: number[] = [];
  let open!: () => void;
  let gate = new Promise<void>((r) => {
    open = r;
  });
  const writer = new BatchWriter(
    async (parts) => {
      await gate;
      writes.push(mergeBatches(parts).logs.length);
    },
    { concurrency: 1, maxQueuedRecords: 1000, maxQueueWaitMs: 10_000, maxBatchRecords: 100, ...opts },
  );
  return {
    writer,
    writes,
    release() {
      open();
      gate = Promise.resolve();
    },
  };
}

describe('BatchWriter', () => {
  it('merges what queued behind a running commit into one transaction, up to the batch cap', async () => {
    const g = gatedWriter();
    const first = g.writer.submit(batch(10));
    const rest = [g.writer.submit(batch(40)), g.writer.submit(batch(40)), g.writer.submit(batch(40))];
    g.release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(g.writes, [10, 80, 40]);
    assert.equal(g.writer.queuedRecords, 0);
  });

  it('rejects every submission of a failed transaction, and carries on', async () => {
    let fail = true;
    const w = new BatchWriter(
      async () => {
        if (fail) throw new Error('disk full');
      },
      { concurrency: 1, maxQueuedRecords: 1000, maxQueueWaitMs: 10_000, maxBatchRecords: 100 },
    );
    await assert.rejects(w.submit(batch(5)), /disk full/);
    fail = false;
    await w.submit(batch(5));
  });

  it('refuses with OverloadedError when the queue is over its size', async () => {
    const g = gatedWriter({ maxQueuedRecords: 50 });
    const running = g.writer.submit(batch(10));
    const queued = g.writer.submit(batch(40));
    await assert.rejects(g.writer.submit(batch(20)), (e) => e instanceof OverloadedError && e.retryAfterSeconds === 1);
    g.release();
    await Promise.all([running, queued]);
  });

  it('refuses once the oldest queued batch has waited too long', async () => {
    const g = gatedWriter({ maxQueueWaitMs: 100 });
    const running = g.writer.submit(batch(1));
    const queued = g.writer.submit(batch(1));
    const young = g.writer.submit(batch(1)); // accepted: nothing has waited long yet
    await sleep(150);
    await assert.rejects(g.writer.submit(batch(1)), OverloadedError);
    g.release();
    await Promise.all([running, queued, young]);
  });
});
