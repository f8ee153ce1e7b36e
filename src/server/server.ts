// Builds and runs Orrery's listeners: the API, the web UI and the Sentry endpoints on one port,
// the OTLP/HTTP receiver on another (also mounted on the API port, for setups that can open only
// one) and the OTLP/gRPC receiver on a third, unless it is off. The receivers share one admission
// (behind the resident-memory guard), one inflate budget and one bad-token throttle.
import Fastify, { type FastifyInstance } from 'fastify';
import { type Config, isLoopback } from '../config/index.js';
import { WEBHOOK_FORMATS } from '../ingest/sources/tickets/index.js';
import type { Context } from '../workflows/index.js';
import { apiRoutes } from './api-routes.js';
import { InflateBudget } from '../ingest/sources/otlp/index.js';
import { Admission } from './admission.js';
import { TokenVerifier } from './auth.js';
import { AuthThrottle } from './auth-throttle.js';
import { MemoryGuard } from './memory-guard.js';
import { guardBodies } from './body-guard.js';
import { OtlpGrpcServer } from './otlp-grpc.js';
import { otlpRoutes, sendStatus } from './otlp-routes.js';
import { anyOf, hostPolicy, requestGuard, signedWebhook } from './request-guard.js';
import { isSentryRoute, sentryRoutes } from './sentry-routes.js';
import { SECRET_SETTING } from './webhook-routes.js';
import { findWebRoot, webRoutes } from './web-routes.js';
import { zodValidatorCompiler } from './zod.js';

export interface ServerOptions {
  /** The built web UI's folder (default: found beside the server, see findWebRoot); null: none. */
  webRoot?: string | null;
  /** Let requests without a token through on loopback listeners (what `orrery up` uses locally). */
  allowAnonymousLoopback: boolean;
  version: string;
  /** For tests: how the memory guard reads the resident memory (default the process's own). */
  readRss?: () => number;
}

export interface ListenAddresses {
  api: string;
  otlp: string;
  /** `host:port` of the OTLP/gRPC receiver, or null when it is off. */
  otlpGrpc: string | null;
}

export interface OrreryServer {
  api: FastifyInstance;
  otlp: FastifyInstance;
  /** The OTLP/gRPC receiver; null when its port is `off`. */
  grpc: OtlpGrpcServer | null;
  /** The resident-memory guard of the ingest admission; null when ORRERY_MAX_RSS_MB is 0. */
  memory: MemoryGuard | null;
  /** Listens on the configured hosts and ports; resolves to the bound addresses. */
  listen(): Promise<ListenAddresses>;
  close(): Promise<void>;
}

function fastify(config: Config, bodyLimit: number): FastifyInstance {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit,
    // On close, drop idle keep-alive sockets but let in-flight requests finish: an ingest
    // request cut mid-commit would be retried by the exporter and stored twice.
    forceCloseConnections: 'idle',
    // Node's own whole-request deadline, behind the body guard's finer one.
    requestTimeout: config.bodyTimeoutMs + 10_000,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  guardBodies(app, { timeoutMs: config.bodyTimeoutMs, minBytesPerSecond: config.minBodyBytesPerSecond });
  return app;
}

/**
 * OTLP requests in progress at once when not configured: enough for group commit to fill a
 * transaction per writer slot while the next batches decode (PGlite has one connection, so
 * 4), and few enough that a burst waits before its bodies are read instead of thrashing the
 * CPU that decodes them.
 */
function defaultIngestConcurrency(writerSlots: number): number {
  return Math.max(4, 2 * writerSlots);
}

export function buildServer(ctx: Context, config: Config, opts: ServerOptions): OrreryServer {
  const throttle =
    config.authFailureLimit > 0
      ? new AuthThrottle({ limit: config.authFailureLimit, maxPenaltyMs: config.authPenaltyMaxSeconds * 1000 })
      : undefined;
  const verifier = new TokenVerifier(ctx.store, throttle ? { throttle } : {});
  const apiAnonymous = opts.allowAnonymousLoopback && config.auth === 'auto' && isLoopback(config.host);
  const otlpAnonymous = opts.allowAnonymousLoopback && config.auth === 'auto' && isLoopback(config.otlpHost);
  const inflate = new InflateBudget(config.maxInflightDecodedBytes);
  // Set once the listeners exist (the guard's first sample is taken before them).
  let warn: ((message: string) => void) | undefined;
  const memory =
    config.maxRssMb > 0
      ? new MemoryGuard({
          capBytes: config.maxRssMb * 1024 * 1024,
          ...(opts.readRss ? { read: opts.readRss } : {}),
          // Bodies still inflating are what grows fastest: drop them when the door closes.
          onChange: (refusing, rss) => {
            if (refusing) inflate.shed();
            const mib = Math.round(rss / 1048576);
            if (refusing)
              warn?.(`resident memory ${mib} MiB is near ORRERY_MAX_RSS_MB=${config.maxRssMb}: ingest refused`);
            else warn?.(`resident memory ${mib} MiB is back under the mark: ingest taken again`);
          },
        })
      : null;
  const admission = new Admission({
    slots: config.ingestConcurrency ?? defaultIngestConcurrency(ctx.store.db.concurrency),
    maxWaitMs: config.maxQueueWaitMs,
    ...(memory ? { gate: () => memory.refusal() } : {}),
  });
  ctx.metrics.gauge(
    'orrery_ingest_requests_in_progress',
    'OTLP requests holding an admission slot.',
    () => admission.inProgress,
  );
  ctx.metrics.gauge(
    'orrery_ingest_requests_waiting',
    'OTLP requests waiting for an admission slot.',
    () => admission.queued,
  );
  ctx.metrics.gauge(
    'orrery_ingest_slot_seconds',
    'Moving average of the time an OTLP request holds its admission slot.',
    () => (admission.averageSlotMs ?? 0) / 1000,
  );
  ctx.metrics.gauge(
    'orrery_ingest_inflated_bytes',
    'Inflated request bytes held across requests.',
    () => inflate.usedBytes,
  );
  if (memory) {
    ctx.metrics.gauge(
      'orrery_ingest_memory_refusing',
      'Whether new ingest is refused because the resident memory is near ORRERY_MAX_RSS_MB (1) or not (0).',
      () => (memory.over ? 1 : 0),
    );
    ctx.metrics.family(
      'orrery_ingest_memory_refused_requests_total',
      'Ingest requests refused because the resident memory was near ORRERY_MAX_RSS_MB.',
      'counter',
      () => [[{}, memory.refusals]],
    );
  }
  if (throttle) {
    ctx.metrics.family(
      'orrery_auth_throttled_requests_total',
      'Requests refused with 429 (RESOURCE_EXHAUSTED on gRPC) because their address sent too many bad tokens.',
      'counter',
      () => [[{}, throttle.throttled]],
    );
    ctx.metrics.gauge(
      'orrery_auth_throttled_clients',
      'Client addresses in a bad-token penalty now.',
      () => throttle.penalizedClients,
    );
    ctx.metrics.gauge(
      'orrery_auth_tracked_clients',
      'Client addresses whose bad tokens are being counted (bounded).',
      () => throttle.trackedClients,
    );
  }
  const otlpOpts = {
    ctx,
    verifier,
    maxBodyBytes: config.maxBodyBytes,
    maxDecodedBytes: config.maxDecodedBytes,
    maxInflateRatio: config.maxInflateRatio,
    admission,
    inflate,
  };

  const api = fastify(config, 1024 * 1024);
  // First of all hooks: a browser's cross-site or rebound request is refused before auth or body.
  api.addHook(
    'onRequest',
    requestGuard({
      hosts: hostPolicy({ bound: config.host, publicHosts: config.publicHosts }),
      enforceHost: true,
      exempt: anyOf(
        signedWebhook(WEBHOOK_FORMATS, (name) => {
          const setting = SECRET_SETTING[name];
          return setting ? (config[setting.key] as string | undefined) : undefined;
        }),
        // Browser SDKs post cross-origin; these routes take only a project's DSN key.
        isSentryRoute,
      ),
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
  void api.register(sentryRoutes, otlpOpts);
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
  warn = (message) => otlp.log.warn({ rssBytes: memory?.rssBytes }, message);
  otlp.get('/healthz', async () => ({ status: 'ok' }));

  const grpc =
    config.otlpGrpcPort === null
      ? null
      : new OtlpGrpcServer({
          ctx,
          verifier,
          anonymous: otlpAnonymous,
          maxMessageBytes: config.maxBodyBytes,
          maxDecodedBytes: config.maxDecodedBytes,
          maxInflateRatio: config.maxInflateRatio,
          admission,
          inflate,
          onError: (err, what) => otlp.log.error({ err }, `${what} failed`),
        });

  return {
    api,
    otlp,
    grpc,
    memory,
    async listen() {
      memory?.start();
      if (memory?.sample())
        warn?.(
          `resident memory ${Math.round(memory.rssBytes / 1048576)} MiB at start is already near ORRERY_MAX_RSS_MB=${config.maxRssMb}: ingest is refused until it is raised`,
        );
      const a = await api.listen({ host: config.host, port: config.port });
      const o = await otlp.listen({ host: config.otlpHost, port: config.otlpPort });
      const g = grpc && config.otlpGrpcPort !== null ? await grpc.listen(config.otlpHost, config.otlpGrpcPort) : null;
      return { api: a, otlp: o, otlpGrpc: g === null ? null : hostPort(config.otlpHost, g) };
    },
    async close() {
      memory?.stop();
      await Promise.allSettled([api.close(), otlp.close(), grpc?.close()]);
    },
  };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
