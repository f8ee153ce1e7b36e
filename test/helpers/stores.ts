// Fresh stores for tests. PGlite's initdb takes seconds, so a migrated template directory
// is built once per schema version and copied; PostgreSQL tests get their own database.
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS, type Store, openStore } from '../../src/store/index.js';

export const PG_ADMIN_URL = process.env.ORRERY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Keyed by the migrations' contents, so that a changed migration gets a new template. */
function templateDir(): string {
  const key = createHash('sha1').update(JSON.stringify(MIGRATIONS)).digest('hex').slice(0, 12);
  return join(tmpdir(), `orrery-test-template-${key}`);
}

async function ensureTemplate(): Promise<string> {
  const dir = templateDir();
  if (existsSync(join(dir, 'ready'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'orrery-template-build-'));
  const store = await openStore({ dataDir: building, retentionDays: 7 });
  await store.close();
  writeFileSync(join(building, 'ready'), '');
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another process won the race
  }
  return dir;
}

/** A new data directory holding a migrated, empty embedded store. */
export async function freshDataDir(): Promise<string> {
  const template = await ensureTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'orrery-test-'));
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, 'ready'), { force: true });
  return dir;
}

export async function freshPglite(
  retentionDays = 7,
): Promise<{ store: Store; dataDir: string; cleanup(): Promise<void> }> {
  const dataDir = await freshDataDir();
  const store = await openStore({ dataDir, retentionDays });
  return {
    store,
    dataDir,
    async cleanup() {
      await store.close().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new, empty PostgreSQL database; `cleanup` drops it. */
export async function freshPostgresUrl(): Promise<{ url: string; cleanup(): Promise<void> }> {
  const name = `orrery_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async cleanup() {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function freshPostgres(retentionDays = 7): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const db = await freshPostgresUrl();
  const store = await openStore({ databaseUrl: db.url, dataDir: '', retentionDays, poolSize: 4 });
  return {
    store,
    async cleanup() {
      await store.close().catch(() => {});
      await db.cleanup();
    },
  };
}
