// The bounded part of the fuzz suite through the server (the long run is `npm run bench --
// fuzz`): fuzzed OTLP/HTTP (3 signals × protobuf/JSON, some gzip'd), OTLP/gRPC, the ticket
// webhooks and POST /api/tickets, ticket and infra imports, the Sentry routes, and hostile
// values in every query and route parameter of every GET route the API registers. Never a
// 5xx, the answer agrees with the pure decoder where there is one, the server still answers
// /healthz, and not one row stored before the fuzz (a seed of each kind of data) changed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type FuzzServer, fuzzServer, healthy } from '../bench/lib/fuzz/harness.js';
import { seedStore } from '../bench/lib/fuzz/run.js';
import { type Snapshot, changes, rowCounts, snapshot } from '../bench/lib/fuzz/snapshot.js';
import { type Target, allTargets, getRoutes } from '../bench/lib/fuzz/targets.js';
import { freshPglite } from './helpers/stores.js';

const RUNS: Record<string, number> = { 'api/get-params': 300, 'infra/import-route': 15, 'tickets/import-route': 30 };

describe('fuzzed input through the server', () => {
  let s: FuzzServer;
  let cleanup: () => Promise<void>;
  let before_: Snapshot;
  let targets: Target[] = [];

  before(async () => {
    const fresh = await freshPglite();
    cleanup = fresh.cleanup;
    s = await fuzzServer(fresh.store);
    const { sentryKey } = await seedStore(s);
    before_ = await snapshot(fresh.store.db);
    targets = allTargets({ sentryKey: () => sentryKey, routes: () => getRoutes(s.routes) }).filter(
      (t) => t.kind === 'server',
    );
  });
  after(async () => {
    await s?.close();
    await cleanup?.();
  });

  it('the seed stored telemetry, a ticket, a deploy, infra and a Sentry project; the router has the GET routes', () => {
    const rows = rowCounts(before_);
    for (const table of ['span', 'log_record', 'metric_point', 'ticket', 'deploy', 'infra_resource', 'sentry_project'])
      assert.ok((rows[table] ?? 0) > 0, `nothing seeded in ${table}: ${JSON.stringify(rows)}`);
    assert.ok(getRoutes(s.routes).length > 30, `only ${getRoutes(s.routes).length} GET routes found`);
  });

  it('every route target: never a 5xx, answers agree with the decoders', async () => {
    assert.equal(targets.length, 19);
    for (const t of targets) {
      await fc.assert(
        fc.asyncProperty(t.arbitrary, async (input) => {
          const o = await t.run(input, s);
          assert.equal(o.fail, undefined, `${t.name}: ${o.fail}\ninput: ${t.show(input)}`);
        }),
        { numRuns: RUNS[t.name] ?? 40 },
      );
    }
  });

  it('afterwards the server still answers and no row stored before the fuzz changed', async () => {
    assert.ok(await healthy(s));
    const changed = changes(before_, await snapshot(s.store.db));
    assert.deepEqual(changed.slice(0, 5), []);
  });

  it('the comparison sees a changed row: the seeded ticket updated through the API', async () => {
    const res = await s.api('POST', '/api/tickets', JSON.stringify({ id: 'seeded-7f3a', title: 'changed' }), {
      'content-type': 'application/json',
    });
    assert.equal(res.status, 200, res.body);
    const changed = changes(before_, await snapshot(s.store.db));
    assert.deepEqual(
      changed.map((c) => c.table),
      ['ticket'],
    );
    assert.match(changed[0]!.row, /Seeded ticket/);
  });
});
