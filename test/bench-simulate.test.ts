// The simulation bench's judgements and its prediction client: the measured knee and first
// bottleneck, the ladder's scores against issue 19's targets, an endpoint's outcome under a
// fault, F1 and per-function recall/precision, the mutants it makes of real source, and the
// API client answering "not available" (404) or reading a prediction (a real HTTP server).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { EndpointStats } from '../src/demo/index.js';
import { exportedFunctions, mutate } from '../bench/lib/sim-mutants.js';
import { entryEndpointOf, predictChange, predictFailure, predictLoad } from '../bench/lib/sim-predict.js';
import {
  type LoadPrediction,
  type MeasuredStep,
  binaryScore,
  classify,
  measuredKnee,
  saturatedResources,
  scoreLadder,
  setScore,
} from '../bench/lib/sim-score.js';

function ep(endpoint: string, p95Ms: number, errorRate = 0, requests = 100, wrongAnswers = 0): EndpointStats {
  return {
    endpoint: endpoint as EndpointStats['endpoint'],
    requests,
    rps: requests / 40,
    errors: Math.round(errorRate * requests),
    clientErrors: 0,
    errorRate,
    p50Ms: p95Ms / 3,
    p95Ms,
    p99Ms: p95Ms * 1.2,
    wrongAnswers,
  };
}

const LIST = 'GET /api/products';
const BADGE = 'GET /api/cart/badge';
const base = [ep(LIST, 300), ep(BADGE, 40)];
const step = (factor: number, list: number, badge: number, err = 0, valid = true): MeasuredStep => ({
  factor,
  valid,
  endpoints: [ep(LIST, list, err), ep(BADGE, badge)],
  saturated: [],
});

describe('the measured side', () => {
  it('finds the knee where an endpoint doubles its p95 (and +200 ms) or gains 5 points of errors', () => {
    assert.equal(measuredKnee(base, [step(2, 450, 45), step(3, 700, 50), step(4, 2000, 60)]), 3);
    assert.equal(measuredKnee(base, [step(2, 350, 45), step(3, 400, 50, 0.08)]), 3, 'errors count too');
    assert.equal(measuredKnee(base, [step(2, 350, 90), step(3, 400, 95)]), null, 'badge ×2 but only +55 ms');
  });

  it('calls a resource saturated at 85% of its CPU limit, throttled in a quarter of its periods, or when its pool made requests give up', () => {
    const use = { replicas: 1, cpuM: 0, cpuLimitM: 300, throttledShare: 0, poolTimeouts: 0 };
    assert.deepEqual(
      saturatedResources([
        { ...use, service: 'cart', cpuOfLimit: 0.9 },
        { ...use, service: 'web', cpuOfLimit: 0.5 },
        { ...use, service: 'payments', cpuOfLimit: 0.6, throttledShare: 0.4 },
        { ...use, service: 'catalog', cpuOfLimit: 0.1, poolTimeouts: 3 },
      ]),
      [
        { service: 'cart', resource: 'cpu' },
        { service: 'payments', resource: 'cpu' },
        { service: 'catalog', resource: 'pool' },
      ],
    );
  });

  it('classifies an endpoint under a fault against the same traffic without it', () => {
    assert.equal(classify(ep(LIST, 300), ep(LIST, 300, 0.6)), 'failed');
    assert.equal(classify(ep(LIST, 300), ep(LIST, 300, 0.1)), 'degraded');
    assert.equal(classify(ep(LIST, 300), ep(LIST, 2400)), 'degraded');
    assert.equal(classify(ep(BADGE, 40), ep(BADGE, 40, 0, 100, 30)), 'degraded', 'wrong badges');
    assert.equal(classify(ep(LIST, 300), ep(LIST, 380, 0.01)), 'unaffected');
    assert.equal(classify(ep(LIST, 300, 0, 10), ep(LIST, 300, 0.1, 10)), 'unaffected', 'one extra error is noise');
    assert.equal(classify(ep(LIST, 300), ep(LIST, 300, 0, 0)), null, 'no requests, no verdict');
  });
});

describe('the scores', () => {
  const prediction = (factor: number, list: number, err: number): LoadPrediction => ({
    factor,
    endpoints: [
      {
        endpoint: LIST,
        p50Ms: null,
        p95Ms: list,
        errorRate: err,
        p95Interval: [list * 0.8, list * 1.2],
        errorRateInterval: null,
      },
      { endpoint: BADGE, p50Ms: null, p95Ms: 40, errorRate: 0, p95Interval: null, errorRateInterval: null },
    ],
    bottleneck: { service: 'catalog', resource: 'pool' },
    kneeFactor: 3,
  });

  it('scores p95 within 25% under the timeout, errors within 5 points, the knee within one step and the bottleneck', () => {
    const steps = [
      { ...step(1, 300, 40), saturated: [] },
      step(2, 500, 45),
      { ...step(3, 1400, 50, 0.02), saturated: [{ service: 'catalog', resource: 'pool' as const }] },
      step(4, 12_000, 60, 0.3),
    ];
    const preds = new Map([
      [2, prediction(2, 450, 0)],
      [3, prediction(3, 1000, 0.1)],
      [4, prediction(4, 5000, 0.28)],
    ]);
    const s = scoreLadder(base, steps, preds, { timeoutMs: 10_000, factors: [1, 2, 3, 4] });
    // p95: list hits at 2× (450 vs 500), misses at 3× (1000 vs 1400), is over the timeout at 4×;
    // badge (40 predicted) hits at 2× (45) and 3× (50), misses at 4× (60).
    assert.deepEqual(s.p95, { hits: 3, scored: 5 });
    // errors: all within 5 points but 3× list (0.1 vs 0.02: 8 points).
    assert.deepEqual(s.errorRate, { hits: 5, scored: 6 });
    assert.deepEqual(s.coverage, { hits: 1, scored: 2 }, '500 in [360, 540]; 1400 not in [800, 1200]');
    assert.deepEqual(s.knee, { predicted: 3, measured: 3, right: true });
    assert.equal(s.bottleneck.right, true);
  });

  it('leaves invalid steps out, and does not score a knee or bottleneck past an invalid step', () => {
    const steps = [step(2, 500, 45, 0, false), step(3, 1400, 50)];
    const s = scoreLadder(base, steps, new Map([[2, prediction(2, 450, 0)]]), {
      timeoutMs: 10_000,
      factors: [1, 2, 3],
    });
    assert.deepEqual(s.p95, { hits: 0, scored: 0 });
    assert.deepEqual(s.invalidSteps, [2]);
    assert.equal(s.knee.right, null);
  });

  it('counts a knee beyond the ladder as the next step', () => {
    const steps = [step(2, 320, 41), step(3, 330, 42), step(4, 340, 42)];
    const p = (f: number) => ({ ...prediction(f, 320, 0), kneeFactor: 6 });
    const s = scoreLadder(base, steps, new Map([[2, p(2)]]), { timeoutMs: 10_000, factors: [1, 2, 3, 4] });
    assert.deepEqual(s.knee, { predicted: 6, measured: null, right: true });
    assert.equal(s.bottleneck.right, null, 'nothing saturated: not scored');
  });

  it('F1 over affected endpoints, and recall/precision of one function', () => {
    const f = binaryScore([
      { predicted: true, measured: true },
      { predicted: true, measured: false },
      { predicted: false, measured: true },
      { predicted: false, measured: false },
    ]);
    assert.deepEqual([f.tp, f.fp, f.fn, f.precision, f.recall, f.f1], [1, 1, 1, 0.5, 0.5, 0.5]);
    assert.equal(binaryScore([]).f1, null);
    assert.equal(binaryScore([{ predicted: false, measured: false }]).f1, 1);
    assert.deepEqual(setScore(new Set(['a', 'b']), new Set(['b', 'c', 'd'])), { recall: 1 / 3, precision: 1 / 2 });
    assert.deepEqual(setScore(new Set(), new Set()), { recall: null, precision: null });
  });
});

describe('the mutants', () => {
  const src = `// a module
export async function reserveStock(productId, quantity, { timeoutMs }) {
  return 1;
}

export class CartStore {
  constructor(dataDir) {
    this.dir = dataDir;
  }

  async get(userId) {
    if (userId) return 2;
  }
}

function helper() {}
`;

  it("finds exported functions and exported classes' methods, not the rest", () => {
    const ms = exportedFunctions('cart', 'services/cart/src/a.js', src);
    assert.deepEqual(
      ms.map((m) => m.id),
      ['cart:a.js#reserveStock', 'cart:a.js#CartStore.constructor', 'cart:a.js#CartStore.get'],
    );
  });

  it('makes the function throw on entry, after one marker line, and still parse', async () => {
    const [m] = exportedFunctions('cart', 'services/cart/src/a.js', src);
    const out = mutate(src, m!);
    assert.match(out, /reserveStock\(productId, quantity, \{ timeoutMs \}\) \{ if \(!globalThis\.__mutantReached\)/);
    const mod = await import(`data:text/javascript,${encodeURIComponent(out)}`);
    await assert.rejects(mod.reserveStock('p', 1, {}), /mutant: reserveStock throws/);
  });
});

describe('the prediction client', () => {
  async function serve(status: number, body: unknown): Promise<{ url: string; close: () => void; got: unknown[] }> {
    const got: unknown[] = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        got.push({ path: req.url, body: JSON.parse(text) });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close(), got };
  }
  const window = { from: Date.parse('2026-12-07T10:00:00Z'), to: Date.parse('2026-12-07T10:02:00Z') };
  const figure = (value: number | null, p10: number | null = null, p90: number | null = null) => ({ value, p10, p90 });

  it("names the model's endpoints (service and http.route) as the shoppers' entry endpoints", () => {
    assert.equal(entryEndpointOf('web', '/api/cart'), 'GET /api/cart');
    assert.equal(entryEndpointOf('web', '/api/cart/items', ['POST']), 'POST /api/cart/items');
    assert.equal(entryEndpointOf('web', '/api/cart/items', ['GET']), null);
    assert.equal(entryEndpointOf('cart', '/carts/:user'), null, 'not an entry of the storefront');
    assert.equal(entryEndpointOf('web', 'GET /api/products/:id'), 'GET /api/products/:id');
  });

  it('says the simulation is not available when the route is missing', async () => {
    const s = await serve(404, {
      message: 'Route POST:/api/simulations not found',
      error: 'Not Found',
      statusCode: 404,
    });
    try {
      const p = await predictLoad(s.url, { factor: 3, set: ['catalog.replicas=3'], window });
      assert.equal(p.prediction, null);
      assert.equal(p.note, 'simulate load not available');
      assert.deepEqual(s.got[0], {
        path: '/api/simulations',
        body: {
          kind: 'load',
          factor: 3,
          set: ['catalog.replicas=3'],
          window: 120_000,
          until: '2026-12-07T10:02:00.000Z',
        },
      });
    } finally {
      s.close();
    }
  });

  it("reads a load simulation: the storefront's endpoints with their intervals, the bottleneck and the knee", async () => {
    const endpoint = (service: string, route: string, p95: number) => ({
      service,
      endpoint: route,
      predicted: { p50: figure(p95 / 3), p95: figure(p95, p95 * 0.8, p95 * 1.3), errorRate: figure(0.02, 0, 0.05) },
    });
    const s = await serve(201, {
      simulation: {
        id: 7,
        kind: 'load',
        result: {
          kind: 'load',
          factor: 3,
          endpoints: [
            endpoint('web', '/api/products', 900),
            endpoint('catalog', '/products', 700),
            endpoint('web', '/api/cart/badge', 40),
          ],
          bottleneck: { service: 'catalog', resource: 'pool', saturatesAt: figure(2.4), utilization: figure(1.2) },
          knee: figure(2.5, 2, 3),
        },
      },
    });
    try {
      const p = await predictLoad(s.url, { factor: 3, set: [], window });
      assert.equal(p.note, null);
      assert.deepEqual(
        p.prediction?.endpoints.map((e) => e.endpoint),
        ['GET /api/products', 'GET /api/cart/badge'],
      );
      assert.deepEqual(p.prediction?.endpoints[0]?.p95Interval, [720, 1170]);
      assert.deepEqual(p.prediction?.endpoints[0]?.errorRateInterval, [0, 0.05]);
      assert.deepEqual(p.prediction?.bottleneck, { service: 'catalog', resource: 'pool' });
      assert.equal(p.prediction?.kneeFactor, 2.5);
    } finally {
      s.close();
    }
  });

  it("reads a failure simulation: the storefront's endpoints with their outcome, error rate and p95", async () => {
    const ep = (service: string, route: string, outcome: string, errorRate: number, p95: number) => ({
      service,
      endpoint: route,
      outcome,
      errorRate: figure(errorRate, 0, 1),
      p95: figure(p95),
    });
    const s = await serve(201, {
      simulation: {
        id: 8,
        kind: 'failure',
        algorithm: 'sim-failure@1',
        result: {
          kind: 'failure',
          endpoints: [
            ep('web', '/api/checkout', 'failed', 1, 12),
            ep('payments', '/payments/charge', 'failed', 1, 3),
            ep('web', '/api/products', 'unaffected', 0, 90),
          ],
        },
      },
    });
    try {
      const p = await predictFailure(s.url, { service: 'payments', mode: 'down', window });
      assert.equal(p.note, null);
      assert.deepEqual(p.prediction?.endpoints, [
        { endpoint: 'POST /api/checkout', outcome: 'failed', errorRate: 1, p95Ms: 12 },
        { endpoint: 'GET /api/products', outcome: 'unaffected', errorRate: 0, p95Ms: 90 },
      ]);
      assert.deepEqual((s.got[0] as { body: unknown }).body, {
        kind: 'failure',
        service: 'payments',
        mode: 'down',
        window: window.to - window.from,
        until: new Date(window.to).toISOString(),
      });
    } finally {
      s.close();
    }
  });

  it('says a kind the server does not support yet is not available, with what it said', async () => {
    const s = await serve(400, {
      statusCode: 400,
      error: 'Bad Request',
      message: 'simulate failure is not yet supported by this server; kind "load" is',
    });
    try {
      const p = await predictFailure(s.url, { service: 'cart', mode: 'down', window });
      assert.equal(p.prediction, null);
      assert.match(
        p.note ?? '',
        /^simulate failure not available \(the server says: simulate failure is not yet supported/,
      );
    } finally {
      s.close();
    }
  });

  it('reads a blast radius as the entry endpoints it exposes, at /api/simulations/change', async () => {
    const ep = (service: string, endpoint: string, methods: string[], entry: boolean) => ({
      service,
      endpoint,
      methods,
      entry,
    });
    const s = await serve(200, {
      simulation: {
        kind: 'change',
        result: {
          endpoints: [
            ep('cart', '/carts/:user', ['GET'], false),
            ep('web', '/api/cart', ['GET'], true),
            ep('web', '/api/cart/badge', ['GET'], true),
            ep('web', '/api/checkout', ['POST'], true),
          ],
        },
      },
    });
    try {
      const p = await predictChange(s.url, { repo: 'shop', base: 'abc', head: 'def' });
      assert.deepEqual(p.prediction?.endpoints, ['GET /api/cart', 'GET /api/cart/badge', 'POST /api/checkout']);
      assert.deepEqual(s.got[0], { path: '/api/simulations/change', body: { range: 'abc..def', repository: 'shop' } });
    } finally {
      s.close();
    }
  });
});
