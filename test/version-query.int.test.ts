// One service's minutes by version (what investigate compares a deployed version with the one
// before it by), on both backends: rows of one minute and version from several nodes and
// endpoints summed, their sketches merged; other services and minutes outside the range left out.
// And the same per bucket of seconds from the raw spans (server spans and roots only).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Store, versionBuckets, versionMinutes } from '../src/store/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { span } from './helpers/records.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

const m0 = '2026-11-22T10:00:00.000Z';
const m1 = '2026-11-22T10:01:00.000Z';
const m2 = '2026-11-22T10:02:00.000Z';

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`versionMinutes (${backend})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres());
      await seedAnalysis(store.db, {
        red_minute: [
          {
            minute: m0,
            service: 'catalog',
            endpoint: '/products',
            version: '3.2.0',
            requests: 10,
            errors: 1,
            latency: [[30, 10]],
          },
          {
            minute: m0,
            service: 'catalog',
            endpoint: '/prices',
            version: '3.2.0',
            requests: 5,
            errors: 0,
            latency: [[10, 5]],
          },
          {
            minute: m1,
            service: 'catalog',
            endpoint: '/products',
            version: '3.2.0',
            requests: 4,
            errors: 0,
            latency: [[30, 4]],
          },
          {
            minute: m1,
            service: 'catalog',
            endpoint: '/products',
            version: '3.2.1',
            requests: 6,
            errors: 0,
            latency: [[31, 6]],
          },
          {
            minute: m1,
            service: 'catalog',
            endpoint: '/products',
            version: '3.2.1',
            requests: 2,
            errors: 1,
            latency: [[300, 2]],
          },
          { minute: m1, service: 'web', endpoint: '/', version: '2.4.0', requests: 9, errors: 0, latency: [[5, 9]] },
          {
            minute: m2,
            service: 'catalog',
            endpoint: '/products',
            version: '3.2.1',
            requests: 50,
            errors: 0,
            latency: [[40, 50]],
          },
        ],
      });
    });
    after(async () => cleanup());

    it('sums each minute and version over nodes and endpoints, in order', async () => {
      const rows = await versionMinutes(store.db, 'catalog', new Date(m0), new Date(m2));
      assert.deepEqual(
        rows.map((r) => [new Date(r.minuteMs).toISOString(), r.version, r.requests, r.errors, r.latency.count]),
        [
          [m0, '3.2.0', 15, 1, 15],
          [m1, '3.2.0', 4, 0, 4],
          [m1, '3.2.1', 8, 1, 8],
        ],
      );
      const slowest = rows[2]!.latency.quantile(1);
      assert.ok(Math.abs(slowest - 300) <= 3, `merged sketch keeps the slow node's requests: ${slowest}`);
    });

    it('buckets the raw server spans by seconds and version, with errors and a latency histogram', async () => {
      const t0 = Date.parse('2026-11-22T12:00:00Z');
      const req = (i: number, atS: number, version: string, ms: number, over: Parameters<typeof span>[0] = {}) =>
        span({
          traceId: `d${i}`.padEnd(32, '0'),
          spanId: `d${i}`.padEnd(16, '0'),
          service: 'catalog',
          serviceVersion: version,
          statusCode: 0,
          startTimeUnixNano: (t0 + atS * 1000) * 1e6,
          endTimeUnixNano: (t0 + atS * 1000 + ms) * 1e6,
          durationNano: ms * 1e6,
          ...over,
        });
      await store.writeTelemetry({
        logs: [],
        metrics: [],
        spans: [
          req(1, 1, '3.2.0', 30),
          req(2, 3, '3.2.0', 32, { statusCode: 2 }),
          req(3, 16, '3.2.0', 30),
          req(4, 17, '3.2.1', 300),
          // A client span under another: not a request catalog served.
          req(5, 18, '3.2.1', 5, { kind: 3, parentSpanId: 'd4'.padEnd(16, '0') }),
          req(6, 40, '3.2.1', 30, { service: 'web' }),
          req(7, 70, '3.2.1', 30),
        ],
      });
      const rows = await versionBuckets(store.db, 'catalog', new Date(t0), new Date(t0 + 60_000), 15);
      assert.deepEqual(
        rows.map((r) => [(r.minuteMs - t0) / 1000, r.version, r.requests, r.errors, r.latency.count]),
        [
          [0, '3.2.0', 2, 1, 2],
          [15, '3.2.0', 1, 0, 1],
          [15, '3.2.1', 1, 0, 1],
        ],
      );
      const slow = rows[2]!.latency.quantile(0.5);
      assert.ok(Math.abs(slow - 300) / 300 < 0.05, `4% bins: ${slow}`);
    });
  });
}
