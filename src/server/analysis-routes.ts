// Analysis API routes (registered inside the authenticated API context): what streaming
// analysis mined over a window — log patterns, error groups, RED per service and the
// service graph — each with totals, a bucketed series and a trend.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  AnalysisInputError,
  MAX_ANALYSIS_LIMIT,
  MAX_BUCKETS,
  getErrorGroup,
  getPattern,
  listErrorGroups,
  listPatterns,
  listServices,
  latencySeries,
  serviceGraph,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const service = z.string().min(1).max(256).optional();

const windowQuery = z.object({
  since: timeArg.optional(),
  until: timeArg.optional(),
  buckets: z.coerce.number().int().min(1).max(MAX_BUCKETS).optional(),
});

const limit = (fallback: number) => z.coerce.number().int().min(1).max(MAX_ANALYSIS_LIMIT).default(fallback);

const patternsQuery = windowQuery.extend({
  service,
  /** One level or several, comma separated: `level=warn,error`. */
  level: z.string().min(1).max(256).optional(),
  q: z.string().min(1).max(1024).optional(),
  limit: limit(50),
});

const errorsQuery = windowQuery.extend({ service, q: z.string().min(1).max(1024).optional(), limit: limit(50) });
const servicesQuery = windowQuery.extend({ service, limit: limit(200) });
const oneQuery = windowQuery.extend({ service });

const keyParams = z.object({ key: z.string().min(1).max(256) });
const fingerprintParams = z.object({ fingerprint: z.string().min(1).max(256) });

function fail(reply: FastifyReply, status: 400 | 404, message: string): FastifyReply {
  return reply.code(status).send({ statusCode: status, error: status === 400 ? 'Bad Request' : 'Not Found', message });
}

/** Runs a workflow call, turning an AnalysisInputError into a 400 with its message. */
async function guarded<T>(reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AnalysisInputError) return fail(reply, 400, err.message);
    throw err;
  }
}

export async function analysisRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.get('/api/patterns', { schema: { querystring: patternsQuery } }, (req, reply) => {
    const q = req.query as z.output<typeof patternsQuery>;
    return guarded(reply, () => listPatterns(ctx, { ...q, levels: q.level?.split(','), q: q.q }));
  });

  app.get('/api/patterns/:key', { schema: { params: keyParams, querystring: oneQuery } }, (req, reply) => {
    const { key } = req.params as z.output<typeof keyParams>;
    return guarded(reply, async () => {
      const q = req.query as z.output<typeof oneQuery>;
      const r = await getPattern(ctx, key, q);
      return (
        r ??
        fail(reply, 404, `no log pattern with key ${key}${q.service === undefined ? '' : ` in service ${q.service}`}`)
      );
    });
  });

  app.get('/api/errors', { schema: { querystring: errorsQuery } }, (req, reply) =>
    guarded(reply, () => listErrorGroups(ctx, req.query as z.output<typeof errorsQuery>)),
  );

  app.get(
    '/api/errors/:fingerprint',
    { schema: { params: fingerprintParams, querystring: oneQuery } },
    (req, reply) => {
      const { fingerprint } = req.params as z.output<typeof fingerprintParams>;
      return guarded(reply, async () => {
        const q = req.query as z.output<typeof oneQuery>;
        const r = await getErrorGroup(ctx, fingerprint, q);
        return (
          r ??
          fail(
            reply,
            404,
            `no error group with fingerprint ${fingerprint}${q.service === undefined ? '' : ` in service ${q.service}`}`,
          )
        );
      });
    },
  );

  app.get('/api/services', { schema: { querystring: servicesQuery } }, (req, reply) =>
    guarded(reply, () => listServices(ctx, req.query as z.output<typeof servicesQuery>)),
  );

  app.get('/api/services/graph', { schema: { querystring: oneQuery } }, (req, reply) =>
    guarded(reply, () => serviceGraph(ctx, req.query as z.output<typeof oneQuery>)),
  );

  const latencyParams = z.object({ service: z.string().min(1).max(256) });
  const latencyQuery = windowQuery.extend({ endpoint: z.string().min(1).max(1024).optional() });
  app.get(
    '/api/services/:service/latency',
    { schema: { params: latencyParams, querystring: latencyQuery } },
    (req, reply) =>
      guarded(reply, () =>
        latencySeries(ctx, {
          ...(req.query as z.output<typeof latencyQuery>),
          service: (req.params as z.output<typeof latencyParams>).service,
        }),
      ),
  );
}
