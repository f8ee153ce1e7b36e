// A small AnswerWorld for explain@1 and ask@1's pure tests and version snapshot: three services
// (web → orders → payments), their routes, functions and log statements, the static calls
// between them, and sampled traces made by hand (server, internal and client spans, log lines).
import {
  type AnswerWorld,
  type CallsiteFact,
  type RouteFact,
  type SymbolFact,
  type UnitFact,
  buildRuntimeGraph,
} from '../../src/analysis/index.js';
import type { TraceLog, TraceSpan } from '../../src/analysis/index.js';

const REPO = 'shop';

function sym(path: string, name: string, start: number, end: number, service: string): SymbolFact {
  return { repository: REPO, path, name, parent: null, kind: 'function', startLine: start, endLine: end, service };
}

function route(
  path: string,
  line: number,
  method: string,
  routePath: string,
  handler: string,
  service: string,
): RouteFact {
  return {
    repository: REPO,
    path,
    line,
    service,
    method,
    routePath,
    handler,
    symbol: { name: handler, parent: null, startLine: line, endLine: line + 6 },
  };
}

function unit(
  path: string,
  name: string,
  start: number,
  end: number,
  r: { method: string; path: string } | null = null,
): UnitFact {
  return { repository: REPO, path, name, startLine: start, endLine: end, route: r };
}

function span(
  traceId: string,
  spanId: string,
  parentId: string | null,
  service: string,
  name: string,
  kind: number,
  route: string | null = null,
  method: string | null = null,
): TraceSpan {
  return { traceId, spanId, parentId, service, name, kind, route, method, code: null, stacks: [] };
}

/** The traces: checkout goes web → orders (placeOrder, chargeCard) → payments; a cart read stays in web. */
export function fixtureSpans(): { spans: TraceSpan[]; logs: TraceLog[] } {
  const spans: TraceSpan[] = [];
  const logs: TraceLog[] = [];
  for (let i = 0; i < 3; i++) {
    const t = `t${i}`;
    spans.push(
      span(t, `${t}a`, null, 'web', 'POST /checkout', 2, '/checkout', 'POST'),
      span(t, `${t}b`, `${t}a`, 'web', 'POST', 3),
      span(t, `${t}c`, `${t}b`, 'orders', 'POST /orders', 2, '/orders', 'POST'),
      span(t, `${t}d`, `${t}c`, 'orders', 'placeOrder', 1),
      span(t, `${t}e`, `${t}d`, 'orders', 'POST', 3),
      span(t, `${t}f`, `${t}e`, 'payments', 'POST /charges', 2, '/charges', 'POST'),
    );
    logs.push({
      traceId: t,
      spanId: `${t}f`,
      service: 'payments',
      body: `charged card for order o-${i} (3 lines)`,
      code: null,
      stack: null,
    });
  }
  spans.push(span('t9', 't9a', null, 'web', 'GET /cart', 2, '/cart', 'GET'));
  return { spans, logs };
}

export function fixtureWorld(): AnswerWorld {
  const { spans, logs } = fixtureSpans();
  const callsites: CallsiteFact[] = [
    {
      repository: REPO,
      path: 'payments/charges.js',
      line: 12,
      service: 'payments',
      level: 'info',
      template: 'charged card for order <*> (<*> lines)',
      symbol: { name: 'charge', parent: null, startLine: 8, endLine: 20 },
    },
  ];
  const orders = unit('orders/server.js', 'POST /orders', 5, 9, { method: 'POST', path: '/orders' });
  const placeOrder = unit('orders/place.js', 'placeOrder', 3, 15);
  const validate = unit('orders/place.js', 'validate', 17, 22);
  const chargeCard = unit('orders/payments-client.js', 'chargeCard', 2, 6);
  return {
    window: { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T01:00:00.000Z' },
    minutes: 60,
    services: ['orders', 'payments', 'web'],
    symbols: [
      sym('orders/place.js', 'placeOrder', 3, 15, 'orders'),
      sym('orders/place.js', 'validate', 17, 22, 'orders'),
      sym('orders/payments-client.js', 'chargeCard', 2, 6, 'orders'),
      sym('payments/charges.js', 'charge', 8, 20, 'payments'),
      sym('web/cart.js', 'placeOrderButton', 1, 4, 'web'),
    ],
    routes: [
      route('web/server.js', 10, 'POST', '/checkout', 'checkout', 'web'),
      route('web/server.js', 20, 'GET', '/cart', 'showCart', 'web'),
      route('orders/server.js', 5, 'POST', '/orders', 'createOrder', 'orders'),
      route('orders/server.js', 12, 'DELETE', '/orders', 'dropOrders', 'orders'),
      route('payments/server.js', 4, 'POST', '/charges', 'charge', 'payments'),
    ],
    callsites,
    files: [
      { repository: REPO, path: 'web/server.js', owners: ['@shop/web'], service: 'web' },
      { repository: REPO, path: 'web/cart.js', owners: ['@shop/web'], service: 'web' },
      { repository: REPO, path: 'orders/server.js', owners: ['@shop/orders'], service: 'orders' },
      { repository: REPO, path: 'orders/place.js', owners: ['@shop/orders', 'ana@example.com'], service: 'orders' },
      { repository: REPO, path: 'orders/payments-client.js', owners: ['@shop/orders'], service: 'orders' },
      { repository: REPO, path: 'payments/server.js', owners: ['@shop/payments'], service: 'payments' },
      { repository: REPO, path: 'payments/charges.js', owners: ['@shop/payments'], service: 'payments' },
    ],
    staticCalls: [
      { from: orders, to: placeOrder },
      { from: placeOrder, to: validate },
      { from: placeOrder, to: chargeCard },
    ],
    runtime: buildRuntimeGraph(spans, logs),
    endpoints: [
      { service: 'web', endpoint: '/checkout', requests: 120, errors: 2, p95Ms: 340 },
      { service: 'orders', endpoint: '/orders', requests: 120, errors: 2, p95Ms: 290 },
      { service: 'payments', endpoint: '/charges', requests: 120, errors: 1, p95Ms: 180 },
    ],
    errorGroups: [
      {
        fingerprint: 'fp-validate',
        service: 'orders',
        type: 'TypeError',
        message: "Cannot read properties of undefined (reading 'sku')",
        events: 7,
        frames: [
          { file: '/srv/app/orders/place.js', line: 19, function: 'validate' },
          { file: '/srv/app/orders/place.js', line: 9, function: 'placeOrder' },
        ],
      },
    ],
    commits: [
      {
        repository: REPO,
        sha: 'a'.repeat(40),
        message: 'orders: validate lines before charging',
        author: 'Ana',
        at: '2026-11-30T10:00:00.000Z',
        files: ['orders/place.js'],
      },
      {
        repository: REPO,
        sha: 'b'.repeat(40),
        message: 'payments: charge per order',
        author: 'Ben',
        at: '2026-11-29T10:00:00.000Z',
        files: ['payments/charges.js'],
      },
    ],
    tickets: [
      { id: 4, title: 'Checkout fails with an empty basket', body: 'the checkout page errors', status: 'open' },
    ],
    docs: [
      {
        repository: REPO,
        path: 'orders/README.md',
        text: 'Orders validates each basket line, then charges the card through payments.',
      },
    ],
    problems: [
      {
        id: 3,
        title: 'TypeError in validate',
        status: 'open',
        kind: 'error',
        services: ['orders'],
        errorGroups: ['fp-validate'],
      },
    ],
    gaps: [],
  };
}
