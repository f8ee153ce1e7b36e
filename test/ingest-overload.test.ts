// Overload and hostile bodies on the OTLP receiver: the shared inflate budget, admission
// control before bodies are read, batches of clients that went away, and bodies that
// trickle in. The repros are the probe's (issue 16, items 3, 5 and 8), scaled down.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  BodyTooLargeError,
  InflateBudget,
  InflateBudgetError,
  decodeContentEncoding,
} from '../src/ingest/sources/otlp/index.js';
import { Admission, AdmissionRefusedError } from '../src/server/admission.js';
import { AbandonedBatchError, BatchWriter, type TelemetryBatch, mergeBatches } from '../src/store/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function jsonLogs(service: string, bodies: string[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          { logRecords: bodies.map((b) => ({ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: b } })) },
        ],
      },
    ],
  });
}

/** A gate a test opens by hand: writes wait on it. */
function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

describe('the inflate budget', () => {
  it('revokes the largest inflating body to make room for a smaller one, and never passes its cap', () => {
    const budget = new InflateBudget(10 * MiB);
    const bomb = budget.open();
    let revoked = false;
    bomb.onRevoke(() => {
      revoked = true;
    });
    for (let i = 0; i < 9; i++) assert.ok(bomb.grow(MiB));
    const small = budget.open();
    assert.ok(small.grow(2 * MiB), 'the small body gets its room');
    assert.ok(revoked && bomb.revoked, 'the bomb gave way');
    assert.equal(budget.usedBytes, 2 * MiB);
    assert.equal(bomb.grow(MiB), false, 'a revoked lease stays revoked');
    small.release();
    assert.equal(budget.usedBytes, 0);
  });

  it('refuses the asker when it is the largest, and never revokes a body that is whole', () => {
    const budget = new InflateBudget(4 * MiB);
    const whole = budget.open();
    assert.ok(whole.grow(3 * MiB));
    whole.pin();
    const next = budget.open();
    assert.equal(next.grow(2 * MiB), false);
    assert.ok(!whole.revoked);
    assert.equal(budget.usedBytes, 3 * MiB);
    whole.release();
    assert.equal(budget.usedBytes, 0);
  });

  it('inflates as a stream: one bomb stops at its own limit, a spent budget answers InflateBudgetError', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * MiB));
    await assert.rejects(decodeContentEncoding(bomb, 'gzip', { maxBytes: 4 * MiB }), BodyTooLargeError);
    const budget = new InflateBudget(4 * MiB);
    const hog = budget.open();
    assert.ok(hog.grow(3 * MiB));
    hog.pin();
    const lease = budget.open();
    await assert.rejects(
      decodeContentEncoding(gzipSync(Buffer.alloc(2 * MiB, 1)), 'gzip', { maxBytes: 4 * MiB, lease }),
      InflateBudgetError,
    );
    assert.equal(budget.usedBytes, 3 * MiB, 'the refused body gave its bytes back');
    const ok = budget.open();
    const out = await decodeContentEncoding(gzipSync(Buffer.from('hello')), 'gzip', { maxBytes: MiB, lease: ok });
    assert.equal(out.toString(), 'hello');
    assert.equal(ok.held, 5);
    ok.release();
  });
});

describe('admission', () => {
  it('admits up to its slots at once and the next waiter when a slot frees', async () => {
    const a = new Admission({ slots: 2, maxWaitMs: 1_000 });
    const t1 = await a.acquire();
    await a.acquire();
    let third = false;
    const p = a.acquire().then((t) => {
      third = true;
      return t;
    });
    await sleep(10);
    assert.equal(third, false);
    assert.equal(a.queued, 1);
    t1.release();
    (await p).release();
    assert.equal(third, true);
  });

  it('refuses at once when the measured wait is past the bound, and refuses a waiter that waited too long', async () => {
    let now = 0;
    const a = new Admission({ slots: 1, maxWaitMs: 150, now: () => now });
    const first = await a.acquire();
    now = 1_000; // that request held its slot for a second
    first.release();
    const held = await a.acquire();
    await assert.rejects(
      a.acquire(),
      (e: unknown) => e instanceof AdmissionRefusedError && /expected wait/.test(e.message),
    );
    held.release();

    const b = new Admission({ slots: 1, maxWaitMs: 100 });
    const hold = await b.acquire();
    const t0 = performance.now();
    await assert.rejects(b.acquire(), (e: unknown) => e instanceof AdmissionRefusedError && /waited/.test(e.message));
    assert.ok(performance.now() - t0 < 1_000);
    assert.equal(b.queued, 0);
    hold.release();
  });

  it('takes a waiter whose client went away out of the line', async () => {
    const a = new Admission({ slots: 1, maxWaitMs: 5_000 });
    const hold = await a.acquire();
    const ac = new AbortController();
    const waiting = a.acquire({ signal: ac.signal });
    ac.abort(new Error('gone'));
    await assert.rejects(waiting, /gone/);
    assert.equal(a.queued, 0);
    hold.release();
    assert.equal(a.inProgress, 0);
  });
});

describe('the batch writer and clients that went away', () => {
  it('drops a queued batch whose client is gone, and writes the others', async () => {
    const g = gate();
    const written: string[] = [];
    const w = new BatchWriter(
      async (parts) => {
        await g.wait;
        written.push(...mergeBatches(parts).logs.map((l) => l.service));
      },
      { concurrency: 1, maxQueuedRecords: 100, maxQueueWaitMs: 10_000, maxBatchRecords: 1 },
    );
    const log = (service: string) => ({ logs: [{ service }], spans: [], metrics: [] }) as unknown as TelemetryBatch;
    const first = w.submit(log('first'));
    const ac = new AbortController();
    const gone = w.submit(log('gone'), { signal: ac.signal });
    const kept = w.submit(log('kept'));
    ac.abort();
    await assert.rejects(gone, AbandonedBatchError);
    g.open();
    await Promise.all([first, kept]);
    assert.deepEqual(written, ['first', 'kept']);
  });
});

describe('the OTLP receiver under overload', () => {
  it('answers 503 with Retry-After before the client times out when requests pile up, and stores only what it acknowledged', async () => {
    const g = gate();
    const o = await inProcessOrrery(
      { ingestConcurrency: 1, maxQueueWaitMs: 200 },
      {
        write: async (store, b) => {
          await g.wait;
          await store.writeTelemetry(b);
        },
      },
    );
    try {
      const send = (svc: string) =>
        o.server.otlp.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: jsonLogs(svc, ['a line']),
          headers: { 'content-type': 'application/json' },
        });
      const first = send('held');
      await sleep(50);
      const others = [1, 2, 3, 4].map((i) => send(`later-${i}`));
      const t0 = performance.now();
      const answers = await Promise.all(others);
      assert.ok(performance.now() - t0 < 2_000, 'answered while the store was still blocked');
      for (const res of answers) {
        assert.equal(res.statusCode, 503);
        assert.ok(Number(res.headers['retry-after']) >= 1);
        assert.match(res.json().message, /overloaded/);
      }
      g.open();
      assert.equal((await first).statusCode, 200);
      assert.equal((await o.store.queryLogs({ limit: 10, service: 'held' })).length, 1);
      for (let i = 1; i <= 4; i++) {
        assert.equal((await o.store.queryLogs({ limit: 10, service: `later-${i}` })).length, 0);
      }
    } finally {
      g.open();
      await o.cleanup();
    }
  });

  it('answers 503 for bodies past the shared inflate budget while an ordinary batch goes through', async () => {
    const o = await inProcessOrrery({
      ingestConcurrency: 50,
      maxDecodedBytes: 2 * MiB,
      maxInflightDecodedBytes: 4 * MiB,
    });
    try {
      // Each is under the per-body limit; together they are far past the shared budget.
      const bomb = gzipSync(Buffer.concat([Buffer.from(jsonLogs('bomb', ['x'])), Buffer.alloc(1.8 * MiB, 0x20)]));
      const bombs = Array.from({ length: 12 }, () =>
        o.server.otlp.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: bomb,
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        }),
      );
      const good = o.server.otlp.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: gzipSync(jsonLogs('good', ['ordinary'])),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      const results = await Promise.all(bombs);
      const refused = results.filter((r) => r.statusCode === 503);
      assert.ok(refused.length >= 6, `at most two bombs fit the budget at once (${refused.length} refused)`);
      for (const r of refused) assert.equal(r.headers['retry-after'], '1');
      assert.equal((await good).statusCode, 200);
      assert.equal((await o.store.queryLogs({ limit: 5, service: 'good' })).length, 1);
      const metrics = (await o.server.api.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /orrery_ingest_inflated_bytes 0\n/, 'every lease was released');
    } finally {
      await o.cleanup();
    }
  });
});

describe('the OTLP receiver on a socket', () => {
  let o: InProcess;
  let port: number;
  let g = gate();

  before(async () => {
    o = await inProcessOrrery(
      { ingestConcurrency: 20, bodyTimeoutMs: 2_000, minBodyBytesPerSecond: 1_024 },
      {
        write: async (store, b) => {
          if (b.logs.some((l) => l.service === 'blocker')) await g.wait;
          await store.writeTelemetry(b);
        },
      },
    );
    await o.server.otlp.listen({ host: '127.0.0.1', port: 0 });
    port = (o.server.otlp.server.address() as net.AddressInfo).port;
  });
  after(async () => {
    g.open();
    await o.cleanup();
  });

  const post = (service: string, signal?: AbortSignal) =>
    new Promise<number>((resolve, reject) => {
      const body = jsonLogs(service, ['one line']);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/logs',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          signal,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('does not write a batch whose client went away while it waited', async () => {
    const blocker = post('blocker'); // its transaction waits on the gate
    await sleep(100);
    const ac = new AbortController();
    const gone = post('gone', ac.signal).catch((e: Error) => e.name);
    await sleep(200); // decoded and queued behind the blocked transaction
    ac.abort();
    assert.equal(await gone, 'AbortError');
    await sleep(100);
    g.open();
    assert.equal(await blocker, 200);
    assert.equal((await o.store.queryLogs({ limit: 5, service: 'blocker' })).length, 1);
    assert.equal(
      (await o.store.queryLogs({ limit: 5, service: 'gone' })).length,
      0,
      'the abandoned batch was not stored',
    );
  });

  it('does not write a batch whose client ended its connection before the answer (its timeout fired)', async () => {
    g = gate();
    const blocker = post('blocker'); // the next transaction waits behind this one
    await sleep(100);
    const body = jsonLogs('ended', ['one line']);
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    // The whole request, then the client's FIN, as a client whose timer fired would leave it.
    sock.end(
      `POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    sock.resume();
    await sleep(200); // read, decoded and queued behind the blocked transaction
    g.open();
    assert.equal(await blocker, 200);
    await sleep(200);
    sock.destroy();
    assert.equal((await o.store.queryLogs({ limit: 5, service: 'ended' })).length, 0, 'nobody would read the answer');
  });

  it('answers 408 and closes the connection when a body trickles in', async () => {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(
      'POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const drip = setInterval(() => sock.write(' '), 500);
    let answer = '';
    sock.on('data', (d) => {
      answer += d.toString();
    });
    const t0 = performance.now();
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    clearInterval(drip);
    const took = performance.now() - t0;
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.ok(took < 6_000, `closed after ${Math.round(took)} ms`);
  });
});
