// Deploy API routes (registered inside the authenticated API context): record a deploy,
// list deploys, and show one with the commit range it shipped.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { DeployVerification } from '../model/index.js';
import {
  COMMIT_PATTERN,
  DeployInputError,
  listDeploys,
  recordDeploy,
  showDeploy,
  verifyDeployment,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';
import { timeArg } from './zod.js';

const recordBody = z.object({
  service: z.string().trim().min(1, 'must not be empty').max(256),
  version: z.string().trim().min(1, 'must not be empty').max(256),
  commit: z.string().trim().regex(COMMIT_PATTERN, 'must be a commit SHA: 7 to 64 hex digits').nullable().optional(),
  environment: z.string().trim().max(256).optional(),
  at: timeArg.optional(),
  source: z.string().trim().min(1).max(64).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});

const listQuery = z.object({
  service: z.string().min(1).max(256).optional(),
  env: z.string().max(256).optional(),
  since: timeArg.optional(),
  until: timeArg.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const showParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const showQuery = z.object({ paths: z.enum(['all', 'service']).default('all') });

/**
 * `failOn` turns a verdict into an HTTP status for tools that read only the status (curl -f in a
 * Flagger webhook, a plain HTTP check): 409 when the verification is `regressed`, or (with
 * `not-healthy`) anything but `healthy`, including while it is still watched.
 */
const verifyQuery = z.object({ failOn: z.enum(['regressed', 'not-healthy']).optional() });
const latestQuery = verifyQuery.extend({
  service: z.string().trim().min(1, 'must not be empty').max(256),
  env: z.string().max(256).optional(),
});

function verificationReply(
  reply: FastifyReply,
  v: DeployVerification,
  failOn: 'regressed' | 'not-healthy' | undefined,
) {
  const fail = failOn === 'regressed' ? v.verdict === 'regressed' : failOn === 'not-healthy' && v.verdict !== 'healthy';
  return reply.code(fail ? 409 : 200).send(v);
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

export async function deployRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;

  app.post('/api/deploys', { schema: { body: recordBody } }, async (req, reply) => {
    const b = req.body as z.output<typeof recordBody>;
    try {
      const r = await recordDeploy(ctx, {
        service: b.service,
        version: b.version,
        commit: b.commit ?? null,
        environment: b.environment,
        at: b.at,
        source: b.source,
        attributes: b.attributes,
      });
      return reply.code(r.created ? 201 : 200).send(r);
    } catch (err) {
      if (err instanceof DeployInputError) return badRequest(reply, err.message);
      throw err;
    }
  });

  app.get('/api/deploys', { schema: { querystring: listQuery } }, async (req) => {
    const q = req.query as z.output<typeof listQuery>;
    return {
      deploys: await listDeploys(ctx, {
        service: q.service,
        environment: q.env,
        since: q.since,
        until: q.until,
        limit: q.limit,
      }),
    };
  });

  app.get('/api/deploys/:id', { schema: { params: showParams, querystring: showQuery } }, async (req, reply) => {
    const { id } = req.params as z.output<typeof showParams>;
    const { paths } = req.query as z.output<typeof showQuery>;
    const detail = await showDeploy(ctx, id, { restrictToService: paths === 'service' });
    if (!detail)
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no deploy with id ${id}` });
    return detail;
  });

  app.get(
    '/api/deploys/:id/verification',
    { schema: { params: showParams, querystring: verifyQuery } },
    async (req, reply) => {
      const { id } = req.params as z.output<typeof showParams>;
      const { failOn } = req.query as z.output<typeof verifyQuery>;
      const v = await verifyDeployment(ctx, id, { watchMinutes: opts.config.verifyWatchMinutes });
      if (!v) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no deploy with id ${id}` });
      return verificationReply(reply, v, failOn);
    },
  );

  // The latest deploy of a service (and environment): for callers that know the service but not
  // the deploy's id, such as a Flagger webhook.
  app.get('/api/deploys/latest/verification', { schema: { querystring: latestQuery } }, async (req, reply) => {
    const q = req.query as z.output<typeof latestQuery>;
    const [d] = await listDeploys(ctx, { service: q.service, environment: q.env, limit: 1 });
    if (!d)
      return reply.code(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: `no deploy of service ${q.service}${q.env ? ` in ${q.env}` : ''}`,
      });
    const v = await verifyDeployment(ctx, d.id, { watchMinutes: opts.config.verifyWatchMinutes });
    if (!v) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no deploy with id ${d.id}` });
    return verificationReply(reply, v, q.failOn);
  });
}
