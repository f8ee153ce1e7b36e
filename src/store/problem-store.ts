// Problems (triage@1) in the store: upserted by key (problem.fingerprint, UNIQUE) so a problem
// keeps its id across runs, the tickets of each pointed at it (ticket.problem_id), problems a
// run did not produce resolved or marked merged; and the reads a triage run needs beyond the
// analysis tables: open tickets with their mentions and links, the services a ticket's users
// hit errors in, the routes each service served, the graph's edges, and code owners.
import { type CodeownerRule, ownersOf, routeKey } from '../analysis/index.js';
import type { Owners, TriageResult, TriagedProblem } from '../analysis/triage/index.js';
import type { Problem, ProblemDetail, ProblemStatus } from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { isoOrNull } from './timestamps.js';

// The shapes are the API's (model/problems.ts); re-exported for the store's callers.
export type { Problem, ProblemDetail, ProblemStatus, ProblemTicket } from '../model/index.js';
export const PROBLEM_STATUSES: readonly ProblemStatus[] = ['open', 'resolved', 'merged'];

function toProblem(r: Row): Problem {
  const detail = (r.detail ?? {}) as Partial<TriagedProblem>;
  return {
    key: r.fingerprint as string,
    kind: (r.kind as TriagedProblem['kind']) ?? detail.kind ?? 'error',
    title: r.title as string,
    service: (r.service as string | null) ?? null,
    services: detail.services ?? [],
    users: detail.users ?? null,
    accounts: detail.accounts ?? null,
    events: detail.events ?? 0,
    trend: detail.trend ?? 'steady',
    series: detail.series ?? [],
    tickets: detail.tickets ?? [],
    owners: detail.owners ?? null,
    ownersFrom: detail.ownersFrom ?? null,
    members: detail.members ?? [],
    mergedFrom: detail.mergedFrom ?? [],
    priority: detail.priority ?? { score: Number(r.priority ?? 0), formula: '', inputs: {} },
    firstSeen: isoOrNull(r.first_seen),
    lastSeen: isoOrNull(r.last_seen),
    hint: detail.hint ?? '',
    id: Number(r.id),
    status: r.status as ProblemStatus,
    algorithm: (r.algorithm as string | null) ?? null,
    mergedInto: r.merged_into === null || r.merged_into === undefined ? null : Number(r.merged_into),
    window: r.window_since ? { since: isoOrNull(r.window_since)!, until: isoOrNull(r.window_until)! } : null,
    createdAt: isoOrNull(r.created_at)!,
    updatedAt: isoOrNull(r.updated_at)!,
    resolvedAt: isoOrNull(r.resolved_at),
  };
}

export interface SaveRunOptions {
  /**
   * Whether the run saw everything up to now (its window ends at the present and no read was
   * cut by a limit). Only such a run resolves the open problems it did not produce.
   */
  authoritative: boolean;
}

export interface SaveRunResult {
  /** Problem id by key, for every problem of the run. */
  ids: Map<string, number>;
  /** Open problems the run did not produce (and that did not merge), now 'resolved'. */
  resolved: number;
  /** Stored problems that merged into another this run, now 'merged'. */
  merged: number;
}

/**
 * Stores a run: every problem upserted by key (same key, same id; status back to 'open'),
 * first_seen and last_seen widened to what any run saw, tickets pointed at their problem,
 * stored problems that merged into another marked 'merged' with merged_into (an upstream
 * symptom into its cause; a ticket-only problem into the problem its first ticket now joins),
 * and (when the
 * run is authoritative) open problems it did not produce marked 'resolved'. Run it in a
 * transaction.
 */
export async function saveRun(q: Queryable, run: TriageResult, opts: SaveRunOptions): Promise<SaveRunResult> {
  const ids = new Map<string, number>();
  if (run.problems.length) {
    const rows = await q.query<{ id: number; fingerprint: string }>(
      `INSERT INTO problem (fingerprint, title, status, priority, service, first_seen, last_seen, algorithm, kind, detail,
                           window_since, window_until, merged_into, resolved_at, updated_at)
       SELECT v.key, v.title, 'open', v.priority, v.service, v.first_seen, v.last_seen, $2, v.kind, v.detail,
              $3::timestamptz, $4::timestamptz, NULL, NULL, now()
         FROM jsonb_to_recordset($1::jsonb) AS v(key text, title text, priority float8, service text, first_seen timestamptz,
                                                 last_seen timestamptz, kind text, detail jsonb)
       ON CONFLICT (fingerprint) DO UPDATE SET
         title = EXCLUDED.title, status = 'open', priority = EXCLUDED.priority, service = EXCLUDED.service,
         first_seen = LEAST(problem.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(problem.last_seen, EXCLUDED.last_seen),
         algorithm = EXCLUDED.algorithm, kind = EXCLUDED.kind, detail = EXCLUDED.detail,
         window_since = EXCLUDED.window_since, window_until = EXCLUDED.window_until,
         merged_into = NULL, resolved_at = NULL, updated_at = now()
       RETURNING id, fingerprint`,
      [
        JSON.stringify(
          run.problems.map((p) => ({
            key: p.key,
            title: p.title,
            priority: p.priority.score,
            service: p.service,
            first_seen: p.firstSeen,
            last_seen: p.lastSeen,
            kind: p.kind,
            detail: p,
          })),
        ),
        run.algorithm,
        run.window.since,
        run.window.until,
      ],
    );
    for (const r of rows) ids.set(r.fingerprint, Number(r.id));
  }

  // Tickets point at the problem they joined.
  const ticketIds: number[] = [];
  const ticketProblems: number[] = [];
  for (const p of run.problems) {
    for (const t of p.tickets) {
      ticketIds.push(t);
      ticketProblems.push(ids.get(p.key)!);
    }
  }
  if (ticketIds.length) {
    await q.query(
      'UPDATE ticket SET problem_id = v.p FROM unnest($1::bigint[], $2::bigint[]) AS v(t, p) WHERE ticket.id = v.t',
      [ticketIds, ticketProblems],
    );
  }

  // Problems stored before that are upstream symptoms of another this time.
  const fromKeys: string[] = [];
  const intoIds: number[] = [];
  for (const p of run.problems) {
    for (const k of p.mergedFrom) {
      fromKeys.push(k);
      intoIds.push(ids.get(p.key)!);
    }
  }
  let merged = 0;
  if (fromKeys.length) {
    const rows = await q.query(
      `UPDATE problem SET status = 'merged', merged_into = v.target, updated_at = now()
         FROM unnest($1::text[], $2::bigint[]) AS v(key, target)
        WHERE problem.fingerprint = v.key AND (problem.status <> 'merged' OR problem.merged_into IS DISTINCT FROM v.target)
        RETURNING problem.id`,
      [fromKeys, intoIds],
    );
    merged = rows.length;
    // Its tickets follow it.
    await q.query(
      `UPDATE ticket SET problem_id = p.merged_into FROM problem p WHERE ticket.problem_id = p.id AND p.status = 'merged' AND p.fingerprint = ANY($1::text[])`,
      [fromKeys],
    );
  }

  // A ticket-only problem whose first ticket now names a telemetry problem has merged into it.
  const ticketHome = new Map(ticketIds.map((t, i) => [t, ticketProblems[i]!]));
  const stale = await q.query<{ id: number; fingerprint: string }>(
    `SELECT id, fingerprint FROM problem WHERE status = 'open' AND fingerprint LIKE 'tickets:%' AND NOT (fingerprint = ANY($1::text[]))`,
    [run.problems.map((p) => p.key)],
  );
  const moved = stale.flatMap((r) => {
    const home = ticketHome.get(Number(r.fingerprint.slice('tickets:'.length)));
    return home === undefined ? [] : [[Number(r.id), home] as const];
  });
  if (moved.length) {
    await q.query(
      `UPDATE problem SET status = 'merged', merged_into = v.target, updated_at = now() FROM unnest($1::bigint[], $2::bigint[]) AS v(id, target) WHERE problem.id = v.id`,
      [moved.map((m) => m[0]), moved.map((m) => m[1])],
    );
    merged += moved.length;
  }

  let resolved = 0;
  if (opts.authoritative) {
    const rows = await q.query(
      `UPDATE problem SET status = 'resolved', resolved_at = now(), updated_at = now()
        WHERE status = 'open' AND NOT (fingerprint = ANY($1::text[]))
        RETURNING id`,
      [run.problems.map((p) => p.key)],
    );
    resolved = rows.length;
  }
  return { ids, resolved, merged };
}

export interface ProblemFilter {
  /** Default 'open'; 'all' for every status. */
  status?: ProblemStatus | 'all';
  limit: number;
  /** Only problems first seen before this time. */
  firstSeenBefore?: Date;
}

/** Highest priority first, then most events, then key. */
export async function listProblems(q: Queryable, f: ProblemFilter): Promise<Problem[]> {
  const status = f.status ?? 'open';
  const params: unknown[] = [f.limit];
  const conds: string[] = [];
  if (status !== 'all') conds.push(`status = $${params.push(status)}`);
  if (f.firstSeenBefore) conds.push(`first_seen < $${params.push(f.firstSeenBefore)}`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const rows = await q.query(
    `SELECT * FROM problem ${where}
      ORDER BY priority DESC NULLS LAST, (detail->>'events')::float8 DESC NULLS LAST, fingerprint LIMIT $1`,
    params,
  );
  return rows.map(toProblem);
}

/** Problems by id, in the order asked (unknown ids left out). */
export async function problemsByIds(q: Queryable, ids: readonly number[]): Promise<Problem[]> {
  if (ids.length === 0) return [];
  const rows = await q.query('SELECT * FROM problem WHERE id = ANY($1::bigint[])', [[...ids]]);
  const byId = new Map(rows.map((r) => [Number(r.id), toProblem(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function getProblem(q: Queryable, id: number): Promise<ProblemDetail | null> {
  const rows = await q.query('SELECT * FROM problem WHERE id = $1', [id]);
  if (!rows[0]) return null;
  const tickets = await q.query(
    'SELECT id, source, external_id, title, status, created_at, url FROM ticket WHERE problem_id = $1 ORDER BY created_at, id',
    [id],
  );
  const merged = await q.query('SELECT id, fingerprint, title FROM problem WHERE merged_into = $1 ORDER BY id', [id]);
  return {
    problem: toProblem(rows[0]),
    tickets: tickets.map((t) => ({
      id: Number(t.id),
      source: t.source as string,
      externalId: t.external_id as string,
      title: t.title as string,
      status: t.status as string,
      createdAt: isoOrNull(t.created_at)!,
      url: (t.url as string | null) ?? null,
    })),
    merged: merged.map((m) => ({ id: Number(m.id), key: m.fingerprint as string, title: m.title as string })),
  };
}

/** The id of the problem with this key, or null. */
export async function problemIdByKey(q: Queryable, key: string): Promise<number | null> {
  const rows = await q.query<{ id: number }>('SELECT id FROM problem WHERE fingerprint = $1', [key]);
  return rows[0] ? Number(rows[0].id) : null;
}

// ---------------------------------------------------------------------------------------
// What a triage run reads besides the analysis tables

export interface OpenTicket {
  id: number;
  externalId: string;
  title: string;
  body: string;
  createdAt: number;
  updatedAt: number | null;
  reporterHash: string | null;
  /** `kind:value`, with the template for routes and errors where there is one. */
  entities: string[];
  /** Services linked by a trace or by name. */
  linkedServices: string[];
  /** Services linked because they served a route the ticket names. */
  routeServices: string[];
  /** Users the ticket names (user ids and email hashes). */
  users: string[];
}

/**
 * Open and pending tickets created before `until` and created or updated at or after
 * `since`, newest first, at most `limit`; with their mentions and service links.
 */
export async function openTickets(q: Queryable, since: Date, until: Date, limit: number): Promise<OpenTicket[]> {
  const rows = await q.query(
    `SELECT id, external_id, title, body, created_at, updated_at, reporter_hash FROM ticket
      WHERE status IN ('open', 'pending') AND created_at < $2 AND (created_at >= $1 OR updated_at >= $1)
      ORDER BY created_at DESC, id DESC LIMIT $3`,
    [since, until, limit],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const mentions = await q.query<{ ticket_id: number; kind: string; value: string; template: string | null }>(
    'SELECT ticket_id, kind, value, template FROM ticket_mention WHERE ticket_id = ANY($1::bigint[]) ORDER BY ticket_id, kind, value',
    [ids],
  );
  const links = await q.query<{ src_id: string; dst_id: string; attributes: { via?: string[] } | null }>(
    `SELECT src_id, dst_id, attributes FROM link
      WHERE src_kind = 'ticket' AND kind = 'mentions' AND dst_kind = 'service' AND src_id = ANY($1::text[]) ORDER BY src_id, dst_id`,
    [ids.map(String)],
  );
  const byId = new Map<number, OpenTicket>(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        externalId: r.external_id as string,
        title: r.title as string,
        body: r.body as string,
        createdAt: Date.parse(isoOrNull(r.created_at)!),
        updatedAt: r.updated_at ? Date.parse(isoOrNull(r.updated_at)!) : null,
        reporterHash: (r.reporter_hash as string | null) ?? null,
        entities: [],
        linkedServices: [],
        routeServices: [],
        users: [],
      },
    ]),
  );
  for (const m of mentions) {
    const t = byId.get(Number(m.ticket_id))!;
    const useTemplate = (m.kind === 'route' || m.kind === 'error') && m.template;
    t.entities.push(`${m.kind}:${useTemplate ? m.template : m.value}`);
    if (m.kind === 'user' || m.kind === 'email') t.users.push(m.value);
  }
  for (const l of links) {
    const t = byId.get(Number(l.src_id));
    if (!t) continue;
    const via = l.attributes?.via ?? [];
    if (via.some((v) => v !== 'route')) t.linkedServices.push(l.dst_id);
    if (via.includes('route')) t.routeServices.push(l.dst_id);
  }
  return [...byId.values()];
}

/** Texts of a user's errors kept per user (the most frequent first). */
export const MAX_USER_ERRORS = 20;

/**
 * Per user, the errors it had in [since, until): the service and the text of its failed spans
 * (status message) and ERROR logs (body), distinct, most frequent first, at most
 * MAX_USER_ERRORS; a failure with no text is kept with an empty one (it still places the user).
 */
export async function userErrors(
  q: Queryable,
  users: readonly string[],
  since: Date,
  until: Date,
): Promise<Map<string, Array<{ service: string; text: string }>>> {
  const out = new Map<string, Array<{ service: string; text: string }>>();
  if (users.length === 0) return out;
  const rows = await q.query<{ u: string; service: string; text: string }>(
    `SELECT u, service, text FROM (
       SELECT u, service, text, row_number() OVER (PARTITION BY u ORDER BY sum(n) DESC, service, text) AS rank
         FROM (
           SELECT user_id AS u, service, left(COALESCE(status_message, ''), 500) AS text, 1 AS n
             FROM span WHERE user_id = ANY($1::text[]) AND status_code = 2 AND start_time >= $2 AND start_time < $3
           UNION ALL
           SELECT user_id, service, left(body, 500), 1
             FROM log_record WHERE user_id = ANY($1::text[]) AND severity_number >= 17 AND time >= $2 AND time < $3
         ) e
        GROUP BY u, service, text
     ) r WHERE rank <= $4 ORDER BY u, rank`,
    [[...new Set(users)], since, until, MAX_USER_ERRORS],
  );
  for (const r of rows) {
    const l = out.get(r.u);
    if (l) l.push({ service: r.service, text: r.text });
    else out.set(r.u, [{ service: r.service, text: r.text }]);
  }
  return out;
}

const METHOD_PREFIX = /^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+/i;

/** Route keys (analysis routeKey) of the endpoints each service served in [since, until); span names that are not paths are left out. */
export async function servedRoutes(q: Queryable, since: Date, until: Date): Promise<Record<string, string[]>> {
  const rows = await q.query<{ service: string; endpoint: string }>(
    'SELECT DISTINCT service, endpoint FROM red_minute WHERE minute >= $1 AND minute < $2',
    [since, until],
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) {
    const path = r.endpoint.replace(METHOD_PREFIX, '');
    if (!path.startsWith('/')) continue;
    const list = out[r.service] ?? [];
    list.push(routeKey(path));
    out[r.service] = list;
  }
  return out;
}

/** Caller → callee pairs of the service graph with calls in [since, until). */
export async function edgePairs(
  q: Queryable,
  since: Date,
  until: Date,
): Promise<Array<{ caller: string; callee: string }>> {
  return q.query<{ caller: string; callee: string }>(
    'SELECT DISTINCT caller, callee FROM edge_minute WHERE minute >= $1 AND minute < $2 ORDER BY caller, callee',
    [since, until],
  );
}

// ---------------------------------------------------------------------------------------
// Owners

export interface OwnerQuery {
  /** The caller's handle for the answer. */
  id: string;
  service: string;
  /** The file of the innermost in-app frame, as the stack trace gave it. */
  file?: string | null;
  /** A log pattern's key: owners of its call site's file when the pattern is linked to one. */
  patternKey?: string | null;
}

/** A stack frame's file as a repository-relative path: no scheme, no leading ./ or /, forward slashes. */
export function framePath(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/[?#].*$/, '')
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
    .replace(/^(?:\.{0,2}\/)+/, '');
}

function commonTail(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/**
 * The owners of each item, and how they were found:
 *  1. a frame's file matched against indexed files by path suffix (same file name, most
 *     trailing folders in common, a file of the same service first; at least two segments in
 *     common unless the file is the service's): that file's CODEOWNERS owners;
 *  2. a pattern linked to its call site: the owners of the call site's file;
 *  3. otherwise the CODEOWNERS owners of the service's folder (service_path prefix).
 * Items none of these answer (or whose owners are empty) are absent from the map.
 */
export async function ownersFor(q: Queryable, items: readonly OwnerQuery[]): Promise<Map<string, Owners>> {
  const out = new Map<string, Owners>();
  if (items.length === 0) return out;

  const withFile = items.filter((i) => i.file).map((i) => ({ i, segs: framePath(i.file!).split('/').filter(Boolean) }));
  const names = [...new Set(withFile.map((x) => x.segs.at(-1)).filter((n): n is string => !!n))];
  if (names.length) {
    const files = await q.query<{ path: string; owners: string[]; service: string | null }>(
      `SELECT f.path, f.owners, s.name AS service FROM file f LEFT JOIN service s ON s.id = f.service_id
        WHERE substring(f.path from '[^/]*$') = ANY($1::text[])`,
      [names],
    );
    const byName = new Map<string, typeof files>();
    for (const f of files) {
      const n = f.path.slice(f.path.lastIndexOf('/') + 1);
      const l = byName.get(n);
      if (l) l.push(f);
      else byName.set(n, [f]);
    }
    for (const { i, segs } of withFile) {
      let best: { path: string; owners: string[]; rank: number } | null = null;
      for (const f of byName.get(segs.at(-1)!) ?? []) {
        const common = commonTail(segs, f.path.split('/'));
        const same = f.service === i.service;
        if (common < 2 && !same) continue;
        const rank = (same ? 1000 : 0) + common;
        if (!best || rank > best.rank || (rank === best.rank && f.path < best.path))
          best = { path: f.path, owners: f.owners ?? [], rank };
      }
      if (best?.owners.length) out.set(i.id, { owners: best.owners, from: `file:${best.path}` });
    }
  }

  const withPattern = items.filter((i) => i.patternKey && !out.has(i.id));
  if (withPattern.length) {
    const rows = await q.query<{ service: string; pattern_key: string; path: string; owners: string[] }>(
      `SELECT p.service, p.pattern_key, f.path, f.owners
         FROM unnest($1::text[], $2::text[]) AS k(service, key)
         JOIN log_pattern p ON p.service = k.service AND p.pattern_key = k.key
         JOIN symbol sy ON sy.id = p.callsite_symbol_id
         JOIN file f ON f.id = sy.file_id`,
      [withPattern.map((i) => i.service), withPattern.map((i) => i.patternKey!)],
    );
    for (const i of withPattern) {
      const r = rows.find((x) => x.service === i.service && x.pattern_key === i.patternKey && x.owners?.length);
      if (r) out.set(i.id, { owners: r.owners, from: `callsite:${r.path}` });
    }
  }

  const rest = items.filter((i) => !out.has(i.id));
  if (rest.length) {
    const paths = await q.query<{ repository_id: number; path_prefix: string; service: string }>(
      'SELECT repository_id, path_prefix, service FROM service_path WHERE service = ANY($1::text[]) ORDER BY length(path_prefix) DESC, path_prefix',
      [[...new Set(rest.map((i) => i.service))]],
    );
    if (paths.length) {
      const rules = await q.query<{ repository_id: number; line: number; pattern: string; owners: string[] }>(
        'SELECT repository_id, line, pattern, owners FROM codeowner_rule WHERE repository_id = ANY($1::bigint[]) ORDER BY repository_id, line',
        [[...new Set(paths.map((p) => Number(p.repository_id)))]],
      );
      const rulesOf = new Map<number, CodeownerRule[]>();
      for (const r of rules) {
        const l = rulesOf.get(Number(r.repository_id)) ?? [];
        l.push({ line: r.line, pattern: r.pattern, owners: r.owners });
        rulesOf.set(Number(r.repository_id), l);
      }
      const byService = new Map<string, Owners>();
      for (const p of paths) {
        if (byService.has(p.service)) continue;
        const owners = ownersOf(p.path_prefix, rulesOf.get(Number(p.repository_id)) ?? []);
        if (owners.length) byService.set(p.service, { owners, from: `service-path:${p.path_prefix || '/'}` });
      }
      for (const i of rest) {
        const o = byService.get(i.service);
        if (o) out.set(i.id, o);
      }
    }
  }
  return out;
}

/**
 * Closes (resolved) or reopens (open) a problem after a remediation's outcome; a merged problem
 * is left as it is. Returns the status it had, or null when there is no such problem.
 */
export async function setProblemStatus(
  q: Queryable,
  id: number,
  to: 'open' | 'resolved',
): Promise<ProblemStatus | null> {
  const rows = await q.query('SELECT status FROM problem WHERE id = $1 FOR UPDATE', [id]);
  if (!rows.length) return null;
  const was = rows[0]!.status as ProblemStatus;
  if (was !== 'merged' && was !== to)
    await q.query(
      `UPDATE problem SET status = $2, resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE NULL END,
              updated_at = now() WHERE id = $1`,
      [id, to],
    );
  return was;
}
