// Token roles: each route needs one (server/roles.ts), a token short of it gets 403 naming the
// role, anonymous loopback requests act as admin, and token changes through the API are
// audited with the acting token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { TokenRole } from '../src/model/index.js';
import { ROUTE_ROLES, grants, requiredRole } from '../src/server/roles.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const LOGS = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'roles-test' } }] },
      scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }],
    },
  ],
});
const INVESTIGATION = { subject: { kind: 'alert', service: 'roles-test', since: '15m' } };

/** `METHOD /path` of every route, from Fastify's route tree. */
function routesOf(app: FastifyInstance, method: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false, method }).split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+) \(([^)]*)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (m[3]!.split(', ').includes(method)) out.push(`${method} ${stack.join('')}`);
  }
  return out;
}

describe('token roles', () => {
  let o: InProcess;
  const tokens = {} as Record<TokenRole, { token: string; id: number }>;

  before(async () => {
    o = await inProcessOrrery({ host: '0.0.0.0' });
    for (const role of ['ingest', 'viewer', 'operator', 'approver', 'admin'] as const) {
      const { token, record } = await o.store.createToken(`t-${role}`, { role });
      tokens[role] = { token, id: record.id };
    }
  });
  after(() => o.cleanup());

  const call = (role: TokenRole, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
    o.server.api.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${tokens[role].token}`,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: payload === undefined ? undefined : JSON.stringify(payload),
    });

  it('an ingest token sends telemetry but cannot read the API', async () => {
    const res = await call('ingest', 'GET', '/api/tickets');
    assert.equal(res.statusCode, 403);
    assert.match(res.json().message, /needs a token with the "viewer" role.*"t-ingest" has "ingest"/);
    const otlp = await o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: LOGS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.ingest.token}` },
    });
    assert.equal(otlp.statusCode, 200);
    const hook = await o.server.api.inject({
      method: 'POST',
      url: '/webhooks/linear',
      payload: '{}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer.token}` },
    });
    assert.equal(hook.statusCode, 403, 'a viewer token does not deliver webhooks');
    assert.match(hook.json().message, /"ingest" role/);
  });

  it('a viewer reads, but cannot create tokens, run investigations or send telemetry', async () => {
    assert.equal((await call('viewer', 'GET', '/api/tickets')).statusCode, 200);
    const tok = await call('viewer', 'POST', '/api/tokens', { name: 'nope' });
    assert.equal(tok.statusCode, 403);
    assert.match(tok.json().message, /"admin" role/);
    const inv = await call('viewer', 'POST', '/api/investigations', INVESTIGATION);
    assert.equal(inv.statusCode, 403);
    assert.match(inv.json().message, /"operator" role/);
    const otlp = await o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: LOGS,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.viewer.token}` },
    });
    assert.equal(otlp.statusCode, 403);
    assert.match(otlp.json().message, /"ingest" role/);
  });

  it('an operator runs investigations but cannot manage tokens; an approver neither', async () => {
    const inv = await call('operator', 'POST', '/api/investigations', INVESTIGATION);
    assert.notEqual(inv.statusCode, 403, inv.body);
    assert.notEqual(inv.statusCode, 401, inv.body);
    for (const role of ['operator', 'approver'] as const) {
      assert.equal((await call(role, 'POST', '/api/tokens', { name: 'nope' })).statusCode, 403, role);
      assert.equal((await call(role, 'GET', '/api/tokens')).statusCode, 403, role);
      assert.equal((await call(role, 'DELETE', '/api/tokens/t-viewer')).statusCode, 403, role);
    }
  });

  it('an admin creates (viewer unless a role is given) and revokes tokens, each change audited', async () => {
    const plain = await call('admin', 'POST', '/api/tokens', { name: 'reader' });
    assert.equal(plain.statusCode, 201);
    assert.equal(plain.json().record.role, 'viewer');
    const op = await call('admin', 'POST', '/api/tokens', { name: 'runner', role: 'operator' });
    assert.equal(op.statusCode, 201);
    assert.equal(op.json().record.role, 'operator');
    const bad = await call('admin', 'POST', '/api/tokens', { name: 'x', role: 'root' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await call('admin', 'DELETE', '/api/tokens/runner')).statusCode, 200);
    const [revoke, create] = await o.store.listAudit();
    assert.equal(revoke!.action, 'token.revoke');
    assert.equal(revoke!.actor, `token:${tokens.admin.id}`);
    assert.equal(revoke!.subjectId, String(op.json().record.id));
    assert.equal(create!.action, 'token.create');
    assert.deepEqual(create!.detail, { name: 'runner', role: 'operator' });
    const list = await call('admin', 'GET', '/api/tokens');
    assert.equal(list.statusCode, 200);
    const listed = (list.json() as { tokens: Array<{ name: string; role: string }> }).tokens;
    assert.equal(listed.find((t) => t.name === 't-ingest')?.role, 'ingest');
  });

  it('every state-changing route is given its role in one table', () => {
    assert.ok(routesOf(o.server.api, 'POST').includes('POST /api/repos/:name/sync'), 'the route tree was read');
    for (const app of [o.server.api, o.server.otlp]) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        for (const route of routesOf(app, method))
          assert.ok(route in ROUTE_ROLES, `${route} has no role in ROUTE_ROLES`);
      }
    }
    assert.equal(requiredRole('GET', '/api/whatever'), 'viewer');
    assert.equal(requiredRole('POST', '/api/not-listed'), 'admin', 'closed until given a role');
    assert.ok(grants('admin', 'ingest') && grants('approver', 'viewer') && !grants('operator', 'ingest'));
    assert.ok(!grants('admin', 'approver'), 'admin does not include approver');
    assert.equal(requiredRole('POST', '/api/proposals/:id/approve'), 'approver');
  });
});

describe('anonymous loopback requests act as admin (but cannot approve)', () => {
  it('creates and revokes tokens, audited as the anonymous loopback caller', async () => {
    const o = await inProcessOrrery();
    try {
      const res = await o.server.api.inject({ method: 'POST', url: '/api/tokens', payload: { name: 'local' } });
      assert.equal(res.statusCode, 201);
      const [event] = await o.store.listAudit();
      assert.equal(event!.actor, 'anonymous-loopback');
      assert.equal(event!.action, 'token.create');
    } finally {
      await o.cleanup();
    }
  });

  it('cannot approve or reject: an approval names who approves (401 with the reason)', async () => {
    const o = await inProcessOrrery();
    try {
      const made = await o.server.api.inject({
        method: 'POST',
        url: '/api/proposals',
        payload: {
          from: 'manual',
          action: { kind: 'restart', services: ['cart'] },
          reason: 'stuck workers',
          simulate: false,
        },
      });
      assert.equal(made.statusCode, 201, made.body);
      const id = made.json().proposals[0].id as number;
      for (const verdict of ['approve', 'reject']) {
        const res = await o.server.api.inject({ method: 'POST', url: `/api/proposals/${id}/${verdict}`, payload: {} });
        assert.equal(res.statusCode, 401, verdict);
        assert.match(res.json().message, /anonymous request cannot .*names who approves/);
      }
      const shown = await o.server.api.inject({ method: 'GET', url: `/api/proposals/${id}` });
      assert.equal(shown.json().proposal.status, 'proposed');
      assert.equal(shown.json().proposal.decisions.length, 0);
    } finally {
      await o.cleanup();
    }
  });
});
