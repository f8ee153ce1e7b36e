// The request guard in process: Host names (DNS rebinding), Origin and Sec-Fetch-Site on
// state-changing requests (cross-site and same-site pages), content types a browser sends
// without a preflight, the signed-webhook exemption, the OTLP listener's rules, and CORS off.
// The same attacks from a real browser are in request-guard.int.test.ts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/index.js';
import { bareHost, hostPolicy } from '../src/server/request-guard.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const TICKET = JSON.stringify({ id: 'G-1', title: 'checkout fails', body: 'it fails' });
const LOGS = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'guard-test' } }] },
      scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }],
    },
  ],
});
const OWN = '127.0.0.1:8470';

describe('request guard: Host', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const get = (url: string, host: string) => o.server.api.inject({ method: 'GET', url, headers: { host } });

  it('refuses a name that is not this server (DNS rebinding) with 421, on the API and the UI', async () => {
    for (const url of ['/api/tokens', '/api/status', '/', '/healthz']) {
      const res = await get(url, 'attacker.example');
      assert.equal(res.statusCode, 421, url);
      assert.match(res.json().message, /does not answer to the host name "attacker\.example".*ORRERY_PUBLIC_HOSTS/);
    }
    assert.equal((await get('/api/tokens', 'attacker.example:8470')).statusCode, 421);
    assert.equal((await get('/api/tokens', 'localhost.attacker.example')).statusCode, 421);
  });

  it('answers loopback names on any port (the UI dev proxy sends its own)', async () => {
    for (const host of [OWN, '127.0.0.1:5173', 'localhost:8470', 'LOCALHOST', '[::1]:8470', 'localhost.']) {
      assert.equal((await get('/api/tokens', host)).statusCode, 200, host);
    }
  });

  it('answers configured public names, and only those', async () => {
    const p = await inProcessOrrery({ publicHosts: 'orrery.example.com, ops.internal:8443' });
    try {
      const at = (host: string) => p.server.api.inject({ method: 'GET', url: '/api/status', headers: { host } });
      assert.equal((await at('orrery.example.com')).statusCode, 200);
      assert.equal((await at('ops.internal:443')).statusCode, 200, 'ports are not compared');
      assert.equal((await at('evil.example.com')).statusCode, 421);
    } finally {
      await p.cleanup();
    }
  });

  it('on a wildcard bind answers the machine name and its addresses; a specific bind, its address', () => {
    const wild = hostPolicy({ bound: '0.0.0.0', publicHosts: [] });
    assert.ok(wild(hostname()));
    const addr = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal);
    if (addr) assert.ok(wild(addr.family === 'IPv6' ? `[${addr.address}]:8470` : `${addr.address}:8470`));
    assert.ok(wild('localhost:1'));
    assert.ok(!wild('attacker.example'));
    const fixed = hostPolicy({ bound: '10.1.2.3', publicHosts: [] });
    assert.ok(fixed('10.1.2.3:8470') && fixed('127.0.0.1'));
    assert.ok(!fixed(hostname()) && !fixed('10.1.2.4'));
    assert.ok(hostPolicy({ bound: '127.0.0.1', publicHosts: ['*'] })('anything.example'));
    assert.equal(bareHost('[::1]:80'), '::1');
  });

  it('reads ORRERY_PUBLIC_HOSTS (and --public-host) as names without ports, naming a bad one', () => {
    const hosts = (v: string) => loadConfig({ ORRERY_PUBLIC_HOSTS: v }).publicHosts;
    assert.deepEqual(hosts('Orrery.Example.com:443, [::1]:8470 ,10.0.0.5,host.'), [
      'orrery.example.com',
      '::1',
      '10.0.0.5',
      'host',
    ]);
    assert.deepEqual(hosts('*'), ['*']);
    assert.deepEqual(loadConfig({}).publicHosts, []);
    assert.throws(() => hosts('a b'), /ORRERY_PUBLIC_HOSTS: "a b" is not a host name/);
    assert.throws(() => loadConfig({}, { publicHosts: 'x/y' }), /--public-hosts: "x\/y"/);
    assert.equal(bareHost('Name.Example.:80'), 'name.example');
  });
});

describe('request guard: browsers writing from elsewhere', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery({ githubWebhookSecret: 'gh-secret' });
  });
  after(() => o.cleanup());

  const post = (url: string, headers: Record<string, string>, payload = TICKET) =>
    o.server.api.inject({
      method: 'POST',
      url,
      payload,
      headers: { host: OWN, 'content-type': 'application/json', ...headers },
    });
  const tickets = async () => (await o.store.status()).entities.ticket;

  it('refuses another origin, even another port on loopback (same-site to a browser)', async () => {
    const before = await tickets();
    for (const origin of ['http://127.0.0.1:9999', 'http://localhost:8470', 'http://127.0.0.1', 'null']) {
      const res = await post('/api/tickets', { origin });
      assert.equal(res.statusCode, 403, origin);
      assert.match(res.json().message, /only pages served by Orrery itself/);
    }
    for (const site of ['same-site', 'cross-site']) {
      const res = await post('/api/tickets', { 'sec-fetch-site': site });
      assert.equal(res.statusCode, 403, site);
      assert.match(res.json().message, new RegExp(`refused a ${site} request`));
    }
    const del = await o.server.api.inject({
      method: 'DELETE',
      url: '/api/tokens/x',
      headers: { host: OWN, origin: 'http://127.0.0.1:9999' },
    });
    assert.equal(del.statusCode, 403);
    assert.equal(await tickets(), before, 'nothing was stored');
  });

  it('accepts its own origin, same-origin, none, and clients that send neither (CLI, SDKs)', async () => {
    assert.equal(
      (await post('/api/tickets', { origin: `http://${OWN}`, 'sec-fetch-site': 'same-origin' })).statusCode,
      200,
    );
    assert.equal((await post('/api/tickets', { 'sec-fetch-site': 'none' })).statusCode, 200);
    assert.equal((await post('/api/tickets', {})).statusCode, 200);
    const viaDefaultPort = await o.server.api.inject({
      method: 'POST',
      url: '/api/tickets',
      payload: TICKET,
      headers: { host: 'localhost', origin: 'http://localhost:80', 'content-type': 'application/json' },
    });
    assert.equal(viaDefaultPort.statusCode, 200);
  });

  it('lets a signed webhook delivery through whatever its Origin, and checks its signature', async () => {
    const raw = JSON.stringify({ action: 'opened', issue: { number: 1, title: 't', body: 'b', state: 'open' } });
    const sig = `sha256=${createHmac('sha256', 'gh-secret').update(raw).digest('hex')}`;
    const signed = await post(
      '/webhooks/github',
      {
        origin: 'http://127.0.0.1:9999',
        'sec-fetch-site': 'same-site',
        'x-github-event': 'ping',
        'x-hub-signature-256': sig,
      },
      raw,
    );
    assert.notEqual(signed.statusCode, 403, signed.body);
    assert.ok(signed.statusCode < 300, signed.body);
    const forged = await post(
      '/webhooks/github',
      { origin: 'http://127.0.0.1:9999', 'x-github-event': 'ping', 'x-hub-signature-256': 'sha256=00' },
      raw,
    );
    assert.equal(forged.statusCode, 401, 'the exemption does not skip the signature check');
    const unsigned = await post('/webhooks/linear', { origin: 'http://127.0.0.1:9999' }, raw);
    assert.equal(unsigned.statusCode, 403, 'no secret set for linear: an unsigned delivery gets no exemption');
  });
});

describe('request guard: content types', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const post = (url: string, type: string, payload: string) =>
    o.server.api.inject({ method: 'POST', url, payload, headers: { host: OWN, 'content-type': type } });

  it('refuses the types a browser sends without a preflight (415)', async () => {
    const before = (await o.store.status()).entities.ticket;
    const csv = 'id,title,body\nC-1,fails,it fails\n';
    for (const [url, body] of [
      ['/api/tickets', TICKET],
      ['/api/tickets/import', csv],
      ['/webhooks/linear', TICKET],
      ['/api/tokens', '{"name":"x"}'],
    ] as const) {
      for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=x']) {
        const res = await post(url, type, body);
        assert.equal(res.statusCode, 415, `${url} ${type}`);
        assert.match(res.json().message, /unsupported Content-Type/);
      }
    }
    assert.equal((await post('/webhooks/linear', 'application/x-www-form-urlencoded', 'payload=1')).statusCode, 415);
    assert.equal((await o.store.status()).entities.ticket, before);
  });

  it("accepts each route's own types", async () => {
    const csv = 'id,title,body\nC-1,fails,it fails\n';
    assert.equal((await post('/api/tickets/import', 'text/csv; charset=utf-8', csv)).statusCode, 200);
    assert.equal((await post('/api/tickets', 'application/json; charset=utf-8', TICKET)).statusCode, 200);
    const form = `payload=${encodeURIComponent(JSON.stringify({ zen: 'hi', hook_id: 1 }))}`;
    const gh = await o.server.api.inject({
      method: 'POST',
      url: '/webhooks/github',
      payload: form,
      headers: { host: OWN, 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'ping' },
    });
    assert.ok(gh.statusCode < 300, gh.body);
    // A POST without a body needs no type; an unknown route stays a 404.
    const none = await o.server.api.inject({ method: 'POST', url: '/api/repos/nope/sync', headers: { host: OWN } });
    assert.notEqual(none.statusCode, 415);
    assert.equal((await post('/api/nothing-here', 'text/plain', 'x')).statusCode, 404);
  });

  it('sends no CORS headers, to a preflight or otherwise', async () => {
    const pre = await o.server.api.inject({
      method: 'OPTIONS',
      url: '/api/tickets',
      headers: { host: OWN, origin: 'http://127.0.0.1:9999', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    const get = await o.server.api.inject({
      method: 'GET',
      url: '/api/status',
      headers: { host: OWN, origin: 'http://127.0.0.1:9999' },
    });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers['access-control-allow-origin'], undefined);
  });
});

describe('request guard: the OTLP listener', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const send = (headers: Record<string, string>, type = 'application/json') =>
    o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: LOGS,
      headers: { 'content-type': type, ...headers },
    });

  it("takes SDK requests under any name, and refuses browsers' writes from elsewhere", async () => {
    assert.equal((await send({ host: 'otel-collector.svc.cluster.local:4318' })).statusCode, 200);
    const attempts: Record<string, string>[] = [
      { host: '127.0.0.1:4318', origin: 'http://127.0.0.1:9999' },
      { host: 'attacker.example:4318', origin: 'http://attacker.example:4318' },
      { host: '127.0.0.1:4318', 'sec-fetch-site': 'cross-site' },
      { host: '127.0.0.1:4318', 'sec-fetch-site': 'same-site' },
    ];
    for (const h of attempts) {
      const res = await send(h, 'text/plain');
      assert.equal(res.statusCode, 403, JSON.stringify(h));
      assert.match(res.json().message, /only pages served by Orrery itself/);
    }
    // The same attack on the OTLP routes of the API port: a rebinding name is refused there too.
    const onApi = await o.server.api.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: LOGS,
      headers: { host: 'attacker.example:8470', 'content-type': 'application/json' },
    });
    assert.equal(onApi.statusCode, 421);
  });
});
