// The simulation's calibration: entry endpoints and their rates, visits per request, self time
// and leaf calls, on a simulated queueing system; retries told from fan-out and sequential calls on
// hand-built traces, with the attempts' timeouts; settings read from manifests' env by name; the
// latency at which calls fail; how far a failure reaches; replicas from an autoscaler and the
// instances seen; the CPU share from a gauge; and each input's validity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Calibration,
  type SimSpan,
  applySettings,
  calibrate,
  durationMs,
  envRole,
  readEnv,
} from '../src/analysis/simulate/index.js';
import { BASE_WORLD, deployment, runWorld, worldInfra } from './helpers/sim-world.js';

const T0 = Date.UTC(2026, 11, 7, 10, 0);
const window = { startMs: T0, endMs: T0 + 10 * 60_000 };
const close = (a: number, b: number, rel: number, what = '') =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b} (±${rel * 100}%)`);

let n = 0;
function span(
  service: string,
  startMs: number,
  endMs: number,
  o: { parent?: SimSpan; trace?: string; kind?: number; name?: string; route?: string; error?: boolean } = {},
): SimSpan {
  return {
    traceId: o.trace ?? o.parent?.traceId ?? 't',
    spanId: `s${++n}`,
    parentId: o.parent?.spanId ?? null,
    service,
    name: o.name ?? 'op',
    kind: o.kind ?? 0,
    startMs: T0 + startMs,
    endMs: T0 + endMs,
    route: o.route ?? null,
    error: o.error ?? false,
  };
}

/** cart's POST /cart/items reserving stock at catalog, `attempts` calls `gap` ms apart, each running `run` ms. */
function reserveTrace(trace: string, at: number, gaps: number[], run: number): SimSpan[] {
  const root = span('web', at, at + 400, { trace, kind: 2, route: '/cart', name: 'POST /cart' });
  const call = span('web', at + 1, at + 399, { parent: root, kind: 3, name: 'POST' });
  const cart = span('cart', at + 2, at + 398, {
    parent: call,
    kind: 2,
    route: '/cart/items',
    name: 'POST /cart/items',
  });
  const out = [root, call, cart];
  let start = at + 3;
  for (const g of [0, ...gaps]) {
    start += g;
    const c = span('cart', start, start + run, { parent: cart, kind: 3, name: 'POST' });
    out.push(
      c,
      span('catalog', start + 1, start + run - 1, {
        parent: c,
        kind: 2,
        route: '/inventory/reserve',
        name: 'POST /inventory/reserve',
      }),
    );
  }
  return out;
}

const noGauges = { gauges: [], instances: new Map<string, number>() };

describe('calibration from traces', () => {
  const world = runWorld(BASE_WORLD);
  const cal = calibrate({ spans: world.spans, window, sampled: 1, infra: worldInfra(BASE_WORLD), ...noGauges });
  const svc = (c: Calibration, name: string) => c.services.find((s) => s.service === name)!;

  it('finds the entry endpoints with their arrival rates and measured latency', () => {
    assert.deepEqual(
      cal.entries.map((e) => `${e.service} ${e.endpoint}`),
      ['web /checkout', 'web /home'],
    );
    const [checkout, home] = cal.entries;
    close(checkout!.ratePerSec, BASE_WORLD.checkoutRate, 0.06, 'checkout rate');
    close(home!.ratePerSec, BASE_WORLD.homeRate, 0.08, 'home rate');
    const d = world.measured.get('/checkout')!.durations;
    close(checkout!.latency.mean, d.reduce((a, b) => a + b, 0) / d.length, 1e-9, 'checkout mean latency');
    assert.equal(
      checkout!.blockRequests.reduce((a, b) => a + b, 0),
      checkout!.requests,
    );
  });

  it('counts visits, leaf calls and edge calls per request from the trace trees', () => {
    const [checkout, home] = cal.entries;
    const names = (xs: Array<{ service: number; perRequest: number }>) =>
      Object.fromEntries(xs.map((x) => [cal.services[x.service]!.service, x.perRequest]));
    assert.deepEqual(names(checkout!.visits), { web: 1, api: 1 });
    assert.deepEqual(names(checkout!.leafCalls), { api: 1 });
    assert.deepEqual(names(home!.visits), { web: 1 });
    assert.equal(checkout!.edgeCalls.length, 1);
    assert.equal(cal.edges[checkout!.edgeCalls[0]!.edge]?.callee, 'api');
    assert.equal(checkout!.edgeCalls[0]!.perRequest, 1);
    // Samples keep each request's shape: its duration and what it touched.
    const s = checkout!.samples[0]!;
    assert.deepEqual(s.services.map((t) => [cal.services[t.service]!.service, t.visits, t.leafCalls]).sort(), [
      ['api', 1, 1],
      ['web', 1, 0],
    ]);
  });

  it("takes a service's self time per visit from span-times, and its uninstrumented calls apart", () => {
    const api = svc(cal, 'api');
    // api's self time is its CPU stage, waits included: the world's service time and more.
    assert.ok(
      api.selfTime.mean > BASE_WORLD.apiMs && api.selfTime.mean < 3 * BASE_WORLD.apiMs,
      String(api.selfTime.mean),
    );
    assert.ok(api.leaf, 'the database calls are leaf calls');
    assert.ok(api.leaf!.duration.mean > BASE_WORLD.dbMs, String(api.leaf!.duration.mean));
    assert.equal(svc(cal, 'web').leaf, null);
    close(api.visits, cal.entries[0]!.requests, 1e-9, 'a visit per checkout');
  });

  it('reads capacity from the manifests and states what it assumed', () => {
    const api = svc(cal, 'api').capacity;
    assert.equal(api.replicas.value, 1);
    assert.equal(api.replicas.validity, 'measured');
    assert.equal(api.pool?.size.value, 2);
    assert.equal(api.pool?.size.validity, 'measured');
    assert.match(api.pool!.size.source, /env DB_POOL_SIZE/);
    assert.equal(api.pool?.queueTimeoutMs.value, null);
    assert.equal(api.pool?.queueTimeoutMs.validity, 'assumed');
    assert.equal(api.workers.validity, 'assumed');
    const cpu = svc(cal, 'api').cpu;
    assert.equal(cpu.from, 'self-time');
    assert.ok(cpu.from === 'self-time');
    assert.deepEqual([cpu.share.value, cpu.share.validity, cpu.share.range], [0.875, 'assumed', [0.5, 1]]);
  });

  it('ignores traces that began before the window', () => {
    const early = reserveTrace('early', -5_000, [], 30);
    const inside = reserveTrace('inside', 5_000, [], 30);
    const c = calibrate({ spans: [...early, ...inside], window, sampled: 1, infra: [], ...noGauges });
    assert.equal(c.traces, 1);
    assert.equal(c.entries[0]?.requests, 1);
    assert.equal(c.edges.find((e) => e.caller === 'cart')?.calls, 1);
  });

  it("measures rates from Orrery's first telemetry when the window began before it", () => {
    const early = { startMs: T0 - 20 * 60_000, endMs: window.endMs };
    const first = world.spans.reduce((m, x) => Math.min(m, x.startMs), Number.POSITIVE_INFINITY);
    const from = calibrate({
      spans: world.spans,
      window: early,
      sampled: 1,
      infra: [],
      ...noGauges,
      firstTelemetryMs: first,
    });
    assert.deepEqual(from.window, window);
    close(from.entries[0]!.ratePerSec, cal.entries[0]!.ratePerSec, 1e-9, 'rate from the first telemetry');
    close(svc(from, 'api').visits, svc(cal, 'api').visits, 1e-9, 'visits');
    assert.ok(
      from.warnings.some((w) => w.includes("before Orrery's first telemetry")),
      from.warnings.join('; '),
    );
    // Without knowing when telemetry began, the 20 empty minutes dilute the rate threefold.
    const diluted = calibrate({ spans: world.spans, window: early, sampled: 1, infra: [], ...noGauges });
    close(diluted.entries[0]!.ratePerSec, cal.entries[0]!.ratePerSec / 3, 1e-9, 'diluted rate');
  });

  it('divides counts by the share of traces read', () => {
    const c = calibrate({ spans: world.spans, window, sampled: 0.5, infra: [], ...noGauges });
    close(c.entries[0]!.ratePerSec, 2 * cal.entries[0]!.ratePerSec, 1e-9);
  });
});

describe('retries and timeouts', () => {
  it('tells retries after a timeout from fan-out and from sequential calls, and keeps their spacing', () => {
    const spans = [
      // Timed-out attempts: the next starts 20 ms, then 80 ms, after the one before, while it still runs.
      ...reserveTrace('r1', 1_000, [20, 80], 150),
      ...reserveTrace('r2', 2_000, [20, 80], 150),
      ...reserveTrace('r3', 3_000, [20], 150),
      // Fan-out: three calls at once.
      ...reserveTrace('f1', 4_000, [0.2, 0.2], 100),
      // Sequential successful calls (an N+1 loop).
      ...reserveTrace('q1', 5_000, [40, 40], 30),
    ];
    const c = calibrate({ spans, window, sampled: 1, infra: [], ...noGauges });
    const e = c.edges.find((x) => x.caller === 'cart' && x.callee === 'catalog')!;
    assert.equal(e.retries.seen, 5);
    assert.equal(e.retries.maxAttempts, 3);
    assert.deepEqual(e.retries.spacingMs.map(Math.round), [20, 80]);
    assert.deepEqual(
      e.attemptTimeoutsMs.value.map((x) => (x === null ? null : Math.round(x))),
      [20, 80, null],
    );
    assert.equal(e.attemptTimeoutsMs.validity, 'measured');
    assert.match(e.attemptTimeoutsMs.source, /retries seen/);
  });

  it("matches a timeout in the caller's env to the call it names, and a pool's queue timeout to the pool", () => {
    const spans = [...reserveTrace('a', 1_000, [], 30), ...reserveTrace('b', 2_000, [], 30)];
    const infra = [
      ...deployment('cart', { env: { INVENTORY_RESERVE_TIMEOUT_MS: '800', LOG_LEVEL: 'info' }, id: 1 }),
      ...deployment('web', { env: { HTTP_TIMEOUT_MS: '5s' }, id: 2 }),
    ];
    const c = calibrate({ spans, window, sampled: 1, infra, ...noGauges });
    const reserve = c.edges.find((x) => x.caller === 'cart')!;
    assert.deepEqual(reserve.attemptTimeoutsMs.value, [800]);
    assert.equal(reserve.attemptTimeoutsMs.validity, 'measured');
    assert.match(reserve.attemptTimeoutsMs.source, /INVENTORY_RESERVE_TIMEOUT_MS.*inventory.*reserve/);
    // A generic name applies to every call the service makes, in its unit.
    assert.deepEqual(c.edges.find((x) => x.caller === 'web')!.attemptTimeoutsMs.value, [5000]);

    const env = readEnv(
      { DB_POOL_SIZE: '4', DB_QUEUE_TIMEOUT_MS: '2000', PAYMENTS_TIMEOUT: '1.5s', WEB_CONCURRENCY: '3' },
      [
        { edge: 0, callee: 'payments', endpoints: ['/charge'] },
        { edge: 1, callee: 'catalog', endpoints: ['/products/:id'] },
      ],
    );
    assert.deepEqual(env.pool, {
      name: 'DB_POOL_SIZE',
      size: 4,
      queueTimeout: { name: 'DB_QUEUE_TIMEOUT_MS', ms: 2000 },
    });
    assert.deepEqual(env.workers, { name: 'WEB_CONCURRENCY', value: 3 });
    assert.equal(env.edges.get(0)?.timeout?.ms, 1500);
    assert.equal(env.edges.has(1), false);
    // A name that shares words with two calls alike is not guessed.
    const ambiguous = readEnv({ SHOP_TIMEOUT_MS: '100' }, [
      { edge: 0, callee: 'shop-a', endpoints: [] },
      { edge: 1, callee: 'shop-b', endpoints: [] },
    ]);
    assert.equal(ambiguous.edges.size, 0);
    assert.match(ambiguous.unused.join(), /SHOP_TIMEOUT_MS matches calls to shop-a, shop-b alike/);
    assert.equal(envRole('LOG_LEVEL'), null);
    assert.equal(envRole('DB_POOL_SIZE'), 'pool');
    assert.equal(durationMs('2', 'X_TIMEOUT_SECONDS'), 2000);
    assert.equal(durationMs('abc'), null);
  });

  it('leaves out an env timeout the window contradicts: calls outlived it without failing or a retry', () => {
    const spans = Array.from({ length: 8 }, (_, i) => reserveTrace(`c${i}`, 1_000 * (i + 1), [], 30)).flat();
    const infra = deployment('cart', { env: { INVENTORY_RESERVE_TIMEOUT_MS: '20' } });
    const c = calibrate({ spans, window, sampled: 1, infra, ...noGauges });
    const reserve = c.edges.find((x) => x.caller === 'cart')!;
    assert.deepEqual(reserve.attemptTimeoutsMs.value, [null]);
    assert.equal(reserve.attemptTimeoutsMs.validity, 'assumed');
    assert.match(
      reserve.attemptTimeoutsMs.source,
      /INVENTORY_RESERVE_TIMEOUT_MS = 20 ms is not in force: 100% of the window's calls ran longer/,
    );
    // A value given with --set is taken as given.
    const set = applySettings(c, ['cart.env.INVENTORY_RESERVE_TIMEOUT_MS=25']);
    assert.deepEqual(set.attemptTimeoutsMs[c.edges.indexOf(reserve)], [25]);
  });

  it('takes failed calls that end alike as timing out there, and measures how far failures reach', () => {
    const spans: SimSpan[] = [];
    for (let i = 0; i < 20; i++) {
      const failed = i % 2 === 0;
      const trace = `x${i}`;
      const root = span('web', i * 1000, i * 1000 + 600, {
        trace,
        kind: 2,
        name: 'POST /pay',
        route: '/pay',
        error: failed && i % 4 === 0,
      });
      const end = i * 1000 + (failed ? 501 + (i % 3) : 40);
      const call = span('web', i * 1000 + 1, end, { parent: root, kind: 3, name: 'POST', error: failed });
      spans.push(
        root,
        call,
        span('payments', i * 1000 + 2, i * 1000 + 39, { parent: call, kind: 2, name: 'POST /charge' }),
      );
    }
    const c = calibrate({ spans, window, sampled: 1, infra: [], ...noGauges });
    const e = c.edges[0]!;
    assert.equal(e.errorRate, 0.5);
    assert.ok(e.failedDuration && Math.abs(e.failedDuration.p50 - 501) < 2);
    assert.equal(e.attemptTimeoutsMs.validity, 'measured');
    assert.ok(Math.abs((e.attemptTimeoutsMs.value[0] as number) - 501) < 2);
    assert.match(e.attemptTimeoutsMs.source, /10 failed calls ended alike/);
    // Half of the failed calls failed their request.
    assert.equal(e.errorPropagation.validity, 'measured');
    assert.equal(e.errorPropagation.value, 0.5);
    // No failed span at payments: its propagation is an assumption.
    const payments = c.services.find((s) => s.service === 'payments')!;
    assert.equal(payments.errorPropagation.validity, 'assumed');
    assert.equal(payments.errorPropagation.value, 1);
  });
});

describe('capacity from infrastructure and telemetry', () => {
  const spans = reserveTrace('a', 1_000, [], 30);
  it('an autoscaler: the instances seen within its bounds; without manifests, the instances seen or an assumption', () => {
    const infra = deployment('catalog', {
      replicas: 2,
      hpa: { min: 2, max: 4, cpu: 70 },
      cpuRequest: 0.2,
      cpuLimit: 1,
    });
    const c = calibrate({
      spans,
      window,
      sampled: 1,
      infra,
      gauges: [],
      instances: new Map([
        ['catalog', 3],
        ['cart', 2],
      ]),
    });
    const catalog = c.services.find((s) => s.service === 'catalog')!.capacity;
    assert.equal(catalog.replicas.value, 3);
    assert.match(catalog.replicas.source, /3 instances in telemetry, within .*2–4/);
    assert.deepEqual(catalog.hpa && [catalog.hpa.min, catalog.hpa.max, catalog.hpa.cpuTargetPercent], [2, 4, 70]);
    assert.equal(catalog.cpuLimitCores.value, 1);
    assert.equal(catalog.cpuRequestCores, 0.2);
    const cart = c.services.find((s) => s.service === 'cart')!.capacity;
    assert.equal(cart.replicas.value, 2);
    assert.match(cart.replicas.source, /instances seen in telemetry/);
    const web = c.services.find((s) => s.service === 'web')!.capacity;
    assert.equal(web.replicas.validity, 'assumed');
    assert.equal(web.replicas.value, 1);
  });

  it('the CPU per visit from a usage gauge: busy cores over visits per second', () => {
    // catalog: one visit in a 600 s window; 0.00002 cores busy → 12 ms of CPU per visit.
    const c = calibrate({
      spans,
      window,
      sampled: 1,
      infra: [],
      gauges: [{ service: 'catalog', name: 'container.cpu.usage', value: 0.00002, series: 1 }],
      instances: new Map(),
    });
    const catalog = c.services.find((s) => s.service === 'catalog')!;
    assert.ok(catalog.cpu.from === 'gauge');
    assert.equal(catalog.cpu.msPerVisit.validity, 'measured');
    close(catalog.cpu.msPerVisit.value, 12, 1e-9);
    assert.match(catalog.cpu.msPerVisit.source, /gauge container\.cpu\.usage \(1 series\)/);
  });

  it('warns when a workload was imported before env was read', () => {
    const infra = deployment('catalog');
    delete (infra[0]!.spec as { containers: Array<{ env?: unknown }> }).containers[0]!.env;
    const c = calibrate({ spans, window, sampled: 1, infra, ...noGauges });
    assert.match(c.warnings.join('\n'), /imported before env was read/);
  });
});
