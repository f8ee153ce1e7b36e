// sim-failure@1 on hand-built request trees: a callee that is down fails its callers' entries and
// leaves the others alone; a timeout below slow's delay turns slowness into errors (and retries
// change how often); a fallback measured in the window keeps an endpoint unaffected; calls not
// waited for, and calls made in parallel, count as they should; bad input is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SimulationInputError,
  failureOutcome,
  failureSimulationMarkdown,
  simulateFailure,
} from '../src/analysis/simulate/index.js';
import type { FailureEndpointPrediction, FailureSimulationResult } from '../src/model/index.js';
import { type EntrySpec, failureWorld } from './helpers/failure-world.js';

const catalog = { callee: 'catalog', route: '/products', ms: 20 };
const SHOP: EntrySpec[] = [
  { route: '/a', rate: 4, ms: 10, calls: [{ callee: 'cart', route: '/cart', ms: 10, calls: [catalog] }] },
  { route: '/b', rate: 4, ms: 10 },
  {
    route: '/c',
    rate: 5,
    ms: 10,
    calls: [{ callee: 'payments', route: '/charge', ms: 30, failShare: 0.05, propagates: false }],
  },
  { route: '/e', rate: 2, ms: 10, calls: [{ callee: 'audit', route: '/log', ms: 500, detached: true }] },
  {
    route: '/f',
    rate: 2,
    ms: 10,
    calls: [
      { callee: 'search', route: '/q', ms: 20, parallel: true },
      { callee: 'search', route: '/q', ms: 20 },
    ],
  },
];

const opts = { replicates: 8, draws: 400, replicateDraws: 150 };
const at = (r: FailureSimulationResult, route: string) =>
  r.endpoints.find((e) => e.endpoint === route) as FailureEndpointPrediction;

describe('simulate failure (sim-failure@1)', () => {
  const cal = failureWorld(SHOP);

  it('a callee that is down fails the entries whose requests reach it, and only those', () => {
    const r = simulateFailure(cal, { service: 'catalog', mode: 'down' }, opts);
    assert.equal(r.algorithm, 'sim-failure@1');
    assert.equal(at(r, '/a').outcome, 'failed');
    assert.ok(at(r, '/a').errorRate.value! > 0.95, JSON.stringify(at(r, '/a').errorRate));
    assert.deepEqual(at(r, '/a').paths, ['web → cart → catalog']);
    assert.equal(at(r, '/a').reach, 1);
    for (const route of ['/b', '/c', '/e', '/f']) {
      assert.equal(at(r, route).outcome, 'unaffected', route);
      assert.equal(at(r, route).errorRate.value, 0, route);
      assert.match(at(r, route).why, /none of its \d+ sampled requests calls catalog/);
    }
    // Never seen failing: the propagation is an assumption, stated, and the interval spans it.
    const input = r.inputs.find((i) => i.name === 'cart → catalog failed call reaching the request');
    assert.equal(input?.validity, 'assumed');
    assert.ok(at(r, '/a').errorRate.p10! < at(r, '/a').errorRate.value!, 'the interval draws the assumed share');
    assert.deepEqual(r.summary, { failed: 1, degraded: 0, unaffected: 4 });
    assert.equal(r.endpoints[0]?.endpoint, '/a', 'failed endpoints first');
  });

  it('the failed service serving the entry itself: down fails all, errors fail their share, slow adds the delay', () => {
    const down = simulateFailure(cal, { service: 'web', mode: 'down' }, opts);
    for (const e of down.endpoints) assert.equal(e.errorRate.value, 1, e.endpoint);
    const errors = simulateFailure(cal, { service: 'web', mode: 'errors=30%' }, opts);
    const b = at(errors, '/b');
    assert.ok(Math.abs(b.errorRate.value! - 0.3) < 0.06, String(b.errorRate.value));
    assert.equal(b.outcome, 'degraded');
    const slow = simulateFailure(cal, { service: 'web', mode: 'slow=1s' }, opts);
    assert.ok(Math.abs(at(slow, '/b').p50.value! - (at(slow, '/b').baseline.p50! + 1000)) < 20);
  });

  it('slow: no timeout on the way only delays; a timeout below the delay turns it into errors', () => {
    const slow = simulateFailure(cal, { service: 'catalog', mode: 'slow=2s' }, opts);
    const a = at(slow, '/a');
    assert.equal(a.outcome, 'degraded');
    assert.ok(a.p95.value! > a.baseline.p95! + 1900, String(a.p95.value));
    assert.ok(a.errorRate.value! < 0.02);

    const timed = failureWorld(SHOP, { cart: { CATALOG_TIMEOUT_MS: '500' } });
    const t = simulateFailure(timed, { service: 'catalog', mode: 'slow=2s' }, opts);
    const ta = at(t, '/a');
    assert.equal(ta.outcome, 'failed');
    assert.ok(ta.errorRate.value! > 0.95);
    assert.ok(ta.p95.value! < 1000, `fails at the timeout, not after the delay: ${ta.p95.value}`);
    assert.match(ta.why, /cart → catalog gives up after its 500 ms timeout in 100% of requests/);
    const input = t.inputs.find((i) => i.name === 'cart → catalog attempt timeouts');
    assert.deepEqual([input?.value, input?.validity], ['500 ms', 'measured']);
    // A delay the timeout holds: only slower.
    const short = simulateFailure(timed, { service: 'catalog', mode: 'slow=300ms' }, opts);
    assert.equal(at(short, '/a').errorRate.value, 0);
    assert.equal(at(short, '/a').outcome, 'degraded');
  });

  it('a timeout above the failed service makes its caller time out too (the delay passes up)', () => {
    const timed = failureWorld(SHOP, { web: { CART_TIMEOUT_MS: '1000' } });
    const r = simulateFailure(timed, { service: 'catalog', mode: 'slow=2s' }, opts);
    assert.equal(at(r, '/a').outcome, 'failed');
    assert.match(at(r, '/a').why, /web → cart gives up/);
  });

  it('retries: each attempt fails alone, so three attempts fail a call far less often than one', () => {
    const once = simulateFailure(cal, { service: 'catalog', mode: 'errors=50%' }, opts);
    assert.ok(Math.abs(at(once, '/a').errorRate.value! - 0.5) < 0.06, String(at(once, '/a').errorRate.value));
    assert.equal(at(once, '/a').outcome, 'failed');
    const retried = failureWorld(SHOP, { cart: { CATALOG_TIMEOUT_MS: '500', CATALOG_RETRIES: '2' } });
    const r = simulateFailure(retried, { service: 'catalog', mode: 'errors=50%' }, opts);
    assert.ok(Math.abs(at(r, '/a').errorRate.value! - 0.125) < 0.05, String(at(r, '/a').errorRate.value));
    assert.equal(at(r, '/a').outcome, 'degraded');
    // Slow past every attempt's timeout: the call fails after all three.
    const slow = simulateFailure(retried, { service: 'catalog', mode: 'slow=2s' }, opts);
    assert.equal(at(slow, '/a').outcome, 'failed');
    assert.ok(at(slow, '/a').p50.value! >= 1500, `three 500 ms attempts: ${at(slow, '/a').p50.value}`);
  });

  it('retries seen only after timeouts: a failed answer is not retried, a slow one gets its next attempt', () => {
    const entries: EntrySpec[] = [
      {
        route: '/a',
        rate: 4,
        ms: 10,
        calls: [
          {
            callee: 'cart',
            route: '/cart',
            ms: 10,
            calls: [{ ...catalog, timedOutRetry: { share: 0.05, afterMs: 300 } }],
          },
        ],
      },
    ];
    const cal = failureWorld(entries);
    const edge = cal.edges.find((e) => e.caller === 'cart' && e.callee === 'catalog')!;
    assert.deepEqual([edge.attemptTimeoutsMs.value.length, edge.retries.afterFailure], [2, 0]);
    const errors = simulateFailure(cal, { service: 'catalog', mode: 'errors=50%' }, opts);
    assert.ok(Math.abs(at(errors, '/a').errorRate.value! - 0.5) < 0.06, String(at(errors, '/a').errorRate.value));
    const input = errors.inputs.find((i) => i.name === 'cart → catalog retries a failed answer');
    assert.deepEqual([input?.value, input?.validity], ['no', 'measured']);
    const slow = simulateFailure(cal, { service: 'catalog', mode: 'slow=2s' }, opts);
    assert.equal(at(slow, '/a').errorRate.value! < 0.06, true);
    assert.ok(
      at(slow, '/a').p50.value! > 2250,
      `a 300 ms attempt, then the answer 2 s later: ${at(slow, '/a').p50.value}`,
    );
  });

  it('a fallback measured in the window (failed calls that never failed the request) keeps the endpoint unaffected', () => {
    const r = simulateFailure(cal, { service: 'payments', mode: 'down' }, opts);
    const c = at(r, '/c');
    assert.equal(c.outcome, 'unaffected');
    assert.equal(c.errorRate.value, 0);
    const input = r.inputs.find((i) => i.name === 'web → payments failed call reaching the request');
    assert.deepEqual([input?.value, input?.validity], ['0%', 'measured']);
  });

  it('calls the caller does not wait for neither fail nor slow the request', () => {
    const r = simulateFailure(cal, { service: 'audit', mode: 'down' }, opts);
    assert.equal(at(r, '/e').outcome, 'unaffected');
    assert.ok(r.inputs.some((i) => i.name === 'web → audit not waited for' && i.validity === 'measured'));
    const slow = simulateFailure(cal, { service: 'audit', mode: 'slow=2s' }, opts);
    assert.equal(at(slow, '/e').outcome, 'unaffected');
  });

  it('calls made in parallel add their delay once', () => {
    const r = simulateFailure(cal, { service: 'search', mode: 'slow=1s' }, opts);
    const f = at(r, '/f');
    assert.ok(f.p50.value! > f.baseline.p50! + 900 && f.p50.value! < f.baseline.p50! + 1300, String(f.p50.value));
  });

  it('outcomes follow the stated definitions', () => {
    const base = { errorRate: 0.01, p95: 100 };
    assert.equal(failureOutcome(base, { errorRate: 0.5, p95: 10 }), 'failed');
    assert.equal(failureOutcome(base, { errorRate: 0.07, p95: 100 }), 'degraded');
    assert.equal(failureOutcome(base, { errorRate: 0.05, p95: 100 }), 'unaffected');
    assert.equal(failureOutcome(base, { errorRate: 0.01, p95: 350 }), 'degraded');
    assert.equal(failureOutcome(base, { errorRate: 0.01, p95: 340 }), 'unaffected');
    assert.equal(failureOutcome({ errorRate: 0, p95: 1000 }, { errorRate: 0, p95: 1900 }), 'unaffected');
  });

  it('refuses a service the window did not see and a mode it cannot read; the same request gives the same answer', () => {
    assert.throws(
      () => simulateFailure(cal, { service: 'nope', mode: 'down' }, opts),
      (e: unknown) => e instanceof SimulationInputError && /no service "nope".*services: audit, cart/.test(e.message),
    );
    for (const mode of ['up', 'slow=', 'slow=2 weeks', 'errors=150%', 'errors=0%', 'slow=0s'])
      assert.throws(() => simulateFailure(cal, { service: 'cart', mode }, opts), SimulationInputError, mode);
    const a = simulateFailure(cal, { service: 'catalog', mode: 'errors=30%' }, opts);
    const b = simulateFailure(cal, { service: 'catalog', mode: 'errors=30%' }, opts);
    assert.deepEqual(a, b);
  });

  it('renders Markdown with the verdict, intervals, definitions and validity', () => {
    const r = simulateFailure(cal, { service: 'catalog', mode: 'down' }, opts);
    const md = failureSimulationMarkdown(r, { id: 3 });
    assert.match(md, /^# Failure simulation: catalog down \(simulation 3\)/);
    assert.match(md, /- 1 entry endpoints fail, 0 degrade, 4 are unaffected\./);
    assert.match(md, /\| web \/a \| failed \| 0% → 100% \(\d+%–100%\)/);
    assert.match(md, /## Outcomes\n\n- failed: the error rate is 50% or more/);
    assert.match(md, /## Validity: \d+ inputs measured, \d+ assumed/);
  });
});
