// Tickets: ingest (from the API, webhooks and imports), read back, list. Ingest redacts and
// hashes identities, extracts mentions, upserts by (source, external id) and links the
// ticket to the users, accounts, traces and services it points at, all in one transaction.
import { TICKET_MENTIONS_ALGORITHM, keyedHash, redactEmails, ticketMentions } from '../analysis/index.js';
import {
  type ImportFormat,
  type ParseImportOptions,
  type TicketFormat,
  type Headers,
  parseImport,
} from '../ingest/sources/tickets/index.js';
import type { Ticket, TicketComment, TicketDetail, TicketInput, TicketMention, TicketStatus } from '../model/index.js';
import { type Queryable, type TicketFilter, type TicketRow, type TicketSummary, ticketStore } from '../store/index.js';
import type { Context } from './context.js';

export interface IngestTicketsOptions {
  /** One transaction for all (default): either every ticket is stored or none is. */
  transaction?: boolean;
  /** Called after each ticket is written (inside the transaction). */
  onProgress?: (done: number, total: number) => void;
}

export interface IngestedTicket {
  id: number;
  source: string;
  externalId: string;
  created: boolean;
  mentions: number;
  links: number;
}

export interface IngestTicketsResult {
  created: number;
  updated: number;
  mentions: number;
  links: number;
  tickets: IngestedTicket[];
}

interface Keys {
  emailKey: string;
  services: string[];
}

/** Stores the tickets (upserting by source + external id); resolves after the commit. */
export async function ingestTickets(
  ctx: Pick<Context, 'store' | 'metrics'>,
  inputs: readonly TicketInput[],
  opts: IngestTicketsOptions = {},
): Promise<IngestTicketsResult> {
  const db = ctx.store.db;
  const keys: Keys = {
    emailKey: await ticketStore.instanceSecret(db, ticketStore.EMAIL_HASH_KEY),
    services: await ticketStore.knownServices(db),
  };
  const out: IngestedTicket[] = [];
  const one = async (tx: Queryable, t: TicketInput) => {
    out.push(await ingestOne(tx, t, keys));
    opts.onProgress?.(out.length, inputs.length);
  };
  for (const t of inputs) ctx.metrics.recordReceived('tickets', t.source, 1);
  if (opts.transaction === false) {
    for (const t of inputs) await db.transaction((tx) => one(tx, t));
  } else {
    await db.transaction(async (tx) => {
      for (const t of inputs) await one(tx, t);
    });
  }
  for (const t of out) ctx.metrics.recordAccepted('tickets', t.source, 1);
  return {
    created: out.filter((t) => t.created).length,
    updated: out.filter((t) => !t.created).length,
    mentions: out.reduce((n, t) => n + t.mentions, 0),
    links: out.reduce((n, t) => n + t.links, 0),
    tickets: out,
  };
}

/** PostgreSQL cannot store NUL in text or jsonb, and it carries no meaning in a ticket: it is dropped everywhere. */
function withoutNul<T>(v: T): T {
  if (typeof v === 'string') return v.replace(/\u0000/g, '') as T;
  if (Array.isArray(v)) return v.map(withoutNul) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutNul(x)])) as T;
  return v;
}

async function ingestOne(tx: Queryable, raw: TicketInput, keys: Keys): Promise<IngestedTicket> {
  const input = withoutNul(raw);
  const found = await ticketStore.findTicket(tx, input.source, input.externalId);
  const row = toRow(input, found, keys);
  const saved = await ticketStore.saveTicket(tx, row);
  const links = await ticketStore.linkTicket(tx, saved.id, row.mentions);
  return {
    id: saved.id,
    source: row.source,
    externalId: row.externalId,
    created: saved.created,
    mentions: row.mentions.length,
    links: links.length,
  };
}

const nonEmpty = <T>(a: T[], b: T[] | undefined): T[] => (a.length ? a : (b ?? []));

/**
 * The stored form of a ticket: emails redacted to their keyed hashes, the reporter hashed,
 * mentions extracted. An update merges with what is stored, because some deliveries are
 * partial (a comment webhook carries the comment, not the whole ticket): fields the update
 * leaves empty keep their stored value, and comments accumulate (one per comment id).
 */
function toRow(
  input: TicketInput,
  found: { ticket: Ticket; mentions: TicketMention[] } | null,
  keys: Keys,
  now = new Date(),
): TicketRow {
  const existing = found?.ticket ?? null;
  const redact = (s: string) => redactEmails(s, keys.emailKey);
  const reporterEmailHash = input.reporterEmail ? keyedHash(keys.emailKey, input.reporterEmail) : null;
  const reporterHash =
    reporterEmailHash ??
    (input.reporterName ? keyedHash(keys.emailKey, input.reporterName) : null) ??
    existing?.reporterHash ??
    null;
  const comments = mergeComments(
    existing?.comments ?? [],
    input.comments.map((c) => ({
      id: c.id,
      authorHash: c.author ? keyedHash(keys.emailKey, c.author) : null,
      body: redact(c.body),
      createdAt: c.createdAt,
    })),
  );
  const statusGiven = input.sourceStatus !== null || !existing;
  const createdAt = new Date(input.createdAt ?? existing?.createdAt ?? now.toISOString());
  const row: Omit<TicketRow, 'mentions'> = {
    source: input.source,
    externalId: input.externalId,
    title: redact(input.title),
    body: input.body.trim() || !existing ? redact(input.body) : existing.body,
    status: statusGiven ? input.status : (existing.status as TicketStatus),
    sourceStatus: statusGiven ? input.sourceStatus : existing.sourceStatus,
    reporterHash,
    url: input.url ? redact(input.url) : (existing?.url ?? null),
    labels: nonEmpty(input.labels.map(redact), existing?.labels),
    priority: input.priority ?? existing?.priority ?? null,
    createdAt,
    updatedAt: input.updatedAt ? new Date(input.updatedAt) : existing?.updatedAt ? new Date(existing.updatedAt) : null,
    comments,
    algorithm: TICKET_MENTIONS_ALGORITHM,
  };
  // Ids given as fields (and the reporter) are not in the text; a partial update keeps the stored ones.
  const stored = fieldMentions(found?.mentions ?? []);
  const mentions: TicketMention[] = ticketMentions(
    {
      title: row.title,
      body: row.body,
      comments: comments.map((c) => c.body),
      reporterHash: reporterEmailHash ?? (input.reporterName ? null : stored.reporter),
      userIds: nonEmpty(input.userIds, stored.users),
      accountIds: nonEmpty(input.accountIds, stored.accounts),
    },
    { emailKey: keys.emailKey, services: keys.services, reference: createdAt },
  );
  return { ...row, mentions };
}

function mergeComments(old: TicketComment[], incoming: TicketComment[]): TicketComment[] {
  const key = (c: TicketComment) => c.id ?? `${c.createdAt ?? ''}\u0000${c.body}`;
  const byKey = new Map(old.map((c) => [key(c), c]));
  for (const c of incoming) byKey.set(key(c), c);
  return [...byKey.values()];
}

/** The mentions a stored ticket got from fields rather than from its text. */
function fieldMentions(items: TicketMention[]): { reporter: string | null; users: string[]; accounts: string[] } {
  return {
    reporter: items.find((m) => m.kind === 'email' && m.fields.includes('reporter'))?.value ?? null,
    users: items.filter((m) => m.kind === 'user' && m.fields.includes('field')).map((m) => m.value),
    accounts: items.filter((m) => m.kind === 'account' && m.fields.includes('field')).map((m) => m.value),
  };
}

export interface WebhookResult {
  status: 200 | 202;
  body: Record<string, unknown>;
}

/** A verified webhook delivery: the format reads it, and the tickets it carries are stored. */
export async function ingestWebhook(
  ctx: Pick<Context, 'store' | 'metrics'>,
  format: TicketFormat,
  headers: Headers,
  body: unknown,
): Promise<WebhookResult> {
  const outcome = format.fromWebhook(headers, body);
  if (outcome.kind === 'ignored')
    return { status: outcome.status ?? 202, body: { ignored: true, reason: outcome.reason } };
  const r = await ingestTickets(ctx, outcome.tickets);
  return { status: 200, body: { created: r.created, updated: r.updated, tickets: r.tickets } };
}

export interface ImportProgress {
  phase: 'parsed' | 'writing';
  done: number;
  total: number;
}

export interface ImportTicketsOptions extends ParseImportOptions {
  format: ImportFormat | 'auto';
  content: string;
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportTicketsResult extends Omit<IngestTicketsResult, 'tickets'> {
  format: ImportFormat;
  total: number;
}

/**
 * Imports an export file in ONE transaction: the file is read whole first (a bad record
 * throws ImportError naming it, before anything is written), then every ticket is written;
 * if any write fails, nothing is kept.
 */
export async function importTickets(
  ctx: Pick<Context, 'store' | 'metrics'>,
  opts: ImportTicketsOptions,
): Promise<ImportTicketsResult> {
  const { format, tickets } = parseImport(opts.format, opts.content, { source: opts.source, filename: opts.filename });
  opts.onProgress?.({ phase: 'parsed', done: 0, total: tickets.length });
  const r = await ingestTickets(ctx, tickets, {
    transaction: true,
    onProgress: (done, total) => opts.onProgress?.({ phase: 'writing', done, total }),
  });
  return {
    format,
    total: tickets.length,
    created: r.created,
    updated: r.updated,
    mentions: r.mentions,
    links: r.links,
  };
}

export function getTicket(ctx: Pick<Context, 'store'>, id: number): Promise<TicketDetail | null> {
  return ticketStore.getTicket(ctx.store.db, id);
}

export const MAX_TICKET_LIST = 1000;

export function listTickets(ctx: Pick<Context, 'store'>, filter: TicketFilter): Promise<TicketSummary[]> {
  return ticketStore.listTickets(ctx.store.db, { ...filter, limit: Math.min(filter.limit, MAX_TICKET_LIST) });
}
