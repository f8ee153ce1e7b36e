// Bad-token floods (issue 24, item 6): an address that keeps sending bad tokens is answered 429
// (RESOURCE_EXHAUSTED on gRPC) with Retry-After before its tokens are looked up, with penalties
// that double up to a cap and expire; good-token clients elsewhere, and known tokens from the same
// address, are not slowed; the tracked addresses stay bounded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { OTLP_GRPC_METHODS, readRetryInfoStatus } from '../src/ingest/sources/otlp-grpc/index.js';
import { AuthThrottle, AuthThrottledError, clientKey, peerAddress } from '../src/server/auth-throttle.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logs(service: string, n = 1): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: String(Date.now() * 1e6),
              body: { stringValue: `line ${i}` },
            })),
          },
        ],
      },
    ],
  });
}

describe('the bad-token throttle', () => {
  const clock = () => {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('starts a penalty at the limit, doubles it on the next failure after it, caps it, and forgets a quiet address', () => {
    const c = clock();
    const th = new AuthThrottle({ limit: 5, maxPenaltyMs: 4_000, now: c.now });
    for (let i = 0; i < 4; i++) th.failure('10.0.0.1', `bad${i}`);
    assert.equal(th.waitMs('10.0.0.1'), 0, 'under the limit: no penalty');
    th.failure('10.0.0.1', 'bad4');
    assert.equal(th.waitMs('10.0.0.1'), 1_000, 'the first penalty is 1 s');
    assert.equal(th.waitMs('10.0.0.2'), 0, 'another address is not touched');
    const lengths: number[] = [];
    for (let i = 0; i < 4; i++) {
      c.advance(th.waitMs('10.0.0.1'));
      assert.equal(th.waitMs('10.0.0.1'), 0, 'the penalty expires');
      th.failure('10.0.0.1', 'again');
      lengths.push(th.waitMs('10.0.0.1'));
    }
    assert.deepEqual(
      lengths,
      [2_000, 4_000, 4_000, 4_000],
      'one failure after a penalty starts the next, twice as long, capped',
    );
    const err = th.refuse(th.waitMs('10.0.0.1'));
    assert.ok(err instanceof AuthThrottledError);
    assert.equal(err.retryAfterSeconds, 4);
    assert.equal(th.throttled, 1);
    // Quiet for a few half-lives: forgotten, and the penalties start over.
    c.advance(4_000 + 10 * 30_000);
    th.sweep();
    assert.equal(th.trackedClients, 0);
    for (let i = 0; i < 5; i++) th.failure('10.0.0.1', 'later');
    assert.equal(th.waitMs('10.0.0.1'), 1_000);
  });

  it('lets a slow trickle of failures through without a penalty (a decaying count, not a lifetime one)', () => {
    const c = clock();
    const th = new AuthThrottle({ limit: 5, maxPenaltyMs: 60_000, now: c.now });
    for (let i = 0; i < 100; i++) {
      th.failure('10.0.0.9', 'typo');
      assert.equal(th.waitMs('10.0.0.9'), 0, `failure ${i}`);
      c.advance(30_000);
    }
  });

  it('remembers verified tokens (until they fail), and a success does not buy more guesses', () => {
    const c = clock();
    const th = new AuthThrottle({ limit: 3, maxPenaltyMs: 60_000, now: c.now, knownGoodMs: 1_000 });
    th.success('good');
    for (let i = 0; i < 2; i++) th.failure('10.0.0.1', `g${i}`);
    th.success('good');
    th.failure('10.0.0.1', 'g2');
    assert.ok(th.waitMs('10.0.0.1') > 0, 'the success in between did not reset the count');
    assert.ok(th.isKnownGood('good'));
    assert.ok(!th.isKnownGood('g0'));
    th.failure('10.0.0.2', 'good'); // revoked since: no longer known good
    assert.ok(!th.isKnownGood('good'));
    th.success('other');
    c.advance(1_001);
    assert.ok(!th.isKnownGood('other'), 'known only for knownGoodMs');
  });

  it('tracks a bounded number of addresses however many send bad tokens', () => {
    const c = clock();
    const th = new AuthThrottle({ limit: 3, maxPenaltyMs: 60_000, now: c.now, maxClients: 500, maxKnownGood: 50 });
    for (let i = 0; i < 20_000; i++) {
      th.failure(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `t${i}`);
      if (i % 100 === 0) c.advance(1);
    }
    assert.ok(th.trackedClients <= 500, `${th.trackedClients} tracked`);
    for (let i = 0; i < 200; i++) th.success(`ok${i}`);
    assert.ok(th.isKnownGood('ok199') && !th.isKnownGood('ok0'), 'the least recently verified go first');
    // A flooder that keeps failing stays tracked (and penalized) while one-off addresses churn.
    for (let i = 0; i < 3; i++) th.failure('192.0.2.1', 'x');
    for (let i = 0; i < 400; i++) th.failure(`172.16.${i >> 8}.${i & 255}`, 'y');
    assert.ok(th.waitMs('192.0.2.1') > 0);
  });

  it('counts IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002::7%eth0'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('::ffff:198.51.100.7'), '198.51.100.7');
    assert.equal(clientKey('198.51.100.7'), '198.51.100.7');
    assert.equal(clientKey(undefined), 'unknown');
    assert.equal(peerAddress('127.0.0.1:5555'), '127.0.0.1');
    assert.equal(peerAddress('::1:5555'), '::1');
  });
});

describe('bad-token floods against the receivers', () => {
  let o: InProcess;
  let good: string;
  let lookups = new Map<string, number>();

  before(async () => {
    o = await inProcessOrrery(
      { host: '0.0.0.0', authFailureLimit: 5, authPenaltyMaxSeconds: 2, otlpHost: '127.0.0.1' },
      { allowAnonymousLoopback: false },
    );
    good = (await o.store.createToken('collector', { role: 'ingest' })).token;
    // Count the store's token lookups: a throttled request must not make one.
    const verify = o.store.verifyToken.bind(o.store);
    o.store.verifyToken = (clear: string) => {
      lookups.set(clear, (lookups.get(clear) ?? 0) + 1);
      return verify(clear);
    };
  });
  after(() => o.cleanup());

  const ingest = (token: string, from: string, service = 'throttle-good') =>
    o.server.otlp.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: logs(service),
      remoteAddress: from,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });

  it('answers a flood 429 with Retry-After past the limit, before any lookup, while a good client is not slowed', async () => {
    lookups = new Map();
    const floodStart = performance.now();
    let floodSeconds = 0;
    const flood = (async () => {
      const statuses: number[] = [];
      const answers = [];
      for (let i = 0; i < 200; i++) {
        const r = await ingest(`orr_guess-${i}`, '203.0.113.5');
        statuses.push(r.statusCode);
        answers.push(r);
      }
      floodSeconds = (performance.now() - floodStart) / 1000;
      return { statuses, answers };
    })();
    // Four exporters, ten batches each, one at a time (as an SDK's batch processor sends).
    const goodRun = Promise.all(
      Array.from({ length: 4 }, async (_, c) => {
        const out = [];
        for (let i = 0; i < 10; i++) out.push(await ingest(good, '198.51.100.20', `throttle-good-${c}`));
        return out;
      }),
    ).then((r) => r.flat());
    const [{ statuses, answers }, goods] = await Promise.all([flood, goodRun]);
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401], 'the first bad tokens are answered as usual');
    // Each penalty (1 s, then 2 s, the cap here) lets one guess through when it ends.
    const lets = 5 + Math.ceil(floodSeconds);
    const throttled = answers.filter((r) => r.statusCode === 429);
    assert.ok(throttled.length >= 200 - lets, `${throttled.length} of 200 throttled in ${floodSeconds.toFixed(1)} s`);
    for (const r of throttled.slice(0, 5)) {
      assert.ok(Number(r.headers['retry-after']) >= 1, 'Retry-After');
      assert.equal(r.headers.connection, 'close');
      assert.match(r.json().message, /too many invalid tokens/);
    }
    const guessesLookedUp = [...lookups.keys()].filter((k) => k.startsWith('orr_guess-')).length;
    assert.ok(guessesLookedUp <= lets, `${guessesLookedUp} guesses reached the store`);
    assert.deepEqual(
      goods.map((r) => r.statusCode),
      goods.map(() => 200),
      'every good batch was accepted',
    );
    let stored = 0;
    for (let i = 0; i < 4; i++)
      stored += (await o.store.queryLogs({ limit: 100, service: `throttle-good-${i}` })).length;
    assert.equal(stored, 40);
    const health = await o.server.otlp.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200, 'the process stays healthy');
    const metrics = await o.server.api.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '198.51.100.30',
      headers: { authorization: `Bearer ${(await o.store.createToken('metrics-reader', { role: 'viewer' })).token}` },
    });
    assert.match(metrics.body, /orrery_auth_throttled_requests_total\{\} (\d+)/);
    assert.ok(Number(/orrery_auth_throttled_requests_total\{\} (\d+)/.exec(metrics.body)![1]) >= 200 - lets);
    assert.match(metrics.body, /orrery_auth_tracked_clients [1-9]/);
  });

  it('lets a known token through from a penalized address, and a new good token once the penalty expires', async () => {
    const from = '203.0.113.77';
    const fresh = (await o.store.createToken('fresh', { role: 'ingest' })).token;
    for (let i = 0; i < 5; i++) assert.equal((await ingest(`orr_nope-${i}`, from)).statusCode, 401);
    // At once, inside the first 1 s penalty.
    const [guess, known, early] = await Promise.all([
      ingest('orr_nope-x', from),
      ingest(good, from),
      ingest(fresh, from),
    ]);
    assert.equal(guess.statusCode, 429);
    assert.equal(known.statusCode, 200, 'a token verified on this node passes the penalty');
    assert.equal(early.statusCode, 429, 'an unknown token waits out the penalty, good or not');
    await sleep(Number(early.headers['retry-after']) * 1000 + 50);
    assert.equal((await ingest(fresh, from)).statusCode, 200, 'after the penalty a good token succeeds');
  });

  it('throttles the API, the Sentry routes and webhooks the same way', async () => {
    // Each door from its own address: five bad tokens through it, then the sixth is throttled.
    const doors = {
      api: (from: string, token: string) =>
        o.server.api.inject({
          method: 'GET',
          url: '/api/status',
          remoteAddress: from,
          headers: { authorization: `Bearer ${token}` },
        }),
      mcp: (from: string, token: string) =>
        o.server.api.inject({
          method: 'POST',
          url: '/mcp',
          remoteAddress: from,
          payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
          headers: { authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' },
        }),
      webhook: (from: string, token: string) =>
        o.server.api.inject({
          method: 'POST',
          url: '/webhooks/github',
          remoteAddress: from,
          payload: {},
          headers: { authorization: `Bearer ${token}`, 'x-github-event': 'ping' },
        }),
    };
    let n = 0;
    for (const [name, door] of Object.entries(doors)) {
      const from = `203.0.113.${100 + n++}`;
      for (let i = 0; i < 5; i++) assert.equal((await door(from, `orr_${name}-${i}`)).statusCode, 401, name);
      const r = await door(from, `orr_${name}-x`);
      assert.equal(r.statusCode, 429, name);
      assert.ok(Number(r.headers['retry-after']) >= 1, name);
      assert.match(r.json().message, /too many invalid tokens/, name);
    }

    const { project } = await o.store.createSentryProject('throttled');
    const sentry = (key: string, address: string) =>
      o.server.api.inject({
        method: 'POST',
        url: `/api/${project.id}/envelope/`,
        remoteAddress: address,
        payload: `{"event_id":"${'a'.repeat(32)}"}\n{"type":"event"}\n{"message":"hi"}\n`,
        headers: { 'x-sentry-auth': `Sentry sentry_key=${key}`, 'content-type': 'application/x-sentry-envelope' },
      });
    const sAddr = '203.0.113.91';
    for (let i = 0; i < 5; i++) assert.equal((await sentry(`${i}`.repeat(32), sAddr)).statusCode, 401);
    const s = await sentry('f'.repeat(32), sAddr);
    assert.equal(s.statusCode, 429);
    assert.ok(Number(s.headers['retry-after']) >= 1);
    assert.match(String(s.headers['x-sentry-rate-limits']), /^\d+::organization$/);
  });

  it('answers a gRPC flood RESOURCE_EXHAUSTED with RetryInfo', async () => {
    const port = await o.server.grpc!.listen('127.0.0.1', 0);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const call = (token: string, body = Buffer.alloc(0)) =>
        new Promise<{ code: number; details: string; metadata: grpc.Metadata | undefined }>((resolve) => {
          const m = new grpc.Metadata();
          m.set('authorization', `Bearer ${token}`);
          client.makeUnaryRequest(
            OTLP_GRPC_METHODS.traces.path,
            (b: Buffer) => b,
            (b: Buffer) => b,
            body,
            m,
            (err) =>
              resolve(
                err
                  ? { code: err.code, details: err.details, metadata: err.metadata }
                  : { code: 0, details: '', metadata: undefined },
              ),
          );
        });
      // The gRPC client comes from 127.0.0.1: an address no other test used.
      const codes: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 5; i++) {
        last = await call(`orr_grpc-${i}`);
        codes.push(last.code);
      }
      // At once, within the first 1 s penalty; each carries a large (unparseable) message, which
      // is never read: the call is refused on its metadata.
      const throttled = await Promise.all(
        [5, 6, 7].map((i) => call(`orr_grpc-${i}`, Buffer.alloc(2 * 1024 * 1024, 0x0a))),
      );
      for (const r of throttled) codes.push(r.code);
      last = throttled.at(-1);
      assert.deepEqual(codes.slice(0, 5), Array(5).fill(grpc.status.UNAUTHENTICATED), `codes ${codes}`);
      assert.deepEqual(
        codes.slice(5),
        Array(3).fill(grpc.status.RESOURCE_EXHAUSTED),
        `codes ${codes}: ${last?.details}`,
      );
      const details = last!.metadata!.get('grpc-status-details-bin')[0] as Buffer;
      const info = readRetryInfoStatus(details);
      assert.equal(info.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.ok((info.retryDelaySeconds ?? 0) >= 1, 'RetryInfo says when to retry');
      assert.equal((await call(good)).code, grpc.status.OK, 'a known token from the same address still goes through');
    } finally {
      client.close();
    }
  });
});
