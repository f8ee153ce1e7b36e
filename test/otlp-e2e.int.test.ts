// End to end: the real OpenTelemetry JS exporters (protobuf and JSON) for traces, logs and
// metrics send to a running `orrery up`; the data is read back through the API and `orrery query`.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ServerProcess } from '../bench/lib/server-process.js';
import { openStore } from '../src/store/index.js';
import type { LogRow, SpanRow } from '../src/store/index.js';
import { runCli } from './helpers/cli.js';
import { RESOURCE_ATTRS, sdkLogs, sdkSpans } from './helpers/otel.js';
import { freshDataDir } from './helpers/stores.js';

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

const ENCODINGS = [
  { name: 'proto', Trace: ProtoTraceExporter, Log: ProtoLogExporter, Metric: ProtoMetricExporter },
  { name: 'json', Trace: JsonTraceExporter, Log: JsonLogExporter, Metric: JsonMetricExporter },
] as const;

describe('OTLP end to end with the OpenTelemetry JS exporters', () => {
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

  for (const enc of ENCODINGS) {
    const service = `e2e-${enc.name}`;
    const attrs = { ...RESOURCE_ATTRS, 'service.name': service };

    it(`${enc.name}: traces land with their semantic-convention fields`, async () => {
      const exporter = new enc.Trace({ url: `${server.otlpUrl}/v1/traces` });
      await exportWith(exporter as unknown as Exporter<unknown>, await sdkSpans(attrs));
      await exporter.shutdown();
      const { spans } = await server.getJson<{ spans: SpanRow[] }>(`/api/spans?service=${service}&since=1h`);
      assert.equal(spans.length, 2);
      const s = spans.find((x) => x.name === 'GET /cart/:id')!;
      assert.equal(s.serviceVersion, '2.3.1');
      assert.equal(s.environment, 'production');
      assert.equal(s.userId, 'user-42');
      assert.equal(s.accountId, 'acct-7');
      assert.equal(s.httpRoute, '/cart/:id');
      assert.equal(s.statusCode, 2);
      assert.equal(s.attributes['code.function.name'], 'countItems');
      assert.equal(s.attributes['code.file.path'], 'src/cart/count.ts');
      assert.equal(s.resource['host.name'], 'pod-7');
      assert.equal(s.scope.name, 'checkout-http');
      const ex = s.events.find((e) => e.name === 'exception');
      assert.equal(ex?.attributes['exception.type'], 'TypeError');
      const child = spans.find((x) => x.name === 'POST payments')!;
      assert.equal(child.parentSpanId, s.spanId);
    });

    it(`${enc.name}: logs land and \`orrery query logs\` finds them by user and text`, async () => {
      const exporter = new enc.Log({ url: `${server.otlpUrl}/v1/logs` });
      await exportWith(exporter as unknown as Exporter<unknown>, await sdkLogs(attrs));
      await exporter.shutdown();
      const cli = await runCli([
        'query',
        'logs',
        '--server',
        server.apiUrl,
        '--service',
        service,
        '--user',
        'user-9',
        '--json',
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const { logs } = JSON.parse(cli.stdout) as { logs: LogRow[] };
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.body, 'retrying inventory reservation for order 1234');
      assert.equal(logs[0]!.severityText, 'WARN');
      assert.equal(logs[0]!.accountId, 'acct-3');
      assert.equal(logs[0]!.serviceVersion, '2.3.1');
      const text = await runCli([
        'query',
        'logs',
        '--server',
        server.apiUrl,
        '--service',
        service,
        '--grep',
        'STRUCTURED',
      ]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /\{"msg":"structured","n":3\}/);
      assert.match(text.stdout, /1 log records/);
    });

    it(`${enc.name}: metrics land`, async () => {
      const exporter = new enc.Metric({ url: `${server.otlpUrl}/v1/metrics` });
      const provider = new MeterProvider({
        resource: resourceFromAttributes(attrs),
        readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
      });
      const meter = provider.getMeter('e2e');
      meter.createCounter('orders.placed').add(3, { 'http.route': '/checkout' });
      meter.createHistogram('http.server.request.duration', { unit: 's' }).record(0.25, { 'http.route': '/checkout' });
      await provider.forceFlush();
      await provider.shutdown();
      const status = await server.getJson<{ store: { raw: { metric_point: { count: number } } } }>('/api/status');
      assert.ok(status.store.raw.metric_point.count >= 2);
    });
  }

  it('the metric points kept their kind, value and histogram buckets', async () => {
    await server.stop();
    const store = await openStore({ dataDir, retentionDays: 7 });
    try {
      const rows = await store.db.query<{
        service: string;
        name: string;
        kind: string;
        value: number;
        count: number | null;
        detail: { bucketCounts?: number[] } | null;
      }>(
        "SELECT service, name, kind, value, count, detail FROM metric_point WHERE service LIKE 'e2e-%' ORDER BY service, name",
      );
      for (const svc of ['e2e-json', 'e2e-proto']) {
        const counter = rows.find((r) => r.service === svc && r.name === 'orders.placed');
        const hist = rows.find((r) => r.service === svc && r.name === 'http.server.request.duration');
        assert.equal(counter?.kind, 'sum');
        assert.equal(counter?.value, 3);
        assert.equal(hist?.kind, 'histogram');
        assert.equal(hist?.count, 1);
        assert.equal(hist?.value, 0.25);
        assert.equal(
          hist?.detail?.bucketCounts?.reduce((a, b) => a + b, 0),
          1,
        );
      }
    } finally {
      await store.close();
    }
  });
});
