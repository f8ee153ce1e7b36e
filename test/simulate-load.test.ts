// sim-load@2 against a system that really queues (test/helpers/sim-world.ts): calibrated at one
// load, its predictions at a higher load and with more replicas are compared with the same system
// run at that load; the first bottleneck and the knee; a pool's queue timeout turning overload
// into errors; retries adding load; intervals; and the input errors (`--set`, the factor, the
// endpoint), each with its message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Calibration,
  SimulationInputError,
  applySettings,
  calibrate,
  parseSetLine,
  simulateLoad,
} from '../src/analysis/simulate/index.js';
import type { LoadSimulationResult } from '../src/model/index.js';
import { BASE_WORLD, type QueueWorld, quantile, runWorld, worldGauges, worldInfra } from './helpers/sim-world.js';

const window = { startMs: BASE_WORLD.startMs, endMs: BASE_WORLD.startMs + BASE_WORLD.durationMs };
const within = (pred: number | null, real: number, rel: number, what: string) =>
  assert.ok(
    pred !== null && Math.abs(pred - real) <= rel * real,
    `${what}: predicted ${pred}, measured ${real} (±${rel * 100}%)`,
  );

/** The world calibrated on its traces and manifests, with its CPU gauges unless `gauges` is false. */
function calibrated(w: QueueWorld, env: Record<string, string> = {}, gauges = true): Calibration {
  const run = runWorld(w);
  return calibrate(
    {
      spans: run.spans,
      window,
      sampled: 1,
      infra: worldInfra(w, env),
      gauges: gauges ? worldGauges(w, run) : [],
      instances: new Map(),
    },
    { seed: 3 },
  );
}
const scaled = (w: QueueWorld, f: number): QueueWorld => ({
  ...w,
  seed: w.seed + 100,
  checkoutRate: w.checkoutRate * f,
  homeRate: w.homeRate * f,
});
const checkout = (r: LoadSimulationResult) => r.endpoints.find((e) => e.endpoint === '/checkout')!;
const measured = (w: QueueWorld) => {
  const m = runWorld(w).measured.get('/checkout')!;
  return { p50: quantile(m.durations, 0.5), p95: quantile(m.durations, 0.95), errors: m.failed / m.durations.length };
};

describe('sim-load@2 against the system it models', () => {
  const cal = calibrated(BASE_WORLD);
  const opts = { replicates: 12, seed: 1 };

  it('at 1× it gives back the measured latency', () => {
    const r = simulateLoad(cal, { factor: 1, endpoint: null, set: [] }, opts);
    const e = checkout(r);
    within(e.predicted.p50.value, e.baseline.p50!, 0.08, 'p50 at 1×');
    within(e.predicted.p95.value, e.baseline.p95!, 0.1, 'p95 at 1×');
  });

  for (const f of [1.5, 2]) {
    it(`predicts p50 and p95 at ${f}× within 25% of the system run at ${f}×`, () => {
      const r = simulateLoad(cal, { factor: f, endpoint: null, set: [] }, opts);
      const real = measured(scaled(BASE_WORLD, f));
      const e = checkout(r);
      within(e.predicted.p50.value, real.p50, 0.25, `p50 at ${f}×`);
      within(e.predicted.p95.value, real.p95, 0.25, `p95 at ${f}×`);
      const api = r.services.find((s) => s.service === 'api')!.resources.find((x) => x.kind === 'cpu')!;
      within(api.utilization.value, runWorld(scaled(BASE_WORLD, f)).busy.api, 0.12, `api utilization at ${f}×`);
      // Every figure carries an interval that holds the estimate's neighbourhood.
      assert.ok(e.predicted.p95.p10! < e.predicted.p95.p90!, 'p95 has an interval');
      assert.ok(
        e.predicted.p95.p10! <= e.predicted.p95.value! * 1.1 && e.predicted.p95.p90! >= e.predicted.p95.value! * 0.9,
      );
    });
  }

  it('--set api.replicas=2 predicts the system with two api replicas', () => {
    const r = simulateLoad(cal, { factor: 2, endpoint: null, set: ['api.replicas=2'] }, opts);
    const real = measured({ ...scaled(BASE_WORLD, 2), apiServers: 2, poolServers: 4 });
    within(checkout(r).predicted.p95.value, real.p95, 0.25, 'p95 at 2× with 2 replicas');
    assert.deepEqual(r.settings, [{ set: 'api.replicas=2', setting: 'api replicas', from: '1', to: '2' }]);
    const api = r.services.find((s) => s.service === 'api')!;
    assert.deepEqual(api.replicas, { baseline: 1, predicted: 2 });
    assert.equal(api.resources.find((x) => x.kind === 'pool')?.servers, 4);
  });

  it("names api's CPU the first bottleneck, saturating near 1/ρ, and the knee before it", () => {
    const r = simulateLoad(cal, { factor: 2, endpoint: null, set: [] }, opts);
    assert.equal(r.bottleneck?.service, 'api');
    assert.equal(r.bottleneck?.resource, 'cpu');
    const busy = runWorld(BASE_WORLD).busy.api;
    within(r.bottleneck!.saturatesAt.value, 1 / busy, 0.12, 'saturation factor');
    assert.ok(
      r.knee.value !== null && r.knee.value > 1 && r.knee.value < r.bottleneck!.saturatesAt.value!,
      `knee ${r.knee.value}`,
    );
    assert.ok(r.bottleneck!.saturatesAt.p10! <= r.bottleneck!.saturatesAt.p90!);
  });

  it('scales one endpoint alone with --endpoint', () => {
    const r = simulateLoad(cal, { factor: 3, endpoint: 'web /home', set: [] }, opts);
    const home = r.endpoints.find((e) => e.endpoint === '/home')!;
    const c = checkout(r);
    assert.ok(Math.abs(home.rate.predicted - 3 * home.rate.baseline) < 1e-9);
    assert.ok(Math.abs(c.rate.predicted - c.rate.baseline) < 1e-9);
    // /home uses only web: api's load, and so checkout's p95, barely moves.
    within(c.predicted.p95.value, c.baseline.p95!, 0.12, 'checkout p95 when only /home grows');
  });

  it('is deterministic', () => {
    const a = simulateLoad(cal, { factor: 1.7, endpoint: null, set: [] }, { replicates: 4 });
    const b = simulateLoad(cal, { factor: 1.7, endpoint: null, set: [] }, { replicates: 4 });
    assert.deepEqual(a, b);
  });

  it('without CPU gauges, assumes a share of self time is CPU: its interval holds the system run at 2×', () => {
    // api's visits also wait 12 ms on something untraced: its self time is not all CPU.
    const world = { ...BASE_WORLD, apiWaitMs: 12 };
    const r = simulateLoad(calibrated(world, {}, false), { factor: 2, endpoint: null, set: [] }, opts);
    const real = measured(scaled(world, 2));
    const p95 = checkout(r).predicted.p95;
    assert.ok(p95.p10! <= real.p95 && real.p95 <= p95.p90!, `${real.p95} in ${p95.p10}–${p95.p90}`);
    assert.ok(p95.p10! <= p95.value! && p95.value! <= p95.p90!, `the estimate ${p95.value} in its interval`);
    const share = r.inputs.find((i) => i.name === 'api CPU share of self time')!;
    assert.deepEqual([share.value, share.validity], ['88%', 'assumed']);
  });

  it('states its validity: inputs measured and assumed, and its assumptions', () => {
    const r = simulateLoad(cal, { factor: 2, endpoint: null, set: [] }, { replicates: 2 });
    assert.equal(r.validity.measured + r.validity.assumed, r.inputs.length);
    assert.ok(r.validity.assumed > 0 && r.validity.measured > 0);
    const pool = r.inputs.find((i) => i.name === 'api pool size per replica (DB_POOL_SIZE)')!;
    assert.deepEqual([pool.value, pool.validity], ['2', 'measured']);
    const cpu = r.inputs.find((i) => i.name === 'api CPU per visit')!;
    assert.equal(cpu.validity, 'measured');
    assert.match(cpu.source, /gauge container\.cpu\.usage/);
    assert.ok(r.assumptions.length >= 5);
  });
});

describe('overload with a pool queue timeout, and retries', () => {
  const poolWorld: QueueWorld = {
    ...BASE_WORLD,
    seed: 21,
    apiMs: 8,
    dbMs: 100,
    poolServers: 2,
    checkoutRate: 6,
    homeRate: 2,
    poolTimeoutMs: 300,
  };
  const cal = calibrated(poolWorld, { DB_QUEUE_TIMEOUT_MS: '300' });

  it('predicts the errors a pool queue timeout gives at 3×, within 5 points, with the pool the bottleneck', () => {
    const r = simulateLoad(cal, { factor: 3, endpoint: null, set: [] }, { replicates: 8 });
    const real = measured(scaled(poolWorld, 3));
    const e = checkout(r);
    assert.ok(real.errors > 0.02, `the system fails some requests (${real.errors})`);
    assert.ok(
      Math.abs(e.predicted.errorRate.value! - real.errors) <= 0.05,
      `errors ${e.predicted.errorRate.value} vs ${real.errors}`,
    );
    within(e.predicted.p95.value, real.p95, 0.25, 'p95 at 3× (capped by the timeout)');
    assert.equal(r.bottleneck?.service, 'api');
    assert.equal(r.bottleneck?.resource, 'pool');
    assert.match(r.inputs.find((i) => i.name === 'api pool queue timeout')!.value, /300 ms/);
  });

  it('a bigger pool (--set api.env.DB_POOL_SIZE=4) removes them', () => {
    const r = simulateLoad(cal, { factor: 3, endpoint: null, set: ['api.env.DB_POOL_SIZE=4'] }, { replicates: 4 });
    const real = measured({ ...scaled(poolWorld, 3), poolServers: 4 });
    assert.ok(checkout(r).predicted.errorRate.value! < 0.01);
    assert.ok(real.errors < 0.01);
    within(checkout(r).predicted.p95.value, real.p95, 0.25, 'p95 at 3× with 4 connections');
  });

  it('retries after a timeout add load to the callee (a fixed point)', () => {
    const timed = calibrated(BASE_WORLD);
    const plain = simulateLoad(timed, { factor: 2.2, endpoint: null, set: [] }, { replicates: 0 });
    const retried = simulateLoad(
      timed,
      { factor: 2.2, endpoint: null, set: ['web.timeout=250ms', 'web.retries=2'] },
      { replicates: 0 },
    );
    const util = (r: LoadSimulationResult) =>
      r.services.find((s) => s.service === 'api')!.resources[0]!.utilization.value!;
    const edge = retried.edges.find((e) => e.caller === 'web' && e.callee === 'api')!;
    assert.deepEqual(edge.attemptTimeoutsMs, [250, 250, 250]);
    assert.ok(edge.timeoutShare.value! > 0.05, `some first attempts time out (${edge.timeoutShare.value})`);
    assert.ok(edge.loadMultiplier.value! > 1.03, `retries add calls (${edge.loadMultiplier.value})`);
    assert.ok(util(retried) > util(plain) * 1.02, `api busier with retries: ${util(retried)} vs ${util(plain)}`);
    assert.ok(edge.failShare.value! > 0, 'some calls time out on every attempt');
    assert.ok(checkout(retried).predicted.errorRate.value! > checkout(plain).predicted.errorRate.value!);
  });
});

describe('bad input', () => {
  const cal = calibrated(BASE_WORLD);
  const throwsInput = (f: () => unknown, re: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof SimulationInputError && re.test((e as Error).message));

  it('--set lines: syntax, unknown services, unknown settings, bad values', () => {
    throwsInput(() => parseSetLine('api.replicas'), /no "=".*expected service\.setting=value/);
    throwsInput(() => parseSetLine('api.replicas='), /no value after "="/);
    throwsInput(() => parseSetLine('replicas=3'), /"replicas" is not a setting/);
    throwsInput(() => parseSetLine('api.colour=red'), /"api\.colour" is not a setting.*replicas, workers/);
    assert.deepEqual(parseSetLine('a.b.c.replicas=3'), {
      line: 'a.b.c.replicas=3',
      service: 'a.b.c',
      setting: 'replicas',
      value: '3',
    });
    assert.deepEqual(parseSetLine('api.env.DB_POOL_SIZE=4'), {
      line: 'api.env.DB_POOL_SIZE=4',
      service: 'api',
      setting: 'env',
      name: 'DB_POOL_SIZE',
      value: '4',
    });
    throwsInput(
      () => applySettings(cal, ['payments.replicas=3']),
      /no service "payments" in the calibration window \(it saw api, web\)/,
    );
    throwsInput(() => applySettings(cal, ['api.replicas=0']), /must be a whole number ≥ 1/);
    throwsInput(() => applySettings(cal, ['api.replicas=2.5']), /must be a whole number ≥ 1/);
    throwsInput(() => applySettings(cal, ['api.cpu=lots']), /must be CPU cores/);
    throwsInput(() => applySettings(cal, ['web.timeout=soon']), /must be a duration/);
    throwsInput(() => applySettings(cal, ['api.timeout=1s']), /api calls no other service/);
    throwsInput(
      () => applySettings(cal, ['web.retries=2']),
      /no timeout, and the model retries after a timeout: set web\.timeout first/,
    );
    throwsInput(() => applySettings(cal, ['api.env.LOG_LEVEL=debug']), /reads no setting from LOG_LEVEL/);
    throwsInput(() => applySettings(cal, ['api.env.DB_POOL_SIZE=none']), /must be a pool size/);
    throwsInput(() => applySettings(cal, ['web.pool=3']), /web made no call to anything uninstrumented/);
  });

  it('the factor and the endpoint', () => {
    throwsInput(() => simulateLoad(cal, { factor: 0, endpoint: null, set: [] }), /above 0 and at most 1000, not 0/);
    throwsInput(() => simulateLoad(cal, { factor: Number.NaN, endpoint: null, set: [] }), /not NaN/);
    throwsInput(
      () => simulateLoad(cal, { factor: 2, endpoint: '/nope', set: [] }),
      /--endpoint "\/nope" is not an entry endpoint.*"web \/checkout", "web \/home"/,
    );
    // A bare endpoint name works when one service serves it.
    const r = simulateLoad(cal, { factor: 2, endpoint: '/home', set: [] }, { replicates: 0 });
    assert.equal(r.endpoint, '/home');
  });
});
