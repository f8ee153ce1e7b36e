// Migration 011 on both backends: a token made before roles existed could do everything, so
// it becomes `admin`; a row written after it must name a known role.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Db } from '../src/store/db.js';
import { MIGRATIONS } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite } from '../src/store/pglite-db.js';
import { openPostgres } from '../src/store/postgres-db.js';
import { freshPostgresUrl } from './helpers/stores.js';

async function existingTokenBecomesAdmin(db: Db): Promise<void> {
  await migrate(
    db,
    MIGRATIONS.filter((m) => m.version < 11),
  );
  await db.query("INSERT INTO api_token (name, prefix, token_hash) VALUES ('old', 'orr_abcdef', 'h1')");
  assert.deepEqual(
    await migrate(db),
    MIGRATIONS.filter((m) => m.version >= 11).map((m) => m.version),
  );
  const rows = await db.query<{ role: string }>("SELECT role FROM api_token WHERE name = 'old'");
  assert.equal(rows[0]?.role, 'admin');
  await assert.rejects(
    db.query("INSERT INTO api_token (name, prefix, token_hash) VALUES ('norole', 'orr_abcdef', 'h2')"),
    /null value|not-null/,
  );
  await assert.rejects(
    db.query("INSERT INTO api_token (name, role, prefix, token_hash) VALUES ('x', 'root', 'orr_abcdef', 'h3')"),
    /api_token_role/,
  );
}

describe('migration 011: token roles', () => {
  it('makes an existing token admin on PGlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orrery-011-'));
    const db = await openPglite(dir);
    try {
      await existingTokenBecomesAdmin(db);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes an existing token admin on PostgreSQL', async () => {
    const pg = await freshPostgresUrl();
    const db = await openPostgres(pg.url, { poolSize: 2 });
    try {
      await existingTokenBecomesAdmin(db);
    } finally {
      await db.close();
      await pg.cleanup();
    }
  });
});
