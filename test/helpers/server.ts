// An in-process Orrery (store + writer + listeners, not listening) for Fastify inject tests.
import { type Config, loadConfig } from '../../src/config/index.js';
import { SelfMetrics } from '../../src/observe/index.js';
import { type OrreryServer, buildServer } from '../../src/server/index.js';
import { BatchWriter, type Store, type TelemetryBatch, mergeBatches } from '../../src/store/index.js';
import type { Context } from '../../src/workflows/index.js';
import { freshPglite } from './stores.js';

export interface InProcess {
  server: OrreryServer;
  ctx: Context;
  config: Config;
  store: Store;
  cleanup(): Promise<void>;
}

export async function inProcessOrrery(
  overrides: Record<string, unknown> = {},
  opts: {
    allowAnonymousLoopback?: boolean;
    write?: (store: Store, b: TelemetryBatch) => Promise<void>;
    maxQueuedRecords?: number;
    webRoot?: string | null;
    /** How the memory guard reads the resident memory (default the process's own). */
    readRss?: () => number;
  } = {},
): Promise<InProcess> {
  const { store, cleanup } = await freshPglite();
  const config = loadConfig({}, { logLevel: 'silent', ...overrides });
  const metrics = new SelfMetrics();
  const write = opts.write;
  const writer = new BatchWriter(
    (parts) => (write ? write(store, mergeBatches(parts)) : store.writeKeyedTelemetry(parts)),
    {
      concurrency: 1,
      maxQueuedRecords: opts.maxQueuedRecords ?? config.maxQueuedRecords,
      maxQueueWaitMs: config.maxQueueWaitMs,
      maxBatchRecords: 20_000,
      onCommit: (n, s, ok) => metrics.recordStoreWrite(n, s, ok),
    },
  );
  const ctx: Context = { store, writer, metrics };
  const server = buildServer(ctx, config, {
    allowAnonymousLoopback: opts.allowAnonymousLoopback ?? true,
    version: 'test',
    ...(opts.webRoot !== undefined ? { webRoot: opts.webRoot } : {}),
    ...(opts.readRss ? { readRss: opts.readRss } : {}),
  });
  await Promise.all([server.api.ready(), server.otlp.ready()]);
  return {
    server,
    ctx,
    config,
    store,
    async cleanup() {
      await server.close();
      await cleanup();
    },
  };
}
