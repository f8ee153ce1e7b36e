// The server the fuzzer drives: a whole in-process Orrery (store, group-committing writer, the
// API and OTLP listeners through Fastify's inject, the OTLP/gRPC listener on a loopback port),
// with every route the API registers recorded as it is registered, so that the query fuzzer
// walks the router's own table rather than a hand-kept list. Seeded with a little of each kind
// of data before the fuzz, so that "no stored data changed" has something to compare.
import * as grpc from '@grpc/grpc-js';
import type { RouteOptions } from 'fastify';
import { loadConfig } from '../../../src/config/index.js';
import { compileRedactor } from '../../../src/ingest/transforms/index.js';
import { SelfMetrics } from '../../../src/observe/index.js';
import { type OrreryServer, buildServer } from '../../../src/server/index.js';
import { BatchWriter, EMAIL_HASH_KEY, type Store, instanceSecret } from '../../../src/store/index.js';
import { AnalysisPipeline, type Context } from '../../../src/workflows/index.js';

export interface Answer {
  status: number;
  body: string;
}

export interface FuzzServer {
  server: OrreryServer;
  store: Store;
  /** Every route of the API listener, as registered. */
  routes: RouteOptions[];
  grpcAddress: string;
  grpcClient: grpc.Client;
  api(method: string, url: string, payload?: Buffer | string, headers?: Record<string, string>): Promise<Answer>;
  otlp(method: string, url: string, payload?: Buffer | string, headers?: Record<string, string>): Promise<Answer>;
  /** One unary OTLP/gRPC call: its status code (0 = OK) and details. */
  grpc(path: string, body: Buffer): Promise<{ code: number; details: string }>;
  /** Writes the streaming analysis' pending rows (the server does so every few seconds). */
  flushAnalysis(): Promise<void>;
  /** Failures the streaming analysis reported (a record it could not analyse or store). */
  analysisErrors: string[];
  close(): Promise<void>;
}

/** As `orrery up` runs it: redaction and streaming analysis on (src/server/run.ts). */
export async function fuzzServer(store: Store): Promise<FuzzServer> {
  const config = loadConfig({}, { logLevel: 'silent', otlpHost: '127.0.0.1', maxQueueWaitMs: 30_000 });
  const metrics = new SelfMetrics();
  const analysisErrors: string[] = [];
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: config.maxQueuedRecords,
    maxQueueWaitMs: config.maxQueueWaitMs,
    maxBatchRecords: 20_000,
  });
  const ctx: Context = {
    store,
    writer,
    metrics,
    redactor: compileRedactor({ hashKey: await instanceSecret(store.db, EMAIL_HASH_KEY), rules: config.redactRules }),
  };
  const server = buildServer(ctx, config, {
    allowAnonymousLoopback: true,
    version: 'fuzz',
    webRoot: null,
  });
  const routes: RouteOptions[] = [];
  // Plugins register their routes at ready(), so the hook sees every one of them.
  server.api.addHook('onRoute', (r) => {
    routes.push(r);
  });
  await Promise.all([server.api.ready(), server.otlp.ready()]);
  const analysis = new AnalysisPipeline(store.db, metrics, {
    // Flushed by the fuzzer between targets and at the end, not on a timer, so runs repeat.
    flushIntervalMs: 3_600_000,
    onError: (err, what) => analysisErrors.push(`${what}: ${err.stack ?? err.message}`),
  });
  await analysis.start();
  ctx.analysis = analysis;
  const port = await server.grpc!.listen('127.0.0.1', 0);
  const grpcAddress = `127.0.0.1:${port}`;
  const grpcClient = new grpc.Client(grpcAddress, grpc.credentials.createInsecure());

  const inject =
    (app: OrreryServer['api']) =>
    async (method: string, url: string, payload?: Buffer | string, headers: Record<string, string> = {}) => {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      return { status: res.statusCode, body: res.body };
    };

  return {
    server,
    store,
    routes,
    grpcAddress,
    grpcClient,
    api: inject(server.api),
    otlp: inject(server.otlp),
    grpc: (path, body) =>
      new Promise((resolve) => {
        grpcClient.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          body,
          new grpc.Metadata(),
          { deadline: Date.now() + 30_000 },
          (err) => resolve(err ? { code: err.code, details: err.details } : { code: 0, details: '' }),
        );
      }),
    flushAnalysis: () => analysis.flush(),
    analysisErrors,
    async close() {
      grpcClient.close();
      await server.close();
      await analysis.stop();
    },
  };
}

/** Is the server still answering? Both listeners' health routes. */
export async function healthy(s: FuzzServer): Promise<boolean> {
  const [a, o] = await Promise.all([s.api('GET', '/healthz'), s.otlp('GET', '/healthz')]);
  return a.status === 200 && o.status === 200;
}
