// The demo's shoppers (src/demo/load.ts): the population and session plans are pure and
// seeded; the cart belief behind the expected badge follows a table of cases; and the load
// driver runs against a small in-test shop that answers the web API, with a wrong badge for
// some users and failures for others, to check what the driver observes and its rate.
import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CartBelief,
  type CartEvent,
  type DemoUser,
  ENTRY_ENDPOINTS,
  LoadDriver,
  type Observation,
  beliefFromCart,
  makePopulation,
  meanRequestsPerSession,
  nextCartBelief,
  planSession,
} from '../src/demo/load.js';
import { endpointStats } from '../src/demo/load-stats.js';
import { Prng, seedOf } from '../src/demo/prng.js';

const PRODUCTS = Array.from({ length: 20 }, (_, i) => `p-${i + 1}`);
const DISCOUNTED = new Set(['p-2', 'p-5', 'p-11']);

describe('prng', () => {
  it('repeats for a seed and spreads evenly', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    assert.deepEqual(
      xs.slice(0, 50),
      Array.from({ length: 50 }, () => b.next()),
    );
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const n of buckets) assert.ok(n > 900 && n < 1100, `bucket ${n}`);
    assert.notEqual(seedOf(1, 'a'), seedOf(1, 'b'));
    assert.notEqual(seedOf('1', 'a'), seedOf(1, 'a'));
    const r = new Prng(1);
    for (let i = 0; i < 1000; i++) {
      const n = r.int(1, 3);
      assert.ok(n >= 1 && n <= 3 && Number.isInteger(n));
    }
    assert.deepEqual([...r.shuffle([1, 2, 3, 4, 5])].sort(), [1, 2, 3, 4, 5]);
  });
});

describe('makePopulation', () => {
  it('is deterministic for a seed, with unique emails and every account used', () => {
    const a = makePopulation(7, 500, 60);
    assert.deepEqual(a, makePopulation(7, 500, 60));
    assert.notDeepEqual(a, makePopulation(8, 500, 60));
    assert.equal(a.length, 500);
    assert.equal(new Set(a.map((u) => u.id)).size, 500);
    const accounts = new Map<string, DemoUser[]>();
    for (const u of a) {
      assert.match(u.id, /^[a-z0-9._+-]+@[a-z0-9.-]+\.example$/);
      assert.match(u.accountId, /^acct_\d{4}$/);
      assert.match(u.name, /^\S+ \S+$/);
      accounts.set(u.accountId, [...(accounts.get(u.accountId) ?? []), u]);
    }
    assert.equal(accounts.size, 60);
    const sizes = [...accounts.values()].map((m) => m.length).sort((x, y) => y - x);
    assert.ok(sizes[0]! >= 3 * (500 / 60), `the largest account has ${sizes[0]} users: accounts are heavy-tailed`);
    // Colleagues mostly share their company's domain.
    const shared = [...accounts.values()].filter(
      (m) => m.length >= 3 && new Set(m.map((u) => u.id.split('@')[1])).size < m.length,
    );
    assert.ok(shared.length > 0);
  });
});

describe('planSession', () => {
  it('is a pure function of seed, user, index and products', () => {
    const p = planSession(3, 'a@x.example', 0, PRODUCTS);
    assert.deepEqual(p, planSession(3, 'a@x.example', 0, PRODUCTS));
    assert.notDeepEqual(p, planSession(3, 'a@x.example', 1, PRODUCTS));
    assert.notDeepEqual(p, planSession(3, 'b@x.example', 0, PRODUCTS));
    assert.notDeepEqual(p, planSession(4, 'a@x.example', 0, PRODUCTS));
  });

  it('browses, adds 1–3 products with a badge read after each, reads the cart and checks out in ~30%', () => {
    let checkouts = 0;
    let adds = 0;
    let discounted = 0;
    let requests = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const { steps, thinkMs } = planSession(1, `u${i % 37}@x.example`, i, PRODUCTS, { minMs: 50, maxMs: 300 });
      requests += steps.length;
      assert.deepEqual(steps[0], { action: 'browse' });
      assert.equal(thinkMs.length, steps.length - 1);
      for (const t of thinkMs) assert.ok(t >= 50 && t <= 300);
      const actions = steps.map((s) => s.action).join(' ');
      assert.match(actions, /^browse( browse){1,3}( add badge){1,3} cart( checkout)?$/);
      for (const s of steps) {
        if (s.action === 'add') {
          assert.ok(s.quantity >= 1 && s.quantity <= 3 && PRODUCTS.includes(s.productId));
          adds++;
          if (DISCOUNTED.has(s.productId)) discounted++;
        }
        if (s.action === 'browse' && s.productId) assert.ok(PRODUCTS.includes(s.productId));
      }
      if (steps.at(-1)!.action === 'checkout') checkouts++;
    }
    assert.ok(Math.abs(checkouts / N - 0.3) < 0.03, `checkout share ${checkouts / N}`);
    const natural = DISCOUNTED.size / PRODUCTS.length;
    assert.ok(Math.abs(discounted / adds - natural) < 0.025, `discounted share ${discounted / adds} vs ${natural}`);
    assert.ok(
      Math.abs(requests / N / meanRequestsPerSession() - 1) < 0.03,
      `${requests / N} vs ${meanRequestsPerSession()}`,
    );
  });
});

describe('the cart belief behind the expected badge', () => {
  const add = (status: number, quantity: number, discounted = false): CartEvent => ({
    action: 'add',
    status,
    quantity,
    discounted,
  });
  const checkout = (status: number): CartEvent => ({ action: 'checkout', status });
  const b = (count: number | null, discountedAdds: number | null): CartBelief => ({ count, discountedAdds });
  const cases: Array<[string, CartBelief, CartEvent, CartBelief]> = [
    ['a 200 add counts its quantity', b(0, 0), add(200, 3), b(3, 0)],
    ['a discounted add is remembered', b(2, 0), add(200, 1, true), b(3, 1)],
    ['a 201 add counts too', b(1, 0), add(201, 2), b(3, 0)],
    ['a failed add (500) counts nothing', b(4, 1), add(500, 2, true), b(4, 1)],
    ['a rejected add (409) counts nothing', b(4, 0), add(409, 2), b(4, 0)],
    ['an add with no answer makes the cart unknown', b(4, 0), add(0, 2), b(null, null)],
    ['an unknown cart stays unknown after an add', b(null, null), add(200, 2), b(null, null)],
    ['a successful checkout empties the cart', b(7, 2), checkout(200), b(0, 0)],
    ['a successful checkout makes an unknown cart known', b(null, null), checkout(200), b(0, 0)],
    ['a failed checkout (502) leaves the cart', b(7, 2), checkout(502), b(7, 2)],
    ['a checkout with no answer makes the cart unknown', b(7, 2), checkout(0), b(null, null)],
  ];
  for (const [name, before, event, expected] of cases) {
    it(name, () => assert.deepEqual(nextCartBelief(before, event), expected));
  }

  it('reads a cart answer back as a belief', () => {
    assert.deepEqual(
      beliefFromCart({
        items: [
          { productId: 'p-1', quantity: 2, price: 5 },
          { productId: 'p-2', quantity: 1, price: 9, discount: { percent: 10 } },
        ],
        total: 19,
      }),
      b(3, 1),
    );
    assert.deepEqual(beliefFromCart({ items: [], total: 0 }), b(0, 0));
    assert.equal(beliefFromCart({ error: 'x' }), null);
    assert.equal(beliefFromCart({ items: [{ productId: 'p-1' }] }), null);
  });
});

// ---------------------------------------------------------------------------------------
// An in-test shop: the web API over node:http, with carts in memory.

interface ShopOptions {
  /** Users whose badge shows the number of distinct lines instead of the item count. */
  wrongBadge?: ReadonlySet<string>;
  /** Users whose badge read answers 500. */
  badgeFails?: ReadonlySet<string>;
  /** A product whose add answers 500 without adding. */
  failingProduct?: string;
  /** A product whose add adds, then never answers. */
  hangingProduct?: string;
  /** The first n product-list reads answer 503 (the shop still starting). */
  productsFailFirst?: number;
  /** Accounts, to check the identity headers. */
  accounts?: ReadonlyMap<string, string>;
}

interface Shop {
  url: string;
  /** Per user, what each request found: the cart held a discounted product before it. */
  seen: Map<string, Array<{ action: string; held: boolean }>>;
  identityErrors: number;
  productListCalls: number;
  close(): Promise<void>;
}

async function startShop(opts: ShopOptions = {}): Promise<Shop> {
  const carts = new Map<string, Map<string, number>>();
  const shop: Shop = { url: '', seen: new Map(), identityErrors: 0, productListCalls: 0, close: async () => {} };
  const products = PRODUCTS.map((id, i) => ({
    id,
    name: `Product ${i + 1}`,
    price: 10 + i,
    ...(DISCOUNTED.has(id) ? { discount: { percent: 15 } } : {}),
  }));
  const hanging: ServerResponse[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const user = String(req.headers['x-user-id'] ?? '');
    const account = String(req.headers['x-account-id'] ?? '');
    if (opts.accounts && opts.accounts.get(user) !== account) shop.identityErrors++;
    const cart = carts.get(user) ?? new Map<string, number>();
    carts.set(user, cart);
    const held = [...cart.keys()].some((p) => DISCOUNTED.has(p));
    const url = req.url ?? '';
    const note = (action: string) => shop.seen.set(user, [...(shop.seen.get(user) ?? []), { action, held }]);
    if (req.method === 'GET' && url === '/api/products') {
      if (shop.productListCalls++ < (opts.productsFailFirst ?? 0)) return json(res, 503, { error: 'starting' });
      note('browse');
      return json(res, 200, { products });
    }
    if (req.method === 'GET' && url.startsWith('/api/products/')) {
      note('browse');
      const p = products.find((x) => x.id === url.slice('/api/products/'.length));
      return p ? json(res, 200, p) : json(res, 404, { error: 'no such product' });
    }
    if (req.method === 'POST' && url === '/api/cart/items') {
      note('add');
      const { productId, quantity } = JSON.parse(raw) as { productId: string; quantity: number };
      if (productId === opts.failingProduct) return json(res, 500, { error: 'inventory unavailable' });
      cart.set(productId, (cart.get(productId) ?? 0) + quantity);
      if (productId === opts.hangingProduct) {
        hanging.push(res);
        return;
      }
      return json(res, 200, { ok: true, count: [...cart.values()].reduce((a, b) => a + b, 0) });
    }
    if (req.method === 'GET' && url === '/api/cart/badge') {
      note('badge');
      if (opts.badgeFails?.has(user)) return json(res, 500, { error: 'Something went wrong' });
      const count = opts.wrongBadge?.has(user) ? cart.size : [...cart.values()].reduce((a, b) => a + b, 0);
      return json(res, 200, { count });
    }
    if (req.method === 'GET' && url === '/api/cart') {
      note('cart');
      const items = [...cart.entries()].map(([productId, quantity]) => {
        const p = products.find((x) => x.id === productId)!;
        return { productId, quantity, price: p.price, ...(p.discount ? { discount: p.discount } : {}) };
      });
      return json(res, 200, { items, total: items.reduce((a, i) => a + i.price * i.quantity, 0) });
    }
    if (req.method === 'POST' && url === '/api/checkout') {
      note('checkout');
      if (cart.size === 0) return json(res, 400, { error: 'cart is empty' });
      cart.clear();
      return json(res, 200, { ok: true, orderId: `o-${Math.random()}`, amount: 1 });
    }
    json(res, 404, { error: 'not found' });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: 'test shop failed' }));
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  shop.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  shop.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return shop;
}

const byUser = (obs: readonly Observation[]) => {
  const m = new Map<string, Observation[]>();
  for (const o of obs) m.set(o.user, [...(m.get(o.user) ?? []), o]);
  return m;
};

async function until(cond: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('LoadDriver against an in-test shop', () => {
  const shops: Shop[] = [];
  after(async () => {
    for (const s of shops) await s.close();
  });

  it('records wrong badges and failed reads, and knows the right count from its own adds', async () => {
    const users = makePopulation(21, 40, 8);
    const wrongBadge = new Set(users.filter((_, i) => i % 4 === 0).map((u) => u.id));
    const badgeFails = new Set(users.filter((_, i) => i % 4 === 1).map((u) => u.id));
    const shop = await startShop({
      wrongBadge,
      badgeFails,
      failingProduct: 'p-7',
      productsFailFirst: 2,
      accounts: new Map(users.map((u) => [u.id, u.accountId])),
    });
    shops.push(shop);
    const progress: number[] = [];
    const driver = new LoadDriver({
      webUrl: shop.url,
      seed: 21,
      users,
      baseRps: 160,
      thinkMs: { minMs: 5, maxMs: 20 },
      onProgress: (s) => progress.push(s.requests),
    });
    driver.start();
    await until(() => driver.stats().requests > 700, 20_000);
    await driver.stop();
    const obs = driver.observations();
    const stats = driver.stats();

    assert.ok(shop.productListCalls >= 3, 'the driver retried the product list until the shop answered');
    assert.equal(shop.identityErrors, 0, 'every request carried the user and their account');
    assert.equal(stats.requests, obs.length);
    assert.equal(
      Object.values(stats.byClass).reduce((a, b) => a + b, 0),
      stats.requests,
    );
    assert.equal(stats.byClass.error, 0);
    assert.ok(progress.length >= 1, 'progress reported');
    for (let i = 1; i < obs.length; i++) assert.ok(obs[i]!.at >= obs[i - 1]!.at, 'in the order sent');

    const badges = obs.filter((o) => o.action === 'badge');
    // The users with a failing badge: 500s, never a badge comparison.
    const failed = badges.filter((o) => badgeFails.has(o.user));
    assert.ok(failed.length > 20);
    for (const o of failed) assert.ok(o.status === 500 && o.badge === undefined);
    // The users with a wrong badge: mismatches whenever a line holds more than one item.
    const wrong = badges.filter((o) => wrongBadge.has(o.user));
    assert.ok(
      wrong.some((o) => o.badge && o.badge.shown < o.badge.expected),
      'wrong badges observed',
    );
    // Everyone else: the badge always matches, though some of their adds failed (p-7).
    const fine = badges.filter((o) => !wrongBadge.has(o.user) && !badgeFails.has(o.user));
    assert.ok(fine.length > 50);
    for (const o of fine) {
      assert.ok(o.status === 200 && o.badge, o.user);
      assert.equal(o.badge.shown, o.badge.expected, o.user);
    }
    assert.ok(
      obs.some((o) => o.action === 'add' && o.status === 500),
      'some adds failed',
    );
    assert.equal(stats.badgeMismatches, badges.filter((o) => o.badge && o.badge.shown !== o.badge.expected).length);

    // Users recur, and whether their cart held a discounted product is what the shop saw.
    const perUser = byUser(obs);
    assert.ok(
      [...perUser.values()].some((list) => list.filter((o) => o.action === 'cart').length >= 3),
      'users recur',
    );
    let compared = 0;
    for (const [user, list] of perUser) {
      // The shop also saw the driver's first product-list read (not a session's): compare the tails.
      const seen = shop.seen.get(user) ?? [];
      const mine = list.filter((o) => o.discounted !== undefined);
      assert.equal(mine.length, list.length, 'carts start empty, so the driver always knows');
      assert.deepEqual(
        list.map((o) => [o.action, o.discounted]),
        seen.slice(-list.length).map((s) => [s.action, s.held]),
        user,
      );
      compared += list.length;
    }
    assert.ok(compared > 700);
  });

  it('triples its request rate when the multiplier goes to 3', async () => {
    const shop = await startShop();
    shops.push(shop);
    const users = makePopulation(5, 200, 20);
    const driver = new LoadDriver({ webUrl: shop.url, seed: 5, users, baseRps: 100, thinkMs: { minMs: 5, maxMs: 20 } });
    driver.start();
    await until(() => driver.stats().products > 0, 5000);
    const t0 = Date.now();
    await sleep(3000);
    const t1 = Date.now();
    driver.setMultiplier(3);
    await sleep(3000);
    const t2 = Date.now();
    const at3 = driver.stats();
    await driver.stop();
    const obs = driver.observations();
    const rate = (from: number, to: number) =>
      obs.filter((o) => o.at >= from && o.at < to).length / ((to - from) / 1000);
    const r1 = rate(t0 + 500, t1);
    const r3 = rate(t1 + 500, t2);
    assert.ok(r1 > 50 && r1 < 150, `1×: ${r1} req/s for a target of 100`);
    assert.ok(r3 >= 2 * r1, `3×: ${r3} req/s vs ${r1}`);
    assert.equal(at3.multiplier, 3);
    assert.ok(at3.rps > 1.5 * r1, `stats rps ${at3.rps}`);
    assert.ok(at3.p95Ms >= at3.p50Ms && at3.p50Ms > 0);
    assert.equal(at3.sessionsDropped, 0);
  });

  it('records unanswered requests as status 0, caps sessions in flight, and stops promptly', async () => {
    const users = makePopulation(3, 60, 6);
    const shop = await startShop({ hangingProduct: 'p-4' });
    shops.push(shop);
    const driver = new LoadDriver({
      webUrl: shop.url,
      seed: 3,
      users,
      baseRps: 400,
      concurrency: 6,
      requestTimeoutMs: 300,
      thinkMs: { minMs: 5, maxMs: 20 },
    });
    driver.start();
    let maxActive = 0;
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      maxActive = Math.max(maxActive, driver.stats().sessionsActive);
      await sleep(10);
    }
    const t = Date.now();
    await driver.stop();
    assert.ok(Date.now() - t < 1500, 'stop waits only for requests in flight');
    const stats = driver.stats();
    const obs = driver.observations();
    assert.ok(maxActive <= 6, `active ${maxActive}`);
    assert.ok(stats.sessionsDropped > 0, 'arrivals beyond the cap are dropped and counted');
    const timedOut = obs.filter((o) => o.status === 0);
    assert.ok(timedOut.length > 0 && timedOut.every((o) => o.action === 'add' && o.ms >= 290));
    assert.equal(stats.byClass.error, timedOut.length);
    // After an add with no answer the driver no longer claims to know the count…
    for (const list of byUser(obs).values()) {
      let unknown = false;
      for (const o of list) {
        if (o.action === 'add' && o.status === 0) unknown = true;
        else if (o.action === 'badge' && unknown) assert.equal(o.badge, undefined);
        // …until a cart read tells it again, and then it is right.
        else if (o.action === 'cart' && o.status === 200) unknown = false;
        else if (o.action === 'badge' && o.badge) assert.equal(o.badge.shown, o.badge.expected);
      }
    }
  });

  it('keeps at most maxObservations, dropping browse records first', async () => {
    const shop = await startShop();
    shops.push(shop);
    const driver = new LoadDriver({
      webUrl: shop.url,
      seed: 9,
      users: makePopulation(9, 50, 5),
      baseRps: 300,
      maxObservations: 800,
      thinkMs: { minMs: 1, maxMs: 5 },
    });
    driver.start();
    await until(() => driver.stats().observationsDropped > 0, 20_000);
    await driver.stop();
    const obs = driver.observations();
    const stats = driver.stats();
    assert.ok(obs.length <= 800);
    assert.equal(obs.length, stats.observations);
    assert.equal(stats.requests, obs.length + stats.observationsDropped);
    const browse = obs.filter((o) => o.action === 'browse').length / obs.length;
    assert.ok(browse < 0.15, `browse share after dropping ${browse} (about 0.36 in traffic)`);
    assert.ok(obs.some((o) => o.action === 'checkout') && obs.some((o) => o.badge));
  });

  it('names each request by its entry endpoint, sums them per endpoint, and forgets carts only when idle', async () => {
    const shop = await startShop();
    shops.push(shop);
    const driver = new LoadDriver({
      webUrl: shop.url,
      seed: 11,
      users: makePopulation(11, 60, 6),
      baseRps: 80,
      thinkMs: { minMs: 5, maxMs: 20 },
    });
    driver.start();
    await until(() => driver.stats().requests > 150, 10_000);
    assert.throws(() => driver.resetCarts(), /needs every session finished/);
    driver.setMultiplier(0);
    await until(() => driver.stats().sessionsActive === 0, 10_000);
    driver.resetCarts();
    await driver.stop();
    const obs = driver.observations();
    const want: Record<string, string> = {
      add: 'POST /api/cart/items',
      badge: 'GET /api/cart/badge',
      cart: 'GET /api/cart',
      checkout: 'POST /api/checkout',
    };
    for (const o of obs) {
      if (o.action === 'browse') assert.match(o.endpoint, /^GET \/api\/products(\/:id)?$/);
      else assert.equal(o.endpoint, want[o.action]);
    }
    const stats = endpointStats(obs, obs[0]!.at, obs.at(-1)!.at + 1);
    assert.deepEqual(
      stats.map((e) => e.endpoint),
      [...ENTRY_ENDPOINTS],
    );
    assert.equal(
      stats.reduce((a, e) => a + e.requests, 0),
      obs.length,
    );
    for (const e of stats) {
      const mine = obs.filter((o) => o.endpoint === e.endpoint);
      assert.equal(e.requests, mine.length);
      assert.equal(e.errors, mine.filter((o) => o.status === 0 || o.status >= 500).length);
      if (e.requests) assert.ok(e.p95Ms! >= e.p50Ms! && e.p50Ms! > 0, `${e.endpoint} p50 ${e.p50Ms} p95 ${e.p95Ms}`);
    }
    assert.ok(stats.find((e) => e.endpoint === 'GET /api/products/:id')!.requests > 0);
  });

  it('stops cleanly while still waiting for the shop to answer', async () => {
    const driver = new LoadDriver({
      webUrl: 'http://127.0.0.1:9',
      seed: 1,
      users: makePopulation(1, 3, 1),
      baseRps: 10,
    });
    driver.start();
    await sleep(700);
    await driver.stop();
    assert.equal(driver.stats().products, 0);
    assert.equal(driver.observations().length, 0);
  });
});
