// Real OpenTelemetry SDK telemetry for tests: spans and log records made by the SDK, and
// the SDK's own OTLP serializers and exporters.
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export const RESOURCE_ATTRS = {
  'service.name': 'checkout',
  'service.version': '2.3.1',
  'deployment.environment.name': 'production',
  'host.name': 'pod-7',
};

/** One server span with a child client span, an error status and an exception event. */
export async function sdkSpans(resourceAttrs: Record<string, string> = RESOURCE_ATTRS): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resourceAttrs),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('checkout-http', '1.0.0');
  const server = tracer.startSpan('GET /cart/:id', {
    kind: 1, // SERVER
    attributes: {
      'http.route': '/cart/:id',
      'http.request.method': 'GET',
      'http.response.status_code': 500,
      'enduser.id': 'user-42',
      'account.id': 'acct-7',
      'code.function.name': 'countItems',
      'code.file.path': 'src/cart/count.ts',
      'code.line.number': 88,
    },
  });
  const child = tracer.startSpan(
    'POST payments',
    { kind: 2, attributes: { 'peer.service': 'payments' } },
    trace.setSpan(context.active(), server),
  );
  child.end();
  server.recordException(new TypeError("Cannot read properties of undefined (reading 'price')"));
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'badge count failed' });
  server.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

export async function sdkLogs(resourceAttrs: Record<string, string> = RESOURCE_ATTRS): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(resourceAttrs),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-log', '1.0.0');
  logger.emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: 'retrying inventory reservation for order 1234',
    attributes: { 'user.id': 'user-9', 'tenant.id': 'acct-3', 'code.function.name': 'reserve' },
  });
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: { msg: 'structured', n: 3 },
    attributes: {
      'exception.type': 'TypeError',
      'exception.message': 'x is undefined',
      'exception.stacktrace': 'TypeError: x is undefined\n    at countItems (src/cart/count.ts:88:13)',
    },
  });
  await provider.forceFlush();
  const records = exporter.getFinishedLogRecords();
  await provider.shutdown();
  return records;
}
