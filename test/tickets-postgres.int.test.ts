// Tickets on the PostgreSQL backend: the same upsert, mentions, linking (through the route
// index) and chunked import as on PGlite, since both speak one dialect.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keyedHash } from '../src/analysis/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { type Store, ticketStore } from '../src/store/index.js';
import { getTicket, importTickets, ingestTickets } from '../src/workflows/index.js';
import { ticketInput } from '../src/ingest/sources/tickets/index.js';
import { logRecord, span } from './helpers/records.js';
import { freshPostgres } from './helpers/stores.js';
import { ticketImportSpec, ticketReplaySpec } from './helpers/ticket-store-spec.js';

describe('tickets on PostgreSQL', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const metrics = new SelfMetrics();
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  before(async () => {
    ({ store, cleanup } = await freshPostgres());
    const key = await ticketStore.instanceSecret(store.db, ticketStore.EMAIL_HASH_KEY);
    await store.writeTelemetry({
      spans: [span({ traceId: TRACE, service: 'cart', userId: 'u-1042', httpRoute: '/cart/{cartId}' })],
      logs: [logRecord({ service: 'web', userId: keyedHash(key, 'jane@example.com') })],
      metrics: [],
    });
  });
  after(() => cleanup());

  it('keeps one secret per install, even when asked for concurrently', async () => {
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => ticketStore.instanceSecret(store.db, 'another-key')),
    );
    assert.equal(new Set(keys).size, 1);
    assert.match(keys[0]!, /^[0-9a-f]{64}$/);
  });

  it('upserts, extracts mentions and links users, the trace and the service', async () => {
    const t = ticketInput({
      source: 'zendesk',
      externalId: '77',
      title: 'Cart empty',
      body: `GET /cart/991 is empty for user u-1042, trace ${TRACE}`,
      reporterEmail: 'Jane@Example.com',
    });
    const first = await ingestTickets({ store, metrics }, [t]);
    const second = await ingestTickets({ store, metrics }, [{ ...t, status: 'closed', sourceStatus: 'solved' }]);
    assert.deepEqual([first.created, second.updated], [1, 1]);
    const d = (await getTicket({ store }, first.tickets[0]!.id))!;
    assert.equal(d.ticket.status, 'closed');
    assert.deepEqual(
      d.links
        .map((l) => `${l.dstKind}:${l.dstId}:${(l.attributes.via as string[] | undefined)?.join('+') ?? ''}`)
        .sort(),
      [
        `end_user:${d.ticket.reporterHash}:email`,
        'end_user:u-1042:user',
        'service:cart:trace+route+name',
        `trace:${TRACE}:`,
      ].sort(),
    );
  });

  it('finds the services of a route through the span_route_key index', async () => {
    await store.db.exec('SET enable_seqscan = off');
    const plan = await store.db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT service FROM span WHERE http_route IS NOT NULL AND kind = 2
         AND lower(rtrim(regexp_replace(http_route, '(:[A-Za-z_][A-Za-z0-9_]*|\\{[^/}]*\\}|<[^/>]*>)', ':id', 'g'), '/')) = '/cart/:id'
         ORDER BY service LIMIT 1`,
    );
    await store.db.exec('RESET enable_seqscan');
    assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /span_route_key|_expr_idx|Index/);
  });

  it('rolls a chunk back as a whole when the database refuses one of its rows', async () => {
    const before = Number((await store.db.query<{ n: number }>('SELECT count(*) AS n FROM ticket'))[0]!.n);
    // The database itself refuses the second row (a status outside the CHECK constraint,
    // injected here) of the statement that writes the chunk's tickets.
    const csv = 'id,title\nP-1,one\nP-2,two\n';
    const ctx = { store: failingOnSecond(store), metrics };
    await assert.rejects(importTickets(ctx, { format: 'generic-csv', content: csv }));
    assert.equal(Number((await store.db.query<{ n: number }>('SELECT count(*) AS n FROM ticket'))[0]!.n), before);
  });
});

describe('tickets on PostgreSQL: replayed and stale deliveries', () => ticketReplaySpec(() => freshPostgres()));
describe('tickets on PostgreSQL: chunked imports', () => ticketImportSpec(() => freshPostgres()));

/** A store whose ticket insert gives the second ticket a status the CHECK on status refuses. */
function failingOnSecond(store: Store): Store {
  const real = store.db;
  const db = Object.create(real) as typeof real;
  db.transaction = (fn) =>
    real.transaction((tx) =>
      fn({
        ...tx,
        query: (sql: string, params?: unknown[]) =>
          sql.includes('INSERT INTO ticket (')
            ? tx.query(
                sql,
                // Parameter 5 is the statuses, one per ticket.
                params?.map((p, i) => (i === 4 ? (p as string[]).map((v, j) => (j === 1 ? 'weird' : v)) : p)),
              )
            : tx.query(sql, params),
      } as typeof tx),
    );
  return { db } as unknown as Store;
}
