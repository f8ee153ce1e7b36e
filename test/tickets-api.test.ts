// The ticket API and webhooks in process: POST /api/tickets, every webhook with good and bad
// signatures, bad input (400/401/413), imports that fail (a bad file writes nothing; a store
// failure keeps whole chunks), and linking a ticket
// to the users, traces and services that telemetry knows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { keyedHash } from '../src/analysis/index.js';
import { WEBHOOK_FORMATS } from '../src/ingest/sources/tickets/index.js';
import type { Queryable, Store } from '../src/store/index.js';
import { ticketStore } from '../src/store/index.js';
import { IngestWriteError, importTickets } from '../src/workflows/index.js';
import { logRecord, span } from './helpers/records.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { SIGNATURE_HEADER, signFor } from './fixtures/tickets/signatures.js';

const SECRETS = {
  githubWebhookSecret: 'gh-secret',
  jiraWebhookSecret: 'jira-secret',
  zendeskWebhookSecret: 'zd-secret',
  linearWebhookSecret: 'lin-secret',
};
const SECRET_OF: Record<string, string> = {
  github: 'gh-secret',
  jira: 'jira-secret',
  zendesk: 'zd-secret',
  linear: 'lin-secret',
};

/**
 * The first payload of each format that yields tickets, with the headers it came with. Linear's
 * signed webhookTimestamp is set to now, inside the replay window.
 */
function sample(format: string): { raw: string; headers: Record<string, string> } {
  const name = { github: 'issues-opened', jira: 'issue-created', zendesk: 'trigger', linear: 'issue-create' }[format]!;
  const dir = new URL(`./fixtures/tickets/${format}/`, import.meta.url);
  const expected = JSON.parse(readFileSync(new URL(`${name}.expected.json`, dir), 'utf8')) as {
    headers: Record<string, string>;
  };
  let raw = readFileSync(new URL(`${name}.payload.json`, dir), 'utf8');
  if (format === 'linear') raw = JSON.stringify({ ...JSON.parse(raw), webhookTimestamp: Date.now() });
  return { raw, headers: expected.headers };
}

async function count(store: Store, table = 'ticket'): Promise<number> {
  return Number((await store.db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

describe('POST /api/tickets and reading tickets back', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    o.server.api.inject({
      method: 'POST',
      url: '/api/tickets',
      payload: payload as string,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('stores one ticket, and upserts it by source + id', async () => {
    const t = {
      source: 'helpdesk',
      id: 'HD-1',
      title: 'Cart shows 0',
      body: 'user u-1042 sees HTTP 500 on /cart/items',
      status: 'New',
    };
    const first = await post(t);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().created, 1);
    const id = first.json().tickets[0].id;
    const again = await post({ ...t, title: 'Cart shows 0 items', status: 'Solved' });
    assert.equal(again.json().updated, 1);
    assert.equal(again.json().tickets[0].id, id);
    assert.equal(await count(o.store), 1);
    const detail = (await o.server.api.inject({ method: 'GET', url: `/api/tickets/${id}` })).json();
    assert.equal(detail.ticket.title, 'Cart shows 0 items');
    assert.equal(detail.ticket.status, 'closed');
    assert.equal(detail.ticket.sourceStatus, 'Solved');
    assert.deepEqual(
      detail.mentions.map((m: { kind: string; value: string }) => `${m.kind}:${m.value}`),
      ['user:u-1042', 'route:/cart/items', 'error:HTTP 500'],
    );
    assert.ok(
      detail.links.some((l: { dstKind: string; dstId: string }) => l.dstKind === 'end_user' && l.dstId === 'u-1042'),
    );
  });

  it('stores a batch, and lists by status, mention and email', async () => {
    const res = await post({
      tickets: [
        {
          id: 'B-1',
          title: 'Login broken',
          body: 'account acct-9 cannot log in',
          reporter: { email: 'Ops@Example.com' },
        },
        { id: 'B-2', title: 'Slow', status: 'closed' },
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().created, 2);
    const list = async (q: string) =>
      (await o.server.api.inject({ method: 'GET', url: `/api/tickets?${q}` }))
        .json()
        .tickets.map((t: { externalId: string }) => t.externalId);
    assert.deepEqual(await list('status=closed'), ['B-2', 'HD-1'], 'newest first');
    assert.deepEqual(await list('mention=account:acct-9'), ['B-1']);
    assert.deepEqual(await list('email=ops@example.com'), ['B-1']);
    assert.deepEqual(await list('source=helpdesk'), ['HD-1']);
  });

  it('answers 400 naming the field, 413 when too large, 415 for a non-JSON type, 404 for an unknown id', async () => {
    const malformed = await post('{"id": "x", "title": ');
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().message, /JSON/);
    const missing = await post({ tickets: [{ id: 'ok', title: 'fine' }, { id: 'no-title' }] });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().message, /missing required field "tickets\[1\]\.title"/);
    const badDate = await post({ id: 'd', title: 't', createdAt: 'last week' });
    assert.equal(badDate.statusCode, 400);
    assert.match(badDate.json().message, /createdAt: "last week" is not a date/);
    const huge = await post({ id: 'big', title: 'big', body: 'x'.repeat(1_100_000) });
    assert.equal(huge.statusCode, 413);
    const nul = await post({
      id: 'nul\u0000',
      title: 'a\u0000b',
      body: 'NUL \u0000 inside',
      comments: [{ body: '\u0000' }],
    });
    assert.equal(nul.statusCode, 200, nul.body);
    const text = await post('id=1', { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    assert.equal((await o.server.api.inject({ method: 'GET', url: '/api/tickets/999999' })).statusCode, 404);
    assert.equal((await o.server.api.inject({ method: 'GET', url: '/api/tickets/abc' })).statusCode, 400);
    assert.equal(
      (await o.server.api.inject({ method: 'GET', url: '/api/tickets?mention=colour:red' })).statusCode,
      400,
    );
  });
});

describe('webhooks with secrets configured', () => {
  let o: InProcess;
  let token: string;
  before(async () => {
    o = await inProcessOrrery(SECRETS);
    token = (await o.store.createToken('webhooks')).token;
  });
  after(() => o.cleanup());

  const send = (format: string, raw: string | Buffer, headers: Record<string, string>) =>
    o.server.api.inject({
      method: 'POST',
      url: `/webhooks/${format}`,
      payload: raw,
      headers: { 'content-type': 'application/json', ...headers },
    });

  for (const format of WEBHOOK_FORMATS.map((f) => f.name)) {
    describe(format, () => {
      const { raw, headers } = sample(format);
      const signed = (body: string | Buffer, secret = SECRET_OF[format]!) => ({
        ...headers,
        ...signFor(format, Buffer.from(body), secret),
      });

      it('stores the ticket when the signature is right', async () => {
        const before = await count(o.store);
        const res = await send(format, raw, signed(raw));
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().tickets.length, 1);
        assert.equal(await count(o.store), before + res.json().created);
      });

      it('401 for a wrong signature, naming the reason, and stores nothing', async () => {
        const before = await count(o.store);
        const res = await send(format, raw, signed(raw, 'not-the-secret'));
        assert.equal(res.statusCode, 401);
        assert.match(res.json().message, /signature check failed: .*does not match/);
        const tampered = raw.replace('"', ' "');
        assert.equal((await send(format, tampered, signed(raw))).statusCode, 401);
        assert.equal(await count(o.store), before);
      });

      it('401 when the signature is missing, naming the header and the setting', async () => {
        const res = await send(format, raw, headers);
        assert.equal(res.statusCode, 401);
        assert.match(
          res.json().message,
          new RegExp(`missing ${SIGNATURE_HEADER[format]}.*ORRERY_${format.toUpperCase()}_WEBHOOK_SECRET`, 'i'),
        );
      });

      it('accepts a valid Bearer token instead of a signature', async () => {
        const res = await send(format, raw, { ...headers, authorization: `Bearer ${token}` });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal((await send(format, raw, { ...headers, authorization: 'Bearer nope' })).statusCode, 401);
      });

      it('400 for malformed JSON and for a missing required field, naming it', async () => {
        const bad = '{"issue": {"key": ';
        const malformed = await send(format, bad, signed(bad));
        assert.equal(malformed.statusCode, 400);
        assert.match(malformed.json().message, /not valid JSON/);
        const body = JSON.parse(raw);
        const field = {
          github: 'issue.title',
          jira: 'issue.fields.summary',
          zendesk: 'ticket.subject',
          linear: 'data.identifier',
        }[format]!;
        const path = field.split('.');
        let cur = body;
        for (const k of path.slice(0, -1)) cur = cur[k];
        delete cur[path.at(-1)!];
        if (format === 'zendesk') delete body.ticket.title;
        const stripped = JSON.stringify(body);
        const missing = await send(format, stripped, signed(stripped));
        assert.equal(missing.statusCode, 400, missing.body);
        assert.match(missing.json().message, new RegExp(`missing required field "${field.replace(/\./g, '\\.')}"`));
      });

      it('413 for an oversized payload', async () => {
        const big = JSON.stringify({ ...JSON.parse(raw), padding: 'x'.repeat(6 * 1024 * 1024) });
        const res = await send(format, big, signed(big));
        assert.equal(res.statusCode, 413);
        assert.match(res.json().message, /over the limit/);
      });
    });
  }

  it('answers GitHub ping with 200 and acknowledges other events with 202', async () => {
    const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 7 });
    const res = await send('github', ping, {
      'x-github-event': 'ping',
      'x-hub-signature-256': signFor('github', Buffer.from(ping), 'gh-secret')['x-hub-signature-256']!,
    });
    assert.equal(res.statusCode, 200);
    assert.match(res.json().reason, /pong/);
    const push = JSON.stringify({ ref: 'refs/heads/main' });
    const ignored = await send('github', push, {
      'x-github-event': 'push',
      'x-hub-signature-256': signFor('github', Buffer.from(push), 'gh-secret')['x-hub-signature-256']!,
    });
    assert.equal(ignored.statusCode, 202);
  });

  it('reads GitHub form-encoded deliveries (payload=…)', async () => {
    const { raw } = sample('github');
    const form = `payload=${encodeURIComponent(raw)}`;
    const res = await send('github', form, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-github-event': 'issues',
      'x-hub-signature-256': signFor('github', Buffer.from(form), 'gh-secret')['x-hub-signature-256']!,
    });
    assert.equal(res.statusCode, 200, res.body);
  });
});

describe('webhooks without secrets', () => {
  it('beyond loopback: 401 with neither a secret nor a token; a token works', async () => {
    const o = await inProcessOrrery({ host: '0.0.0.0' });
    try {
      const { raw, headers } = sample('linear');
      const res = await o.server.api.inject({
        method: 'POST',
        url: '/webhooks/linear',
        payload: raw,
        headers: { 'content-type': 'application/json', ...headers },
      });
      assert.equal(res.statusCode, 401);
      assert.match(res.json().message, /ORRERY_LINEAR_WEBHOOK_SECRET.*Bearer/);
      // A signature it cannot check (no secret configured) does not let it in either.
      const signedOnly = await o.server.api.inject({
        method: 'POST',
        url: '/webhooks/linear',
        payload: raw,
        headers: { 'content-type': 'application/json', ...signFor('linear', Buffer.from(raw), 'whatever') },
      });
      assert.equal(signedOnly.statusCode, 401);
      assert.equal(await count(o.store), 0);
      const token = (await o.store.createToken('hooks')).token;
      const ok = await o.server.api.inject({
        method: 'POST',
        url: '/webhooks/linear',
        payload: raw,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      assert.equal(ok.statusCode, 200, ok.body);
    } finally {
      await o.cleanup();
    }
  });
});

describe('imports', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
    await o.server.api.inject({ method: 'POST', url: '/api/tickets', payload: { id: 'pre', title: 'already here' } });
  });
  after(() => o.cleanup());

  const imp = (body: string, query: string, headers: Record<string, string> = {}) =>
    o.server.api.inject({
      method: 'POST',
      url: `/api/tickets/import?${query}`,
      payload: body,
      headers: { 'content-type': 'text/csv', ...headers },
    });

  it('a CSV with a bad row: 400 naming the row, and the ticket counts are unchanged', async () => {
    const before = {
      ticket: await count(o.store),
      mention: await count(o.store, 'ticket_mention'),
      link: await count(o.store, 'link'),
    };
    const csv = 'id,title,body\nT-1,First,"user u-1 can\'t pay"\nT-2,Second,fine\nT-3,,"no title"\n';
    for (const accept of ['application/json', 'application/x-ndjson']) {
      const res = await imp(csv, 'format=generic-csv', { accept });
      assert.equal(res.statusCode, 400, res.body);
      assert.match(res.json().message, /row 3 \(line 4\): missing required field "title"/);
    }
    const unreadable = await imp('id,title\n"T-1,broken\n', 'format=generic-csv');
    assert.equal(unreadable.statusCode, 400);
    assert.match(unreadable.json().message, /not a readable CSV file/);
    assert.equal((await imp('', 'format=auto')).statusCode, 400);
    assert.equal((await imp('x', 'format=excel')).statusCode, 400);
    assert.deepEqual(
      {
        ticket: await count(o.store),
        mention: await count(o.store, 'ticket_mention'),
        link: await count(o.store, 'link'),
      },
      before,
    );
  });

  it('a good file: counts, and NDJSON progress lines when asked for', async () => {
    const csv = `ID,Subject,Description,Status,Created_At,Requester\n${Array.from({ length: 40 }, (_, i) => `N-${i},Ticket ${i},"user u-${i} sees HTTP 502",open,2026-11-22T10:00:00Z,c${i}@example.com`).join('\n')}\n`;
    const res = await imp(csv, 'format=auto&filename=t.csv', { accept: 'application/x-ndjson' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /application\/x-ndjson/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(lines[0], { progress: { phase: 'parsed', done: 0, total: 40 } });
    assert.deepEqual(lines.at(-2), { progress: { phase: 'writing', done: 40, total: 40 } });
    assert.deepEqual(lines.at(-1).result, {
      format: 'generic-csv',
      total: 40,
      created: 40,
      updated: 0,
      mentions: 120,
      links: 80,
    });
    const plain = await imp(csv, 'format=generic-csv');
    assert.equal(plain.json().updated, 40);
    assert.equal(await count(o.store), 41);
  });

  it('a write that fails halfway keeps the chunks committed before it, and says how many', async () => {
    const before = await count(o.store);
    // A store whose 2nd ticket-writing transaction fails after its tickets were inserted.
    const real = o.store.db;
    let chunks = 0;
    const db = Object.create(real) as typeof real;
    db.transaction = (fn) =>
      real.transaction((tx) => {
        const failing: Queryable = {
          ...tx,
          query: (sql: string, params?: unknown[]) => {
            if (sql.includes('INSERT INTO ticket (')) chunks++;
            if (chunks === 2 && sql.includes('INSERT INTO ticket_mention')) throw new Error('disk full');
            return tx.query(sql, params);
          },
        } as Queryable;
        return fn(failing);
      });
    const ctx = { store: { db } as unknown as Store, metrics: o.ctx.metrics };
    const csv = 'id,title,body\nR-1,one,user u-1\nR-2,two,user u-2\nR-3,three,user u-3\nR-4,four,user u-4\n';
    const seen: number[] = [];
    await assert.rejects(
      importTickets(ctx, { format: 'generic-csv', content: csv, chunkSize: 2, onProgress: (p) => seen.push(p.done) }),
      (err: IngestWriteError) => err instanceof IngestWriteError && /disk full/.test(err.message) && err.written === 2,
    );
    assert.deepEqual(seen, [0, 2], 'the first chunk was committed before the second failed');
    assert.equal(await count(o.store), before + 2);
  });
});

describe('linking tickets to telemetry', () => {
  let o: InProcess;
  let emailHash: string;
  const TRACE = '0af7651916cd43dd8448eb211c80319c';
  before(async () => {
    o = await inProcessOrrery();
    const key = await ticketStore.instanceSecret(o.store.db, ticketStore.EMAIL_HASH_KEY);
    emailHash = keyedHash(key, 'jane.doe@example.com');
    await o.store.writeTelemetry({
      // The trace: cart serves /cart/:cartId and calls payments.
      spans: [
        span({
          traceId: TRACE,
          spanId: 'a1a1a1a1a1a1a1a1',
          service: 'cart',
          userId: 'u-1042',
          httpRoute: '/cart/:cartId',
        }),
        span({
          traceId: TRACE,
          spanId: 'b2b2b2b2b2b2b2b2',
          parentSpanId: 'a1a1a1a1a1a1a1a1',
          service: 'payments',
          userId: null,
          httpRoute: null,
        }),
        span({
          traceId: 'ffffffffffffffffffffffffffffff01',
          spanId: 'c3c3c3c3c3c3c3c3',
          service: 'search',
          userId: 'u-7',
          httpRoute: '/search',
        }),
      ],
      // Telemetry that carries an email as the user id hashes it with the same key (streaming analysis).
      logs: [logRecord({ service: 'web', userId: emailHash, traceId: null })],
      metrics: [],
    });
  });
  after(() => o.cleanup());

  it('links the users, the trace and the services the ticket points at', async () => {
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/api/tickets',
      payload: {
        id: 'L-1',
        title: 'Cart badge shows 0',
        body: `Hi, I'm Jane (Jane.Doe@example.com). GET /cart/88123 says "Failed to load cart". Trace ${TRACE.toUpperCase()}. My colleague user u-1042 too; user u-9999 is fine. Unrelated trace 11111111111111111111111111111111.`,
        reporter: { email: 'jane.doe@EXAMPLE.com', name: 'Jane Doe' },
        accountId: 'acct-9',
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    const detail = (
      await o.server.api.inject({ method: 'GET', url: `/api/tickets/${res.json().tickets[0].id}` })
    ).json();
    const links = Object.fromEntries(
      detail.links.map((l: { dstKind: string; dstId: string; attributes: unknown }) => [
        `${l.dstKind}:${l.dstId}`,
        l.attributes,
      ]),
    );
    assert.deepEqual(Object.keys(links).sort(), [
      'account:acct-9',
      `end_user:${emailHash}`,
      'end_user:u-1042',
      'end_user:u-9999',
      'service:cart',
      'service:payments',
      `trace:${TRACE}`,
    ]);
    assert.deepEqual(links[`end_user:${emailHash}`], { via: ['email'], observed: true });
    assert.deepEqual(links['end_user:u-1042'], { via: ['user'], observed: true });
    assert.deepEqual(links['end_user:u-9999'], { via: ['user'], observed: false });
    assert.deepEqual(links[`trace:${TRACE}`], { services: ['cart', 'payments'] });
    assert.deepEqual((links['service:cart'] as { via: string[] }).via.sort(), ['name', 'route', 'trace']);
    assert.deepEqual(links['service:payments'], { via: ['trace'], traces: [TRACE] });
    // The mentions can be joined on: every ticket about this user, found by its email.
    const byEmail = (
      await o.server.api.inject({ method: 'GET', url: '/api/tickets?email=JANE.DOE@example.com' })
    ).json().tickets;
    assert.deepEqual(
      byEmail.map((t: { externalId: string }) => t.externalId),
      ['L-1'],
    );
    const rows = await o.store.db.query<{ external_id: string }>(
      'SELECT external_id FROM end_user ORDER BY external_id',
    );
    assert.deepEqual(
      rows.map((r) => r.external_id),
      [emailHash, 'u-1042', 'u-9999'].sort(),
    );
  });

  it('never stores an email in clear: not in tickets, mentions, links or users', async () => {
    await o.server.api.inject({
      method: 'POST',
      url: '/api/tickets',
      payload: {
        id: 'L-2',
        title: 'Refund for bob@example.org',
        body: 'Contact: bob@example.org, cc <carol.smith@example.net>, link https://x.example.com/u?e=dave%40example.com',
        url: 'https://helpdesk.example.com/tickets?requester=erin@example.com',
        labels: ['vip:frank@example.com'],
        reporter: { email: 'grace@example.com' },
        comments: [{ author: 'agent.heidi@example.com', body: 'Replied to ivan@example.com' }],
      },
    });
    const dump = await o.store.db.query<{ t: string }>(
      `SELECT t::text AS t FROM ticket t UNION ALL SELECT m::text FROM ticket_mention m
       UNION ALL SELECT l::text FROM link l UNION ALL SELECT u::text FROM end_user u UNION ALL SELECT a::text FROM account a`,
    );
    const all = dump
      .map((r) => r.t)
      .join('\n')
      .toLowerCase();
    for (const local of ['jane.doe', 'bob', 'carol.smith', 'dave', 'erin', 'frank', 'grace', 'agent.heidi', 'ivan']) {
      assert.ok(!all.includes(`${local}@`) && !all.includes(`${local}%40`), `${local}'s email is stored in clear`);
    }
    assert.match(all, /\[email h:[0-9a-f]{64}\]/, 'emails are replaced by their hash in the stored text');
  });
});
