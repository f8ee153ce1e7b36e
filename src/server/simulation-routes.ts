// Simulation API routes (inside the authenticated API context): run one (the body's `kind` picks
// the simulation: load or failure; change, which answers at POST /api/simulations/change for now,
// joins when its runs are stored), list them, show one as JSON or as Markdown.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_FACTOR, parseFailureMode, parseSetLine, parseWindow, simulationMarkdown } from '../analysis/index.js';
import { SIMULATION_KINDS } from '../model/index.js';
import {
  SimulationInputError,
  getSimulation,
  listSimulations,
  simulateFailure,
  simulateLoad,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { changeSubject, runChange } from './simulation-change-routes.js';
import { timeArg } from './zod.js';

/** A `--set` line, checked for its shape here (the service and setting are checked against the calibration). */
export const setLine = z
  .string()
  .min(3)
  .max(512)
  .superRefine((s, c) => {
    try {
      parseSetLine(s);
    } catch (err) {
      c.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

/** A calibration window's length: 30m, 2h, 900s, or milliseconds. */
export const windowArg = z.union([z.string().max(32), z.number()]).transform((v, c) => {
  try {
    return parseWindow(v);
  } catch (err) {
    c.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

/** A failure mode: down, slow=2s, errors=30%. */
export const failureModeArg = z
  .string()
  .max(64)
  .superRefine((s, c) => {
    try {
      parseFailureMode(s);
    } catch (err) {
      c.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

const loadBody = z
  .object({
    kind: z.literal('load'),
    factor: z.number().gt(0).max(MAX_FACTOR),
    endpoint: z.string().trim().min(1).max(1024).optional(),
    set: z.array(setLine).max(50).default([]),
    /** The calibration window's length: 30m, 2h, 900s, or milliseconds (default 30m). */
    window: windowArg.optional(),
    /** The window's end (default now): ISO, epoch ms or an age like 1h. */
    until: timeArg.optional(),
  })
  .strict();

const failureBody = z
  .object({
    kind: z.literal('failure'),
    /** The service that fails (checked against the calibration's services). */
    service: z.string().trim().min(1).max(256),
    mode: failureModeArg,
    window: windowArg.optional(),
    until: timeArg.optional(),
  })
  .strict();

/** The kinds still to come: recognised, so their callers get a clear answer rather than a schema error. */
/** kind `change`: the rest of the body is POST /api/simulations/change's (checked by changeSubject in the handler). */
const changeBody = z.object({ kind: z.literal('change') }).passthrough();

const startBody = z.discriminatedUnion('kind', [loadBody, failureBody, changeBody]);
const idParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const showQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });
const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  kind: z.enum(SIMULATION_KINDS).optional(),
});

const badRequest = (message: string) => ({ statusCode: 400, error: 'Bad Request', message });

export async function simulationRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post('/api/simulations', { schema: { body: startBody } }, async (req, reply) => {
    const body = req.body as z.output<typeof startBody>;
    if (body.kind === 'change') {
      const { kind: _kind, ...rest } = body;
      const subject = changeSubject.safeParse(rest);
      if (!subject.success)
        return reply
          .code(400)
          .send(
            badRequest(
              subject.error.issues
                .map((i) => (i.path.length ? `body/${i.path.join('/')} ${i.message}` : i.message))
                .join('; '),
            ),
          );
      return runChange(ctx, subject.data, reply);
    }
    try {
      const run =
        body.kind === 'failure'
          ? await simulateFailure(ctx, {
              service: body.service,
              mode: body.mode,
              windowMs: body.window,
              until: body.until,
            })
          : await simulateLoad(ctx, {
              factor: body.factor,
              endpoint: body.endpoint ?? null,
              set: body.set,
              windowMs: body.window,
              until: body.until,
            });
      return reply.code(201).send({ simulation: run });
    } catch (err) {
      if (err instanceof SimulationInputError) return reply.code(400).send(badRequest(err.message));
      throw err;
    }
  });

  app.get('/api/simulations', { schema: { querystring: listQuery } }, async (req) => {
    const q = req.query as z.output<typeof listQuery>;
    return { simulations: await listSimulations(ctx, { limit: q.limit, ...(q.kind ? { kind: q.kind } : {}) }) };
  });

  app.get('/api/simulations/:id', { schema: { params: idParams, querystring: showQuery } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof idParams>;
    const run = await getSimulation(ctx, id);
    if (!run)
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no simulation with id ${id}` });
    if ((req.query as z.output<typeof showQuery>).format === 'markdown')
      return reply.type('text/markdown; charset=utf-8').send(simulationMarkdown(run.result, { id: run.id }));
    return { simulation: run };
  });
}
