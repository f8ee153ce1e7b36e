// The change simulation (sim-change@1) over HTTP: POST /api/simulations/change with a range of
// an indexed repository or a deploy id stores the run and answers it (201) as JSON, or the blast
// radius as Markdown with ?format=markdown. `changeSubject` is the body's schema and `runChange`
// the handler, which POST /api/simulations takes as its `kind: 'change'` member.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  ChangeInputError,
  ChangeNotFoundError,
  type ChangeSubject,
  type Context,
  blastRadiusMarkdown,
  runChangeSimulation,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const REVISION = /^(?!-)[\w./~^@{}:+-]{1,256}$/;

export const changeSubject = z
  .object({
    /** `base..head`, revisions as git reads them (SHAs, tags, branches, HEAD~2). */
    range: z.string().trim().min(4).max(600).optional(),
    repository: z.string().trim().min(1).max(128).optional(),
    deploy: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
    /** The start of the telemetry window (default 7 days before now). */
    since: timeArg.optional(),
  })
  .strict()
  .superRefine((b, c) => {
    if ((b.range === undefined) === (b.deploy === undefined))
      c.addIssue({ code: 'custom', message: 'give either range (base..head) or deploy (a deploy id), not both' });
    if (b.deploy !== undefined && b.repository !== undefined)
      c.addIssue({
        code: 'custom',
        path: ['repository'],
        message: 'a deploy names its repository; repository is for a range',
      });
    if (b.range !== undefined) {
      const parts = b.range.split('..');
      if (parts.length !== 2 || b.range.includes('...') || !parts.every((p) => REVISION.test(p)))
        c.addIssue({
          code: 'custom',
          path: ['range'],
          message: 'must be <base>..<head>, e.g. v1.2.0..v1.3.0 or HEAD~3..HEAD',
        });
    }
  });

const query = z.object({ format: z.enum(['json', 'markdown']).default('json') });

export type ChangeSubjectBody = z.output<typeof changeSubject>;

/** The workflow's subject for a validated body. */
export function changeSubjectOf(b: ChangeSubjectBody): ChangeSubject {
  return b.deploy !== undefined
    ? { kind: 'deploy', deployId: b.deploy }
    : { kind: 'range', range: b.range!, ...(b.repository ? { repository: b.repository } : {}) };
}

/** Runs and stores a change simulation; 201 with the run, 400 for a bad range, 404 for what is not there. */
export async function runChange(
  ctx: Context,
  body: ChangeSubjectBody,
  reply: FastifyReply,
  format: 'json' | 'markdown' = 'json',
): Promise<FastifyReply> {
  try {
    const run = await runChangeSimulation(
      ctx,
      changeSubjectOf(body),
      body.since ? { window: { since: body.since, until: new Date() } } : {},
    );
    if (format === 'markdown' && run.result.kind === 'change')
      return reply.code(201).type('text/markdown; charset=utf-8').send(blastRadiusMarkdown(run.result));
    return reply.code(201).send({ simulation: run });
  } catch (err) {
    if (err instanceof ChangeInputError)
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
    if (err instanceof ChangeNotFoundError)
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: err.message });
    throw err;
  }
}

export async function simulationChangeRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  app.post('/api/simulations/change', { schema: { body: changeSubject, querystring: query } }, async (req, reply) =>
    runChange(opts.ctx, req.body as ChangeSubjectBody, reply, (req.query as z.output<typeof query>).format),
  );
}
