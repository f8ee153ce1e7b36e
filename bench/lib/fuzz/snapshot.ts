// "0 changes to previously stored data": every row of every table, taken after the seed and
// compared after the fuzz. A row of the snapshot that is gone or changed is a change; rows
// added by accepted input are not (a changed row reads as one gone and one added, so it is
// caught). Tables are found from the catalog, so a table a later migration adds is covered too.
import type { Queryable } from '../../../src/store/index.js';

export type Snapshot = Map<string, Map<string, number>>;

/**
 * Tables whose rows legitimately change as other input arrives, each with why. Bookkeeping
 * only: the rows a team stored (telemetry, tickets, deploys, infra, …) are all compared.
 */
export const MUTABLE_TABLES: Readonly<Record<string, string>> = {
  schema_migrations: 'the migration ledger',
};

/** Columns that record use, not content: left out of the comparison, each with why. */
export const MUTABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  api_token: ['last_used_at'], // stamped each time a token (or a Sentry key) is used
};

/** The tables to compare: ordinary and partitioned roots of the public schema (partitions are read through their root). */
async function tables(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  return rows.map((r) => r.name).filter((t) => !(t in MUTABLE_TABLES));
}

/** Every row of every table as its JSON text, counted (a multiset: identical rows are several). */
export async function snapshot(db: Queryable): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const t of await tables(db)) {
    const drop = (MUTABLE_COLUMNS[t] ?? []).map((c) => ` - '${c}'`).join('');
    const rows = await db.query<{ j: string }>(`SELECT (to_jsonb(t)${drop})::text AS j FROM "${t}" t`);
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.j, (counts.get(r.j) ?? 0) + 1);
    out.set(t, counts);
  }
  return out;
}

export interface StoredChange {
  table: string;
  /** A row of the snapshot that is no longer there as it was. */
  row: string;
}

/** The rows of `before` missing from `after`; additions are not changes. */
export function changes(before: Snapshot, after: Snapshot): StoredChange[] {
  const out: StoredChange[] = [];
  for (const [table, rows] of before) {
    const now = after.get(table) ?? new Map<string, number>();
    for (const [row, n] of rows) if ((now.get(row) ?? 0) < n) out.push({ table, row });
  }
  return out;
}

/** How many rows a snapshot holds, per table (for the report). */
export function rowCounts(s: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [t, rows] of s) {
    let n = 0;
    for (const c of rows.values()) n += c;
    if (n > 0) out[t] = n;
  }
  return out;
}
