// The server backend: a pg connection pool. COPY goes through pg-copy-streams.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { type Db, type Queryable, type Row, WORK_MEM } from './db.js';
import { INT8_OID, parseInt8 } from './int8.js';

const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === INT8_OID) return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** The URL with any password replaced, for logs and `orrery status`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

function wrap(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<T extends Row>(sql: string, params?: unknown[]) {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      if (text === '') return;
      if (!('release' in client)) throw new Error('COPY needs a transaction');
      const stream = client.query(copyFromStream(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from([Buffer.from(text, 'utf8')]), stream);
    },
  };
}

export async function openPostgres(url: string, opts: { poolSize?: number } = {}): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 6,
    types,
    // Every session, before the pool hands it out (the pool awaits the hook; a failure fails
    // that connection like a refused one).
    onConnect: async (client) => {
      await client.query(`SET work_mem = '${WORK_MEM}'`);
    },
  });
  // An idle client that loses its connection emits 'error' on the pool; without a
  // listener that would crash the process. The next query simply gets a new client.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new Error(`could not connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`);
  }
  const base = wrap(pool);
  return {
    backend: 'postgres',
    location: redactUrl(url),
    concurrency: Math.max(1, (opts.poolSize ?? 6) - 2),
    ...base,
    async copyFrom(table, columns, text) {
      const client = await pool.connect();
      try {
        await wrap(client).copyFrom(table, columns, text);
      } finally {
        client.release();
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
