// Builds and runs Orrery's listeners: the API and the web UI on one port and the
// OTLP receiver on another. The receiver is also mounted on the API port, for setups
// that can open only one.
import Fastify, { type FastifyInstance } from 'fastify';
import { type Config, isLoopback } from '../config/index.js';
import { WEBHOOK_FORMATS } from '../ingest/sources/tickets/index.js';
import type { Context } from '../workflows/index.js';
import { apiRoutes } from './api-routes.js';
import { TokenVerifier } from './auth.js';
import { otlpRoutes, sendStatus } from './otlp-routes.js';
import { hostPolicy, requestGuard, signedWebhook } from './request-guard.js';
import { SECRET_SETTING } from './webhook-routes.js';
import { findWebRoot, webRoutes } from './web-routes.js';
import { zodValidatorCompiler } from './zod.js';

export interface ServerOptions {
  /** The built web UI's folder (default: found beside the server, see findWebRoot); null: none. */
  webRoot?: string | null;
  /** Let requests without a token through on loopback listeners (what `orrery up` uses locally). */
  allowAnonymousLoopback: boolean;
  version: string;
}

export interface OrreryServer {
  api: FastifyInstance;
  otlp: FastifyInstance;
  /** Listens on the configured hosts and ports; resolves to the bound addresses. */
  listen(): Promise<{ api: string; otlp: string }>;
  close(): Promise<void>;
}

function fastify(config: Config, bodyLimit: number): FastifyInstance {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit,
    // On close, drop idle keep-alive sockets but let in-flight requests finish: an ingest
    // request cut mid-commit would be retried by the exporter and stored twice.
    forceCloseConnections: 'idle',
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  return app;
}

export function buildServer(ctx: Context, config: Config, opts: ServerOptions): OrreryServer {
  const verifier = new TokenVerifier(ctx.store);
  const apiAnonymous = opts.allowAnonymousLoopback && config.auth === 'auto' && isLoopback(config.host);
  const otlpAnonymous = opts.allowAnonymousLoopback && config.auth === 'auto' && isLoopback(config.otlpHost);
  const otlpOpts = {
    ctx,
    verifier,
    maxBodyBytes: config.maxBodyBytes,
    maxDecodedBytes: config.maxDecodedBytes,
  };

  const api = fastify(config, 1024 * 1024);
  // First of all hooks: a browser's cross-site or rebound request is refused before auth or body.
  api.addHook(
    'onRequest',
    requestGuard({
      hosts: hostPolicy({ bound: config.host, publicHosts: config.publicHosts }),
      enforceHost: true,
      exempt: signedWebhook(WEBHOOK_FORMATS, (name) => {
        const setting = SECRET_SETTING[name];
        return setting ? (config[setting.key] as string | undefined) : undefined;
      }),
    }),
  );
  void api.register(apiRoutes, {
    ctx,
    config,
    verifier,
    anonymous: apiAnonymous,
    version: opts.version,
    startedAt: new Date(),
  });
  void api.register(otlpRoutes, { ...otlpOpts, anonymous: apiAnonymous });
  // The UI at the root context, so its not-found handler (deep links) covers every path.
  void webRoutes(api, { root: opts.webRoot === undefined ? findWebRoot() : opts.webRoot });

  const otlp = fastify(config, config.maxBodyBytes);
  // SDKs call this listener under whatever name they were given, so any Host; browsers' writes
  // (which carry Origin or Sec-Fetch-Site) are still refused unless from Orrery's own origin.
  otlp.addHook(
    'onRequest',
    requestGuard({
      hosts: hostPolicy({ bound: config.otlpHost, publicHosts: config.publicHosts }),
      enforceHost: false,
      deny: (reply, status, message) => sendStatus(reply.request, reply, status, message),
    }),
  );
  void otlp.register(otlpRoutes, { ...otlpOpts, anonymous: otlpAnonymous });
  otlp.get('/healthz', async () => ({ status: 'ok' }));

  return {
    api,
    otlp,
    async listen() {
      const a = await api.listen({ host: config.host, port: config.port });
      const o = await otlp.listen({ host: config.otlpHost, port: config.otlpPort });
      return { api: a, otlp: o };
    },
    async close() {
      await Promise.allSettled([api.close(), otlp.close()]);
    },
  };
}
