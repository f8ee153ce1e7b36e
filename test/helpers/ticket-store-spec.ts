// The ticket-store behaviour both backends must show (run by tickets-store.test.ts on PGlite and
// tickets-postgres.int.test.ts on PostgreSQL): webhook replays and stale deliveries never move a
// ticket backwards, and a chunked import stores what a one-by-one ingest stores, with the
// all-or-nothing rule of docs/api.md (validation: nothing; a store failure: whole chunks only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, it } from 'node:test';
import { type Headers, github, ticketInput, zendesk } from '../../src/ingest/sources/tickets/index.js';
import { SelfMetrics } from '../../src/observe/index.js';
import { type Queryable, type Store, ticketStore } from '../../src/store/index.js';
import { getTicket, importTickets, ingestTickets, ingestWebhook } from '../../src/workflows/index.js';
import { span } from './records.js';

export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const fixture = (path: string) => {
  const text = readFileSync(new URL(`../fixtures/tickets/${path}`, import.meta.url), 'utf8');
  // biome-ignore lint/suspicious/noExplicitAny: fixture payloads are edited freely here
  return JSON.parse(text) as Record<string, any>;
};

async function ticketBy(store: Store, source: string, externalId: string) {
  const rows = await store.db.query<{ id: number }>('SELECT id FROM ticket WHERE source = $1 AND external_id = $2', [
    source,
    externalId,
  ]);
  assert.ok(rows[0], `ticket ${source}/${externalId} is stored`);
  return (await getTicket({ store }, Number(rows[0].id)))!;
}

export function ticketReplaySpec(open: OpenStore): void {
  let store: Store;
  let cleanup: () => Promise<void>;
  const metrics = new SelfMetrics();
  before(async () => {
    ({ store, cleanup } = await open());
  });
  after(() => cleanup());

  it('a replayed GitHub delivery neither reopens a closed ticket nor restores its title', async () => {
    const ctx = { store, metrics };
    const opened = fixture('github/issues-opened.payload.json');
    const closed = structuredClone(opened);
    closed.action = 'closed';
    closed.issue.state = 'closed';
    closed.issue.title = 'Cart badge: fixed in v3.12.1';
    closed.issue.updated_at = '2026-11-23T08:00:00Z';
    const h = (delivery: string): Headers => ({ 'x-github-event': 'issues', 'x-github-delivery': delivery });

    assert.equal((await ingestWebhook(ctx, github, h('d-open'), opened)).status, 200);
    assert.equal((await ingestWebhook(ctx, github, h('d-close'), closed)).status, 200);

    const replay = await ingestWebhook(ctx, github, h('d-open'), opened);
    assert.equal(replay.status, 200, 'acknowledged, so that the sender stops retrying');
    assert.equal(replay.body.ignored, true);
    assert.match(String(replay.body.reason), /duplicate delivery d-open/);

    // The delivery id is a header, outside the signature: the same body under a new id is still stale.
    const relabelled = await ingestWebhook(ctx, github, h('d-forged'), opened);
    assert.equal(relabelled.status, 200);
    assert.equal(relabelled.body.ignored, true);
    assert.match(String(relabelled.body.reason), /stale/);

    const { ticket } = await ticketBy(store, 'github', 'acme-shop/storefront#482');
    assert.equal(ticket.status, 'closed');
    assert.equal(ticket.title, 'Cart badge: fixed in v3.12.1');
    assert.equal(ticket.updatedAt, '2026-11-23T08:00:00.000Z');
  });

  it('an older updated_at does not overwrite a newer one; an equal or newer one does', async () => {
    const ctx = { store, metrics };
    const trigger = (updatedAt: string, status: string, subject: string) => {
      const p = fixture('zendesk/trigger.payload.json');
      Object.assign(p.ticket, { updated_at: updatedAt, status, subject, title: subject });
      return p;
    };
    await ingestWebhook(ctx, zendesk, {}, trigger('2026-11-22T15:00:00Z', 'Solved', 'Cart fixed'));
    const stale = await ingestWebhook(ctx, zendesk, {}, trigger('2026-11-22T14:12:31Z', 'Open', 'Cart icon shows 0'));
    assert.equal(stale.status, 200);
    assert.equal(stale.body.ignored, true);
    assert.match(
      String(stale.body.reason),
      /stale: .*2026-11-22T14:12:31\.000Z.* older than .*2026-11-22T15:00:00\.000Z/,
    );
    let { ticket } = await ticketBy(store, 'zendesk', '35436');
    assert.deepEqual([ticket.status, ticket.sourceStatus, ticket.title], ['closed', 'Solved', 'Cart fixed']);

    const same = await ingestWebhook(ctx, zendesk, {}, trigger('2026-11-22T15:00:00Z', 'Solved', 'Cart fixed (v2)'));
    assert.equal(same.body.updated, 1, 'an update in the same second as the stored one is applied');
    const newer = await ingestWebhook(ctx, zendesk, {}, trigger('2026-11-23T09:00:00Z', 'Open', 'Cart broken again'));
    assert.equal(newer.body.updated, 1);
    ({ ticket } = await ticketBy(store, 'zendesk', '35436'));
    assert.deepEqual([ticket.status, ticket.title], ['open', 'Cart broken again']);
  });

  it('delivery ids are forgotten after DELIVERY_MEMORY_DAYS, pruned as new ones arrive', async () => {
    await store.db.query(
      `INSERT INTO webhook_delivery (source, delivery_id, received_at) VALUES ('jira', 'old', now() - interval '8 days')`,
    );
    assert.equal(await ticketStore.recordDelivery(store.db, 'jira', 'new'), true);
    assert.equal(await ticketStore.recordDelivery(store.db, 'jira', 'new'), false);
    const left = await store.db.query(`SELECT delivery_id FROM webhook_delivery WHERE source = 'jira' ORDER BY 1`);
    assert.deepEqual(
      left.map((r) => r.delivery_id),
      ['new'],
    );
    assert.equal(ticketStore.DELIVERY_MEMORY_DAYS, 7);
  });

  it('a delivery id is remembered only once its tickets are stored: a failed delivery can be retried', async () => {
    const real = store.db;
    const db = Object.create(real) as typeof real;
    db.transaction = (fn) =>
      real.transaction((tx) =>
        fn({
          ...tx,
          query: (sql: string, params?: unknown[]) => {
            if (sql.includes('INSERT INTO ticket (')) throw new Error('disk full');
            return tx.query(sql, params);
          },
        } as Queryable),
      );
    const payload = fixture('github/issues-opened.payload.json');
    payload.issue.number = 9001;
    const h = { 'x-github-event': 'issues', 'x-github-delivery': 'd-retry' };
    await assert.rejects(
      ingestWebhook({ store: { db } as unknown as Store, metrics }, github, h, payload),
      /disk full/,
    );
    const retry = await ingestWebhook({ store, metrics }, github, h, payload);
    assert.equal(retry.body.created, 1, JSON.stringify(retry.body));
  });
}

/** A CSV of `n` tickets that mention users, accounts, a trace, a route and a service, with one id repeated. */
function exportCsv(n: number, trace: string): string {
  const rows = ['id,title,body,status,created,email,account'];
  for (let i = 0; i < n; i++) {
    const body = `user u-${i % 7} gets HTTP 502 on /cart/${1000 + i}; trace ${i % 5 === 0 ? trace : 'none'}; cart is slow`;
    rows.push(
      `I-${i},Ticket ${i},"${body}",${i % 3 ? 'open' : 'solved'},2026-11-22T10:00:00Z,c${i % 4}@example.com,acct-${i % 3}`,
    );
  }
  // The same ticket twice in one file: the later row updates the earlier one, as one-by-one ingest would.
  rows.push('I-1,Ticket 1 (edited),"now also user u-99",pending,2026-11-22T10:00:00Z,,');
  return `${rows.join('\n')}\n`;
}

/** Tickets, mentions and links in a comparable form (without ids and arrival times). */
async function snapshot(db: Queryable): Promise<unknown> {
  const tickets = await db.query(
    `SELECT source, external_id, title, body, status, source_status, reporter_hash, labels, created_at, updated_at, comments, mentions
       FROM ticket ORDER BY source, external_id`,
  );
  const mentions = await db.query(
    `SELECT t.external_id, m.kind, m.value, m.template, m.at, m.fields, m.count
       FROM ticket_mention m JOIN ticket t ON t.id = m.ticket_id ORDER BY 1, 2, 3`,
  );
  const links = await db.query(
    `SELECT t.external_id, l.dst_kind, l.dst_id, l.attributes
       FROM link l JOIN ticket t ON l.src_kind = 'ticket' AND l.src_id = t.id::text ORDER BY 1, 2, 3`,
  );
  const users = await db.query('SELECT external_id FROM end_user ORDER BY 1');
  return { tickets, mentions, links, users };
}

export function ticketImportSpec(open: OpenStore): void {
  const metrics = new SelfMetrics();
  const TRACE = '5bf92f3577b34da6a3ce929d0e0e4736';
  // One email-hash key for every store, so that their hashes compare.
  const seed = async (store: Store) => {
    await store.db.query('INSERT INTO instance_secret (name, value) VALUES ($1, $2)', [
      'email-hash-key',
      'k'.repeat(64),
    ]);
    await store.writeTelemetry({
      spans: [span({ traceId: TRACE, service: 'cart', userId: 'u-3', httpRoute: '/cart/{cartId}' })],
      logs: [],
      metrics: [],
    });
  };
  const stores: Array<() => Promise<void>> = [];
  const fresh = async () => {
    const s = await open();
    stores.push(s.cleanup);
    await seed(s.store);
    return s.store;
  };
  after(async () => {
    for (const c of stores) await c();
  });

  it('a chunked import stores the same tickets, mentions and links as one-by-one ingest', async () => {
    const csv = exportCsv(23, TRACE);
    const [byChunksOf4, inOneChunk, oneByOne] = [await fresh(), await fresh(), await fresh()];
    const r = await importTickets(
      { store: byChunksOf4, metrics },
      { format: 'generic-csv', content: csv, chunkSize: 4 },
    );
    assert.deepEqual([r.total, r.created, r.updated], [24, 23, 1]);
    // Default chunks: the repeated id falls in the same chunk as its first row.
    await importTickets({ store: inOneChunk, metrics }, { format: 'generic-csv', content: csv });
    // The reference: each ticket in its own call, as POST /api/tickets stores them.
    const { parseImport } = await import('../../src/ingest/sources/tickets/index.js');
    for (const t of parseImport('generic-csv', csv).tickets) await ingestTickets({ store: oneByOne, metrics }, [t]);

    const expected = await snapshot(oneByOne.db);
    assert.deepEqual(await snapshot(byChunksOf4.db), expected);
    assert.deepEqual(await snapshot(inOneChunk.db), expected);
    const s = expected as { tickets: Array<{ external_id: string; title: string; status: string }>; links: unknown[] };
    assert.equal(s.tickets.find((t) => t.external_id === 'I-1')?.title, 'Ticket 1 (edited)');
    assert.ok(s.links.length > 24, 'links to users, accounts, the trace and the service');
  });

  it('a bad record: nothing is written; a store failure mid-import keeps whole chunks only, and a re-run completes it', async () => {
    const store = await fresh();
    const ctx = { store, metrics };
    const csv = exportCsv(10, TRACE);
    const count = async (table: string) =>
      Number((await store.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

    await assert.rejects(
      importTickets(ctx, { format: 'generic-csv', content: `${csv}I-x,,"no title",open,,,\n`, chunkSize: 4 }),
      /row 12 \(line 13\): missing required field "title"/,
    );
    assert.deepEqual([await count('ticket'), await count('ticket_mention')], [0, 0]);

    // The store refuses the third chunk (rows 9-11) after two chunks of four were committed.
    const real = store.db;
    const db = Object.create(real) as typeof real;
    let chunks = 0;
    db.transaction = (fn) =>
      real.transaction((tx) => {
        let n = 0;
        return fn({
          ...tx,
          query: (sql: string, params?: unknown[]) => {
            if (sql.includes('INSERT INTO ticket (') && n === 0) n = ++chunks;
            if (n === 3 && sql.includes('INSERT INTO link')) throw new Error('disk full');
            return tx.query(sql, params);
          },
        } as Queryable);
      });
    const failing = { store: { db } as unknown as Store, metrics };
    const err = await importTickets(failing, { format: 'generic-csv', content: csv, chunkSize: 4 }).then(
      () => assert.fail('the import should fail'),
      (e: Error & { written?: number; total?: number }) => e,
    );
    assert.match(err.message, /disk full/);
    assert.deepEqual([err.written, err.total], [8, 11]);
    assert.equal(await count('ticket'), 8, 'the two committed chunks are kept; the failed chunk left nothing');
    const orphans = await store.db.query(
      `SELECT 1 FROM ticket t WHERE NOT EXISTS (SELECT 1 FROM ticket_mention m WHERE m.ticket_id = t.id)`,
    );
    assert.equal(orphans.length, 0, 'every stored ticket has its mentions');

    const again = await importTickets(ctx, { format: 'generic-csv', content: csv, chunkSize: 4 });
    assert.deepEqual([again.created, again.updated], [2, 9]);
    const reference = await fresh();
    await importTickets({ store: reference, metrics }, { format: 'generic-csv', content: csv });
    assert.deepEqual(await snapshot(store.db), await snapshot(reference.db), 'the re-run converges on a clean import');
  });

  it('tickets given to ingestTickets at once with the same id are merged in order', async () => {
    const store = await fresh();
    const a = ticketInput({ source: 's', externalId: 'X', title: 'first', body: 'user u-1' });
    const b = ticketInput({ source: 's', externalId: 'X', title: 'second', body: '' });
    const r = await ingestTickets({ store, metrics }, [a, b]);
    assert.deepEqual([r.created, r.updated], [1, 1]);
    const { ticket } = await ticketBy(store, 's', 'X');
    assert.deepEqual([ticket.title, ticket.body], ['second', 'user u-1']);
  });
}
