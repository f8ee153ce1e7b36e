// Daily partitions of the raw event tables, keyed by arrival time. Retention drops whole
// partitions whose day has fully left the window; it never deletes row by row.
import { RAW_KINDS } from '../model/index.js';
import type { Db } from './db.js';

const DAY_MS = 86_400_000;
const LOCK_KEY = 8470_0002;

export function dayStart(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
}

function dayKey(d: Date): string {
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

export function partitionName(table: string, day: Date): string {
  return `${table}_p${dayKey(day)}`;
}

/** Creates the partitions for the day holding `at`, for every raw table, if missing. */
export async function ensureDayPartitions(db: Db, at: Date): Promise<void> {
  const from = dayStart(at);
  const to = new Date(from.getTime() + DAY_MS);
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    for (const table of RAW_KINDS) {
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS ${partitionName(table, from)} PARTITION OF ${table}
         FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    }
  });
}

export interface PartitionInfo {
  table: string;
  name: string;
  from: Date;
  to: Date;
}

export async function listPartitions(db: Db): Promise<PartitionInfo[]> {
  const rows = await db.query<{ parent: string; child: string }>(
    `SELECT p.relname AS parent, c.relname AS child
       FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid
       JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE p.relname = ANY($1) AND n.nspname = current_schema()
      ORDER BY c.relname`,
    [RAW_KINDS as unknown as string[]],
  );
  const out: PartitionInfo[] = [];
  for (const r of rows) {
    const m = /_p(\d{4})(\d{2})(\d{2})$/.exec(r.child);
    if (!m) continue;
    const from = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
    out.push({ table: r.parent, name: r.child, from, to: new Date(from.getTime() + DAY_MS) });
  }
  return out;
}

/** Drops every partition whose whole day is older than `now - retentionDays`. */
export async function dropExpiredPartitions(db: Db, retentionDays: number, now: Date = new Date()): Promise<string[]> {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const expired = (await listPartitions(db)).filter((p) => p.to.getTime() <= cutoff);
  if (expired.length === 0) return [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    for (const p of expired) await tx.exec(`DROP TABLE IF EXISTS ${p.name}`);
  });
  return expired.map((p) => p.name);
}
