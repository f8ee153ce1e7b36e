// Explain and ask (registered inside the authenticated API context, both for a viewer):
// GET /api/explain?target=… and POST /api/ask {question}. Markdown with ?format=markdown.
// An unknown or ambiguous target answers 400 with the nearest names or the candidates.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ExplainRefusal } from '../model/index.js';
import {
  AnalysisInputError,
  AskInputError,
  ExplainTargetError,
  MAX_QUESTION_CHARS,
  MAX_TARGET_CHARS,
  ask,
  askMarkdown,
  explain,
  explainMarkdown,
  llmSettings,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const format = z.enum(['json', 'markdown']).default('json');
const explainQuery = z.object({
  target: z.string().trim().min(1).max(MAX_TARGET_CHARS),
  since: timeArg.optional(),
  until: timeArg.optional(),
  format,
});
const askBody = z.object({
  question: z.string().trim().min(1).max(MAX_QUESTION_CHARS),
  since: timeArg.optional(),
  until: timeArg.optional(),
});
const askQuery = z.object({ format });

function windowOf(q: { since?: Date; until?: Date }): { since: Date; until: Date } | undefined {
  if (q.since === undefined && q.until === undefined) return undefined;
  const until = q.until ?? new Date();
  return { since: q.since ?? new Date(until.getTime() - 86_400_000), until };
}

export async function answerRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;
  const llm = llmSettings(opts.config);
  const bad = <T extends object>(message: string, extra: T) => ({
    statusCode: 400 as const,
    error: 'Bad Request',
    message,
    ...extra,
  });

  app.get('/api/explain', { schema: { querystring: explainQuery } }, async (req, reply) => {
    const q = req.query as z.output<typeof explainQuery>;
    try {
      const result = await explain(ctx, q.target, { window: windowOf(q) });
      if (q.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(explainMarkdown(result));
      return { explain: result };
    } catch (err) {
      if (err instanceof ExplainTargetError) {
        const refusal: ExplainRefusal = bad(err.message, { suggestions: err.suggestions, candidates: err.candidates });
        return reply.code(400).send(refusal);
      }
      if (err instanceof AnalysisInputError) return reply.code(400).send(bad(err.message, {}));
      throw err;
    }
  });

  app.post('/api/ask', { schema: { body: askBody, querystring: askQuery } }, async (req, reply) => {
    const b = req.body as z.output<typeof askBody>;
    try {
      const result = await ask(ctx, b.question, { window: windowOf(b), llm });
      if ((req.query as z.output<typeof askQuery>).format === 'markdown')
        return reply.type('text/markdown; charset=utf-8').send(askMarkdown(result));
      return { ask: result };
    } catch (err) {
      if (err instanceof AskInputError || err instanceof AnalysisInputError)
        return reply.code(400).send(bad(err.message, {}));
      throw err;
    }
  });
}
