// The minute signals an investigation tests (rca@4's input): per minute, the RED rows per
// service and endpoint, pattern counts (with the pattern's level, merged patterns counted
// under the pattern they converged into), error-group counts, service-graph edges and the
// mean of each gauge (OTLP gauge points: CPU, memory) per service and name.
// Several rows of one (minute, key) — from several nodes — are summed and their sketches
// merged here.
import { DDSketch, calleesOf, downstreamOf } from '../analysis/index.js';
import type { EdgeRow, ErrorGroupRow, FlowRow, MetricRow, PatternRow, RedRow } from '../analysis/index.js';
import { bytesOf } from './analysis-query.js';
import type { Queryable, Row } from './db.js';

export interface MinuteSignals {
  red: RedRow[];
  patterns: PatternRow[];
  errorGroups: ErrorGroupRow[];
  edges: EdgeRow[];
  flows: FlowRow[];
  /** The merged patterns of the services read (for flowSignals). */
  merges: PatternMerges;
  metrics: MetricRow[];
}

export function ms(v: unknown): number {
  return (v instanceof Date ? v : new Date(String(v))).getTime();
}

/** Merges the base64 sketches string_agg joined with ','. */
export function sketchOf(joined: unknown): DDSketch {
  const s = new DDSketch();
  if (typeof joined !== 'string' || joined === '') return s;
  // encode(…, 'base64') wraps lines every 76 characters; Buffer's decoder skips the newlines.
  for (const b64 of joined.split(',')) s.merge(DDSketch.fromBytes(bytesOf(Buffer.from(b64, 'base64'))!));
  return s;
}

/** One service's requests per minute, all endpoints summed, with the minute's median latency (an alert's onset). */
export async function serviceMinutes(
  q: Queryable,
  service: string,
  since: Date,
  until: Date,
): Promise<Array<{ minuteMs: number; requests: number; errors: number; p50Ms: number | null }>> {
  const rows = await q.query(
    `SELECT m.minute, sum(m.requests)::int8 AS requests, sum(m.errors)::int8 AS errors,
            string_agg(encode(m.latency, 'base64'), ',') AS latency
       FROM red_minute m
      WHERE m.service = $1 AND m.minute >= $2::timestamptz AND m.minute < $3::timestamptz
      GROUP BY m.minute ORDER BY m.minute`,
    [service, since, until],
  );
  return rows.map((r) => {
    const p50 = sketchOf(r.latency).quantile(0.5);
    return {
      minuteMs: ms(r.minute),
      requests: Number(r.requests),
      errors: Number(r.errors),
      p50Ms: Number.isFinite(p50) ? p50 : null,
    };
  });
}

/**
 * Rows of several minutes: before `split` (the baseline) buckets of `baselineMinutes` aligned
 * to end at `split`, the first cut at `since`; from `split` on (the incident) buckets of
 * `incidentMinutes` starting there. Each row's minute is its bucket's start (rca's bucketMinutes).
 */
export interface SignalBuckets {
  split: Date;
  baselineMinutes: number;
  incidentMinutes: number;
}

/** The shared parts of a minute-table read: parameters, the window, the service filter, the bucket expression. */
export interface MinuteRead {
  params: unknown[];
  window: string;
  only: (col: string) => string;
  bucket: string;
}

export function readOf(since: Date, until: Date, services?: readonly string[], buckets?: SignalBuckets): MinuteRead {
  const params: unknown[] = [since, until];
  if (services) params.push([...services]);
  const only = (col: string) => (services ? ` AND ${col} = ANY($3::text[])` : '');
  let bucket = 'm.minute';
  if (buckets && (buckets.baselineMinutes > 1 || buckets.incidentMinutes > 1)) {
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const split = `${param(buckets.split)}::timestamptz`;
    const incident = `date_bin(${param(`${Math.max(1, Math.round(buckets.incidentMinutes))} minutes`)}::interval, m.minute, ${split})`;
    const base = `GREATEST($1::timestamptz, date_bin(${param(`${Math.max(1, Math.round(buckets.baselineMinutes))} minutes`)}::interval, m.minute, ${split}))`;
    bucket = `(CASE WHEN m.minute < ${split} THEN ${base} ELSE ${incident} END)`;
  }
  return { params, window: 'm.minute >= $1::timestamptz AND m.minute < $2::timestamptz', only, bucket };
}

interface PatternInfo {
  mergedInto: string | null;
  level: string | null;
  template: string | null;
  site: string | null;
}

/** The stored patterns of some services (all without), by service and key. */
async function patternInfo(q: Queryable, services?: readonly string[]): Promise<Map<string, PatternInfo>> {
  const rows = await q.query(
    `SELECT service, pattern_key, merged_into, level, template, site FROM log_pattern${services ? ' WHERE service = ANY($1::text[])' : ''}`,
    services ? [[...services]] : [],
  );
  const info = new Map<string, PatternInfo>();
  for (const r of rows) {
    info.set(`${r.service}\u0000${r.pattern_key}`, {
      mergedInto: r.merged_into === null ? null : String(r.merged_into),
      level: r.level === null ? null : String(r.level),
      template: r.template === null ? null : String(r.template),
      site: r.site === null || r.site === undefined ? null : String(r.site),
    });
  }
  return info;
}

/**
 * Summed counts per bucket of a count-only minute table: `each(keys, minuteMs, count)` per key
 * and bucket. The database returns one row per key with its buckets joined in a string: many
 * fewer rows to send and parse than one per key and bucket, which cost more than the summing.
 */
async function countRows(
  q: Queryable,
  r: MinuteRead,
  table: string,
  keys: readonly string[],
  each: (keys: readonly string[], minuteMs: number, count: number) => void,
): Promise<void> {
  const cols = keys.join(', ');
  const rows = await q.query(
    `SELECT ${cols}, string_agg((extract(epoch FROM minute) * 1000)::int8::text || ':' || n::text, ',') AS s
       FROM (SELECT ${r.bucket} AS minute, ${keys.map((k) => `m.${k}`).join(', ')}, sum(m.count)::int8 AS n
               FROM ${table} m WHERE ${r.window}${r.only('m.service')}
              GROUP BY 1, ${keys.map((k) => `m.${k}`).join(', ')}) x
      GROUP BY ${cols}`,
    r.params,
  );
  for (const row of rows) {
    const values = keys.map((k) => String(row[k]));
    const s = String(row.s);
    let at = 0;
    while (at < s.length) {
      const colon = s.indexOf(':', at);
      let end = s.indexOf(',', colon);
      if (end < 0) end = s.length;
      each(values, Number(s.slice(at, colon)), Number(s.slice(colon + 1, end)));
      at = end + 1;
    }
  }
}

/** Rows of one key (after merges) and bucket summed: a map only when some stored key was merged into another. */
class Summed<T extends { count: number }> {
  readonly rows: T[] = [];
  private readonly byKey = new Map<string, T>();
  constructor(private readonly merged: boolean) {}
  /** Adds `row`, or its count to the row already there under `key` (then returns that row). */
  add(key: () => string, row: T): T {
    if (!this.merged) {
      this.rows.push(row);
      return row;
    }
    const k = key();
    const o = this.byKey.get(k);
    if (o) {
      o.count += row.count;
      return o;
    }
    this.byKey.set(k, row);
    this.rows.push(row);
    return row;
  }
}

/** The stored patterns that converged into another: "service\0key" → the key they converged into. */
export type PatternMerges = ReadonlyMap<string, string>;

function mergesOf(info: Map<string, PatternInfo>): Map<string, string> {
  const merges = new Map<string, string>();
  for (const [k, i] of info) if (i.mergedInto !== null) merges.set(k, i.mergedInto);
  return merges;
}

/** Flows, merged keys (rare, mostly rewritten by the writer already) resolved. */
async function readFlows(q: Queryable, r: MinuteRead, merges: PatternMerges): Promise<FlowRow[]> {
  const canon = (service: string, key: string) => merges.get(`${service}\u0000${key}`) ?? key;
  const flows = new Summed<FlowRow>(merges.size > 0);
  await countRows(q, r, 'flow_minute', ['service', 'from_key', 'to_key'], ([service, from, to], minuteMs, count) => {
    const f: FlowRow = { minuteMs, service: service!, from: canon(service!, from!), to: canon(service!, to!), count };
    flows.add(() => `${minuteMs}\u0000${service}\u0000${f.from}\u0000${f.to}`, f);
  });
  return flows.rows;
}

/**
 * The log flow alone (minuteSignals' flows), for some services: the costliest signal to read,
 * so an investigation reads it for its strongest candidates only. `merges`: minuteSignals' own,
 * when it read these services' patterns already (else they are read here).
 */
export async function flowSignals(
  q: Queryable,
  since: Date,
  until: Date,
  services: readonly string[],
  buckets?: SignalBuckets,
  merges?: PatternMerges,
): Promise<FlowRow[]> {
  if (services.length === 0) return [];
  return readFlows(q, readOf(since, until, services, buckets), merges ?? mergesOf(await patternInfo(q, services)));
}

/**
 * The signals of minutes in [since, until), optionally only of some services (edges touching
 * them), per minute or in buckets (the gauges stay per minute). Buckets cut what a long window
 * returns several times over: the rows read are summed in the database. `flows: false` leaves
 * the log flow out (see flowSignals).
 */
export async function minuteSignals(
  q: Queryable,
  since: Date,
  until: Date,
  services?: readonly string[],
  buckets?: SignalBuckets,
  opts: { flows?: boolean } = {},
): Promise<MinuteSignals> {
  const read = readOf(since, until, services, buckets);
  const { params, window, only, bucket } = read;

  // The reads do not depend on each other: on PostgreSQL they run at once on the pool's
  // connections (PGlite runs them one after another).
  const redRead = q.query(
    `SELECT ${bucket} AS minute, m.service, m.endpoint, sum(m.requests)::int8 AS requests, sum(m.errors)::int8 AS errors,
            string_agg(encode(m.latency, 'base64'), ',') AS latency
       FROM red_minute m WHERE ${window}${only('m.service')}
      GROUP BY 1, m.service, m.endpoint`,
    params,
  );
  const errorsRead = q.query(
    `SELECT ${bucket} AS minute, m.service, m.fingerprint, sum(m.count)::int8 AS count, max(g.type) AS type, max(g.message) AS message
       FROM error_minute m
       LEFT JOIN error_group g ON g.service = m.service AND g.fingerprint = m.fingerprint
      WHERE ${window}${only('m.service')}
      GROUP BY 1, m.service, m.fingerprint`,
    params,
  );
  const edgeFilter = services ? ' AND (m.caller = ANY($3::text[]) OR m.callee = ANY($3::text[]))' : '';
  const edgesRead = q.query(
    `SELECT ${bucket} AS minute, m.caller, m.callee, sum(m.calls)::int8 AS calls, sum(m.errors)::int8 AS errors,
            string_agg(encode(m.latency, 'base64'), ',') AS latency
       FROM edge_minute m WHERE ${window}${edgeFilter}
      GROUP BY 1, m.caller, m.callee`,
    params,
  );
  const gaugesRead = q.query(
    `SELECT date_trunc('minute', m.time) AS minute, m.service, m.name, avg(m.value) AS value
       FROM metric_point m
      WHERE m.time >= $1::timestamptz AND m.time < $2::timestamptz AND m.kind = 'gauge' AND m.value IS NOT NULL${only('m.service')}
      GROUP BY 1, m.service, m.name`,
    params.slice(0, services ? 3 : 2),
  );
  // Minute rows are many, patterns few: the rows are summed per stored key, and the patterns'
  // level, template, site and merges are read once and applied here (a join per row cost more
  // than the rest of the read).
  const logsRead = (async () => {
    const info = await patternInfo(q, services);
    const merges = mergesOf(info);
    const canon = (service: string, key: string) => merges.get(`${service}\u0000${key}`) ?? key;
    const patterns = new Summed<PatternRow>(merges.size > 0);
    const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
    const [flows] = await Promise.all([
      opts.flows === false ? Promise.resolve([]) : readFlows(q, read, merges),
      countRows(q, read, 'pattern_minute', ['service', 'pattern_key'], ([service, stored], minuteMs, count) => {
        const key = canon(service!, stored!);
        const own = info.get(`${service}\u0000${stored}`);
        // The pattern it converged into when known, else its own; the highest level over the rows merged here.
        const meta = (key === stored ? own : info.get(`${service}\u0000${key}`)) ?? own;
        const level = meta?.level ?? 'INFO';
        const row: PatternRow = {
          minuteMs,
          service: service!,
          key,
          level,
          count,
          ...(meta?.template == null ? {} : { label: meta.template }),
          ...(meta?.site == null ? {} : { site: meta.site }),
        };
        const kept = patterns.add(() => `${minuteMs}\u0000${service}\u0000${key}`, row);
        if (kept !== row && LEVELS.indexOf(level) > LEVELS.indexOf(kept.level)) kept.level = level;
      }),
    ]);
    return { flows, patterns, merges };
  })();
  const [red, errors, edges, gauges, { flows, patterns, merges }] = await Promise.all([
    redRead,
    errorsRead,
    edgesRead,
    gaugesRead,
    logsRead,
  ]);
  return {
    metrics: gauges.map((r: Row) => ({
      minuteMs: ms(r.minute),
      service: String(r.service),
      name: String(r.name),
      value: Number(r.value),
    })),
    red: red.map((r: Row) => ({
      minuteMs: ms(r.minute),
      service: String(r.service),
      endpoint: String(r.endpoint),
      requests: Number(r.requests),
      errors: Number(r.errors),
      latency: sketchOf(r.latency),
    })),
    patterns: patterns.rows,
    merges,
    flows,
    errorGroups: errors.map((r: Row) => ({
      minuteMs: ms(r.minute),
      service: String(r.service),
      key: String(r.fingerprint),
      count: Number(r.count),
      label: r.type === null ? undefined : `${r.type}${r.message ? `: ${r.message}` : ''}`,
    })),
    edges: edges.map((r: Row) => ({
      minuteMs: ms(r.minute),
      caller: String(r.caller),
      callee: String(r.callee),
      calls: Number(r.calls),
      errors: Number(r.errors),
      latency: sketchOf(r.latency),
    })),
  };
}

/**
 * The caller → callee pairs of the service graph in [since, until), ordered by caller and callee.
 * The key index (caller, callee, minute) serves it as a skip scan: one probe for each next pair
 * stored, then one for a row of that pair in the window. Pairs are few and minute rows many, so
 * this reads a few pages where a DISTINCT over the window's rows read every row of the window.
 */
async function windowEdges(q: Queryable, since: Date, until: Date): Promise<Array<{ caller: string; callee: string }>> {
  return q.query<{ caller: string; callee: string }>(
    `WITH RECURSIVE pair AS (
       (SELECT caller, callee FROM edge_minute ORDER BY caller, callee LIMIT 1)
       UNION ALL
       SELECT n.caller, n.callee FROM pair p
        CROSS JOIN LATERAL (
          SELECT e.caller, e.callee FROM edge_minute e
           WHERE (e.caller, e.callee) > (p.caller, p.callee)
           ORDER BY e.caller, e.callee LIMIT 1) n)
     SELECT p.caller, p.callee FROM pair p
      WHERE EXISTS (
        SELECT 1 FROM edge_minute m
         WHERE m.caller = p.caller AND m.callee = p.callee
           AND m.minute >= $1::timestamptz AND m.minute < $2::timestamptz)`,
    [since, until],
  );
}

/**
 * What can explain an alert on `service`: the service, every service it called in [since,
 * until) directly or through others (from the service-graph edges), and its direct callers
 * (whose traffic it serves; left out with `callers: false`). Just the service when no edge names it.
 */
export async function dependencyScope(
  q: Queryable,
  service: string,
  since: Date,
  until: Date,
  opts: { callers?: boolean } = {},
): Promise<string[]> {
  const edges = await windowEdges(q, since, until);
  const scope = downstreamOf(calleesOf(edges), service);
  if (opts.callers ?? true) for (const e of edges) if (e.callee === service) scope.add(e.caller);
  return [...scope];
}

/**
 * dependencyScope without callers for several services at once, from one read of the window's
 * edges (a ticket's users can have failed in many services).
 */
export async function downstreamScopes(
  q: Queryable,
  services: readonly string[],
  since: Date,
  until: Date,
): Promise<Map<string, string[]>> {
  if (services.length === 0) return new Map();
  const callees = calleesOf(await windowEdges(q, since, until));
  return new Map(services.map((s) => [s, [...downstreamOf(callees, s)]]));
}

/**
 * The services on the traces that passed through one endpoint of a service in [since, until]
 * (the endpoint as RED names it: the http.route, else the span name), from a sample of at
 * most `traces` traces, with how many of them each service appears in.
 */
export async function servicesOnEndpointTraces(
  q: Queryable,
  service: string,
  endpoint: string,
  since: Date,
  until: Date,
  traces = 200,
): Promise<{ traces: number; services: Map<string, number> }> {
  const rows = await q.query<{ service: string; n: number | string; total: number | string }>(
    `WITH t AS (
       SELECT DISTINCT trace_id FROM span
        WHERE service = $1 AND (http_route = $2 OR name = $2) AND start_time >= $3 AND start_time < $4
        LIMIT $5)
     SELECT s.service, count(DISTINCT s.trace_id) AS n, (SELECT count(*) FROM t) AS total
       FROM span s WHERE s.trace_id IN (SELECT trace_id FROM t) GROUP BY s.service`,
    [service, endpoint, since, until, traces],
  );
  return { traces: Number(rows[0]?.total ?? 0), services: new Map(rows.map((r) => [r.service, Number(r.n)])) };
}

/**
 * Users whose requests failed where they entered the system, among the traces in which `service`
 * had a failed span in [since, until]: per trace, its entry span (the root, else the earliest
 * span stored), counted when it failed. A failure that a caller retried or absorbed hurt nobody.
 * `entries` names the services where the failed requests entered. At most `maxTraces` traces
 * are followed; `capped` says when there were more.
 */
export async function failedAtEntry(
  q: Queryable,
  service: string,
  since: Date,
  until: Date,
  maxTraces = 5000,
): Promise<{
  traces: number;
  failed: number;
  users: number;
  accounts: number;
  withUser: number;
  entries: string[];
  capped: boolean;
}> {
  const [r] = await q.query(
    `WITH t AS (
       SELECT DISTINCT trace_id FROM span
        WHERE service = $1 AND status_code = 2 AND start_time >= $2 AND start_time < $3
        LIMIT $4),
     e AS (
       SELECT DISTINCT ON (s.trace_id) s.trace_id, s.service, s.status_code, s.user_id, s.account_id
         FROM span s JOIN t ON t.trace_id = s.trace_id
        ORDER BY s.trace_id, (s.parent_span_id IS NULL) DESC, s.start_time)
     SELECT count(*) AS traces, count(*) FILTER (WHERE status_code = 2) AS failed,
            count(DISTINCT user_id) FILTER (WHERE status_code = 2) AS users,
            count(DISTINCT account_id) FILTER (WHERE status_code = 2) AS accounts,
            count(user_id) FILTER (WHERE status_code = 2) AS with_user,
            (array_agg(DISTINCT service) FILTER (WHERE status_code = 2))[1:5] AS entries
       FROM e`,
    [service, since, until, maxTraces + 1],
  );
  const traces = Number(r?.traces ?? 0);
  return {
    traces: Math.min(traces, maxTraces),
    failed: Number(r?.failed ?? 0),
    users: Number(r?.users ?? 0),
    accounts: Number(r?.accounts ?? 0),
    withUser: Number(r?.with_user ?? 0),
    entries: (r?.entries as string[] | null) ?? [],
    capped: traces > maxTraces,
  };
}

/**
 * Who felt a regression of a service (one endpoint, or all): the distinct users and accounts
 * whose requests to it (SERVER or CONSUMER spans, or roots) in [since, until) failed, or took
 * longer than `slowerThanMs` (pass Infinity to count failures only), from the raw spans.
 * `withUser` counts the requests that carried a user id, so a caller can tell "none hurt"
 * from "no ids to count".
 */
export async function hurtUsers(
  q: Queryable,
  service: string,
  endpoint: string | null,
  since: Date,
  until: Date,
  slowerThanMs: number,
): Promise<{ users: number; accounts: number; requests: number; hurt: number; withUser: number }> {
  const slowNs = Number.isFinite(slowerThanMs) ? Math.max(0, Math.round(slowerThanMs * 1e6)) : null;
  const [r] = await q.query(
    `WITH req AS (
       SELECT user_id, account_id, (status_code = 2 OR ($5::int8 IS NOT NULL AND duration_ns > $5::int8)) AS hurt
         FROM span
        WHERE service = $1 AND start_time >= $3 AND start_time < $4 AND (kind IN (2, 5) OR parent_span_id IS NULL)
          AND ($2::text IS NULL OR http_route = $2 OR name = $2))
     SELECT count(*) AS requests, count(*) FILTER (WHERE hurt) AS hurt, count(user_id) AS with_user,
            count(DISTINCT user_id) FILTER (WHERE hurt) AS users, count(DISTINCT account_id) FILTER (WHERE hurt) AS accounts
       FROM req`,
    [service, endpoint, since, until, slowNs],
  );
  return {
    users: Number(r?.users ?? 0),
    accounts: Number(r?.accounts ?? 0),
    requests: Number(r?.requests ?? 0),
    hurt: Number(r?.hurt ?? 0),
    withUser: Number(r?.with_user ?? 0),
  };
}
