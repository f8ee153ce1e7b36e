// Rows for the streaming-analysis tables, written straight into a store for read-side tests.
// Fixtures give sketches as plain data: `latency` as [value ms, count] pairs (built into a
// real DDSketch) and `users` / `accounts` as id lists (built into a real HyperLogLog).
import { DDSketch, HyperLogLog } from '../../src/analysis/index.js';
import type { Queryable } from '../../src/store/index.js';

export type SeedRows = Record<string, Array<Record<string, unknown>>>;

const TABLES = [
  'service',
  'log_pattern',
  'pattern_minute',
  'error_group',
  'error_minute',
  'red_minute',
  'edge_minute',
] as const;
const JSONB = new Set(['slots', 'samples', 'frames', 'attributes']);

export function ddsketch(pairs: Array<[number, number]>): Uint8Array {
  const s = new DDSketch();
  for (const [v, n] of pairs) s.add(v, n);
  return s.toBytes();
}

export function hll(ids: string[]): Uint8Array {
  const h = new HyperLogLog();
  for (const id of ids) h.add(id);
  return h.toBytes();
}

function columnValue(column: string, v: unknown): { sql: string; value: unknown } {
  if (column === 'latency') return { sql: '::bytea', value: Buffer.from(ddsketch(v as Array<[number, number]>)) };
  if (column === 'users' || column === 'accounts')
    return { sql: '::bytea', value: v === null ? null : Buffer.from(hll(v as string[])) };
  if (JSONB.has(column)) return { sql: '::jsonb', value: JSON.stringify(v) };
  return { sql: '', value: v };
}

/** Empties the analysis tables (and service), so one store can serve several cases. */
export async function clearAnalysis(db: Queryable): Promise<void> {
  await db.exec(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY CASCADE`);
}

export async function seedAnalysis(db: Queryable, rows: SeedRows): Promise<void> {
  for (const table of Object.keys(rows)) {
    if (!(TABLES as readonly string[]).includes(table)) throw new Error(`seed: unknown table ${table}`);
    for (const row of rows[table]!) {
      const cols = Object.keys(row);
      const vals = cols.map((c) => columnValue(c, row[c]));
      await db.query(
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${vals.map((v, i) => `$${i + 1}${v.sql}`).join(', ')})`,
        vals.map((v) => v.value),
      );
    }
  }
}
