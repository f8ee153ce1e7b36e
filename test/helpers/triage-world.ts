// A small world for triage tests, seeded straight into a store: cart throws a TypeError that
// an ERROR pattern logs, web's upstream error follows it (no graph edge until `addEdge`), an
// old search error lies outside a 24 h window, a steady WARN pattern is background, cart.js
// is owned by @shop/cart; three tickets: one quoting the TypeError, two duplicates with no
// telemetry behind them.
import type { Queryable } from '../../src/store/index.js';
import { seedAnalysis } from './analysis-seed.js';

const MIN = 60_000;
/** Fixed when the file loads, so that every row and assertion agree even when a minute turns mid-test. */
export const NOW_MINUTE = Math.floor(Date.now() / MIN) * MIN;
export const minute = (ago: number) => new Date(NOW_MINUTE - ago * MIN).toISOString();
/** The faults began this many minutes ago and last until the minute before now. */
export const ONSET = 30;
const minutes = Array.from({ length: ONSET }, (_, i) => ONSET - i);
/** A count that wobbles so that series are not flat. */
const level = (ago: number) => 4 + (ago % 3) * 2;

/** The tickets, as the generic format (POST /api/tickets) takes them. */
export const TRIAGE_TICKETS = [
  {
    source: 'helpdesk',
    id: 'HD-1',
    title: 'Checkout crashes',
    body: "Paying fails with TypeError: Cannot read properties of undefined (reading 'price')",
  },
  {
    source: 'helpdesk',
    id: 'HD-2',
    title: 'Invoice PDF download is blank',
    body: 'user u-77: the invoice PDF I download is a blank page',
  },
  {
    source: 'helpdesk',
    id: 'HD-3',
    title: 'Blank invoice PDF when downloading',
    body: 'user u-77 again: downloading the invoice PDF gives a blank page',
  },
] as const;

export async function seedTriageWorld(db: Queryable): Promise<void> {
  const frames = [
    { file: '/app/services/cart/src/cart.js', function: 'priceOf', line: 42, column: 7, module: null, inApp: true },
    { file: 'node:internal/process', function: 'run', line: 1, column: 1, module: null, inApp: false },
  ];
  await seedAnalysis(db, {
    service: [{ name: 'cart' }, { name: 'web' }, { name: 'search' }],
    error_group: [
      {
        service: 'cart',
        algorithm: 'errors@1',
        fingerprint: 'fp-price',
        type: 'TypeError',
        message: "Cannot read properties of undefined (reading 'price')",
        frames,
        first_seen: minute(ONSET),
        last_seen: minute(1),
        count: 200,
      },
      {
        service: 'web',
        algorithm: 'errors@1',
        fingerprint: 'fp-gateway',
        type: 'FetchError',
        message: 'request to http://cart/checkout failed, reason: socket hang up',
        first_seen: minute(ONSET),
        last_seen: minute(1),
        count: 200,
      },
      {
        service: 'search',
        algorithm: 'errors@1',
        fingerprint: 'fp-old',
        type: 'RangeError',
        message: 'Invalid array length',
        first_seen: minute(1600),
        last_seen: minute(1500),
        count: 9,
      },
    ],
    error_minute: [
      ...minutes.map((m) => ({
        minute: minute(m),
        service: 'cart',
        fingerprint: 'fp-price',
        count: level(m),
        users: [`u${m}`, `u${m + 1}`],
      })),
      ...minutes.map((m) => ({
        minute: minute(m),
        service: 'web',
        fingerprint: 'fp-gateway',
        count: level(m) + 1,
        users: [`u${m}`, `w${m}`],
      })),
      ...[1600, 1550, 1500].map((m) => ({ minute: minute(m), service: 'search', fingerprint: 'fp-old', count: 3 })),
    ],
    log_pattern: [
      {
        service: 'cart',
        algorithm: 'patterns@3',
        pattern_key: 'p-checkout',
        template: 'checkout failed for cart <*>',
        level: 'ERROR',
        first_seen: minute(ONSET),
        last_seen: minute(1),
        count: 400,
      },
      {
        service: 'cart',
        algorithm: 'patterns@3',
        pattern_key: 'p-retry',
        template: 'retrying inventory call <*>',
        level: 'WARN',
        first_seen: minute(3000),
        last_seen: minute(1),
        count: 5000,
      },
    ],
    pattern_minute: [
      ...minutes.map((m) => ({ minute: minute(m), service: 'cart', pattern_key: 'p-checkout', count: 2 * level(m) })),
      // Steady background all day, following nothing.
      ...Array.from({ length: 24 }, (_, h) => ({
        minute: minute(h * 60 + 7),
        service: 'cart',
        pattern_key: 'p-retry',
        count: 20,
      })),
    ],
  });
  const [repo] = await db.query<{ id: number }>(
    `INSERT INTO repository (name, path) VALUES ('shop', '/src/shop') RETURNING id`,
  );
  const [svc] = await db.query<{ id: number }>(`SELECT id FROM service WHERE name = 'cart'`);
  await db.query(
    `INSERT INTO file (repository_id, path, owners, service_id) VALUES ($1, 'services/cart/src/cart.js', '{@shop/cart}', $2)`,
    [repo!.id, svc!.id],
  );
}

/** Calls from web to cart that fail along with cart's error: the graph edge that makes web's error its upstream symptom. */
export async function addEdge(db: Queryable): Promise<void> {
  await seedAnalysis(db, {
    edge_minute: minutes.map((m) => ({
      minute: minute(m),
      caller: 'web',
      callee: 'cart',
      calls: 50,
      errors: level(m),
      latency: [[30, 50]],
    })),
  });
}
