// The one store conformance suite: every backend must pass all of it unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ENTITY_KINDS } from '../../src/model/index.js';
import { calibrate, simulateLoad } from '../../src/analysis/simulate/index.js';
import {
  MIGRATIONS,
  type Store,
  cpuGauges,
  instancesSeen,
  listPartitions,
  partitionName,
  simulationStore,
  readWholeTraces,
} from '../../src/store/index.js';
import { migrate } from '../../src/store/migrate.js';
import { logRecord, metricPoint, span } from '../helpers/records.js';
import { BASE_WORLD, runWorld, worldInfra } from '../helpers/sim-world.js';

export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const DAY = 86_400_000;

export function storeConformance(backend: 'pglite' | 'postgres', open: OpenStore): void {
  describe(`store conformance: ${backend}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await cleanup();
    });

    it('reports its backend and a fully migrated schema; migrating again is a no-op', async () => {
      assert.equal(store.backend, backend);
      const status = await store.status();
      assert.equal(status.schemaVersion, MIGRATIONS.at(-1)!.version);
      assert.deepEqual(await migrate(store.db), []);
    });

    it('has a table for every world-model entity, counted by status()', async () => {
      const status = await store.status();
      assert.deepEqual(Object.keys(status.entities).sort(), [...ENTITY_KINDS].sort());
      await store.db.query("INSERT INTO service (name) VALUES ('cart')");
      await store.db.query(
        "INSERT INTO deploy (service, version, deployed_at, inferred) VALUES ('cart', '1.4.0', now(), true)",
      );
      const after = await store.status();
      assert.equal(after.entities.service, 1);
      assert.equal(after.entities.deploy, 1);
      assert.equal(typeof after.entities.deploy, 'number');
    });

    it('writes logs, spans and metric points and reads them back with every field', async () => {
      const t = Date.parse('2026-11-22T10:00:00.123456Z') * 1e6 + 789_000; // sub-ms precision
      await store.writeTelemetry({
        logs: [
          logRecord({ timeUnixNano: t, body: 'first' }),
          logRecord({ body: 'second', userId: 'u-2', traceId: null, spanId: null }),
        ],
        spans: [span({ startTimeUnixNano: t, endTimeUnixNano: t + 12_345_678 })],
        metrics: [metricPoint()],
      });
      const logs = await store.queryLogs({ limit: 10, grep: 'first' });
      assert.equal(logs.length, 1);
      const l = logs[0]!;
      assert.equal(l.time, '2026-11-22T10:00:00.123Z');
      assert.equal(l.service, 'cart');
      assert.equal(l.serviceVersion, '1.4.0');
      assert.equal(l.environment, 'prod');
      assert.equal(l.userId, 'u-1');
      assert.equal(l.accountId, 'acct-9');
      assert.equal(l.severityNumber, 17);
      assert.equal(l.traceId, '0af7651916cd43dd8448eb211c80319c');
      assert.deepEqual(l.attributes, { 'enduser.id': 'u-1', 'code.function': 'countItems' });
      assert.equal(l.resource['host.name'], 'node-1');
      assert.deepEqual(l.scope, { name: 'cart-lib', version: '0.1', attributes: { 'scope.attr': 'x' } });

      const spans = await store.querySpans({ limit: 10, traceId: '0AF7651916CD43DD8448EB211C80319C' });
      assert.equal(spans.length, 1);
      const s = spans[0]!;
      assert.equal(s.durationNs, 12_345_678);
      assert.equal(typeof s.durationNs, 'number');
      assert.equal(s.httpRoute, '/cart/:id');
      assert.equal(s.statusCode, 2);
      assert.equal(s.events[0]?.name, 'exception');
      assert.equal(s.events[0]?.attributes['exception.type'], 'TypeError');

      const points = await store.db.query<{ name: string; count: number; detail: unknown }>(
        'SELECT name, count, detail FROM metric_point',
      );
      assert.equal(points.length, 1);
      assert.equal(points[0]!.count, 3);
      assert.deepEqual(points[0]!.detail, { bucketCounts: [1, 2], explicitBounds: [0.5] });
    });

    it('stores each distinct resource and scope once', async () => {
      const before = await store.db.query<{ n: number }>('SELECT count(*) AS n FROM resource_set');
      await store.writeTelemetry({ logs: Array.from({ length: 50 }, () => logRecord()), spans: [], metrics: [] });
      const after = await store.db.query<{ n: number }>('SELECT count(*) AS n FROM resource_set');
      assert.equal(after[0]!.n, before[0]!.n);
    });

    it('filters by service, user, time range and text, newest first', async () => {
      const base = Date.parse('2026-11-21T00:00:00Z') * 1e6;
      await store.writeTelemetry({
        logs: [
          logRecord({ service: 'web', userId: 'u-filter', timeUnixNano: base, body: 'Checkout 100% done_ok' }),
          logRecord({ service: 'web', userId: 'u-filter', timeUnixNano: base + 60e9, body: 'checkout later' }),
          logRecord({ service: 'payments', userId: 'u-other', timeUnixNano: base + 120e9, body: 'charge ok' }),
        ],
        spans: [],
        metrics: [],
      });
      const byUser = await store.queryLogs({ limit: 10, userId: 'u-filter' });
      assert.deepEqual(
        byUser.map((l) => l.body),
        ['checkout later', 'Checkout 100% done_ok'],
      );
      const bySvc = await store.queryLogs({ limit: 10, service: 'payments' });
      assert.deepEqual(
        bySvc.map((l) => l.body),
        ['charge ok'],
      );
      const windowed = await store.queryLogs({
        limit: 10,
        service: 'web',
        since: new Date(base / 1e6 + 30_000),
        until: new Date(base / 1e6 + 90_000),
      });
      assert.deepEqual(
        windowed.map((l) => l.body),
        ['checkout later'],
      );
      // LIKE wildcards in the search text are literal.
      assert.deepEqual(
        (await store.queryLogs({ limit: 10, grep: '100%' })).map((l) => l.body),
        ['Checkout 100% done_ok'],
      );
      assert.equal((await store.queryLogs({ limit: 10, grep: 'o_o' })).length, 0);
      assert.equal((await store.queryLogs({ limit: 1, service: 'web' })).length, 1);
    });

    it('keeps hostile text intact: tabs, newlines, backslashes, NUL and lone surrogates', async () => {
      const body = 'a\tb\nc\\N d\r\\\\ e\u0000f \ud800 end';
      await store.writeTelemetry({
        logs: [
          logRecord({
            body,
            service: 'hostile',
            attributes: { k: 'v\u0000w', s: '\udc00', nested: { arr: ['\\u0000', '\t'] } },
          }),
        ],
        spans: [],
        metrics: [],
      });
      const [l] = await store.queryLogs({ limit: 1, service: 'hostile' });
      assert.ok(l);
      assert.equal(l.body, 'a\tb\nc\\N d\r\\\\ ef \ufffd end');
      assert.equal(l.attributes.k, 'vw');
      assert.equal(l.attributes.s, '\ufffd');
      assert.deepEqual(l.attributes.nested, { arr: ['\\u0000', '\t'] });
    });

    it('clamps out-of-range numbers and times instead of failing the batch', async () => {
      await store.writeTelemetry({
        logs: [logRecord({ service: 'odd-times', timeUnixNano: 0, observedTimeUnixNano: 0, severityNumber: 99999 })],
        spans: [span({ service: 'odd-times', startTimeUnixNano: 1.8e19, endTimeUnixNano: -5, durationNano: 1.8e19 })],
        metrics: [metricPoint({ service: 'odd-times', count: 1.8e19, value: Number.NaN })],
      });
      const [l] = await store.queryLogs({ limit: 1, service: 'odd-times' });
      assert.ok(l && Math.abs(Date.parse(l.time) - Date.now()) < 60_000, 'a zero time falls back to arrival time');
      const [s] = await store.querySpans({ limit: 1, service: 'odd-times' });
      assert.ok(s);
    });

    it('commits a batch all or nothing', async () => {
      const before = (await store.status()).raw.log_record.count;
      const bad = span({ traceId: "not'hex\\" });
      // A span whose trace id breaks the row (null in a NOT NULL column) fails the whole batch.
      (bad as { traceId: string | null }).traceId = null;
      await assert.rejects(
        store.writeTelemetry({ logs: [logRecord({ body: 'should roll back' })], spans: [bad], metrics: [] }),
      );
      assert.equal((await store.status()).raw.log_record.count, before);
      assert.equal((await store.queryLogs({ limit: 1, grep: 'should roll back' })).length, 0);
    });

    it('partitions raw events by arrival day and drops whole expired days', async () => {
      const now = new Date();
      const old = new Date(now.getTime() - 9 * DAY);
      await store.writeTelemetry(
        { logs: [logRecord({ body: 'old one' })], spans: [span({ name: 'old span' })], metrics: [] },
        old,
      );
      await store.writeTelemetry({ logs: [logRecord({ body: 'fresh one' })], spans: [], metrics: [] }, now);
      const names = (await listPartitions(store.db)).map((p) => p.name);
      assert.ok(names.includes(partitionName('log_record', old)));
      assert.ok(names.includes(partitionName('span', old)));

      const dropped = await store.applyRetention(now);
      assert.ok(dropped.includes(partitionName('log_record', old)));
      assert.ok(dropped.includes(partitionName('span', old)));
      const left = (await listPartitions(store.db)).map((p) => p.name);
      assert.ok(!left.includes(partitionName('log_record', old)));
      assert.ok(left.includes(partitionName('log_record', now)), "today's partition stays");
      assert.equal((await store.queryLogs({ limit: 5, grep: 'old one' })).length, 0);
      assert.equal((await store.queryLogs({ limit: 5, grep: 'fresh one' })).length, 1);
      // Writing again on a dropped day recreates its partition.
      await store.writeTelemetry({ logs: [logRecord({ body: 'late arrival' })], spans: [], metrics: [] }, old);
      assert.equal((await store.queryLogs({ limit: 5, grep: 'late arrival' })).length, 1);
    });

    it('indexes raw events by time, service, trace id and user id', async () => {
      const idx = await store.db.query<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE tablename IN ('log_record', 'span') AND schemaname = current_schema()",
      );
      const defs = idx.map((r) => r.indexdef).join('\n');
      for (const col of [
        '(service, "time")',
        'brin ("time")',
        '(trace_id)',
        '(user_id)',
        '(service, start_time)',
        'brin (start_time)',
      ]) {
        assert.ok(defs.includes(col), `missing index on ${col}:\n${defs}`);
      }
    });

    it('stores tokens only as hashes, verifies and revokes them', async () => {
      const { token, record } = await store.createToken('ci');
      assert.match(token, /^orr_[\w-]{43}$/);
      const rows = await store.db.query<{ token_hash: string; prefix: string }>(
        'SELECT token_hash, prefix FROM api_token',
      );
      for (const r of rows) {
        assert.ok(!r.token_hash.includes(token) && r.token_hash.length === 64);
        assert.ok(token.startsWith(r.prefix) && r.prefix.length < 12);
      }
      assert.equal((await store.verifyToken(token))?.id, record.id);
      assert.equal(await store.verifyToken(`${token}x`), null);
      await assert.rejects(store.createToken('ci'), /already exists/);
      assert.equal((await store.revokeToken('ci')).length, 1);
      assert.equal(await store.verifyToken(token), null);
      assert.ok((await store.createToken('ci')).token !== token, 'the name is free again after a revoke');
    });

    it("keeps each token's role and writes an audit row on create and on revoke", async () => {
      const before = (await store.listAudit()).length;
      const { record } = await store.createToken('audited', { role: 'viewer', actor: 'token:7' });
      assert.equal(record.role, 'viewer');
      assert.equal((await store.listTokens()).find((t) => t.id === record.id)?.role, 'viewer');
      await assert.rejects(store.createToken('bad-role', { role: 'root' as 'admin', actor: 'cli-offline' }), /role/);
      const revoked = await store.revokeToken('audited', { actor: 'cli-offline' });
      assert.equal(revoked.length, 1);
      const events = await store.listAudit();
      assert.equal(events.length, before + 2, 'one row per change, none for the refused role');
      const [revoke, create] = events;
      assert.equal(create!.action, 'token.create');
      assert.equal(create!.actor, 'token:7');
      assert.equal(create!.subjectKind, 'api_token');
      assert.equal(create!.subjectId, String(record.id));
      assert.deepEqual(create!.detail, { name: 'audited', role: 'viewer' });
      assert.ok(create!.at instanceof Date && Date.now() - create!.at.getTime() < 60_000);
      assert.equal(revoke!.action, 'token.revoke');
      assert.equal(revoke!.actor, 'cli-offline');
      assert.equal(revoke!.subjectId, String(record.id));
      // Nothing revoked, nothing recorded.
      assert.deepEqual(await store.revokeToken('audited', { actor: 'cli-offline' }), []);
      assert.equal((await store.listAudit()).length, before + 2);
    });

    it("reads a simulation's calibration window: whole traces with routes and status, instances, CPU gauges", async () => {
      const t0 = Date.parse('2026-12-01T09:00:00Z');
      const ns = (ms: number) => ms * 1e6;
      const res = (host: string) => ({ 'service.name': 'sim-a', 'host.name': host, 'process.pid': 7 });
      await store.writeTelemetry({
        logs: [],
        spans: [
          // A trace that began in the window, one of whose spans started after it.
          span({
            service: 'sim-a',
            traceId: 'a'.repeat(32),
            spanId: '1'.repeat(16),
            parentSpanId: null,
            name: 'GET /x',
            kind: 2,
            httpRoute: '/x',
            statusCode: 2,
            startTimeUnixNano: ns(t0 + 1000),
            endTimeUnixNano: ns(t0 + 1050),
            durationNano: ns(50),
            resource: res('pod-1'),
          }),
          span({
            service: 'sim-b',
            traceId: 'a'.repeat(32),
            spanId: '2'.repeat(16),
            parentSpanId: '1'.repeat(16),
            name: 'GET /y',
            kind: 2,
            httpRoute: null,
            statusCode: 0,
            startTimeUnixNano: ns(t0 + 61_000),
            endTimeUnixNano: ns(t0 + 61_020),
            durationNano: ns(20),
          }),
          span({
            service: 'sim-a',
            traceId: 'b'.repeat(32),
            spanId: '3'.repeat(16),
            parentSpanId: null,
            name: 'GET /x',
            kind: 2,
            httpRoute: '/x',
            statusCode: 0,
            startTimeUnixNano: ns(t0 + 2000),
            endTimeUnixNano: ns(t0 + 2010),
            durationNano: ns(10),
            resource: res('pod-2'),
          }),
          // Outside the window.
          span({
            service: 'sim-a',
            traceId: 'c'.repeat(32),
            spanId: '4'.repeat(16),
            parentSpanId: null,
            startTimeUnixNano: ns(t0 - 120_000),
            endTimeUnixNano: ns(t0 - 119_000),
            durationNano: ns(1000),
          }),
        ],
        metrics: [
          metricPoint({
            service: 'sim-a',
            name: 'container.cpu.usage',
            kind: 'gauge',
            value: 0.3,
            timeUnixNano: ns(t0 + 5000),
            resource: res('pod-1'),
          }),
          metricPoint({
            service: 'sim-a',
            name: 'container.cpu.usage',
            kind: 'gauge',
            value: 0.5,
            timeUnixNano: ns(t0 + 15_000),
            resource: res('pod-1'),
          }),
          metricPoint({
            service: 'sim-a',
            name: 'container.cpu.usage',
            kind: 'gauge',
            value: 0.2,
            timeUnixNano: ns(t0 + 5000),
            resource: res('pod-2'),
          }),
          metricPoint({
            service: 'sim-a',
            name: 'http.server.request.duration',
            kind: 'gauge',
            value: 9,
            timeUnixNano: ns(t0 + 5000),
          }),
        ],
      });
      const w = { startMs: t0, endMs: t0 + 60_000 };
      const { spans, share } = await readWholeTraces(store.db, new Date(w.startMs), new Date(w.endMs), {
        maxSpans: 40_000,
      });
      assert.equal(share, 1);
      assert.deepEqual(spans.map((x) => [x.traceId[0], x.service, x.route, x.error]).sort(), [
        ['a', 'sim-a', '/x', true],
        ['a', 'sim-b', null, false],
        ['b', 'sim-a', '/x', false],
      ]);
      const root = spans.find((x) => x.spanId === '1'.repeat(16))!;
      assert.equal(root.endMs - root.startMs, 50);
      assert.deepEqual([...(await instancesSeen(store.db, w))], [['sim-a', 2]]);
      // Each series' mean (pod-1: 0.4, pod-2: 0.2), summed.
      const g = await cpuGauges(store.db, w);
      assert.equal(g.length, 1);
      assert.deepEqual([g[0]!.service, g[0]!.name, g[0]!.series], ['sim-a', 'container.cpu.usage', 2]);
      assert.ok(Math.abs(g[0]!.value - 0.6) < 1e-9);
    });

    it('stores simulations whole, with their algorithm and window, newest first', async () => {
      const window = { startMs: BASE_WORLD.startMs, endMs: BASE_WORLD.startMs + BASE_WORLD.durationMs };
      const cal = calibrate({
        spans: runWorld(BASE_WORLD).spans,
        window,
        sampled: 1,
        infra: worldInfra(BASE_WORLD),
        gauges: [],
        instances: new Map(),
      });
      const result = simulateLoad(cal, { factor: 2, endpoint: null, set: [] }, { replicates: 0 });
      const request = { kind: 'load' as const, factor: 2, endpoint: null, set: [], windowMs: 600_000 };
      const a = await simulationStore.insertSimulation(store.db, {
        request,
        result,
        algorithm: result.algorithm,
        window: result.window,
      });
      const b = await simulationStore.insertSimulation(store.db, {
        request: { ...request, factor: 3 },
        result,
        algorithm: result.algorithm,
        window: null,
      });
      assert.ok(b.id > a.id);
      assert.deepEqual(await simulationStore.getSimulation(store.db, a.id), a);
      assert.deepEqual(a.window, result.window);
      assert.equal(a.algorithm, 'sim-load@2');
      assert.deepEqual(a.result, JSON.parse(JSON.stringify(result)));
      assert.equal(await simulationStore.getSimulation(store.db, 999_999), null);
      const listed = await simulationStore.listSimulations(store.db, { limit: 10, kind: 'load' });
      assert.deepEqual(
        listed.map((x) => [x.id, x.request.kind === 'load' ? x.request.factor : null, x.window === null]),
        [
          [b.id, 3, true],
          [a.id, 2, false],
        ],
      );
      // The list's headline is the result's verdict, read from the stored result.
      assert.deepEqual(listed[1]!.headline, {
        kind: 'load',
        bottleneck: result.bottleneck && {
          service: result.bottleneck.service,
          resource: result.bottleneck.resource,
          saturatesAt: result.bottleneck.saturatesAt.value,
        },
        knee: result.knee.value,
        scannedTo: result.scannedTo,
      });
      assert.ok(listed[1]!.headline?.bottleneck, 'the queueing world has a bottleneck below the scan');
      assert.deepEqual(await simulationStore.listSimulations(store.db, { limit: 10, kind: 'failure' }), []);
      await assert.rejects(
        store.db.query("INSERT INTO simulation (kind, algorithm, request, result) VALUES ('weather', 'x', '{}', '{}')"),
      );
    });
  });
}
