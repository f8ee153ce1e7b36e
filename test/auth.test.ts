// Authentication: bound beyond loopback every API and ingest request needs a live token;
// on loopback, requests without one pass only with the explicit setting `orrery up` uses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const LOGS = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'auth-test' } }] },
      scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }],
    },
  ],
});

describe('auth when bound beyond loopback', () => {
  let o: InProcess;
  let token: string;

  before(async () => {
    o = await inProcessOrrery({ host: '0.0.0.0' });
    token = (await o.store.createToken('ingest')).token;
  });
  after(() => o.cleanup());

  const ingest = (headers: Record<string, string> = {}) =>
    o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: LOGS,
      headers: { 'content-type': 'application/json', ...headers },
    });
  const api = (url: string, headers: Record<string, string> = {}) =>
    o.server.api.inject({ method: 'GET', url, headers });

  it('refuses ingest and API calls with no token (401, with a hint)', async () => {
    const res = await ingest();
    assert.equal(res.statusCode, 401);
    assert.match(res.json().message, /authentication required.*orrery token create/);
    for (const url of ['/api/status', '/api/logs', '/api/tokens', '/metrics']) {
      const r = await api(url);
      assert.equal(r.statusCode, 401, url);
    }
  });

  it('refuses a wrong, malformed or revoked token', async () => {
    assert.equal((await ingest({ authorization: `Bearer ${token}x` })).statusCode, 401);
    assert.match((await api('/api/status', { authorization: token })).json().message, /malformed Authorization header/);
    const temp = await o.store.createToken('temp');
    assert.equal((await api('/api/status', { authorization: `Bearer ${temp.token}` })).statusCode, 200);
    const revoke = await o.server.api.inject({
      method: 'DELETE',
      url: '/api/tokens/temp',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoke.statusCode, 200);
    assert.equal((await api('/api/status', { authorization: `Bearer ${temp.token}` })).statusCode, 401);
  });

  it('accepts a valid token, and stores nothing for refused requests', async () => {
    const before = (await o.store.status()).raw.log_record.count;
    await ingest({ authorization: 'Bearer nope' });
    assert.equal((await o.store.status()).raw.log_record.count, before);
    assert.equal((await ingest({ authorization: `Bearer ${token}` })).statusCode, 200);
    assert.equal((await o.store.status()).raw.log_record.count, before + 1);
    assert.equal((await api('/api/status', { authorization: `bearer ${token}` })).statusCode, 200);
  });

  it('creates tokens through the API and never lists the secret', async () => {
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'ci-runner' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 201);
    const created = res.json() as { token: string };
    const list = await api('/api/tokens', { authorization: `Bearer ${token}` });
    assert.ok(!list.body.includes(created.token));
    assert.ok(!list.body.includes(token));
    const dup = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'ci-runner' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(dup.statusCode, 409);
    const bad = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'has spaces' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /name: use letters/);
    const digits = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: '12345' },
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(digits.statusCode, 400);
    assert.match(digits.json().message, /not be all digits/);
  });

  it('serves /healthz without a token', async () => {
    assert.equal((await api('/healthz')).statusCode, 200);
  });
});

describe('auth on loopback', () => {
  it('allows requests without a token only with the explicit setting', async () => {
    const open = await inProcessOrrery({}, { allowAnonymousLoopback: true });
    const closed = await inProcessOrrery({}, { allowAnonymousLoopback: false });
    const required = await inProcessOrrery({ auth: 'required' }, { allowAnonymousLoopback: true });
    try {
      assert.equal((await open.server.api.inject({ method: 'GET', url: '/api/status' })).statusCode, 200);
      assert.equal((await closed.server.api.inject({ method: 'GET', url: '/api/status' })).statusCode, 401);
      assert.equal((await required.server.api.inject({ method: 'GET', url: '/api/status' })).statusCode, 401);
      // A token that is sent is always checked, even where none is needed.
      const wrong = await open.server.api.inject({
        method: 'GET',
        url: '/api/status',
        headers: { authorization: 'Bearer nope' },
      });
      assert.equal(wrong.statusCode, 401);
    } finally {
      await Promise.all([open.cleanup(), closed.cleanup(), required.cleanup()]);
    }
  });
});
