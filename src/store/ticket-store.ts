// Tickets in the store: upsert by (source, external id), their mentions (ticket_mention), and
// their links to users, accounts, traces and services (rows of `link`, src_kind 'ticket',
// kind 'mentions', dst_id the target's natural key). Linking uses indexed lookups only.
import { routeKey } from '../analysis/index.js';
import type {
  Ticket,
  TicketComment,
  TicketDetail,
  TicketLink,
  TicketLinkTarget,
  TicketMention,
  TicketStatus,
} from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { EMAIL_HASH_KEY, instanceSecret } from './instance-secret.js';
import { SPAN_ROUTE_KEY_SQL } from './migrations/004-tickets.js';

export { EMAIL_HASH_KEY, instanceSecret };

/**
 * Service names Orrery knows: the service table plus every service seen in spans and logs.
 * Distinct services are read by skipping along the (service, time) indexes (a loose index
 * scan), not by scanning the raw tables.
 */
export async function knownServices(q: Queryable): Promise<string[]> {
  const loose = (table: string) => `(WITH RECURSIVE s(name) AS (
      (SELECT service FROM ${table} ORDER BY service LIMIT 1)
      UNION ALL
      SELECT (SELECT service FROM ${table} WHERE service > s.name ORDER BY service LIMIT 1) FROM s WHERE s.name IS NOT NULL
    ) SELECT name FROM s WHERE name IS NOT NULL)`;
  const rows = await q.query<{ name: string }>(
    `SELECT name FROM service UNION ${loose('span')} UNION ${loose('log_record')} ORDER BY name`,
  );
  return rows.map((r) => r.name);
}

/** A ticket ready to store: text already redacted, identities already hashed. */
export interface TicketRow {
  source: string;
  externalId: string;
  title: string;
  body: string;
  status: TicketStatus;
  sourceStatus: string | null;
  reporterHash: string | null;
  url: string | null;
  labels: string[];
  priority: string | null;
  createdAt: Date;
  updatedAt: Date | null;
  comments: TicketComment[];
  mentions: TicketMention[];
  algorithm: string;
}

const iso = (v: unknown): string | null =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? new Date(v).toISOString() : null;

function toTicket(r: Row): Ticket {
  return {
    id: Number(r.id),
    source: r.source as string,
    externalId: r.external_id as string,
    title: r.title as string,
    body: r.body as string,
    status: r.status as TicketStatus,
    sourceStatus: (r.source_status as string | null) ?? null,
    reporterHash: (r.reporter_hash as string | null) ?? null,
    url: (r.url as string | null) ?? null,
    labels: (r.labels as string[] | null) ?? [],
    priority: (r.priority as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at),
    ingestedAt: iso(r.ingested_at)!,
    comments: (r.comments as TicketComment[] | null) ?? [],
    problemId: r.problem_id === null || r.problem_id === undefined ? null : Number(r.problem_id),
  };
}

/** The stored ticket with this source and external id and its mentions, locked for update inside a transaction. */
export async function findTicket(
  q: Queryable,
  source: string,
  externalId: string,
): Promise<{ ticket: Ticket; mentions: TicketMention[] } | null> {
  const rows = await q.query('SELECT * FROM ticket WHERE source = $1 AND external_id = $2 FOR UPDATE', [
    source,
    externalId,
  ]);
  if (!rows[0]) return null;
  const stored = rows[0].mentions as { items?: TicketMention[] } | null;
  return { ticket: toTicket(rows[0]), mentions: stored?.items ?? [] };
}

/** Inserts or replaces the ticket (merging is the caller's job) and its mentions; returns its id. */
export async function saveTicket(q: Queryable, t: TicketRow): Promise<{ id: number; created: boolean }> {
  const rows = await q.query<{ id: number; created: boolean }>(
    `INSERT INTO ticket (source, external_id, title, body, status, source_status, reporter_hash, url, labels, priority,
                         created_at, updated_at, comments, mentions, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text[], $10, $11, $12, $13::jsonb, $14::jsonb, now())
     ON CONFLICT (source, external_id) DO UPDATE SET
       title = EXCLUDED.title, body = EXCLUDED.body, status = EXCLUDED.status, source_status = EXCLUDED.source_status,
       reporter_hash = EXCLUDED.reporter_hash, url = EXCLUDED.url, labels = EXCLUDED.labels, priority = EXCLUDED.priority,
       created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, comments = EXCLUDED.comments,
       mentions = EXCLUDED.mentions, ingested_at = now()
     RETURNING id, (xmax = 0) AS created`,
    [
      t.source,
      t.externalId,
      t.title,
      t.body,
      t.status,
      t.sourceStatus,
      t.reporterHash,
      t.url,
      t.labels,
      t.priority,
      t.createdAt,
      t.updatedAt,
      JSON.stringify(t.comments),
      JSON.stringify({ algorithm: t.algorithm, items: t.mentions }),
    ],
  );
  const id = Number(rows[0]!.id);
  await q.query('DELETE FROM ticket_mention WHERE ticket_id = $1', [id]);
  if (t.mentions.length) {
    await q.query(
      `INSERT INTO ticket_mention (ticket_id, kind, value, template, at, fields, count)
       SELECT $1, k, v, tpl, at, string_to_array(f, ','), n
       FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::int[]) AS m(k, v, tpl, at, f, n)`,
      [
        id,
        t.mentions.map((m) => m.kind),
        t.mentions.map((m) => m.value),
        t.mentions.map((m) => m.template ?? null),
        t.mentions.map((m) => m.at ?? null),
        t.mentions.map((m) => m.fields.join(',')),
        t.mentions.map((m) => m.count),
      ],
    );
  }
  return { id, created: Boolean(rows[0]!.created) };
}

/** At most this many routes per ticket are matched against spans (each is a few index probes). */
const MAX_ROUTES = 20;

interface LinkDraft {
  dstKind: TicketLinkTarget;
  dstId: string;
  attributes: Record<string, unknown>;
}

/**
 * Links a ticket to what its mentions point at, replacing its previous links:
 * - every mentioned user id and email hash → an `end_user` (created if new), with
 *   `observed: true` when spans or logs carry that user id;
 * - every mentioned account id → an `account` (created if new);
 * - every mentioned trace id that spans hold → the trace, and the services in it;
 * - every route that a service served (a server span's http_route, compared by routeKey) → that service;
 * - every known service named in the text → that service.
 */
export async function linkTicket(
  q: Queryable,
  ticketId: number,
  mentions: readonly TicketMention[],
): Promise<TicketLink[]> {
  const of = (...kinds: string[]) => [...new Set(mentions.filter((m) => kinds.includes(m.kind)).map((m) => m.value))];
  const links = new Map<string, LinkDraft>();
  const link = (dstKind: TicketLinkTarget, dstId: string, attrs: Record<string, unknown>) => {
    const key = `${dstKind}\u0000${dstId}`;
    const prev = links.get(key);
    if (!prev) return void links.set(key, { dstKind, dstId, attributes: attrs });
    for (const [k, v] of Object.entries(attrs)) {
      const old = prev.attributes[k];
      prev.attributes[k] = Array.isArray(old) && Array.isArray(v) ? [...new Set([...old, ...v])] : v;
    }
  };

  const users = of('user', 'email');
  if (users.length) {
    await q.query(
      'INSERT INTO end_user (external_id) SELECT u FROM unnest($1::text[]) u ON CONFLICT (external_id) DO NOTHING',
      [users],
    );
    const seen = await q.query<{ u: string }>(
      `SELECT u FROM unnest($1::text[]) u
       WHERE EXISTS (SELECT 1 FROM span WHERE user_id = u) OR EXISTS (SELECT 1 FROM log_record WHERE user_id = u)`,
      [users],
    );
    const observed = new Set(seen.map((r) => r.u));
    for (const m of mentions) {
      if (m.kind === 'user' || m.kind === 'email')
        link('end_user', m.value, { via: [m.kind], observed: observed.has(m.value) });
    }
  }

  const accounts = of('account');
  if (accounts.length) {
    await q.query(
      'INSERT INTO account (external_id) SELECT a FROM unnest($1::text[]) a ON CONFLICT (external_id) DO NOTHING',
      [accounts],
    );
    for (const a of accounts) link('account', a, { via: ['account'] });
  }

  const traces = of('trace');
  if (traces.length) {
    const rows = await q.query<{ trace_id: string; services: string[] }>(
      'SELECT trace_id, array_agg(DISTINCT service) AS services FROM span WHERE trace_id = ANY($1::text[]) GROUP BY trace_id',
      [traces],
    );
    for (const r of rows) {
      link('trace', r.trace_id, { services: r.services });
      for (const s of r.services) link('service', s, { via: ['trace'], traces: [r.trace_id] });
    }
  }

  const routes = [
    ...new Set(mentions.filter((m) => m.kind === 'route').map((m) => routeKey(m.template ?? m.value))),
  ].slice(0, MAX_ROUTES);
  for (const key of routes) {
    const where = `http_route IS NOT NULL AND kind = 2 AND ${SPAN_ROUTE_KEY_SQL} = $1`;
    const rows = await q.query<{ name: string }>(
      `WITH RECURSIVE s(name) AS (
         (SELECT service FROM span WHERE ${where} ORDER BY service LIMIT 1)
         UNION ALL
         SELECT (SELECT service FROM span WHERE ${where} AND service > s.name ORDER BY service LIMIT 1) FROM s WHERE s.name IS NOT NULL
       ) SELECT name FROM s WHERE name IS NOT NULL`,
      [key],
    );
    for (const r of rows) link('service', r.name, { via: ['route'], routes: [key] });
  }

  for (const s of of('service')) link('service', s, { via: ['name'] });

  await q.query(`DELETE FROM link WHERE src_kind = 'ticket' AND src_id = $1 AND kind = 'mentions'`, [String(ticketId)]);
  const drafts = [...links.values()];
  if (drafts.length) {
    await q.query(
      `INSERT INTO link (src_kind, src_id, kind, dst_kind, dst_id, attributes)
       SELECT 'ticket', $1, 'mentions', k, d, a::jsonb FROM unnest($2::text[], $3::text[], $4::text[]) AS l(k, d, a)`,
      [
        String(ticketId),
        drafts.map((l) => l.dstKind),
        drafts.map((l) => l.dstId),
        drafts.map((l) => JSON.stringify(l.attributes)),
      ],
    );
  }
  return drafts.map((l) => ({ kind: 'mentions', ...l }));
}

function toMention(r: Row): TicketMention {
  const m: TicketMention = {
    kind: r.kind as TicketMention['kind'],
    value: r.value as string,
    fields: r.fields as TicketMention['fields'],
    count: Number(r.count),
  };
  if (r.template !== null && r.template !== undefined) m.template = r.template as string;
  const at = iso(r.at);
  if (at) m.at = at;
  return m;
}

const KIND_ORDER = `array_position(ARRAY['email','user','account','url','route','error','trace','version','timestamp','service'], kind)`;

export async function getTicket(q: Queryable, id: number): Promise<TicketDetail | null> {
  const rows = await q.query('SELECT * FROM ticket WHERE id = $1', [id]);
  if (!rows[0]) return null;
  const mentions = await q.query(`SELECT * FROM ticket_mention WHERE ticket_id = $1 ORDER BY ${KIND_ORDER}, value`, [
    id,
  ]);
  const links = await q.query(
    `SELECT kind, dst_kind, dst_id, attributes FROM link WHERE src_kind = 'ticket' AND src_id = $1 ORDER BY dst_kind, dst_id`,
    [String(id)],
  );
  return {
    ticket: toTicket(rows[0]),
    mentions: mentions.map(toMention),
    links: links.map((r) => ({
      kind: r.kind as string,
      dstKind: r.dst_kind as TicketLinkTarget,
      dstId: r.dst_id as string,
      attributes: (r.attributes as Record<string, unknown>) ?? {},
    })),
  };
}

export interface TicketFilter {
  source?: string;
  status?: TicketStatus;
  /** Only tickets that mention this (kind, value): e.g. every ticket about one user or trace. */
  mention?: { kind: string; value: string };
  limit: number;
}

export interface TicketSummary extends Omit<Ticket, 'body' | 'comments'> {
  mentionCount: number;
  linkCount: number;
}

/** Newest first. */
export async function listTickets(q: Queryable, f: TicketFilter): Promise<TicketSummary[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.source) where.push(`t.source = $${params.push(f.source)}`);
  if (f.status) where.push(`t.status = $${params.push(f.status)}`);
  if (f.mention) {
    where.push(
      `EXISTS (SELECT 1 FROM ticket_mention m WHERE m.ticket_id = t.id AND m.kind = $${params.push(f.mention.kind)} AND m.value = $${params.push(f.mention.value)})`,
    );
  }
  const rows = await q.query(
    `SELECT t.*, 
       (SELECT count(*) FROM ticket_mention m WHERE m.ticket_id = t.id) AS mention_count,
       (SELECT count(*) FROM link l WHERE l.src_kind = 'ticket' AND l.src_id = t.id::text) AS link_count
     FROM ticket t ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY t.created_at DESC, t.id DESC LIMIT $${params.push(f.limit)}`,
    params,
  );
  return rows.map((r) => {
    const { body: _b, comments: _c, ...t } = toTicket(r);
    return { ...t, mentionCount: Number(r.mention_count), linkCount: Number(r.link_count) };
  });
}

export async function countTickets(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number }>('SELECT count(*) AS n FROM ticket');
  return Number(rows[0]?.n ?? 0);
}

/** A ticket as the related-tickets step reads it: text, time, and its mentions as `kind:value` keys. */
export interface TicketFactsRow {
  id: number;
  externalId: string;
  title: string;
  body: string;
  createdAt: Date;
  problemId: number | null;
  /** `kind:value`, with the template for routes and errors (so `/cart/1` and `/cart/2` join). */
  entities: string[];
}

/** Tickets created in [from, to], newest first, at most `limit`, with their mention keys. */
export async function ticketFactsBetween(q: Queryable, from: Date, to: Date, limit: number): Promise<TicketFactsRow[]> {
  const rows = await q.query(
    `SELECT t.id, t.external_id, t.title, t.body, t.created_at, t.problem_id,
       COALESCE((SELECT array_agg(DISTINCT m.kind || ':' || COALESCE(m.template, m.value)) FROM ticket_mention m
                  WHERE m.ticket_id = t.id AND m.kind <> 'timestamp' AND m.kind <> 'version'), '{}') AS entities
     FROM ticket t WHERE t.created_at BETWEEN $1 AND $2 ORDER BY t.created_at DESC, t.id DESC LIMIT $3`,
    [from, to, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    externalId: r.external_id as string,
    title: r.title as string,
    body: r.body as string,
    createdAt: new Date(iso(r.created_at)!),
    problemId: r.problem_id === null || r.problem_id === undefined ? null : Number(r.problem_id),
    entities: (r.entities as string[]) ?? [],
  }));
}

/** What a set of users and accounts did in a window, per service: requests, failed requests, the first failure. */
export interface UserActivityRow {
  service: string;
  requests: number;
  errors: number;
  firstError: Date | null;
  lastError: Date | null;
  users: string[];
  traces: string[];
  /** The failures by status message (most first), for telling the users' main failure from a stray one. */
  failures: Array<{ message: string | null; errors: number; first: Date }>;
}

/** Spans of these users (or accounts) in [since, until], grouped by service, most errors first. */
export async function userActivity(
  q: Queryable,
  users: readonly string[],
  accounts: readonly string[],
  since: Date,
  until: Date,
): Promise<UserActivityRow[]> {
  if (users.length === 0 && accounts.length === 0) return [];
  // One read of the users' spans: per service, and per service and failure message.
  const rows = await q.query(
    `WITH s AS MATERIALIZED (
       SELECT service, status_code, status_message, start_time, user_id, trace_id FROM span
        WHERE (user_id = ANY($1::text[]) OR account_id = ANY($2::text[])) AND start_time BETWEEN $3 AND $4),
     f AS (
       SELECT service, status_message AS message, count(*) AS n, min(start_time) AS first,
              row_number() OVER (PARTITION BY service ORDER BY count(*) DESC, min(start_time)) AS rank
         FROM s WHERE status_code = 2 GROUP BY service, status_message)
     SELECT s.service, count(*) AS requests, count(*) FILTER (WHERE s.status_code = 2) AS errors,
       min(s.start_time) FILTER (WHERE s.status_code = 2) AS first_error, max(s.start_time) FILTER (WHERE s.status_code = 2) AS last_error,
       (array_agg(DISTINCT s.user_id) FILTER (WHERE s.user_id IS NOT NULL))[1:20] AS users,
       (array_agg(DISTINCT s.trace_id) FILTER (WHERE s.status_code = 2))[1:5] AS traces,
       (SELECT json_agg(json_build_object('message', f.message, 'errors', f.n, 'first', f.first) ORDER BY f.rank)
          FROM f WHERE f.service = s.service AND f.rank <= 10) AS failures
     FROM s
     GROUP BY s.service ORDER BY errors DESC, requests DESC LIMIT 50`,
    [users, accounts, since, until],
  );
  return rows.map((r) => ({
    service: r.service as string,
    requests: Number(r.requests),
    errors: Number(r.errors),
    firstError: r.first_error ? new Date(iso(r.first_error)!) : null,
    lastError: r.last_error ? new Date(iso(r.last_error)!) : null,
    users: (r.users as string[] | null) ?? [],
    traces: (r.traces as string[] | null) ?? [],
    failures: (
      (r.failures as Array<{ message: string | null; errors: number | string; first: string }> | null) ?? []
    ).map((f) => ({
      message: f.message || null,
      errors: Number(f.errors),
      first: new Date(iso(f.first)!),
    })),
  }));
}
