// /api/investigations in process: bad subjects are 400 with a reason, unknown ids 404, and
// an alert with no telemetry still answers, with its gaps stated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { type Investigation, investigationJsonSchema, investigationSchema } from '../src/model/index.js';
import { buildShopRepo } from './fixtures/repo/build.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

describe('/api/investigations', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());
  const post = async (payload: unknown) => {
    const res = await o.server.api.inject({ method: 'POST', url: '/api/investigations', payload: payload as object });
    // Every stored run matches the published schema.
    if (res.statusCode === 201) investigationSchema.parse(res.json().investigation);
    return res;
  };

  it('publishes the JSON Schema that docs/investigation.schema.json holds', async () => {
    const res = await o.server.api.inject({ method: 'GET', url: '/api/investigations/schema' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), investigationJsonSchema());
    assert.deepEqual(
      JSON.parse(readFileSync(new URL('../docs/investigation.schema.json', import.meta.url), 'utf8')),
      investigationJsonSchema(),
      'docs/investigation.schema.json differs from the zod schema: run `npm run schema`',
    );
    assert.throws(() => investigationSchema.parse({ id: 1 }));
  });

  it('refuses malformed and unsupported subjects with 400 and a reason', async () => {
    for (const [payload, reason] of [
      [{}, /subject/],
      [{ subject: { kind: 'alert', service: 'web' } }, /since/],
      [{ subject: { kind: 'alert', service: 'web', since: 'yesterday-ish' } }, /since/],
      [{ subject: { kind: 'alert', service: '', since: '30m' } }, /service/],
      [{ subject: { kind: 'ticket', ticketId: 0 } }, /ticketId/],
      [{ subject: { kind: 'weather' } }, /kind/],
    ] as const) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(res.json().message, reason, JSON.stringify(payload));
    }
    const future = await post({
      subject: { kind: 'alert', service: 'web', since: new Date(Date.now() + 3_600_000).toISOString() },
    });
    assert.equal(future.statusCode, 400);
    assert.match(future.json().message, /in the past/);
  });

  it('answers 404 for an unknown ticket or problem', async () => {
    for (const subject of [
      { kind: 'ticket', ticketId: 424242 },
      { kind: 'problem', problemId: 424242 },
    ]) {
      const res = await post({ subject });
      assert.equal(res.statusCode, 404, res.body);
      assert.match(res.json().message, new RegExp(`no ${subject.kind} with id 424242`));
    }
  });

  it('investigates a ticket with no telemetry: its related tickets and duplicates, and what to ask the customer', async () => {
    const ticket = (id: string, title: string, body: string) =>
      o.server.api.inject({ method: 'POST', url: '/api/tickets', payload: { source: 'helpdesk', id, title, body } });
    const ids: number[] = [];
    for (const [id, title, body] of [
      [
        'HD-1',
        'Checkout fails with PaymentDeclinedError',
        'Every checkout fails: PaymentDeclinedError on the payment page since this morning.',
      ],
      [
        'HD-2',
        'PaymentDeclinedError at checkout',
        'Checkout fails with PaymentDeclinedError on the payment page, since this morning.',
      ],
      ['HD-3', 'How do I change my address?', 'I moved and want to update the shipping address on my profile.'],
    ]) {
      const res = await ticket(id!, title!, body!);
      assert.equal(res.statusCode, 200, res.body);
      ids.push(res.json().tickets[0].id);
    }
    const res = await post({ subject: { kind: 'ticket', ticketId: ids[0] } });
    assert.equal(res.statusCode, 201, res.body);
    const run = res.json().investigation as Investigation;
    const related = run.result.findings.find((f) => f.kind === 'related_tickets');
    const listed = related?.data.tickets as Array<{ id: number; duplicate: boolean }>;
    assert.equal(listed[0]?.id, ids[1], 'the near-identical ticket first');
    assert.ok(!listed.some((t) => t.id === ids[0]), 'not itself');
    assert.ok(
      run.result.findings.some((f) => f.kind === 'next_step' && f.data.action === 'ask'),
      'with nothing to tie it to telemetry, ask the customer',
    );
    assert.ok(
      run.result.gaps.some((g) => /names no user, account, trace, route or service/.test(g)),
      run.result.gaps.join('; '),
    );
    assert.ok(run.result.findings.every((f) => f.evidence.length > 0));
    const again = await post({ subject: { kind: 'ticket', ticketId: ids[0] } });
    assert.equal(again.json().investigation.previousId, run.id, 'a re-run chains to the run before');
  });

  it('with no telemetry, takes a ticket to code by its words over the indexed repository', async () => {
    const shop = buildShopRepo();
    try {
      const added = await o.server.api.inject({ method: 'POST', url: '/api/repos', payload: { path: shop.dir } });
      assert.equal(added.statusCode, 201, added.body);
      const t = await o.server.api.inject({
        method: 'POST',
        url: '/api/tickets',
        payload: {
          source: 'helpdesk',
          id: 'HD-9',
          title: 'Cannot reserve stock',
          body: 'Reserving inventory for a SKU does nothing, the stock lookup still shows 0.',
        },
      });
      const res = await post({ subject: { kind: 'ticket', ticketId: t.json().tickets[0].id } });
      assert.equal(res.statusCode, 201, res.body);
      const place = (res.json().investigation as Investigation).result.findings.find((f) => f.kind === 'code_location');
      assert.match(String(place?.data.path), /InventoryController\.java$/, JSON.stringify(place?.data));
      assert.match(place!.hint, /matches the ticket's words/);
    } finally {
      rmSync(shop.dir, { recursive: true, force: true });
    }
  });

  it('answers an alert with no telemetry with its gaps, stores it, and shows it as Markdown', async () => {
    const first = await post({ subject: { kind: 'alert', service: 'web', since: '30m' } });
    assert.equal(first.statusCode, 201, first.body);
    const run = first.json().investigation as Investigation;
    assert.deepEqual(run.result.findings, []);
    assert.ok(
      run.result.gaps.some((g) => /no telemetry from web/.test(g)),
      run.result.gaps.join('; '),
    );
    const shown = await o.server.api.inject({ method: 'GET', url: `/api/investigations/${run.id}?format=markdown` });
    assert.equal(shown.statusCode, 200);
    assert.match(shown.headers['content-type'] as string, /text\/markdown/);
    assert.match(shown.body, /## Not covered/);
    assert.equal((await o.server.api.inject({ method: 'GET', url: '/api/investigations/999999' })).statusCode, 404);
    const list = await o.server.api.inject({ method: 'GET', url: '/api/investigations' });
    assert.equal(list.json().investigations[0].id, run.id);
  });
});
