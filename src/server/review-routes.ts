// Pull-request reviews (review@1) over HTTP: POST /api/reviews with a range of an indexed
// repository (and optionally the time to review it as of) answers the review as JSON, or as
// Markdown or SARIF 2.1.0 with ?format=markdown|sarif.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { reviewMarkdown, reviewSarif } from '../analysis/index.js';
import { reviewChange } from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const REVISION = /^(?!-)[\w./~^@{}:+-]{1,256}$/;

export const reviewBody = z
  .object({
    /** `base..head`, revisions as git reads them. */
    range: z
      .string()
      .trim()
      .min(4)
      .max(600)
      .refine((r) => {
        const parts = r.split('..');
        return parts.length === 2 && !r.includes('...') && parts.every((p) => REVISION.test(p));
      }, 'must be <base>..<head>, e.g. main..feature or HEAD~3..HEAD'),
    repository: z.string().trim().min(1).max(128).optional(),
    /** Production is read only up to this time (default now). */
    asOf: timeArg.optional(),
  })
  .strict();

const query = z.object({ format: z.enum(['json', 'markdown', 'sarif']).default('json') });

export async function reviewRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;
  app.post('/api/reviews', { schema: { body: reviewBody, querystring: query } }, async (req, reply) => {
    const body = req.body as z.output<typeof reviewBody>;
    // ChangeInputError and ChangeNotFoundError carry their status (400, 404) to the API's error handler.
    const review = await reviewChange(ctx, {
      range: body.range,
      ...(body.repository ? { repository: body.repository } : {}),
      ...(body.asOf ? { asOf: body.asOf } : {}),
    });
    const format = (req.query as z.output<typeof query>).format;
    if (format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(reviewMarkdown(review));
    if (format === 'sarif') return reply.type('application/sarif+json').send(JSON.stringify(reviewSarif(review)));
    return { review };
  });
}
