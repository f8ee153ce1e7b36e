// Investigation API routes (inside the authenticated API context): start one (investigate@5,
// stored; a re-run of the same subject records what changed), list them, show one as JSON
// or as Markdown.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { investigationMarkdown } from '../analysis/index.js';
import { investigationJsonSchema } from '../model/index.js';
import { investigationStore } from '../store/index.js';
import {
  InvestigationInputError,
  InvestigationNotFoundError,
  investigate,
  llmSettings,
  narrate,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const subject = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('alert'),
    service: z.string().trim().min(1).max(256),
    endpoint: z.string().trim().min(1).max(1024).optional(),
    since: timeArg,
  }),
  z.object({ kind: z.literal('ticket'), ticketId: z.number().int().positive() }),
  z.object({ kind: z.literal('problem'), problemId: z.number().int().positive() }),
]);
const startBody = z.object({ subject });
const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const showQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

export async function investigationRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;
  // The optional LLM narrative (off unless ORRERY_LLM_URL is set); a narrative that fails the citation check is dropped.
  const llm = llmSettings(opts.config);
  const narrator = llm ? (result: Parameters<typeof narrate>[1]) => narrate(llm, result) : null;

  app.post('/api/investigations', { schema: { body: startBody } }, async (req, reply) => {
    const s = (req.body as z.output<typeof startBody>).subject;
    try {
      const run = await investigate(ctx, s.kind === 'alert' ? { ...s, since: s.since.toISOString() } : s, {
        narrate: narrator,
      });
      return reply.code(201).send({ investigation: run });
    } catch (err) {
      if (err instanceof InvestigationInputError)
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
      if (err instanceof InvestigationNotFoundError)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: err.message });
      throw err;
    }
  });

  app.get('/api/investigations/schema', async () => investigationJsonSchema());

  app.get('/api/investigations', { schema: { querystring: listQuery } }, async (req) => ({
    investigations: await investigationStore.listInvestigations(
      ctx.store.db,
      (req.query as z.output<typeof listQuery>).limit,
    ),
  }));

  app.get('/api/investigations/:id', { schema: { params: idParams, querystring: showQuery } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const run = await investigationStore.getInvestigation(ctx.store.db, id);
    if (!run)
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no investigation with id ${id}` });
    if ((req.query as z.output<typeof showQuery>).format === 'markdown') {
      return reply.type('text/markdown; charset=utf-8').send(investigationMarkdown(run.result));
    }
    return { investigation: run };
  });
}
