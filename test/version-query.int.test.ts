// One service's minutes by version (what investigate compares a deployed version with the one
// before it by), on both backends: rows of one minute and version from several nodes and
// endpoints summed, their sketches merged; other services and minutes outside the range left out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Store, versionMinutes } from '../src/store/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
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
  });
}
