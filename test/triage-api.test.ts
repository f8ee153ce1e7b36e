// POST /api/triage and /api/problems in process, over seeded analysis rows and tickets: one
// problem per fault (an error group, the pattern that follows it, the ticket that names it,
// owners from CODEOWNERS), duplicate tickets merged, ids stable across runs, an upstream
// symptom's stored problem marked merged once the graph edge appears, a problem no longer
// seen resolved, a problem's investigation focused on its own service; 400 for bad input,
// 404 for an unknown id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Problem, ProblemDetail } from '../src/store/problem-store.js';
import type { TriageRun } from '../src/workflows/triage.js';
import type { Investigation } from '../src/model/index.js';
import { ensureDayPartitions } from '../src/store/partitions.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { ONSET, TRIAGE_TICKETS, addEdge, minute, seedTriageWorld } from './helpers/triage-world.js';

describe('/api/triage and /api/problems', () => {
  let o: InProcess;
  let api: FastifyInstance;
  before(async () => {
    o = await inProcessOrrery();
    api = o.server.api;
    await seedTriageWorld(o.store.db);
    for (const t of TRIAGE_TICKETS) {
      const res = await o.server.api.inject({ method: 'POST', url: '/api/tickets', payload: t });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(async () => {
    await o.cleanup();
  });

  const run = async (payload: object = {}) => {
    const res = await api.inject({ method: 'POST', url: '/api/triage', payload });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as TriageRun;
  };
  const show = async (id: number) => {
    const res = await api.inject({ method: 'GET', url: `/api/problems/${id}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as ProblemDetail;
  };
  const ticketId = async (externalId: string) =>
    Number(
      (await o.store.db.query<{ id: number }>('SELECT id FROM ticket WHERE external_id = $1', [externalId]))[0]!.id,
    );

  let first: TriageRun;
  it('ranks one problem per fault: the error with its pattern, the ticket naming it, owners from CODEOWNERS', async () => {
    first = await run({ limit: 50 });
    const keys = first.problems.map((p) => p.key);
    const cart = first.problems.find((p) => p.key === 'error:cart:fp-price')!;
    assert.ok(cart, keys.join(', '));
    assert.deepEqual(
      cart.members.filter((m) => m.kind !== 'ticket').map((m) => m.key),
      ['error:cart:fp-price', 'pattern:cart:p-checkout'],
    );
    assert.deepEqual(cart.tickets, [await ticketId('HD-1')]);
    assert.deepEqual(cart.owners, ['@shop/cart']);
    assert.equal(cart.ownersFrom, 'file:services/cart/src/cart.js');
    assert.equal(cart.trend, 'new');
    assert.equal(first.window.buckets, 1440, 'a day in minutes');
    // No graph edge yet: web's error is its own problem.
    assert.ok(keys.includes('error:web:fp-gateway'));
    // The duplicate tickets are one problem, titled by the first.
    const dup = first.problems.find((p) => p.kind === 'tickets')!;
    assert.deepEqual(dup.tickets, [await ticketId('HD-2'), await ticketId('HD-3')]);
    assert.equal(dup.key, `tickets:${await ticketId('HD-2')}`);
    // The steady WARN pattern is background; the old search error is outside the window.
    assert.ok(!keys.some((k) => k.includes('p-retry') || k.includes('fp-old')), keys.join(', '));
    assert.equal(first.ignoredPatterns, 1);
    const scores = first.problems.map((p) => p.priority.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      'highest priority first',
    );
  });

  it('shows a problem with its members and tickets, and points the tickets at it', async () => {
    const cart = first.problems.find((p) => p.key === 'error:cart:fp-price')!;
    const d = await show(cart.id);
    assert.equal(d.problem.id, cart.id);
    assert.equal(d.problem.status, 'open');
    assert.equal(d.problem.service, 'cart');
    assert.equal(d.problem.firstSeen, minute(ONSET));
    assert.deepEqual(
      d.tickets.map((t) => t.externalId),
      ['HD-1'],
    );
    assert.ok(d.problem.members.some((m) => m.kind === 'ticket' && /quotes the error/.test(m.why)));
    const [row] = await o.store.db.query<{ problem_id: number }>(
      `SELECT problem_id FROM ticket WHERE external_id = 'HD-1'`,
    );
    assert.equal(Number(row!.problem_id), cart.id);
  });

  it('keeps ids across runs, merges a stored symptom once the edge appears, resolves what is no longer seen', async () => {
    const idOf = (r: TriageRun, key: string) => r.problems.find((p) => p.key === key)?.id;
    const again = await run({ limit: 50 });
    for (const p of first.problems) assert.equal(idOf(again, p.key), p.id, `${p.key} keeps its id`);

    // search's error was seen in an earlier window only; web now calls cart.
    await o.store.db.query(
      `INSERT INTO problem (title, fingerprint, status) VALUES ('old', 'error:search:fp-old', 'open')`,
    );
    await addEdge(o.store.db);
    const third = await run({ limit: 50 });
    const cartId = idOf(first, 'error:cart:fp-price')!;
    const webId = idOf(first, 'error:web:fp-gateway')!;
    assert.equal(idOf(third, 'error:cart:fp-price'), cartId);
    assert.equal(idOf(third, 'error:web:fp-gateway'), undefined, 'no longer a problem of its own');
    const cart = third.problems.find((p) => p.id === cartId)!;
    assert.deepEqual(cart.mergedFrom, ['error:web:fp-gateway']);
    const web = await show(webId);
    assert.equal(web.problem.status, 'merged');
    assert.equal(web.problem.mergedInto, cartId);
    assert.deepEqual(
      (await show(cartId)).merged.map((m) => m.id),
      [webId],
    );
    assert.equal(third.merged, 1);
    const [old] = await o.store.db.query<{ status: string }>(
      `SELECT status FROM problem WHERE fingerprint = 'error:search:fp-old'`,
    );
    assert.equal(old!.status, 'resolved');
    assert.equal(third.resolved, 1);

    const open = await api.inject({ method: 'GET', url: '/api/problems?limit=100' });
    const listed = (open.json() as { problems: Problem[] }).problems.map((p) => p.id);
    assert.ok(listed.includes(cartId) && !listed.includes(webId));
    const all = await api.inject({ method: 'GET', url: '/api/problems?status=all&limit=100' });
    assert.ok((all.json() as { problems: Problem[] }).problems.some((p) => p.id === webId));
  });

  it('leaves problems it did not see open when the window ends in the past', async () => {
    const past = await run({ since: '3h', until: '2h' });
    assert.ok(past.gaps.some((g) => /ends before now/.test(g)));
    assert.equal(past.resolved, 0);
    const cart = await show(first.problems.find((p) => p.key === 'error:cart:fp-price')!.id);
    assert.equal(cart.problem.status, 'open');
  });

  it('investigates a problem: its service from its first occurrence, with its tickets', async () => {
    const problem = first.problems.find((p) => p.service === 'cart')!;
    const res = await api.inject({
      method: 'POST',
      url: '/api/investigations',
      payload: { subject: { kind: 'problem', problemId: problem.id } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const inv = res.json().investigation as Investigation;
    assert.equal(inv.problemId, problem.id);
    assert.equal(inv.result.window.onset, minute(ONSET));
    const tickets = inv.result.findings.find((f) => f.kind === 'related_tickets');
    assert.deepEqual(
      ((tickets?.data.tickets ?? []) as Array<{ externalId: string }>).map((t) => t.externalId),
      ['HD-1'],
    );
    const impact = inv.result.findings.find((f) => f.kind === 'impact');
    assert.equal(impact?.data.service, 'cart', inv.result.findings.map((f) => f.title).join('; '));
  });

  it("keeps a problem's investigation on the problem's own fault, even when another service ranks higher", async () => {
    // web's memory climbs from the onset on, an anomaly of its own that cart's errors cannot
    // explain, and its pages slow down: more evidence on web than on cart.
    const pages = Array.from({ length: 90 }, (_, i) => 90 - i);
    await seedAnalysis(o.store.db, {
      red_minute: pages.map((m) => ({
        minute: minute(m),
        service: 'web',
        endpoint: 'GET /products',
        requests: 60,
        errors: 0,
        latency: m > ONSET ? [[40 + (m % 7), 60]] : [[900 + (m % 7) * 10, 60]],
      })),
    });
    const now = new Date();
    await ensureDayPartitions(o.store.db, now);
    for (let m = 90; m >= 1; m--) {
      await o.store.db.query(
        `INSERT INTO metric_point (received_at, time, service, name, kind, value, attributes, resource_hash) VALUES ($1, $2, 'web', 'process.memory.usage', 'gauge', $3, '{}', 'r-web')`,
        [now, minute(m), m > ONSET ? 200 + (m % 5) : 1600 + (m % 5) * 10],
      );
    }
    const problem = first.problems.find((p) => p.service === 'cart')!;
    const res = await api.inject({
      method: 'POST',
      url: '/api/investigations',
      payload: { subject: { kind: 'problem', problemId: problem.id } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const inv = res.json().investigation as Investigation;
    const said = inv.result.findings.map((f) => f.title).join('; ');
    const roots = inv.result.findings.filter((f) => f.kind === 'root_cause_service').map((f) => f.data.service);
    // The ranker puts web first over the whole system, but web's memory and pages are not what
    // the problem is about, nor what its trouble is explained by: the roots stay on cart.
    assert.equal(roots[0], 'cart', said);
    assert.ok(!roots.includes('web'), said);
    // The code step and the headline impact follow the problem too.
    assert.equal(inv.result.findings.find((f) => f.kind === 'impact')?.data.service, 'cart', said);
    const code = inv.result.findings.find((f) => f.kind === 'code_location');
    assert.equal(code?.data.path, 'services/cart/src/cart.js', said);
  });

  it("lists each problem with the deploy it likely came with and its latest investigation (what the UI's queue shows)", async () => {
    const cart = first.problems.find((p) => p.service === 'cart')!;
    // A deploy of cart 10 minutes before the problem began, another after it: the first is the suspect.
    const at = (m: number) => new Date(Date.parse(minute(ONSET)) + m * 60_000).toISOString();
    for (const [version, when] of [
      ['1.4.0', at(-10)],
      ['1.5.0', at(5)],
    ] as const) {
      const res = await api.inject({
        method: 'POST',
        url: '/api/deploys',
        payload: { service: 'cart', version, at: when },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const list = (await api.inject({ method: 'GET', url: '/api/problems' })).json().problems as Array<
      Problem & { suspectedDeploy: { version: string } | null; investigation: { id: number } | null }
    >;
    const row = list.find((p) => p.id === cart.id)!;
    assert.equal(row.suspectedDeploy?.version, '1.4.0');
    const latest = (
      await o.store.db.query<{ id: number }>(
        "SELECT max(id) AS id FROM investigation WHERE result->'subject'->>'problemId' = $1",
        [String(cart.id)],
      )
    )[0]!.id;
    assert.equal(row.investigation?.id, Number(latest));
    const detail = (await show(cart.id)) as ProblemDetail & { problem: { suspectedDeploy: unknown } };
    assert.deepEqual(detail.problem.suspectedDeploy, row.suspectedDeploy);
    // Its verification's verdict comes with it once decided (the UI shows it beside the deploy).
    const suspect = row.suspectedDeploy as unknown as { id: number; verdict: unknown; baseline: boolean };
    assert.equal(suspect.verdict, null);
    assert.equal(suspect.baseline, false);
    await o.store.db.query(
      `UPDATE deploy SET verdict = 'regressed', verified_at = now(), verification = $2::jsonb WHERE id = $1`,
      [suspect.id, JSON.stringify({ algorithm: 'deploy-verify@1', decidedAt: at(-8), problemId: cart.id })],
    );
    const again = (await show(cart.id)) as ProblemDetail & { problem: { suspectedDeploy: { verdict: unknown } } };
    assert.deepEqual(again.problem.suspectedDeploy.verdict, {
      verdict: 'regressed',
      decidedAt: at(-8),
      algorithm: 'deploy-verify@1',
      problemId: cart.id,
    });
  });

  it('answers 404 for an unknown problem and 400 for bad input, with a reason', async () => {
    const missing = await api.inject({ method: 'GET', url: '/api/problems/999999' });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /no problem with id 999999/);
    for (const [req, reason] of [
      [{ method: 'POST', url: '/api/triage', payload: { since: 'yesterday-ish' } }, /since/],
      [{ method: 'POST', url: '/api/triage', payload: { since: '1h', until: '2h' } }, /must be before until/],
      [{ method: 'POST', url: '/api/triage', payload: { limit: 0 } }, /limit/],
      [{ method: 'POST', url: '/api/triage', payload: { window: '1h' } }, /window|unrecognized/i],
      [{ method: 'POST', url: '/api/triage', payload: { since: '60d' } }, /longer than 31 days/],
      [{ method: 'GET', url: '/api/problems?status=sleeping' }, /status/],
      [{ method: 'GET', url: '/api/problems/abc' }, /id/],
    ] as const) {
      const res = await api.inject(req as never);
      assert.equal(res.statusCode, 400, `${JSON.stringify(req)}: ${res.body}`);
      assert.match(res.json().message, reason, JSON.stringify(req));
    }
  });
});
