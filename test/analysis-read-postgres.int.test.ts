// The analysis read fixture matrix on PostgreSQL: the same rows, requests and snapshots as on
// PGlite (test/analysis-read.test.ts), so both backends sum, merge and bucket alike (bytea
// arrives as a Buffer here, as a Uint8Array there).
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { type OrreryServer, buildServer } from '../src/server/index.js';
import { BatchWriter, type Store } from '../src/store/index.js';
import type { Context } from '../src/workflows/index.js';
import { analysisCases, checkAnalysisCase } from './helpers/analysis-fixtures.js';
import { freshPostgres } from './helpers/stores.js';

describe('analysis read API (PostgreSQL)', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let server: OrreryServer;

  before(async () => {
    ({ store, cleanup } = await freshPostgres());
    const config = loadConfig({}, { logLevel: 'silent' });
    const metrics = new SelfMetrics();
    const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
      concurrency: 1,
      maxQueuedRecords: config.maxQueuedRecords,
      maxQueueWaitMs: config.maxQueueWaitMs,
      maxBatchRecords: 20_000,
    });
    const ctx: Context = { store, writer, metrics };
    server = buildServer(ctx, config, { allowAnonymousLoopback: true, version: 'test' });
    await server.api.ready();
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });

  const get = async (url: string) => {
    const res = await server.api.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() as unknown };
  };

  for (const c of analysisCases()) {
    it(`fixture ${c.name}`, () => checkAnalysisCase(c, store.db, get));
  }
});
