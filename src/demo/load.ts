// The demo's shoppers: a seeded population of users in accounts, and a load driver that
// runs their sessions against the shop's web API as an open-loop arrival process. The
// driver records what each user saw (status, latency, the cart badge against the count it
// knows to be right), which is where the scenarios' affected users come from.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Prng, seedOf } from './prng.js';

export interface DemoUser {
  /** The user's email: what the shop sends as `x-user-id` and what tickets quote. */
  id: string;
  accountId: string;
  name: string;
}

// ---------------------------------------------------------------------------------------
// Population

const FIRST = [
  'Ava',
  'Ben',
  'Chloe',
  'Daniel',
  'Elena',
  'Felix',
  'Grace',
  'Hugo',
  'Isla',
  'Jonas',
  'Keiko',
  'Liam',
  'Maya',
  'Noah',
  'Olivia',
  'Pedro',
  'Quinn',
  'Rosa',
  'Samir',
  'Tara',
  'Umar',
  'Vera',
  'Wen',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Amara',
  'Bruno',
  'Carmen',
  'Dmitri',
  'Esther',
  'Farah',
  'Gabriel',
  'Hana',
  'Ivan',
  'Julia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nadia',
  'Oscar',
  'Priya',
  'Rahul',
  'Sofia',
  'Tomas',
  'Uma',
  'Viktor',
  'Willa',
  'Yara',
  'Zane',
];
const LAST = [
  'Abbott',
  'Banerjee',
  'Castillo',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hoffman',
  'Ibrahim',
  'Jensen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quintero',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Usman',
  'Varga',
  'Walsh',
  'Xu',
  'Yilmaz',
  'Zimmerman',
  'Alvarez',
  'Brennan',
  'Chen',
  'Dlamini',
  'Evans',
  'Ferreira',
  'Gupta',
  'Haddad',
  'Ito',
  'Johansson',
  'Kim',
  'Lopez',
  'Mensah',
  'Novak',
  "O'Brien",
  'Park',
  'Reyes',
  'Silva',
  'Thompson',
  'Vogel',
  'Weber',
  'Young',
  'Zhang',
  'Murphy',
];
const COMPANY_A = [
  'north',
  'bright',
  'blue',
  'oak',
  'river',
  'stone',
  'silver',
  'maple',
  'harbor',
  'summit',
  'cedar',
  'copper',
  'iron',
  'pine',
  'sun',
  'west',
  'red',
  'green',
  'clear',
  'swift',
];
const COMPANY_B = [
  'wind',
  'leaf',
  'field',
  'works',
  'labs',
  'craft',
  'point',
  'line',
  'gate',
  'bridge',
  'forge',
  'path',
  'mark',
  'wave',
  'stack',
  'hill',
  'brook',
  'yard',
  'dale',
  'light',
];
/** Personal mail domains: some users shop with a private address rather than their company's. */
const PERSONAL_DOMAINS = ['mailbox.example', 'webpost.example', 'inbox.example', 'postmail.example'];

/**
 * `users` shoppers spread over `accounts` accounts (`acct_<4 digits>`), deterministic for a
 * seed. Every account gets a user while there are enough; the rest join accounts with a
 * heavy-tailed weight, so a few accounts are large. Most users write from their company's
 * domain, some from a personal one. Emails are unique and lower case. The order is shuffled
 * (neighbours are not colleagues).
 */
export function makePopulation(seed: number, users: number, accounts: number): DemoUser[] {
  if (!Number.isInteger(users) || users < 0) throw new Error(`users must be a whole number ≥ 0 (got ${users})`);
  if (!Number.isInteger(accounts) || accounts < 1 || accounts > 9000) {
    throw new Error(`accounts must be a whole number from 1 to 9000 (got ${accounts})`);
  }
  const rng = new Prng(seedOf(seed, 'population'));
  const numbers = rng.sample(
    Array.from({ length: 9000 }, (_, i) => 1000 + i),
    accounts,
  );
  const domains = new Set<string>();
  const accts = numbers.map((n, rank) => {
    let domain = `${rng.pick(COMPANY_A)}${rng.pick(COMPANY_B)}.example`;
    for (let k = 2; domains.has(domain); k++) domain = domain.replace(/\d*\.example$/, `${k}.example`);
    domains.add(domain);
    return { id: `acct_${n}`, domain, weight: 1 / (rank + 1) ** 0.9 };
  });

  const emails = new Set<string>();
  const out: DemoUser[] = [];
  for (let i = 0; i < users; i++) {
    const acct = i < accts.length ? accts[i]! : rng.weighted(accts, (a) => a.weight);
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const f = first.toLowerCase();
    const l = last.toLowerCase().replace(/[^a-z]/g, '');
    const local = rng.pick([`${f}.${l}`, `${f}${l}`, `${f[0]}.${l}`, `${f}_${l}`, `${f}${l[0]}`]);
    const domain = rng.chance(0.7) ? acct.domain : rng.pick(PERSONAL_DOMAINS);
    let email = `${local}@${domain}`;
    for (let k = 2; emails.has(email); k++) email = `${local}${k}@${domain}`;
    emails.add(email);
    out.push({ id: email, accountId: acct.id, name: `${first} ${last}` });
  }
  return rng.shuffle(out);
}

// ---------------------------------------------------------------------------------------
// Sessions

export type Action = 'browse' | 'add' | 'badge' | 'cart' | 'checkout';

/**
 * The storefront's entry endpoints the shoppers call, as web's server spans name them
 * (method and route template): what the simulation bench measures per endpoint.
 */
export const ENTRY_ENDPOINTS = [
  'GET /api/products',
  'GET /api/products/:id',
  'POST /api/cart/items',
  'GET /api/cart/badge',
  'GET /api/cart',
  'POST /api/checkout',
] as const;
export type EntryEndpoint = (typeof ENTRY_ENDPOINTS)[number];

/** The endpoint a session step calls. */
export function endpointOf(step: SessionStep): EntryEndpoint {
  switch (step.action) {
    case 'browse':
      return step.productId ? 'GET /api/products/:id' : 'GET /api/products';
    case 'add':
      return 'POST /api/cart/items';
    case 'badge':
      return 'GET /api/cart/badge';
    case 'cart':
      return 'GET /api/cart';
    case 'checkout':
      return 'POST /api/checkout';
  }
}

/** One request of a session. A `browse` without a product reads the product list. */
export type SessionStep =
  | { action: 'browse'; productId?: string }
  | { action: 'add'; productId: string; quantity: number }
  | { action: 'badge' }
  | { action: 'cart' }
  | { action: 'checkout' };

export interface SessionPlan {
  steps: SessionStep[];
  /** `thinkMs[i]` is the pause before `steps[i + 1]`. */
  thinkMs: number[];
}

/** The shape of a session; the driver's arrival rate is derived from these, so keep them together. */
const SESSION = {
  views: [1, 3] as const,
  adds: [1, 3] as const,
  quantity: [1, 3] as const,
  checkoutShare: 0.3,
};
const mid = ([lo, hi]: readonly [number, number]) => (lo + hi) / 2;

/** Requests in an average session: the list, the views, each add with its badge read, the cart, checkout at its share. */
export function meanRequestsPerSession(): number {
  return 1 + mid(SESSION.views) + 2 * mid(SESSION.adds) + 1 + SESSION.checkoutShare;
}

export interface ThinkTime {
  minMs: number;
  maxMs: number;
}
const DEFAULT_THINK: ThinkTime = { minMs: 50, maxMs: 300 };

/**
 * The `index`-th session of `user`: read the product list, view 1–3 products, add 1–3
 * products (quantities 1–3, each product equally likely, so discounted ones come up at their
 * share of the catalog) reading the badge after each add, read the cart, and check out in
 * about 30% of sessions. A pure function of its arguments, so a run is the same for a seed
 * whatever the timing.
 */
export function planSession(
  seed: number,
  userId: string,
  index: number,
  productIds: readonly string[],
  think: ThinkTime = DEFAULT_THINK,
): SessionPlan {
  if (productIds.length === 0) throw new Error('a session needs at least one product');
  const rng = new Prng(seedOf(seed, 'session', userId, index));
  const steps: SessionStep[] = [{ action: 'browse' }];
  const views = rng.int(...SESSION.views);
  for (let i = 0; i < views; i++) steps.push({ action: 'browse', productId: rng.pick(productIds) });
  const adds = rng.int(...SESSION.adds);
  for (let i = 0; i < adds; i++) {
    steps.push({ action: 'add', productId: rng.pick(productIds), quantity: rng.int(...SESSION.quantity) });
    steps.push({ action: 'badge' });
  }
  steps.push({ action: 'cart' });
  if (rng.chance(SESSION.checkoutShare)) steps.push({ action: 'checkout' });
  const thinkMs = steps.slice(1).map(() => Math.round(rng.float(think.minMs, think.maxMs)));
  return { steps, thinkMs };
}

/**
 * What the driver knows of a user's cart from its own requests: the item count the badge
 * should show (the sum of quantities) and how many successful adds were of discounted
 * products. `null` is unknown.
 */
export interface CartBelief {
  count: number | null;
  discountedAdds: number | null;
}

export type CartEvent =
  | { action: 'add'; status: number; quantity: number; discounted: boolean }
  | { action: 'checkout'; status: number };

/**
 * The belief after an add or a checkout: an add answered 2xx adds its quantity, a checkout
 * answered 2xx empties the cart, any other answer changes nothing. With no answer (status 0:
 * the server may or may not have acted) the cart becomes unknown until the next successful
 * checkout or a successful cart read (`beliefFromCart`).
 */
export function nextCartBelief(belief: CartBelief, event: CartEvent): CartBelief {
  if (event.status === 0) return { count: null, discountedAdds: null };
  if (event.status < 200 || event.status >= 300) return belief;
  if (event.action === 'checkout') return { count: 0, discountedAdds: 0 };
  return {
    count: belief.count === null ? null : belief.count + event.quantity,
    discountedAdds: belief.discountedAdds === null ? null : belief.discountedAdds + (event.discounted ? 1 : 0),
  };
}

/** The belief a `GET /api/cart` answer gives (sum of quantities, lines with a discount), or null when it is not one. */
export function beliefFromCart(body: unknown): CartBelief | null {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return null;
  let count = 0;
  let discountedAdds = 0;
  for (const item of items) {
    const line = item as { quantity?: unknown; discount?: unknown } | null;
    if (typeof line?.quantity !== 'number' || !Number.isFinite(line.quantity)) return null;
    count += line.quantity;
    if (isDiscount(line.discount)) discountedAdds++;
  }
  return { count, discountedAdds };
}

/** A product's or cart line's `discount` field names a discount when it is present and not zero/false/empty. */
function isDiscount(d: unknown): boolean {
  if (d === undefined || d === null || d === false || d === 0 || d === '') return false;
  if (typeof d === 'object' && Object.keys(d).length === 0) return false;
  return true;
}

// ---------------------------------------------------------------------------------------
// Observations

export interface Observation {
  /** Epoch ms at which the request was sent. */
  at: number;
  user: string;
  account: string;
  action: Action;
  endpoint: EntryEndpoint;
  /** HTTP status; 0 when there was no answer (connection error or timeout). */
  status: number;
  ms: number;
  /** On a badge read answered 200 while the driver knows the right count. */
  badge?: { shown: number; expected: number };
  /**
   * Whether the user's cart held a discounted product when the request was sent, as far as
   * the driver knows from its own adds and checkouts (absent when it does not know).
   */
  discounted?: boolean;
}

const ACTIONS: readonly Action[] = ['browse', 'add', 'badge', 'cart', 'checkout'];
const ACTION_CODE = new Map(ACTIONS.map((a, i) => [a, i]));
const ENDPOINT_CODE = new Map(ENTRY_ENDPOINTS.map((e, i) => [e, i]));
const BROWSE = 0;
const NO_BADGE = -1;
const UNKNOWN = -1;

/**
 * Observations as columns of typed arrays (~27 bytes a record instead of a few hundred for
 * an object), growing by doubling up to `cap`. When full, browse records go first; if that
 * frees less than a tenth, the oldest of the rest go too, so compaction stays amortized O(1).
 */
class ObservationLog {
  size = 0;
  dropped = 0;
  private at = new Float64Array(0);
  private user = new Uint32Array(0);
  private action = new Uint8Array(0);
  private endpoint = new Uint8Array(0);
  private status = new Uint16Array(0);
  private ms = new Float32Array(0);
  private shown = new Int32Array(0);
  private expected = new Int32Array(0);
  private discounted = new Int8Array(0);

  constructor(private readonly cap: number) {}

  push(
    at: number,
    user: number,
    action: Action,
    endpoint: EntryEndpoint,
    status: number,
    ms: number,
    discounted: boolean | null,
    badge?: { shown: number; expected: number },
  ) {
    if (this.size === this.at.length) this.makeRoom();
    const i = this.size++;
    this.at[i] = at;
    this.user[i] = user;
    this.action[i] = ACTION_CODE.get(action)!;
    this.endpoint[i] = ENDPOINT_CODE.get(endpoint)!;
    this.status[i] = status;
    this.ms[i] = ms;
    this.shown[i] = badge ? clampInt(badge.shown) : NO_BADGE;
    this.expected[i] = badge ? clampInt(badge.expected) : NO_BADGE;
    this.discounted[i] = discounted === null ? UNKNOWN : discounted ? 1 : 0;
  }

  materialize(users: readonly DemoUser[]): Observation[] {
    const out: Observation[] = new Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const u = users[this.user[i]!]!;
      const o: Observation = {
        at: this.at[i]!,
        user: u.id,
        account: u.accountId,
        action: ACTIONS[this.action[i]!]!,
        endpoint: ENTRY_ENDPOINTS[this.endpoint[i]!]!,
        status: this.status[i]!,
        ms: Math.round(this.ms[i]! * 10) / 10,
      };
      if (this.expected[i] !== NO_BADGE) o.badge = { shown: this.shown[i]!, expected: this.expected[i]! };
      if (this.discounted[i] !== UNKNOWN) o.discounted = this.discounted[i] === 1;
      out[i] = o;
    }
    // Records are appended as requests complete; `at` is when each was sent.
    return out.sort((a, b) => a.at - b.at);
  }

  private makeRoom() {
    if (this.at.length < this.cap) {
      this.resize(Math.min(this.cap, Math.max(1024, this.at.length * 2)));
      return;
    }
    // Full: keep everything but browse, then trim the oldest down to 90% of the cap.
    let w = 0;
    for (let r = 0; r < this.size; r++) if (this.action[r] !== BROWSE) this.move(r, w++);
    const target = Math.floor(this.cap * 0.9);
    if (w > target) {
      const skip = w - target;
      for (let r = skip; r < w; r++) this.move(r, r - skip);
      w = target;
    }
    this.dropped += this.size - w;
    this.size = w;
  }

  private move(from: number, to: number) {
    if (from === to) return;
    this.at[to] = this.at[from]!;
    this.user[to] = this.user[from]!;
    this.action[to] = this.action[from]!;
    this.endpoint[to] = this.endpoint[from]!;
    this.status[to] = this.status[from]!;
    this.ms[to] = this.ms[from]!;
    this.shown[to] = this.shown[from]!;
    this.expected[to] = this.expected[from]!;
    this.discounted[to] = this.discounted[from]!;
  }

  private resize(n: number) {
    const grow = <
      A extends Float64Array | Uint32Array | Uint8Array | Int8Array | Uint16Array | Float32Array | Int32Array,
    >(
      a: A,
      make: (n: number) => A,
    ): A => {
      const b = make(n);
      b.set(a.subarray(0, this.size) as never);
      return b;
    };
    this.at = grow(this.at, (k) => new Float64Array(k));
    this.user = grow(this.user, (k) => new Uint32Array(k));
    this.action = grow(this.action, (k) => new Uint8Array(k));
    this.endpoint = grow(this.endpoint, (k) => new Uint8Array(k));
    this.status = grow(this.status, (k) => new Uint16Array(k));
    this.ms = grow(this.ms, (k) => new Float32Array(k));
    this.shown = grow(this.shown, (k) => new Int32Array(k));
    this.expected = grow(this.expected, (k) => new Int32Array(k));
    this.discounted = grow(this.discounted, (k) => new Int8Array(k));
  }
}

const clampInt = (n: number) => Math.max(-(2 ** 31) + 1, Math.min(2 ** 31 - 1, Math.round(n)));

/** Completed requests of the last `spanMs`: their latencies, for rate and percentiles. */
class RecentWindow {
  private t: number[] = [];
  private ms: number[] = [];
  private head = 0;

  constructor(private readonly spanMs: number) {}

  add(now: number, ms: number) {
    this.t.push(now);
    this.ms.push(ms);
    this.prune(now);
  }

  /** Latencies still in the window at `now`. */
  values(now: number): number[] {
    this.prune(now);
    return this.ms.slice(this.head);
  }

  private prune(now: number) {
    while (this.head < this.t.length && this.t[this.head]! < now - this.spanMs) this.head++;
    if (this.head > 4096 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.ms = this.ms.slice(this.head);
      this.head = 0;
    }
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------------------------------
// The driver

export interface LoadOptions {
  /** The web service's base URL, e.g. http://127.0.0.1:8080 (its proxy in the demo). */
  webUrl: string;
  seed: number;
  users: DemoUser[];
  /** Requests per second at multiplier 1. */
  baseRps: number;
  /** Most sessions in flight at once; arrivals beyond it are dropped and counted (default 64). */
  concurrency?: number;
  /** Called about once a second while the driver runs. */
  onProgress?: (s: LoadStats) => void;
  /** Pause between a session's requests (default 50–300 ms). */
  thinkMs?: ThinkTime;
  /** A request with no answer after this long counts as status 0 (default 15 s). */
  requestTimeoutMs?: number;
  /** Observations kept before browse and then the oldest are dropped (default 2,000,000). */
  maxObservations?: number;
  /**
   * Whether every cart is empty when the driver starts (true for a fresh shop data dir, the
   * default). When false, each user's count is unknown until a cart read or a checkout.
   */
  cartsStartEmpty?: boolean;
}

export interface LoadStats {
  /** Since the shop first answered the product list (0 before). */
  elapsedMs: number;
  multiplier: number;
  /** Requests per second the arrival rate aims at: baseRps × multiplier. */
  targetRps: number;
  /** Products the sessions choose from (0 while waiting for the shop). */
  products: number;
  requests: number;
  /** Requests by answer class; `error` is no answer (status 0). */
  byClass: Record<'2xx' | '3xx' | '4xx' | '5xx' | 'error', number>;
  /** Completed requests per second over the last 5 s. */
  rps: number;
  p50Ms: number;
  p95Ms: number;
  sessionsStarted: number;
  sessionsActive: number;
  /** Arrivals not started: the concurrency cap was reached, or every user was already in a session. */
  sessionsDropped: number;
  /** Badge reads that showed a count other than the expected one. */
  badgeMismatches: number;
  observations: number;
  observationsDropped: number;
}

interface UserState {
  busy: boolean;
  sessions: number;
  cart: CartBelief;
}

interface Answer {
  status: number;
  ms: number;
  body: unknown;
}

const WINDOW_MS = 5000;
const TICK_MS = 20;
const MAX_BODY = 4 << 20;

/**
 * Runs shoppers' sessions against the web API. Sessions arrive as a Poisson process at
 * baseRps × multiplier ÷ (requests per average session) a second, whatever the shop's
 * latency (open loop), each as one user's sequence of requests with think times between.
 * A user is never in two sessions at once, and the driver tracks each user's cart count
 * from its own adds and checkouts, so a badge read can be checked exactly. Network errors
 * are recorded (status 0), never thrown.
 */
export class LoadDriver {
  private readonly opts: Required<Omit<LoadOptions, 'onProgress'>> & Pick<LoadOptions, 'onProgress'>;
  private readonly state: UserState[];
  private readonly log: ObservationLog;
  private readonly recent = new RecentWindow(WINDOW_MS);
  private readonly rng: Prng;
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly base: URL;
  private readonly abort = new AbortController();
  private readonly sessions = new Set<Promise<void>>();
  private products: string[] = [];
  private discountedProducts = new Set<string>();
  private multiplier = 1;
  private started = false;
  private stopping = false;
  private bootstrap: Promise<void> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private progress: NodeJS.Timeout | null = null;
  private nextArrival = Number.POSITIVE_INFINITY;
  private loadStart = 0;
  private counts = {
    requests: 0,
    c2: 0,
    c3: 0,
    c4: 0,
    c5: 0,
    err: 0,
    started: 0,
    active: 0,
    dropped: 0,
    mismatches: 0,
  };

  constructor(opts: LoadOptions) {
    if (opts.users.length === 0) throw new Error('the load driver needs at least one user');
    if (!(opts.baseRps > 0)) throw new Error(`baseRps must be positive (got ${opts.baseRps})`);
    // Every session's think time listens on the one stop signal.
    setMaxListeners(0, this.abort.signal);
    this.opts = {
      ...opts,
      concurrency: opts.concurrency ?? 64,
      thinkMs: opts.thinkMs ?? DEFAULT_THINK,
      requestTimeoutMs: opts.requestTimeoutMs ?? 15_000,
      maxObservations: opts.maxObservations ?? 2_000_000,
      cartsStartEmpty: opts.cartsStartEmpty ?? true,
    };
    if (!(this.opts.concurrency >= 1)) throw new Error(`concurrency must be at least 1 (got ${this.opts.concurrency})`);
    this.base = new URL(opts.webUrl);
    this.client = this.base.protocol === 'https:' ? https : http;
    this.agent = new this.client.Agent({ keepAlive: true, maxSockets: this.opts.concurrency + 8 });
    const empty = this.opts.cartsStartEmpty;
    this.state = opts.users.map(() => ({
      busy: false,
      sessions: 0,
      cart: { count: empty ? 0 : null, discountedAdds: empty ? 0 : null },
    }));
    this.log = new ObservationLog(this.opts.maxObservations);
    this.rng = new Prng(seedOf(opts.seed, 'arrivals'));
  }

  /** Starts the driver: it reads the product list (retrying until the shop answers), then sessions begin. */
  start(): void {
    if (this.started) throw new Error('the load driver was already started');
    this.started = true;
    this.bootstrap = this.loadProducts().then(() => {
      if (this.stopping) return;
      this.loadStart = performance.now();
      this.nextArrival = this.loadStart + this.gapMs();
      this.ticker = setInterval(() => this.tick(), TICK_MS);
    });
    if (this.opts.onProgress) {
      const report = this.opts.onProgress;
      this.progress = setInterval(() => report(this.stats()), 1000);
    }
  }

  /** Scales the arrival rate (1 = baseRps); takes effect at once for new sessions. */
  setMultiplier(m: number): void {
    if (!(m >= 0) || !Number.isFinite(m)) throw new Error(`multiplier must be a finite number ≥ 0 (got ${m})`);
    this.multiplier = m;
    // Exponential gaps are memoryless: drawing the next one afresh at the new rate is exact.
    if (this.ticker) this.nextArrival = performance.now() + this.gapMs();
  }

  /**
   * Every user's cart is now known to be empty (the shop's carts were cleared between two
   * measurements). Call it only while no session runs (`stats().sessionsActive === 0`).
   */
  resetCarts(): void {
    if (this.counts.active > 0) throw new Error('resetCarts needs every session finished');
    for (const st of this.state) st.cart = { count: 0, discountedAdds: 0 };
  }

  stats(): LoadStats {
    const now = performance.now();
    const recent = this.recent.values(now).sort((a, b) => a - b);
    const elapsed = this.loadStart ? now - this.loadStart : 0;
    const windowS = Math.min(WINDOW_MS, Math.max(elapsed, 1)) / 1000;
    const c = this.counts;
    return {
      elapsedMs: Math.round(elapsed),
      multiplier: this.multiplier,
      targetRps: this.opts.baseRps * this.multiplier,
      products: this.products.length,
      requests: c.requests,
      byClass: { '2xx': c.c2, '3xx': c.c3, '4xx': c.c4, '5xx': c.c5, error: c.err },
      rps: elapsed > 0 ? Math.round((recent.length / windowS) * 10) / 10 : 0,
      p50Ms: Math.round(percentile(recent, 0.5) * 10) / 10,
      p95Ms: Math.round(percentile(recent, 0.95) * 10) / 10,
      sessionsStarted: c.started,
      sessionsActive: c.active,
      sessionsDropped: c.dropped,
      badgeMismatches: c.mismatches,
      observations: this.log.size,
      observationsDropped: this.log.dropped,
    };
  }

  /**
   * Every kept observation, in the order the requests were sent. Built on each call,
   * O(n log n) in the records kept: take it at the end of a phase, not on every tick.
   */
  observations(): readonly Observation[] {
    return this.log.materialize(this.opts.users);
  }

  /** Stops new sessions; running sessions end after their current request, which is awaited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    if (this.ticker) clearInterval(this.ticker);
    if (this.progress) clearInterval(this.progress);
    this.ticker = this.progress = null;
    this.nextArrival = Number.POSITIVE_INFINITY;
    await this.bootstrap?.catch(() => {});
    await Promise.allSettled([...this.sessions]);
    this.agent.destroy();
  }

  // -------------------------------------------------------------------------------------

  private gapMs(): number {
    const sessionsPerSecond = (this.opts.baseRps * this.multiplier) / meanRequestsPerSession();
    return sessionsPerSecond > 0 ? this.rng.exponential(1000 / sessionsPerSecond) : Number.POSITIVE_INFINITY;
  }

  private tick() {
    const now = performance.now();
    // After a stall (a blocked event loop), start from now rather than in one burst.
    if (this.nextArrival < now - 1000) this.nextArrival = now;
    while (this.nextArrival <= now && !this.stopping) {
      this.arrive();
      this.nextArrival += this.gapMs();
    }
  }

  private arrive() {
    if (this.counts.active >= this.opts.concurrency) {
      this.counts.dropped++;
      return;
    }
    const idx = this.pickUser();
    if (idx < 0) {
      this.counts.dropped++;
      return;
    }
    const run = this.runSession(idx).catch(() => {});
    this.sessions.add(run);
    void run.then(() => this.sessions.delete(run));
  }

  /** A user not in a session: users recur, some more often than others (a skew toward the front). */
  private pickUser(): number {
    const n = this.state.length;
    const start = Math.floor(n * this.rng.next() ** 1.5);
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (!this.state[i]!.busy) return i;
    }
    return -1;
  }

  private async runSession(idx: number) {
    const st = this.state[idx]!;
    const user = this.opts.users[idx]!;
    st.busy = true;
    this.counts.active++;
    this.counts.started++;
    try {
      const plan = planSession(this.opts.seed, user.id, st.sessions++, this.products, this.opts.thinkMs);
      for (let i = 0; i < plan.steps.length && !this.stopping; i++) {
        if (i > 0) {
          const paused = await sleep(plan.thinkMs[i - 1]!, true, { signal: this.abort.signal }).catch(() => false);
          if (!paused) break;
        }
        await this.step(idx, plan.steps[i]!);
      }
    } finally {
      st.busy = false;
      this.counts.active--;
    }
  }

  private async step(idx: number, step: SessionStep) {
    const st = this.state[idx]!;
    const user = this.opts.users[idx]!;
    const at = Date.now();
    const held = st.cart.discountedAdds === null ? null : st.cart.discountedAdds > 0;
    switch (step.action) {
      case 'browse': {
        const path = step.productId ? `/api/products/${encodeURIComponent(step.productId)}` : '/api/products';
        const a = await this.request('GET', path, user);
        this.record(at, idx, step, a, held);
        return;
      }
      case 'add': {
        const a = await this.request('POST', '/api/cart/items', user, {
          productId: step.productId,
          quantity: step.quantity,
        });
        const discounted = this.discountedProducts.has(step.productId);
        st.cart = nextCartBelief(st.cart, { action: 'add', status: a.status, quantity: step.quantity, discounted });
        this.record(at, idx, step, a, held);
        return;
      }
      case 'badge': {
        const a = await this.request('GET', '/api/cart/badge', user);
        const shown = (a.body as { count?: unknown } | null)?.count;
        const expected = st.cart.count;
        const badge =
          a.status === 200 && typeof shown === 'number' && expected !== null ? { shown, expected } : undefined;
        if (badge && badge.shown !== badge.expected) this.counts.mismatches++;
        this.record(at, idx, step, a, held, badge);
        return;
      }
      case 'cart': {
        const a = await this.request('GET', '/api/cart', user);
        if (a.status === 200 && (st.cart.count === null || st.cart.discountedAdds === null)) {
          st.cart = beliefFromCart(a.body) ?? st.cart;
        }
        this.record(at, idx, step, a, held);
        return;
      }
      case 'checkout': {
        const a = await this.request('POST', '/api/checkout', user, {});
        st.cart = nextCartBelief(st.cart, { action: 'checkout', status: a.status });
        this.record(at, idx, step, a, held);
        return;
      }
    }
  }

  private record(
    at: number,
    idx: number,
    step: SessionStep,
    a: Answer,
    discounted: boolean | null,
    badge?: { shown: number; expected: number },
  ) {
    const c = this.counts;
    c.requests++;
    if (a.status === 0) c.err++;
    else if (a.status < 300) c.c2++;
    else if (a.status < 400) c.c3++;
    else if (a.status < 500) c.c4++;
    else c.c5++;
    this.recent.add(performance.now(), a.ms);
    this.log.push(at, idx, step.action, endpointOf(step), a.status, a.ms, discounted, badge);
  }

  /** Reads the product ids, retrying every half second until the shop answers with some. */
  private async loadProducts() {
    const someone = this.opts.users[0]!;
    while (!this.stopping) {
      const a = await this.request('GET', '/api/products', someone);
      const list = (a.body as { products?: unknown } | null)?.products;
      if (a.status === 200 && Array.isArray(list)) {
        const products = list.filter((p): p is { id: string; discount?: unknown } => typeof p?.id === 'string');
        if (products.length > 0) {
          this.products = products.map((p) => p.id);
          this.discountedProducts = new Set(products.filter((p) => isDiscount(p.discount)).map((p) => p.id));
          return;
        }
      }
      await sleep(500, undefined, { signal: this.abort.signal }).catch(() => {});
    }
  }

  /** One request with the user's identity headers; never rejects (no answer = status 0). */
  private request(method: string, path: string, user: DemoUser, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = {
      accept: 'application/json',
      'x-user-id': user.id,
      'x-account-id': user.accountId,
    };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const t0 = performance.now();
    return new Promise<Answer>((resolve) => {
      let settled = false;
      let req: http.ClientRequest | null = null;
      const finish = (status: number, text: string | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        let parsed: unknown = null;
        if (text) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = null;
          }
        }
        resolve({ status, ms: performance.now() - t0, body: parsed });
      };
      const timer = setTimeout(() => {
        req?.destroy(new Error('request timed out'));
        finish(0, null);
      }, this.opts.requestTimeoutMs);
      try {
        req = this.client.request(url, { method, headers, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_BODY) chunks.push(c);
          });
          res.on('end', () =>
            finish(res.statusCode ?? 0, size <= MAX_BODY ? Buffer.concat(chunks).toString('utf8') : null),
          );
          // A response cut short ends in 'error' or 'close' without 'end': no answer.
          res.on('error', () => finish(0, null));
          res.on('close', () => finish(0, null));
        });
        req.on('error', () => finish(0, null));
        req.end(payload);
      } catch {
        finish(0, null);
      }
    });
  }
}
