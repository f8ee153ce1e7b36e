// The OTLP/HTTP receiver's status codes and bodies, per the OTLP specification, in process.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs/minimal.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { sdkLogs, sdkSpans } from './helpers/otel.js';

/** google.rpc.Status { code = 1; message = 2 } */
function decodeStatus(buf: Buffer): { code: number; message: string } {
  const r = protobuf.Reader.create(buf);
  const out = { code: 0, message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) out.code = r.int32();
    else if (tag >>> 3 === 2) out.message = r.string();
    else r.skipType(tag & 7);
  }
  return out;
}

function jsonLogs(resources: Array<{ service?: string; bodies: string[] }>): string {
  return JSON.stringify({
    resourceLogs: resources.map((r) => ({
      resource: { attributes: r.service ? [{ key: 'service.name', value: { stringValue: r.service } }] : [] },
      scopeLogs: [
        { logRecords: r.bodies.map((b) => ({ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: b } })) },
      ],
    })),
  });
}

describe('OTLP receiver', () => {
  let o: InProcess;
  let spansProto: Buffer;
  let logsProto: Buffer;

  before(async () => {
    o = await inProcessOrrery({ maxBodyBytes: 256 * 1024, maxDecodedBytes: 1024 * 1024 });
    spansProto = Buffer.from(ProtobufTraceSerializer.serializeRequest(await sdkSpans())!);
    logsProto = Buffer.from(ProtobufLogsSerializer.serializeRequest(await sdkLogs())!);
  });
  after(() => o.cleanup());

  const post = (url: string, payload: Buffer | string, headers: Record<string, string>) =>
    o.server.otlp.inject({ method: 'POST', url, payload, headers });

  it('answers 200 with an empty ExportTraceServiceResponse once the spans are stored', async () => {
    const res = await post('/v1/traces', spansProto, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/x-protobuf');
    assert.equal(res.rawPayload.length, 0);
    const stored = await o.store.querySpans({ limit: 10, service: 'checkout' });
    assert.equal(stored.length, 2);
  });

  it('accepts gzip-encoded protobuf and JSON', async () => {
    const res = await post('/v1/logs', gzipSync(logsProto), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    assert.equal(res.statusCode, 200);
    const json = await post('/v1/logs', gzipSync(jsonLogs([{ service: 'gz', bodies: ['zipped json'] }])), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(json.statusCode, 200);
    assert.equal(json.body, '{}');
    assert.equal((await o.store.queryLogs({ limit: 5, service: 'gz' }))[0]?.body, 'zipped json');
  });

  it('answers 200 with partial_success when some records have no service.name', async () => {
    const res = await post(
      '/v1/logs',
      jsonLogs([
        { service: 'good', bodies: ['kept 1', 'kept 2'] },
        { bodies: ['dropped 1', 'dropped 2', 'dropped 3'] },
      ]),
      { 'content-type': 'application/json' },
    );
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      partialSuccess: { rejectedLogRecords: '3', errorMessage: '3 rejected: resource has no service.name attribute' },
    });
    assert.equal((await o.store.queryLogs({ limit: 10, service: 'good' })).length, 2);
    assert.equal((await o.store.queryLogs({ limit: 10, grep: 'dropped' })).length, 0);
  });

  it('answers 400 with a Status message for truncated or garbage protobuf, and stays up', async () => {
    for (const body of [
      spansProto.subarray(0, spansProto.length - 5),
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x07]),
    ]) {
      const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
      assert.equal(res.statusCode, 400);
      const status = decodeStatus(res.rawPayload);
      assert.equal(status.code, 3); // INVALID_ARGUMENT
      assert.match(status.message, /could not decode the OTLP protobuf traces request/);
    }
    const ok = await post('/v1/traces', spansProto, { 'content-type': 'application/x-protobuf' });
    assert.equal(ok.statusCode, 200);
  });

  it('answers 400 for malformed JSON and for a corrupt gzip stream', async () => {
    const bad = await post('/v1/logs', '{"resourceLogs": [', { 'content-type': 'application/json' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /could not decode the OTLP JSON logs request/);
    const corrupt = await post('/v1/logs', Buffer.from('not gzip at all'), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(corrupt.statusCode, 400);
    assert.match(corrupt.json().message, /could not be decompressed/);
  });

  it('answers 413 for a body over the size limit', async () => {
    const res = await post('/v1/logs', Buffer.alloc(300 * 1024, 1), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.statusCode, 413);
    assert.match(decodeStatus(res.rawPayload).message, /over the limit of 262144 bytes/);
  });

  it('answers 413 for a gzip bomb without inflating it', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KiB
    assert.ok(bomb.length < 256 * 1024);
    const rssBefore = process.memoryUsage().rss;
    const res = await post('/v1/traces', bomb, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    assert.equal(res.statusCode, 413);
    assert.match(decodeStatus(res.rawPayload).message, /inflates past the limit of 1048576 bytes/);
    assert.ok(process.memoryUsage().rss - rssBefore < 48 * 1024 * 1024, 'the bomb was not inflated');
  });

  it('answers 415 for an unknown content type or content encoding', async () => {
    const res = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    assert.equal(res.statusCode, 415);
    assert.match(res.json().message, /unsupported Content-Type "text\/plain"/);
    const enc = await post('/v1/traces', spansProto, {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'br',
    });
    assert.equal(enc.statusCode, 415);
    assert.match(decodeStatus(enc.rawPayload).message, /Content-Encoding "br" is not supported/);
  });

  it('serves the receiver on the API port too', async () => {
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/v1/logs',
      payload: jsonLogs([{ service: 'via-api-port', bodies: ['hi'] }]),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 200);
  });

  it('counts received, accepted and rejected records per source, and store latency, at /metrics', async () => {
    const res = await o.server.api.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    const text = res.body;
    assert.match(text, /orrery_ingest_received_records_total\{source="otlp",signal="logs"\} \d+/);
    assert.match(text, /orrery_ingest_accepted_records_total\{source="otlp",signal="traces"\} [1-9]/);
    assert.match(
      text,
      /orrery_ingest_rejected_records_total\{source="otlp",signal="logs",reason="resource has no service.name attribute"\} 3/,
    );
    assert.match(text, /orrery_ingest_refused_requests_total\{source="otlp",status="413"\} 2/);
    assert.match(text, /orrery_store_write_seconds_count\{outcome="ok"\} [1-9]/);
    assert.match(text, /orrery_store_write_seconds_bucket\{outcome="ok",le="0.1"\} \d+/);
  });
});

describe('OTLP receiver under overload and store failure', () => {
  it('answers 503 with Retry-After when the queue is full, and commits what it accepted', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const o = await inProcessOrrery(
      {},
      {
        maxQueuedRecords: 3,
        write: async (store, b) => {
          await gate;
          await store.writeTelemetry(b);
        },
      },
    );
    try {
      const body = (svc: string) => jsonLogs([{ service: svc, bodies: ['a', 'b'] }]);
      const send = (svc: string) =>
        o.server.otlp.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: body(svc),
          headers: { 'content-type': 'application/json' },
        });
      const first = send('first'); // taken by the (blocked) writer
      await new Promise((r) => setTimeout(r, 50));
      const second = send('second'); // queued: 2 records
      await new Promise((r) => setTimeout(r, 50));
      const third = await send('third'); // 2 + 2 > 3: refused
      assert.equal(third.statusCode, 503);
      assert.equal(third.headers['retry-after'], '1');
      assert.match(third.json().message, /retry after/);
      release();
      assert.equal((await first).statusCode, 200);
      assert.equal((await second).statusCode, 200);
      assert.equal((await o.store.queryLogs({ limit: 10, service: 'first' })).length, 2);
      assert.equal((await o.store.queryLogs({ limit: 10, service: 'second' })).length, 2);
    } finally {
      release();
      await o.cleanup();
    }
  });

  it('answers 503 (retryable) when the store fails, keeps earlier data, and recovers', async () => {
    let fail = false;
    const o = await inProcessOrrery(
      {},
      {
        write: async (store, b) => {
          if (fail) throw new Error('connection terminated');
          await store.writeTelemetry(b);
        },
      },
    );
    try {
      const send = (svc: string) =>
        o.server.otlp.inject({
          method: 'POST',
          url: '/v1/logs',
          payload: jsonLogs([{ service: svc, bodies: ['x'] }]),
          headers: { 'content-type': 'application/json' },
        });
      assert.equal((await send('before')).statusCode, 200);
      fail = true;
      const res = await send('during');
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      fail = false;
      assert.equal((await send('after')).statusCode, 200);
      assert.equal((await o.store.queryLogs({ limit: 10, service: 'before' })).length, 1);
      assert.equal((await o.store.queryLogs({ limit: 10, service: 'after' })).length, 1);
    } finally {
      await o.cleanup();
    }
  });
});
