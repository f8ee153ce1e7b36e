// Streaming analysis end to end: the real OpenTelemetry SDK and its protobuf exporters send
// logs and spans to a running `orrery up` (PGlite, and PostgreSQL). After a flush the store
// holds the mined pattern with its per-minute counts and user sketch, the error group with
// parsed frames, RED minutes and the service edge; redaction ran before anything was stored
// (no clear email, card or bearer token anywhere), and /metrics shows the analysis series.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
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
import { ServerProcess } from '../bench/lib/server-process.js';
import { HyperLogLog } from '../src/analysis/sketch/index.js';
import { openStore } from '../src/store/index.js';
import { freshDataDir, freshPostgresUrl } from './helpers/stores.js';

const TRACE = `TypeError: Cannot read properties of undefined (reading 'price')
    at CartService.total (/app/src/cart/service.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)`;

async function logs(): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'cart',
      'service.version': '2.0.0',
      'telemetry.sdk.language': 'nodejs',
    }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('cart');
  for (let i = 0; i < 40; i++) {
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: `payment declined for order ${5000 + i} card 4111 1111 1111 1111 customer jane${i % 8}@example.com`,
      attributes: { 'user.id': `Jane${i % 8}@Example.com`, 'http.request.header.authorization': 'Bearer abc.def.ghi' },
    });
  }
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    body: 'checkout failed',
    attributes: { 'exception.type': 'TypeError', 'exception.message': 'boom', 'exception.stacktrace': TRACE },
  });
  await provider.forceFlush();
  const out = memory.getFinishedLogRecords();
  await provider.shutdown();
  return out;
}

async function spans(): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const mk = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, 'service.version': '2.0.0' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
  const fe = mk('frontend');
  const cart = mk('cart');
  const { context, trace, SpanKind } = await import('@opentelemetry/api');
  for (let i = 0; i < 20; i++) {
    const parent = fe.getTracer('fe').startSpan('POST', { kind: SpanKind.CLIENT });
    const ctx = trace.setSpan(context.active(), parent);
    const child = cart
      .getTracer('cart')
      .startSpan(
        'POST /cart/checkout',
        { kind: SpanKind.SERVER, attributes: { 'http.route': '/cart/checkout', 'enduser.id': `u${i % 5}` } },
        ctx,
      );
    if (i < 4) {
      child.recordException({
        name: 'TypeError',
        message: "Cannot read properties of undefined (reading 'price')",
        stack: TRACE,
      });
      child.setStatus({ code: 2 });
    }
    child.end();
    parent.end();
  }
  await fe.forceFlush();
  await cart.forceFlush();
  const out = memory.getFinishedSpans();
  await fe.shutdown();
  await cart.shutdown();
  return out;
}

function sendTraces(url: string, s: ReadableSpan[]): Promise<void> {
  const e = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  return new Promise<void>((res, rej) => e.export(s, (r) => (r.code === 0 ? res() : rej(r.error)))).finally(() =>
    e.shutdown(),
  );
}

function sendLogs(url: string, l: ReadableLogRecord[]): Promise<void> {
  const e = new OTLPLogExporter({ url: `${url}/v1/logs` });
  return new Promise<void>((res, rej) => e.export(l, (r) => (r.code === 0 ? res() : rej(r.error)))).finally(() =>
    e.shutdown(),
  );
}

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`streaming analysis at ingest (${backend})`, () => {
    let server: ServerProcess;
    let dataDir: string;
    let pgDb: { url: string; cleanup(): Promise<void> } | undefined;

    before(async () => {
      dataDir = await freshDataDir();
      pgDb = backend === 'postgres' ? await freshPostgresUrl() : undefined;
      server = await ServerProcess.start({
        dataDir,
        logDir: dataDir,
        databaseUrl: pgDb?.url,
        env: { ORRERY_ANALYSIS_FLUSH_MS: '200' },
      });
      await sendLogs(server.otlpUrl, await logs());
      // Children (cart) and parents (frontend) come in one export here; order within is the SDK's.
      await sendTraces(server.otlpUrl, await spans());
      await new Promise((r) => setTimeout(r, 800));
    });
    after(async () => {
      await server?.stop();
      await pgDb?.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('/metrics shows the analysis series and redactions by rule', async () => {
      const res = await fetch(`${server.apiUrl}/metrics`);
      const text = await res.text();
      assert.match(text, /orrery_analysis_overflow_total\{kind="patterns"\} 0/);
      assert.match(text, /orrery_analysis_flushes_total\{outcome="ok"\} [1-9]/);
      assert.match(text, /orrery_ingest_redacted_total\{signal="logs",rule="card"\} 40/);
    });

    it('stored the pattern, error group, RED minute and service edge, and nothing in the clear', async () => {
      await server.stop();
      const store = await openStore({ dataDir: pgDb ? '' : dataDir, databaseUrl: pgDb?.url, retentionDays: 7 });
      try {
        const q = store.db;
        const patterns = await q.query<{ template: string; count: number; level: string }>(
          "SELECT template, count::int AS count, level FROM log_pattern WHERE service = 'cart' ORDER BY count DESC",
        );
        assert.equal(patterns[0]!.template, 'payment declined for order <*> card [CARD] customer [EMAIL]');
        assert.equal(patterns[0]!.count, 40);
        assert.equal(patterns[0]!.level, 'ERROR');
        const users = await q.query<{ users: Uint8Array }>(
          "SELECT users FROM pattern_minute WHERE service = 'cart' AND users IS NOT NULL",
        );
        const hll = new HyperLogLog();
        for (const r of users) hll.merge(HyperLogLog.fromBytes(new Uint8Array(r.users)));
        assert.equal(hll.estimate(), 8, 'emails as user ids are hashed, but stay distinct per person');

        const groups = await q.query<{ type: string; count: number; frames: { function: string; line: number }[] }>(
          "SELECT type, count::int AS count, frames FROM error_group WHERE service = 'cart'",
        );
        assert.equal(groups.length, 1, JSON.stringify(groups));
        assert.equal(groups[0]!.type, 'TypeError');
        assert.equal(groups[0]!.count, 5);
        assert.equal(groups[0]!.frames[0]!.function, 'CartService.total');

        const red = await q.query<{ requests: number; errors: number }>(
          "SELECT sum(requests)::int AS requests, sum(errors)::int AS errors FROM red_minute WHERE service = 'cart' AND endpoint = '/cart/checkout'",
        );
        assert.deepEqual(
          red[0],
          { requests: 20, errors: 4 },
          JSON.stringify(await q.query('SELECT service, endpoint, requests FROM red_minute')),
        );
        const edges = await q.query<{ calls: number }>(
          "SELECT sum(calls)::int AS calls FROM edge_minute WHERE caller = 'frontend' AND callee = 'cart'",
        );
        assert.equal(edges[0]!.calls, 20);

        for (const table of ['log_record', 'log_pattern', 'pattern_minute', 'span']) {
          const leaks = await q.query(
            `SELECT 1 FROM ${table} t WHERE t::text ~* '(jane[0-9]@example\\.com|4111 1111|Bearer abc)' LIMIT 1`,
          );
          assert.equal(leaks.length, 0, `clear personal data or secret in ${table}`);
        }
      } finally {
        await store.close();
      }
    });
  });
}
