// The example world's capacity controls, pure: what it reads from the shop's manifests
// (replicas, CPU request and limit, the HPA), what `orrery demo --set` may change and how
// (bad input names the flag), and the autoscaler's arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SettingError,
  applySettings,
  cpuMillicores,
  headManifests,
  hpaStep,
  parseScenariosFile,
  parseSettings,
  planDemo,
  readManifest,
  selectScenarios,
  settableServices,
  settingsFlags,
  shopSourceDir,
} from '../src/demo/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const known = settableServices();

describe('the shop manifests the world enforces', () => {
  it('reads replicas, CPU request and limit, env and the HPA at the history head', () => {
    const m = headManifests();
    const catalog = m.get('catalog')!;
    assert.equal(catalog.replicas, 2);
    assert.equal(catalog.cpuRequestM, 200);
    assert.equal(catalog.cpuLimitM, 1000);
    assert.equal(catalog.env.DB_POOL_SIZE, '1');
    assert.deepEqual(catalog.hpa, { min: 2, max: 4, targetPercent: 70, scaleDownStabilizationS: 300 });
    const cart = m.get('cart')!;
    assert.equal(cart.cpuLimitM, 300, 'cart is the CPU-bound one');
    assert.equal(cart.hpa, null);
    assert.equal(cart.env.CART_SEAL_KEY, undefined, 'a Secret reference is not a plain value');
  });

  it('reads CPU quantities as Kubernetes writes them', () => {
    assert.equal(cpuMillicores('250m'), 250);
    assert.equal(cpuMillicores('1'), 1000);
    assert.equal(cpuMillicores('0.5'), 500);
    assert.equal(cpuMillicores(2), 2000);
    assert.equal(cpuMillicores('lots'), null);
    assert.equal(cpuMillicores('0m'), null);
  });

  it('ignores an HPA on another Deployment or on memory', () => {
    const text = `kind: Deployment
metadata: { name: api }
spec: { replicas: 3 }
---
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: { kind: Deployment, name: other }
  minReplicas: 1
  maxReplicas: 5
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
---
kind: HorizontalPodAutoscaler
spec:
  scaleTargetRef: { kind: Deployment, name: api }
  minReplicas: 1
  maxReplicas: 5
  metrics: [{ type: Resource, resource: { name: memory, target: { type: Utilization, averageUtilization: 50 } } }]
`;
    const m = readManifest(text, 'api');
    assert.equal(m.replicas, 3);
    assert.equal(m.hpa, null);
    assert.equal(m.cpuLimitM, null);
  });
});

describe('orrery demo --set', () => {
  it('parses replicas, cpu, hpa bounds and declared env values', () => {
    const s = parseSettings(
      ['catalog.replicas=3', 'catalog.env.DB_POOL_SIZE=2', 'cart.cpu=0.5', 'payments.cpu=250m'],
      known,
    );
    assert.deepEqual(s.catalog, { replicas: 3, env: { DB_POOL_SIZE: '2' } });
    assert.equal(s.cart!.cpuLimitM, 500);
    assert.equal(s.payments!.cpuLimitM, 250);
    assert.deepEqual(settingsFlags(s), [
      'cart.cpu=500m',
      'catalog.replicas=3',
      'catalog.env.DB_POOL_SIZE=2',
      'payments.cpu=250m',
    ]);
  });

  for (const [flag, message] of [
    ['shop.replicas=2', /unknown service "shop"; the shop has web, cart, catalog, payments/],
    [
      'catalog.replica=2',
      /unknown setting "replica" for catalog; use replicas, cpu, hpa\.min, hpa\.max or env\.<NAME>/,
    ],
    ['catalog.env.DB_POOL=2', /catalog's manifest declares no env DB_POOL \(it declares .*DB_POOL_SIZE/],
    ['cart.env.DATA_DIR=/tmp', /the demo sets DATA_DIR itself/],
    ['catalog.replicas=0', /must be a whole number from 1 to 8/],
    ['catalog.replicas=two', /must be a whole number from 1 to 8, not "two"/],
    ['cart.hpa.max=3', /cart has no HorizontalPodAutoscaler/],
    ['catalog.cpu=lots', /the CPU limit must be 10m to 8 cores/],
    ['catalog', /expected <service>\.<setting>=<value>/],
    ['catalog.replicas=', /no value after "="/],
  ] as const) {
    it(`refuses --set ${flag}`, () => {
      assert.throws(
        () => parseSettings([flag], known),
        (err: Error) => err instanceof SettingError && message.test(err.message),
      );
    });
  }

  it('refuses replicas beside hpa bounds, and bounds in the wrong order', () => {
    assert.throws(() => parseSettings(['catalog.replicas=3', 'catalog.hpa.max=4'], known), /not both/);
    assert.throws(() => parseSettings(['catalog.hpa.min=4', 'catalog.hpa.max=3'], known), /is above its hpa\.max/);
  });

  it('applies over the manifest: replicas pin the HPA, a limit below the request lowers it', () => {
    const catalog = headManifests().get('catalog')!;
    const pinned = applySettings(catalog, parseSettings(['catalog.replicas=3'], known).catalog);
    assert.equal(pinned.replicas, 3);
    assert.deepEqual([pinned.hpa!.min, pinned.hpa!.max], [3, 3]);
    const bounds = applySettings(catalog, parseSettings(['catalog.hpa.max=6'], known).catalog);
    assert.deepEqual([bounds.hpa!.min, bounds.hpa!.max, bounds.replicas], [2, 6, 2]);
    const raised = applySettings(catalog, parseSettings(['catalog.hpa.min=3'], known).catalog);
    assert.deepEqual([raised.hpa!.min, raised.hpa!.max, raised.replicas], [3, 4, 3]);
    const small = applySettings(catalog, parseSettings(['catalog.cpu=100m'], known).catalog);
    assert.deepEqual([small.cpuLimitM, small.cpuRequestM], [100, 100]);
    const pool = applySettings(catalog, parseSettings(['catalog.env.DB_POOL_SIZE=4'], known).catalog);
    assert.equal(pool.env.DB_POOL_SIZE, '4');
    assert.equal(pool.env.DB_QUEUE_TIMEOUT_MS, '2000', 'the other env values stay');
    assert.equal(applySettings(catalog, undefined), catalog);
  });

  it('none: the baselines alone, without the noise deploys', () => {
    const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
    const plan = planDemo(file, selectScenarios('none'), 60);
    assert.equal(plan.baselines.length, 4);
    assert.deepEqual([plan.deploys, plan.traffic, plan.faults], [[], [], []]);
  });
});

describe('the autoscaler (HPA arithmetic)', () => {
  const policy = { min: 2, max: 4, targetPercent: 70, scaleDownStabilizationS: 300 };
  const now = 1_000_000;

  it('keeps the count within the 10% tolerance', () => {
    assert.equal(hpaStep(policy, 2, 75, [], now).replicas, 2);
    assert.equal(hpaStep(policy, 2, 65, [], now).replicas, 2);
  });

  it('scales up at once to ceil(current × utilization / target), within max', () => {
    assert.equal(hpaStep(policy, 2, 105, [], now).replicas, 3);
    assert.equal(hpaStep(policy, 2, 400, [], now).replicas, 4);
    assert.equal(hpaStep({ ...policy, max: 8 }, 1, 5000, [], now).replicas, 5, 'at most +4 pods or double per period');
  });

  it('scales down only to the highest recommendation of the stabilization window', () => {
    const history = [{ at: now - 60_000, replicas: 4 }];
    assert.equal(hpaStep(policy, 4, 10, history, now).replicas, 4, 'a recent high recommendation holds');
    const old = [{ at: now - 400_000, replicas: 4 }];
    assert.equal(hpaStep(policy, 4, 10, old, now).replicas, 2, 'past the window it scales down to min');
    assert.equal(hpaStep(policy, 4, 10, old, now).recommendation.replicas, 2);
  });
});
