// Builders of triage@1 inputs over a fixed 60-minute window, shared by the triage tests and the
// version snapshot; TRIAGE_CASES names the inputs of test/triage-cluster.test.ts's cases.
import { HyperLogLog } from '../../src/analysis/index.js';
import type { TriageErrorGroup, TriageInput, TriagePattern, TriageTicket } from '../../src/analysis/triage/index.js';

export const T0 = Date.parse('2026-11-22T10:00:00Z');
export const MIN = 60_000;
export const BUCKETS = 60;
export const at = (minute: number) => new Date(T0 + minute * MIN).toISOString();
export const window = { since: at(0), until: at(60), recentSince: at(45), buckets: BUCKETS, bucketMs: MIN };

/** A series that is `level` in [from, to) and zero elsewhere, plus a wobble so series are not identical. */
export function burst(from: number, to: number, level: number, wobble = 0): number[] {
  return Array.from({ length: BUCKETS }, (_, i) => (i >= from && i < to ? level + ((i * 7) % 3) * wobble : 0));
}

export function users(ids: string[]): Uint8Array[] {
  const h = new HyperLogLog();
  for (const id of ids) h.add(id);
  return [h.toBytes()];
}

export const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

export function error(
  service: string,
  fingerprint: string,
  series: number[],
  over: Partial<TriageErrorGroup> = {},
): TriageErrorGroup {
  const first = series.findIndex((v) => v > 0);
  return {
    service,
    fingerprint,
    type: 'TypeError',
    message: `Cannot read properties of undefined (reading '${fingerprint}')`,
    culprit: null,
    count: series.reduce((a, b) => a + b, 0),
    series,
    userSketches: [],
    accountSketches: [],
    traces: [],
    trend: 'new',
    firstSeen: first < 0 ? null : at(first),
    lastSeen: at(59),
    owners: null,
    ...over,
  };
}

export function pattern(
  service: string,
  key: string,
  level: string,
  series: number[],
  over: Partial<TriagePattern> = {},
): TriagePattern {
  const first = series.findIndex((v) => v > 0);
  return {
    service,
    key,
    template: `${key} failed for order <*>`,
    level,
    count: series.reduce((a, b) => a + b, 0),
    series,
    userSketches: [],
    accountSketches: [],
    traces: [],
    trend: 'new',
    firstSeen: first < 0 ? null : at(first),
    lastSeen: at(59),
    owners: null,
    ...over,
  };
}

export function ticket(
  id: number,
  title: string,
  body: string,
  entities: string[] = [],
  over: Partial<TriageTicket> = {},
): TriageTicket {
  return {
    id,
    externalId: `SUP-${id}`,
    title,
    body,
    createdAt: T0 + 50 * MIN,
    updatedAt: null,
    entities,
    reporterHash: null,
    linkedServices: [],
    routeServices: [],
    userErrors: [],
    ...over,
  };
}

export function input(over: Partial<TriageInput>): TriageInput {
  return { window, errors: [], patterns: [], edges: [], tickets: [], serviceRoutes: {}, ...over };
}

/** cart's new TypeError, 30 users: the seed of most cases. */
export const cartError = () => error('cart', 'price', burst(40, 60, 10, 2), { userSketches: users(range('u', 30)) });

function upstreamTimeout(): TriageInput {
  const hurt = { service: 'cart', text: "GET /carts/7 failed: Cannot read properties of undefined (reading 'price')" };
  return input({
    errors: [
      cartError(),
      error('catalog', 'pool', burst(45, 60, 6, 1), {
        type: 'PoolTimeoutError',
        message: 'timed out waiting for a database connection',
      }),
      error('cart', 'upstream', burst(45, 60, 6, 1), {
        type: 'UpstreamError',
        message: 'POST http://catalog/reserve answered 503: timed out waiting for a database connection',
      }),
    ],
    edges: [{ caller: 'cart', callee: 'catalog' }],
    tickets: [
      ticket(31, 'cart count wrong', 'the basket number is wrong', ['service:cart'], {
        linkedServices: ['cart'],
        userErrors: [hurt],
      }),
      ticket(32, 'Where is my order?', 'It has been a week', [], { userErrors: [hurt] }),
    ],
  });
}

function webSymptom(): TriageErrorGroup {
  const c = cartError();
  return error(
    'web',
    'gateway',
    c.series.map((v) => (v ? v + 1 : 0)),
    { type: 'FetchError', message: 'request to http://cart/checkout failed', userSketches: users(range('u', 45)) },
  );
}

/** The inputs of triage-cluster's cases, by name; each call builds them afresh. */
export const TRIAGE_CASES: Record<string, () => TriageInput> = {
  'error-and-follower': () => {
    const c = cartError();
    const follower = pattern(
      'cart',
      'checkout',
      'ERROR',
      c.series.map((v) => v * 2 + 1),
      { firstSeen: at(0), trend: 'rising' },
    );
    return input({ errors: [c], patterns: [follower] });
  },
  'pattern-apart-and-background': () =>
    input({
      errors: [cartError()],
      patterns: [
        pattern('cart', 'inventory', 'ERROR', burst(5, 15, 4, 1)),
        pattern(
          'cart',
          'retry',
          'WARN',
          Array.from({ length: BUCKETS }, (_, i) => 3 + (i % 5)),
          { trend: 'steady', firstSeen: at(-600) },
        ),
      ],
    }),
  'other-service-pattern': () =>
    input({ errors: [cartError()], patterns: [pattern('web', 'checkout', 'ERROR', cartError().series)] }),
  'upstream-over-edge': () =>
    input({ errors: [cartError(), webSymptom()], edges: [{ caller: 'web', callee: 'cart' }] }),
  'upstream-no-edge': () => input({ errors: [cartError(), webSymptom()] }),
  'upstream-reversed-edge': () =>
    input({ errors: [cartError(), webSymptom()], edges: [{ caller: 'cart', callee: 'web' }] }),
  'shared-trace': () =>
    input({
      errors: [{ ...cartError(), traces: ['xyz', 'abc'] }],
      patterns: [
        pattern('cart', 'summary', 'ERROR', burst(5, 15, 4, 1), {
          traces: ['t-1', 'abc'],
          trend: 'steady',
          firstSeen: at(-900),
        }),
      ],
    }),
  'quoted-message': () =>
    input({
      errors: [
        cartError(),
        error('web', 'upstream', burst(2, 20, 3, 1), {
          type: 'UpstreamError',
          message: `GET http://cart/summary answered 500: ${cartError().message}`,
          trend: 'steady',
          firstSeen: at(-900),
        }),
      ],
      edges: [{ caller: 'web', callee: 'cart' }],
    }),
  'caller-began-earlier': () =>
    input({
      errors: [
        cartError(),
        error('web', 'early', burst(35, 60, 10, 2), { type: 'RangeError', message: 'bad range in pager' }),
      ],
      edges: [{ caller: 'web', callee: 'cart' }],
    }),
  'shared-onset': () =>
    input({
      errors: [
        error('cart', 'a', burst(50, 51, 3), { message: 'inventory lookup exploded badly' }),
        error('web', 'b', burst(50, 51, 3), { message: 'session cookie rejected twice' }),
      ],
      edges: [{ caller: 'web', callee: 'cart' }],
    }),
  'shared-onset-young-services': () => ({
    ...TRIAGE_CASES['shared-onset']!(),
    serviceFirstSeen: { cart: at(45), web: at(45) },
  }),
  'ticket-names-error': () =>
    input({
      errors: [
        cartError(),
        error('search', 'query', burst(0, 30, 6, 1), {
          message: 'Cannot read properties of null (reading length)',
          trend: 'steady',
        }),
      ],
      tickets: [
        ticket(
          7,
          'Checkout crashes',
          "I get TypeError: Cannot read properties of undefined (reading 'price') when I pay",
          ['error:TypeError', "error:cannot read properties of undefined (reading 'price')", 'user:u-9'],
        ),
        ticket(8, 'Something broke', 'The page says TypeError', ['error:TypeError']),
      ],
    }),
  'ticket-place-clues': upstreamTimeout,
  'duplicate-tickets': () =>
    input({
      tickets: [
        ticket(
          21,
          'Pay button on checkout does nothing',
          'When I click pay on the checkout page nothing happens at all',
          ['user:u-77'],
          { reporterHash: 'h:aa' },
        ),
        ticket(
          25,
          'Checkout pay button does nothing',
          'Clicking the pay button on checkout does nothing, again',
          ['user:u-77'],
          {
            reporterHash: 'h:aa',
            createdAt: T0 + 55 * MIN,
          },
        ),
        ticket(23, 'Please change my invoice address', 'Our company moved; the invoice address should be updated', [
          'account:acme',
        ]),
      ],
    }),
  'queue-order': () =>
    input({
      errors: [
        error('search', 'small', burst(0, 60, 50, 1), { userSketches: users(range('s', 5)), trend: 'steady' }),
        error('cart', 'big', burst(30, 60, 5, 1), { userSketches: users(range('b', 200)), trend: 'steady' }),
      ],
      patterns: [pattern('billing', 'slow', 'WARN', burst(30, 60, 5, 1), { userSketches: users(range('w', 200)) })],
    }),
};
