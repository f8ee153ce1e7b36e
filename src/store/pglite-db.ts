// The embedded backend: PGlite (PostgreSQL compiled to WASM) in a data directory, guarded
// by a lockfile because PGlite has no lock between processes.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { type Db, type Queryable, type Row, WORK_MEM } from './db.js';
import { INT8_OID, parseInt8 } from './int8.js';
import { acquireDirLock } from './lock.js';

interface PgliteLike {
  query<T>(sql: string, params?: unknown[], opts?: { blob?: Blob }): Promise<{ rows: T[] }>;
  exec(sql: string): Promise<unknown>;
}

function wrap(q: PgliteLike): Queryable {
  return {
    async query<T extends Row>(sql: string, params?: unknown[]) {
      return (await q.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      if (text === '') return;
      await q.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([text]) });
    },
  };
}

export async function openPglite(dataDir: string): Promise<Db> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = acquireDirLock(dir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(`${dir}/pgdata`, { parsers: { [INT8_OID]: parseInt8 } });
  } catch (err) {
    lock.release();
    throw new Error(`could not open the embedded store in ${dir}: ${(err as Error).message}`);
  }
  // Spilling to the WASM build's file system costs more than the sort (see WORK_MEM). One
  // session, so one setting.
  await pg.exec(`SET work_mem = '${WORK_MEM}'`);
  const base = wrap(pg as unknown as PgliteLike);
  return {
    backend: 'pglite',
    location: dir,
    concurrency: 1,
    ...base,
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return pg.transaction((tx: Transaction) => fn(wrap(tx as unknown as PgliteLike)));
    },
    async close() {
      try {
        await pg.close();
      } finally {
        lock.release();
      }
    },
  };
}
