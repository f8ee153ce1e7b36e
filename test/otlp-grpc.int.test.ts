// OTLP over gRPC: the real OpenTelemetry gRPC exporters send traces, logs and metrics to a
// running `orrery up` and the data is read back through the API; then OTLP/HTTP's bad-input
// cases over gRPC, with a raw grpc-js client (and raw HTTP/2 frames where grpc-js cannot be
// made to send the bytes: a corrupt gzip stream, a gzip bomb) against an in-process receiver.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import protobuf from 'protobufjs/minimal.js';
import { ServerProcess } from '../bench/lib/server-process.js';
import { OTLP_GRPC_METHODS, readRetryInfoStatus } from '../src/ingest/sources/otlp-grpc/index.js';
import type { LogRow, SpanRow } from '../src/store/index.js';
import { RESOURCE_ATTRS, sdkLogs, sdkSpans } from './helpers/otel.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { freshDataDir } from './helpers/stores.js';

const MiB = 1024 * 1024;
const TRACES = OTLP_GRPC_METHODS.traces.path;

interface Exporter<T> {
  export(items: T, cb: (r: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

function exportWith<T>(exporter: Exporter<T>, items: T): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(items, (r) =>
      r.code === 0 ? resolve() : reject(r.error ?? new Error(`export failed: ${r.code}`)),
    );
  });
}

describe('OTLP/gRPC with the OpenTelemetry gRPC exporters', () => {
  let server: ServerProcess;
  let dataDir: string;

  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = () => `http://${server.otlpGrpcAddress}`;

  it('traces (gzip) land with their semantic-convention fields', async () => {
    const service = 'grpc-traces';
    const exporter = new OTLPTraceExporter({ url: url(), compression: 'gzip' as never });
    await exportWith(
      exporter as unknown as Exporter<unknown>,
      await sdkSpans({ ...RESOURCE_ATTRS, 'service.name': service }),
    );
    await exporter.shutdown();
    const { spans } = await server.getJson<{ spans: SpanRow[] }>(`/api/spans?service=${service}&since=1h`);
    assert.equal(spans.length, 2);
    const s = spans.find((x) => x.name === 'GET /cart/:id')!;
    assert.equal(s.serviceVersion, '2.3.1');
    assert.equal(s.userId, 'user-42');
    assert.equal(s.httpRoute, '/cart/:id');
    assert.equal(spans.find((x) => x.name === 'POST payments')?.parentSpanId, s.spanId);
  });

  it('logs (uncompressed) land and are found by user', async () => {
    const service = 'grpc-logs';
    const exporter = new OTLPLogExporter({ url: url() });
    await exportWith(
      exporter as unknown as Exporter<unknown>,
      await sdkLogs({ ...RESOURCE_ATTRS, 'service.name': service }),
    );
    await exporter.shutdown();
    const { logs } = await server.getJson<{ logs: LogRow[] }>(`/api/logs?service=${service}&user=user-9&since=1h`);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.body, 'retrying inventory reservation for order 1234');
  });

  it('metrics (gzip) land', async () => {
    const before = await server.getJson<{ store: { raw: { metric_point: { count: number } } } }>('/api/status');
    const exporter = new OTLPMetricExporter({ url: url(), compression: 'gzip' as never });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ ...RESOURCE_ATTRS, 'service.name': 'grpc-metrics' }),
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
    });
    const meter = provider.getMeter('grpc');
    meter.createCounter('orders.placed').add(3);
    meter.createHistogram('http.server.request.duration', { unit: 's' }).record(0.25);
    // shutdown collects and exports once (forceFlush too would send the cumulative points twice).
    await provider.shutdown();
    const after = await server.getJson<{ store: { raw: { metric_point: { count: number } } } }>('/api/status');
    assert.equal(after.store.raw.metric_point.count - before.store.raw.metric_point.count, 2);
  });
});

/** An ExportTraceServiceRequest of spans under one service; a span id of 3 bytes is invalid. */
function traceRequest(service: string, spans: Array<{ name: string; spanIdBytes?: number }>): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const kv = protobuf.Writer.create()
    .uint32(0x0a)
    .string('service.name')
    .uint32(0x12)
    .fork()
    .uint32(0x0a)
    .string(service)
    .ldelim()
    .finish();
  const resource = protobuf.Writer.create().uint32(0x0a).bytes(kv).finish();
  const scope = protobuf.Writer.create();
  spans.forEach((s, i) => {
    const span = protobuf.Writer.create()
      .uint32(0x0a)
      .bytes(Buffer.alloc(16, i + 1))
      .uint32(0x12)
      .bytes(Buffer.alloc(s.spanIdBytes ?? 8, i + 1))
      .uint32(0x2a)
      .string(s.name)
      .uint32(0x39)
      .fixed64(Number(now))
      .uint32(0x41)
      .fixed64(Number(now + 1_000_000n))
      .finish();
    scope.uint32(0x12).bytes(span);
  });
  const rs = protobuf.Writer.create().uint32(0x0a).bytes(resource).uint32(0x12).bytes(scope.finish()).finish();
  return Buffer.from(protobuf.Writer.create().uint32(0x0a).bytes(rs).finish());
}

interface CallResult {
  code: grpc.status;
  details: string;
  response: Buffer | null;
  retryDelaySeconds: number | null;
}

function unary(client: grpc.Client, path: string, body: Buffer, metadata = new grpc.Metadata()): Promise<CallResult> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      metadata,
      { deadline: Date.now() + 30_000 },
      (err, response) => {
        if (!err)
          return resolve({ code: grpc.status.OK, details: '', response: response ?? null, retryDelaySeconds: null });
        const details = err.metadata?.get('grpc-status-details-bin')[0];
        resolve({
          code: err.code,
          details: err.details,
          response: null,
          retryDelaySeconds: details instanceof Buffer ? readRetryInfoStatus(details).retryDelaySeconds : null,
        });
      },
    );
  });
}

/** One gRPC message on a raw HTTP/2 stream, for bytes grpc-js will not send (a corrupt gzip stream). */
function rawCall(
  address: string,
  path: string,
  message: Buffer,
  headers: Record<string, string>,
): Promise<{ code: number; details: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on('error', reject);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let code = -1;
    let details = '';
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) code = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) details = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', read);
    req.on('trailers', read);
    req.on('data', () => {});
    req.on('end', () => {
      session.close();
      resolve({ code, details });
    });
    req.on('error', reject);
    const prefix = Buffer.alloc(5);
    prefix.writeUInt8(1, 0);
    prefix.writeUInt32BE(message.length, 1);
    req.end(Buffer.concat([prefix, message]));
  });
}

/** rejected_spans and error_message of an ExportTraceServiceResponse's partial_success. */
function partialSuccess(response: Buffer): { rejected: number; message: string } {
  const r = protobuf.Reader.create(response);
  const out = { rejected: 0, message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag !== 0x0a) {
      r.skipType(tag & 7);
      continue;
    }
    const p = protobuf.Reader.create(r.bytes());
    while (p.pos < p.len) {
      const t = p.uint32();
      if (t === 0x08) out.rejected = Number(p.int64());
      else if (t === 0x12) out.message = p.string();
      else p.skipType(t & 7);
    }
  }
  return out;
}

describe('OTLP/gRPC bad input (the OTLP/HTTP cases, over gRPC)', () => {
  let orrery: InProcess;
  let address: string;
  let client: grpc.Client;
  let releaseWrites: (() => void) | null = null;
  let holdWrites: Promise<void> | null = null;

  before(async () => {
    orrery = await inProcessOrrery(
      {
        maxBodyBytes: MiB,
        maxDecodedBytes: 4 * MiB,
        maxInflightDecodedBytes: 16 * MiB,
        ingestConcurrency: 1,
        maxQueueWaitMs: 300,
        otlpHost: '127.0.0.1',
      },
      {
        // Beyond loopback: as a receiver bound to another address, every call needs a token.
        allowAnonymousLoopback: false,
        write: async (store, b) => {
          if (holdWrites) await holdWrites;
          await store.writeTelemetry(b);
        },
      },
    );
    const port = await orrery.server.grpc!.listen('127.0.0.1', 0);
    address = `127.0.0.1:${port}`;
    client = new grpc.Client(address, grpc.credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    releaseWrites?.();
    await orrery?.cleanup();
  });

  let ingest = '';
  const spansOf = (service: string) =>
    orrery.store.querySpans({ service, since: new Date(Date.now() - 3_600_000), limit: 1_000 });
  const auth = () => {
    const m = new grpc.Metadata();
    m.set('authorization', `Bearer ${ingest}`);
    return m;
  };

  it('no token beyond loopback: UNAUTHENTICATED; a viewer token: PERMISSION_DENIED; an ingest token: OK', async () => {
    const body = traceRequest('grpc-auth', [{ name: 'a' }]);
    const none = await unary(client, TRACES, body);
    assert.equal(none.code, grpc.status.UNAUTHENTICATED, none.details);
    assert.match(none.details, /authorization: Bearer/);
    const bad = new grpc.Metadata();
    bad.set('authorization', 'Bearer orr_not-a-token');
    assert.equal((await unary(client, TRACES, body, bad)).code, grpc.status.UNAUTHENTICATED);
    const viewer = (await orrery.store.createToken('viewer', { role: 'viewer' })).token;
    const vm = new grpc.Metadata();
    vm.set('authorization', `Bearer ${viewer}`);
    assert.equal((await unary(client, TRACES, body, vm)).code, grpc.status.PERMISSION_DENIED);
    ingest = (await orrery.store.createToken('collector', { role: 'ingest' })).token;
    const ok = await unary(client, TRACES, body, auth());
    assert.equal(ok.code, grpc.status.OK, ok.details);
    const spans = await spansOf('grpc-auth');
    assert.equal(spans.length, 1, 'acknowledged only after the commit: the span is there');
  });

  it('garbage bytes: INVALID_ARGUMENT, nothing stored, and the receiver goes on', async () => {
    const garbage = Buffer.from('\xff\xff\xff\xff not a protobuf message at all', 'latin1');
    const r = await unary(client, TRACES, garbage, auth());
    assert.equal(r.code, grpc.status.INVALID_ARGUMENT, r.details);
    assert.match(r.details, /could not decode/);
    const truncated = traceRequest('grpc-garbage', [{ name: 'a' }]).subarray(0, 20);
    assert.equal((await unary(client, TRACES, truncated, auth())).code, grpc.status.INVALID_ARGUMENT);
    const spans = await spansOf('grpc-garbage');
    assert.equal(spans.length, 0);
    assert.equal(
      (await unary(client, TRACES, traceRequest('grpc-after', [{ name: 'a' }]), auth())).code,
      grpc.status.OK,
    );
  });

  it('some records invalid: OK with partial_success naming how many were rejected', async () => {
    const r = await unary(
      client,
      TRACES,
      traceRequest('grpc-partial', [{ name: 'good' }, { name: 'bad', spanIdBytes: 3 }]),
      auth(),
    );
    assert.equal(r.code, grpc.status.OK, r.details);
    const p = partialSuccess(r.response!);
    assert.equal(p.rejected, 1);
    assert.match(p.message, /1 rejected/);
    const spans = await spansOf('grpc-partial');
    assert.deepEqual(
      spans.map((s) => s.name),
      ['good'],
    );
  });

  it('oversized: a message past the wire limit, and a gzip bomb past the inflated limit, get RESOURCE_EXHAUSTED', async () => {
    const big = Buffer.concat([traceRequest('grpc-big', [{ name: 'a' }]), Buffer.alloc(2 * MiB)]);
    const r = await unary(client, TRACES, big, auth());
    assert.equal(r.code, grpc.status.RESOURCE_EXHAUSTED, r.details);
    assert.equal(r.retryDelaySeconds, null, 'no RetryInfo: the exporter must not retry it');
    const bomb = gzipSync(Buffer.alloc(64 * MiB));
    assert.ok(bomb.length < MiB);
    const b = await rawCall(address, TRACES, bomb, { 'grpc-encoding': 'gzip', authorization: `Bearer ${ingest}` });
    assert.equal(b.code, grpc.status.RESOURCE_EXHAUSTED, b.details);
    assert.match(b.details, /inflates/);
  });

  it('gzip: a compressed request is inflated; a corrupt gzip stream is INVALID_ARGUMENT', async () => {
    const good = gzipSync(traceRequest('grpc-gzip', [{ name: 'zipped' }]));
    const g = await rawCall(address, TRACES, good, { 'grpc-encoding': 'gzip', authorization: `Bearer ${ingest}` });
    assert.equal(g.code, grpc.status.OK, g.details);
    const spans = await spansOf('grpc-gzip');
    assert.equal(spans.length, 1);
    const corrupt = Buffer.from(good);
    corrupt.fill(0x55, 12, corrupt.length - 4);
    const c = await rawCall(address, TRACES, corrupt, { 'grpc-encoding': 'gzip', authorization: `Bearer ${ingest}` });
    assert.equal(c.code, grpc.status.INVALID_ARGUMENT, c.details);
    assert.match(c.details, /could not be decompressed/);
    const odd = await rawCall(address, TRACES, good, { 'grpc-encoding': 'snappy', authorization: `Bearer ${ingest}` });
    assert.equal(odd.code, grpc.status.UNIMPLEMENTED, odd.details);
  });

  it('overload: UNAVAILABLE with RetryInfo, and every call acknowledged OK was stored', async () => {
    holdWrites = new Promise<void>((r) => {
      releaseWrites = r;
    });
    const calls = Array.from({ length: 12 }, (_, i) =>
      unary(client, TRACES, traceRequest('grpc-overload', [{ name: `s${i}` }]), auth()),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    releaseWrites!();
    holdWrites = null;
    const results = await Promise.all(calls);
    const refused = results.filter((r) => r.code === grpc.status.UNAVAILABLE);
    const ok = results.filter((r) => r.code === grpc.status.OK);
    assert.ok(refused.length > 0, `some calls refused: ${results.map((r) => r.code).join(',')}`);
    assert.equal(ok.length + refused.length, results.length);
    for (const r of refused) {
      assert.match(r.details, /overloaded/);
      assert.ok(r.retryDelaySeconds !== null && r.retryDelaySeconds >= 1, 'RetryInfo with a delay');
    }
    const spans = await spansOf('grpc-overload');
    assert.equal(spans.length, ok.length);
  });
});
