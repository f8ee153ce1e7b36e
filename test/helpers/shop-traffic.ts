// Shop-shaped telemetry made by the real OpenTelemetry SDK: web's server spans, its client
// calls to cart, cart's server spans with internal spans and log lines, serialized by the
// SDK's own OTLP protobuf serializers and taken in through ingestOtlp, so the raw tables and
// the streaming analysis (RED minutes, service-graph edges, patterns) hold what a running shop
// would have sent.
import { SpanKind, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AnalysisPipeline, type Context, ingestOtlp } from '../../src/workflows/index.js';

export interface ShopRequest {
  /** web's endpoint: method and route. */
  method: string;
  route: string;
  /** What web calls in cart for it, in order. */
  calls: Array<{ method: string; route: string; internal?: string[]; log?: string }>;
  /** How many requests of this kind. */
  count: number;
}

/** Sends the requests' spans and logs through ingestOtlp and flushes the streaming analysis. */
export async function sendShopTraffic(ctx: Context, requests: readonly ShopRequest[]): Promise<void> {
  const spans = new InMemorySpanExporter();
  const logs = new InMemoryLogRecordExporter();
  const tracers = new Map<string, BasicTracerProvider>();
  const loggers = new Map<string, LoggerProvider>();
  for (const service of ['web', 'cart']) {
    const resource = resourceFromAttributes({ 'service.name': service, 'service.version': '1.0.0' });
    tracers.set(service, new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] }));
    loggers.set(
      service,
      new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logs })] }),
    );
  }
  const web = tracers.get('web')!.getTracer('web');
  const cart = tracers.get('cart')!.getTracer('cart');
  const cartLog = loggers.get('cart')!.getLogger('cart');
  let n = 0;
  for (const r of requests) {
    for (let i = 0; i < r.count; i++, n++) {
      const identity = { 'enduser.id': `u${n % 7}`, 'account.id': `acct_${n % 3}` };
      const server = web.startSpan(`${r.method} ${r.route}`, {
        kind: SpanKind.SERVER,
        attributes: { 'http.route': r.route, 'http.method': r.method, ...identity },
      });
      const inServer = trace.setSpan(context.active(), server);
      for (const c of r.calls) {
        const client = web.startSpan(
          c.method,
          { kind: SpanKind.CLIENT, attributes: { 'http.method': c.method } },
          inServer,
        );
        const callee = cart.startSpan(
          `${c.method} ${c.route}`,
          { kind: SpanKind.SERVER, attributes: { 'http.route': c.route, 'http.method': c.method, ...identity } },
          trace.setSpan(context.active(), client),
        );
        const inCallee = trace.setSpan(context.active(), callee);
        for (const name of c.internal ?? []) cart.startSpan(name, { kind: SpanKind.INTERNAL }, inCallee).end();
        if (c.log)
          cartLog.emit({ severityNumber: SeverityNumber.INFO, severityText: 'INFO', body: c.log, context: inCallee });
        callee.end();
        client.end();
      }
      server.end();
    }
  }
  for (const p of tracers.values()) await p.forceFlush();
  for (const p of loggers.values()) await p.forceFlush();
  const analysis = ctx.analysis ?? new AnalysisPipeline(ctx.store.db, ctx.metrics);
  const withAnalysis: Context = { ...ctx, analysis };
  const traceBody = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans.getFinishedSpans())!);
  await ingestOtlp(withAnalysis, 'traces', 'protobuf', traceBody);
  const logBody = Buffer.from(ProtobufLogsSerializer.serializeRequest(logs.getFinishedLogRecords())!);
  await ingestOtlp(withAnalysis, 'logs', 'protobuf', logBody);
  await analysis.flush();
  for (const p of tracers.values()) await p.shutdown();
  for (const p of loggers.values()) await p.shutdown();
}
