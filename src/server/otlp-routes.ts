// The OTLP/HTTP receiver: POST /v1/logs, /v1/traces and /v1/metrics in protobuf or JSON,
// optionally gzip- or deflate-encoded. Status codes follow the OTLP specification: 200
// (with partial_success when records were rejected) only after the commit, 400 for an
// undecodable body, 413 over a size limit, 415 for an unknown type, 503 + Retry-After
// when the store is behind or unavailable. Error bodies are google.rpc.Status messages.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyTooLargeError,
  CorruptBodyError,
  type OtlpFormat,
  UndecodableBodyError,
  UnsupportedEncodingError,
  decodeContentEncoding,
  exportResponse,
  otlpFormat,
  statusBody,
} from '../ingest/sources/otlp/index.js';
import type { Signal } from '../model/index.js';
import { OverloadedError } from '../store/index.js';
import { type Context, ingestOtlp } from '../workflows/index.js';
import { type TokenVerifier, authHook } from './auth.js';

export interface OtlpRouteOptions {
  maxBodyBytes: number;
  maxDecodedBytes: number;
  anonymous: boolean;
  verifier: TokenVerifier;
}

const CONTENT_TYPE: Record<OtlpFormat, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };
const SIGNALS: Signal[] = ['logs', 'traces', 'metrics'];

function formatOf(req: FastifyRequest): OtlpFormat {
  return otlpFormat(req.headers['content-type']) ?? 'json';
}

export function sendStatus(req: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const format = formatOf(req);
  return reply
    .code(status)
    .header('content-type', CONTENT_TYPE[format])
    .send(statusBody(format, status, message));
}

/** Registers the receiver in its own encapsulated context (own body parsing and errors). */
export async function otlpRoutes(app: FastifyInstance, opts: OtlpRouteOptions & { ctx: Context }): Promise<void> {
  const { ctx } = opts;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });

  app.addHook(
    'onRequest',
    authHook({
      verifier: opts.verifier,
      anonymous: opts.anonymous,
      deny: (reply, status, message) => {
        ctx.metrics.recordRefused('otlp', status);
        return sendStatus(reply.request, reply, status, message);
      },
    }),
  );

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, message } = classify(err, opts);
    ctx.metrics.recordRefused('otlp', status);
    if (status >= 500 && !(err instanceof OverloadedError)) req.log.error({ err }, 'OTLP ingest failed');
    if (status === 503 || status === 429) {
      reply.header('retry-after', String(err instanceof OverloadedError ? err.retryAfterSeconds : 5));
    }
    return sendStatus(req, reply, status, message);
  });

  for (const signal of SIGNALS) {
    app.post(`/v1/${signal}`, async (req, reply) => {
      const format = otlpFormat(req.headers['content-type']);
      if (format === null) {
        ctx.metrics.recordRefused('otlp', 415);
        return sendStatus(
          req,
          reply,
          415,
          `unsupported Content-Type "${req.headers['content-type'] ?? ''}": send application/x-protobuf or application/json`,
        );
      }
      const raw = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
      const body = await decodeContentEncoding(raw, req.headers['content-encoding'], opts.maxDecodedBytes);
      const result = await ingestOtlp(ctx, signal, format, body);
      return reply
        .code(200)
        .header('content-type', CONTENT_TYPE[format])
        .send(exportResponse(signal, format, result.rejected, result.message));
    });
  }
}

function classify(err: FastifyError, opts: OtlpRouteOptions): { status: number; message: string } {
  if (err instanceof UndecodableBodyError || err instanceof CorruptBodyError)
    return { status: 400, message: err.message };
  if (err instanceof BodyTooLargeError) return { status: 413, message: err.message };
  if (err instanceof UnsupportedEncodingError) return { status: 415, message: err.message };
  if (err instanceof OverloadedError) return { status: 503, message: err.message };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, message: `request body is over the limit of ${opts.maxBodyBytes} bytes` };
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return { status: err.statusCode ?? 415, message: err.message };
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, message: err.message };
  return { status: 503, message: 'the store could not commit the batch; retry later' };
}
