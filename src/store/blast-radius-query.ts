// What a change's blast radius reads from telemetry: the minutes that hold data, a sample of
// recent traces per endpoint (whole traces: spans with their code.* attributes and exception
// stacks, and their logs), error groups and patterns of the services in scope, open tickets'
// routes and links, and the most active users and accounts of the exposed entry endpoints (and,
// for a failure simulation, the open tickets naming people who used the affected endpoints).
import type { Queryable } from './db.js';

export interface SampledSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  name: string;
  kind: number;
  route: string | null;
  method: string | null;
  code: { function: string | null; namespace: string | null; filepath: string | null; line: number | null } | null;
  stacks: string[];
}

export interface SampledLog {
  traceId: string;
  spanId: string | null;
  service: string;
  body: string;
  code: SampledSpan['code'];
  stack: string | null;
}

/** The first and last minute with RED rows in [since, until), or null when there are none. */
export async function dataMinutes(q: Queryable, since: Date, until: Date): Promise<{ first: Date; last: Date } | null> {
  const rows = await q.query<{ first: Date | string | null; last: Date | string | null }>(
    'SELECT min(minute) AS first, max(minute) AS last FROM red_minute WHERE minute >= $1 AND minute < $2',
    [since, until],
  );
  const r = rows[0];
  if (!r?.first || !r.last) return null;
  return { first: new Date(r.first), last: new Date(r.last) };
}

/**
 * Up to `perEndpoint` of the most recent traces that went through each endpoint (a span of the
 * service named by `http.route`, else by its name), in [since, until).
 */
export async function sampleTraceIds(
  q: Queryable,
  endpoints: ReadonlyArray<{ service: string; endpoint: string }>,
  since: Date,
  until: Date,
  perEndpoint: number,
): Promise<string[]> {
  const out = new Set<string>();
  for (const e of endpoints) {
    const rows = await q.query<{ trace_id: string }>(
      `SELECT trace_id FROM span
        WHERE service = $1 AND start_time >= $3 AND start_time < $4
          AND (http_route = $2 OR (http_route IS NULL AND name = $2))
        ORDER BY start_time DESC LIMIT $5`,
      [e.service, e.endpoint, since, until, perEndpoint * 3],
    );
    let n = 0;
    for (const r of rows) {
      if (n >= perEndpoint) break;
      if (!out.has(r.trace_id)) n++;
      out.add(r.trace_id);
    }
  }
  return [...out];
}

function lineOf(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function codeOf(r: Record<string, unknown>): SampledSpan['code'] {
  const fn = (r.code_function as string | null) ?? null;
  const file = (r.code_file as string | null) ?? null;
  if (fn === null && file === null) return null;
  return {
    function: fn,
    namespace: (r.code_namespace as string | null) ?? null,
    filepath: file,
    line: lineOf(r.code_line),
  };
}

const CODE_COLUMNS = `COALESCE(attributes->>'code.function.name', attributes->>'code.function') AS code_function,
  attributes->>'code.namespace' AS code_namespace,
  COALESCE(attributes->>'code.file.path', attributes->>'code.filepath') AS code_file,
  COALESCE(attributes->>'code.line.number', attributes->>'code.lineno') AS code_line`;

/** Every span of the traces (at most `limit`). */
export async function traceSpans(q: Queryable, traceIds: readonly string[], limit = 200_000): Promise<SampledSpan[]> {
  if (traceIds.length === 0) return [];
  const rows = await q.query(
    `SELECT trace_id, span_id, parent_span_id, service, name, kind, http_route,
            COALESCE(attributes->>'http.request.method', attributes->>'http.method') AS method,
            ${CODE_COLUMNS},
            CASE WHEN events::text LIKE '%exception.stacktrace%' THEN events END AS events
       FROM span WHERE trace_id = ANY($1::text[]) LIMIT $2`,
    [[...traceIds], limit],
  );
  return rows.map((r) => {
    const events = (typeof r.events === 'string' ? JSON.parse(r.events) : r.events) as Array<{
      name?: string;
      attributes?: Record<string, unknown>;
    }> | null;
    const stacks: string[] = [];
    for (const ev of events ?? []) {
      const st = ev.attributes?.['exception.stacktrace'];
      if (typeof st === 'string' && st) stacks.push(st);
    }
    return {
      traceId: String(r.trace_id),
      spanId: String(r.span_id),
      parentId: r.parent_span_id === null ? null : String(r.parent_span_id),
      service: String(r.service),
      name: String(r.name),
      kind: Number(r.kind),
      route: (r.http_route as string | null) ?? null,
      method: (r.method as string | null) ?? null,
      code: codeOf(r),
      stacks,
    };
  });
}

/** The log records of the traces (at most `limit`). */
export async function traceLogs(q: Queryable, traceIds: readonly string[], limit = 100_000): Promise<SampledLog[]> {
  if (traceIds.length === 0) return [];
  const rows = await q.query(
    `SELECT trace_id, span_id, service, body, ${CODE_COLUMNS}, attributes->>'exception.stacktrace' AS stack
       FROM log_record WHERE trace_id = ANY($1::text[]) LIMIT $2`,
    [[...traceIds], limit],
  );
  return rows.map((r) => ({
    traceId: String(r.trace_id),
    spanId: (r.span_id as string | null) ?? null,
    service: String(r.service),
    body: String(r.body),
    code: codeOf(r),
    stack: (r.stack as string | null) ?? null,
  }));
}

export interface ErrorGroupRow {
  service: string;
  fingerprint: string;
  frames: Array<{ function: string; file: string; line: number | null }>;
  traceIds: string[];
}

/**
 * Error groups of the services seen since `since`, with their stored frames and sample traces;
 * `firstSeenBefore` leaves out the groups that first appeared at or after it.
 */
export async function recentErrorGroups(
  q: Queryable,
  services: readonly string[],
  since: Date,
  opts: { limit?: number; firstSeenBefore?: Date } = {},
): Promise<ErrorGroupRow[]> {
  if (services.length === 0) return [];
  const rows = await q.query<{ service: string; fingerprint: string; frames: unknown; samples: unknown }>(
    `SELECT service, fingerprint, frames, samples FROM error_group
      WHERE service = ANY($1::text[]) AND (last_seen IS NULL OR last_seen >= $2)
        AND ($4::timestamptz IS NULL OR first_seen IS NULL OR first_seen < $4)
      ORDER BY count DESC, fingerprint LIMIT $3`,
    [[...services], since, opts.limit ?? 500, opts.firstSeenBefore ?? null],
  );
  const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  return rows.map((r) => ({
    service: r.service,
    fingerprint: r.fingerprint,
    frames: (json<Array<{ function?: string; file?: string; line?: number | null }>>(r.frames) ?? []).map((f) => ({
      function: f.function ?? '<anonymous>',
      file: f.file ?? '',
      line: f.line ?? null,
    })),
    traceIds: (json<Array<{ traceId?: string | null }>>(r.samples) ?? []).flatMap((s) =>
      s.traceId ? [s.traceId] : [],
    ),
  }));
}

/** The live patterns of the services (not merged into another), at most `limit`. */
export async function servicePatterns(
  q: Queryable,
  services: readonly string[],
  limit = 5000,
): Promise<Array<{ service: string; key: string; template: string }>> {
  if (services.length === 0) return [];
  const rows = await q.query<{ service: string; pattern_key: string; template: string }>(
    `SELECT service, pattern_key, template FROM log_pattern
      WHERE service = ANY($1::text[]) AND merged_into IS NULL ORDER BY count DESC LIMIT $2`,
    [[...services], limit],
  );
  return rows.map((r) => ({ service: r.service, key: r.pattern_key, template: r.template }));
}

export interface OpenTicketRow {
  id: number;
  title: string;
  status: string;
  /** Route templates it names (analysis routeKey form is computed by the caller). */
  routes: string[];
  services: string[];
  problemId: number | null;
}

/**
 * Open and pending tickets (newest first, at most `limit`) with the routes they name and their
 * linked services; `createdBefore` leaves out those created at or after it.
 */
export async function openTicketLinks(
  q: Queryable,
  opts: { limit?: number; createdBefore?: Date } = {},
): Promise<OpenTicketRow[]> {
  const rows = await q.query<{ id: number; title: string; status: string; problem_id: number | null }>(
    `SELECT id, title, status, problem_id FROM ticket WHERE status IN ('open', 'pending')
        AND ($2::timestamptz IS NULL OR created_at < $2)
      ORDER BY created_at DESC, id DESC LIMIT $1`,
    [opts.limit ?? 1000, opts.createdBefore ?? null],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const routes = await q.query<{ ticket_id: number; value: string; template: string | null }>(
    `SELECT ticket_id, value, template FROM ticket_mention WHERE kind = 'route' AND ticket_id = ANY($1::bigint[])`,
    [ids],
  );
  const links = await q.query<{ src_id: string; dst_id: string }>(
    `SELECT src_id, dst_id FROM link
      WHERE src_kind = 'ticket' AND kind = 'mentions' AND dst_kind = 'service' AND src_id = ANY($1::text[])`,
    [ids.map(String)],
  );
  const byId = new Map<number, OpenTicketRow>(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        title: r.title,
        status: r.status,
        routes: [],
        services: [],
        problemId: r.problem_id === null ? null : Number(r.problem_id),
      },
    ]),
  );
  for (const m of routes) byId.get(Number(m.ticket_id))?.routes.push(m.template ?? m.value);
  for (const l of links) byId.get(Number(l.src_id))?.services.push(l.dst_id);
  return [...byId.values()];
}

/**
 * The most active users and accounts (by requests) on these endpoints' spans in [since, until),
 * at most `limit` of each. Endpoints are matched like the RED minutes name them.
 */
export async function topPeople(
  q: Queryable,
  endpoints: ReadonlyArray<{ service: string; endpoint: string }>,
  since: Date,
  until: Date,
  limit = 10,
): Promise<{ users: Array<{ id: string; requests: number }>; accounts: Array<{ id: string; requests: number }> }> {
  if (endpoints.length === 0) return { users: [], accounts: [] };
  const params = [endpoints.map((e) => e.service), endpoints.map((e) => e.endpoint), since, until, limit];
  const query = (column: 'user_id' | 'account_id') =>
    q.query<{ id: string; n: number }>(
      `SELECT s.${column} AS id, count(*)::int8 AS n
         FROM unnest($1::text[], $2::text[]) AS k(service, endpoint)
         JOIN span s ON s.service = k.service AND COALESCE(s.http_route, s.name) = k.endpoint
        WHERE s.start_time >= $3 AND s.start_time < $4 AND s.${column} IS NOT NULL
        GROUP BY s.${column} ORDER BY n DESC, id LIMIT $5`,
      params,
    );
  const [users, accounts] = await Promise.all([query('user_id'), query('account_id')]);
  const rows = (r: Array<{ id: string; n: number }>) => r.map((x) => ({ id: x.id, requests: Number(x.n) }));
  return { users: rows(users), accounts: rows(accounts) };
}

/**
 * Open and pending tickets that name a user or an account who used one of `endpoints` in
 * [since, until), with the endpoints each used (`service endpoint`); at most `limit` rows.
 */
export async function openTicketsNamingPeople(
  q: Queryable,
  endpoints: ReadonlyArray<{ service: string; endpoint: string }>,
  since: Date,
  until: Date,
  limit = 500,
): Promise<
  Array<{ id: number; title: string; status: string; kind: 'user' | 'account'; person: string; endpoints: string[] }>
> {
  if (endpoints.length === 0) return [];
  const params = [endpoints.map((e) => e.service), endpoints.map((e) => e.endpoint), since, until, limit];
  const query = (kind: 'user' | 'account', column: 'user_id' | 'account_id') =>
    q.query<{ id: number; title: string; status: string; person: string; endpoints: string[] }>(
      `SELECT t.id, t.title, t.status, m.value AS person,
              array_agg(DISTINCT k.service || ' ' || k.endpoint) AS endpoints
         FROM ticket t
         JOIN ticket_mention m ON m.ticket_id = t.id AND m.kind = '${kind}'
         JOIN span s ON s.${column} = m.value
         JOIN unnest($1::text[], $2::text[]) AS k(service, endpoint)
           ON s.service = k.service AND COALESCE(s.http_route, s.name) = k.endpoint
        WHERE t.status IN ('open', 'pending') AND s.start_time >= $3 AND s.start_time < $4
        GROUP BY t.id, t.title, t.status, m.value
        ORDER BY t.id DESC LIMIT $5`,
      params,
    );
  const [users, accounts] = await Promise.all([query('user', 'user_id'), query('account', 'account_id')]);
  const rows = (kind: 'user' | 'account', r: typeof users) =>
    r.map((x) => ({
      id: Number(x.id),
      title: x.title,
      status: x.status,
      kind,
      person: x.person,
      endpoints: [...x.endpoints].sort(),
    }));
  return [...rows('user', users), ...rows('account', accounts)];
}
