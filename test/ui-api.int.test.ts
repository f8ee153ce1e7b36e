// The routes the web UI needs, in process: the built UI at `/` with deep links (index.html for
// a page path, JSON 404s for the API, no path escaping the assets folder, a clear page when it
// was never built), latency per bucket, a commit with its patch from a real git repository,
// spans by account and error status, a user searched by email (its keyed hash).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keyedHash } from '../src/analysis/index.js';
import { EMAIL_HASH_KEY, instanceSecret } from '../src/store/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { span } from './helpers/records.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { type ShopRepo, buildShopRepo } from './fixtures/repo/build.js';

describe('the web UI at /', () => {
  let o: InProcess;
  let bare: InProcess;
  let root: string;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'orrery-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Orrery</title><div id="root"></div>');
    writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log("ui")');
    writeFileSync(join(root, 'secret.txt'), 'not an asset');
    o = await inProcessOrrery({}, { webRoot: root });
    bare = await inProcessOrrery({}, { webRoot: null });
  });
  after(async () => {
    await o.cleanup();
    await bare.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string, accept = 'text/html,application/xhtml+xml') =>
    o.server.api.inject({ method: 'GET', url, headers: { accept } });

  it('serves index.html at / and for any page path a browser asks for (deep links)', async () => {
    for (const url of [
      '/',
      '/problems',
      '/investigations/12',
      '/patterns/abc?service=cart',
      '/traces/0af7651916cd43dd8448eb211c80319c',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /<div id="root">/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  it('serves assets with a long cache, and nothing outside the assets folder', async () => {
    const js = await get('/assets/index-abc.js', '*/*');
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /text\/javascript/);
    assert.match(String(js.headers['cache-control']), /immutable/);
    for (const url of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/missing.js',
      '/assets/..%2fsecret.txt',
    ]) {
      const res = await get(url, '*/*');
      assert.equal(res.statusCode, 404, url);
      assert.doesNotMatch(res.body, /not an asset/);
    }
  });

  it('answers JSON 404s for unknown API paths and for non-page requests', async () => {
    for (const [url, accept] of [
      ['/api/nope', 'text/html'],
      ['/v1/nope', 'text/html'],
      ['/problems', 'application/json'],
    ] as const) {
      const res = await get(url, accept);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error, 'Not Found');
    }
    const post = await o.server.api.inject({ method: 'POST', url: '/problems', headers: { accept: 'text/html' } });
    assert.equal(post.statusCode, 404);
  });

  it('says how to build the UI when it was never built, and the API still works', async () => {
    const res = await bare.server.api.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build/);
    assert.equal((await bare.server.api.inject({ method: 'GET', url: '/api/status' })).statusCode, 200);
  });
});

describe('API routes the UI reads', () => {
  let o: InProcess;
  let shop: ShopRepo;
  before(async () => {
    o = await inProcessOrrery();
    shop = buildShopRepo();
    const add = await o.server.api.inject({
      method: 'POST',
      url: '/api/repos',
      payload: { path: shop.dir, name: 'shop' },
    });
    assert.equal(add.statusCode, 201, add.body);
    const sync = await o.server.api.inject({ method: 'POST', url: '/api/repos/shop/sync' });
    assert.equal(sync.statusCode, 200, sync.body);
  });
  after(async () => {
    await o.cleanup();
    rmSync(shop.dir, { recursive: true, force: true });
  });
  const get = (url: string) => o.server.api.inject({ method: 'GET', url });

  it('GET /api/services/:service/latency: requests, errors and quantiles per bucket', async () => {
    const m0 = '2026-11-22T10:00:00.000Z';
    const m1 = '2026-11-22T10:01:00.000Z';
    await seedAnalysis(o.store.db, {
      red_minute: [
        { minute: m0, service: 'cart', endpoint: 'GET /cart', requests: 10, errors: 1, latency: [[10, 10]] },
        { minute: m1, service: 'cart', endpoint: 'GET /cart', requests: 5, errors: 0, latency: [[400, 5]] },
        { minute: m1, service: 'cart', endpoint: 'POST /checkout', requests: 5, errors: 5, latency: [[900, 5]] },
        { minute: m1, service: 'web', endpoint: 'GET /', requests: 99, errors: 0, latency: [[1, 99]] },
      ],
    });
    const res = await get(`/api/services/cart/latency?since=${m0}&until=2026-11-22T10:02:00Z&buckets=2`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.requests, [10, 10]);
    assert.deepEqual(body.errors, [1, 5]);
    assert.ok(Math.abs(body.p95Ms[0] - 10) / 10 < 0.02, String(body.p95Ms[0]));
    assert.ok(Math.abs(body.p95Ms[1] - 900) / 900 < 0.02, String(body.p95Ms[1]));
    const one = (
      await get(`/api/services/cart/latency?since=${m0}&until=2026-11-22T10:02:00Z&buckets=2&endpoint=GET%20%2Fcart`)
    ).json();
    assert.deepEqual(one.requests, [10, 5]);
    const empty = (await get(`/api/services/nowhere/latency?since=${m0}&until=2026-11-22T10:02:00Z&buckets=2`)).json();
    assert.deepEqual(empty.p50Ms, [null, null]);
    assert.equal((await get('/api/services/cart/latency?buckets=0')).statusCode, 400);
  });

  it('GET /api/repos/:name/commits/:sha: the indexed commit with its patch from git', async () => {
    const sha = shop.sha.cartFix;
    const res = await get(`/api/repos/shop/commits/${sha.slice(0, 10)}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.commit.sha, sha);
    assert.match(body.commit.message, /Say why checkout failed/);
    assert.equal(body.truncated, false);
    assert.ok(body.commit.files.length > 0);
    for (const f of body.commit.files as Array<{ path: string }>)
      assert.ok(body.patch.includes(`b/${f.path}`), `${f.path} in the patch`);
    assert.equal((await get('/api/repos/shop/commits/0000000000')).statusCode, 404);
    assert.equal((await get('/api/repos/shop/commits/not-a-sha')).statusCode, 400);
    assert.equal((await get('/api/repos/nope/commits/abcdef')).statusCode, 404);
  });

  it('GET /api/spans by account and error status, and a user given as an email by its keyed hash', async () => {
    const key = await instanceSecret(o.store.db, EMAIL_HASH_KEY);
    const hashed = keyedHash(key, 'ava@example.com');
    await o.store.writeTelemetry({
      logs: [],
      metrics: [],
      spans: [
        span({ spanId: 'a1'.padEnd(16, '0'), userId: hashed, accountId: 'acct-7', statusCode: 2 }),
        span({ spanId: 'a2'.padEnd(16, '0'), userId: hashed, accountId: 'acct-7', statusCode: 0 }),
        span({ spanId: 'a3'.padEnd(16, '0'), userId: 'u-9', accountId: 'acct-8', statusCode: 2 }),
      ],
    });
    const ids = async (q: string) =>
      ((await get(`/api/spans?${q}`)).json().spans as Array<{ spanId: string }>)
        .map((s) => s.spanId.slice(0, 2))
        .sort();
    assert.deepEqual(await ids('account=acct-7'), ['a1', 'a2']);
    assert.deepEqual(await ids('account=acct-7&status=error'), ['a1']);
    assert.deepEqual(await ids('user=Ava@Example.com'), ['a1', 'a2']);
    assert.deepEqual(await ids(`user=${encodeURIComponent(hashed)}&status=error`), ['a1']);
    assert.equal((await get('/api/spans?status=failed')).statusCode, 400);
  });
});
