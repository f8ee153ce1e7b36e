// review@1's pure parts on hand-made inputs: the manifests' setting changes between two
// revisions (with their lines at head), what production measured for each, and the rules
// that make reasons of them — each rule fires on what it states and not on its near miss.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type LinkedResource,
  type Production,
  REVIEW_RULES,
  configChanges,
  measureConfig,
} from '../src/analysis/index.js';
import { assess, readPathChanges, writesKey } from '../src/analysis/review/index.js';
import type { ReviewSymbol, WorkloadSpec } from '../src/model/index.js';

function workload(name: string, replicas: number, env: Record<string, string>, cpuLimit = 500): LinkedResource {
  const spec: WorkloadSpec = {
    type: 'workload',
    replicas,
    selector: { app: name },
    podLabels: { app: name },
    containers: [
      {
        name,
        image: null,
        requests: { cpuMillicores: 100, memoryBytes: null },
        limits: { cpuMillicores: cpuLimit, memoryBytes: null },
        env,
      },
    ],
    perPod: {
      requests: { cpuMillicores: 100, memoryBytes: null },
      limits: { cpuMillicores: cpuLimit, memoryBytes: null },
    },
  };
  return { kind: 'Deployment', namespace: 'prod', name, labels: {}, spec, rawRef: 'k8s/orders.yaml:1', service: name };
}

const HEAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: orders
          env:
            - name: BILLING_CHARGE_TIMEOUT_MS
              value: "1000"
            - name: BILLING_MAX_RETRIES
              value: "0"
          resources:
            limits: { cpu: 250m }
`;

const production: Production = {
  minutes: 10,
  endpoints: [
    { service: 'orders', endpoint: '/orders', requests: 600, errors: 3, p95Ms: 80, p99Ms: 120 },
    { service: 'billing', endpoint: '/charges', requests: 300, errors: 15, p95Ms: 900, p99Ms: 1500 },
    { service: 'billing', endpoint: '/refunds', requests: 10, errors: 0, p95Ms: 3000, p99Ms: 4000 },
  ],
  edges: [{ caller: 'orders', callee: 'billing', calls: 310, errors: 15, p99Ms: 3900 }],
};

describe('review@1 configuration changes', () => {
  const base = [workload('orders', 3, { BILLING_CHARGE_TIMEOUT_MS: '5000', BILLING_MAX_RETRIES: '2' })];
  const head = [workload('orders', 2, { BILLING_CHARGE_TIMEOUT_MS: '1000', BILLING_MAX_RETRIES: '0' }, 250)];
  const changes = measureConfig(configChanges(base, head, new Map([['k8s/orders.yaml', HEAD]])), production);
  const by = (setting: string) => changes.find((c) => c.setting === setting)!;

  it('finds each changed setting with its line at head', () => {
    assert.deepEqual(changes.map((c) => `${c.setting} ${c.before}→${c.after} :${c.line}`).sort(), [
      'BILLING_CHARGE_TIMEOUT_MS 5000→1000 :13',
      'BILLING_MAX_RETRIES 2→0 :15',
      'limits.cpu 500→250 :17',
      'replicas 3→2 :6',
    ]);
    assert.equal(by('BILLING_MAX_RETRIES').beforeValue, 3, 'two retries are three attempts');
  });

  it("measures a timeout against the p99 of the endpoint its name picks, not the edge's mix", () => {
    const m = by('BILLING_CHARGE_TIMEOUT_MS').measured!;
    assert.equal(m.value, 1500);
    assert.match(m.what, /orders → billing \/charges/);
  });

  it('turns them into reasons: the timeout below p99 is high, fewer attempts on a failing call and less capacity medium', () => {
    const { tier, reasons } = assess({ symbols: [], config: changes, routes: [], firstChangedLine: () => null });
    assert.equal(tier, 'high');
    assert.deepEqual(reasons.map((r) => r.rule).sort(), [
      'attempts-reduced-on-failing-call',
      'capacity-reduced-under-load',
      'capacity-reduced-under-load',
      'timeout-below-measured',
    ]);
    for (const r of reasons) {
      assert.equal(r.says, REVIEW_RULES[r.rule].says);
      assert.ok(r.evidence.length >= 2, `${r.rule} cites the setting and the measure`);
    }
    assert.deepEqual(reasons[0]!.at, { path: 'k8s/orders.yaml', startLine: 13, endLine: 13 });
  });

  it('a timeout above the measured p99 and a raise of capacity give no reason', () => {
    const up = measureConfig(
      configChanges(
        [workload('orders', 2, { BILLING_CHARGE_TIMEOUT_MS: '5000' })],
        [workload('orders', 4, { BILLING_CHARGE_TIMEOUT_MS: '1600' }, 800)],
        new Map(),
      ),
      production,
    );
    assert.deepEqual(assess({ symbols: [], config: up, routes: [], firstChangedLine: () => null }).reasons, []);
  });
});

function symbol(over: Partial<ReviewSymbol>): ReviewSymbol {
  return {
    id: 'src/orders.js placeOrder',
    path: 'src/orders.js',
    name: 'placeOrder',
    kind: 'symbol',
    change: 'modified',
    lines: { startLine: 10, endLine: 20 },
    service: 'orders',
    endpoints: [],
    callsPerMinute: null,
    p95Ms: null,
    seenAtRuntime: false,
    hot: false,
    errorGroups: [],
    problems: [],
    tickets: [],
    suspectInvestigations: 0,
    tests: [],
    loopCalls: [],
    unwrittenReads: [],
    ...over,
  };
}

describe('review@1 symbol and route rules', () => {
  const at = (s: ReviewSymbol) => ({ path: s.path, startLine: 12, endLine: 13 });

  it('a removed route that still gets traffic is high; one without traffic is no reason', () => {
    const routes = [
      {
        service: 'orders',
        endpoint: '/orders/:id',
        path: 'src/server.js',
        change: 'removed' as const,
        renamedTo: null,
        callsPerMinute: 4,
      },
      {
        service: 'orders',
        endpoint: '/legacy',
        path: 'src/server.js',
        change: 'removed' as const,
        renamedTo: null,
        callsPerMinute: null,
      },
    ];
    const { tier, reasons } = assess({ symbols: [], config: [], routes, firstChangedLine: at });
    assert.equal(tier, 'high');
    assert.equal(reasons.length, 1);
    assert.match(
      reasons[0]!.finding,
      /\/orders\/:id of orders is removed while production sends it 4 requests per minute/,
    );
  });

  it('hot untested code, known trouble and suspect history are medium, each with its evidence', () => {
    const hot = symbol({
      hot: true,
      callsPerMinute: 30,
      endpoints: [
        {
          service: 'orders',
          endpoint: '/orders',
          entry: true,
          mark: 'static-only',
          callsPerMinute: 30,
          errorsPerMinute: 0,
          p95Ms: 80,
          p99Ms: 120,
        },
      ],
      errorGroups: [{ service: 'orders', fingerprint: 'abc', frame: 'placeOrder (src/orders.js:14)' }],
      suspectInvestigations: 2,
    });
    const { tier, reasons } = assess({ symbols: [hot], config: [], routes: [], firstChangedLine: at });
    assert.equal(tier, 'medium');
    assert.deepEqual(reasons.map((r) => r.rule).sort(), ['hot-code-untested', 'known-trouble', 'suspect-history']);
    assert.ok(reasons.every((r) => r.at?.startLine === 12));
    // Tested, and cold: nothing.
    const quiet = symbol({ tests: ['test/orders.test.js'], hot: true, callsPerMinute: 30 });
    assert.deepEqual(
      assess({ symbols: [quiet, symbol({})], config: [], routes: [], firstChangedLine: at }).reasons,
      [],
    );
  });

  it('a loop calling another service once per item is high on code production runs, no reason on code it does not run', () => {
    const loopCalls = [{ line: 14, calls: 'fetchPrice', service: 'catalog', endpoint: '/prices/:id', p95Ms: 40 }];
    const hot = symbol({ hot: true, callsPerMinute: 12, tests: ['test/orders.test.js'], loopCalls });
    const r = assess({ symbols: [hot], config: [], routes: [], firstChangedLine: at });
    assert.equal(r.tier, 'high');
    assert.deepEqual(r.reasons[0]!.at, { path: 'src/orders.js', startLine: 14, endLine: 14 });
    assert.match(
      r.reasons[0]!.finding,
      /calls catalog \/prices\/:id once per item .* \(through fetchPrice\), 40 ms at p95 each/,
    );
    const cold = symbol({ tests: ['test/orders.test.js'], loopCalls });
    assert.deepEqual(assess({ symbols: [cold], config: [], routes: [], firstChangedLine: at }).reasons, []);
  });
});

describe('review@1 nested reads whose path changed', () => {
  it('pairs a new read with the one it replaced: same field, same last key, new keys between', () => {
    const found = readPathChanges({
      removed: [
        { line: 6, text: '  return item.discount ? item.price * (1 - item.discount.percent / 100) : item.price;' },
      ],
      added: [
        { line: 20, text: '    const off = line.discount ? line.discount.rate.percent / 100 : 0; // a.b.c.d' },
        { line: 21, text: '    const x = order.customer.address.city;' },
        { line: 22, text: '    const n = item.discount.percent;' },
      ],
    });
    assert.deepEqual(found, [
      { line: 20, read: 'discount.rate.percent', replaced: 'discount.percent', newKeys: ['rate'] },
    ]);
  });

  it('counts object keys and assignments as writes, not reads, declarations or comments', () => {
    assert.ok(writesKey("  discount: { code: 'S15', percent: 15 },", 'percent'));
    assert.ok(writesKey('  row.rate = 0.15;', 'rate'));
    assert.ok(writesKey('  out["rate"] = r;', 'rate'));
    assert.ok(!writesKey('/** Discounts follow the { code, rate: { percent } } shape. */', 'rate'));
    assert.ok(!writesKey('  // rate: later', 'rate'));
    assert.ok(!writesKey('  const rate = Number(x);', 'rate'));
    assert.ok(!writesKey('  if (row.rate === 1) return;', 'rate'));
  });
});
