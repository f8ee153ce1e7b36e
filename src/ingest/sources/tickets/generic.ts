// The generic format: Orrery's own ticket JSON (POST /api/tickets), validated strictly, and
// the lenient record reader behind generic CSV and JSON imports (columns by common names).
import { z } from 'zod';
import type { TicketInput } from '../../../model/index.js';
import { Columns } from './columns.js';
import { type Obj, idList, isObj, labelList, normalizeStatus, parseDate } from './fields.js';
import { type Headers, type TicketFormat, TicketFormatError, type WebhookOutcome, ticketInput } from './format.js';

export const GENERIC_SOURCE = 'generic';
export const MAX_TICKETS_PER_REQUEST = 1000;

const dateish = z.union([z.string(), z.number()]).transform((v, c) => {
  const d = parseDate(v);
  if (!d) {
    c.addIssue({
      code: 'custom',
      message: `${JSON.stringify(v).slice(0, 60)} is not a date (use ISO-8601 or epoch ms)`,
    });
    return z.NEVER;
  }
  return d.toISOString();
});
const id = z.union([z.string().trim().min(1).max(256), z.number().finite()]).transform(String);
const ids = z.union([id, z.array(id).max(100)]).transform((v) => (Array.isArray(v) ? v : [v]));

const commentSchema = z.object({
  id: id.optional(),
  author: z.string().max(512).optional(),
  body: z.string().max(100_000),
  createdAt: dateish.optional(),
});

export const genericTicketSchema = z.object({
  source: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits and . _ -')
    .optional(),
  id,
  title: z.string().trim().min(1, 'must not be empty').max(1000),
  body: z.string().max(1_000_000).optional(),
  status: z.string().max(64).optional(),
  createdAt: dateish.optional(),
  updatedAt: dateish.optional(),
  reporter: z.object({ email: z.string().max(320).optional(), name: z.string().max(256).optional() }).optional(),
  url: z.string().max(2048).optional(),
  labels: z.array(z.string().max(128)).max(100).optional(),
  priority: z.string().max(64).optional(),
  comments: z.array(commentSchema).max(1000).optional(),
  userId: ids.optional(),
  accountId: ids.optional(),
});

export type GenericTicket = z.output<typeof genericTicketSchema>;

function fromGeneric(t: GenericTicket): TicketInput {
  return ticketInput({
    source: t.source ?? GENERIC_SOURCE,
    externalId: t.id,
    title: t.title,
    body: t.body ?? '',
    status: normalizeStatus(t.status),
    sourceStatus: t.status ?? null,
    createdAt: t.createdAt ?? null,
    updatedAt: t.updatedAt ?? null,
    reporterEmail: t.reporter?.email ?? null,
    reporterName: t.reporter?.name ?? null,
    url: t.url ?? null,
    labels: t.labels ?? [],
    priority: t.priority ?? null,
    comments: (t.comments ?? []).map((c) => ({
      id: c.id ?? null,
      author: c.author ?? null,
      body: c.body,
      createdAt: c.createdAt ?? null,
    })),
    userIds: t.userId ?? [],
    accountIds: t.accountId ?? [],
  });
}

/** Zod's issues as one message that names each field the way the sender wrote it: `tickets[2].title`. */
function formatError(err: z.ZodError, prefix: string): TicketFormatError {
  const issues = err.issues.slice(0, 5).map((i) => {
    const path = i.path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      prefix,
    );
    const missing = i.code === 'invalid_type' && /received undefined/.test(i.message);
    return { path, text: missing ? `missing required field "${path}"` : `${path || '(root)'}: ${i.message}` };
  });
  return new TicketFormatError(issues.map((i) => i.text).join('; '), issues[0]?.path);
}

function parseOne(v: unknown, prefix: string): TicketInput {
  if (!isObj(v)) throw new TicketFormatError(`${prefix || 'the body'} must be a JSON object`, prefix || undefined);
  const r = genericTicketSchema.safeParse(v);
  if (!r.success) throw formatError(r.error, prefix);
  return fromGeneric(r.data);
}

// --- export records (CSV rows and JSON objects from other tools) -------------------------

const emailLike = (s: string | null) => (s && /@/.test(s) ? s : null);

function fromGenericRecord(record: Obj): TicketInput {
  const c = new Columns(record);
  const externalId = c.required('id', 'id', 'ticket id', 'key', 'issue key', 'external id', 'number');
  const title = c.required('title', 'title', 'subject', 'summary');
  const status = c.text('status', 'state');
  const requester = c.text('requester', 'reporter', 'from', 'customer');
  const nested = ['reporter', 'requester'].map((k) => c.raw(k)).find(isObj);
  const email =
    emailLike(c.text('email', 'requester email', 'reporter email', 'customer email', 'from email')) ??
    emailLike(requester) ??
    emailLike(typeof nested?.email === 'string' ? nested.email : null);
  const name =
    c.text('name', 'requester name', 'reporter name', 'customer name') ??
    (requester && !emailLike(requester) ? requester : null);
  const source = c.text('source');
  const comments = c.raw('comments');
  return ticketInput({
    source: source && /^[\w.-]{1,64}$/.test(source) ? source : GENERIC_SOURCE,
    externalId,
    title,
    body: c.text('body', 'description', 'text', 'content', 'message') ?? '',
    status: normalizeStatus(status),
    sourceStatus: status,
    createdAt: c.date('created', 'created', 'created at', 'creation date', 'date', 'opened at', 'submitted at'),
    updatedAt: c.date('updated', 'updated', 'updated at', 'modified at', 'last updated'),
    reporterEmail: email,
    reporterName: name,
    url: c.text('url', 'link'),
    labels: labelList(c.raw('labels', 'tags', 'label', 'tag')),
    priority: c.text('priority', 'severity'),
    comments: Array.isArray(comments)
      ? comments.filter(isObj).map((x) => ({
          id: x.id === undefined ? null : String(x.id),
          author: typeof x.author === 'string' ? x.author : null,
          body: String(x.body ?? x.text ?? ''),
          createdAt: parseDate(x.createdAt ?? x.created_at)?.toISOString() ?? null,
        }))
      : c.all('comment', 'comments').map((body) => ({ id: null, author: null, body, createdAt: null })),
    userIds: idList(c.raw('user id', 'user', 'uid', 'customer id', 'end user id')),
    accountIds: idList(
      c.raw(
        'account id',
        'account',
        'org id',
        'organization id',
        'organization',
        'org',
        'tenant id',
        'tenant',
        'company id',
      ),
    ),
  });
}

export const generic: TicketFormat = {
  name: 'generic',
  source: GENERIC_SOURCE,
  fromWebhook(_headers: Headers, body: unknown): WebhookOutcome {
    if (isObj(body) && 'tickets' in body) {
      const list = body.tickets;
      if (!Array.isArray(list)) throw new TicketFormatError('"tickets" must be an array of tickets', 'tickets');
      if (list.length === 0) throw new TicketFormatError('"tickets" is empty', 'tickets');
      if (list.length > MAX_TICKETS_PER_REQUEST) {
        throw new TicketFormatError(
          `at most ${MAX_TICKETS_PER_REQUEST} tickets per request; use POST /api/tickets/import for more`,
          'tickets',
        );
      }
      return { kind: 'tickets', tickets: list.map((t, i) => parseOne(t, `tickets[${i}]`)) };
    }
    return { kind: 'tickets', tickets: [parseOne(body, '')] };
  },
  fromExportRecord: (record: Obj) => fromGenericRecord(record),
};
