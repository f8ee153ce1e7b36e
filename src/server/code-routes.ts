// Code API routes (registered inside the authenticated API context): repositories and their
// sync, files, symbols, routes, log call sites, commits and blame. A repository's path is
// read on the server's filesystem. Add and sync stream progress as NDJSON when asked to.
import { isAbsolute } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { codeStore, rpcStore } from '../store/index.js';
import {
  type SyncProgress,
  type SyncResult,
  addRepository,
  blame,
  commitDetail,
  getRepository,
  syncRepository,
} from '../workflows/index.js';
import type { RouteOptions } from './route-options.js';

const NDJSON = 'application/x-ndjson';
const MAX_LIMIT = 5000;

const limit = (d: number) => z.coerce.number().int().min(1).max(MAX_LIMIT).default(d);
const repoName = z.string().min(1).max(128);

const serviceMapping = z.object({
  service: z.string().min(1).max(256),
  pathPrefix: z.string().max(1024).optional(),
});

const addBody = z.object({
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine(
      isAbsolute,
      'must be an absolute path on the server (the server reads the repository from its own filesystem)',
    ),
  name: repoName.optional(),
  services: z.array(serviceMapping).max(500).optional(),
  /** false: only register; the first `sync` reads it. */
  sync: z.boolean().default(true),
});

const nameParams = z.object({ name: repoName });

function wantsNdjson(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes(NDJSON);
}

/**
 * Runs a sync and answers with its result, or, for a client that accepts NDJSON, streams one
 * `{"type":"progress",…}` line per progress event, then a `{"type":"result",…}` line (or a
 * `{"type":"error",…}` line: the status is already sent by then).
 */
async function answerSync(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  run: (onProgress?: (p: SyncProgress) => void) => Promise<Record<string, unknown>>,
): Promise<FastifyReply | Record<string, unknown>> {
  if (!wantsNdjson(req)) return reply.code(status).send(await run());
  const stream = new PassThrough();
  stream.on('error', () => {}); // the client went away; the sync still finishes and is stored
  const write = (o: unknown) => {
    if (!stream.destroyed && !stream.writableEnded) stream.write(`${JSON.stringify(o)}\n`);
  };
  reply.code(status).header('content-type', NDJSON).header('cache-control', 'no-store').send(stream);
  run((p) => write({ type: 'progress', ...p }))
    .then(
      (result) => write({ type: 'result', ...result }),
      (err: Error & { statusCode?: number }) => {
        const code = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
        if (code >= 500) req.log.error({ err }, 'repository sync failed');
        write({
          type: 'error',
          statusCode: code,
          message: code >= 500 ? 'internal error; see the server log' : err.message,
        });
      },
    )
    .finally(() => stream.end());
  return reply;
}

export async function codeRoutes(app: FastifyInstance, opts: RouteOptions): Promise<void> {
  const { ctx } = opts;
  const db = () => ctx.store.db;

  app.get('/api/repos', async () => ({ repositories: await codeStore.listRepositories(db()) }));

  app.post('/api/repos', { schema: { body: addBody } }, async (req, reply) => {
    const body = req.body as z.output<typeof addBody>;
    // Registration errors (not a git repository, a taken name) are answered before any streaming.
    const { repository, created } = await addRepository(ctx, {
      path: body.path,
      name: body.name,
      services: body.services,
    });
    const status = created ? 201 : 200;
    if (!body.sync) return reply.code(status).send({ repository, created, sync: null });
    return answerSync(req, reply, status, async (onProgress) => {
      const sync: SyncResult = await syncRepository(ctx, repository.id, { onProgress });
      return { repository: await getRepository(ctx, repository.id), created, sync };
    });
  });

  app.post('/api/repos/:name/sync', { schema: { params: nameParams } }, async (req, reply) => {
    const repository = await getRepository(ctx, (req.params as z.output<typeof nameParams>).name);
    return answerSync(req, reply, 200, async (onProgress) => {
      const sync = await syncRepository(ctx, repository.id, { onProgress });
      return { repository: await getRepository(ctx, repository.id), sync };
    });
  });

  const filesQuery = z.object({ path: z.string().max(1024).optional(), limit: limit(1000) });
  app.get('/api/repos/:name/files', { schema: { params: nameParams, querystring: filesQuery } }, async (req) => {
    const repository = await getRepository(ctx, (req.params as z.output<typeof nameParams>).name);
    const q = req.query as z.output<typeof filesQuery>;
    return {
      files: await codeStore.listFiles(db(), repository.id, {
        pathPrefix: q.path?.replace(/^\/+/, ''),
        limit: q.limit,
      }),
    };
  });

  const commitsQuery = z.object({ path: z.string().min(1).max(1024).optional(), limit: limit(100) });
  app.get('/api/repos/:name/commits', { schema: { params: nameParams, querystring: commitsQuery } }, async (req) => {
    const repository = await getRepository(ctx, (req.params as z.output<typeof nameParams>).name);
    const q = req.query as z.output<typeof commitsQuery>;
    return {
      commits: await codeStore.listCommits(db(), repository.id, { path: q.path?.replace(/^\/+/, ''), limit: q.limit }),
    };
  });

  const commitParams = z.object({ name: repoName, sha: z.string().min(1).max(64) });
  app.get('/api/repos/:name/commits/:sha', { schema: { params: commitParams } }, async (req) => {
    const p = req.params as z.output<typeof commitParams>;
    return commitDetail(ctx, p.name, p.sha);
  });

  const symbolsQuery = z.object({
    name: z.string().min(1).max(512),
    repo: repoName.optional(),
    path: z.string().max(1024).optional(),
    limit: limit(100),
  });
  app.get('/api/symbols', { schema: { querystring: symbolsQuery } }, async (req) => {
    const q = req.query as z.output<typeof symbolsQuery>;
    return {
      symbols: await codeStore.findSymbols(db(), { name: q.name, repository: q.repo, path: q.path, limit: q.limit }),
    };
  });

  const routesQuery = z.object({
    path: z.string().min(1).max(1024).optional(),
    method: z.string().min(1).max(16).optional(),
    repo: repoName.optional(),
    limit: limit(200),
  });
  app.get('/api/routes', { schema: { querystring: routesQuery } }, async (req) => {
    const q = req.query as z.output<typeof routesQuery>;
    return {
      routes: await codeStore.findRoutes(db(), { path: q.path, method: q.method, repository: q.repo, limit: q.limit }),
    };
  });

  const rpcsQuery = z.object({
    service: z.string().min(1).max(512).optional(),
    method: z.string().min(1).max(256).optional(),
    repo: repoName.optional(),
    limit: limit(200),
  });
  app.get('/api/rpcs', { schema: { querystring: rpcsQuery } }, async (req) => {
    const q = req.query as z.output<typeof rpcsQuery>;
    return {
      rpcs: await rpcStore.findRpcs(db(), { service: q.service, method: q.method, repository: q.repo, limit: q.limit }),
    };
  });

  const callsitesQuery = z.object({
    q: z.string().min(1).max(1024).optional(),
    repo: repoName.optional(),
    limit: limit(200),
  });
  app.get('/api/callsites', { schema: { querystring: callsitesQuery } }, async (req) => {
    const q = req.query as z.output<typeof callsitesQuery>;
    return { callsites: await codeStore.findCallsites(db(), { text: q.q, repository: q.repo, limit: q.limit }) };
  });

  const blameQuery = z.object({
    repo: repoName,
    path: z.string().min(1).max(1024),
    start: z.coerce.number().int().min(1),
    end: z.coerce.number().int().min(1).optional(),
  });
  app.get('/api/blame', { schema: { querystring: blameQuery } }, async (req) => {
    const q = req.query as z.output<typeof blameQuery>;
    return blame(ctx, { repository: q.repo, path: q.path, startLine: q.start, endLine: q.end ?? q.start });
  });
}
