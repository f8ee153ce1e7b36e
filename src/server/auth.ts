// Bearer-token authentication for the API and the OTLP receiver. Anonymous requests are
// let through only when the listener allows it (loopback with the explicit setting), and act
// as admin; a token that is sent is always checked, and must have the role its route needs
// (roles.ts). Verified tokens are cached briefly by hash; the cache is dropped whenever the
// store's revocation mark moved (read at most every REVOCATION_CHECK_MS), so a token revoked on
// any node stops working on every node within about a second. With a throttle, a caller that
// names its client's address has that address's bad tokens counted, and is refused with
// AuthThrottledError (429) during a penalty before anything is looked up (auth-throttle.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken } from '../model/index.js';
import { type SentryKey, type Store, hashToken } from '../store/index.js';
import { type AuthThrottle, AuthThrottledError, clientKey } from './auth-throttle.js';
import { requiredRole, roleRefusal } from './roles.js';

const CACHE_MS = 30_000;
const CACHE_MAX = 1_000;
/** How often a node reads the store's revocation mark, at most (only while it verifies tokens). */
export const REVOCATION_CHECK_MS = 500;

export interface VerifyOptions {
  /** The caller's address as `clientKey` makes it: its bad tokens are counted, and throttled. */
  client?: string;
}

export interface TokenVerifierOptions {
  /** Slows down addresses that send bad tokens; none: every token is looked up. */
  throttle?: AuthThrottle;
}

export class TokenVerifier {
  private readonly cache = new Map<string, { token: ApiToken; until: number }>();
  private mark: string | null = null;
  private markReadAt = Number.NEGATIVE_INFINITY;
  private markRead: Promise<void> | null = null;
  readonly throttle: AuthThrottle | undefined;

  constructor(
    private readonly store: Store,
    opts: TokenVerifierOptions = {},
  ) {
    this.throttle = opts.throttle;
  }

  /** The token, or null for an unknown or revoked one; rejects with AuthThrottledError during the client's penalty. */
  async verify(clear: string, opts: VerifyOptions = {}): Promise<ApiToken | null> {
    const h = this.admit(clear, opts.client);
    await this.followRevocations();
    const hit = this.cache.get(h);
    if (hit && hit.until > Date.now()) return hit.token;
    const token = await this.store.verifyToken(clear);
    if (!token) {
      this.cache.delete(h);
      this.failed(h, opts.client);
      return null;
    }
    this.throttle?.success(h);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(h, { token, until: Date.now() + CACHE_MS });
    void this.store.touchToken(token.id).catch(() => {});
    return token;
  }

  /**
   * The refusal verify() would answer at once for this token from this client (its address is in
   * a penalty and the token is not known good), else null: for a listener that can refuse before
   * it reads a body. Costs a map lookup, and a hash only during a penalty.
   */
  throttled(clear: string, client: string): AuthThrottledError | null {
    const wait = this.throttle ? this.throttle.waitMs(client) : 0;
    if (wait === 0 || this.throttle!.isKnownGood(hashToken(clear))) return null;
    return this.throttle!.refuse(wait);
  }

  /** The token's hash, once the client may try it: throws during its penalty unless the token is known good. */
  private admit(clear: string, client: string | undefined): string {
    const wait = client === undefined || !this.throttle ? 0 : this.throttle.waitMs(client);
    const h = hashToken(clear);
    if (wait > 0 && !this.throttle!.isKnownGood(h)) throw this.throttle!.refuse(wait);
    return h;
  }

  private failed(h: string, client: string | undefined): void {
    if (client !== undefined) this.throttle?.failure(client, h);
  }

  /** Drops the cache when a token was revoked anywhere since the mark was last read; one read at a time. */
  private async followRevocations(): Promise<void> {
    if (this.cache.size === 0 && this.sentryCache.size === 0 && this.mark !== null) return;
    if (performance.now() - this.markReadAt < REVOCATION_CHECK_MS) return;
    this.markRead ??= this.store
      .revocationMark()
      .then((mark) => {
        if (mark !== this.mark) {
          this.cache.clear();
          this.sentryCache.clear();
        }
        this.mark = mark;
        this.markReadAt = performance.now();
      })
      .finally(() => {
        this.markRead = null;
      });
    await this.markRead;
  }

  private readonly sentryCache = new Map<string, { key: SentryKey; until: number }>();

  /** A Sentry DSN key (role sentry-ingest) with its project, or null for anything else. */
  async verifySentry(clear: string, opts: VerifyOptions = {}): Promise<SentryKey | null> {
    const h = this.admit(clear, opts.client);
    await this.followRevocations();
    const hit = this.sentryCache.get(h);
    if (hit && hit.until > Date.now()) return hit.key;
    const key = await this.store.verifySentryKey(clear);
    if (!key) {
      this.sentryCache.delete(h);
      this.failed(h, opts.client);
      return null;
    }
    this.throttle?.success(h);
    if (this.sentryCache.size >= CACHE_MAX) this.sentryCache.clear();
    this.sentryCache.set(h, { key, until: Date.now() + CACHE_MS });
    void this.store.touchToken(key.token.id).catch(() => {});
    return key;
  }

  /** Called after a revoke so that it takes effect at once on this node. */
  clear(): void {
    this.cache.clear();
    this.sentryCache.clear();
  }
}

export interface AuthOptions {
  verifier: TokenVerifier;
  anonymous: boolean;
  /** Sends a refusal (401, 403 for a role short of the route's, 429 for a throttled address, or 503 when tokens cannot be checked) in the listener's own format. */
  deny: (reply: FastifyReply, status: number, message: string) => FastifyReply;
}

export function authHook(opts: AuthOptions) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      if (opts.anonymous) return;
      return opts.deny(
        reply,
        401,
        'authentication required: send "Authorization: Bearer <token>" (create one with `orrery token create --name NAME`)',
      );
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return opts.deny(reply, 401, 'malformed Authorization header: expected "Bearer <token>"');
    let token: ApiToken | null;
    try {
      token = await opts.verifier.verify(m[1]!, { client: clientKey(req.ip) });
    } catch (err) {
      if (err instanceof AuthThrottledError) return throttled(reply, err, opts.deny);
      reply.header('retry-after', '5');
      return opts.deny(reply, 503, 'the token store is unavailable; retry shortly');
    }
    if (!token) return opts.deny(reply, 401, 'invalid or revoked token');
    const refused = roleRefusal(token, requiredRole(req.method, req.routeOptions.url));
    if (refused) return opts.deny(reply, 403, refused);
    (req as FastifyRequest & { token?: ApiToken }).token = token;
  };
}

/**
 * A 429 for a throttled address, in the listener's format. The connection is closed: a body
 * still on its way is not read, and a flood pays for a new connection per try.
 */
export function throttled(
  reply: FastifyReply,
  err: AuthThrottledError,
  deny: (reply: FastifyReply, status: number, message: string) => FastifyReply,
): FastifyReply {
  reply.header('retry-after', String(err.retryAfterSeconds)).header('connection', 'close');
  return deny(reply, 429, err.message);
}

/** Who is acting, for audit rows: `token:<id>` for a token, else the anonymous loopback caller. */
export function actorOf(req: FastifyRequest): string {
  const token = (req as FastifyRequest & { token?: ApiToken }).token;
  return token ? `token:${token.id}` : 'anonymous-loopback';
}

/** The token behind a request (its id, name and role), or null for an anonymous loopback request. */
export function tokenOf(req: FastifyRequest): ApiToken | null {
  return (req as FastifyRequest & { token?: ApiToken }).token ?? null;
}
