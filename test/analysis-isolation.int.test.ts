// One service's bad text must not stop analysis for every other service, on PGlite and on
// PostgreSQL. NUL-bearing OTLP records (protobuf and JSON) are stored and analysed like any
// others (NUL → U+FFFD at decode time), while a clean service's 100 log lines and 50 spans
// give exactly 100 pattern counts and 50 RED requests. And independently of that fix, a
// flush the store rejects for one service's rows writes every other service's rows, drops
// only the rows that still fail, counts them on /metrics and logs the reason once; a store
// that is down (not a data error) loses nothing: the rows are written once it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import protobuf from 'protobufjs/minimal.js';
import type { LogRecord, Span } from '../src/model/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { BatchWriter, type Db, type Queryable, type Store } from '../src/store/index.js';
import { AnalysisPipeline, type Context, ingestOtlp } from '../src/workflows/index.js';
import { logRecord, span } from './helpers/records.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

const MINUTE_NS = 60e9;
const baseNs = () => Math.floor(Date.now() / 60_000) * MINUTE_NS;
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** Logs at one time; `atNs` apart, equal lines make another batch (an equal request is a retry, stored once). */
function jsonLogs(service: string, bodies: string[], extra: object[] = [], atNs = 0): Buffer {
  const t = String(baseNs() + 1e9 + atNs);
  return Buffer.from(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [attr('service.name', service), attr('host.name', 'h\u0000ost')] },
          scopeLogs: [{ logRecords: bodies.map((b) => ({ timeUnixNano: t, body: { stringValue: b }, ...extra })) }],
        },
      ],
    }),
  );
}

function jsonSpans(service: string, n: number, name: string, offset: number): Buffer {
  const start = baseNs() + 2e9;
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [attr('service.name', service)] },
          scopeSpans: [
            {
              spans: Array.from({ length: n }, (_, i) => ({
                traceId: (offset + i + 1).toString(16).padStart(32, '0'),
                spanId: (offset + i + 1).toString(16).padStart(16, '0'),
                name,
                kind: 2,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 3_000_000),
                attributes: [attr('http.route', name.includes('\u0000') ? '/n\u0000ul' : '/orders')],
              })),
            },
          ],
        },
      ],
    }),
  );
}

/** A protobuf logs request with a NUL in the body, an attribute key and value, and the service name. */
function protoNulLogs(atNs = 0): Buffer {
  const w = protobuf.Writer.create();
  const kv = (tag: number, k: string, v: string) => {
    w.uint32(tag).fork().uint32(0x0a).string(k).uint32(0x12).fork().uint32(0x0a).string(v).ldelim().ldelim();
  };
  const t = baseNs() + 1e9 + atNs;
  w.uint32(0x0a).fork().uint32(0x0a).fork();
  kv(0x0a, 'service.name', 'dirty\u0000proto');
  w.ldelim().uint32(0x12).fork().uint32(0x12).fork();
  w.uint32(0x09)
    .fixed32(t % 2 ** 32)
    .fixed32(Math.floor(t / 2 ** 32));
  w.uint32(0x2a).fork().uint32(0x0a).string('proto body \u0000 with nul').ldelim();
  kv(0x32, 'k\u0000', 'v\u0000');
  w.ldelim().ldelim().ldelim();
  return Buffer.from(w.finish());
}

async function sum(db: Queryable, sql: string, service: string): Promise<number> {
  const [r] = await db.query<{ n: number | null }>(sql, [service]);
  return Number(r?.n ?? 0);
}
const patternCount = (db: Queryable, s: string) =>
  sum(db, 'SELECT sum(count)::int8 AS n FROM pattern_minute WHERE service = $1', s);
const redCount = (db: Queryable, s: string) =>
  sum(db, 'SELECT sum(requests)::int8 AS n FROM red_minute WHERE service = $1', s);

interface Harness {
  store: Store;
  ctx: Context;
  pipeline: AnalysisPipeline;
  metrics: SelfMetrics;
  errors: string[];
  cleanup(): Promise<void>;
}

async function harness(backend: 'pglite' | 'postgres', wrap: (db: Db) => Db = (db) => db): Promise<Harness> {
  const { store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres();
  const metrics = new SelfMetrics();
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: 100_000,
    maxQueueWaitMs: 10_000,
    maxBatchRecords: 20_000,
  });
  const errors: string[] = [];
  const pipeline = new AnalysisPipeline(wrap(store.db), metrics, {
    flushIntervalMs: 3_600_000,
    compactEveryMinutes: 0,
    onError: (err, what) => errors.push(`${what}: ${err.message}`),
  });
  await pipeline.start();
  const ctx: Context = { store, writer, metrics, analysis: pipeline };
  return {
    store,
    ctx,
    pipeline,
    metrics,
    errors,
    async cleanup() {
      await pipeline.stop().catch(() => {});
      await cleanup();
    },
  };
}

/** A Db whose statements fail while `fail(params)` says so, with `code` as their SQLSTATE. */
function failing(code: string, fail: (params: string) => boolean): (db: Db) => Db {
  const guard = (q: Queryable): Queryable => ({
    query: (sql, params) => {
      if (fail(JSON.stringify(params ?? [])))
        return Promise.reject(Object.assign(new Error(`injected ${code}`), { code }));
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
    copyFrom: (t, c, text) => q.copyFrom(t, c, text),
  });
  return (db) => ({
    ...guard(db),
    backend: db.backend,
    location: db.location,
    concurrency: db.concurrency,
    transaction: (fn) => db.transaction((tx) => fn(guard(tx))),
    close: () => db.close(),
  });
}

const cleanLogs = (n: number): LogRecord[] =>
  Array.from({ length: n }, (_, i) => logRecord({ service: 'clean', body: `order ${i} shipped`, traceId: null }));
const cleanSpans = (n: number): Span[] =>
  Array.from({ length: n }, (_, i) =>
    span({ service: 'clean', spanId: (i + 1).toString(16).padStart(16, '0'), events: [] }),
  );

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`analysis with hostile text (${backend})`, () => {
    describe('NUL-bearing OTLP records', () => {
      let h: Harness;
      before(async () => {
        h = await harness(backend);
      });
      after(() => h.cleanup());

      it("another service's counts are exact while NUL-bearing records arrive", async () => {
        for (let round = 0; round < 5; round++) {
          const results = await Promise.all([
            ingestOtlp(
              h.ctx,
              'logs',
              'json',
              jsonLogs('dirty', ['nul \u0000 body', 'lone \ud800 surrogate'], [], round * 1e6),
            ),
            ingestOtlp(
              h.ctx,
              'logs',
              'json',
              jsonLogs('dirty', ['attrs'], [{ attributes: [attr('k\u0000ey', 'v\u0000al')] }], round * 1e6),
            ),
            ingestOtlp(h.ctx, 'logs', 'protobuf', protoNulLogs(round * 1e6)),
            ingestOtlp(h.ctx, 'traces', 'json', jsonSpans('dirty', 2, 'GET /n\u0000ul', 1000 + round * 10)),
          ]);
          for (const r of results) assert.equal(r.rejected, 0, r.message);
          const bodies = Array.from({ length: 20 }, (_, i) => `order ${round * 20 + i} shipped`);
          await ingestOtlp(h.ctx, 'logs', 'json', jsonLogs('clean', bodies));
          await ingestOtlp(h.ctx, 'traces', 'json', jsonSpans('clean', 10, 'GET /orders', round * 10));
          await h.pipeline.flush();
        }
        const db = h.store.db;
        assert.equal(await patternCount(db, 'clean'), 100);
        assert.equal(await redCount(db, 'clean'), 50);
        // The NUL-bearing records were analysed too, not just kept out of the way.
        assert.equal(await patternCount(db, 'dirty'), 15);
        assert.equal(await redCount(db, 'dirty'), 10);
        assert.equal(await patternCount(db, 'dirty\ufffdproto'), 5);
        assert.deepEqual(h.errors, []);
        const [raw] = await h.store.queryLogs({ limit: 1, service: 'dirty\ufffdproto' });
        assert.equal(raw?.body, 'proto body \ufffd with nul');
        assert.equal(raw?.attributes['k\ufffd'], 'v\ufffd');
      });
    });

    describe('flush isolation', () => {
      it("a row the store rejects does not take other services' rows with it, and is counted", async () => {
        const h = await harness(
          backend,
          failing('22P05', (p) => p.includes('poison')),
        );
        try {
          for (let round = 0; round < 2; round++) {
            await h.pipeline.observe({
              logs: [...cleanLogs(50), logRecord({ service: 'poison', body: 'bad row', traceId: null })],
              spans: [...cleanSpans(25), span({ service: 'poison', events: [] })],
              metrics: [],
            });
            await h.pipeline.flush();
          }
          const db = h.store.db;
          assert.equal(await patternCount(db, 'clean'), 100);
          assert.equal(await redCount(db, 'clean'), 50);
          assert.equal(await patternCount(db, 'poison'), 0);
          const text = h.metrics.render();
          const m = /orrery_analysis_rows_dropped_total\{reason="data_exception"\} (\d+)/.exec(text);
          assert.ok(m && Number(m[1]) >= 2, text);
          assert.match(text, /orrery_analysis_flushes_total\{outcome="error"\} 0/);
          const drops = h.errors.filter((e) => /dropped/.test(e));
          assert.equal(drops.length, 1, h.errors.join('\n'));
          assert.match(drops[0]!, /22P05/);
        } finally {
          await h.cleanup();
        }
      });

      it('isolates a real store error: a NUL that bypassed the decoders', async () => {
        const h = await harness(backend);
        try {
          await h.pipeline.observe({
            logs: [...cleanLogs(100), logRecord({ service: 'raw-nul', body: 'nul \u0000 straight in', traceId: null })],
            spans: cleanSpans(50),
            metrics: [],
          });
          await h.pipeline.flush();
          assert.equal(await patternCount(h.store.db, 'clean'), 100);
          assert.equal(await redCount(h.store.db, 'clean'), 50);
          assert.match(h.metrics.render(), /orrery_analysis_rows_dropped_total\{reason="data_exception"\} [1-9]/);
        } finally {
          await h.cleanup();
        }
      });

      it('keeps everything for the next flush when the store itself fails', async () => {
        let down = false;
        const h = await harness(
          backend,
          failing('57P01', () => down),
        );
        down = true;
        try {
          await h.pipeline.observe({ logs: cleanLogs(100), spans: cleanSpans(50), metrics: [] });
          await h.pipeline.flush();
          assert.equal(await patternCount(h.store.db, 'clean'), 0);
          down = false;
          await h.pipeline.flush();
          assert.equal(await patternCount(h.store.db, 'clean'), 100);
          assert.equal(await redCount(h.store.db, 'clean'), 50);
          assert.doesNotMatch(h.metrics.render(), /orrery_analysis_rows_dropped_total\{[^}]*\} [1-9]/);
        } finally {
          await h.cleanup();
        }
      });
    });
  });
}
