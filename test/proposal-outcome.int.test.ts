// After the action (proposal-outcome@1) on a real store: a config change executed on the webhook
// executor is watched on its service's minutes before and after it. Errors that fall end it
// `resolved` and close its triage problem; errors that rise end it `made-worse`, reopen the
// problem and propose the undo at once (proposed, not run); no change ends it `not-resolved`
// once the watch window is over, and `watching` before. Each decision is audited, and stands.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebhookExecutor } from '../src/act/index.js';
import { judgeOutcome } from '../src/analysis/index.js';
import type { Proposal } from '../src/model/index.js';
import {
  decide,
  executeProposal,
  getProposal,
  propose,
  watchOutcome,
  watchRecentOutcomes,
} from '../src/workflows/index.js';
import { recordDeploy } from '../src/store/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const MIN = 60_000;

describe('proposal outcome after the action (proposal-outcome@1)', () => {
  let o: InProcess;
  let hook: http.Server;
  let ran = 0;

  before(async () => {
    o = await inProcessOrrery();
    hook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        ran++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ did: ['set it'], undo: 'set it back' }));
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    o.ctx.remediation = {
      executors: [
        new WebhookExecutor({
          url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
          secret: 'a-webhook-secret-of-some-length',
        }),
      ],
      node: 'test-node',
      leaseMs: 5_000,
    };
  });
  after(async () => {
    await new Promise((r) => hook.close(r));
    await o.cleanup();
  });

  /** A problem in triage, open. */
  async function problem(title: string): Promise<number> {
    const rows = await o.store.db.query(
      `INSERT INTO problem (title, status, service, fingerprint) VALUES ($1, 'open', $2, $1) RETURNING id`,
      [title, title],
    );
    return Number(rows[0]!.id);
  }

  /** An executed config change of `service`, made for `problemId`. */
  async function executed(service: string, problemId: number): Promise<Proposal> {
    const r = await propose(
      o.ctx,
      { from: 'manual', action: { kind: 'config', service, name: 'POOL', value: '8' }, reason: 'the pool ran dry' },
      { actor: 'token:1', simulate: false },
    );
    const p = r.proposals[0]!;
    // Made by hand, then tied to the problem it is for (as proposing from the problem would).
    await o.store.db.query('UPDATE proposal SET source = $2::jsonb WHERE id = $1', [
      p.id,
      JSON.stringify({ kind: 'problem', id: problemId }),
    ]);
    await decide(o.ctx, p.id, 'approve', { actor: 'token:2', name: 'ana', role: 'approver' });
    const done = await executeProposal(o.ctx, p.id, { actor: 'token:1' });
    assert.equal(done.status, 'executed', done.execution?.error ?? '');
    // The value it replaced, as imported manifests would have told: what an undo sets back.
    await o.store.db.query(`UPDATE proposal SET action = action || '{"from": "4"}'::jsonb WHERE id = $1`, [p.id]);
    return done;
  }

  /** Minutes of `service`: 30 before the action at `errorsBefore` of 200, `afterMinutes` after at `errorsAfter`. */
  async function minutes(service: string, p: Proposal, errorsBefore: number, errorsAfter: number, afterMinutes = 12) {
    const start = Math.floor(Date.parse(p.execution!.claimedAt) / MIN) * MIN;
    const end = Math.floor(Date.parse(p.execution!.finishedAt!) / MIN) * MIN + MIN;
    const red: Array<Record<string, unknown>> = [];
    for (let i = 30; i >= 1; i--)
      red.push({
        minute: new Date(start - i * MIN),
        service,
        endpoint: 'GET /x',
        version: '1',
        requests: 200,
        errors: errorsBefore + (i & 1),
        latency: [
          [40, 180],
          [90, 20],
        ],
      });
    for (let i = 0; i < afterMinutes; i++)
      red.push({
        minute: new Date(end + i * MIN),
        service,
        endpoint: 'GET /x',
        version: '1',
        requests: 200,
        errors: errorsAfter + (i & 1),
        latency: [
          [40, 180],
          [90, 20],
        ],
      });
    await seedAnalysis(o.store.db, { red_minute: red });
    return end;
  }

  const at = (end: number, minutesAfter: number) => new Date(end + minutesAfter * MIN + 30_000);
  const problemStatus = async (id: number) =>
    String((await o.store.db.query('SELECT status FROM problem WHERE id = $1', [id]))[0]!.status);
  const audit = async (action: string, subject: string) =>
    o.store.db.query('SELECT detail FROM audit_event WHERE action = $1 AND subject_id = $2', [action, subject]);

  it('errors that fall end it resolved and close the problem', async () => {
    const pid = await problem('pool-resolved');
    const p = await executed('pool-a', pid);
    const end = await minutes('pool-a', p, 30, 0);
    const early = await watchOutcome(o.ctx, p.id, { now: at(end, 0) });
    assert.equal(early?.verdict, 'watching', 'no minute after the action yet');
    assert.equal((await getProposal(o.ctx, p.id))!.outcome, null, 'watching is not stored');
    const out = await watchOutcome(o.ctx, p.id, { now: at(end, 4) });
    assert.equal(out?.verdict, 'resolved', out?.summary);
    assert.match(out!.summary, /error share/);
    assert.deepEqual(out!.problem, { id: pid, action: 'closed' });
    assert.equal(await problemStatus(pid), 'resolved');
    const stored = (await getProposal(o.ctx, p.id))!.outcome!;
    assert.equal(stored.verdict, 'resolved');
    assert.equal(stored.algorithm, 'proposal-outcome@1');
    assert.equal((await audit('proposal.outcome', String(p.id))).length, 1);
    assert.equal((await audit('problem.close', String(pid))).length, 1);
    // The list shows it, the API answers it, and the Markdown shows it.
    const list = await o.server.api.inject({ method: 'GET', url: `/api/proposals?problem=${pid}` });
    assert.deepEqual(
      list.json().proposals.map((x: { id: number; outcome: string | null }) => [x.id, x.outcome]),
      [[p.id, 'resolved']],
    );
    const res = await o.server.api.inject({ method: 'GET', url: `/api/proposals/${p.id}/outcome` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().outcome.verdict, 'resolved');
    const md = await o.server.api.inject({ method: 'GET', url: `/api/proposals/${p.id}?format=markdown` });
    assert.match(md.body, /## Outcome: resolved/);
    assert.match(md.body, new RegExp(`problem ${pid}: closed`));
    // The first decision stands.
    const again = await watchOutcome(o.ctx, p.id, { now: at(end, 11) });
    assert.equal(again?.decidedAt, stored.decidedAt);
    assert.equal((await audit('proposal.outcome', String(p.id))).length, 1);
  });

  it('errors that rise end it made-worse: the problem reopens and the undo is proposed, not run', async () => {
    const pid = await problem('pool-worse');
    await o.store.db.query(`UPDATE problem SET status = 'resolved' WHERE id = $1`, [pid]);
    const p = await executed('pool-b', pid);
    const runs = ran;
    const end = await minutes('pool-b', p, 1, 40);
    const [out] = (await watchRecentOutcomes(o.ctx, { now: at(end, 3) })).filter((x) => x.id === p.id);
    assert.equal(out?.verdict, 'made-worse');
    const stored = (await getProposal(o.ctx, p.id))!.outcome!;
    assert.deepEqual(stored.problem, { id: pid, action: 'reopened' });
    assert.equal(await problemStatus(pid), 'open');
    assert.ok(stored.undoProposalId, stored.summary);
    const undo = (await getProposal(o.ctx, stored.undoProposalId))!;
    assert.equal(undo.status, 'proposed', 'the undo waits for approval');
    assert.deepEqual(undo.source, { kind: 'undo', proposalId: p.id });
    assert.equal(ran, runs, 'nothing ran unattended');
    assert.equal((await audit('problem.reopen', String(pid))).length, 1);
    assert.equal((await audit('proposal.undo', String(p.id))).length, 1);
  });

  it('no change ends it not-resolved once the watch window is over, and leaves the problem open', async () => {
    const pid = await problem('pool-same');
    const p = await executed('pool-c', pid);
    const end = await minutes('pool-c', p, 10, 10);
    assert.equal((await watchOutcome(o.ctx, p.id, { now: at(end, 5) }))?.verdict, 'watching');
    const out = await watchOutcome(o.ctx, p.id, { now: at(end, 11) });
    assert.equal(out?.verdict, 'not-resolved', out?.summary);
    assert.equal(out?.looks, 10);
    assert.deepEqual(out!.problem, { id: pid, action: 'unchanged' });
    assert.equal(await problemStatus(pid), 'open');
  });

  it("a rollback is watched from its version's deploy, not from when the executor finished", async () => {
    const pid = await problem('roll-resolved');
    const deploy = (version: string, at: Date) =>
      recordDeploy(o.store.db, {
        service: 'roll',
        environment: '',
        version,
        commitSha: null,
        deployedAt: at,
        source: 'test',
        attributes: {},
      });
    await deploy('1.0', new Date(Date.now() - 60 * MIN));
    await deploy('2.0', new Date(Date.now() - 40 * MIN));
    const r = await propose(
      o.ctx,
      { from: 'manual', action: { kind: 'rollback', service: 'roll', toVersion: '1.0' }, reason: '2.0 broke it' },
      { actor: 'token:1', simulate: false },
    );
    const p = r.proposals[0]!;
    await o.store.db.query('UPDATE proposal SET source = $2::jsonb WHERE id = $1', [
      p.id,
      JSON.stringify({ kind: 'problem', id: pid }),
    ]);
    for (const [actor, name] of [
      ['token:2', 'ana'],
      ['token:3', 'ben'],
    ] as const)
      await decide(o.ctx, p.id, 'approve', { actor, name, role: 'approver' });
    const done = await executeProposal(o.ctx, p.id, { actor: 'token:1' });
    assert.equal(done.status, 'executed', done.execution?.error ?? '');
    // Still failing for two minutes after the executor finished, until 1.0 is deployed again.
    const end = await minutes('roll', done, 30, 30, 2);
    const rolled = new Date(end + 2 * MIN + 5_000);
    await deploy('1.0', rolled);
    const red = Array.from({ length: 6 }, (_, i) => ({
      minute: new Date(end + (2 + i) * MIN),
      service: 'roll',
      endpoint: 'GET /x',
      version: '1.0',
      requests: 200,
      errors: i === 0 ? 15 : i & 1,
      latency: [[40, 200]],
    }));
    await seedAnalysis(o.store.db, { red_minute: red });
    const out = await watchOutcome(o.ctx, p.id, { now: at(end, 7) });
    assert.equal(out?.after.since, new Date(end + 3 * MIN).toISOString(), 'the watch starts after the deploy');
    assert.equal(out?.verdict, 'resolved', out?.summary);
    assert.equal(await problemStatus(pid), 'resolved');
  });

  it('answers 409 for a proposal that was not executed, 404 for none', async () => {
    const r = await propose(
      o.ctx,
      { from: 'manual', action: { kind: 'config', service: 'x', name: 'A', value: '1' }, reason: 'why not' },
      { actor: 'token:1', simulate: false },
    );
    const res = await o.server.api.inject({ method: 'GET', url: `/api/proposals/${r.proposals[0]!.id}/outcome` });
    assert.equal(res.statusCode, 409);
    assert.match(res.json().message, /only an executed rollback, scale or config change is watched/);
    assert.equal((await o.server.api.inject({ method: 'GET', url: '/api/proposals/9999/outcome' })).statusCode, 404);
  });

  it('judges with alpha split over the tests and the looks', () => {
    const m = (errors: number, p95: number) =>
      Array.from({ length: 10 }, (_, i) => ({ minuteMs: i * MIN, requests: 200, errors, p95 }));
    const slower = judgeOutcome(m(2, 50), m(2, 400), { watchMinutes: 10 });
    assert.equal(slower.verdict, 'made-worse', 'a p95 rise alone is worse');
    assert.ok(slower.tests.every((t) => t.level === 0.01 / 40));
    const traded = judgeOutcome(m(40, 50), m(0, 400), { watchMinutes: 10 });
    assert.equal(traded.verdict, 'made-worse', 'fewer errors but slower is still worse');
  });
});
