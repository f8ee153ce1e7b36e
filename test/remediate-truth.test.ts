// The right fixes the scenarios state: carried into the truth files (a rollback's version resolved
// from the world's deploys), and the remediation bench's judgement of a proposal's action on them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { judgeFix } from '../bench/lib/remediate-judge.js';
import { compareEffect, effectMet, recoveryOf } from '../bench/lib/remediate-measure.js';
import { endpointStats, parseScenariosFile, planDemo, scenarioTruth, shopSourceDir } from '../src/demo/index.js';
import type { DeployRecord, Observation, ScenarioName } from '../src/demo/index.js';
import type { Json, ProposalAction, ProposalSimulation } from '../src/model/index.js';

const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
const onset = Date.parse('2026-12-07T12:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();

const deploy = (service: string, version: string, ms: number, scenario: ScenarioName | null): DeployRecord => ({
  service,
  version,
  tag: `${service}/v${version}`,
  sha: 'a'.repeat(40),
  at: at(ms),
  recorded: true,
  scenario,
});

/** A world's deploys: each service's baseline, an earlier cart, and the scenario's bad deploy at the onset. */
const deploys = (bad: DeployRecord | null): DeployRecord[] => [
  deploy('cart', '1.2.0', onset - 3_600_000, null),
  deploy('cart', '1.3.0', onset - 1_800_000, null),
  deploy('payments', '2.0.1', onset - 1_800_000, null),
  deploy('catalog', '3.2.0', onset - 1_800_000, null),
  ...(bad ? [bad] : []),
];

function truthOf(scenario: ScenarioName, bad: DeployRecord | null) {
  const plan = planDemo(file, [scenario], 240);
  return scenarioTruth({
    scenario,
    seed: 1,
    startedAt: new Date(onset - 120_000),
    commits: [],
    deploys: deploys(bad),
    ...(bad ? {} : { trafficWindow: { from: onset, to: Number.POSITIVE_INFINITY, entry: 'web', multiplier: 3 } }),
    rootCause: plan.rootCauses[scenario],
    rightFix: plan.rightFixes[scenario],
    observations: [],
    tickets: [],
  });
}

const rollback = (service: string, from: string, to: string): ProposalAction => ({
  kind: 'rollback',
  service,
  environment: '',
  fromVersion: from,
  toVersion: to,
  toDeployId: 1,
  toCommit: null,
});

describe('right fixes in the truth files', () => {
  it('states a right fix for the four remediable scenarios, none for the injected faults', () => {
    const plan = planDemo(
      file,
      ['cart-badge', 'slow-dependency', 'inventory-timeout', 'capacity', 'network-delay', 'cpu-saturation'],
      240,
    );
    assert.deepEqual(Object.keys(plan.rightFixes).sort(), [
      'capacity',
      'cart-badge',
      'inventory-timeout',
      'slow-dependency',
    ]);
  });

  it('cart-badge: roll cart back to the version it ran before the fault, resolved from the deploys', () => {
    const t = truthOf('cart-badge', deploy('cart', '1.4.0', onset, 'cart-badge'));
    assert.equal(t.format, 'demo-truth@3');
    assert.deepEqual(t.rightFix?.anyOf, [{ kind: 'rollback', service: 'cart', toVersion: '1.3.0' }]);
    assert.equal(judgeFix(t.rightFix!, rollback('cart', '1.4.0', '1.3.0')).right, true);
    // Not to an older version, not another service.
    assert.equal(judgeFix(t.rightFix!, rollback('cart', '1.4.0', '1.2.0')).right, false);
    assert.equal(judgeFix(t.rightFix!, rollback('web', '2.4.0', '2.3.0')).right, false);
    const scale: ProposalAction = { kind: 'scale', service: 'cart', replicas: { from: 2, to: 4 }, hpaMin: null };
    assert.equal(judgeFix(t.rightFix!, scale).right, false);
  });

  it('slow-dependency: roll payments back', () => {
    const t = truthOf('slow-dependency', deploy('payments', '2.1.0', onset, 'slow-dependency'));
    assert.equal(judgeFix(t.rightFix!, rollback('payments', '2.1.0', '2.0.1')).right, true);
    assert.equal(judgeFix(t.rightFix!, rollback('cart', '1.3.0', '1.2.0')).right, false);
  });

  it("inventory-timeout: restore cart's previous timeout (exactly) or roll cart back", () => {
    const t = truthOf('inventory-timeout', deploy('cart', '1.3.1', onset, 'inventory-timeout'));
    const config = (to: string): ProposalAction => ({
      kind: 'config',
      service: 'cart',
      name: 'INVENTORY_RESERVE_TIMEOUT_MS',
      from: '20',
      to,
    });
    assert.equal(judgeFix(t.rightFix!, config('800')).right, true);
    assert.equal(judgeFix(t.rightFix!, config('200')).right, false);
    assert.equal(judgeFix(t.rightFix!, rollback('cart', '1.3.1', '1.3.0')).right, true);
  });

  it('capacity: scale catalog up (replicas, HPA minimum or its pool), never a rollback or a scale down', () => {
    const t = truthOf('capacity', null);
    const fix = t.rightFix!;
    const scale = (replicas: [number, number] | null, hpaMin: [number, number] | null): ProposalAction => ({
      kind: 'scale',
      service: 'catalog',
      replicas: replicas ? { from: replicas[0], to: replicas[1] } : null,
      hpaMin: hpaMin ? { from: hpaMin[0], to: hpaMin[1] } : null,
    });
    assert.equal(judgeFix(fix, scale([2, 4], null)).right, true);
    assert.equal(judgeFix(fix, scale(null, [2, 3])).right, true);
    assert.equal(judgeFix(fix, scale([2, 1], null)).right, false);
    assert.equal(judgeFix(fix, scale([2, 4], [2, 1])).right, false);
    const pool = (to: string): ProposalAction => ({
      kind: 'config',
      service: 'catalog',
      name: 'DB_POOL_SIZE',
      from: '1',
      to,
    });
    assert.equal(judgeFix(fix, pool('4')).right, true);
    assert.equal(judgeFix(fix, pool('1')).right, false);
    assert.equal(judgeFix(fix, rollback('catalog', '3.2.1', '3.2.0')).right, false);
  });
});

describe('the remediation bench measures recovery and the effect from the shoppers’ timings', () => {
  const obs = (from: number, to: number, every: number, ms: number, status = 200): Observation[] => {
    const out: Observation[] = [];
    for (let t = from; t < to; t += every)
      out.push({ at: t, user: 'u', account: 'a', action: 'cart', endpoint: 'GET /api/cart', status, ms });
    return out;
  };
  const t0 = Date.parse('2026-12-07T12:00:00Z');
  const baseline = endpointStats(obs(t0, t0 + 60_000, 500, 40), t0, t0 + 60_000);

  it('recovers when the errors end and stays so; the time is from the action', () => {
    const action = t0 + 120_000;
    // Failing for 40 s after the action, then healthy.
    const all = [...obs(action, action + 40_000, 500, 40, 500), ...obs(action + 40_000, action + 200_000, 500, 45)];
    const r = recoveryOf(all, baseline, action, action + 200_000);
    assert.equal(r.afterS, 40);
    // Never healthy: no recovery.
    const broken = obs(action, action + 200_000, 500, 40, 500);
    assert.equal(recoveryOf(broken, baseline, action, action + 200_000).afterS, null);
    // Slow (p95 far past 25% and 50 ms of the baseline's) is not healthy either.
    const slow = obs(action, action + 200_000, 500, 400);
    assert.equal(recoveryOf(slow, baseline, action, action + 200_000).afterS, null);
  });

  it('compares each predicted storefront endpoint with the measured, within 5 points and 25%', () => {
    const from = t0;
    const to = t0 + 90_000;
    const measured = obs(from, to, 500, 100);
    const sim = (errorRate: number, p95: number): Json<ProposalSimulation> => ({
      simulationId: 1,
      algorithm: 'sim-load@2',
      method: '',
      window: { since: '', until: '' },
      factor: 1,
      set: [],
      endpoints: [
        {
          service: 'web',
          endpoint: '/api/cart',
          before: { errorRate: 0.3, p95: 900, requests: 100 },
          after: {
            errorRate: { value: errorRate, p10: null, p90: null },
            p95: { value: p95, p10: null, p90: null },
          },
        },
        // Not a storefront endpoint: not compared.
        {
          service: 'cart',
          endpoint: '/cart/:user',
          before: { errorRate: 0, p95: 1, requests: 1 },
          after: { errorRate: { value: 0, p10: null, p90: null }, p95: { value: 1, p10: null, p90: null } },
        },
      ],
    });
    const good = compareEffect(sim(0.02, 110), measured, from, to);
    assert.equal(good.length, 1);
    assert.equal(good[0]!.endpoint, 'GET /api/cart');
    assert.equal(effectMet(good), true);
    assert.equal(effectMet(compareEffect(sim(0.08, 110), measured, from, to)), false, '8 points off');
    assert.equal(effectMet(compareEffect(sim(0, 130), measured, from, to)), false, '30% off');
    assert.equal(effectMet([]), false, 'nothing compared is not a met target');
  });
});
