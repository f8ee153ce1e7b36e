// Builds realistic OTLP export requests with the real OpenTelemetry SDK (tracer and logger
// providers with in-memory exporters) and encodes them with the real protobuf serializers.
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export type BenchSignal = 'traces' | 'logs';

/** One encoded ExportTraceServiceRequest or ExportLogsServiceRequest. */
export interface EncodedBatch {
  signal: BenchSignal;
  records: number;
  bytes: Uint8Array;
}

interface Service {
  name: string;
  version: string;
  environment: string;
  routes: { method: string; route: string; path: (r: Rng) => string }[];
  downstream: string[];
}

const SERVICES: Service[] = [
  {
    name: 'checkout',
    version: '2.14.3',
    environment: 'production',
    routes: [
      { method: 'POST', route: '/api/checkout', path: () => '/api/checkout' },
      { method: 'GET', route: '/api/cart/:cartId', path: (r) => `/api/cart/c-${r.int(1e6)}` },
      { method: 'POST', route: '/api/cart/:cartId/items', path: (r) => `/api/cart/c-${r.int(1e6)}/items` },
    ],
    downstream: ['payments', 'inventory'],
  },
  {
    name: 'payments',
    version: '1.9.0',
    environment: 'production',
    routes: [
      { method: 'POST', route: '/v1/charges', path: () => '/v1/charges' },
      { method: 'GET', route: '/v1/charges/:id', path: (r) => `/v1/charges/ch_${r.hex(12)}` },
      { method: 'POST', route: '/v1/refunds', path: () => '/v1/refunds' },
    ],
    downstream: ['fraud-check'],
  },
  {
    name: 'inventory',
    version: '3.2.1',
    environment: 'production',
    routes: [
      { method: 'GET', route: '/stock/:sku', path: (r) => `/stock/SKU-${r.int(99999)}` },
      { method: 'PUT', route: '/stock/:sku/reserve', path: (r) => `/stock/SKU-${r.int(99999)}/reserve` },
    ],
    downstream: [],
  },
  {
    name: 'frontend',
    version: '2025.6.2',
    environment: 'production',
    routes: [
      { method: 'GET', route: '/', path: () => '/' },
      { method: 'GET', route: '/products/:slug', path: (r) => `/products/${r.pick(PRODUCTS)}` },
      { method: 'GET', route: '/account/orders', path: () => '/account/orders' },
    ],
    downstream: ['checkout', 'inventory'],
  },
  {
    name: 'fraud-check',
    version: '0.8.7',
    environment: 'staging',
    routes: [{ method: 'POST', route: '/score', path: () => '/score' }],
    downstream: [],
  },
];

const PRODUCTS = ['trail-runner-2', 'merino-hoodie', 'espresso-grinder', 'desk-lamp-pro', 'usb-c-dock', 'yoga-mat'];
const QUERIES = [
  'SELECT id, total, status FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20',
  'UPDATE stock SET reserved = reserved + $1 WHERE sku = $2',
  'INSERT INTO charges (id, amount, currency, customer_id) VALUES ($1, $2, $3, $4)',
  'SELECT * FROM carts WHERE id = $1',
];
const ERRORS = [
  { type: 'TimeoutError', message: 'upstream request timed out after 3000ms' },
  { type: 'PaymentDeclinedError', message: 'card_declined: insufficient_funds' },
  { type: 'TypeError', message: "Cannot read properties of undefined (reading 'sku')" },
  { type: 'ECONNRESET', message: 'socket hang up' },
];

/** A small deterministic PRNG (mulberry32), so every run sends the same content. */
class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  user(): string {
    return `user-${this.int(5000)}`;
  }
}

function resourceOf(s: Service) {
  return resourceFromAttributes({
    'service.name': s.name,
    'service.version': s.version,
    'service.instance.id': `${s.name}-7f9c${s.name.length}d-x${s.version.length}`,
    'deployment.environment.name': s.environment,
    'host.name': `ip-10-0-${s.name.length}-${s.version.length * 7}.ec2.internal`,
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.12.1',
  });
}

// ---------------------------------------------------------------------------------------
// Spans

interface TracingService {
  service: Service;
  provider: BasicTracerProvider;
  exporter: InMemorySpanExporter;
}

function tracingServices(): TracingService[] {
  return SERVICES.map((service) => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceOf(service),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    return { service, provider, exporter };
  });
}

/** One request: a SERVER root span and up to `maxSpans - 1` children. Returns spans made. */
function makeTrace(ts: TracingService, r: Rng, nowMs: number, maxSpans: number): number {
  const { service } = ts;
  const tracer = ts.provider.getTracer('@opentelemetry/instrumentation-http', '0.203.0');
  const route = r.pick(service.routes);
  const user = r.user();
  const failed = r.chance(0.05);
  const start = nowMs - r.int(60_000);
  const duration = 5 + r.int(failed ? 3000 : 400);
  const status = failed ? r.pick([500, 502, 503]) : r.pick([200, 200, 200, 200, 201, 204, 304, 404]);
  const root = tracer.startSpan(
    `${route.method} ${route.route}`,
    {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.request.method': route.method,
        'http.route': route.route,
        'url.path': route.path(r),
        'url.scheme': 'https',
        'http.response.status_code': status,
        'server.address': `${service.name}.internal`,
        'server.port': 8080,
        'client.address': `10.0.${r.int(255)}.${r.int(255)}`,
        'user_agent.original': r.pick([
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
          'okhttp/4.12.0',
        ]),
        'enduser.id': user,
        'network.protocol.version': '1.1',
      },
    },
    ROOT_CONTEXT,
  );
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const children = Math.min(maxSpans - 1, r.int(5));
  let offset = 1;
  for (let i = 0; i < children; i++) {
    const childStart = start + offset;
    const childDuration = 1 + r.int(Math.max(2, Math.floor(duration / (children + 1))));
    offset += childDuration;
    let child: Span;
    const kind = r.int(3);
    if (kind === 0) {
      const query = r.pick(QUERIES);
      child = tracer.startSpan(
        `${query.split(' ')[0]} shop`,
        {
          kind: SpanKind.CLIENT,
          startTime: childStart,
          attributes: {
            'db.system.name': 'postgresql',
            'db.namespace': 'shop',
            'db.query.text': query,
            'db.operation.name': query.split(' ')[0]!,
            'server.address': 'db-primary.internal',
            'server.port': 5432,
          },
        },
        parent,
      );
    } else if (kind === 1 && service.downstream.length > 0) {
      const target = r.pick(service.downstream);
      child = tracer.startSpan(
        'POST',
        {
          kind: SpanKind.CLIENT,
          startTime: childStart,
          attributes: {
            'http.request.method': 'POST',
            'url.full': `http://${target}.internal:8080/v1/${r.pick(['score', 'charges', 'reserve'])}`,
            'server.address': `${target}.internal`,
            'http.response.status_code': failed && i === children - 1 ? 503 : 200,
            'enduser.id': user,
          },
        },
        parent,
      );
    } else {
      child = tracer.startSpan(
        r.pick(['render template', 'validate cart', 'compute price', 'serialize response']),
        {
          kind: SpanKind.INTERNAL,
          startTime: childStart,
          attributes: { 'code.function.name': r.pick(['handle', 'render', 'validate']) },
        },
        parent,
      );
    }
    child.end(childStart + childDuration);
  }
  if (failed) {
    const e = r.pick(ERRORS);
    const err = new Error(e.message);
    err.name = e.type;
    err.stack = `${e.type}: ${e.message}\n    at handle (/app/src/routes/${service.name}.js:${40 + r.int(200)}:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)\n    at async Server.dispatch (/app/node_modules/fastify/lib/route.js:${500 + r.int(100)}:9)`;
    root.recordException(err, start + duration - 1);
    root.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  }
  root.end(start + duration);
  return children + 1;
}

/** `count` trace batches of exactly `size` spans each, encoded as protobuf. */
export async function traceBatches(count: number, size: number, seed = 1): Promise<EncodedBatch[]> {
  const r = new Rng(seed);
  const services = tracingServices();
  const nowMs = Date.now();
  const out: EncodedBatch[] = [];
  for (let b = 0; b < count; b++) {
    let made = 0;
    while (made < size) made += makeTrace(r.pick(services), r, nowMs, size - made);
    await Promise.all(services.map((s) => s.provider.forceFlush()));
    const spans = services.flatMap((s) => s.exporter.getFinishedSpans());
    for (const s of services) s.exporter.reset();
    if (spans.length !== size)
      throw new Error(`trace batch ${b}: expected ${size} spans, the SDK exported ${spans.length}`);
    out.push({
      signal: 'traces',
      records: size,
      bytes: nonEmpty(ProtobufTraceSerializer.serializeRequest(spans), 'trace'),
    });
  }
  await Promise.all(services.map((s) => s.provider.shutdown()));
  return out;
}

// ---------------------------------------------------------------------------------------
// Log records

interface LoggingService {
  service: Service;
  provider: LoggerProvider;
  exporter: InMemoryLogRecordExporter;
}

function loggingServices(): LoggingService[] {
  return SERVICES.map((service) => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({
      resource: resourceOf(service),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    return { service, provider, exporter };
  });
}

const SEVERITIES = [
  { n: SeverityNumber.DEBUG, t: 'DEBUG', w: 0.15 },
  { n: SeverityNumber.INFO, t: 'INFO', w: 0.65 },
  { n: SeverityNumber.WARN, t: 'WARN', w: 0.12 },
  { n: SeverityNumber.ERROR, t: 'ERROR', w: 0.08 },
];

function severity(r: Rng): { n: SeverityNumber; t: string } {
  let x = r.next();
  for (const s of SEVERITIES) {
    x -= s.w;
    if (x <= 0) return s;
  }
  return SEVERITIES[1]!;
}

function logBody(r: Rng, s: Service, level: string, user: string): string {
  const route = r.pick(s.routes);
  switch (level) {
    case 'DEBUG':
      return r.pick([
        `cache miss key=product:${r.int(99999)} took ${r.int(20)}ms`,
        `acquired connection from pool (idle=${r.int(10)}, total=${10 + r.int(10)})`,
        `feature flag new-pricing evaluated to ${r.chance(0.5)} for ${user}`,
      ]);
    case 'WARN':
      return r.pick([
        `slow query took ${300 + r.int(2000)}ms: ${r.pick(QUERIES)}`,
        `retrying job job-${r.int(1e5)} attempt ${1 + r.int(4)}/5 after ${250 * (1 + r.int(4))}ms`,
        `rate limit close for ${user}: ${90 + r.int(10)}/100 requests in window`,
      ]);
    case 'ERROR':
      return r.pick([
        `payment pi_${r.hex(16)} failed: card_declined amount=${(r.int(50000) / 100).toFixed(2)} EUR customer=${user}`,
        `unhandled error in ${route.method} ${route.route}: ${r.pick(ERRORS).message}`,
        `failed to reserve SKU-${r.int(99999)} qty=${1 + r.int(5)}: out of stock`,
      ]);
    default:
      return r.pick([
        `${route.method} ${route.path(r)} completed in ${r.int(400)}ms status=200`,
        `order ord_${r.hex(10)} created for ${user} total=${(r.int(90000) / 100).toFixed(2)} items=${1 + r.int(8)}`,
        `${user} logged in from 10.0.${r.int(255)}.${r.int(255)} (mfa=${r.chance(0.3)})`,
        `sent confirmation email to ${user} message_id=<${r.hex(20)}@mail.internal>`,
      ]);
  }
}

function emitLog(ls: LoggingService, r: Rng, nowMs: number): void {
  const logger = ls.provider.getLogger(r.pick(['app', 'http', 'db', 'jobs']), ls.service.version);
  const sev = severity(r);
  const user = r.user();
  const traced = r.chance(0.7);
  const context = traced
    ? trace.setSpanContext(ROOT_CONTEXT, { traceId: r.hex(32), spanId: r.hex(16), traceFlags: TraceFlags.SAMPLED })
    : ROOT_CONTEXT;
  logger.emit({
    timestamp: nowMs - r.int(60_000),
    severityNumber: sev.n,
    severityText: sev.t,
    body: logBody(r, ls.service, sev.t, user),
    attributes: {
      'enduser.id': user,
      'code.function.name': r.pick(['handleRequest', 'processJob', 'reserveStock', 'charge', 'render']),
      'thread.name': `worker-${r.int(8)}`,
      ...(r.chance(0.4)
        ? { 'http.request.method': r.pick(ls.service.routes).method, 'http.response.status_code': 200 }
        : {}),
      ...(sev.t === 'ERROR' ? { 'exception.type': r.pick(ERRORS).type } : {}),
    },
    context,
  });
}

/** `count` log batches of exactly `size` records each, encoded as protobuf. */
export async function logBatches(count: number, size: number, seed = 2): Promise<EncodedBatch[]> {
  const r = new Rng(seed);
  const services = loggingServices();
  const nowMs = Date.now();
  const out: EncodedBatch[] = [];
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < size; i++) emitLog(r.pick(services), r, nowMs);
    await Promise.all(services.map((s) => s.provider.forceFlush()));
    const records = services.flatMap((s) => s.exporter.getFinishedLogRecords());
    for (const s of services) s.exporter.reset();
    if (records.length !== size)
      throw new Error(`log batch ${b}: expected ${size} records, the SDK exported ${records.length}`);
    out.push({
      signal: 'logs',
      records: size,
      bytes: nonEmpty(ProtobufLogsSerializer.serializeRequest(records), 'logs'),
    });
  }
  await Promise.all(services.map((s) => s.provider.shutdown()));
  return out;
}

function nonEmpty(bytes: Uint8Array | undefined, what: string): Uint8Array {
  if (!bytes || bytes.length === 0) throw new Error(`the OTLP ${what} serializer returned an empty request`);
  return bytes;
}

/**
 * The encoded request with an unknown top-level field appended (number 15, a varint: `seq`),
 * which OTLP decoders skip: each request sent is then a distinct batch, as a real exporter's
 * are, so Orrery's exactly-once check (a batch sent again is not stored again) stores every one.
 */
export function distinctBody(body: Uint8Array, seq: number, opts: { gzip?: boolean } = {}): Buffer {
  const tail: number[] = [(15 << 3) | 0];
  let v = seq;
  while (v > 0x7f) {
    tail.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  tail.push(v);
  // A gzip body takes the field as a second gzip member: it inflates to the request then the field.
  return Buffer.concat([body, opts.gzip ? gzipSync(Buffer.from(tail)) : Buffer.from(tail)]);
}
