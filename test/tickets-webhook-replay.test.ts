// Webhook replay and freshness over HTTP: a signed time outside ORRERY_WEBHOOK_TOLERANCE_SECONDS
// is refused with 401 (Zendesk's signed timestamp header, Linear's webhookTimestamp), and a
// repeated or stale GitHub delivery is acknowledged with 200 but changes nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WEBHOOK_FORMATS } from '../src/ingest/sources/tickets/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { signFor } from './fixtures/tickets/signatures.js';

const SECRETS = {
  githubWebhookSecret: 'gh-secret',
  zendeskWebhookSecret: 'zd-secret',
  linearWebhookSecret: 'lin-secret',
};
const payload = (path: string) => {
  const text = readFileSync(new URL(`./fixtures/tickets/${path}`, import.meta.url), 'utf8');
  // biome-ignore lint/suspicious/noExplicitAny: fixture payloads are edited freely here
  return JSON.parse(text) as Record<string, any>;
};
const zendeskTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('delivery ids', () => {
  it('each sender names its deliveries in its own header; an overlong id is not remembered', () => {
    const header = {
      github: 'x-github-delivery',
      jira: 'x-atlassian-webhook-identifier',
      zendesk: 'x-zendesk-webhook-invocation-id',
      linear: 'linear-delivery',
    };
    for (const f of WEBHOOK_FORMATS) {
      const name = header[f.name as keyof typeof header];
      assert.equal(f.deliveryId?.({ [name]: ' d-42 ' }), 'd-42', f.name);
      assert.equal(f.deliveryId?.({ [name]: 'x'.repeat(201) }), null, f.name);
      assert.equal(f.deliveryId?.({}), null, f.name);
    }
  });
});

describe('webhook replay and freshness', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery({ ...SECRETS, webhookToleranceSeconds: 300 });
  });
  after(() => o.cleanup());

  const send = (format: string, body: unknown, headers: Record<string, string>) =>
    o.server.api.inject({
      method: 'POST',
      url: `/webhooks/${format}`,
      payload: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const ticket = async (source: string, externalId: string) => {
    const list = (await o.server.api.inject({ method: 'GET', url: `/api/tickets?source=${source}` })).json().tickets;
    const t = list.find((x: { externalId: string }) => x.externalId === externalId);
    return (await o.server.api.inject({ method: 'GET', url: `/api/tickets/${t.id}` })).json().ticket;
  };

  it('GitHub: a replayed "opened" delivery does not reopen the closed ticket nor restore its title', async () => {
    const opened = payload('github/issues-opened.payload.json');
    const closed = structuredClone(opened);
    Object.assign(closed, { action: 'closed' });
    Object.assign(closed.issue, { state: 'closed', title: 'Cart badge fixed', updated_at: '2026-11-23T08:00:00Z' });
    const github = (body: unknown, delivery: string) =>
      send('github', body, {
        ...signFor('github', Buffer.from(JSON.stringify(body)), 'gh-secret'),
        'x-github-delivery': delivery,
      });
    assert.equal((await github(opened, 'g-1')).statusCode, 200);
    assert.equal((await github(closed, 'g-2')).statusCode, 200);

    const replay = await github(opened, 'g-1');
    assert.equal(replay.statusCode, 200, replay.body);
    assert.deepEqual(
      { ignored: replay.json().ignored, duplicate: replay.json().duplicate },
      { ignored: true, duplicate: true },
    );
    const relabelled = await github(opened, 'g-3');
    assert.equal(relabelled.statusCode, 200, relabelled.body);
    assert.equal(relabelled.json().stale, true);

    const t = await ticket('github', 'acme-shop/storefront#482');
    assert.deepEqual([t.status, t.title], ['closed', 'Cart badge fixed']);
  });

  it('Zendesk: a signature timestamp from 2001 is 401 naming the window; a fresh one is stored', async () => {
    const body = payload('zendesk/trigger.payload.json');
    const raw = Buffer.from(JSON.stringify(body));
    const old = await send('zendesk', body, signFor('zendesk', raw, 'zd-secret', '2001-09-09T01:46:40Z'));
    assert.equal(old.statusCode, 401, old.body);
    assert.match(
      old.json().message,
      /X-Zendesk-Webhook-Signature-Timestamp 2001-09-09T01:46:40Z is .* outside .*300 s.*ORRERY_WEBHOOK_TOLERANCE_SECONDS/,
    );
    const future = await send(
      'zendesk',
      body,
      signFor('zendesk', raw, 'zd-secret', zendeskTime(Date.now() + 3600_000)),
    );
    assert.equal(future.statusCode, 401);
    const garbled = await send('zendesk', body, signFor('zendesk', raw, 'zd-secret', 'yesterday'));
    assert.equal(garbled.statusCode, 401);
    assert.match(garbled.json().message, /not a time/);

    const fresh = await send('zendesk', body, signFor('zendesk', raw, 'zd-secret', zendeskTime(Date.now() - 60_000)));
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().created, 1);
  });

  it('Linear: an old webhookTimestamp is 401; a fresh one is stored', async () => {
    const body = payload('linear/issue-create.payload.json');
    const linear = (b: unknown, delivery: string) =>
      send('linear', b, {
        ...signFor('linear', Buffer.from(JSON.stringify(b)), 'lin-secret'),
        'linear-delivery': delivery,
      });
    const old = await linear({ ...body, webhookTimestamp: Date.now() - 3600_000 }, 'l-1');
    assert.equal(old.statusCode, 401, old.body);
    assert.match(old.json().message, /webhookTimestamp .* outside .*300 s/);
    const fresh = await linear({ ...body, webhookTimestamp: Date.now() }, 'l-2');
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().created, 1);
  });
});
