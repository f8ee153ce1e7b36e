// Backpressure that holds memory (issue 24, item 3): the resident-memory guard refuses new
// ingest (503 / Sentry 429 / gRPC UNAVAILABLE, each with Retry-After) near ORRERY_MAX_RSS_MB and
// takes it again below the low mark without a restart; concurrent compressed bodies past the
// shared inflate budget (HTTP and gRPC together) are refused, none crashes, and every accepted
// one is stored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { InflateBudget, InflateBudgetError, decodeContentEncoding } from '../src/ingest/sources/otlp/index.js';
import { OTLP_GRPC_METHODS, readRetryInfoStatus } from '../src/ingest/sources/otlp-grpc/index.js';
import { Admission, AdmissionRefusedError } from '../src/server/admission.js';
import { MemoryGuard } from '../src/server/memory-guard.js';
import { inProcessOrrery } from './helpers/server.js';

const MiB = 1024 * 1024;

function jsonLogs(service: string, lines: string[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [
          { logRecords: lines.map((b) => ({ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: b } })) },
        ],
      },
    ],
  });
}

/** An OTLP ExportTraceServiceRequest (protobuf) with `n` spans of one service. */
function traceRequest(service: string, n: number, pad = 0): Buffer {
  const len = (b: Buffer) => {
    const out: number[] = [];
    let v = b.length;
    while (v > 127) {
      out.push((v & 127) | 128);
      v >>>= 7;
    }
    out.push(v);
    return Buffer.from(out);
  };
  const field = (tag: number, b: Buffer) => Buffer.concat([Buffer.from([tag]), len(b), b]);
  const str = (tag: number, s: string) => field(tag, Buffer.from(s));
  const fixed64 = (tag: number, v: bigint) => {
    const b = Buffer.alloc(9);
    b[0] = tag;
    b.writeBigUInt64LE(v, 1);
    return b;
  };
  const kv = (k: string, v: string) => Buffer.concat([str(0x0a, k), field(0x12, str(0x0a, v))]);
  const resource = field(0x0a, field(0x0a, kv('service.name', service)));
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => {
    const trace = Buffer.alloc(16, 1);
    trace.writeUInt32BE(i, 0);
    const span = Buffer.alloc(8, 2);
    span.writeUInt32BE(i, 0);
    return field(
      0x12,
      Buffer.concat([
        field(0x0a, trace),
        field(0x12, span),
        str(0x2a, `op ${i} ${'x'.repeat(pad)}`),
        fixed64(0x39, now),
        fixed64(0x41, now + 1_000_000n),
      ]),
    );
  });
  const scopeSpans = field(0x12, Buffer.concat(spans));
  return field(0x0a, Buffer.concat([resource, scopeSpans]));
}

describe('the memory guard', () => {
  const fake = (start: number) => {
    let rss = start;
    const collected: number[] = [];
    let t = 0;
    return {
      set: (v: number) => {
        rss = v;
      },
      advance: (ms: number) => {
        t += ms;
      },
      collected,
      opts: {
        capBytes: 1000 * MiB,
        read: () => rss,
        gc: () => collected.push(rss),
        now: () => t,
      },
    };
  };

  it('refuses from 85% of the cap, keeps refusing down to 70%, then takes ingest again', () => {
    const f = fake(500 * MiB);
    const changes: boolean[] = [];
    const g = new MemoryGuard({ ...f.opts, onChange: (r) => changes.push(r) });
    assert.equal(g.over, false);
    assert.equal(g.refusal(), null);
    assert.equal(f.collected.length, 0, 'no collection far from the mark');
    f.set(900 * MiB);
    assert.equal(g.sample(), true);
    assert.equal(f.collected.length, 1, 'a full collection before judging');
    const err = g.refusal();
    assert.ok(err instanceof AdmissionRefusedError);
    assert.equal(err.retryAfterSeconds, 2);
    assert.match(err.message, /memory cap.*ORRERY_MAX_RSS_MB=1000/);
    f.set(800 * MiB);
    f.advance(250);
    assert.equal(g.sample(), true, 'between the marks it stays refusing (no flapping)');
    f.set(650 * MiB);
    assert.equal(g.sample(), false, 'under 70%: ingest again');
    assert.deepEqual(changes, [true, false]);
    assert.equal(g.trips, 1);
    assert.equal(g.refusals, 1);
  });

  it('does not refuse for garbage a collection gives back, and collects while refusing so it recovers', () => {
    const f = fake(500 * MiB);
    const g = new MemoryGuard({ ...f.opts, gc: () => f.set(400 * MiB) });
    f.set(950 * MiB);
    assert.equal(g.sample(), false, 'garbage, not live memory: the door stays open');
    // Live memory over the mark; nothing allocates while ingest is refused.
    const h = new MemoryGuard({ ...f.opts, gc: () => f.collected.push(1) });
    f.set(950 * MiB);
    f.advance(2_000);
    assert.equal(h.sample(), true);
    f.advance(100);
    h.sample();
    assert.equal(f.collected.length, 1, 'at most one collection per gcEveryMs');
    f.advance(1_000);
    f.set(600 * MiB); // what the next collection gives back
    assert.equal(h.sample(), false);
  });

  it('closes the admission gate for new and waiting requests', async () => {
    let closed: AdmissionRefusedError | null = null;
    const a = new Admission({ slots: 1, maxWaitMs: 5_000, gate: () => closed });
    const first = await a.acquire();
    const waiting = a.acquire();
    closed = new AdmissionRefusedError('memory', 2);
    await assert.rejects(a.acquire(), /memory/);
    first.release();
    await assert.rejects(waiting, /memory/, 'the waiter is refused when its turn comes');
    assert.equal(a.inProgress, 0);
    closed = null;
    (await a.acquire()).release();
  });

  it('sheds bodies still inflating, and a body shed before it began is refused (not left hanging)', async () => {
    const budget = new InflateBudget(64 * MiB);
    const early = budget.open();
    const whole = budget.open();
    assert.ok(whole.grow(MiB));
    whole.pin();
    assert.equal(budget.shed(), 1, 'only the body not yet whole');
    await assert.rejects(
      decodeContentEncoding(gzipSync(Buffer.alloc(MiB)), 'gzip', { maxBytes: 8 * MiB, lease: early }),
      InflateBudgetError,
    );
    assert.equal(budget.usedBytes, MiB);
    whole.release();
  });
});

describe('the memory guard on the receivers', () => {
  it('refuses every ingest door near the cap (503, Sentry 429, gRPC UNAVAILABLE, with Retry-After) and recovers by itself', async () => {
    let rss = 100 * MiB;
    const o = await inProcessOrrery({ maxRssMb: 200, otlpHost: '127.0.0.1' }, { readRss: () => rss });
    const port = await o.server.grpc!.listen('127.0.0.1', 0);
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const post = (service: string) =>
        o.server.otlp.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: gzipSync(jsonLogs(service, ['one line'])),
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        });
      const grpcExport = (service: string, spans = 1) =>
        new Promise<grpc.ServiceError | null>((resolve) =>
          client.makeUnaryRequest(
            OTLP_GRPC_METHODS.traces.path,
            (b: Buffer) => b,
            (b: Buffer) => b,
            traceRequest(service, spans, 200),
            new grpc.Metadata(),
            (err) => resolve(err),
          ),
        );
      assert.equal((await post('before')).statusCode, 200);

      rss = 190 * MiB; // past 85% of 200 MiB, and no garbage to give back
      o.server.memory!.sample();
      const refused = await post('during');
      assert.equal(refused.statusCode, 503);
      assert.equal(refused.headers['retry-after'], '2');
      assert.match(refused.json().message, /memory cap.*ORRERY_MAX_RSS_MB=200/);
      // Refused on its metadata, before grpc-js reads the message (here a large one).
      const err = await grpcExport('during-grpc', 20_000);
      assert.equal(err?.code, grpc.status.UNAVAILABLE);
      const info = readRetryInfoStatus(err!.metadata.get('grpc-status-details-bin')[0] as Buffer);
      assert.equal(info.retryDelaySeconds, 2);
      const { project, key } = await o.store.createSentryProject('memory');
      const sentry = await o.server.api.inject({
        method: 'POST',
        url: `/api/${project.id}/envelope/`,
        payload: `{"event_id":"${'b'.repeat(32)}"}\n{"type":"event"}\n{"message":"hi"}\n`,
        headers: { 'x-sentry-auth': `Sentry sentry_key=${key}`, 'content-type': 'application/x-sentry-envelope' },
      });
      assert.equal(sentry.statusCode, 429);
      assert.equal(sentry.headers['retry-after'], '2');
      const status = await o.server.api.inject({ method: 'GET', url: '/api/status' });
      assert.equal(status.statusCode, 200, 'reads are not refused');
      const metrics = (await o.server.api.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(metrics, /orrery_ingest_memory_refusing 1\n/);
      assert.match(metrics, /orrery_ingest_memory_refused_requests_total\{\} 3\n/);

      rss = 120 * MiB; // under 70%
      o.server.memory!.sample();
      assert.equal((await post('after')).statusCode, 200);
      assert.equal(await grpcExport('after-grpc'), null);
      assert.equal((await o.store.queryLogs({ limit: 5, service: 'during' })).length, 0);
      assert.equal((await o.store.queryLogs({ limit: 5, service: 'after' })).length, 1);
      assert.equal(
        (await o.store.querySpans({ service: 'after-grpc', since: new Date(Date.now() - 3_600_000), limit: 5 })).length,
        1,
      );
    } finally {
      client.close();
      await o.cleanup();
    }
  });

  it('refuses with the real resident memory when it is over a (low) cap', async () => {
    const o = await inProcessOrrery({ maxRssMb: 16 });
    try {
      const r = await o.server.otlp.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: jsonLogs('tiny-cap', ['x']),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.statusCode, 503);
      assert.equal(r.headers['retry-after'], '2');
      assert.ok(o.server.memory!.rssBytes > 16 * MiB);
    } finally {
      await o.cleanup();
    }
  });

  it('answers concurrent compressed bodies past the shared inflate budget with refusals over HTTP and gRPC, and stores every accepted one', async () => {
    const o = await inProcessOrrery({
      ingestConcurrency: 64,
      maxDecodedBytes: 3 * MiB,
      maxInflightDecodedBytes: 8 * MiB,
      maxInflateRatio: 0,
      otlpHost: '127.0.0.1',
    });
    const port = await o.server.grpc!.listen('127.0.0.1', 0);
    // grpc-js gzips each message itself (grpc-encoding: gzip); the receiver inflates it against the same budget.
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
    });
    try {
      // Each body is an ordinary batch that inflates to about 2 MiB (under the per-body limit);
      // 24 at once are six times the shared budget.
      const lines = Array.from({ length: 2_000 }, (_, i) => `request ${i} served ${'ok '.repeat(300)}`);
      const http = Array.from({ length: 16 }, (_, i) =>
        o.server.otlp
          .inject({
            method: 'POST',
            url: '/v1/logs',
            payload: gzipSync(jsonLogs(`burst-${i}`, lines)),
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          })
          .then((r) => ({
            service: `burst-${i}`,
            ok: r.statusCode === 200,
            status: r.statusCode,
            retry: r.headers['retry-after'],
          })),
      );
      const grpcCalls = Array.from({ length: 8 }, (_, i) => {
        return new Promise<{ service: string; ok: boolean; status: number; retry: string | undefined }>((resolve) => {
          client.makeUnaryRequest(
            OTLP_GRPC_METHODS.traces.path,
            (b: Buffer) => b,
            (b: Buffer) => b,
            traceRequest(`grpc-burst-${i}`, 5_000, 400),
            new grpc.Metadata(),
            (err) =>
              resolve({
                service: `grpc-burst-${i}`,
                ok: err === null,
                status: err?.code ?? 0,
                retry: err
                  ? String(
                      readRetryInfoStatus(err.metadata.get('grpc-status-details-bin')[0] as Buffer).retryDelaySeconds,
                    )
                  : undefined,
              }),
          );
        });
      });
      const results = await Promise.all([...http, ...grpcCalls]);
      const refused = results.filter((r) => !r.ok);
      assert.ok(refused.length >= 4, `${refused.length} of ${results.length} refused`);
      for (const r of refused) {
        assert.ok(r.status === 503 || r.status === grpc.status.UNAVAILABLE, `refused with ${r.status}`);
        assert.equal(r.retry, '1');
      }
      for (const r of results) {
        const stored = r.service.startsWith('grpc')
          ? (await o.store.querySpans({ service: r.service, since: new Date(Date.now() - 3_600_000), limit: 10_000 }))
              .length
          : (await o.store.queryLogs({ limit: 5_000, service: r.service })).length;
        assert.equal(stored, r.ok ? (r.service.startsWith('grpc') ? 5_000 : 2_000) : 0, r.service);
      }
      assert.ok(
        results.some((r) => r.ok),
        'some of the burst was accepted',
      );
      // The budget is whole again: the same body alone goes through.
      const after = await o.server.otlp.inject({
        method: 'POST',
        url: '/v1/logs',
        payload: gzipSync(jsonLogs('after-burst', lines)),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      });
      assert.equal(after.statusCode, 200, 'the receiver goes on');
      assert.equal((await o.store.queryLogs({ limit: 5_000, service: 'after-burst' })).length, 2_000);
      assert.match(
        (await o.server.api.inject({ method: 'GET', url: '/metrics' })).body,
        /orrery_ingest_inflated_bytes 0\n/,
      );
    } finally {
      client.close();
      await o.cleanup();
    }
  });
});
