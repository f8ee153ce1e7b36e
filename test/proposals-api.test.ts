// Proposals through the API, run on the webhook executor against a receiver that counts what
// reaches it: every refusal (a viewer's or an admin's approval, an anonymous one, the proposer's
// own, one approval of a high-risk proposal, an expired or rejected proposal) is checked at the
// receiver — nothing ran — and an approved proposal runs once, each step in the audit trail.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebhookExecutor, webhookSignature } from '../src/act/index.js';
import type { Proposal, TokenRole } from '../src/model/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const SECRET = 'a-webhook-secret-of-some-length';

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
}

async function receiver(): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ body, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ did: ['the hook ran it'], undo: 'run the hook with the inverse' }));
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`,
    got,
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

describe('proposals: approval and refusals, checked at the executor', () => {
  let o: InProcess;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const tokens: Record<string, { token: string; id: number }> = {};

  before(async () => {
    o = await inProcessOrrery({ host: '0.0.0.0' }, { allowAnonymousLoopback: false });
    hook = await receiver();
    o.ctx.remediation = {
      executors: [new WebhookExecutor({ url: hook.url, secret: SECRET })],
      node: 'test-node',
      leaseMs: 5_000,
    };
    const make: Array<[string, TokenRole]> = [
      ['op', 'operator'],
      ['alice', 'approver'],
      ['bob', 'approver'],
      ['vic', 'viewer'],
      ['adm', 'admin'],
    ];
    for (const [name, role] of make) {
      const { token, record } = await o.store.createToken(name, { role });
      tokens[name] = { token, id: record.id };
    }
  });
  after(async () => {
    await hook.close();
    await o.cleanup();
  });

  const call = (who: string | null, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    o.server.api.inject({
      method,
      url,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]!.token}` } : {}),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });

  async function proposeBy(who: string, action: unknown, extra: Record<string, unknown> = {}): Promise<Proposal> {
    const res = await call(who, 'POST', '/api/proposals', {
      from: 'manual',
      action,
      reason: 'the pool ran dry at the peak',
      simulate: false,
      ...extra,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().proposals[0] as Proposal;
  }

  const config = { kind: 'config', service: 'catalog', name: 'DB_POOL_SIZE', value: '4' };

  it('a proposal carries its evidence, dry run, preconditions, blast radius, tier, approvals and expiry', async () => {
    const p = await proposeBy('op', config);
    assert.equal(p.status, 'proposed');
    assert.equal(p.algorithm, 'propose@1');
    assert.equal(p.risk.tier, 'medium');
    assert.equal(p.approval.required, 1);
    assert.ok(p.risk.rules.length >= 7, 'the tier rules are printed with it');
    assert.equal(p.diff.executor, 'webhook');
    assert.match(p.diff.patch, /"DB_POOL_SIZE"/);
    assert.match(p.evidence[0]!.summary, /the pool ran dry/);
    assert.ok(p.preconditions.some((c) => c.key === 'executor' && c.met === true));
    assert.deepEqual(p.blastRadius.changed, ['catalog']);
    assert.ok(Date.parse(p.expiresAt) - Date.parse(p.createdAt) >= 4 * 3_600_000 - 1000);
    assert.equal(p.proposer, `token:${tokens.op!.id}`);
    const md = await call('vic', 'GET', `/api/proposals/${p.id}?format=markdown`);
    assert.equal(md.statusCode, 200);
    assert.match(md.body, /tier rules:/);
    assert.match(md.body, /high: it scales down/);
    assert.equal(hook.got.length, 0, 'proposing runs nothing');
  });

  it("refuses a viewer's approval (403), an admin's (403) and an anonymous one (401); nothing runs", async () => {
    const p = await proposeBy('op', config);
    const v = await call('vic', 'POST', `/api/proposals/${p.id}/approve`, {});
    assert.equal(v.statusCode, 403);
    assert.match(v.json().message, /"approver" role/);
    const a = await call('adm', 'POST', `/api/proposals/${p.id}/approve`, {});
    assert.equal(a.statusCode, 403, 'admin does not include approver');
    const anon = await call(null, 'POST', `/api/proposals/${p.id}/approve`, {});
    assert.equal(anon.statusCode, 401);
    const ex = await call('op', 'POST', `/api/proposals/${p.id}/execute`);
    assert.equal(ex.statusCode, 409);
    assert.match(ex.json().message, /not approved \(0 of 1 approvals\)/);
    assert.equal(hook.got.length, 0, 'the executor received nothing');
  });

  it("the proposer's own approval does not count, and the proposal does not run", async () => {
    const p = await proposeBy('alice', config);
    const own = await call('alice', 'POST', `/api/proposals/${p.id}/approve`, { comment: 'mine' });
    assert.equal(own.statusCode, 200, own.body);
    const after = own.json().proposal as Proposal;
    assert.equal(after.status, 'proposed');
    assert.equal(after.approval.counted, 0);
    assert.equal(after.decisions[0]!.counted, false);
    assert.match(after.decisions[0]!.why, /proposer's own approval does not count/);
    assert.equal((await call('op', 'POST', `/api/proposals/${p.id}/execute`)).statusCode, 409);
    assert.equal(hook.got.length, 0);
  });

  it('a high-risk proposal with one approval does not run; with two it runs once', async () => {
    const p = await proposeBy('op', { kind: 'restart', services: ['cart', 'catalog'] });
    assert.equal(p.risk.tier, 'high');
    assert.equal(p.approval.required, 2);
    assert.equal(
      (await call('alice', 'POST', `/api/proposals/${p.id}/approve`, {})).json().proposal.status,
      'proposed',
    );
    const once = await call('op', 'POST', `/api/proposals/${p.id}/execute`);
    assert.equal(once.statusCode, 409);
    assert.match(once.json().message, /1 of 2 approvals/);
    assert.equal(hook.got.length, 0, 'one approval of a high-risk proposal runs nothing');
    const again = await call('alice', 'POST', `/api/proposals/${p.id}/approve`, {});
    assert.equal(again.statusCode, 409, 'one identity decides once');
    assert.equal((await call('bob', 'POST', `/api/proposals/${p.id}/approve`, {})).json().proposal.status, 'approved');
    const run = await call('op', 'POST', `/api/proposals/${p.id}/execute`);
    assert.equal(run.statusCode, 200, run.body);
    const done = run.json().proposal as Proposal;
    assert.equal(done.status, 'executed');
    assert.equal(done.execution?.node, 'test-node');
    assert.deepEqual(done.execution?.report?.did.slice(1), ['the hook ran it']);
    assert.equal(done.execution?.report?.undo.text, 'run the hook with the inverse');
    assert.equal(hook.got.length, 1);
    const h = hook.got[0]!;
    assert.equal(h.headers['idempotency-key'], `orrery-proposal-${p.id}`);
    assert.equal(
      h.headers['x-orrery-signature'],
      webhookSignature(SECRET, h.body, Number(h.headers['x-orrery-timestamp'])),
      'signed with the shared secret',
    );
    assert.equal(JSON.parse(h.body).action.kind, 'restart');
    assert.equal((await call('op', 'POST', `/api/proposals/${p.id}/execute`)).statusCode, 409, 'never twice');
    assert.equal(hook.got.length, 1);
    hook.got.length = 0;
  });

  it('an expired proposal does not run, even once approved', async () => {
    const p = await proposeBy('op', config, { expiresIn: '1s' });
    assert.equal(
      (await call('alice', 'POST', `/api/proposals/${p.id}/approve`, {})).json().proposal.status,
      'approved',
    );
    await new Promise((r) => setTimeout(r, 1_300));
    const ex = await call('op', 'POST', `/api/proposals/${p.id}/execute`);
    assert.equal(ex.statusCode, 409);
    assert.match(ex.json().message, /expired/);
    assert.equal((await call('vic', 'GET', `/api/proposals/${p.id}`)).json().proposal.status, 'expired');
    const late = await call('bob', 'POST', `/api/proposals/${p.id}/approve`, {});
    assert.equal(late.statusCode, 409);
    assert.equal(hook.got.length, 0);
  });

  it('a rejected proposal does not run', async () => {
    const p = await proposeBy('op', config);
    assert.equal(
      (await call('alice', 'POST', `/api/proposals/${p.id}/approve`, {})).json().proposal.status,
      'approved',
    );
    assert.equal(
      (await call('bob', 'POST', `/api/proposals/${p.id}/reject`, { comment: 'not at peak' })).json().proposal.status,
      'rejected',
    );
    assert.equal((await call('op', 'POST', `/api/proposals/${p.id}/execute`)).statusCode, 409);
    assert.equal(hook.got.length, 0);
  });

  it('every step is in the audit trail with who did it, and the chain verifies', async () => {
    const list = await call('vic', 'GET', '/api/proposals?status=executed');
    const executed = list.json().proposals as Array<{ id: number }>;
    assert.equal(executed.length, 1);
    // The list carries the server's expiring window, which the UI marks proposals by.
    assert.equal(list.json().expiringMinutes, 30);
    const entries = (await o.store.listAudit({ limit: 500 })).filter(
      (e) => e.subjectKind === 'proposal' && e.subjectId === String(executed[0]!.id),
    );
    const actions = entries.map((e) => e.action).reverse();
    assert.deepEqual(actions, [
      'proposal.create',
      'proposal.approve',
      'proposal.approve',
      'proposal.execute.start',
      'proposal.execute',
    ]);
    assert.equal(entries.find((e) => e.action === 'proposal.create')!.actor, `token:${tokens.op!.id}`);
    assert.deepEqual(
      entries
        .filter((e) => e.action === 'proposal.approve')
        .map((e) => e.actor)
        .sort(),
      [`token:${tokens.alice!.id}`, `token:${tokens.bob!.id}`].sort(),
    );
    const all = (await o.store.listAudit({ limit: 500 })).map((e) => e.action);
    for (const a of ['proposal.reject', 'proposal.expire']) assert.ok(all.includes(a), a);
    const verify = await call('adm', 'GET', '/api/audit/verify');
    assert.equal(verify.json().verification.ok, true, verify.body);
  });

  it('rolls a blamed deploy back to the version before it; a deploy not found regressed is refused', async () => {
    const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    for (const [version, h] of [
      ['1.0.0', 3],
      ['1.1.0', 1],
    ] as const) {
      const r = await call('op', 'POST', '/api/deploys', { service: 'cart', version, environment: 'prod', at: at(h) });
      assert.equal(r.statusCode, 201, r.body);
    }
    const newest = (await call('vic', 'GET', '/api/deploys?service=cart')).json().deploys[0];
    const made = await call('op', 'POST', '/api/proposals', {
      from: 'deploy',
      id: newest.id,
      reason: 'checkout errors since',
      simulate: false,
    });
    assert.equal(made.statusCode, 201, made.body);
    const p = made.json().proposals[0] as Proposal;
    assert.deepEqual(
      { kind: p.action.kind, title: p.title, tier: p.risk.tier },
      { kind: 'rollback', title: 'roll back cart from 1.1.0 to 1.0.0', tier: 'medium' },
    );
    assert.deepEqual(
      p.preconditions.filter((c) => c.key !== 'executor').map((c) => [c.text, c.met]),
      [
        ['cart still runs 1.1.0', true],
        ['version 1.0.0 is still deployable', true],
      ],
    );
    assert.match(p.rationale, /rolling back to 1.0.0/);
    const v = await call('op', 'POST', '/api/proposals', {
      from: 'verification',
      deployId: newest.id,
      simulate: false,
    });
    assert.equal(v.statusCode, 400);
    assert.match(v.json().message, /not regressed/);
  });

  it('a bad proposal is a 400 naming the problem', async () => {
    const bad = await call('op', 'POST', '/api/proposals', {
      from: 'manual',
      action: { kind: 'scale', service: 'x' },
      reason: 'r',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /replicas, an HPA minimum/);
    const ttl = await call('op', 'POST', '/api/proposals', {
      from: 'manual',
      action: config,
      reason: 'r',
      expiresIn: '9y',
    });
    assert.equal(ttl.statusCode, 400);
    const missing = await call('op', 'POST', '/api/proposals', { from: 'investigation', id: 999 });
    assert.equal(missing.statusCode, 404);
  });
});
