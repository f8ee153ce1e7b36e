// The minute signals an investigation reads, on both backends: rows of one (minute, key)
// from several nodes are summed and their sketches merged; merged patterns count under the
// pattern they converged into, with its level; a service filter keeps the edges touching it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamAnalyzer } from '../src/analysis/aggregate/index.js';
import {
  type Store,
  dependencyScope,
  downstreamScopes,
  failedAtEntry,
  hurtUsers,
  loadPatternSeeds,
  minuteSignals,
  servicesOnEndpointTraces,
  writeAnalysisDelta,
} from '../src/store/index.js';
import { logRecord } from './helpers/records.js';
import { span } from './helpers/records.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

const m0 = '2026-11-22T10:00:00.000Z';
const m1 = '2026-11-22T10:01:00.000Z';

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`minuteSignals (${backend})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres());
      await seedAnalysis(store.db, {
        log_pattern: [
          {
            service: 'cart',
            algorithm: 'patterns@3',
            pattern_key: 'old',
            template: 'retry <*>',
            level: 'INFO',
            merged_into: 'new',
          },
          {
            service: 'cart',
            algorithm: 'patterns@3',
            pattern_key: 'new',
            template: 'retrying <*> attempt <*>',
            level: 'WARN',
          },
        ],
        pattern_minute: [
          { minute: m0, service: 'cart', pattern_key: 'old', count: 2 },
          { minute: m0, service: 'cart', pattern_key: 'new', count: 3 },
          { minute: m1, service: 'cart', pattern_key: 'new', count: 4 },
        ],
        error_group: [
          { service: 'cart', algorithm: 'errors@1', fingerprint: 'fp', type: 'TypeError', message: 'boom' },
        ],
        error_minute: [
          { minute: m1, service: 'cart', fingerprint: 'fp', count: 5 },
          { minute: m1, service: 'cart', fingerprint: 'fp', count: 1 },
        ],
        red_minute: [
          { minute: m0, service: 'cart', endpoint: 'GET /carts/:user', requests: 10, errors: 0, latency: [[5, 10]] },
          { minute: m0, service: 'cart', endpoint: 'GET /carts/:user', requests: 10, errors: 2, latency: [[500, 10]] },
          { minute: m0, service: 'web', endpoint: 'GET /api/cart', requests: 7, errors: 0, latency: [[9, 7]] },
        ],
        edge_minute: [
          { minute: m0, caller: 'web', callee: 'cart', calls: 6, errors: 1, latency: [[7, 6]] },
          { minute: m0, caller: 'web', callee: 'catalog', calls: 3, errors: 0, latency: [[3, 3]] },
        ],
      });
    });
    after(async () => cleanup());

    it('sums rows per minute and key and merges their sketches', async () => {
      const s = await minuteSignals(store.db, new Date(m0), new Date('2026-11-22T10:02:00Z'));
      const cartRed = s.red.find((r) => r.service === 'cart')!;
      assert.deepEqual([cartRed.requests, cartRed.errors, cartRed.latency.count], [20, 2, 20]);
      assert.ok(Math.abs(cartRed.latency.quantile(0.9)! - 500) / 500 < 0.02, 'the slow node is in the merged sketch');
      const pats = s.patterns.map((p) => [p.minuteMs, p.key, p.count, p.level, p.label]).sort();
      assert.deepEqual(pats, [
        [Date.parse(m0), 'new', 5, 'WARN', 'retrying <*> attempt <*>'],
        [Date.parse(m1), 'new', 4, 'WARN', 'retrying <*> attempt <*>'],
      ]);
      assert.deepEqual(
        s.errorGroups.map((e) => [e.key, e.count, e.label]),
        [['fp', 6, 'TypeError: boom']],
      );
      assert.equal(s.edges.length, 2);
    });

    it('reads buckets of several minutes: the baseline aligned to end at the split and cut at since, the incident from the split', async () => {
      const split = new Date('2026-11-22T10:01:00Z');
      const at = (iso: string) => Date.parse(iso);
      const s = await minuteSignals(
        store.db,
        new Date('2026-11-22T09:57:00Z'),
        new Date('2026-11-22T10:05:00Z'),
        ['cart'],
        { split, baselineMinutes: 3, incidentMinutes: 2 },
      );
      assert.deepEqual(s.patterns.map((p) => [p.minuteMs, p.key, p.count]).sort(), [
        [at('2026-11-22T09:58:00Z'), 'new', 5],
        [at('2026-11-22T10:01:00Z'), 'new', 4],
      ]);
      assert.deepEqual(
        s.red.map((r) => [r.minuteMs, r.requests]),
        [[at('2026-11-22T09:58:00Z'), 20]],
      );
      const cut = await minuteSignals(
        store.db,
        new Date('2026-11-22T09:59:00Z'),
        new Date('2026-11-22T10:05:00Z'),
        ['cart'],
        { split, baselineMinutes: 3, incidentMinutes: 2 },
      );
      assert.deepEqual(cut.patterns.map((p) => p.minuteMs).sort(), [
        at('2026-11-22T09:59:00Z'),
        at('2026-11-22T10:01:00Z'),
      ]);
      assert.deepEqual(
        cut.errorGroups.map((e) => [e.minuteMs, e.count]),
        [[at('2026-11-22T10:01:00Z'), 6]],
      );
    });

    it('keeps only the minutes asked for, and the services named with the edges that touch them', async () => {
      const s = await minuteSignals(store.db, new Date(m1), new Date('2026-11-22T10:02:00Z'), ['cart']);
      assert.deepEqual(s.red, []);
      assert.deepEqual(
        s.patterns.map((p) => p.count),
        [4],
      );
      const all = await minuteSignals(store.db, new Date(m0), new Date(m1), ['cart']);
      assert.deepEqual(
        all.red.map((r) => r.service),
        ['cart'],
      );
      assert.deepEqual(
        all.edges.map((e) => `${e.caller}->${e.callee}`),
        ['web->cart'],
      );
    });

    it('finds the services on the traces through one endpoint, and only those', async () => {
      const t0 = Date.parse('2026-11-22T10:00:30Z') * 1e6;
      const at = (n: number) => ({
        startTimeUnixNano: t0 + n * 1e6,
        endTimeUnixNano: t0 + n * 1e6 + 1e6,
        durationNano: 1e6,
      });
      await store.writeTelemetry({
        logs: [],
        metrics: [],
        spans: [
          // web /api/cart → cart → catalog, twice; web /api/search → search, once.
          ...['a1', 'a2'].flatMap((trace, i) => [
            span({
              traceId: trace.padEnd(32, '0'),
              spanId: `${i}1`.padEnd(16, '0'),
              service: 'web',
              name: 'GET /api/cart',
              httpRoute: '/api/cart',
              ...at(i),
            }),
            span({
              traceId: trace.padEnd(32, '0'),
              spanId: `${i}2`.padEnd(16, '0'),
              service: 'cart',
              name: 'GET /carts/:user',
              httpRoute: '/carts/:user',
              ...at(i),
            }),
            span({
              traceId: trace.padEnd(32, '0'),
              spanId: `${i}3`.padEnd(16, '0'),
              service: 'catalog',
              name: 'GET /products',
              httpRoute: '/products',
              ...at(i),
            }),
          ]),
          span({
            traceId: 'b1'.padEnd(32, '0'),
            spanId: '91'.padEnd(16, '0'),
            service: 'web',
            name: 'GET /api/search',
            httpRoute: '/api/search',
            ...at(5),
          }),
          span({
            traceId: 'b1'.padEnd(32, '0'),
            spanId: '92'.padEnd(16, '0'),
            service: 'search',
            name: 'GET /q',
            httpRoute: '/q',
            ...at(5),
          }),
        ],
      });
      const on = await servicesOnEndpointTraces(
        store.db,
        'web',
        '/api/cart',
        new Date('2026-11-22T10:00:00Z'),
        new Date('2026-11-22T10:02:00Z'),
      );
      assert.equal(on.traces, 2);
      assert.deepEqual([...on.services.entries()].sort(), [
        ['cart', 2],
        ['catalog', 2],
        ['web', 2],
      ]);
      const none = await servicesOnEndpointTraces(
        store.db,
        'web',
        '/api/nope',
        new Date('2026-11-22T10:00:00Z'),
        new Date('2026-11-22T10:02:00Z'),
      );
      assert.equal(none.traces, 0);
    });

    it('scopes an alert to the service, what it calls directly or not, and its direct callers', async () => {
      const since = new Date(m0);
      const until = new Date('2026-11-22T10:02:00Z');
      assert.deepEqual((await dependencyScope(store.db, 'web', since, until)).sort(), ['cart', 'catalog', 'web']);
      assert.deepEqual((await dependencyScope(store.db, 'cart', since, until)).sort(), ['cart', 'web']);
      assert.deepEqual(await dependencyScope(store.db, 'nowhere', since, until), ['nowhere']);
      assert.deepEqual(await dependencyScope(store.db, 'cart', since, until, { callers: false }), ['cart']);
      // Several services' downstream at once: the same as each one's scope without callers.
      const many = await downstreamScopes(store.db, ['web', 'cart', 'catalog', 'nowhere'], since, until);
      for (const s of ['web', 'cart', 'catalog', 'nowhere']) {
        assert.deepEqual(
          many.get(s)?.sort(),
          (await dependencyScope(store.db, s, since, until, { callers: false })).sort(),
          s,
        );
      }
      assert.deepEqual(many.get('web')?.sort(), ['cart', 'catalog', 'web']);
    });

    it("keeps a pattern's call site and the log flow, and reads them back with merged patterns resolved", async () => {
      const a = new StreamAnalyzer();
      const t = Date.parse('2026-11-22T11:00:10Z') * 1e6;
      const line = (spanId: string, n: number, lineno: number, body: string) =>
        logRecord({
          service: 'route',
          timeUnixNano: t + n * 1e6,
          spanId,
          severityNumber: 9,
          body,
          attributes: { 'code.filepath': 'Route.java', 'code.lineno': lineno },
        });
      a.observeLogs([
        line('r1', 0, 53, 'query by ids start'),
        line('r1', 1, 60, 'found 3 routes'),
        line('r2', 2, 53, 'query by ids start'),
        line('r2', 3, 60, 'found 4 routes'),
      ]);
      await writeAnalysisDelta(store.db, a.drain());
      const s = await minuteSignals(store.db, new Date('2026-11-22T11:00:00Z'), new Date('2026-11-22T11:01:00Z'), [
        'route',
      ]);
      const keyOf = new Map(s.patterns.map((p) => [p.site, p.key]));
      assert.deepEqual([...keyOf.keys()].sort(), ['Route.java:53', 'Route.java:60']);
      assert.deepEqual(
        s.flows.map((f) => [f.from, f.to, f.count]),
        [[keyOf.get('Route.java:53'), keyOf.get('Route.java:60'), 2]],
      );
      const seeds = await loadPatternSeeds(store.db, 100);
      assert.deepEqual((seeds.get('route') ?? []).map((p) => p.site).sort(), ['Route.java:53', 'Route.java:60']);
      // A merge forwards the flow's keys too.
      await writeAnalysisDelta(store.db, {
        patterns: [],
        merges: [{ service: 'route', from: keyOf.get('Route.java:60')!, into: 'merged' }],
        patternMinutes: [],
        flows: [],
        errorGroups: [],
        errorMinutes: [],
        red: [],
        edges: [],
      });
      const after = await minuteSignals(store.db, new Date('2026-11-22T11:00:00Z'), new Date('2026-11-22T11:01:00Z'), [
        'route',
      ]);
      assert.deepEqual(
        after.flows.map((f) => f.to),
        ['merged'],
      );
    });

    it('counts the users whose requests failed or were slower than a threshold, on one endpoint or all', async () => {
      const t0 = Date.parse('2026-11-22T12:00:10Z') * 1e6;
      const req = (i: number, user: string | null, ms: number, status: number, route = '/charge') =>
        span({
          traceId: `c${i}`.padEnd(32, '0'),
          spanId: `c${i}`.padEnd(16, '0'),
          service: 'payments',
          name: `POST ${route}`,
          httpRoute: route,
          userId: user,
          accountId: user ? `acct-${user}` : null,
          statusCode: status,
          startTimeUnixNano: t0 + i * 1e6,
          endTimeUnixNano: t0 + i * 1e6 + ms * 1e6,
          durationNano: ms * 1e6,
        });
      await store.writeTelemetry({
        logs: [],
        metrics: [],
        // u1 slow, u2 failed, u3 fast, u4 slow on another endpoint, one slow request with no user.
        spans: [
          req(1, 'u1', 900, 0),
          req(2, 'u1', 950, 0),
          req(3, 'u2', 10, 2),
          req(4, 'u3', 20, 0),
          req(5, 'u4', 800, 0, '/refund'),
          req(6, null, 990, 0),
        ],
      });
      const since = new Date('2026-11-22T12:00:00Z');
      const until = new Date('2026-11-22T12:01:00Z');
      const charge = await hurtUsers(store.db, 'payments', '/charge', since, until, 500);
      assert.deepEqual(charge, { users: 2, accounts: 2, requests: 5, hurt: 4, withUser: 4 });
      const all = await hurtUsers(store.db, 'payments', null, since, until, 500);
      assert.equal(all.users, 3);
      const failedOnly = await hurtUsers(store.db, 'payments', null, since, until, Number.POSITIVE_INFINITY);
      assert.deepEqual([failedOnly.users, failedOnly.hurt], [1, 1]);
    });

    it('counts the users whose request failed where it entered, in the traces where a service failed (not those a caller absorbed)', async () => {
      const t0 = Date.parse('2026-11-22T13:00:10Z') * 1e6;
      // web calls inventory; inventory fails in traces 1, 2 and 4; web fails in 1 and 4 and
      // absorbs 2 (a retry that got through); trace 3 fails nowhere.
      const trace = (i: number, user: string, inventoryFails: boolean, webFails: boolean) => {
        const traceId = `e${i}`.padEnd(32, '0');
        const web = `a${i}`.padEnd(16, '0');
        const at = t0 + i * 1e9;
        const common = { traceId, userId: user, accountId: `acct-${user}`, events: [] };
        return [
          span({
            ...common,
            spanId: web,
            parentSpanId: null,
            service: 'web',
            name: 'POST /api/cart',
            httpRoute: '/api/cart',
            statusCode: webFails ? 2 : 0,
            startTimeUnixNano: at,
            endTimeUnixNano: at + 9e6,
            durationNano: 9e6,
          }),
          span({
            ...common,
            spanId: `b${i}`.padEnd(16, '0'),
            parentSpanId: web,
            service: 'inventory',
            name: 'POST /reserve',
            httpRoute: '/reserve',
            statusCode: inventoryFails ? 2 : 0,
            startTimeUnixNano: at + 1e6,
            endTimeUnixNano: at + 5e6,
            durationNano: 4e6,
          }),
        ];
      };
      await store.writeTelemetry({
        logs: [],
        metrics: [],
        spans: [
          ...trace(1, 'v1', true, true),
          ...trace(2, 'v2', true, false),
          ...trace(3, 'v3', false, false),
          ...trace(4, 'v4', true, true),
        ],
      });
      const since = new Date('2026-11-22T13:00:00Z');
      const until = new Date('2026-11-22T13:01:00Z');
      const felt = await failedAtEntry(store.db, 'inventory', since, until);
      assert.deepEqual(felt, {
        traces: 3,
        failed: 2,
        users: 2,
        accounts: 2,
        withUser: 2,
        entries: ['web'],
        capped: false,
      });
      const capped = await failedAtEntry(store.db, 'inventory', since, until, 2);
      assert.equal(capped.capped, true);
      assert.equal(
        (await failedAtEntry(store.db, 'web', new Date('2026-11-22T14:00:00Z'), new Date('2026-11-22T14:01:00Z')))
          .traces,
        0,
      );
    });
  });
}
