// The OTLP/HTTP receiver: POST /v1/logs, /v1/traces and /v1/metrics in protobuf or JSON,
// optionally gzip- or deflate-encoded. Status codes follow the OTLP specification: 200
// (with partial_success when records were rejected) only after the commit, 400 for an
// undecodable body, 408 for a body that trickles in, 413 over a size limit, 415 for an
// unknown type, 503 + Retry-After when the receiver is overloaded (admission, the shared
// inflate budget) or the store is behind or unavailable. Error bodies are google.rpc.Status
// messages. A request whose client has gone away before its batch was written is dropped.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BodyTooLargeError,
  CorruptBodyError,
  type OtlpFormat,
  UndecodableBodyError,
  UnsupportedEncodingError,
  type InflateBudget,
  InflateBudgetError,
  decodeContentEncoding,
  exportResponse,
  otlpFormat,
  statusBody,
} from '../ingest/sources/otlp/index.js';
import type { Signal } from '../model/index.js';
import { AbandonedBatchError, OverloadedError } from '../store/index.js';
import { type Context, ingestOtlp } from '../workflows/index.js';
import { type Admission, AdmissionRefusedError } from './admission.js';
import { admissionHook } from './admission-hook.js';
import { type TokenVerifier, authHook } from './auth.js';

export interface OtlpRouteOptions {
  maxBodyBytes: number;
  maxDecodedBytes: number;
  maxInflateRatio: number;
  anonymous: boolean;
  verifier: TokenVerifier;
  /** Shared by every OTLP listener of the process: how many requests run at once. */
  admission: Admission;
  /** Shared by every OTLP listener of the process: inflated bytes held at once. */
  inflate: InflateBudget;
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

  // After auth: wait for a slot before the body is read.
  const admitted = admissionHook(opts.admission);
  app.addHook('onRequest', admitted.hook);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, message } = classify(err, opts);
    ctx.metrics.recordRefused('otlp', status);
    if (status >= 500 && !isOverload(err) && !(err instanceof AbandonedBatchError)) {
      req.log.error({ err }, 'OTLP ingest failed');
    }
    if (status === 503 || status === 429) {
      reply.header('retry-after', String(isOverload(err) ? err.retryAfterSeconds : 5));
    }
    // A refused body may still be on its way: do not read the rest of it on this connection
    // (draining the bodies of a flood of refused requests would cost the CPU the admitted
    // ones need).
    if (status === 408 || status === 413 || err instanceof AdmissionRefusedError) reply.header('connection', 'close');
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
      const lease = opts.inflate.open();
      try {
        const body = await decodeContentEncoding(raw, req.headers['content-encoding'], {
          maxBytes: opts.maxDecodedBytes,
          maxRatio: opts.maxInflateRatio,
          lease,
        });
        const result = await ingestOtlp(ctx, signal, format, body, { abort: admitted.abortOf(req) });
        return reply
          .code(200)
          .header('content-type', CONTENT_TYPE[format])
          .send(exportResponse(signal, format, result.rejected, result.message));
      } finally {
        lease.release();
      }
    });
  }
}

/** The status and message of an ingest request's failure (shared by the Sentry routes). */
export function classify(
  err: FastifyError,
  opts: Pick<OtlpRouteOptions, 'maxBodyBytes'>,
): { status: number; message: string } {
  if (err instanceof UndecodableBodyError || err instanceof CorruptBodyError)
    return { status: 400, message: err.message };
  if (err instanceof BodyTooLargeError) return { status: 413, message: err.message };
  if (err instanceof UnsupportedEncodingError) return { status: 415, message: err.message };
  if (isOverload(err) || err instanceof AbandonedBatchError) return { status: 503, message: err.message };
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

export type Overload = OverloadedError | AdmissionRefusedError | InflateBudgetError;

export function isOverload(err: unknown): err is Overload {
  return err instanceof OverloadedError || err instanceof AdmissionRefusedError || err instanceof InflateBudgetError;
}
