// Reads of the streaming-analysis tables (patterns@3, errors@1, RED minutes, service-graph
// edges) over a window of whole minutes. Minute rows are append-only and one (minute, key)
// may have several rows, so every read SUMS the counts per key and hands back EVERY sketch
// of the window for the caller to merge; series are bucketed here, in SQL.
import type { VersionCount } from '../model/index.js';
import { TupleMap } from '../analysis/index.js';
import type { Queryable, Row } from './db.js';
import { Where } from './where.js';

/** A window of whole minutes, cut into `buckets` equal buckets; `recentSince` starts its last quarter. */
export interface MinuteWindow {
  since: Date;
  until: Date;
  buckets: number;
  bucketMs: number;
  recentSince: Date;
}

/**
 * What the minute rows of one key (or one group of keys) add up to in a window. `series[m]`
 * has `buckets` sums per measure; `sketches[c]` holds every non-null sketch of column c.
 */
export interface MinuteAggregate {
  totals: Record<string, number>;
  /** The sums over minutes at or after the window's `recentSince`. */
  recent: Record<string, number>;
  series: Record<string, number[]>;
  sketches: Record<string, Uint8Array[]>;
}

/** Longest merged_into chain followed (they are short; this only bounds a corrupt table). */
const MAX_MERGE_DEPTH = 32;

/** bytea as both backends return it (Uint8Array from PGlite, Buffer from pg, hex text if untyped). */
/** A bytea's bytes as base64 (for jsonb_to_recordset rows, decoded in SQL). */
export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function bytesOf(v: unknown): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'string' && /^\\x(?:[0-9a-fA-F]{2})*$/.test(v)) {
    const out = new Uint8Array((v.length - 2) / 2);
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(v.slice(2 + i * 2, 4 + i * 2), 16);
    return out;
  }
  throw new Error(`expected bytea, got ${typeof v}`);
}

function dateOf(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(String(v));
}

function likeText(s: string): string {
  return `%${s.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

// ---------------------------------------------------------------------------------------
// The one aggregation over a minute table

interface AggregationSpec {
  /** `WITH [RECURSIVE] …` text (may use placeholders from `w`), or ''. */
  with: string;
  /** FROM … with the minute table aliased `m`, joined to whatever maps its rows to groups. */
  from: string;
  /** SQL expressions naming a row's group (1 or 2 text values). */
  keys: string[];
  /** Extra conditions (SQL, placeholders from `w`). */
  conds: string[];
}

interface AggregationColumns {
  measures: readonly string[];
  sketches: readonly string[];
}

/**
 * Sums `measures` per group and bucket, and collects the `sketches` of every row, over the
 * window. `spec` builds the FROM part with a fresh Where each time (the two queries number
 * their parameters independently).
 */
async function aggregate(
  q: Queryable,
  win: MinuteWindow,
  spec: (w: Where) => AggregationSpec,
  cols: AggregationColumns,
): Promise<TupleMap<string[], MinuteAggregate>> {
  const out = new TupleMap<string[], MinuteAggregate>();
  const entry = (keys: string[]) => out.upsert(keys, () => emptyAggregate(win, cols));
  const keyAliases = (s: AggregationSpec) => s.keys.map((k, i) => `${k} AS g${i}`).join(', ');
  const groupBy = (s: AggregationSpec) => s.keys.map((_, i) => `g${i}`).join(', ');

  {
    const w = new Where();
    const s = spec(w);
    const since = w.param(win.since);
    const until = w.param(win.until);
    const bucketMs = w.param(win.bucketMs);
    const recent = w.param(win.recentSince);
    const sums = cols.measures
      .map(
        (m) =>
          `sum(m.${m})::int8 AS s_${m}, (COALESCE(sum(m.${m}) FILTER (WHERE m.minute >= ${recent}::timestamptz), 0))::int8 AS r_${m}`,
      )
      .join(', ');
    const rows = await q.query(
      `${s.with}
       SELECT ${keyAliases(s)},
              LEAST(${win.buckets - 1}, floor(extract(epoch FROM (m.minute - ${since}::timestamptz)) * 1000 / ${bucketMs}::float8))::int AS bucket,
              ${sums}
         ${s.from}
        WHERE m.minute >= ${since}::timestamptz AND m.minute < ${until}::timestamptz${s.conds.map((c) => ` AND ${c}`).join('')}
        GROUP BY ${groupBy(s)}, bucket`,
      w.params,
    );
    for (const r of rows) {
      const agg = entry(s.keys.map((_, i) => String(r[`g${i}`])));
      const b = Number(r.bucket);
      for (const m of cols.measures) {
        const v = Number(r[`s_${m}`] ?? 0);
        agg.totals[m]! += v;
        agg.recent[m]! += Number(r[`r_${m}`] ?? 0);
        if (b >= 0 && b < win.buckets) agg.series[m]![b]! += v;
      }
    }
  }

  if (cols.sketches.length > 0) {
    // Sketches travel as base64 text joined per group and bucket: one row per bucket rather
    // than per minute row, and text rather than bytea (which PGlite decodes ~4x slower).
    const w = new Where();
    const s = spec(w);
    const since = w.param(win.since);
    const until = w.param(win.until);
    const bucketMs = w.param(win.bucketMs);
    const rows = await q.query(
      `${s.with}
       SELECT ${keyAliases(s)},
              floor(extract(epoch FROM (m.minute - ${since}::timestamptz)) * 1000 / ${bucketMs}::float8)::int AS bucket,
              ${cols.sketches.map((c) => `string_agg(encode(m.${c}, 'base64'), ',') AS k_${c}`).join(', ')}
         ${s.from}
        WHERE m.minute >= ${since}::timestamptz AND m.minute < ${until}::timestamptz${s.conds.map((c) => ` AND ${c}`).join('')}
          AND (${cols.sketches.map((c) => `m.${c} IS NOT NULL`).join(' OR ')})
        GROUP BY ${groupBy(s)}, bucket`,
      w.params,
    );
    for (const r of rows) {
      const agg = entry(s.keys.map((_, i) => String(r[`g${i}`])));
      for (const c of cols.sketches) {
        const joined = r[`k_${c}`];
        if (typeof joined !== 'string' || joined === '') continue;
        // encode(…, 'base64') wraps lines every 76 characters; Buffer's decoder skips the newlines.
        for (const b64 of joined.split(',')) agg.sketches[c]!.push(bytesOf(Buffer.from(b64, 'base64'))!);
      }
    }
  }
  return out;
}

function emptyAggregate(win: MinuteWindow, cols: AggregationColumns): MinuteAggregate {
  return {
    totals: Object.fromEntries(cols.measures.map((m) => [m, 0])),
    recent: Object.fromEntries(cols.measures.map((m) => [m, 0])),
    series: Object.fromEntries(cols.measures.map((m) => [m, new Array<number>(win.buckets).fill(0)])),
    sketches: Object.fromEntries(cols.sketches.map((c) => [c, []])),
  };
}

/** `(a, b) IN (pairs)` as a join source: unnest of two parallel text arrays. */
function pairs(w: Where, list: ReadonlyArray<readonly [string, string]>): string {
  const a = w.param(list.map((p) => p[0]));
  const b = w.param(list.map((p) => p[1]));
  return `SELECT * FROM unnest(${a}::text[], ${b}::text[])`;
}

// ---------------------------------------------------------------------------------------
// Patterns

export interface StoredPattern {
  service: string;
  key: string;
  algorithm: string;
  template: string;
  /** The log call site of its lines (`<file or function>:<line>`), null when they named none. */
  site: string | null;
  level: string | null;
  slots: unknown[];
  samples: unknown[];
  firstSeen: Date | null;
  lastSeen: Date | null;
  firstVersion: string | null;
  /** The pattern's own count over all time, as the pipeline keeps it. */
  count: number;
  mergedInto: string | null;
}

export interface PatternFilter {
  algorithm: string;
  service?: string;
  /** Severity texts, any case; a pattern matches one of them. */
  levels?: string[];
  /** Case-insensitive text in the template. */
  text?: string;
  limit: number;
}

export interface PatternWindow {
  pattern: StoredPattern;
  /** Keys that merged into this one (directly or through others); their minutes count here. */
  mergedKeys: string[];
  minutes: MinuteAggregate;
}

const PATTERN_COLUMNS: AggregationColumns = { measures: ['count'], sketches: ['users', 'accounts'] };

function toPattern(r: Row): StoredPattern {
  return {
    service: r.service as string,
    key: r.pattern_key as string,
    algorithm: r.algorithm as string,
    template: r.template as string,
    site: (r.site as string | null) ?? null,
    level: (r.level as string | null) ?? null,
    slots: (r.slots as unknown[]) ?? [],
    samples: (r.samples as unknown[]) ?? [],
    firstSeen: dateOf(r.first_seen),
    lastSeen: dateOf(r.last_seen),
    firstVersion: (r.first_version as string | null) ?? null,
    count: Number(r.count ?? 0),
    mergedInto: (r.merged_into as string | null) ?? null,
  };
}

/** A recursive CTE `canon(service, key, root, depth)`: every key that resolves to one of `roots`. */
function canonCte(roots: string, alg: string): string {
  return `canon(service, key, root, depth) AS (
      SELECT r.service, r.pattern_key, r.pattern_key, 0 FROM (${roots}) AS r(service, pattern_key)
      UNION ALL
      SELECT p.service, p.pattern_key, c.root, c.depth + 1
        FROM log_pattern p JOIN canon c ON p.service = c.service AND p.merged_into = c.key
       WHERE p.algorithm = ${alg} AND c.depth < ${MAX_MERGE_DEPTH}
    )`;
}

async function patternDetails(
  q: Queryable,
  win: MinuteWindow,
  algorithm: string,
  roots: ReadonlyArray<readonly [string, string]>,
): Promise<PatternWindow[]> {
  if (roots.length === 0) return [];
  const w = new Where();
  const alg = w.param(algorithm);
  const rows = await q.query(
    `WITH RECURSIVE ${canonCte(pairs(w, roots), alg)}
     SELECT p.*, c.root, c.depth FROM canon c JOIN log_pattern p ON p.service = c.service AND p.pattern_key = c.key AND p.algorithm = ${alg}`,
    w.params,
  );
  const byRoot = new TupleMap<[string, string], { pattern?: StoredPattern; merged: string[] }>();
  for (const r of rows) {
    const e = byRoot.upsert([r.service as string, r.root as string], () => ({ merged: [] }));
    if (Number(r.depth) === 0) e.pattern = toPattern(r);
    else if (!e.merged.includes(r.pattern_key as string)) e.merged.push(r.pattern_key as string);
  }
  const minutes = await aggregate(
    q,
    win,
    (w2) => {
      const a = w2.param(algorithm);
      return {
        with: `WITH RECURSIVE ${canonCte(pairs(w2, roots), a)}`,
        from: 'FROM canon c JOIN pattern_minute m ON m.service = c.service AND m.pattern_key = c.key',
        keys: ['c.service', 'c.root'],
        conds: [],
      };
    },
    PATTERN_COLUMNS,
  );
  return roots.flatMap(([service, key]) => {
    const e = byRoot.get([service, key]);
    if (!e?.pattern) return [];
    return [
      {
        pattern: e.pattern,
        mergedKeys: e.merged.sort(),
        minutes: minutes.get([service, key]) ?? emptyAggregate(win, PATTERN_COLUMNS),
      },
    ];
  });
}

/**
 * Live patterns (not merged into another) with lines in the window, most lines first. The
 * filters apply to the live pattern; lines counted under keys that merged into it count too.
 */
export async function patternsInWindow(q: Queryable, win: MinuteWindow, f: PatternFilter): Promise<PatternWindow[]> {
  const w = new Where();
  const alg = w.param(f.algorithm);
  if (f.service !== undefined) w.add('p.service = ?', f.service);
  if (f.levels?.length)
    w.add(
      'upper(p.level) = ANY(?::text[])',
      f.levels.map((l) => l.toUpperCase()),
    );
  if (f.text) w.add('p.template ILIKE ?', likeText(f.text));
  const live = `SELECT p.service, p.pattern_key FROM log_pattern p ${w.sql ? `${w.sql} AND` : 'WHERE'} p.algorithm = ${alg} AND p.merged_into IS NULL`;
  const since = w.param(win.since);
  const until = w.param(win.until);
  const limit = w.param(f.limit);
  // Summing per key before joining keeps the join (and its sort) to one row per key.
  const top = await q.query<{ service: string; root: string }>(
    `WITH RECURSIVE ${canonCte(live, alg)},
     sums AS (
       SELECT service, pattern_key, sum(count) AS n FROM pattern_minute
        WHERE minute >= ${since}::timestamptz AND minute < ${until}::timestamptz
        GROUP BY service, pattern_key
     )
     SELECT c.service, c.root, sum(s.n)::int8 AS n
       FROM canon c JOIN sums s ON s.service = c.service AND s.pattern_key = c.key
      GROUP BY c.service, c.root
      ORDER BY n DESC, c.service, c.root
      LIMIT ${limit}`,
    w.params,
  );
  return patternDetails(
    q,
    win,
    f.algorithm,
    top.map((r) => [r.service, r.root] as const),
  );
}

/** Every stored pattern with this key (one per service), merged ones included. */
export async function patternsByKey(
  q: Queryable,
  algorithm: string,
  key: string,
  service?: string,
): Promise<StoredPattern[]> {
  const w = new Where();
  w.add('algorithm = ?', algorithm);
  w.add('pattern_key = ?', key);
  if (service !== undefined) w.add('service = ?', service);
  const rows = await q.query(`SELECT * FROM log_pattern ${w.sql} ORDER BY service`, w.params);
  return rows.map(toPattern);
}

/**
 * The live pattern a key ends at, following merged_into; null when the key is unknown. A
 * chain that names a pattern not stored (yet) ends at the last pattern that is.
 */
export async function resolvePattern(
  q: Queryable,
  algorithm: string,
  service: string,
  key: string,
): Promise<StoredPattern | null> {
  let [p] = await patternsByKey(q, algorithm, key, service);
  if (!p) return null;
  const seen = new Set([key]);
  while (p.mergedInto !== null && !seen.has(p.mergedInto) && seen.size <= MAX_MERGE_DEPTH) {
    seen.add(p.mergedInto);
    const [next] = await patternsByKey(q, algorithm, p.mergedInto, service);
    if (!next) break;
    p = next;
  }
  return p;
}

/** One live pattern's window (with the keys merged into it). */
export async function patternWindow(
  q: Queryable,
  win: MinuteWindow,
  algorithm: string,
  service: string,
  key: string,
): Promise<PatternWindow | null> {
  const [r] = await patternDetails(q, win, algorithm, [[service, key]]);
  return r ?? null;
}

// ---------------------------------------------------------------------------------------
// Error groups

export interface StoredErrorGroup {
  service: string;
  fingerprint: string;
  algorithm: string;
  type: string | null;
  message: string | null;
  frames: unknown[];
  samples: unknown[];
  runtime: string | null;
  firstSeen: Date | null;
  firstRelease: string | null;
  lastSeen: Date | null;
  count: number;
}

export interface ErrorGroupFilter {
  algorithm: string;
  service?: string;
  /** Case-insensitive text in the type or the message. */
  text?: string;
  limit: number;
}

export interface ErrorGroupWindow {
  group: StoredErrorGroup;
  minutes: MinuteAggregate;
}

const ERROR_COLUMNS: AggregationColumns = { measures: ['count'], sketches: ['users', 'accounts'] };

function toErrorGroup(r: Row): StoredErrorGroup {
  return {
    service: r.service as string,
    fingerprint: r.fingerprint as string,
    algorithm: r.algorithm as string,
    type: (r.type as string | null) ?? null,
    message: (r.message as string | null) ?? null,
    frames: (r.frames as unknown[]) ?? [],
    samples: (r.samples as unknown[]) ?? [],
    runtime: (r.runtime as string | null) ?? null,
    firstSeen: dateOf(r.first_seen),
    firstRelease: (r.first_release as string | null) ?? null,
    lastSeen: dateOf(r.last_seen),
    count: Number(r.count ?? 0),
  };
}

async function errorDetails(
  q: Queryable,
  win: MinuteWindow,
  algorithm: string,
  keys: ReadonlyArray<readonly [string, string]>,
): Promise<ErrorGroupWindow[]> {
  if (keys.length === 0) return [];
  const w = new Where();
  const alg = w.param(algorithm);
  const rows = await q.query(
    `SELECT g.* FROM (${pairs(w, keys)}) AS k(service, fingerprint)
       JOIN error_group g ON g.service = k.service AND g.fingerprint = k.fingerprint AND g.algorithm = ${alg}`,
    w.params,
  );
  const groups = new TupleMap<[string, string], StoredErrorGroup>();
  for (const r of rows) groups.set([r.service as string, r.fingerprint as string], toErrorGroup(r));
  const minutes = await aggregate(
    q,
    win,
    (w2) => ({
      with: '',
      from: `FROM (${pairs(w2, keys)}) AS k(service, fingerprint) JOIN error_minute m ON m.service = k.service AND m.fingerprint = k.fingerprint`,
      keys: ['k.service', 'k.fingerprint'],
      conds: [],
    }),
    ERROR_COLUMNS,
  );
  return keys.flatMap(([service, fp]) => {
    const group = groups.get([service, fp]);
    if (!group) return [];
    return [{ group, minutes: minutes.get([service, fp]) ?? emptyAggregate(win, ERROR_COLUMNS) }];
  });
}

/** Error groups with occurrences in the window, most first. */
export async function errorGroupsInWindow(
  q: Queryable,
  win: MinuteWindow,
  f: ErrorGroupFilter,
): Promise<ErrorGroupWindow[]> {
  const w = new Where();
  const alg = w.param(f.algorithm);
  w.add('m.minute >= ?::timestamptz', win.since);
  w.add('m.minute < ?::timestamptz', win.until);
  if (f.service !== undefined) w.add('m.service = ?', f.service);
  if (f.text) w.add('(g.type ILIKE ? OR g.message ILIKE ?)', likeText(f.text));
  const limit = w.param(f.limit);
  const top = await q.query<{ service: string; fingerprint: string }>(
    `SELECT m.service, m.fingerprint, sum(m.count)::int8 AS n
       FROM error_minute m JOIN error_group g ON g.service = m.service AND g.fingerprint = m.fingerprint AND g.algorithm = ${alg}
       ${w.sql}
      GROUP BY m.service, m.fingerprint
      ORDER BY n DESC, m.service, m.fingerprint
      LIMIT ${limit}`,
    w.params,
  );
  return errorDetails(
    q,
    win,
    f.algorithm,
    top.map((r) => [r.service, r.fingerprint] as const),
  );
}

/** Every stored error group with this fingerprint (one per service). */
export async function errorGroupsByFingerprint(
  q: Queryable,
  algorithm: string,
  fingerprint: string,
  service?: string,
): Promise<StoredErrorGroup[]> {
  const w = new Where();
  w.add('algorithm = ?', algorithm);
  w.add('fingerprint = ?', fingerprint);
  if (service !== undefined) w.add('service = ?', service);
  const rows = await q.query(`SELECT * FROM error_group ${w.sql} ORDER BY service`, w.params);
  return rows.map(toErrorGroup);
}

export async function errorGroupWindow(
  q: Queryable,
  win: MinuteWindow,
  algorithm: string,
  service: string,
  fingerprint: string,
): Promise<ErrorGroupWindow | null> {
  const [r] = await errorDetails(q, win, algorithm, [[service, fingerprint]]);
  return r ?? null;
}

// ---------------------------------------------------------------------------------------
// Per-version counts (for one pattern or error group)

// The shape is the API's (model/analysis-api.ts); re-exported for the store's callers.
export type { VersionCount } from '../model/index.js';

/** Lines per service.version in the window, for a pattern (with the keys merged into it). */
export async function patternVersions(
  q: Queryable,
  win: MinuteWindow,
  service: string,
  keys: string[],
): Promise<VersionCount[]> {
  const rows = await q.query<{ version: string; n: number }>(
    `SELECT version, sum(count)::int8 AS n FROM pattern_minute
      WHERE service = $1 AND pattern_key = ANY($2::text[]) AND minute >= $3::timestamptz AND minute < $4::timestamptz
      GROUP BY version ORDER BY n DESC, version`,
    [service, keys, win.since, win.until],
  );
  return rows.map((r) => ({ version: r.version, count: Number(r.n) }));
}

export async function errorVersions(
  q: Queryable,
  win: MinuteWindow,
  service: string,
  fingerprint: string,
): Promise<VersionCount[]> {
  const rows = await q.query<{ version: string; n: number }>(
    `SELECT version, sum(count)::int8 AS n FROM error_minute
      WHERE service = $1 AND fingerprint = $2 AND minute >= $3::timestamptz AND minute < $4::timestamptz
      GROUP BY version ORDER BY n DESC, version`,
    [service, fingerprint, win.since, win.until],
  );
  return rows.map((r) => ({ version: r.version, count: Number(r.n) }));
}

// ---------------------------------------------------------------------------------------
// RED per service and endpoint, and the service graph

export interface EndpointWindow {
  service: string;
  endpoint: string;
  /** Measures `requests` and `errors`; sketches `latency`, `users` and `accounts`. */
  minutes: MinuteAggregate;
}

const RED_COLUMNS: AggregationColumns = {
  measures: ['requests', 'errors'],
  sketches: ['latency', 'users', 'accounts'],
};
const RED_LATENCY_ONLY: AggregationColumns = { measures: ['requests', 'errors'], sketches: ['latency'] };

/**
 * RED minutes per service and endpoint in the window, for the `limit` services with the most
 * requests (all their endpoints), optionally only `service` or the `services` listed. The
 * caller rolls endpoints up into services. `withUsers: false` leaves out the user and account
 * sketches.
 */
export async function redInWindow(
  q: Queryable,
  win: MinuteWindow,
  f: { service?: string; services?: string[]; limit: number; withUsers?: boolean },
): Promise<EndpointWindow[]> {
  const w = new Where();
  w.add('minute >= ?::timestamptz', win.since);
  w.add('minute < ?::timestamptz', win.until);
  if (f.service !== undefined) w.add('service = ?', f.service);
  if (f.services !== undefined) w.add('service = ANY(?::text[])', f.services);
  const limit = w.param(f.limit);
  const top = await q.query<{ service: string }>(
    `SELECT service, sum(requests)::int8 AS n FROM red_minute ${w.sql} GROUP BY service ORDER BY n DESC, service LIMIT ${limit}`,
    w.params,
  );
  if (top.length === 0) return [];
  const services = top.map((r) => r.service);
  const groups = await aggregate(
    q,
    win,
    (w2) => ({
      with: '',
      from: 'FROM red_minute m',
      keys: ['m.service', 'm.endpoint'],
      conds: [`m.service = ANY(${w2.param(services)}::text[])`],
    }),
    f.withUsers === false ? RED_LATENCY_ONLY : RED_COLUMNS,
  );
  const rank = new Map(services.map((s, i) => [s, i]));
  return [...groups]
    .map(([keys, agg]) => ({ service: keys[0]!, endpoint: keys[1]!, minutes: agg }))
    .sort(
      (a, b) =>
        rank.get(a.service)! - rank.get(b.service)! ||
        b.minutes.totals.requests! - a.minutes.totals.requests! ||
        a.endpoint.localeCompare(b.endpoint),
    );
}

export interface EdgeWindow {
  caller: string;
  callee: string;
  /** Measures `calls` and `errors`; sketch `latency`. */
  minutes: MinuteAggregate;
}

const EDGE_COLUMNS: AggregationColumns = { measures: ['calls', 'errors'], sketches: ['latency'] };

/** Service-graph edges with calls in the window; `service` keeps the edges that touch it. */
export async function edgesInWindow(
  q: Queryable,
  win: MinuteWindow,
  f: { service?: string } = {},
): Promise<EdgeWindow[]> {
  const groups = await aggregate(
    q,
    win,
    (w) => ({
      with: '',
      from: 'FROM edge_minute m',
      keys: ['m.caller', 'm.callee'],
      conds: f.service === undefined ? [] : [`(m.caller = ${w.param(f.service)} OR m.callee = ${w.param(f.service)})`],
    }),
    EDGE_COLUMNS,
  );
  return [...groups]
    .map(([keys, agg]) => ({ caller: keys[0]!, callee: keys[1]!, minutes: agg }))
    .sort(
      (a, b) =>
        b.minutes.totals.calls! - a.minutes.totals.calls! ||
        a.caller.localeCompare(b.caller) ||
        a.callee.localeCompare(b.callee),
    );
}

/** When Orrery first saw any telemetry (the earliest service sighting), or null before any arrived. */
export async function firstTelemetrySeen(q: Queryable): Promise<Date | null> {
  const rows = await q.query<{ first: Date | string | null }>('SELECT min(first_seen) AS first FROM service');
  return dateOf(rows[0]?.first ?? null);
}

/** When each service was first seen in telemetry (the earliest over its namespaces). */
export async function serviceFirstSeen(q: Queryable, services: string[]): Promise<Map<string, Date>> {
  if (services.length === 0) return new Map();
  const rows = await q.query<{ name: string; first_seen: Date | null }>(
    'SELECT name, min(first_seen) AS first_seen FROM service WHERE name = ANY($1::text[]) GROUP BY name',
    [services],
  );
  const out = new Map<string, Date>();
  for (const r of rows) {
    const d = dateOf(r.first_seen);
    if (d) out.set(r.name, d);
  }
  return out;
}
