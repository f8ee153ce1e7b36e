// The web UI on the API's port: the built single-page app (dist/web, made by `npm run build`)
// at `/`, its hashed assets under /assets with a long cache, and index.html for every other
// page path a browser asks for (the app routes on the client, so deep links work). The files
// hold no data: every read goes through /api, which keeps its own auth.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** Paths that are never pages: the API, OTLP, health and metrics answer for themselves. */
const NOT_PAGES = /^\/(api|v1)(\/|$)|^\/(healthz|metrics)$/;

/**
 * Where the built UI is: dist/web beside the running server (dist/server), else the checkout's
 * dist/web (when the server runs from source, as the tests do); null when it was never built.
 * A build leaves index.html with its assets under assets/ (the source index.html has none).
 */
export function findWebRoot(): string | null {
  for (const rel of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return null;
}

export interface WebRouteOptions {
  /** The built UI's folder; null serves a page saying how to build it. */
  root: string | null;
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Orrery</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto;line-height:1.5">
<h1>The Orrery UI is not built</h1><p>Run <code>npm run build</code> (or <code>npm ci</code>) in the checkout, then reload. The API is at <a href="/api/status">/api/status</a>.</p>`;

export async function webRoutes(app: FastifyInstance, opts: WebRouteOptions): Promise<void> {
  const root = opts.root;
  // Read per request (it is small): a rebuild while the server runs serves the new one.
  const page = async (reply: FastifyReply) => {
    const index = root ? await readFile(join(root, 'index.html'), 'utf8').catch(() => null) : null;
    return reply
      .code(index ? 200 : 503)
      .header('content-type', TYPES['.html'])
      .header('cache-control', 'no-cache')
      .send(index ?? NOT_BUILT);
  };

  app.get('/', async (_req, reply) => page(reply));

  app.get('/assets/*', async (req: FastifyRequest, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const file = root ? normalize(join(root, 'assets', rel)) : null;
    if (!file?.startsWith(join(root as string, 'assets') + sep))
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such asset' });
    try {
      const body = await readFile(file);
      return reply
        .header('content-type', TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    } catch {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such asset' });
    }
  });

  // Any other GET a browser makes for a page is the app's (deep links); the rest is a 404.
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const wantsPage = req.method === 'GET' && !NOT_PAGES.test(path) && (req.headers.accept ?? '').includes('text/html');
    if (wantsPage) return page(reply);
    return reply
      .code(404)
      .send({ statusCode: 404, error: 'Not Found', message: `Route ${req.method}:${path} not found` });
  });
}
