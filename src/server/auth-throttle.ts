// Slows down clients that keep sending bad tokens (issue 24, item 6). Each client address has
// a failure count that decays (halves every `halfLifeMs`); once it reaches `limit`, the address
// is in a penalty: its requests are answered 429 / RESOURCE_EXHAUSTED with Retry-After before
// the token is looked up, so a flood costs neither a store query nor a hash. A failure right after
// a penalty starts the next one at twice the length, up to `maxPenaltyMs`; the count decays from the
// end of the penalty, so a client earns a try back only by staying quiet (in the long run
// about limit / (halfLife / ln 2) tries a second), and an address quiet for a few half-lives is
// forgotten. A request refused during a penalty is not counted (it would only lengthen it).
//
// A token this node verified recently passes a penalty (it is still verified as usual): clients
// behind one address (a proxy, a NAT, a Collector) keep sending while a neighbour with a bad
// token is held back, and an attacker's guesses, which are not known tokens, stay throttled. A
// success does not lower the count, so valid requests mixed in do not buy more guesses. Memory is
// bounded: at most `maxClients` addresses (IPv6 counted by /64, since one host holds a whole
// /64) and `maxKnownGood` tokens, the least recently seen dropped first.

export interface AuthThrottleOptions {
  /** Failures (decayed) that start a penalty; at least 1. */
  limit: number;
  /** The longest penalty, in ms. */
  maxPenaltyMs: number;
  /** The first penalty, in ms (default 1 s); each one after it is twice the one before. */
  basePenaltyMs?: number;
  /** The failure count halves every this many ms (default 30 s). */
  halfLifeMs?: number;
  /** Addresses tracked at once (default 20,000). */
  maxClients?: number;
  /** Tokens remembered as verified (default 10,000)… */
  maxKnownGood?: number;
  /** …for this long after their last success (default 10 min). */
  knownGoodMs?: number;
  /** For tests; default Date.now. */
  now?: () => number;
}

interface ClientState {
  /** Decayed failure count as of `at`. */
  score: number;
  at: number;
  /** End of the current penalty (0: none yet). */
  until: number;
  /** Penalties in a row: the next one lasts base × 2^strikes. */
  strikes: number;
}

/** A client's requests are refused for now: too many bad tokens from its address. */
export class AuthThrottledError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many invalid tokens from this address: retry after ${retryAfterSeconds} s with a valid token`);
  }
}

const FORGET_BELOW = 0.5;
const SWEEP_EVERY_MS = 10_000;

export class AuthThrottle {
  private readonly clients = new Map<string, ClientState>();
  private readonly good = new Map<string, number>();
  private readonly now: () => number;
  private readonly base: number;
  private readonly halfLife: number;
  private readonly maxClients: number;
  private readonly maxKnownGood: number;
  private readonly knownGoodMs: number;
  private sweptAt = 0;
  /** Requests refused by a penalty, since start. */
  throttled = 0;

  constructor(private readonly opts: AuthThrottleOptions) {
    if (opts.limit < 1) throw new Error('the auth failure limit must be at least 1');
    this.now = opts.now ?? Date.now;
    this.base = opts.basePenaltyMs ?? 1_000;
    this.halfLife = opts.halfLifeMs ?? 30_000;
    this.maxClients = opts.maxClients ?? 20_000;
    this.maxKnownGood = opts.maxKnownGood ?? 10_000;
    this.knownGoodMs = opts.knownGoodMs ?? 600_000;
  }

  /** Addresses tracked now. */
  get trackedClients(): number {
    return this.clients.size;
  }

  /** Addresses in a penalty now. */
  get penalizedClients(): number {
    const t = this.now();
    let n = 0;
    for (const s of this.clients.values()) if (s.until > t) n++;
    return n;
  }

  /** How long the client must still wait, in ms (0: it may try). The one check on the hot path. */
  waitMs(client: string): number {
    const s = this.clients.get(client);
    if (s === undefined) return 0;
    const left = s.until - this.now();
    return left > 0 ? left : 0;
  }

  /** True for a token (its hash) that verified on this node within knownGoodMs and has not failed since. */
  isKnownGood(tokenHash: string): boolean {
    const until = this.good.get(tokenHash);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.good.delete(tokenHash);
    return false;
  }

  /** Counts a refused request; the error to answer it with. */
  refuse(waitMs: number): AuthThrottledError {
    this.throttled++;
    return new AuthThrottledError(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  /** A token that did not verify, from `client`. */
  failure(client: string, tokenHash: string): void {
    this.good.delete(tokenHash);
    const t = this.now();
    let s = this.clients.get(client);
    if (s === undefined) {
      this.makeRoom(t);
      s = { score: 0, at: t, until: 0, strikes: 0 };
    } else {
      this.clients.delete(client); // re-inserted below: the map's order is least recently seen first
    }
    s.score = decayed(s, t, this.halfLife) + 1;
    s.at = t;
    // To the nearest whole failure: a burst of `limit` trips it though the earlier ones decayed a little.
    if (s.score >= this.opts.limit - 0.5) {
      const penalty = Math.min(this.opts.maxPenaltyMs, this.base * 2 ** Math.min(s.strikes, 30));
      s.strikes++;
      s.until = t + penalty;
      // Decay starts when the penalty ends: the first failure after it starts the next one.
      s.score = this.opts.limit - 1;
      s.at = s.until;
    }
    this.clients.set(client, s);
  }

  /** A token that verified: it passes penalties for a while. The client's count is not lowered. */
  success(tokenHash: string): void {
    this.good.delete(tokenHash);
    if (this.good.size >= this.maxKnownGood) {
      const oldest = this.good.keys().next();
      if (!oldest.done) this.good.delete(oldest.value);
    }
    this.good.set(tokenHash, this.now() + this.knownGoodMs);
  }

  /** Drops forgotten addresses (quiet and out of penalty), at most every SWEEP_EVERY_MS or when full; then the least recently seen. */
  private makeRoom(t: number): void {
    if (this.clients.size < this.maxClients && t - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = t;
    this.sweep(t);
    while (this.clients.size >= this.maxClients) {
      const oldest = this.clients.keys().next();
      if (oldest.done) break;
      this.clients.delete(oldest.value);
    }
  }

  /** Forgets every address whose penalty is over and whose count has decayed away. */
  sweep(t = this.now()): void {
    for (const [k, s] of this.clients)
      if (s.until <= t && decayed(s, t, this.halfLife) < FORGET_BELOW) this.clients.delete(k);
    for (const [k, until] of this.good) if (until <= t) this.good.delete(k);
  }
}

function decayed(s: ClientState, t: number, halfLife: number): number {
  return t <= s.at ? s.score : s.score * 2 ** (-(t - s.at) / halfLife);
}

/**
 * The key a client's failures are counted under: its IPv4 address, or the /64 of its IPv6
 * address (a host is given a whole /64). IPv4-mapped IPv6 addresses count as IPv4.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  let a = address.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (!a.includes(':')) return a;
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = a.split('::', 2) as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const full =
    tail === undefined
      ? h
      : [...h, ...Array<string>(Math.max(0, 8 - h.length - groups(tail).length)).fill('0'), ...groups(tail)];
  const prefix = full.slice(0, 4).map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16).toString(16) : g));
  while (prefix.length < 4) prefix.push('0');
  return `${prefix.join(':')}::/64`;
}

/** The address part of a grpc-js peer (`host:port`, IPv6 without brackets). */
export function peerAddress(peer: string): string {
  const m = /^(.*):(\d+)$/.exec(peer);
  return m ? m[1]! : peer;
}
