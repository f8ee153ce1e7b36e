// Tickets in the store: upsert by (source, external id), their mentions (ticket_mention), and
// their links to users, accounts, traces and services (rows of `link`, src_kind 'ticket',
// kind 'mentions', dst_id the target's natural key). Linking uses indexed lookups only.
import { TupleMap, routeKey } from '../analysis/index.js';
import type {
  Ticket,
  TicketComment,
  TicketDetail,
  TicketLink,
  TicketLinkTarget,
  TicketMention,
  TicketStatus,
  TicketSummary,
} from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { isoOrNull } from './timestamps.js';
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
    createdAt: isoOrNull(r.created_at)!,
    updatedAt: isoOrNull(r.updated_at),
    ingestedAt: isoOrNull(r.ingested_at)!,
    comments: (r.comments as TicketComment[] | null) ?? [],
    problemId: r.problem_id === null || r.problem_id === undefined ? null : Number(r.problem_id),
  };
}

/** (source, external id): the key tickets are upserted by. */
export type TicketKey = [source: string, externalId: string];

export const ticketKey = (source: string, externalId: string): TicketKey => [source, externalId];

export interface StoredTicket {
  ticket: Ticket;
  mentions: TicketMention[];
}

/**
 * The stored tickets with these keys and their mentions, by ticketKey, locked for update inside a
 * transaction (so that two writers of one ticket merge in turn). One query for the whole set.
 */
export async function findTickets(
  q: Queryable,
  keys: ReadonlyArray<{ source: string; externalId: string }>,
): Promise<TupleMap<TicketKey, StoredTicket>> {
  const out = new TupleMap<TicketKey, StoredTicket>();
  if (keys.length === 0) return out;
  const rows = await q.query(
    `SELECT t.* FROM ticket t JOIN unnest($1::text[], $2::text[]) AS k(s, e) ON t.source = k.s AND t.external_id = k.e
     ORDER BY t.id FOR UPDATE OF t`,
    [keys.map((k) => k.source), keys.map((k) => k.externalId)],
  );
  for (const r of rows) {
    const stored = r.mentions as { items?: TicketMention[] } | null;
    out.set(ticketKey(r.source as string, r.external_id as string), {
      ticket: toTicket(r),
      mentions: stored?.items ?? [],
    });
  }
  return out;
}

/**
 * Inserts or replaces the tickets (merging is the caller's job) and their mentions, in a few
 * statements whatever their number; returns each one's id in input order. The keys must be
 * distinct: one statement cannot upsert a row twice.
 */
export async function saveTickets(
  q: Queryable,
  ts: readonly TicketRow[],
): Promise<Array<{ id: number; created: boolean }>> {
  if (ts.length === 0) return [];
  const col = <T>(f: (t: TicketRow) => T) => ts.map(f);
  const rows = await q.query<{ id: number; source: string; external_id: string; created: boolean }>(
    `INSERT INTO ticket (source, external_id, title, body, status, source_status, reporter_hash, url, labels, priority,
                         created_at, updated_at, comments, mentions, ingested_at)
     SELECT s, e, ti, b, st, ss, rh, u, ARRAY(SELECT jsonb_array_elements_text(l::jsonb)), p, ca, ua, c::jsonb, m::jsonb, now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[])
          WITH ORDINALITY AS r(s, e, ti, b, st, ss, rh, u, l, p, ca, ua, c, m, ord)
     ORDER BY ord
     ON CONFLICT (source, external_id) DO UPDATE SET
       title = EXCLUDED.title, body = EXCLUDED.body, status = EXCLUDED.status, source_status = EXCLUDED.source_status,
       reporter_hash = EXCLUDED.reporter_hash, url = EXCLUDED.url, labels = EXCLUDED.labels, priority = EXCLUDED.priority,
       created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, comments = EXCLUDED.comments,
       mentions = EXCLUDED.mentions, ingested_at = now()
     RETURNING id, source, external_id, (xmax = 0) AS created`,
    [
      col((t) => t.source),
      col((t) => t.externalId),
      col((t) => t.title),
      col((t) => t.body),
      col((t) => t.status),
      col((t) => t.sourceStatus),
      col((t) => t.reporterHash),
      col((t) => t.url),
      col((t) => JSON.stringify(t.labels)),
      col((t) => t.priority),
      col((t) => t.createdAt.toISOString()),
      col((t) => t.updatedAt?.toISOString() ?? null),
      col((t) => JSON.stringify(t.comments)),
      col((t) => JSON.stringify({ algorithm: t.algorithm, items: t.mentions })),
    ],
  );
  const byKey = new TupleMap<TicketKey, { id: number; created: boolean }>();
  for (const r of rows)
    byKey.set(ticketKey(r.source, r.external_id), { id: Number(r.id), created: Boolean(r.created) });
  const saved = ts.map((t) => byKey.get(ticketKey(t.source, t.externalId))!);
  const ids = saved.map((s) => s.id);
  await q.query('DELETE FROM ticket_mention WHERE ticket_id = ANY($1::bigint[])', [ids]);
  const ms = ts.flatMap((t, i) => t.mentions.map((m) => ({ id: ids[i]!, m })));
  if (ms.length) {
    await q.query(
      `INSERT INTO ticket_mention (ticket_id, kind, value, template, at, fields, count)
       SELECT id, k, v, tpl, at, string_to_array(f, ','), n
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::int[]) AS m(id, k, v, tpl, at, f, n)`,
      [
        ms.map((x) => x.id),
        ms.map((x) => x.m.kind),
        ms.map((x) => x.m.value),
        ms.map((x) => x.m.template ?? null),
        ms.map((x) => x.m.at ?? null),
        ms.map((x) => x.m.fields.join(',')),
        ms.map((x) => x.m.count),
      ],
    );
  }
  return saved;
}

/** At most this many routes per ticket are matched against spans (each is a few index probes). */
const MAX_ROUTES = 20;

interface LinkDraft {
  dstKind: TicketLinkTarget;
  dstId: string;
  attributes: Record<string, unknown>;
}

/** What the lookups of one batch of tickets found, shared by every ticket in it. */
interface LinkFacts {
  observedUsers: Set<string>;
  traceServices: Map<string, string[]>;
  routeServices: Map<string, string[]>;
}

const distinct = (mentions: readonly TicketMention[], ...kinds: string[]) => [
  ...new Set(mentions.filter((m) => kinds.includes(m.kind)).map((m) => m.value)),
];
const routeKeys = (mentions: readonly TicketMention[]) =>
  [...new Set(mentions.filter((m) => m.kind === 'route').map((m) => routeKey(m.template ?? m.value)))].slice(
    0,
    MAX_ROUTES,
  );

/** Creates the users and accounts the tickets mention and looks up, once per batch, what spans and logs know of them. */
async function linkFacts(q: Queryable, all: readonly TicketMention[][]): Promise<LinkFacts> {
  const flat = all.flat();
  const users = distinct(flat, 'user', 'email');
  const facts: LinkFacts = { observedUsers: new Set(), traceServices: new Map(), routeServices: new Map() };
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
    for (const r of seen) facts.observedUsers.add(r.u);
  }
  const accounts = distinct(flat, 'account');
  if (accounts.length) {
    await q.query(
      'INSERT INTO account (external_id) SELECT a FROM unnest($1::text[]) a ON CONFLICT (external_id) DO NOTHING',
      [accounts],
    );
  }
  const traces = distinct(flat, 'trace');
  if (traces.length) {
    const rows = await q.query<{ trace_id: string; services: string[] }>(
      'SELECT trace_id, array_agg(DISTINCT service ORDER BY service) AS services FROM span WHERE trace_id = ANY($1::text[]) GROUP BY trace_id',
      [traces],
    );
    for (const r of rows) facts.traceServices.set(r.trace_id, r.services);
  }
  for (const key of new Set(all.flatMap(routeKeys))) {
    const where = `http_route IS NOT NULL AND kind = 2 AND ${SPAN_ROUTE_KEY_SQL} = $1`;
    const rows = await q.query<{ name: string }>(
      `WITH RECURSIVE s(name) AS (
         (SELECT service FROM span WHERE ${where} ORDER BY service LIMIT 1)
         UNION ALL
         SELECT (SELECT service FROM span WHERE ${where} AND service > s.name ORDER BY service LIMIT 1) FROM s WHERE s.name IS NOT NULL
       ) SELECT name FROM s WHERE name IS NOT NULL`,
      [key],
    );
    facts.routeServices.set(
      key,
      rows.map((r) => r.name),
    );
  }
  return facts;
}

/** One ticket's links from the batch's facts. */
function linkDrafts(mentions: readonly TicketMention[], facts: LinkFacts): LinkDraft[] {
  const links = new TupleMap<[TicketLinkTarget, string], LinkDraft>();
  const link = (dstKind: TicketLinkTarget, dstId: string, attrs: Record<string, unknown>) => {
    const key: [TicketLinkTarget, string] = [dstKind, dstId];
    const prev = links.get(key);
    if (!prev) return void links.set(key, { dstKind, dstId, attributes: attrs });
    for (const [k, v] of Object.entries(attrs)) {
      const old = prev.attributes[k];
      prev.attributes[k] = Array.isArray(old) && Array.isArray(v) ? [...new Set([...old, ...v])] : v;
    }
  };
  for (const m of mentions) {
    if (m.kind === 'user' || m.kind === 'email')
      link('end_user', m.value, { via: [m.kind], observed: facts.observedUsers.has(m.value) });
  }
  for (const a of distinct(mentions, 'account')) link('account', a, { via: ['account'] });
  for (const t of distinct(mentions, 'trace')) {
    const services = facts.traceServices.get(t);
    if (!services) continue;
    link('trace', t, { services });
    for (const s of services) link('service', s, { via: ['trace'], traces: [t] });
  }
  for (const key of routeKeys(mentions)) {
    for (const name of facts.routeServices.get(key) ?? []) link('service', name, { via: ['route'], routes: [key] });
  }
  for (const s of distinct(mentions, 'service')) link('service', s, { via: ['name'] });
  return [...links.values()];
}

/**
 * Links each ticket to what its mentions point at, replacing its previous links, with one set of
 * lookups for the whole batch; returns each ticket's links in input order:
 * - every mentioned user id and email hash → an `end_user` (created if new), with
 *   `observed: true` when spans or logs carry that user id;
 * - every mentioned account id → an `account` (created if new);
 * - every mentioned trace id that spans hold → the trace, and the services in it;
 * - every route that a service served (a server span's http_route, compared by routeKey) → that service;
 * - every known service named in the text → that service.
 */
export async function linkTickets(
  q: Queryable,
  items: ReadonlyArray<{ ticketId: number; mentions: readonly TicketMention[] }>,
): Promise<TicketLink[][]> {
  if (items.length === 0) return [];
  const facts = await linkFacts(
    q,
    items.map((i) => [...i.mentions]),
  );
  const drafts = items.map((i) => linkDrafts(i.mentions, facts));
  await q.query(`DELETE FROM link WHERE src_kind = 'ticket' AND src_id = ANY($1::text[]) AND kind = 'mentions'`, [
    items.map((i) => String(i.ticketId)),
  ]);
  const flat = items.flatMap((it, n) => drafts[n]!.map((l) => ({ src: String(it.ticketId), l })));
  if (flat.length) {
    await q.query(
      `INSERT INTO link (src_kind, src_id, kind, dst_kind, dst_id, attributes)
       SELECT 'ticket', s, 'mentions', k, d, a::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS l(s, k, d, a)`,
      [
        flat.map((x) => x.src),
        flat.map((x) => x.l.dstKind),
        flat.map((x) => x.l.dstId),
        flat.map((x) => JSON.stringify(x.l.attributes)),
      ],
    );
  }
  return drafts.map((ds) => ds.map((l) => ({ kind: 'mentions', ...l })));
}

/** Delivery ids are remembered this long; a repeat after that is still caught by its stale updated time. */
export const DELIVERY_MEMORY_DAYS = 7;

/**
 * Records a webhook delivery id inside the transaction that stores its tickets (so a delivery
 * whose write failed is not remembered, and its retry is applied). False when it was recorded
 * before: a repeat. Concurrent repeats wait on the key, and all but the first get false.
 */
export async function recordDelivery(q: Queryable, source: string, deliveryId: string): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO webhook_delivery (source, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS fresh`,
    [source, deliveryId],
  );
  if (rows.length === 0) return false;
  // A few expired rows per delivery; rows another writer is pruning are skipped, never waited for.
  await q.query(
    `DELETE FROM webhook_delivery WHERE (source, delivery_id) IN (
       SELECT source, delivery_id FROM webhook_delivery
        WHERE received_at < now() - make_interval(days => ${DELIVERY_MEMORY_DAYS})
        ORDER BY received_at LIMIT 100 FOR UPDATE SKIP LOCKED)`,
  );
  return true;
}

function toMention(r: Row): TicketMention {
  const m: TicketMention = {
    kind: r.kind as TicketMention['kind'],
    value: r.value as string,
    fields: r.fields as TicketMention['fields'],
    count: Number(r.count),
  };
  if (r.template !== null && r.template !== undefined) m.template = r.template as string;
  const at = isoOrNull(r.at);
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

// The shape is the API's (model/tickets.ts); re-exported for the store's callers.
export type { TicketSummary } from '../model/index.js';

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
    createdAt: new Date(isoOrNull(r.created_at)!),
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
    firstError: r.first_error ? new Date(isoOrNull(r.first_error)!) : null,
    lastError: r.last_error ? new Date(isoOrNull(r.last_error)!) : null,
    users: (r.users as string[] | null) ?? [],
    traces: (r.traces as string[] | null) ?? [],
    failures: (
      (r.failures as Array<{ message: string | null; errors: number | string; first: string }> | null) ?? []
    ).map((f) => ({
      message: f.message || null,
      errors: Number(f.errors),
      first: new Date(isoOrNull(f.first)!),
    })),
  }));
}
