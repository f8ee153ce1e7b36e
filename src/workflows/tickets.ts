// Tickets: ingest (from the API, webhooks and imports), read back, list. Ingest redacts and
// hashes identities, extracts mentions, upserts by (source, external id) and links the
// ticket to the users, accounts, traces and services it points at: a request or a webhook in
// one transaction, an import in chunks of one transaction each.
import { TICKET_MENTIONS_ALGORITHM, TupleMap, TupleSet, keyedHash, ticketMentions } from '../analysis/index.js';
import {
  type ImportFormat,
  type ParseImportOptions,
  type TicketFormat,
  type Headers,
  parseImportOffThread,
} from '../ingest/sources/tickets/index.js';
import { storableValue } from '../ingest/transforms/index.js';
import type { Ticket, TicketComment, TicketDetail, TicketInput, TicketMention, TicketStatus } from '../model/index.js';
import { type Queryable, type TicketFilter, type TicketRow, type TicketSummary, ticketStore } from '../store/index.js';
import type { Context } from './context.js';
import { type TicketRedaction, ticketRedaction } from './ticket-redaction.js';

export interface IngestTicketsOptions {
  /**
   * Tickets per transaction. Unset (API and webhooks): one transaction for all, so either every
   * ticket is stored or none is. Set (imports): each chunk commits on its own and the connection
   * is handed back between chunks, so OTLP writes queued meanwhile are not held behind the whole
   * import; a failure then keeps the chunks already committed (IngestWriteError says how many).
   */
  chunkSize?: number;
  /** Called after each chunk is written (inside its transaction), with the tickets done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * A webhook's delivery id, recorded in the same transaction as its tickets: if it was
   * recorded before, nothing is written and the result says `duplicate`.
   */
  delivery?: { source: string; id: string };
  /**
   * Skip a ticket whose `updatedAt` is older than the stored one's (webhooks: a delayed or
   * replayed delivery must not move a ticket backwards). Skipped tickets are listed in `stale`.
   */
  skipStale?: boolean;
}

export interface IngestedTicket {
  id: number;
  source: string;
  externalId: string;
  created: boolean;
  mentions: number;
  links: number;
}

/** A ticket not written because the stored one is newer. */
export interface StaleTicket {
  source: string;
  externalId: string;
  updatedAt: string;
  storedUpdatedAt: string;
}

export interface IngestTicketsResult {
  created: number;
  updated: number;
  mentions: number;
  links: number;
  tickets: IngestedTicket[];
  stale: StaleTicket[];
  /** True when `delivery` had been stored before; then nothing else was done. */
  duplicate: boolean;
}

/** A write failed after `written` of `total` tickets had been committed in earlier chunks. */
export class IngestWriteError extends Error {
  constructor(
    readonly written: number,
    readonly total: number,
    cause: Error,
  ) {
    super(cause.message, { cause });
  }
}

interface Keys {
  emailKey: string;
  services: string[];
  redact: TicketRedaction;
}

/** Bytes of text per chunk, besides the ticket count: a few huge tickets make a chunk too. */
const CHUNK_TEXT_BYTES = 1024 * 1024;

/**
 * Consecutive runs of at most `size` tickets and about CHUNK_TEXT_BYTES of text, never holding
 * one (source, external id) twice: a later row of the same ticket starts a new chunk, so it
 * merges with the earlier one as stored (an upsert statement cannot touch a row twice).
 */
function chunks(inputs: readonly TicketInput[], size: number): TicketInput[][] {
  const out: TicketInput[][] = [];
  let cur: TicketInput[] = [];
  let keys = new TupleSet<ticketStore.TicketKey>();
  let bytes = 0;
  for (const t of inputs) {
    const key = ticketStore.ticketKey(t.source, t.externalId);
    const b = t.title.length + t.body.length + t.comments.reduce((n, c) => n + c.body.length, 0);
    if (cur.length && (cur.length >= size || keys.has(key) || bytes + b > CHUNK_TEXT_BYTES)) {
      out.push(cur);
      cur = [];
      keys = new TupleSet();
      bytes = 0;
    }
    cur.push(t);
    keys.add(key);
    bytes += b;
  }
  if (cur.length) out.push(cur);
  return out;
}

function countBySource(items: ReadonlyArray<{ source: string }>): Map<string, number> {
  const n = new Map<string, number>();
  for (const t of items) n.set(t.source, (n.get(t.source) ?? 0) + 1);
  return n;
}

/** Lets I/O callbacks and other queued store work run before the next chunk takes the connection. */
const yieldToQueued = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Stores the tickets (upserting by source + external id); resolves after the (last) commit. */
export async function ingestTickets(
  ctx: Pick<Context, 'store' | 'metrics' | 'redactor'>,
  inputs: readonly TicketInput[],
  opts: IngestTicketsOptions = {},
): Promise<IngestTicketsResult> {
  const db = ctx.store.db;
  const emailKey = await ticketStore.instanceSecret(db, ticketStore.EMAIL_HASH_KEY);
  const keys: Keys = {
    emailKey,
    services: await ticketStore.knownServices(db),
    redact: ticketRedaction(ctx.redactor, emailKey),
  };
  const out: IngestedTicket[] = [];
  const stale: StaleTicket[] = [];
  let duplicate = false;
  const parts = chunks(inputs, opts.chunkSize ?? 1000);
  const write = async (tx: Queryable, part: TicketInput[]) => {
    const r = await writeChunk(tx, part, keys, opts.skipStale ?? false);
    out.push(...r.written);
    stale.push(...r.stale);
    opts.onProgress?.(out.length + stale.length, inputs.length);
  };
  for (const [source, n] of countBySource(inputs)) ctx.metrics.recordReceived('tickets', source, n);
  if (opts.chunkSize === undefined) {
    await db.transaction(async (tx) => {
      if (opts.delivery && !(await ticketStore.recordDelivery(tx, opts.delivery.source, opts.delivery.id))) {
        duplicate = true;
        return;
      }
      for (const part of parts) await write(tx, part);
    });
  } else {
    for (const [i, part] of parts.entries()) {
      if (i > 0) await yieldToQueued();
      try {
        await db.transaction((tx) => write(tx, part));
      } catch (err) {
        throw new IngestWriteError(out.length + stale.length, inputs.length, err as Error);
      }
    }
  }
  for (const [source, n] of countBySource(out)) ctx.metrics.recordAccepted('tickets', source, n);
  return {
    created: out.filter((t) => t.created).length,
    updated: out.filter((t) => !t.created).length,
    mentions: out.reduce((n, t) => n + t.mentions, 0),
    links: out.reduce((n, t) => n + t.links, 0),
    tickets: out,
    stale,
    duplicate,
  };
}

/** One chunk (distinct keys): read the stored tickets, merge, and write them all in a few statements. */
async function writeChunk(
  tx: Queryable,
  raw: readonly TicketInput[],
  keys: Keys,
  skipStale: boolean,
): Promise<{ written: IngestedTicket[]; stale: StaleTicket[] }> {
  const inputs = raw.map(withoutNul);
  const found = await ticketStore.findTickets(tx, inputs);
  const stale: StaleTicket[] = [];
  const rows: TicketRow[] = [];
  for (const input of inputs) {
    const prev = found.get(ticketStore.ticketKey(input.source, input.externalId)) ?? null;
    const older = skipStale ? staleAgainst(input, prev) : null;
    if (older) stale.push(older);
    else rows.push(toRow(input, prev, keys));
  }
  const saved = await ticketStore.saveTickets(tx, rows);
  const links = await ticketStore.linkTickets(
    tx,
    rows.map((r, i) => ({ ticketId: saved[i]!.id, mentions: r.mentions })),
  );
  const written = rows.map((row, i) => ({
    id: saved[i]!.id,
    source: row.source,
    externalId: row.externalId,
    created: saved[i]!.created,
    mentions: row.mentions.length,
    links: links[i]!.length,
  }));
  return { written, stale };
}

/** The input is stale when both it and the stored ticket carry the source's updated time and the input's is older. */
function staleAgainst(input: TicketInput, found: { ticket: Ticket } | null): StaleTicket | null {
  const stored = found?.ticket.updatedAt;
  if (!input.updatedAt || !stored) return null;
  const given = new Date(input.updatedAt);
  if (given.getTime() >= new Date(stored).getTime()) return null;
  return {
    source: input.source,
    externalId: input.externalId,
    updatedAt: given.toISOString(),
    storedUpdatedAt: new Date(stored).toISOString(),
  };
}

/**
 * PostgreSQL cannot store NUL or an unpaired surrogate in text or jsonb: both become U+FFFD
 * everywhere in a ticket, keys included (ingest/transforms storableValue, as for telemetry).
 */
function withoutNul<T>(v: T): T {
  return storableValue(v);
}

const nonEmpty = <T>(a: T[], b: T[] | undefined): T[] => (a.length ? a : (b ?? []));

/**
 * The stored form of a ticket: its text through the redactor (secrets → placeholders, emails
 * → their keyed hashes; see ticket-redaction), the reporter hashed, mentions extracted. An
 * update merges with what is stored, because some deliveries are partial (a comment webhook
 * carries the comment, not the whole ticket): fields the update leaves empty keep their stored
 * value, and comments accumulate (one per comment id).
 */
function toRow(
  input: TicketInput,
  found: { ticket: Ticket; mentions: TicketMention[] } | null,
  keys: Keys,
  now = new Date(),
): TicketRow {
  const existing = found?.ticket ?? null;
  const redact = keys.redact.text;
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
    sourceStatus: statusGiven ? input.sourceStatus && redact(input.sourceStatus) : existing.sourceStatus,
    reporterHash,
    url: input.url ? redact(input.url) : (existing?.url ?? null),
    labels: nonEmpty(input.labels.map(redact), existing?.labels),
    priority: input.priority ? redact(input.priority) : (existing?.priority ?? null),
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
      userIds: nonEmpty(input.userIds.map(keys.redact.id), stored.users),
      accountIds: nonEmpty(input.accountIds.map(keys.redact.id), stored.accounts),
    },
    { emailKey: keys.emailKey, services: keys.services, reference: createdAt },
  );
  return { ...row, mentions };
}

function mergeComments(old: TicketComment[], incoming: TicketComment[]): TicketComment[] {
  // By the source's id; a comment without one by its time and text.
  const key = (c: TicketComment): [string] | [string, string] =>
    typeof c.id === 'string' ? [c.id] : [c.createdAt ?? '', c.body];
  const byKey = new TupleMap<[string] | [string, string], TicketComment>();
  for (const c of [...old, ...incoming]) byKey.set(key(c), c);
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

/**
 * A verified webhook delivery: the format reads it, and the tickets it carries are stored, never
 * moving a ticket backwards. A delivery id seen before, or tickets all older (by the source's
 * updated time) than the stored ones, are answered 200 with `ignored: true` and the reason, so
 * that the sender does not retry; nothing is written then.
 */
export async function ingestWebhook(
  ctx: Pick<Context, 'store' | 'metrics' | 'redactor'>,
  format: TicketFormat,
  headers: Headers,
  body: unknown,
): Promise<WebhookResult> {
  const outcome = format.fromWebhook(headers, body);
  if (outcome.kind === 'ignored')
    return { status: outcome.status ?? 202, body: { ignored: true, reason: outcome.reason } };
  const id = format.deliveryId?.(headers) ?? null;
  const r = await ingestTickets(ctx, outcome.tickets, {
    skipStale: true,
    ...(id ? { delivery: { source: format.source, id } } : {}),
  });
  if (r.duplicate)
    return {
      status: 200,
      body: { ignored: true, duplicate: true, reason: `duplicate delivery ${id}: it was stored before` },
    };
  if (r.tickets.length === 0 && r.stale.length > 0) {
    const reason = r.stale
      .map((t) => `${t.source} ${t.externalId} updated at ${t.updatedAt} is older than the stored ${t.storedUpdatedAt}`)
      .join('; ');
    return { status: 200, body: { ignored: true, stale: true, reason: `stale: ${reason}` } };
  }
  const staleIds = r.stale.map((t) => t.externalId);
  return {
    status: 200,
    body: {
      created: r.created,
      updated: r.updated,
      tickets: r.tickets,
      ...(staleIds.length ? { stale: staleIds } : {}),
    },
  };
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
  /** Tickets per transaction (default IMPORT_CHUNK_SIZE). */
  chunkSize?: number;
}

export interface ImportTicketsResult extends Omit<IngestTicketsResult, 'tickets' | 'stale' | 'duplicate'> {
  format: ImportFormat;
  total: number;
}

/**
 * Tickets per import transaction. A chunk of this many holds the (embedded store's one)
 * connection for tens of milliseconds, which is what an OTLP request queued behind it waits.
 */
export const IMPORT_CHUNK_SIZE = 200;

/**
 * Imports an export file. The file is read whole first (a large one in a worker thread): a bad
 * record throws ImportError naming it, and nothing is written. The tickets are then written in
 * chunks, each one transaction, handing the store back between chunks so that telemetry ingest
 * is not held for the whole import. If a write fails, the chunks already committed are kept and the failed one left
 * nothing: an IngestWriteError says how many tickets were written, and importing the same file
 * again completes it (tickets upsert by source + id, so the rows written twice end the same).
 */
export async function importTickets(
  ctx: Pick<Context, 'store' | 'metrics' | 'redactor'>,
  opts: ImportTicketsOptions,
): Promise<ImportTicketsResult> {
  const { format, tickets } = await parseImportOffThread(opts.format, opts.content, {
    source: opts.source,
    filename: opts.filename,
  });
  opts.onProgress?.({ phase: 'parsed', done: 0, total: tickets.length });
  const r = await ingestTickets(ctx, tickets, {
    chunkSize: opts.chunkSize ?? IMPORT_CHUNK_SIZE,
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
