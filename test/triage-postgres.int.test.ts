// triage@1's store side on the PostgreSQL backend: the same world as the PGlite API test,
// one problem per fault with its pattern, ticket and owners, duplicate tickets merged, ids
// stable across runs, a stored symptom marked merged once the graph edge appears, and a
// user's own errors read from the raw tables through the user indexes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ticketInput } from '../src/ingest/sources/tickets/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import type { Store } from '../src/store/index.js';
import { getProblem as storedProblem, userErrors } from '../src/store/problem-store.js';
import { ingestTickets } from '../src/workflows/index.js';
import { triage } from '../src/workflows/triage.js';
import { logRecord, span } from './helpers/records.js';
import { freshPostgres } from './helpers/stores.js';
import { TRIAGE_TICKETS, addEdge, minute, seedTriageWorld } from './helpers/triage-world.js';

describe('triage on PostgreSQL', () => {
  let store: Store;
  let cleanup: () => Promise<void>;

  before(async () => {
    ({ store, cleanup } = await freshPostgres());
    await seedTriageWorld(store.db);
    await ingestTickets(
      { store, metrics: new SelfMetrics() },
      TRIAGE_TICKETS.map((t) => ticketInput({ source: t.source, externalId: t.id, title: t.title, body: t.body })),
    );
  });
  after(() => cleanup());

  it('builds, stores and re-finds the same problems', async () => {
    const first = await triage({ store }, { limit: 50 });
    const cart = first.problems.find((p) => p.key === 'error:cart:fp-price')!;
    assert.ok(cart, first.problems.map((p) => p.key).join(', '));
    assert.deepEqual(
      cart.members.map((m) => m.kind),
      ['error', 'pattern', 'ticket'],
    );
    assert.deepEqual(cart.owners, ['@shop/cart']);
    assert.equal(cart.firstSeen, minute(30));
    const dup = first.problems.find((p) => p.kind === 'tickets')!;
    assert.equal(dup.tickets.length, 2);

    await addEdge(store.db);
    const second = await triage({ store }, { limit: 50 });
    assert.equal(second.problems.find((p) => p.key === 'error:cart:fp-price')!.id, cart.id);
    assert.equal(second.problems.find((p) => p.kind === 'tickets')!.id, dup.id);
    const web = first.problems.find((p) => p.key === 'error:web:fp-gateway')!;
    const stored = await storedProblem(store.db, web.id);
    assert.equal(stored!.problem.status, 'merged');
    assert.equal(stored!.problem.mergedInto, cart.id);
    const detail = await storedProblem(store.db, cart.id);
    assert.deepEqual(
      detail!.tickets.map((t) => t.externalId),
      ['HD-1'],
    );
  });

  it("reads a user's errors from failed spans and ERROR logs, most frequent first", async () => {
    const ns = Date.parse(minute(5)) * 1e6;
    const failed = (statusCode: number, spanId: string) =>
      span({ service: 'cart', userId: 'u-9', statusCode, statusMessage: 'boom', startTimeUnixNano: ns, spanId });
    await store.writeTelemetry({
      spans: [failed(2, 'a1'), failed(2, 'a2'), failed(0, 'a3')],
      logs: [
        logRecord({ service: 'web', userId: 'u-9', severityNumber: 17, body: 'render failed', timeUnixNano: ns }),
        logRecord({ service: 'web', userId: 'u-9', severityNumber: 13, body: 'just a warning', timeUnixNano: ns }),
      ],
      metrics: [],
    });
    const got = await userErrors(
      store.db,
      ['u-9', 'nobody'],
      new Date(Date.parse(minute(60))),
      new Date(Date.parse(minute(-1))),
    );
    assert.deepEqual(got.get('u-9'), [
      { service: 'cart', text: 'boom' },
      { service: 'web', text: 'render failed' },
    ]);
    assert.equal(got.has('nobody'), false);
  });
});
