// The example shop's history as a real git repository, indexed through the real sync path,
// with production minutes seeded before and after a moment, for review@1's tests: the
// inventory reservation's latency (what the inventory-timeout commit's new timeout governs),
// cart's and catalog's endpoints, and the cart → catalog edge. Minutes after `asOf` are far
// slower, so a review that read past its time would see them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltRepo, buildShopRepo } from '../../src/demo/repo-builder.js';
import { SelfMetrics } from '../../src/observe/index.js';
import { BatchWriter, type Store } from '../../src/store/index.js';
import { type Context, addRepository, syncRepository } from '../../src/workflows/index.js';
import { seedAnalysis } from './analysis-seed.js';

export const HISTORY = fileURLToPath(new URL('../../examples/shop/history', import.meta.url));
export const SHOP_NOW = new Date('2026-12-01T00:00:00Z');

export function contextFor(store: Store): Context {
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: 100_000,
    maxQueueWaitMs: 5000,
    maxBatchRecords: 20_000,
  });
  return { store, writer, metrics: new SelfMetrics() };
}

export interface ReviewWorld {
  repo: BuiltRepo;
  /** The commit of a history folder by its id prefix (`20`). */
  commit(prefix: string): { sha: string; at: string; parent: string };
  cleanup(): void;
}

/** Builds and indexes the shop's history in a temporary folder. */
export async function shopWorld(ctx: Context): Promise<ReviewWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-review-'));
  const repo = await buildShopRepo(HISTORY, join(dir, 'shop'), { now: SHOP_NOW });
  const { repository } = await addRepository(ctx, { path: repo.dir });
  await syncRepository(ctx, repository.name);
  return {
    repo,
    commit(prefix) {
      const i = repo.commits.findIndex((c) => c.id.startsWith(`${prefix}-`));
      if (i < 1) throw new Error(`no commit ${prefix} with a parent`);
      return { sha: repo.commits[i]!.sha, at: repo.commits[i]!.at, parent: repo.commits[i - 1]!.sha };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const minute = (t: Date, i: number) => new Date(t.getTime() + i * 60_000).toISOString();

/**
 * Production minutes: 30 minutes before `asOf` as the shop measures (the reservation takes
 * 25–45 ms), and 30 minutes after it with every latency 40× (what a review must not read).
 */
export async function seedProduction(store: Store, asOf: Date): Promise<void> {
  const rows = (start: Date, n: number, slow: number) =>
    Array.from({ length: n }, (_, i) => ({
      red: [
        {
          minute: minute(start, i),
          service: 'catalog',
          endpoint: '/inventory/reserve',
          requests: 20,
          errors: 0,
          latency: [
            [28 * slow, 10],
            [36 * slow, 8],
            [45 * slow, 2],
          ],
        },
        {
          minute: minute(start, i),
          service: 'catalog',
          endpoint: '/products/:id',
          requests: 40,
          errors: 0,
          latency: [[6 * slow, 40]],
        },
        {
          minute: minute(start, i),
          service: 'catalog',
          endpoint: '/products/:id/price',
          requests: 10,
          errors: 0,
          latency: [[30 * slow, 10]],
        },
        {
          minute: minute(start, i),
          service: 'catalog',
          endpoint: '/prices',
          requests: 5,
          errors: 0,
          latency: [[40 * slow, 5]],
        },
        {
          minute: minute(start, i),
          service: 'payments',
          endpoint: '/payments/charge',
          requests: 5,
          errors: 0,
          latency: [[120 * slow, 5]],
        },
        {
          minute: minute(start, i),
          service: 'cart',
          endpoint: '/carts/:user/items',
          requests: 20,
          errors: 0,
          latency: [[70 * slow, 20]],
        },
        {
          minute: minute(start, i),
          service: 'cart',
          endpoint: '/carts/:user',
          requests: 60,
          errors: 1,
          latency: [[9 * slow, 60]],
        },
        {
          minute: minute(start, i),
          service: 'cart',
          endpoint: '/carts/:user/count',
          requests: 30,
          errors: 0,
          latency: [[4 * slow, 30]],
        },
      ],
      edge: [
        {
          minute: minute(start, i),
          caller: 'cart',
          callee: 'catalog',
          calls: 60,
          errors: 0,
          latency: [
            [8 * slow, 40],
            [40 * slow, 20],
          ],
        },
      ],
    }));
  const before = rows(new Date(asOf.getTime() - 30 * 60_000), 30, 1);
  const after = rows(new Date(asOf.getTime() + 60_000), 30, 40);
  const all = [...before, ...after];
  await seedAnalysis(store.db, {
    red_minute: all.flatMap((r) => r.red),
    edge_minute: all.flatMap((r) => r.edge),
  });
}
