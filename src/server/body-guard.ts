// A request body must arrive whole within `timeoutMs`, and, once `graceMs` have passed, at
// no less than `minBytesPerSecond` over the last `graceMs`. A client that trickles its body
// (one byte every few seconds holds a socket, a parser and a slot for as long as it likes)
// is answered 408 and disconnected. Installed as a preParsing hook on every listener, so it
// covers every route that reads a body.
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface BodyGuardOptions {
  timeoutMs: number;
  minBytesPerSecond: number;
  /** How long a body may start slowly, and the window the rate is measured over. */
  graceMs?: number;
}

export class BodyTimeoutError extends Error {
  readonly statusCode = 408;
  readonly code = 'ORRERY_BODY_TIMEOUT';
}

const CHECK_MS = 1_000;

/** Meters a body stream: errors with BodyTimeoutError when it is too slow. */
class MeteredBody extends Transform {
  private readonly started = Date.now();
  /** Bytes received at each check, newest last, covering the last `grace` ms. */
  private readonly marks: Array<{ at: number; bytes: number }> = [];
  private bytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: Required<BodyGuardOptions>) {
    super();
    this.marks.push({ at: this.started, bytes: 0 });
    this.timer = setInterval(() => this.check(), CHECK_MS);
    this.timer.unref();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    clearInterval(this.timer);
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearInterval(this.timer);
    done(err);
  }

  private check(): void {
    const now = Date.now();
    const { timeoutMs, minBytesPerSecond, graceMs } = this.opts;
    if (now - this.started > timeoutMs) {
      this.destroy(new BodyTimeoutError(`the request body did not arrive within ${timeoutMs} ms`));
      return;
    }
    this.marks.push({ at: now, bytes: this.bytes });
    while (this.marks.length > 1 && now - this.marks[1]!.at >= graceMs) this.marks.shift();
    const first = this.marks[0]!;
    if (now - this.started < graceMs || now - first.at < graceMs) return;
    const rate = ((this.bytes - first.bytes) * 1000) / (now - first.at);
    if (rate < minBytesPerSecond) {
      this.destroy(
        new BodyTimeoutError(
          `the request body arrived at ${Math.round(rate)} bytes/s, below the minimum of ${minBytesPerSecond}`,
        ),
      );
    }
  }
}

/** Adds the guard to a listener's root, so every route's body is metered. */
export function guardBodies(app: FastifyInstance, opts: BodyGuardOptions): void {
  const full: Required<BodyGuardOptions> = { graceMs: 5_000, ...opts };
  app.addHook('preParsing', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    const len = req.headers['content-length'];
    if (len === '0' || (len === undefined && req.headers['transfer-encoding'] === undefined)) return payload;
    const metered = new MeteredBody(full);
    metered.on('error', () => {
      // The parser reports the error as the request's; the socket must go too, or a client
      // that never finishes its body keeps it open.
      reply.raw.once('finish', () => req.raw.destroy());
    });
    payload.on('error', (err) => metered.destroy(err));
    // Fastify reads the declared length from the returned stream's `receivedEncodedLength`.
    return payload.pipe(metered);
  });
}
