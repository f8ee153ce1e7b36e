// Self time and call-edge own time, on both backends: read from the raw spans, a trace written
// in two batches (its client span in one, the server span in the other) gives the same rows as one
// batch; the rows keep to their window; past the bound, a trace-id-hash sample keeps whole traces.
// Rolled up (span-time-rollup), the same rows come from the minute tables, each minute once
// however many roll-ups ran, and a window part rolled up and part not reads both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Span } from '../src/model/index.js';
import { type Store, rollUpSpanTimes, spanTimeSignals } from '../src/store/index.js';
import { span } from './helpers/records.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

const T = Date.parse('2026-11-22T10:00:00.000Z');
const MIN = 60_000;

/** web (entry, 100 ms) calls cart with a client span of 60 ms; cart's server span takes 45 ms. */
function trace(n: number, minute: number): Span[] {
  const t = `${n.toString(16)}`.padStart(32, 'a');
  const at = (offMs: number, ms: number) => {
    const start = (T + minute * MIN + n * 1000 + offMs) * 1e6;
    return { startTimeUnixNano: start, endTimeUnixNano: start + ms * 1e6, durationNano: ms * 1e6 };
  };
  const common = { traceId: t, statusCode: 0, events: [] };
  return [
    span({ ...common, spanId: `${n}01`.padEnd(16, '0'), service: 'web', name: 'GET /', kind: 2, ...at(0, 100) }),
    span({
      ...common,
      spanId: `${n}02`.padEnd(16, '0'),
      parentSpanId: `${n}01`.padEnd(16, '0'),
      service: 'web',
      name: 'GET cart',
      kind: 3,
      ...at(10, 60),
    }),
    span({
      ...common,
      spanId: `${n}03`.padEnd(16, '0'),
      parentSpanId: `${n}02`.padEnd(16, '0'),
      service: 'cart',
      name: 'GET /cart',
      kind: 2,
      ...at(15, 45),
    }),
  ];
}

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`spanTimeSignals (${backend})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres());
      const spans = Array.from({ length: 20 }, (_, n) => trace(n, n < 10 ? 0 : 5)).flat();
      // Client spans in one batch, everything else in another (as two nodes would write them).
      await store.writeTelemetry({ logs: [], metrics: [], spans: spans.filter((s) => s.kind === 3) });
      await store.writeTelemetry({ logs: [], metrics: [], spans: spans.filter((s) => s.kind !== 3) });
    });
    after(() => cleanup());

    it('gives each service its self time and each edge its own time, per window', async () => {
      const r = await spanTimeSignals(store.db, new Date(T), new Date(T + 7 * MIN));
      assert.equal(r.sampled, 1);
      assert.deepEqual(r.minutes, { rolled: 0, raw: 7 });
      const web = r.selfTimes.filter((x) => x.service === 'web');
      assert.equal(
        web.reduce((s, x) => s + x.visits, 0),
        20,
      );
      for (const x of web) assert.ok(Math.abs(x.latency.quantile(0.5) - 40) < 1, `web self ${x.latency.quantile(0.5)}`);
      const edge = r.edgeTimes.filter((x) => x.caller === 'web' && x.callee === 'cart');
      assert.equal(
        edge.reduce((s, x) => s + x.calls, 0),
        20,
      );
      for (const x of edge) {
        assert.equal(x.unanswered, 0);
        assert.ok(Math.abs(x.latency.quantile(0.5) - 15) < 0.5, `edge own ${x.latency.quantile(0.5)}`);
      }
      const only = await spanTimeSignals(store.db, new Date(T), new Date(T + 2 * MIN), { services: ['cart'] });
      assert.deepEqual([...new Set(only.selfTimes.map((x) => x.service))], ['cart']);
      assert.equal(
        only.edgeTimes.reduce((s, x) => s + x.calls, 0),
        10,
      );
    });

    it('past the bound, samples whole traces by a hash of the trace id, the same on every read', async () => {
      const a = await spanTimeSignals(store.db, new Date(T), new Date(T + 10 * MIN), { maxSpans: 30 });
      const b = await spanTimeSignals(store.db, new Date(T), new Date(T + 10 * MIN), { maxSpans: 30 });
      assert.ok(a.sampled < 1);
      assert.deepEqual(
        a.selfTimes.map((x) => [x.minuteMs, x.service, x.visits]),
        b.selfTimes.map((x) => [x.minuteMs, x.service, x.visits]),
      );
      // Whole traces: every sampled web visit still pairs its call with cart's server span.
      assert.equal(
        a.edgeTimes.reduce((s, x) => s + x.unanswered, 0),
        0,
      );
    });

    it('rolls closed minutes up once, and reads rolled and raw minutes alike', async () => {
      const raw = await spanTimeSignals(store.db, new Date(T), new Date(T + 7 * MIN));
      const key = (r: { minuteMs: number; service: string; visits: number }) =>
        `${r.minuteMs} ${r.service} ${r.visits}`;
      // Two roll-ups of the same minutes at once (two nodes): each minute is claimed by one.
      const [x, y] = await Promise.all([
        rollUpSpanTimes(store.db, new Date(T), new Date(T + 3 * MIN)),
        rollUpSpanTimes(store.db, new Date(T), new Date(T + 3 * MIN)),
      ]);
      assert.equal(x.minutes + y.minutes, 1, 'only minute 0 has spans in [0, 3)');
      assert.equal((await rollUpSpanTimes(store.db, new Date(T), new Date(T + 3 * MIN))).minutes, 0);
      const mixed = await spanTimeSignals(store.db, new Date(T), new Date(T + 7 * MIN));
      assert.deepEqual(mixed.minutes, { rolled: 1, raw: 6 });
      assert.deepEqual(mixed.selfTimes.map(key).sort(), raw.selfTimes.map(key).sort());
      await rollUpSpanTimes(store.db, new Date(T), new Date(T + 10 * MIN));
      const rolled = await spanTimeSignals(store.db, new Date(T), new Date(T + 7 * MIN));
      assert.deepEqual(rolled.minutes, { rolled: 2, raw: 5 });
      assert.deepEqual(rolled.selfTimes.map(key).sort(), raw.selfTimes.map(key).sort());
      const edge = rolled.edgeTimes.filter((e) => e.caller === 'web' && e.callee === 'cart');
      assert.equal(
        edge.reduce((s, e) => s + e.calls, 0),
        20,
      );
      for (const e of edge)
        assert.ok(Math.abs(e.latency.quantile(0.5) - 15) < 0.5, `edge own ${e.latency.quantile(0.5)}`);
      // In buckets (the baseline's of 5 minutes ending at the split), rolled rows and raw rows land alike.
      const buckets = { split: new Date(T + 5 * MIN), baselineMinutes: 5, incidentMinutes: 1 };
      const b = await spanTimeSignals(store.db, new Date(T), new Date(T + 7 * MIN), { buckets });
      assert.deepEqual(
        [...new Set(b.selfTimes.map((r) => r.minuteMs - T))].sort((p, q) => p - q),
        [0, 5 * MIN],
      );
    });
  });
}
