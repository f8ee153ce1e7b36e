// The Sentry-compatible endpoints on the API port: POST /api/<project>/envelope/ and the older
// /api/<project>/store/, so a team switches an SDK over by its DSN. The key (a project's
// sentry-ingest key; no other token, and no anonymous request, even on loopback) comes from
// X-Sentry-Auth, ?sentry_key= or the envelope header's dsn, and must belong to the project in
// the path (its id or its name). These are the one exemption from the cross-site rules: browser
// SDKs post from other origins, so the routes answer CORS preflights and send
// Access-Control-Allow-Origin: * (the key, not the origin, is what is checked).
// Answers: 200 `{"id": …}` only after the commit; 400 for anything that cannot be parsed; 401/403
// for a missing, unknown or other project's key (429 + Retry-After once an address has sent too
// many unknown keys, see auth-throttle.ts); 413, 415 for bodies over a limit or in an
// unknown encoding (gzip, deflate, br and none are read); 429 with Retry-After and
// X-Sentry-Rate-Limits when the receiver is overloaded; 503 + Retry-After when the store fails.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type InflateBudget, decodeContentEncoding } from '../ingest/sources/otlp/index.js';
import {
  type Envelope,
  EnvelopeError,
  keyFromAuthHeader,
  parseDsn,
  parseEnvelope,
} from '../ingest/sources/sentry/index.js';
import type { SentryKey } from '../store/index.js';
import { AbandonedBatchError } from '../store/index.js';
import { type Context, ingestSentry } from '../workflows/index.js';
import type { Admission } from './admission.js';
import { admissionHook } from './admission-hook.js';
import type { TokenVerifier } from './auth.js';
import { AuthThrottledError, clientKey } from './auth-throttle.js';
import { classify, isOverload } from './otlp-routes.js';

export interface SentryRouteOptions {
  ctx: Context;
  verifier: TokenVerifier;
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxInflateRatio: number;
  admission: Admission;
  inflate: InflateBudget;
}

/** The routes, as Fastify registers them (roles.ts and request-guard.ts name them too). */
export const SENTRY_ROUTES = ['/api/:project/envelope/', '/api/:project/store/'] as const;

/** True for a request to one of the Sentry routes (the request guard's cross-site exemption). */
export function isSentryRoute(req: FastifyRequest): boolean {
  const url = req.routeOptions.url;
  return url !== undefined && (SENTRY_ROUTES as readonly string[]).some((r) => url === r || url === r.slice(0, -1));
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-sentry-error, x-sentry-rate-limits, retry-after',
};

const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage',
  'access-control-max-age': '86400',
};

class KeyError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** A refusal in the shape Sentry's own server answers (`detail`), with the reason in X-Sentry-Error too. */
function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .headers(CORS_HEADERS)
    .header('x-sentry-error', message.slice(0, 200).replace(/[^\x20-\x7e]/g, '?'))
    .header('content-type', 'application/json')
    .send({ detail: message });
}

export async function sentryRoutes(app: FastifyInstance, opts: SentryRouteOptions): Promise<void> {
  const { ctx } = opts;
  app.removeAllContentTypeParsers();
  // Envelopes come as application/x-sentry-envelope, browser SDKs send text/plain (no preflight
  // for it), old SDKs application/json: the body is read by its structure, whatever it is labelled.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });

  // A key in the header or the query is checked before the body is read or a slot taken.
  const keys = new WeakMap<FastifyRequest, SentryKey>();
  const check = async (req: FastifyRequest, clear: string): Promise<SentryKey> => {
    let key: SentryKey | null;
    try {
      key = await opts.verifier.verifySentry(clear, { client: clientKey(req.ip) });
    } catch (err) {
      if (err instanceof AuthThrottledError) throw err;
      throw Object.assign(new Error('the key store is unavailable; retry shortly'), { statusCode: 503 });
    }
    if (!key)
      throw new KeyError(401, 'unknown or revoked Sentry key: make one with `orrery sentry project create NAME`');
    const project = (req.params as { project: string }).project;
    if (project !== String(key.projectId) && project !== key.projectName) {
      throw new KeyError(
        403,
        `this key belongs to the Sentry project "${key.projectName}" (${key.projectId}), not "${project}"`,
      );
    }
    keys.set(req, key);
    return key;
  };
  app.addHook('onRequest', async (req) => {
    if (req.method !== 'POST') return;
    const clear =
      keyFromAuthHeader(headerOf(req, 'x-sentry-auth')) ??
      keyFromAuthHeader(headerOf(req, 'authorization')) ??
      queryKey(req);
    if (clear !== null) await check(req, clear);
  });
  const admitted = admissionHook(opts.admission);
  app.addHook('onRequest', admitted.hook);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof KeyError) {
      ctx.metrics.recordRefused('sentry', err.status);
      return refuse(reply, err.status, err.message);
    }
    if (err instanceof AuthThrottledError) {
      ctx.metrics.recordRefused('sentry', 429);
      const seconds = String(err.retryAfterSeconds);
      reply.headers({
        'retry-after': seconds,
        'x-sentry-rate-limits': `${seconds}::organization`,
        connection: 'close',
      });
      return refuse(reply, 429, err.message);
    }
    const { status: classified, message } =
      err instanceof EnvelopeError ? { status: 400, message: err.message } : classify(err, opts);
    // Overload is 429 for Sentry SDKs: they honour X-Sentry-Rate-Limits and Retry-After on it.
    const status = isOverload(err) ? 429 : classified;
    ctx.metrics.recordRefused('sentry', status);
    if (status >= 500 && !(err instanceof AbandonedBatchError)) req.log.error({ err }, 'Sentry ingest failed');
    if (status === 429 || status === 503) {
      const seconds = String(isOverload(err) ? err.retryAfterSeconds : 5);
      reply.header('retry-after', seconds);
      if (status === 429) reply.header('x-sentry-rate-limits', `${seconds}::organization`);
    }
    if (status === 408 || status === 413 || isOverload(err)) reply.header('connection', 'close');
    return refuse(reply, status, message);
  });

  const read = async (req: FastifyRequest): Promise<Buffer> => {
    const raw = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    const lease = opts.inflate.open();
    try {
      return await decodeContentEncoding(raw, headerOf(req, 'content-encoding'), {
        maxBytes: opts.maxDecodedBytes,
        maxRatio: opts.maxInflateRatio,
        lease,
        brotli: true,
      });
    } finally {
      lease.release();
    }
  };
  const keyOf = async (req: FastifyRequest, envelope: Envelope | null): Promise<SentryKey> => {
    const known = keys.get(req);
    if (known) return known;
    const fromDsn = envelope?.header.dsn ? parseDsn(envelope.header.dsn) : null;
    if (fromDsn) return check(req, fromDsn.key);
    throw new KeyError(401, "no Sentry key: send it as X-Sentry-Auth, ?sentry_key= or the envelope header's dsn");
  };

  for (const path of ['/api/:project/envelope/', '/api/:project/envelope']) {
    app.options(path, async (_req, reply) => reply.code(200).headers(PREFLIGHT_HEADERS).send());
    app.post(path, async (req, reply) => {
      const body = await read(req);
      const envelope = parseEnvelope(body);
      const key = await keyOf(req, envelope);
      const result = await ingestSentry(
        ctx,
        key.projectName,
        { kind: 'envelope', envelope, body },
        { abort: admitted.abortOf(req) },
      );
      return reply.code(200).headers(CORS_HEADERS).send({ id: result.eventId });
    });
  }
  for (const path of ['/api/:project/store/', '/api/:project/store']) {
    app.options(path, async (_req, reply) => reply.code(200).headers(PREFLIGHT_HEADERS).send());
    app.post(path, async (req, reply) => {
      const key = await keyOf(req, null);
      const body = await read(req);
      const result = await ingestSentry(
        ctx,
        key.projectName,
        { kind: 'store', body, eventId: eventIdOf(body) },
        { abort: admitted.abortOf(req) },
      );
      return reply.code(200).headers(CORS_HEADERS).send({ id: result.eventId });
    });
  }
}

function headerOf(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function queryKey(req: FastifyRequest): string | null {
  const v = (req.query as Record<string, unknown> | undefined)?.sentry_key;
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The event id of a store-endpoint body, for the answer (the body is parsed again by the decoder). */
function eventIdOf(body: Buffer): string | null {
  const m = /"event_id"\s*:\s*"([0-9a-fA-F-]{32,36})"/.exec(body.subarray(0, 4096).toString('utf8'));
  return m ? m[1]!.replace(/-/g, '') : null;
}
