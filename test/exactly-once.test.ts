// Exactly-once ingest on the embedded store: a batch a client sends again (a retry after a lost
// answer) is answered as accepted and stored once; distinct batches, even with equal records,
// are each stored; concurrent copies in one group commit are stored once.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { sdkLogs, sdkSpans } from './helpers/otel.js';
import { logRecord } from './helpers/records.js';
import { BatchWriter } from '../src/store/index.js';
import { freshPglite } from './helpers/stores.js';

async function count(o: InProcess, table: 'span' | 'log_record'): Promise<number> {
  const rows = await o.store.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

describe('exactly-once ingest (PGlite)', () => {
  let o: InProcess;
  let spans: Buffer;
  let logs: Buffer;

  before(async () => {
    o = await inProcessOrrery();
    spans = Buffer.from(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!);
    logs = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkLogs())!);
  });
  after(() => o.cleanup());

  const post = (url: string, payload: Buffer, headers: Record<string, string> = {}) =>
    o.server.otlp.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/x-protobuf', ...headers },
    });

  it('stores a retried trace batch once, and answers the retry 200', async () => {
    const before = await count(o, 'span');
    const first = await post('/v1/traces', spans);
    assert.equal(first.statusCode, 200);
    const once = (await count(o, 'span')) - before;
    assert.ok(once > 0);
    // The same request again, then gzip-compressed (the same batch on the wire differently).
    assert.equal((await post('/v1/traces', spans)).statusCode, 200);
    assert.equal((await post('/v1/traces', gzipSync(spans), { 'content-encoding': 'gzip' })).statusCode, 200);
    assert.equal((await count(o, 'span')) - before, once, 'no span stored twice');
    assert.match(o.ctx.metrics.render(), /orrery_ingest_duplicate_batches_total\{source="otlp",signal="traces"\} 2/);
  });

  it('stores another export of records like these (a different request) again', async () => {
    const before = await count(o, 'log_record');
    assert.equal((await post('/v1/logs', logs)).statusCode, 200);
    const once = (await count(o, 'log_record')) - before;
    assert.ok(once > 0);
    const other = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkLogs())!);
    assert.ok(!other.equals(logs), 'a new export has its own timestamps');
    assert.equal((await post('/v1/logs', other)).statusCode, 200);
    assert.equal((await count(o, 'log_record')) - before, 2 * once);
  });
});

describe('exactly-once in one group commit', () => {
  it('stores two concurrent copies of a keyed batch once, and an unkeyed batch each time', async () => {
    const { store, cleanup } = await freshPglite();
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let first = true;
      const writer = new BatchWriter(
        async (parts) => {
          if (first) {
            first = false;
            await gate;
          }
          return store.writeKeyedTelemetry(parts);
        },
        { concurrency: 1, maxQueuedRecords: 1000, maxQueueWaitMs: 10_000, maxBatchRecords: 100 },
      );
      const batch = (body: string) => ({ logs: [logRecord({ body })], spans: [], metrics: [] });
      // The first commit is held, so the next four queue and commit together.
      const held = writer.submit(batch('held'), { key: 'k0' });
      const group = [
        writer.submit(batch('dup'), { key: 'k1' }),
        writer.submit(batch('dup'), { key: 'k1' }),
        writer.submit(batch('plain')),
        writer.submit(batch('plain')),
      ];
      release();
      assert.equal(await held, true);
      assert.deepEqual(await Promise.all(group), [true, false, true, true]);
      assert.equal(await writer.submit(batch('dup'), { key: 'k1' }), false, 'a later retry');
      const rows = await store.db.query<{ body: string; n: number }>(
        'SELECT body, count(*)::int AS n FROM log_record GROUP BY body ORDER BY body',
      );
      assert.deepEqual(
        rows.map((r) => [r.body, Number(r.n)]),
        [
          ['dup', 1],
          ['held', 1],
          ['plain', 2],
        ],
      );
    } finally {
      await cleanup();
    }
  });

  it('forgets keys past their expiry at retention', async () => {
    const { store, cleanup } = await freshPglite();
    try {
      const parts = [{ batch: { logs: [logRecord({ body: 'x' })], spans: [], metrics: [] }, key: 'old' }];
      assert.deepEqual(await store.writeKeyedTelemetry(parts), [true]);
      assert.deepEqual(await store.writeKeyedTelemetry(parts), [false]);
      await store.applyRetention(new Date(Date.now() + 2 * 3_600_000));
      assert.deepEqual(await store.writeKeyedTelemetry(parts), [true], 'a key past its expiry is new again');
    } finally {
      await cleanup();
    }
  });
});
