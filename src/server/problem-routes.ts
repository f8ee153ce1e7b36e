// Problem API routes (inside the authenticated API context): run triage (triage@1) and get
// the ranked queue, list the stored problems, show one with its members and tickets.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { PROBLEM_STATUSES } from '../store/problem-store.js';
import { AnalysisInputError, MAX_ANALYSIS_LIMIT } from '../workflows/analysis-read.js';
import { DEFAULT_TRIAGE_LIMIT, getProblem, listProblems, triage } from '../workflows/triage.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const limit = (fallback: number) => z.coerce.number().int().min(1).max(MAX_ANALYSIS_LIMIT).default(fallback);
const triageBody = z
  .object({ since: timeArg.optional(), until: timeArg.optional(), limit: limit(DEFAULT_TRIAGE_LIMIT) })
  .strict()
  .default({ limit: DEFAULT_TRIAGE_LIMIT });
const listQuery = z.object({ status: z.enum([...PROBLEM_STATUSES, 'all']).default('open'), limit: limit(50) });
const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

function fail(reply: FastifyReply, status: 400 | 404, message: string): FastifyReply {
  return reply.code(status).send({ statusCode: status, error: status === 400 ? 'Bad Request' : 'Not Found', message });
}

export async function problemRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post('/api/triage', { schema: { body: triageBody } }, async (req, reply) => {
    const b = (req.body ?? { limit: DEFAULT_TRIAGE_LIMIT }) as z.output<typeof triageBody>;
    try {
      return await triage(ctx, { since: b.since, until: b.until, limit: b.limit });
    } catch (err) {
      if (err instanceof AnalysisInputError) return fail(reply, 400, err.message);
      throw err;
    }
  });

  app.get('/api/problems', { schema: { querystring: listQuery } }, async (req) => {
    const q = req.query as z.output<typeof listQuery>;
    return { problems: await listProblems(ctx, q) };
  });

  app.get('/api/problems/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const detail = await getProblem(ctx, id);
    return detail ?? fail(reply, 404, `no problem with id ${id} (see GET /api/problems)`);
  });
}
