// Compaction of closed minutes. Every analysis flush of every node appends its own minute
// rows (006-analysis), so a busy minute holds one row per key per flush (about twelve at the
// default 5 s flush). Once a minute is closed, its rows of one key are summed into one row,
// sketches merged, so that what an investigation reads later is one row per key and minute.
//
// Each table is compacted by one DELETE … RETURNING of the keys with more than one row, then
// one INSERT of their sums, in one transaction: exactly the rows removed are the rows summed,
// so rows another node appends meanwhile are left alone, and compacting a range twice (or a
// row that arrives late into a compacted minute) changes nothing that readers see.
//
// Compaction leaves most of a closed minute's rows dead. vacuumMinutes reclaims them and marks
// the pages all-visible (so the covering indexes of 013 answer reads without the table), and
// can refresh the planner's statistics: the pipeline runs it where nothing else would (PGlite
// has no autovacuum, and a PostgreSQL server can have it turned off).
import { DDSketch, HyperLogLog, TupleMap } from '../analysis/index.js';
import { base64Of as b64, bytesOf } from './analysis-query.js';
import type { Db, Queryable, Row } from './db.js';

interface MinuteTable {
  name: 'pattern_minute' | 'error_minute' | 'red_minute' | 'edge_minute' | 'flow_minute';
  /** The columns a row is one of (minute first): text, all NOT NULL. */
  keys: string[];
  /** Counts, summed. */
  sums: string[];
  /** DDSketch bytea, merged (NOT NULL). */
  quantiles: string[];
  /** HyperLogLog bytea, merged (null when no row had one). */
  distinct: string[];
}

const TABLES: MinuteTable[] = [
  {
    name: 'pattern_minute',
    keys: ['service', 'pattern_key', 'version'],
    sums: ['count'],
    quantiles: [],
    distinct: ['users', 'accounts'],
  },
  {
    name: 'error_minute',
    keys: ['service', 'fingerprint', 'version'],
    sums: ['count'],
    quantiles: [],
    distinct: ['users', 'accounts'],
  },
  {
    name: 'red_minute',
    keys: ['service', 'endpoint', 'version'],
    sums: ['requests', 'errors'],
    quantiles: ['latency'],
    distinct: ['users', 'accounts'],
  },
  {
    name: 'edge_minute',
    keys: ['caller', 'version', 'callee'],
    sums: ['calls', 'errors'],
    quantiles: ['latency'],
    distinct: [],
  },
  { name: 'flow_minute', keys: ['service', 'from_key', 'to_key'], sums: ['count'], quantiles: [], distinct: [] },
];

export interface CompactionStats {
  table: string;
  /** Rows removed. */
  rowsIn: number;
  /** Rows written in their place (one per key and minute). */
  rowsOut: number;
}

async function compactTable(q: Queryable, t: MinuteTable, from: Date, to: Date): Promise<CompactionStats> {
  const keys = ['minute', ...t.keys];
  const sketches = [...t.quantiles, ...t.distinct];
  const join = keys.map((k) => `m.${k} = d.${k}`).join(' AND ');
  const returning = [
    ...keys.map((k) => `m.${k}`),
    ...t.sums.map((c) => `m.${c}::int8 AS ${c}`),
    ...sketches.map((c) => `encode(m.${c}, 'base64') AS ${c}`),
  ];
  const window = (a = '') => `${a}minute >= $1::timestamptz AND ${a}minute < $2::timestamptz`;
  if (sketches.length === 0) {
    // Nothing to merge outside SQL: one statement.
    const [r] = await q.query(
      `WITH d AS (
         SELECT ${keys.join(', ')} FROM ${t.name} WHERE ${window()} GROUP BY ${keys.join(', ')} HAVING count(*) > 1),
       gone AS (
         DELETE FROM ${t.name} m USING d WHERE ${window('m.')} AND ${join} RETURNING ${returning.join(', ')}),
       put AS (
         INSERT INTO ${t.name} (${[...keys, ...t.sums].join(', ')})
         SELECT ${[...keys, ...t.sums.map((c) => `sum(${c})`)].join(', ')} FROM gone GROUP BY ${keys.join(', ')} RETURNING 1)
       SELECT (SELECT count(*) FROM gone)::int8 AS rows_in, (SELECT count(*) FROM put)::int8 AS rows_out`,
      [from, to],
    );
    return { table: t.name, rowsIn: Number(r?.rows_in ?? 0), rowsOut: Number(r?.rows_out ?? 0) };
  }
  const gone = await q.query(
    `WITH d AS (
       SELECT ${keys.join(', ')} FROM ${t.name} WHERE ${window()} GROUP BY ${keys.join(', ')} HAVING count(*) > 1)
     DELETE FROM ${t.name} m USING d WHERE ${window('m.')} AND ${join} RETURNING ${returning.join(', ')}`,
    [from, to],
  );
  if (gone.length === 0) return { table: t.name, rowsIn: 0, rowsOut: 0 };
  // By (minute, …key columns).
  const groups = new TupleMap<
    string[],
    { row: Row; sums: number[]; quantiles: (DDSketch | null)[]; distinct: (HyperLogLog | null)[] }
  >();
  for (const r of gone) {
    const minute = r.minute instanceof Date ? r.minute.toISOString() : new Date(String(r.minute)).toISOString();
    const g = groups.upsert([minute, ...t.keys.map((k) => String(r[k]))], () => ({
      row: { ...r, minute },
      sums: t.sums.map(() => 0),
      quantiles: t.quantiles.map(() => null),
      distinct: t.distinct.map(() => null),
    }));
    t.sums.forEach((c, i) => {
      g.sums[i]! += Number(r[c]);
    });
    t.quantiles.forEach((c, i) => {
      const s = DDSketch.fromBytes(bytesOf(Buffer.from(String(r[c]), 'base64'))!);
      if (g.quantiles[i]) g.quantiles[i]!.merge(s);
      else g.quantiles[i] = s;
    });
    t.distinct.forEach((c, i) => {
      if (r[c] === null || r[c] === undefined) return;
      const s = HyperLogLog.fromBytes(bytesOf(Buffer.from(String(r[c]), 'base64'))!);
      if (g.distinct[i]) g.distinct[i]!.merge(s);
      else g.distinct[i] = s;
    });
  }
  const rows = [...groups.values()].map((g) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = g.row[k];
    t.sums.forEach((c, i) => {
      out[c] = g.sums[i];
    });
    t.quantiles.forEach((c, i) => {
      out[c] = b64(g.quantiles[i]!.toBytes());
    });
    t.distinct.forEach((c, i) => {
      out[c] = g.distinct[i] ? b64(g.distinct[i]!.toBytes()) : null;
    });
    return out;
  });
  const types = [
    `minute timestamptz`,
    ...t.keys.map((k) => `${k} text`),
    ...t.sums.map((c) => `${c} bigint`),
    ...sketches.map((c) => `${c} text`),
  ];
  await q.query(
    `INSERT INTO ${t.name} (${[...keys, ...t.sums, ...sketches].join(', ')})
     SELECT ${[...keys.map((k) => `x.${k}`), ...t.sums.map((c) => `x.${c}`), ...sketches.map((c) => `decode(x.${c}, 'base64')`)].join(', ')}
       FROM jsonb_to_recordset($1::jsonb) AS x(${types.join(', ')})`,
    [JSON.stringify(rows)],
  );
  return { table: t.name, rowsIn: gone.length, rowsOut: rows.length };
}

/**
 * Sums the rows of each key within each minute of [from, to), in one transaction. Call it for
 * closed minutes only: it is correct for open ones too, but they would gain rows again.
 */
export async function compactMinutes(db: Db, from: Date, to: Date): Promise<CompactionStats[]> {
  if (!(from.getTime() < to.getTime())) return [];
  return db.transaction(async (tx) => {
    // Every statement joins a window's rows to their keys with more than one row, thousands on
    // both sides. On tables never analyzed (a new store: PGlite has no autovacuum) the planner
    // takes both for a handful and probes the minute index once per key, each probe reading
    // every row of the minute: a first compaction of 72k pattern rows took 136 s that way, 1.8 s
    // as a hash join.
    await tx.exec('SET LOCAL enable_nestloop = off');
    const out: CompactionStats[] = [];
    for (const t of TABLES) out.push(await compactTable(tx, t, from, to));
    return out;
  });
}

/**
 * VACUUM of the minute tables, one after another, and with `analyze` their statistics too.
 * Not in a transaction (VACUUM cannot run in one); it takes no lock that blocks reads or writes
 * on PostgreSQL, while on PGlite's single session it runs between other statements. A vacuum
 * after one compaction is cheap (the dead rows are on few pages, so indexes are not scanned);
 * an ANALYZE reads sample pages across the whole table and costs ten to twenty times more.
 */
export async function vacuumMinutes(db: Db, opts: { analyze?: boolean } = {}): Promise<void> {
  for (const t of TABLES) await db.exec(`VACUUM ${opts.analyze ? 'ANALYZE ' : ''}${t.name}`);
}

/** Whether the store vacuums its tables itself: PostgreSQL with autovacuum on (PGlite has none). */
export async function autovacuums(db: Db): Promise<boolean> {
  if (db.backend === 'pglite') return false;
  const [r] = await db.query<{ autovacuum: string }>('SHOW autovacuum');
  return r?.autovacuum === 'on';
}
