// The OTLP/gRPC receiver: TraceService, LogsService and MetricsService Export on one grpc-js
// server, with the OTLP/HTTP receiver's contract. An answer is OK (with partial_success when
// records were rejected) only after the batch's commit; INVALID_ARGUMENT for a message that
// does not decode or inflate; RESOURCE_EXHAUSTED (no RetryInfo: do not retry) over a size
// limit; UNAVAILABLE with google.rpc.RetryInfo when overloaded (the admission and the inflate
// budget shared with OTLP/HTTP, the store's queue) or when the store failed; UNAUTHENTICATED and
// PERMISSION_DENIED as HTTP's 401 and 403, from the `authorization` metadata; RESOURCE_EXHAUSTED
// with RetryInfo (HTTP's 429) to an address throttled for its bad tokens.
//
// Messages arrive whole (grpc-js reads a unary request before its handler runs), so admission
// comes after the read here, bounded by the wire limit (ORRERY_MAX_BODY_BYTES) per message and
// HTTP/2's stream limit per connection. grpc-js would inflate gzip and deflate itself, unmetered
// and answering INTERNAL to a corrupt stream; the message is instead handed over as sent and
// inflated through the same metered path as HTTP bodies (see takeOverDecompression).
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import {
  BodyTooLargeError,
  CorruptBodyError,
  type InflateBudget,
  InflateBudgetError,
  UndecodableBodyError,
  UnsupportedEncodingError,
  decodeContentEncoding,
  exportResponse,
} from '../ingest/sources/otlp/index.js';
import { OTLP_GRPC_METHODS, STATUS_DETAILS_KEY, retryInfoStatus } from '../ingest/sources/otlp-grpc/index.js';
import type { ApiToken, Signal } from '../model/index.js';
import { AbandonedBatchError, OverloadedError } from '../store/index.js';
import { type Context, ingestOtlp } from '../workflows/index.js';
import { type Admission, AdmissionRefusedError, type AdmissionTicket } from './admission.js';
import type { TokenVerifier } from './auth.js';
import { AuthThrottledError, clientKey, peerAddress } from './auth-throttle.js';
import { roleRefusal, requiredRole } from './roles.js';

export interface OtlpGrpcOptions {
  ctx: Context;
  verifier: TokenVerifier;
  /** Calls without an `authorization` metadata entry are let through (loopback, auth=auto). */
  anonymous: boolean;
  /** One message as sent (compressed or not): RESOURCE_EXHAUSTED past it. */
  maxMessageBytes: number;
  /** One message once inflated: RESOURCE_EXHAUSTED past it. */
  maxDecodedBytes: number;
  maxInflateRatio: number;
  admission: Admission;
  inflate: InflateBudget;
  /** Logs a failure that is Orrery's, not the client's. */
  onError: (err: unknown, what: string) => void;
}

/** Set on a stream's headers in place of a compressed message's grpc-encoding (see takeOverDecompression). */
const SENT_ENCODING = 'orrery-grpc-encoding';
/** A store failure: retry after this long, as OTLP/HTTP's 503. */
const STORE_RETRY_SECONDS = 5;

class GrpcRefusal extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export class OtlpGrpcServer {
  private readonly server: grpc.Server;
  private port: number | null = null;

  constructor(private readonly opts: OtlpGrpcOptions) {
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': opts.maxMessageBytes,
      'grpc.max_concurrent_streams': 100,
      interceptors: [this.gateBeforeRead],
    });
    const passThrough = (b: Buffer) => b;
    for (const [signal, method] of Object.entries(OTLP_GRPC_METHODS) as [
      Signal,
      (typeof OTLP_GRPC_METHODS)[Signal],
    ][]) {
      const definition: grpc.ServiceDefinition = {
        Export: {
          path: method.path,
          requestStream: false,
          responseStream: false,
          requestSerialize: passThrough,
          requestDeserialize: passThrough,
          responseSerialize: passThrough,
          responseDeserialize: passThrough,
        },
      };
      this.server.addService(definition, {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          this.export(signal, call).then(
            (response) => callback(null, response),
            (err: unknown) => callback(this.refusal(err)),
          );
        },
      });
    }
  }

  /**
   * While the admission's gate is closed (the memory guard), or the caller's address is in a
   * bad-token penalty and its token is not known good, a call is refused on its metadata, before
   * grpc-js reads its message: the stream stays paused, so a flood of large messages costs no
   * memory then. Otherwise the call goes on to export().
   */
  private readonly gateBeforeRead: grpc.ServerInterceptor = (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const closed = this.opts.admission.closed() ?? this.throttledBeforeRead(metadata, call.getPeer());
            if (!closed) return pass(metadata);
            const r = this.refusal(closed);
            call.sendStatus({
              code: r.code ?? grpc.status.UNAVAILABLE,
              details: r.details ?? '',
              metadata: r.metadata ?? null,
            });
          },
        }),
    });

  private throttledBeforeRead(metadata: grpc.Metadata, peer: string): GrpcRefusal | null {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(String(metadata.get('authorization')[0] ?? ''));
    if (!m) return null;
    const err = this.opts.verifier.throttled(m[1]!, clientKey(peerAddress(peer)));
    return err ? new GrpcRefusal(grpc.status.RESOURCE_EXHAUSTED, err.message, err.retryAfterSeconds) : null;
  }

  /** Binds host:port (port 0: any free one); resolves to the bound port. */
  async listen(host: string, port: number): Promise<number> {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    this.port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => {
        if (!err) return resolve(bound);
        // grpc-js reports a taken port as "No address added out of total 1 resolved".
        const e = new Error(`OTLP/gRPC could not listen on ${address}: ${err.message}`) as NodeJS.ErrnoException;
        e.code = 'EADDRINUSE';
        reject(e);
      });
    });
    takeOverDecompression(this.server);
    return this.port;
  }

  get boundPort(): number | null {
    return this.port;
  }

  /** Stops taking calls and waits for those in progress (each is answered after its commit). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => this.server.forceShutdown(), 30_000);
      force.unref();
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private async export(signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
    await this.authenticate(call.metadata, clientKey(peerAddress(call.getPeer())));
    const ac = new AbortController();
    call.once('cancelled', () => ac.abort(new AbandonedBatchError()));
    const raw = call.request;
    let ticket: AdmissionTicket | null = null;
    const lease = this.opts.inflate.open();
    try {
      ticket = await this.opts.admission.acquire({ signal: ac.signal, bytes: raw.length });
      const sent = call.metadata.get(SENT_ENCODING)[0];
      const body = await decodeContentEncoding(raw, compressedWith(raw, typeof sent === 'string' ? sent : undefined), {
        maxBytes: this.opts.maxDecodedBytes,
        maxRatio: this.opts.maxInflateRatio,
        lease,
      });
      const result = await ingestOtlp(this.opts.ctx, signal, 'protobuf', body, { abort: ac.signal });
      return Buffer.from(exportResponse(signal, 'protobuf', result.rejected, result.message) as Uint8Array);
    } finally {
      lease.release();
      ticket?.release();
    }
  }

  /** The `authorization` metadata as OTLP/HTTP reads its header: a Bearer token with the ingest role. */
  private async authenticate(metadata: grpc.Metadata, client: string): Promise<ApiToken | null> {
    const values = metadata.get('authorization');
    const header = typeof values[0] === 'string' ? values[0] : '';
    if (header === '') {
      if (this.opts.anonymous) return null;
      throw new GrpcRefusal(
        grpc.status.UNAUTHENTICATED,
        'authentication required: send "authorization: Bearer <token>" metadata (create one with `orrery token create --name NAME --role ingest`)',
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m)
      throw new GrpcRefusal(grpc.status.UNAUTHENTICATED, 'malformed authorization metadata: expected "Bearer <token>"');
    let token: ApiToken | null;
    try {
      token = await this.opts.verifier.verify(m[1]!, { client });
    } catch (err) {
      // Rate limited, retryable after the RetryInfo's delay (unlike a size limit's bare RESOURCE_EXHAUSTED).
      if (err instanceof AuthThrottledError)
        throw new GrpcRefusal(grpc.status.RESOURCE_EXHAUSTED, err.message, err.retryAfterSeconds);
      throw new GrpcRefusal(
        grpc.status.UNAVAILABLE,
        'the token store is unavailable; retry shortly',
        STORE_RETRY_SECONDS,
      );
    }
    if (!token) throw new GrpcRefusal(grpc.status.UNAUTHENTICATED, 'invalid or revoked token');
    // The same role as POST /v1/traces: the gRPC methods are the same front door.
    const refused = roleRefusal(token, requiredRole('POST', '/v1/traces'));
    if (refused) throw new GrpcRefusal(grpc.status.PERMISSION_DENIED, refused);
    return token;
  }

  private refusal(err: unknown): Partial<grpc.StatusObject> {
    const r = classify(err);
    if (r.code === grpc.status.UNAVAILABLE && !(err instanceof GrpcRefusal) && !isOverload(err)) {
      this.opts.onError(err, 'OTLP/gRPC ingest');
    }
    this.opts.ctx.metrics.recordRefused('otlp-grpc', r.code);
    const metadata = new grpc.Metadata();
    if (r.retryAfterSeconds !== undefined) {
      metadata.set(STATUS_DETAILS_KEY, Buffer.from(retryInfoStatus(r.code, r.message, r.retryAfterSeconds)));
    }
    return { code: r.code, details: r.message, metadata };
  }
}

function classify(err: unknown): { code: grpc.status; message: string; retryAfterSeconds?: number } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof GrpcRefusal) {
    return err.retryAfterSeconds === undefined
      ? { code: err.code, message }
      : { code: err.code, message, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof UndecodableBodyError || err instanceof CorruptBodyError)
    return { code: grpc.status.INVALID_ARGUMENT, message };
  if (err instanceof BodyTooLargeError) return { code: grpc.status.RESOURCE_EXHAUSTED, message };
  if (err instanceof UnsupportedEncodingError) return { code: grpc.status.UNIMPLEMENTED, message };
  if (isOverload(err)) return { code: grpc.status.UNAVAILABLE, message, retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof AbandonedBatchError) return { code: grpc.status.CANCELLED, message };
  return {
    code: grpc.status.UNAVAILABLE,
    message: 'the store could not commit the batch; retry later',
    retryAfterSeconds: STORE_RETRY_SECONDS,
  };
}

type Overload = OverloadedError | AdmissionRefusedError | InflateBudgetError;

function isOverload(err: unknown): err is Overload {
  return err instanceof OverloadedError || err instanceof AdmissionRefusedError || err instanceof InflateBudgetError;
}

/**
 * The encoding to inflate a message with. The stream's grpc-encoding says what compressed
 * messages use, but each message has its own compressed flag, which grpc-js keeps to itself;
 * an OTLP export request starts with tag 0x0a, while gzip starts 1f 8b and zlib's deflate
 * 78 xx, so a message that does not start like its encoding was sent uncompressed.
 */
function compressedWith(raw: Buffer, encoding: string | undefined): string | undefined {
  if (encoding === undefined) return undefined;
  const e = encoding.trim().toLowerCase();
  if (e === 'gzip' && !(raw[0] === 0x1f && raw[1] === 0x8b)) return undefined;
  if (e === 'deflate' && raw[0] !== 0x78) return undefined;
  return encoding;
}

/**
 * Runs first on each HTTP/2 stream: a compressed stream's grpc-encoding is moved to
 * SENT_ENCODING (which reaches the handler as metadata) and replaced with identity, so grpc-js
 * passes each message through as sent and the handler inflates it within the limits and the
 * shared budget. grpc-js has no public hook for this; its HTTP/2 servers are read from the
 * `http2Servers` map it keeps, and a grpc-js without it fails the start here rather than
 * inflating unmetered (test/otlp-grpc.int.test.ts sends gzip bombs and corrupt gzip).
 */
function takeOverDecompression(server: grpc.Server): void {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) {
    throw new Error(
      'OTLP/gRPC: this @grpc/grpc-js does not expose its HTTP/2 servers; pin the version in package.json',
    );
  }
  for (const http2 of servers.keys() as IterableIterator<Http2Server>) {
    if ((http2 as Http2Server & { orreryInflate?: true }).orreryInflate) continue;
    (http2 as Http2Server & { orreryInflate?: true }).orreryInflate = true;
    http2.prependListener('stream', (_stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      delete headers[SENT_ENCODING];
      const enc = headers['grpc-encoding'];
      if (typeof enc === 'string' && enc !== '' && enc !== 'identity') {
        headers[SENT_ENCODING] = enc;
        headers['grpc-encoding'] = 'identity';
      }
    });
  }
}
