// A throwaway PostgreSQL database per benchmark run: created from a maintenance connection
// (the `test` database) and dropped, with any leftover connections, when the run ends.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export class PostgresUnavailableError extends Error {}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, adminDb: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, adminDb), connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new PostgresUnavailableError(
      `cannot connect to ${withDatabase(serverUrl, adminDb)}: ${(err as Error).message}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates orrery_bench_<random>; throws PostgresUnavailableError when the server cannot be reached. */
export async function createBenchDatabase(serverUrl: string, adminDb = 'test'): Promise<BenchDatabase> {
  const name = `orrery_bench_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, adminDb, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () =>
      admin(serverUrl, adminDb, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}
