// Approver notices through a real local HTTP receiver: a new proposal is posted once as pending,
// a waiting one near its expiry once as expiring, each later status once; every request carries
// the webhook executor's signature over its body; a failed delivery is tried again after its
// pause; and a receiver that fails or hangs never holds up or breaks a proposal.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type ApproverNotice, ApproverWebhook, WebhookExecutor, webhookSignature } from '../src/act/index.js';
import { noticesDue } from '../src/analysis/index.js';
import { ConfigError, loadConfig } from '../src/config/index.js';
import type { Proposal, TokenRole } from '../src/model/index.js';
import { getProposal, notifyApprovers } from '../src/workflows/index.js';
import { attention } from '../src/web/proposal-attention.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const SECRET = 'an-approver-webhook-secret';

type Mode = 'ok' | 'fail' | 'hang';

async function receiver() {
  const got: Array<{ notice: ApproverNotice; signed: boolean; key: string | undefined }> = [];
  let mode: Mode = 'ok';
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (mode === 'hang') return; // never answers
      if (mode === 'fail') {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const ts = Number(req.headers['x-orrery-timestamp']);
      const signed = req.headers['x-orrery-signature'] === webhookSignature(SECRET, body, ts);
      got.push({ notice: JSON.parse(body) as ApproverNotice, signed, key: req.headers['idempotency-key'] as string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/approvers`,
    got,
    set: (m: Mode) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

describe('approver notices', () => {
  let o: InProcess;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let hook: WebhookExecutor;
  let webhook: ApproverWebhook;
  const tokens: Record<string, string> = {};
  const execHits: string[] = [];
  let execServer: http.Server;

  before(async () => {
    o = await inProcessOrrery({ host: '0.0.0.0' }, { allowAnonymousLoopback: false });
    rx = await receiver();
    // The proposals run on a webhook executor of their own, which always answers.
    execServer = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        execHits.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => execServer.listen(0, '127.0.0.1', r));
    hook = new WebhookExecutor({
      url: `http://127.0.0.1:${(execServer.address() as AddressInfo).port}/run`,
      secret: 'an-executor-secret-long',
    });
    o.ctx.remediation = { executors: [hook], node: 'test-node', leaseMs: 5_000 };
    webhook = new ApproverWebhook({
      url: rx.url,
      secret: SECRET,
      publicUrl: 'https://orrery.example/',
      timeoutMs: 500,
    });
    const make: Array<[string, TokenRole]> = [
      ['op', 'operator'],
      ['alice', 'approver'],
    ];
    for (const [name, role] of make) tokens[name] = (await o.store.createToken(name, { role })).token;
  });
  after(async () => {
    await rx.close();
    await new Promise<void>((r) => {
      execServer.closeAllConnections();
      execServer.close(() => r());
    });
    await o.cleanup();
  });

  const call = (who: string, url: string, payload: unknown = {}) =>
    o.server.api.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  async function propose(extra: Record<string, unknown> = {}): Promise<Proposal> {
    const res = await call('op', '/api/proposals', {
      from: 'manual',
      action: { kind: 'config', service: 'catalog', name: 'DB_POOL_SIZE', value: '4' },
      reason: 'the pool ran dry at the peak',
      simulate: false,
      ...extra,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().proposals[0] as Proposal;
  }

  const of = (id: number) => rx.got.filter((g) => g.notice.proposal.id === id).map((g) => g.notice.event);

  it('a new proposal is posted once as pending, signed, with its link; later runs send nothing more', async () => {
    const p = await propose();
    const r = await notifyApprovers(o.ctx, webhook);
    assert.deepEqual(
      r.sent.filter((s) => s.id === p.id),
      [{ id: p.id, event: 'pending' }],
    );
    const n = rx.got.find((g) => g.notice.proposal.id === p.id)!;
    assert.equal(n.signed, true, 'HMAC-SHA256 over "<timestamp>.<body>" with the shared secret');
    assert.equal(n.key, `orrery-proposal-${p.id}-pending`);
    assert.equal(n.notice.proposal.status, 'proposed');
    assert.deepEqual(n.notice.proposal.approvals, { counted: 0, required: 1 });
    assert.equal(n.notice.proposal.url, `https://orrery.example/proposals/${p.id}`);
    await notifyApprovers(o.ctx, webhook);
    await notifyApprovers(o.ctx, webhook);
    assert.deepEqual(of(p.id), ['pending'], 'once per proposal and event');
    const stored = (await getProposal(o.ctx, p.id))!;
    assert.ok(stored.notices.pending?.sentAt, 'the delivery is recorded on the proposal');
    assert.equal(stored.notices.pending?.attempts, 1);
  });

  it('a waiting proposal near its expiry is posted once as expiring; an approval once as approved', async () => {
    const p = await propose({ expiresIn: '20m' });
    await notifyApprovers(o.ctx, webhook, { expiringMs: 30 * 60_000 });
    assert.deepEqual(of(p.id).sort(), ['expiring', 'pending']);
    const a = await call('alice', `/api/proposals/${p.id}/approve`);
    assert.equal(a.statusCode, 200, a.body);
    await notifyApprovers(o.ctx, webhook, { expiringMs: 30 * 60_000 });
    await notifyApprovers(o.ctx, webhook, { expiringMs: 30 * 60_000 });
    assert.deepEqual(of(p.id).sort(), ['approved', 'expiring', 'pending']);
    const approved = rx.got.find((g) => g.notice.proposal.id === p.id && g.notice.event === 'approved')!;
    assert.deepEqual(approved.notice.proposal.approvals, { counted: 1, required: 1 });
  });

  it('a failed delivery is kept, paused and tried again until it lands', async () => {
    const p = await propose();
    rx.set('fail');
    const r1 = await notifyApprovers(o.ctx, webhook);
    const failed = r1.failed.find((f) => f.id === p.id)!;
    assert.match(failed.error, /answered 503/);
    assert.equal(failed.attempts, 1);
    rx.set('ok');
    // Within the pause (5 s after a first failure) nothing is sent.
    await notifyApprovers(o.ctx, webhook);
    assert.deepEqual(of(p.id), []);
    const stored = (await getProposal(o.ctx, p.id))!;
    assert.match(stored.notices.pending?.lastError ?? '', /503/);
    assert.equal(stored.notices.pending?.sentAt, null);
    await new Promise((r) => setTimeout(r, 5_300));
    await notifyApprovers(o.ctx, webhook);
    assert.deepEqual(of(p.id), ['pending']);
    assert.equal((await getProposal(o.ctx, p.id))!.notices.pending?.attempts, 2);
  });

  it('a receiver that hangs or is gone never holds up or breaks a proposal', async () => {
    const p = await propose();
    rx.set('hang');
    const sending = notifyApprovers(o.ctx, webhook); // not awaited: the server's timer runs it apart
    const t0 = Date.now();
    const a = await call('alice', `/api/proposals/${p.id}/approve`);
    assert.equal(a.statusCode, 200, a.body);
    const runs = execHits.length;
    const ex = await call('op', `/api/proposals/${p.id}/execute`);
    assert.equal(ex.statusCode, 200, ex.body);
    assert.equal(ex.json().proposal.status, 'executed');
    assert.equal(execHits.length, runs + 1, 'the action ran once');
    assert.ok(Date.now() - t0 < 5_000, 'approval and execution did not wait for the receiver');
    const r = await sending;
    assert.ok(
      r.failed.some((f) => f.id === p.id && /failed/.test(f.error)),
      'the hung request timed out',
    );
    // A receiver that is gone: a refused connection is a failed notice, not an error.
    const gone = new ApproverWebhook({ url: 'http://127.0.0.1:9/approvers', secret: SECRET, timeoutMs: 500 });
    const q = await propose();
    const r2 = await notifyApprovers(o.ctx, gone);
    assert.ok(r2.failed.some((f) => f.id === q.id));
    assert.equal((await getProposal(o.ctx, q.id))!.status, 'proposed');
    rx.set('ok');
  });

  it('only the current state is due: a pending notice that never landed is not sent once the proposal moved on', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const expiresAt = new Date(now + 3_600_000).toISOString();
    const failing = { attempts: 2, nextAt: null, sentAt: null, lastError: '503' };
    assert.deepEqual(noticesDue({ status: 'approved', expiresAt, notices: { pending: failing } }, now), ['approved']);
    assert.deepEqual(noticesDue({ status: 'executing', expiresAt, notices: {} }, now), []);
    const spent = { attempts: 8, nextAt: null, sentAt: null, lastError: '503' };
    assert.deepEqual(noticesDue({ status: 'proposed', expiresAt, notices: { pending: spent } }, now), [], 'given up');
  });

  it('the web UI marks a proposal awaiting approval, and one still waiting that expires soon', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    const at = (min: number) => new Date(now + min * 60_000).toISOString();
    assert.deepEqual(attention({ status: 'proposed', expiresAt: at(120), notices: {} }, now), {
      pending: true,
      expiring: false,
    });
    assert.deepEqual(attention({ status: 'proposed', expiresAt: at(10), notices: {} }, now), {
      pending: true,
      expiring: true,
    });
    // Approved but not yet run: no longer pending, still expiring.
    assert.deepEqual(attention({ status: 'approved', expiresAt: at(10), notices: {} }, now), {
      pending: false,
      expiring: true,
    });
    // Run, or past its expiry: neither.
    assert.deepEqual(attention({ status: 'executed', expiresAt: at(10), notices: {} }, now), {
      pending: false,
      expiring: false,
    });
    assert.deepEqual(attention({ status: 'proposed', expiresAt: at(-1), notices: {} }, now), {
      pending: true,
      expiring: false,
    });
    // The server's setting, which the proposals list carries, moves the window.
    assert.equal(attention({ status: 'proposed', expiresAt: at(50), notices: {} }, now, 60).expiring, true);
    assert.equal(attention({ status: 'proposed', expiresAt: at(10), notices: {} }, now, 5).expiring, false);
    // An expiring notice already sent marks it whatever the window.
    const told = { expiring: { attempts: 1, nextAt: null, sentAt: at(-5), lastError: null } };
    assert.equal(attention({ status: 'proposed', expiresAt: at(50), notices: told }, now).expiring, true);
  });

  it('the setting needs its secret, and the secret its URL', () => {
    assert.throws(
      () => loadConfig({ ORRERY_APPROVER_WEBHOOK_URL: 'http://127.0.0.1:1/x' }),
      (e: Error) => e instanceof ConfigError && /ORRERY_APPROVER_WEBHOOK_SECRET/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ORRERY_APPROVER_WEBHOOK_SECRET: SECRET }),
      (e: Error) => e instanceof ConfigError && /needs ORRERY_APPROVER_WEBHOOK_URL/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ORRERY_APPROVER_WEBHOOK_URL: 'ftp://x', ORRERY_APPROVER_WEBHOOK_SECRET: SECRET }),
      /ORRERY_APPROVER_WEBHOOK_URL: must be an http/,
    );
    const c = loadConfig({
      ORRERY_APPROVER_WEBHOOK_URL: 'https://hooks.example/a',
      ORRERY_APPROVER_WEBHOOK_SECRET: SECRET,
    });
    assert.equal(c.approverExpiringMinutes, 30);
  });
});
