// Compaction of closed minutes, on both backends: the rows of one key and minute (one per
// flush) become one, and everything a reader sees is unchanged: counts, latency quantiles,
// distinct users, flows. Compacting again changes nothing; a row that arrives late into a
// compacted minute still counts; the pipeline compacts the minutes that have closed and rolls
// their span trees up into self time and edge own time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamAnalyzer } from '../src/analysis/aggregate/index.js';
import { HyperLogLog } from '../src/analysis/index.js';
import type { LogRecord, Span } from '../src/model/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import {
  type Queryable,
  type Store,
  bytesOf,
  compactMinutes,
  minuteSignals,
  spanTimeSignals,
  writeAnalysisDelta,
} from '../src/store/index.js';
import { AnalysisPipeline } from '../src/workflows/index.js';
import { logRecord, span } from './helpers/records.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

const T0 = Date.parse('2026-11-22T10:00:00Z');
const MIN = 60_000;
const TABLES = ['pattern_minute', 'error_minute', 'red_minute', 'edge_minute', 'flow_minute'] as const;

/** One request at `ms`: web → cart, cart logs two lines, one in five fails. */
function request(i: number, ms: number): { spans: Span[]; logs: LogRecord[] } {
  const traceId = i.toString(16).padStart(32, '0');
  const ns = ms * 1e6;
  const fails = i % 5 === 0;
  const user = `u-${i % 7}`;
  const dur = (10 + (i % 13) * 7) * 1e6;
  const common = {
    traceId,
    userId: user,
    accountId: `acct-${i % 3}`,
    startTimeUnixNano: ns,
    endTimeUnixNano: ns + dur,
    durationNano: dur,
    events: [],
  };
  const webId = `a${i.toString(16).padStart(15, '0')}`;
  const cartId = `b${i.toString(16).padStart(15, '0')}`;
  return {
    spans: [
      span({
        ...common,
        spanId: webId,
        service: 'web',
        name: 'GET /api/cart',
        httpRoute: '/api/cart',
        statusCode: fails ? 2 : 0,
        kind: 2,
      }),
      span({
        ...common,
        spanId: cartId,
        parentSpanId: webId,
        service: 'cart',
        name: 'GET /carts/:user',
        httpRoute: '/carts/:user',
        statusCode: fails ? 2 : 0,
        kind: 2,
      }),
    ],
    logs: [
      logRecord({
        traceId,
        spanId: cartId,
        userId: user,
        timeUnixNano: ns + 1e6,
        severityNumber: 9,
        severityText: 'INFO',
        body: `loading cart of ${user} with ${i % 4} items`,
      }),
      logRecord({
        traceId,
        spanId: cartId,
        userId: user,
        timeUnixNano: ns + 2e6,
        severityNumber: fails ? 17 : 9,
        severityText: fails ? 'ERROR' : 'INFO',
        body: fails
          ? `TypeError: cannot read properties of undefined (reading 'qty') in cart ${i}`
          : `cart ${i} summarized`,
        attributes: fails
          ? {
              'exception.type': 'TypeError',
              'exception.message': "cannot read properties of undefined (reading 'qty')",
            }
          : {},
      }),
    ],
  };
}

/** Five seconds of requests at a time (three each) over `minutes` minutes from `startMs`, as a flush sees them. */
function* slices(startMs: number, minutes: number): Generator<{ spans: Span[]; logs: LogRecord[]; requests: number }> {
  for (let t = 0; t < minutes * 60; t += 5) {
    const spans: Span[] = [];
    const logs: LogRecord[] = [];
    for (let s = t; s < t + 5; s += 2) {
      const r = request(startMs / 1000 + s, startMs + s * 1000);
      spans.push(...r.spans);
      logs.push(...r.logs);
    }
    yield { spans, logs, requests: 3 };
  }
}

/** The slices analysed and written one drain each (as flushes do). */
async function ingest(store: Store, startMs: number, minutes: number): Promise<void> {
  const a = new StreamAnalyzer();
  for (const { spans, logs } of slices(startMs, minutes)) {
    a.observeSpans(spans);
    a.observeLogs(logs);
    await writeAnalysisDelta(store.db, a.drain());
  }
}

async function rows(q: Queryable, table: string): Promise<number> {
  const [r] = await q.query(`SELECT count(*)::int8 AS n FROM ${table}`);
  return Number(r?.n);
}

/** How many rows share a key and minute, at most. */
async function maxPerKey(q: Queryable, table: (typeof TABLES)[number]): Promise<number> {
  const keys = {
    pattern_minute: 'service, pattern_key, version',
    error_minute: 'service, fingerprint, version',
    red_minute: 'service, endpoint, version',
    edge_minute: 'caller, callee',
    flow_minute: 'service, from_key, to_key',
  }[table];
  const [r] = await q.query(
    `SELECT coalesce(max(n), 0)::int8 AS n FROM (SELECT count(*) AS n FROM ${table} GROUP BY minute, ${keys}) x`,
  );
  return Number(r?.n);
}

/** Everything a reader of [from, to) sees, as plain values. */
async function view(store: Store, from: number, to: number) {
  const s = await minuteSignals(store.db, new Date(from), new Date(to));
  const sortStr = (xs: string[]) => xs.sort();
  const users = await store.db.query(
    `SELECT encode(users, 'base64') AS u FROM pattern_minute WHERE users IS NOT NULL AND minute >= $1 AND minute < $2`,
    [new Date(from), new Date(to)],
  );
  const hll = new HyperLogLog();
  for (const r of users) hll.merge(HyperLogLog.fromBytes(bytesOf(Buffer.from(String(r.u), 'base64'))!));
  return {
    red: sortStr(
      s.red.map(
        (r) =>
          `${r.minuteMs} ${r.service} ${r.endpoint} ${r.requests} ${r.errors} ${r.latency.count} ${r.latency.quantile(0.5)?.toFixed(3)} ${r.latency.quantile(0.99)?.toFixed(3)}`,
      ),
    ),
    patterns: sortStr(s.patterns.map((p) => `${p.minuteMs} ${p.service} ${p.key} ${p.count} ${p.level}`)),
    errors: sortStr(s.errorGroups.map((e) => `${e.minuteMs} ${e.service} ${e.key} ${e.count}`)),
    edges: sortStr(
      s.edges.map(
        (e) =>
          `${e.minuteMs} ${e.caller} ${e.callee} ${e.calls} ${e.errors} ${e.latency.count} ${e.latency.quantile(0.9)?.toFixed(3)}`,
      ),
    ),
    flows: sortStr(s.flows.map((f) => `${f.minuteMs} ${f.service} ${f.from} ${f.to} ${f.count}`)),
    users: Math.round(hll.estimate()),
  };
}

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`compactMinutes (${backend})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres());
    });
    after(async () => cleanup());

    it('sums the rows of each key and minute into one, and readers see the same signals', async () => {
      await ingest(store, T0, 3);
      const before = await view(store, T0, T0 + 3 * MIN);
      assert.ok(
        before.red.length > 0 &&
          before.patterns.length > 0 &&
          before.errors.length > 0 &&
          before.edges.length > 0 &&
          before.flows.length > 0,
        'every kind of signal is there',
      );
      assert.equal(before.users, 7);
      const counts = Object.fromEntries(
        await Promise.all(TABLES.map(async (t) => [t, await rows(store.db, t)] as const)),
      );
      for (const t of TABLES) assert.ok((await maxPerKey(store.db, t)) > 1, `${t} has one row per flush before`);

      const stats = await compactMinutes(store.db, new Date(T0), new Date(T0 + 2 * MIN));
      for (const t of TABLES) {
        const s = stats.find((x) => x.table === t)!;
        assert.ok(s.rowsIn > s.rowsOut && s.rowsOut > 0, `${t}: ${s.rowsIn} rows became ${s.rowsOut}`);
        assert.equal(await rows(store.db, t), counts[t]! - s.rowsIn + s.rowsOut);
      }
      const after = await view(store, T0, T0 + 3 * MIN);
      assert.deepEqual(after, before);
      // The compacted minutes hold one row per key; the third minute is left as it was.
      for (const t of TABLES) {
        const [r] = await store.db.query(`SELECT count(*)::int8 AS n FROM ${t} WHERE minute >= $1 AND minute < $2`, [
          new Date(T0 + 2 * MIN),
          new Date(T0 + 3 * MIN),
        ]);
        assert.ok(Number(r?.n) > 0);
      }
    });

    it('changes nothing when run again, and a late row into a compacted minute still counts', async () => {
      const before = await view(store, T0, T0 + 3 * MIN);
      const again = await compactMinutes(store.db, new Date(T0), new Date(T0 + 2 * MIN));
      assert.deepEqual(
        again.map((s) => s.rowsIn),
        TABLES.map(() => 0),
      );
      const a = new StreamAnalyzer();
      const late = request(99_999, T0 + 30_000);
      a.observeSpans(late.spans);
      a.observeLogs(late.logs);
      await writeAnalysisDelta(store.db, a.drain());
      const after = await view(store, T0, T0 + 3 * MIN);
      const webAt = (v: typeof before) => v.red.find((r) => r.startsWith(`${T0} web `))!.split(' ')[3];
      assert.equal(Number(webAt(after)), Number(webAt(before)) + 1);
      assert.deepEqual(await compactMinutes(store.db, new Date(T0), new Date(T0)), []);
    });
  });
}

describe('AnalysisPipeline compaction', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await freshPglite());
  });
  after(async () => cleanup());

  it('compacts the minutes that have closed, and leaves the open ones', async () => {
    const start = T0 + 60 * MIN;
    const metrics = new SelfMetrics();
    const pipeline = new AnalysisPipeline(store.db, metrics, {
      flushIntervalMs: 2 ** 30,
      compactEveryMinutes: 2,
      closeAfterMinutes: 1,
      now: () => start + 60 * MIN,
    });
    await pipeline.start();
    let sent = 0;
    for (const { spans, logs, requests } of slices(start, 6)) {
      await pipeline.observe({ spans, logs, metrics: [] });
      await pipeline.flush();
      sent += requests;
    }
    await pipeline.stop();
    // Minute m closes when data of minute m + 2 arrives (one minute of lateness); two closed
    // minutes are compacted at a time: minutes 0–2 were, by the time data reached minute 4;
    // minute 3 waits for a second closed one, and minutes 4 and 5 are open.
    const perKey = async (from: number, to: number) => {
      const [r] = await store.db.query(
        `SELECT coalesce(max(n), 0)::int8 AS n FROM (SELECT count(*) AS n FROM red_minute WHERE minute >= $1 AND minute < $2 GROUP BY minute, service, endpoint, version) x`,
        [new Date(from), new Date(to)],
      );
      return Number(r?.n);
    };
    assert.equal(await perKey(start, start + 3 * MIN), 1);
    assert.ok((await perKey(start + 3 * MIN, start + 6 * MIN)) > 1);
    const s = await minuteSignals(store.db, new Date(start), new Date(start + 6 * MIN), ['web']);
    const requests = s.red.filter((r) => r.service === 'web').reduce((a, r) => a + r.requests, 0);
    assert.equal(requests, sent, 'every request is counted once');
    // PGlite has no autovacuum: the compaction was followed by a vacuum of the minute tables.
    const exposition = metrics.render();
    assert.match(exposition, /orrery_analysis_vacuums_total\{outcome="ok"\} [1-9]/);
    const [dead] = await store.db.query(
      `SELECT count(*) FILTER (WHERE last_vacuum IS NOT NULL)::int8 AS vacuumed
         FROM pg_stat_user_tables WHERE relname IN ('red_minute', 'pattern_minute', 'error_minute', 'edge_minute', 'flow_minute')`,
    );
    assert.equal(Number(dead?.vacuumed), 5);
  });
});

describe('AnalysisPipeline span-time roll-up', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ store, cleanup } = await freshPglite());
  });
  after(async () => cleanup());

  it('rolls up the closed minutes once, and the reader takes the rest from the raw spans', async () => {
    const start = T0 + 60 * MIN;
    const pipeline = new AnalysisPipeline(store.db, new SelfMetrics(), {
      flushIntervalMs: 2 ** 30,
      closeAfterMinutes: 1,
      now: () => start + 60 * MIN,
    });
    await pipeline.start();
    for (const { spans, logs } of slices(start, 6)) {
      await store.writeTelemetry({ spans, logs, metrics: [] });
      await pipeline.observe({ spans, logs, metrics: [] });
      await pipeline.flush();
    }
    await pipeline.stop();
    // Spans reached minute 5 and a minute closes one minute later: minutes 0–3 are rolled up.
    const rolled = await store.db.query('SELECT minute FROM span_time_rollup ORDER BY minute');
    assert.deepEqual(
      rolled.map((r) => (r.minute as Date).getTime() - start),
      [0, 1, 2, 3].map((m) => m * MIN),
    );
    const s = await spanTimeSignals(store.db, new Date(start), new Date(start + 6 * MIN));
    assert.deepEqual(s.minutes, { rolled: 4, raw: 2 });
    const visits = s.selfTimes.filter((r) => r.service === 'web').reduce((a, r) => a + r.visits, 0);
    assert.equal(visits, (6 * 60 * 3) / 5, 'every web request is one visit, rolled up or read raw');
  });
});
