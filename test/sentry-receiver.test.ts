// The Sentry routes in process: keys (header, query, envelope dsn; only a project's own
// sentry-ingest key, never another token or an anonymous request), CORS for browser SDKs,
// body encodings, refusals (never a 200 for what could not be parsed, nothing stored then), and
// 429 with X-Sentry-Rate-Limits when the receiver is overloaded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { TOKEN_ROLES, type SentryProjectCreated } from '../src/model/index.js';
import { worksTheServer } from '../src/server/index.js';
import type { LogRow, SpanRow, TelemetryBatch } from '../src/store/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const line = (o: unknown) => JSON.stringify(o);

function event(message: string, extra: object = {}): object {
  return {
    event_id: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    timestamp: Date.now() / 1000,
    platform: 'node',
    release: 'shop@2.0.0',
    environment: 'production',
    exception: {
      values: [
        {
          type: 'Error',
          value: message,
          stacktrace: { frames: [{ filename: '/srv/shop/src/pay.js', function: 'pay', lineno: 3, colno: 9 }] },
        },
      ],
    },
    ...extra,
  };
}

function envelope(items: object[], header: object = {}): string {
  return `${line({ event_id: 'c0ffee00c0ffee00c0ffee00c0ffee00', ...header })}\n${items.map((e) => `${line({ type: 'event' })}\n${line(e)}`).join('\n')}\n`;
}

describe('Sentry routes', () => {
  let o: InProcess;
  let shop: SentryProjectCreated;
  let other: SentryProjectCreated;
  let admin: string;

  before(async () => {
    o = await inProcessOrrery();
    const make = async (name: string) => {
      const res = await o.server.api.inject({ method: 'POST', url: '/api/sentry/projects', payload: { name } });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as SentryProjectCreated;
    };
    shop = await make('shop');
    other = await make('other');
    admin = (await o.store.createToken('sentry-admin', { role: 'admin' })).token;
  });
  after(() => o.cleanup());

  const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
    o.server.api.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/x-sentry-envelope', ...headers },
    });
  const auth = (key: string) => ({
    'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${key}, sentry_client=test/1`,
  });
  const logsOf = async (service: string, grep: string) =>
    (
      await o.server.api.inject({
        method: 'GET',
        url: `/api/logs?service=${service}&since=1h&grep=${encodeURIComponent(grep)}`,
      })
    ).json().logs as LogRow[];

  it('creates projects with a numeric id, a DSN with a hex key, and lists them without keys; a second key is refused', async () => {
    assert.match(shop.dsn, /^http:\/\/[0-9a-f]{64}@[^/]+\/\d+$/);
    assert.equal(shop.record.role, 'sentry-ingest');
    const again = await o.server.api.inject({ method: 'POST', url: '/api/sentry/projects', payload: { name: 'shop' } });
    assert.equal(again.statusCode, 409);
    const bad = await o.server.api.inject({ method: 'POST', url: '/api/sentry/projects', payload: { name: '123' } });
    assert.equal(bad.statusCode, 400);
    const list = await o.server.api.inject({ method: 'GET', url: '/api/sentry/projects' });
    assert.deepEqual(
      list.json().projects.map((p: { name: string; keys: number }) => [p.name, p.keys]),
      [
        ['shop', 1],
        ['other', 1],
      ],
    );
    assert.equal(list.body.includes(shop.key), false);
    const tokens = await o.server.api.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { name: 'x', role: 'sentry-ingest' },
    });
    assert.equal(tokens.statusCode, 400, 'a DSN key is made with its project only');
  });

  it('a DSN key alone does not count as a way in (orrery up still mints its bootstrap admin)', () => {
    assert.deepEqual(
      TOKEN_ROLES.filter((r) => !worksTheServer(r)),
      ['sentry-ingest'],
    );
  });

  it('accepts the key in X-Sentry-Auth, in ?sentry_key= and in the envelope dsn, by project id or name, after the commit', async () => {
    const id = shop.project.id;
    const a = await post(`/api/${id}/envelope/`, envelope([event('by header')]), auth(shop.key));
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual(a.json(), { id: 'c0ffee00c0ffee00c0ffee00c0ffee00' });
    const b = await post(`/api/shop/envelope/?sentry_key=${shop.key}`, envelope([event('by query')]));
    assert.equal(b.statusCode, 200, b.body);
    const c = await post(`/api/${id}/envelope/`, envelope([event('by dsn')], { dsn: shop.dsn }));
    assert.equal(c.statusCode, 200, c.body);
    const d = await post(`/api/${id}/store/`, line(event('by store')), {
      ...auth(shop.key),
      'content-type': 'application/json',
    });
    assert.equal(d.statusCode, 200, d.body);
    for (const text of ['by header', 'by query', 'by dsn', 'by store']) {
      const logs = await logsOf('shop', text);
      assert.equal(logs.length, 1, text);
      assert.equal(logs[0]!.serviceVersion, 'shop@2.0.0');
      assert.equal(logs[0]!.attributes['exception.type'], 'Error');
    }
  });

  it("refuses a missing, unknown or other project's key, and any other token, even on loopback", async () => {
    const body = envelope([event('refused')]);
    const none = await post(`/api/${shop.project.id}/envelope/`, body);
    assert.equal(none.statusCode, 401);
    assert.match(none.json().detail, /no Sentry key/);
    assert.equal((await post(`/api/${shop.project.id}/envelope/`, body, auth('f'.repeat(64)))).statusCode, 401);
    const wrong = await post(`/api/${shop.project.id}/envelope/`, body, auth(other.key));
    assert.equal(wrong.statusCode, 403);
    assert.match(wrong.json().detail, /belongs to the Sentry project "other"/);
    assert.equal((await post(`/api/${shop.project.id}/envelope/`, body, auth(admin))).statusCode, 401);
    assert.equal((await logsOf('shop', 'refused')).length, 0);
    // A DSN key is public: it opens nothing else.
    const otlp = await o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: '{}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.key}` },
    });
    assert.equal(otlp.statusCode, 403);
    const api = await o.server.api.inject({
      method: 'GET',
      url: '/api/logs',
      headers: { authorization: `Bearer ${shop.key}` },
    });
    assert.equal(api.statusCode, 403);
    // Revoked: refused at once.
    const extra = await o.server.api.inject({ method: 'POST', url: '/api/sentry/projects', payload: { name: 'gone' } });
    const gone = extra.json() as SentryProjectCreated;
    assert.equal((await post(`/api/gone/envelope/`, envelope([event('x')]), auth(gone.key))).statusCode, 200);
    await o.server.api.inject({ method: 'DELETE', url: '/api/tokens/sentry:gone' });
    assert.equal((await post(`/api/gone/envelope/`, envelope([event('x')]), auth(gone.key))).statusCode, 401);
  });

  it('answers browsers cross-origin: preflight and Access-Control-Allow-Origin, on success and refusal', async () => {
    const pre = await o.server.api.inject({
      method: 'OPTIONS',
      url: `/api/${shop.project.id}/envelope/`,
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.statusCode, 200);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(String(pre.headers['access-control-allow-headers']), /x-sentry-auth/);
    const browser = {
      origin: 'https://shop.example',
      'sec-fetch-site': 'cross-site',
      'content-type': 'text/plain;charset=UTF-8',
    };
    const ok = await post(
      `/api/${shop.project.id}/envelope/?sentry_key=${shop.key}`,
      envelope([event('from a browser')]),
      browser,
    );
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.headers['access-control-allow-origin'], '*');
    const no = await post(`/api/${shop.project.id}/envelope/`, envelope([event('x')]), browser);
    assert.equal(no.statusCode, 401);
    assert.equal(no.headers['access-control-allow-origin'], '*');
    // Everything else stays closed to other origins.
    const elsewhere = await o.server.api.inject({
      method: 'POST',
      url: '/api/sentry/projects',
      payload: { name: 'evil' },
      headers: { origin: 'https://shop.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(elsewhere.statusCode, 403);
    assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
  });

  it('reads gzip, deflate and br bodies; refuses an unknown encoding (415) and a corrupt one (400)', async () => {
    const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };
    for (const [enc, fn] of Object.entries(encoders)) {
      const res = await post(`/api/${shop.project.id}/envelope/`, fn(envelope([event(`encoded ${enc}`)])), {
        ...auth(shop.key),
        'content-encoding': enc,
      });
      assert.equal(res.statusCode, 200, `${enc}: ${res.body}`);
      assert.equal((await logsOf('shop', `encoded ${enc}`)).length, 1, enc);
    }
    const zstd = await post(`/api/${shop.project.id}/envelope/`, 'x', {
      ...auth(shop.key),
      'content-encoding': 'zstd',
    });
    assert.equal(zstd.statusCode, 415);
    const corrupt = await post(`/api/${shop.project.id}/envelope/`, Buffer.from('not gzip'), {
      ...auth(shop.key),
      'content-encoding': 'gzip',
    });
    assert.equal(corrupt.statusCode, 400);
  });

  it('never answers 200 to what it cannot parse, and stores nothing of it', async () => {
    const cases = [
      '',
      'garbage',
      `{}\n${line({ type: 'event', length: 500 })}\n{}`,
      `{}\n${line({ type: 'event' })}\n${line(event('half stored'))}\n${line({ type: 'transaction' })}\nnot json\n`,
    ];
    for (const c of cases) {
      const res = await post(`/api/${shop.project.id}/envelope/`, c, auth(shop.key));
      assert.equal(res.statusCode, 400, JSON.stringify(c));
      assert.ok(res.json().detail, 'says why');
    }
    const store = await post(`/api/${shop.project.id}/store/`, '{"message":', auth(shop.key));
    assert.equal(store.statusCode, 400);
    assert.equal((await logsOf('shop', 'half stored')).length, 0);
  });

  it('the same envelope sent again is acknowledged and stored once', async () => {
    const body = envelope([event('sent twice')]);
    for (let i = 0; i < 2; i++)
      assert.equal((await post(`/api/${shop.project.id}/envelope/`, body, auth(shop.key))).statusCode, 200);
    assert.equal((await logsOf('shop', 'sent twice')).length, 1);
  });

  it('a transaction lands as spans', async () => {
    const tx = {
      type: 'transaction',
      transaction: 'POST /pay',
      start_timestamp: Date.now() / 1000 - 0.2,
      timestamp: Date.now() / 1000,
      release: 'shop@2.0.0',
      contexts: { trace: { trace_id: TRACE, span_id: '00f067aa0ba902b7', op: 'http.server' } },
      spans: [],
    };
    const env = `{}\n${line({ type: 'transaction' })}\n${line(tx)}\n`;
    assert.equal((await post(`/api/${shop.project.id}/envelope/`, env, auth(shop.key))).statusCode, 200);
    const spans = (await o.server.api.inject({ method: 'GET', url: `/api/spans?trace=${TRACE}&since=1h` })).json()
      .spans as SpanRow[];
    assert.equal(spans.length, 1);
    assert.equal(spans[0]!.name, 'POST /pay');
    assert.equal(spans[0]!.service, 'shop');
  });
});

describe('Sentry routes and oversized bodies', () => {
  let o: InProcess;
  let key: string;

  before(async () => {
    o = await inProcessOrrery({ maxBodyBytes: 4096, maxDecodedBytes: 8192 });
    key = (await o.store.createSentryProject('small')).key;
  });
  after(() => o.cleanup());

  const send = (payload: Buffer | string, headers: Record<string, string> = {}) =>
    o.server.api.inject({
      method: 'POST',
      url: '/api/small/envelope/',
      payload,
      headers: { 'x-sentry-auth': `Sentry sentry_key=${key}`, ...headers },
    });

  it('answers 413 to a body over the limit, and to one that inflates past it, storing nothing', async () => {
    const big = envelope([event(`big ${'x'.repeat(5000)}`)]);
    const raw = await send(big);
    assert.equal(raw.statusCode, 413, raw.body);
    assert.equal(raw.headers['access-control-allow-origin'], '*');
    const bomb = await send(gzipSync(envelope([event(`bomb ${'y'.repeat(20_000)}`)])), { 'content-encoding': 'gzip' });
    assert.equal(bomb.statusCode, 413, bomb.body);
    const stored = await o.server.api.inject({ method: 'GET', url: '/api/logs?service=small&since=1h' });
    assert.equal(stored.json().logs.length, 0);
    assert.equal((await send(envelope([event('small enough')]))).statusCode, 200);
  });
});

describe('Sentry routes under overload', () => {
  let o: InProcess;
  let key: string;
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });

  before(async () => {
    o = await inProcessOrrery(
      { ingestConcurrency: 1, maxQueueWaitMs: 150 },
      {
        write: async (store, b: TelemetryBatch) => {
          await held;
          await store.writeTelemetry(b);
        },
      },
    );
    key = (await o.store.createSentryProject('busy')).key;
  });
  after(async () => {
    release();
    await o.cleanup();
  });

  it('answers 429 with Retry-After and X-Sentry-Rate-Limits while the one slot is taken, and the held one still commits', async () => {
    const send = (m: string) =>
      o.server.api.inject({
        method: 'POST',
        url: '/api/busy/envelope/',
        payload: envelope([event(m)]),
        headers: { 'x-sentry-auth': `Sentry sentry_key=${key}` },
      });
    const first = send('first');
    await new Promise((r) => setTimeout(r, 50));
    const second = await send('second');
    assert.equal(second.statusCode, 429, second.body);
    assert.match(String(second.headers['retry-after']), /^\d+$/);
    assert.match(String(second.headers['x-sentry-rate-limits']), /^\d+::organization$/);
    release();
    assert.equal((await first).statusCode, 200);
  });
});
