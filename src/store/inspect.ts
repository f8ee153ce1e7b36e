// A look at a store without changing it, for `orrery doctor`: is it there, which migrations it
// has, the database server's clock and how the latest telemetry's own times compare with it.
// Opening an embedded store takes its directory's lock, so a store a running Orrery holds is
// reported as held, not opened.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations/index.js';
import { openPglite } from './pglite-db.js';
import { openPostgres } from './postgres-db.js';

export interface StoreInspection {
  backend: 'pglite' | 'postgres';
  location: string;
  /** The highest migration applied (0: none). */
  schemaVersion: number;
  /** The highest migration this Orrery ships. */
  latestVersion: number;
  /** Migrations this Orrery ships that the store lacks, in order. */
  pending: number[];
  /** The database server's clock, and this process's clock read just after it. */
  serverTime: Date;
  localTime: Date;
  /**
   * Spans received in the last hour: the median of (received − ended), in ms, over the latest
   * ones; positive when spans arrive after they ended, as they should. Null with none.
   */
  telemetryLagMs: number | null;
  telemetrySamples: number;
}

/** The pid that holds an embedded store's lock and is alive, or null. */
export function dataDirLockHolder(dataDir: string): number | null {
  const path = join(resolve(dataDir), 'orrery.lock');
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** True when the embedded store's database files exist in the directory. */
export function embeddedStoreExists(dataDir: string): boolean {
  return existsSync(join(resolve(dataDir), 'pgdata', 'PG_VERSION'));
}

/** Opens the store without migrating it and reads what doctor checks; throws when it cannot connect. */
export async function inspectStore(opts: { databaseUrl?: string; dataDir: string }): Promise<StoreInspection> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl, { poolSize: 1 }) : await openPglite(opts.dataDir);
  try {
    return await read(db);
  } finally {
    await db.close().catch(() => undefined);
  }
}

async function read(db: Db): Promise<StoreInspection> {
  const hasTable = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migration')::text AS t");
  const applied = new Set<number>();
  if (hasTable[0]?.t) {
    for (const r of await db.query<{ version: number }>('SELECT version FROM schema_migration')) applied.add(r.version);
  }
  const [now] = await db.query<{ now: Date }>('SELECT now() AS now');
  const localTime = new Date();
  let lags: number[] = [];
  if (applied.has(2)) {
    const rows = await db.query<{ lag: number }>(
      `SELECT extract(epoch FROM (received_at - end_time)) * 1000 AS lag FROM span
        WHERE received_at > now() - interval '1 hour' ORDER BY received_at DESC LIMIT 200`,
    );
    lags = rows.map((r) => Number(r.lag)).sort((a, b) => a - b);
  }
  const latestVersion = Math.max(...MIGRATIONS.map((m) => m.version));
  return {
    backend: db.backend,
    location: db.location,
    schemaVersion: applied.size === 0 ? 0 : Math.max(...applied),
    latestVersion,
    pending: MIGRATIONS.map((m) => m.version).filter((v) => !applied.has(v)),
    serverTime: new Date(now!.now),
    localTime,
    telemetryLagMs: lags.length === 0 ? null : lags[Math.floor(lags.length / 2)]!,
    telemetrySamples: lags.length,
  };
}
