// The HTTP API under /api, plus /metrics and /healthz. Every route validates its input
// with Zod and calls a workflow or the store; the CLI is a client of exactly these routes.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  SentryProjectError,
  SentryProjectTakenError,
  TokenNameTakenError,
  sentryProjectNameProblem,
  tokenNameProblem,
} from '../store/index.js';
import { type Context, MAX_QUERY_LIMIT, searchLogs, searchSpans } from '../workflows/index.js';
import type { Config } from '../config/index.js';
import { GENERAL_TOKEN_ROLES, type SentryProjectCreated } from '../model/index.js';
import { type TokenVerifier, actorOf, authHook } from './auth.js';
import { answerRoutes } from './answer-routes.js';
import { auditRoutes } from './audit-routes.js';
import { analysisRoutes } from './analysis-routes.js';
import { codeRoutes } from './code-routes.js';
import { deployRoutes } from './deploy-routes.js';
import { investigationRoutes } from './investigation-routes.js';
import { problemRoutes } from './problem-routes.js';
import { proposalRoutes } from './proposal-routes.js';
import { simulationRoutes } from './simulation-routes.js';
import { reviewRoutes } from './review-routes.js';
import { simulationChangeRoutes } from './simulation-change-routes.js';
import { infraRoutes } from './infra-routes.js';
// routes.js alone: the rest of mcp/ (the SDK, the tools) loads on the first MCP request.
import { mcpRoutes } from './mcp/routes.js';
import { ticketRoutes } from './ticket-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { timeArg } from './zod.js';

export interface ApiRouteOptions {
  ctx: Context;
  config: Config;
  anonymous: boolean;
  verifier: TokenVerifier;
  version: string;
  startedAt: Date;
}

const rawQuery = z.object({
  service: z.string().min(1).max(256).optional(),
  since: timeArg.optional(),
  until: timeArg.optional(),
  trace: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be a 32-digit hex trace id')
    .optional(),
  user: z.string().min(1).max(512).optional(),
  account: z.string().min(1).max(512).optional(),
  /** `error`: only spans with an error status. */
  status: z.enum(['error']).optional(),
  grep: z.string().min(1).max(1024).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_QUERY_LIMIT).default(100),
});

type RawQuery = z.output<typeof rawQuery>;

function filterOf(q: RawQuery) {
  return {
    service: q.service,
    since: q.since,
    until: q.until,
    traceId: q.trace,
    userId: q.user,
    accountId: q.account,
    errorsOnly: q.status === 'error',
    grep: q.grep,
    limit: q.limit,
  };
}

const tokenBody = z.object({
  name: z.string().superRefine((n, c) => {
    const problem = tokenNameProblem(n);
    if (problem) c.addIssue({ code: 'custom', message: problem });
  }),
  /** Least privilege unless asked: a new token reads only. */
  role: z.enum(GENERAL_TOKEN_ROLES).default('viewer'),
});

const sentryProjectBody = z.object({
  name: z.string().superRefine((n, c) => {
    const problem = sentryProjectNameProblem(n);
    if (problem) c.addIssue({ code: 'custom', message: problem });
  }),
});

export async function apiRoutes(app: FastifyInstance, opts: ApiRouteOptions): Promise<void> {
  const { ctx } = opts;

  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(webhookRoutes, { ctx, config: opts.config, verifier: opts.verifier, anonymous: opts.anonymous });

  // Everything registered after this hook (in this context) requires auth unless anonymous.
  await app.register(async (secured) => {
    // The API speaks JSON only; anything else is a 415, not a string that fails validation.
    secured.removeContentTypeParser('text/plain');
    secured.addHook(
      'onRequest',
      authHook({
        verifier: opts.verifier,
        anonymous: opts.anonymous,
        deny: (reply, status, message) =>
          reply.code(status).send({ statusCode: status, error: STATUS_CODES[status], message }),
      }),
    );

    secured.setErrorHandler((err: FastifyError, req, reply) => {
      if (err instanceof SentryProjectError)
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: err.message });
      if (err instanceof TokenNameTakenError || err instanceof SentryProjectTakenError)
        return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: err.message });
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) req.log.error({ err }, 'API request failed');
      return reply.code(status).send({
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        message: status >= 500 ? 'internal error; see the server log' : err.message,
      });
    });

    secured.get('/metrics', async (_req, reply) =>
      reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()),
    );

    secured.get('/api/status', async () => ({
      version: opts.version,
      startedAt: opts.startedAt.toISOString(),
      ingestQueue: ctx.writer.queuedRecords,
      store: await ctx.store.status(),
    }));

    secured.get('/api/logs', { schema: { querystring: rawQuery } }, async (req) => ({
      logs: await searchLogs(ctx, filterOf(req.query as RawQuery)),
    }));

    secured.get('/api/spans', { schema: { querystring: rawQuery } }, async (req) => ({
      spans: await searchSpans(ctx, filterOf(req.query as RawQuery)),
    }));

    const routeOpts = { ctx, config: opts.config };
    await secured.register(codeRoutes, routeOpts);
    await secured.register(deployRoutes, routeOpts);
    await secured.register(ticketRoutes, routeOpts);
    await secured.register(infraRoutes, routeOpts);
    await secured.register(analysisRoutes, routeOpts);
    await secured.register(investigationRoutes, routeOpts);
    await secured.register(answerRoutes, routeOpts);
    await secured.register(problemRoutes, routeOpts);
    await secured.register(simulationRoutes, routeOpts);
    await secured.register(simulationChangeRoutes, routeOpts);
    await secured.register(reviewRoutes, routeOpts);
    await secured.register(auditRoutes, routeOpts);
    await secured.register(proposalRoutes, routeOpts);
    await secured.register(mcpRoutes, { ...routeOpts, version: opts.version });

    secured.get('/api/tokens', async () => ({ tokens: await ctx.store.listTokens() }));

    secured.post('/api/tokens', { schema: { body: tokenBody } }, async (req, reply) => {
      const body = req.body as z.output<typeof tokenBody>;
      const { token, record } = await ctx.store.createToken(body.name, { role: body.role, actor: actorOf(req) });
      return reply.code(201).send({ token, record });
    });

    secured.get('/api/sentry/projects', async () => ({ projects: await ctx.store.listSentryProjects() }));

    secured.post('/api/sentry/projects', { schema: { body: sentryProjectBody } }, async (req, reply) => {
      const { name } = req.body as z.output<typeof sentryProjectBody>;
      const made = await ctx.store.createSentryProject(name, { actor: actorOf(req) });
      const created: SentryProjectCreated = {
        ...made,
        dsn: `${req.protocol}://${made.key}@${req.headers.host ?? '127.0.0.1:8470'}/${made.project.id}`,
      };
      return reply.code(201).send(created);
    });

    secured.delete(
      '/api/tokens/:id',
      { schema: { params: z.object({ id: z.string().min(1).max(128) }) } },
      async (req, reply) => {
        const revoked = await ctx.store.revokeToken((req.params as { id: string }).id, { actor: actorOf(req) });
        opts.verifier.clear();
        if (revoked.length === 0) {
          return reply
            .code(404)
            .send({ statusCode: 404, error: 'Not Found', message: 'no live token with that id or name' });
        }
        return { revoked };
      },
    );
  });
}
