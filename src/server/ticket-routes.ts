// Ticket API routes (inside the authenticated API context): POST /api/tickets (the generic
// format, one ticket or {tickets: […]}), GET /api/tickets[/:id], and POST
// /api/tickets/import for export files (raw CSV or JSON, read whole, then written in chunks of
// one transaction each; NDJSON progress when asked for with `Accept: application/x-ndjson`).
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { keyedHash } from '../analysis/index.js';
import { IMPORT_FORMATS, ImportError, TicketFormatError, generic } from '../ingest/sources/tickets/index.js';
import { MENTION_KINDS } from '../model/index.js';
import { ticketStore } from '../store/index.js';
import {
  IngestWriteError,
  MAX_TICKET_LIST,
  getTicket,
  importTickets,
  ingestTickets,
  listTickets,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';

/** Export files are larger than API bodies; this limit is for POST /api/tickets/import only. */
export const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;

/** Bad input from outside as a 400 that the API's error handler sends with this message. */
export function badRequest(err: unknown): never {
  if (err instanceof TicketFormatError || err instanceof ImportError) {
    throw Object.assign(new Error(err.message), { statusCode: 400 });
  }
  throw err;
}

const listQuery = z.object({
  source: z.string().min(1).max(64).optional(),
  status: z.enum(['open', 'pending', 'closed']).optional(),
  mention: z
    .string()
    .max(1024)
    .regex(
      new RegExp(`^(${MENTION_KINDS.join('|')}):.+$`),
      `must be kind:value with kind one of ${MENTION_KINDS.join(', ')}`,
    )
    .optional(),
  email: z.string().min(3).max(320).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TICKET_LIST).default(50),
});

const importQuery = z.object({
  format: z.enum(['auto', ...IMPORT_FORMATS]).default('auto'),
  source: z
    .string()
    .regex(/^[\w.-]{1,64}$/, 'use 1-64 letters, digits and . _ -')
    .optional(),
  filename: z.string().max(512).optional(),
});

export async function ticketRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post('/api/tickets', async (req) => {
    let tickets: ReturnType<typeof generic.fromWebhook>;
    try {
      tickets = generic.fromWebhook(req.headers, req.body);
    } catch (err) {
      ctx.metrics.recordRefused('tickets', 400);
      badRequest(err);
    }
    if (tickets.kind !== 'tickets') return { created: 0, updated: 0, tickets: [] };
    const r = await ingestTickets(ctx, tickets.tickets);
    return { created: r.created, updated: r.updated, tickets: r.tickets };
  });

  app.get('/api/tickets', { schema: { querystring: listQuery } }, async (req) => {
    const q = req.query as z.output<typeof listQuery>;
    let mention: { kind: string; value: string } | undefined;
    if (q.mention) {
      const i = q.mention.indexOf(':');
      mention = { kind: q.mention.slice(0, i), value: q.mention.slice(i + 1) };
    }
    if (q.email) {
      // Tickets are searched by who wrote them without the email ever being stored: hash it the same way.
      const key = await ticketStore.instanceSecret(ctx.store.db, ticketStore.EMAIL_HASH_KEY);
      mention = { kind: 'email', value: keyedHash(key, q.email) };
    }
    return { tickets: await listTickets(ctx, { source: q.source, status: q.status, mention, limit: q.limit }) };
  });

  app.get(
    '/api/tickets/:id',
    { schema: { params: z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) } },
    async (req, reply) => {
      const detail = await getTicket(ctx, (req.params as { id: number }).id);
      if (!detail)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no ticket with that id' });
      return detail;
    },
  );

  await app.register(async (raw) => {
    // The export file is the body as it is (CSV or JSON of any content type), read here.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    raw.post(
      '/api/tickets/import',
      { bodyLimit: IMPORT_BODY_LIMIT, schema: { querystring: importQuery } },
      (req, reply) => importRoute(req, reply, opts),
    );
  });
}

async function importRoute(req: FastifyRequest, reply: FastifyReply, opts: RouteOptions): Promise<unknown> {
  const { ctx } = opts;
  const q = req.query as z.output<typeof importQuery>;
  const body = req.body as Buffer | undefined;
  if (!body || body.length === 0) badRequest(new ImportError('empty body: send the export file as the request body'));
  if (body.includes(0)) badRequest(new ImportError('the body is binary, not a CSV or JSON export'));
  const content = body.toString('utf8');
  const wantsStream = /application\/x-ndjson/i.test(req.headers.accept ?? '');
  const run = (onProgress?: Parameters<typeof importTickets>[1]['onProgress']) =>
    importTickets(ctx, { format: q.format, content, source: q.source, filename: q.filename, onProgress });

  if (!wantsStream) {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof IngestWriteError)) return badRequest(err);
      req.log.error({ err }, 'ticket import failed');
      return reply.code(500).send({ statusCode: 500, error: 'Internal Server Error', ...writeFailure(err) });
    }
  }

  // NDJSON: a `progress` line now and then, then one `result` (or `error`) line. Streaming starts
  // only once the file has been read, so a bad file is still a plain 400.
  let stream: PassThrough | null = null;
  let last = 0;
  const line = (o: unknown) => stream?.write(`${JSON.stringify(o)}\n`);
  try {
    const result = await run((p) => {
      if (!stream) {
        stream = new PassThrough();
        void reply.code(200).header('content-type', 'application/x-ndjson').send(stream);
      }
      const now = Date.now();
      if (p.phase === 'parsed' || p.done === p.total || now - last >= 200) {
        last = now;
        line({ progress: p });
      }
    });
    line({ result });
  } catch (err) {
    if (!stream) return badRequest(err);
    const known = err instanceof ImportError || err instanceof TicketFormatError;
    if (!known) req.log.error({ err }, 'ticket import failed');
    line({
      error: known
        ? { statusCode: 400, message: (err as Error).message }
        : err instanceof IngestWriteError
          ? { statusCode: 500, ...writeFailure(err) }
          : { statusCode: 500, message: 'the import failed; see the server log' },
    });
  }
  (stream as PassThrough | null)?.end();
  return reply;
}

/** What a client is told of a store failure mid-import: how far it got, and that a re-run completes it. */
function writeFailure(err: IngestWriteError): { message: string; written: number; total: number } {
  return {
    message: `the import failed after ${err.written} of ${err.total} tickets were written (each chunk is written whole or not at all); importing the same file again completes it; see the server log`,
    written: err.written,
    total: err.total,
  };
}
