// OpenTelemetry for every shop service. Load it before the app so the http module is
// instrumented before anything uses it:
//
//   node --import ./lib/telemetry.js services/cart/src/server.js
//
// Exporter endpoint and resource come from the standard OTEL_* variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES).
import { register } from 'node:module';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { envDetector } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { identityAttributes } from './context.js';

// Ship every half second: the dashboards should show a deploy within a couple of seconds.
const EXPORT_DELAY_MS = 500;
const EXPORT_TIMEOUT_MS = 3000;

const sdk = new NodeSDK({
  resourceDetectors: [envDetector],
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ timeoutMillis: EXPORT_TIMEOUT_MS }),
      scheduledDelayMillis: EXPORT_DELAY_MS,
      exportTimeoutMillis: EXPORT_TIMEOUT_MS,
    }),
  ],
  logRecordProcessors: [
    new BatchLogRecordProcessor({
      exporter: new OTLPLogExporter({ timeoutMillis: EXPORT_TIMEOUT_MS }),
      scheduledDelayMillis: EXPORT_DELAY_MS,
      exportTimeoutMillis: EXPORT_TIMEOUT_MS,
    }),
  ],
  // No metrics yet: RED comes from the spans.
  metricReaders: [],
  instrumentations: [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => req.url === '/healthz',
      // Calls to other services carry the caller's user and account too.
      requestHook: (span) => span.setAttributes(identityAttributes()),
    }),
  ],
});

// The app is ES modules: the loader hook lets the instrumentation patch node:http for them.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
sdk.start();

let stopping = null;

/** Flushes and stops tracing and logging; safe to call more than once. */
export function shutdownTelemetry() {
  stopping ??= sdk.shutdown().catch((err) => {
    console.error(`telemetry shutdown failed: ${err.message}`);
  });
  return stopping;
}
