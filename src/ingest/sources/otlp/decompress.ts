// Request-body decoding for Content-Encoding. The inflate is streamed and metered as it goes:
// one body may grow to at most `maxBytes`, and all bodies being inflated at once share one
// InflateBudget, so a flood of gzip bombs costs a bounded amount of memory however many
// arrive together. Chunks are dropped the moment a body is refused.
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

export class BodyTooLargeError extends Error {}
export class UnsupportedEncodingError extends Error {}
export class CorruptBodyError extends Error {}
/** The shared budget is spent: the server is busy inflating other bodies; retry shortly. */
export class InflateBudgetError extends Error {
  readonly retryAfterSeconds = 1;
}

/**
 * A share of the budget held by one request body from the start of its inflate until the
 * request is done (the caller releases it). While the inflate runs, the budget may revoke
 * the lease to make room (see InflateBudget); once the body is whole it is pinned and stays
 * counted but is never revoked.
 */
export interface InflateLease {
  readonly held: number;
  readonly revoked: boolean;
  /** False when the budget cannot give `bytes` more to this lease (the lease is then revoked). */
  grow(bytes: number): boolean;
  /** Called once if the budget revokes the lease before it is pinned. */
  onRevoke(fn: () => void): void;
  /** The body is whole: keep its bytes counted, but never revoke it. */
  pin(): void;
  release(): void;
}

/**
 * The inflated bytes of all request bodies in flight, capped at `capBytes`. When a lease
 * asks for more than is left, the largest lease gives way: if another lease holds more than
 * the asker would after growing, that one is revoked (its request is refused with 503) and
 * its bytes return to the pool; otherwise the asker is refused. So bombs, which grow largest,
 * are the ones pushed out, and ordinary batches keep their room.
 */
export class InflateBudget {
  private used = 0;
  private readonly leases = new Set<Lease>();

  constructor(readonly capBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** Leases revoked or refused because the budget was spent, since start. */
  refusals = 0;

  open(): InflateLease {
    const lease = new Lease(this);
    this.leases.add(lease);
    return lease;
  }

  /** Revokes every lease still inflating (their requests get 503); pinned bodies stay. Returns how many. */
  shed(): number {
    let n = 0;
    for (const l of [...this.leases]) {
      if (!l.pinned && !l.revoked) {
        l.revoke();
        n++;
      }
    }
    this.refusals += n;
    return n;
  }

  /** @internal */
  take(lease: Lease, bytes: number): boolean {
    while (this.used + bytes > this.capBytes) {
      let largest: Lease | undefined;
      for (const l of this.leases) {
        if (l !== lease && !l.pinned && (!largest || l.held > largest.held)) largest = l;
      }
      if (!largest || largest.held <= lease.held + bytes) {
        this.refusals++;
        return false;
      }
      this.refusals++;
      largest.revoke();
    }
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used -= bytes;
  }

  /** @internal */
  drop(lease: Lease): void {
    this.leases.delete(lease);
  }
}

class Lease implements InflateLease {
  held = 0;
  revoked = false;
  pinned = false;
  private revokeFn: (() => void) | undefined;

  constructor(private readonly budget: InflateBudget) {}

  grow(bytes: number): boolean {
    if (this.revoked) return false;
    if (!this.budget.take(this, bytes)) {
      this.revoke();
      return false;
    }
    this.held += bytes;
    return true;
  }

  onRevoke(fn: () => void): void {
    this.revokeFn = fn;
  }

  pin(): void {
    this.pinned = true;
    this.revokeFn = undefined;
  }

  /** Gives the bytes back and leaves the budget; the holder is told through onRevoke. */
  revoke(): void {
    if (this.revoked || this.pinned) return;
    this.revoked = true;
    this.release();
    const fn = this.revokeFn;
    this.revokeFn = undefined;
    fn?.();
  }

  release(): void {
    const n = this.held;
    this.held = 0;
    if (n > 0) this.budget.give(n);
    this.budget.drop(this);
  }
}

export interface DecodeBodyOptions {
  /** One body may inflate to at most this many bytes (413 past it). */
  maxBytes: number;
  /**
   * Refuse (413) a body that inflates to more than this many times the compressed bytes
   * read so far, once past RATIO_FLOOR_BYTES; 0: no limit. Telemetry is far below it
   * (SDK span and log batches 4–7×, 20,000 identical JSON log lines 37×, or 284× with no
   * timestamps), while a bomb of zeros sits at gzip's ceiling of about 1,030×, so a bomb is
   * refused after a few MiB instead of at maxBytes.
   */
  maxRatio?: number;
  /** This body's share of the budget shared by every body in flight (503 when it is spent);
   * none: only maxBytes applies. The caller releases it when the request is done. */
  lease?: InflateLease;
  /** Also accept `br` (Sentry SDKs may send it; OTLP does not name it, so its receiver answers 415). */
  brotli?: boolean;
}

/** The body as sent, inflated for gzip and deflate; see the errors above for refusals. */
export async function decodeContentEncoding(
  body: Buffer,
  encoding: string | undefined,
  opts: DecodeBodyOptions,
): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') {
    if (body.length > opts.maxBytes) {
      throw new BodyTooLargeError(`body is ${body.length} bytes, over the limit of ${opts.maxBytes}`);
    }
    return body;
  }
  if (enc === 'br' && opts.brotli) return inflateMetered(body, 'br', opts);
  if (enc !== 'gzip' && enc !== 'x-gzip' && enc !== 'deflate') {
    const accepted = opts.brotli ? 'gzip, deflate, br or none' : 'gzip, deflate or none';
    throw new UnsupportedEncodingError(`Content-Encoding "${encoding}" is not supported; use ${accepted}`);
  }
  return inflateMetered(body, enc === 'deflate' ? 'deflate' : 'gzip', opts);
}

const CHUNK_BYTES = 64 * 1024;
/** Small bodies are never refused for their ratio. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

function inflateMetered(body: Buffer, enc: 'gzip' | 'deflate' | 'br', opts: DecodeBodyOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const z =
      enc === 'gzip'
        ? createGunzip({ chunkSize: CHUNK_BYTES })
        : enc === 'br'
          ? createBrotliDecompress({ chunkSize: CHUNK_BYTES })
          : createInflate({ chunkSize: CHUNK_BYTES });
    let chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      chunks = [];
      z.destroy();
      reject(err);
    };
    const { lease } = opts;
    const spent = () =>
      fail(new InflateBudgetError('the server is inflating too many request bodies at once; retry shortly'));
    lease?.onRevoke(spent);
    z.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > opts.maxBytes) {
        fail(new BodyTooLargeError(`${enc} body inflates past the limit of ${opts.maxBytes} bytes`));
        return;
      }
      const ratio = total / Math.max(1, z.bytesWritten);
      if (opts.maxRatio && total > RATIO_FLOOR_BYTES && ratio > opts.maxRatio) {
        fail(
          new BodyTooLargeError(
            `${enc} body inflates ${Math.round(ratio)} times its compressed size, over the limit of ${opts.maxRatio} (ORRERY_MAX_INFLATE_RATIO)`,
          ),
        );
        return;
      }
      if (lease && !lease.grow(chunk.length)) {
        // grow() revoked the lease, which called fail() through onRevoke; a lease revoked before
        // the inflate began (the memory guard sheds them) has no onRevoke to call.
        spent();
        return;
      }
      chunks.push(chunk);
    });
    z.on('error', (err) => fail(new CorruptBodyError(`${enc} body could not be decompressed: ${err.message}`)));
    z.on('end', () => {
      if (settled) return;
      settled = true;
      const out = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
      chunks = [];
      lease?.pin();
      resolve(out);
    });
    z.end(body);
  });
}
