// The named worlds the rca version snapshot ranks: the inputs of test/rca-rank.test.ts and
// test/rca-flow.test.ts, rebuilt from the same builders (test/helpers/rca-worlds.ts), so a
// change of any ranking they exercise shows up under the same id.
import type { EdgeRow, ErrorGroupRow, MetricRow, PatternRow, RedRow } from '../../src/analysis/rca/index.js';
import { DDSketch } from '../../src/analysis/sketch/index.js';
import {
  INC,
  MIN,
  REF,
  type RcaWorld,
  SHORT,
  T0,
  calcDone,
  input,
  logRows,
  mixRows,
  rng,
  sketch,
  world,
} from './rca-worlds.js';
import { buckets, flowSites, flows, gapInData, quietMinute } from './rca-world-flows.js';
import { networkDelay } from './rca-world-spans.js';

function nPlusOne(): RcaWorld {
  const r = rng(11);
  const red: RedRow[] = [];
  const edges: EdgeRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5;
    const calls = inc ? 120 : 20;
    red.push({
      minuteMs,
      service: 'payments',
      endpoint: 'POST /charge',
      requests: 20,
      errors: 0,
      latency: sketch(20, inc ? 400 : 60, r),
    });
    red.push({
      minuteMs,
      service: 'catalog',
      endpoint: 'GET /products/:id',
      requests: calls + 30,
      errors: 0,
      latency: sketch(calls + 30, inc ? 45 : 20, r),
    });
    edges.push({
      minuteMs,
      caller: 'payments',
      callee: 'catalog',
      calls,
      errors: 0,
      latency: sketch(calls, inc ? 45 : 20, r),
    });
  }
  return { input: input({ red, edges }) };
}

function noBaseline(quiet: boolean): RcaWorld {
  const r = rng(5);
  const minuteMs = INC.startMs;
  return {
    input: input({
      red: [
        {
          minuteMs,
          service: 'web',
          endpoint: 'GET /api/cart',
          requests: 300,
          errors: 77,
          latency: sketch(300, 100, r),
        },
        {
          minuteMs,
          service: 'cart',
          endpoint: 'GET /carts/:user',
          requests: 160,
          errors: 159,
          latency: sketch(160, 20, r),
        },
      ],
      errorGroups: [
        { minuteMs, service: 'cart', key: 'TypeError', count: 159 },
        { minuteMs, service: 'web', key: 'UpstreamError', count: 77 },
      ],
      edges: [
        { minuteMs, caller: 'web', callee: 'cart', calls: 160, errors: quiet ? 0 : 159, latency: sketch(160, 22, r) },
      ],
    }),
  };
}

function newCallPath(): RcaWorld {
  const r = rng(6);
  const red: RedRow[] = [];
  const edges: EdgeRow[] = [];
  const errorGroups: ErrorGroupRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5;
    red.push({
      minuteMs,
      service: 'web',
      endpoint: 'GET /api/cart',
      requests: 100,
      errors: inc ? 40 : 0,
      latency: sketch(100, 100, r),
    });
    if (inc) {
      red.push({
        minuteMs,
        service: 'cart',
        endpoint: 'POST /carts/:user/merge',
        requests: 40,
        errors: 40,
        latency: sketch(40, 5, r),
      });
      edges.push({ minuteMs, caller: 'web', callee: 'cart', calls: 40, errors: 40, latency: sketch(40, 6, r) });
      errorGroups.push(
        { minuteMs, service: 'cart', key: 'BadRequest', count: 40 },
        { minuteMs, service: 'web', key: 'UpstreamError', count: 40 },
      );
    }
  }
  return { input: input({ red, edges, errorGroups }) };
}

function warnPattern(): RcaWorld {
  const patterns: PatternRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    for (const service of ['search', 'cart'])
      patterns.push({ minuteMs, service, key: `${service}-info`, level: 'INFO', count: 100 });
    if (m >= 5)
      patterns.push({
        minuteMs,
        service: 'search',
        key: 'search-timeout',
        level: 'WARN',
        count: 40,
        label: 'index shard <*> timed out',
      });
  }
  return { input: input({ patterns }) };
}

function nothingChanged(): RcaWorld {
  const w = world(
    [
      { name: 'frontend', requests: 200, latency: [40, 40], errors: [0.01, 0.01] },
      { name: 'cart', requests: 200, latency: [25, 25] },
    ],
    [['frontend', 'cart']],
    11,
  );
  const patterns: PatternRow[] = [];
  const metrics: MetricRow[] = [];
  for (let m = 0; m < 8; m++) {
    patterns.push({ minuteMs: T0 + m * MIN, service: 'cart', key: 'k', level: 'INFO', count: 50 });
    metrics.push({ minuteMs: T0 + m * MIN, service: 'cart', name: 'cpu', value: 10 + (m % 3) });
  }
  return { input: input({ ...w, patterns, metrics }) };
}

function cpu(): RcaWorld {
  const metrics: MetricRow[] = [];
  for (let m = 0; m < 8; m++) {
    metrics.push({ minuteMs: T0 + m * MIN, service: 'auth', name: 'cpu', value: m >= 5 ? 250 + m : 5 + (m % 2) });
    metrics.push({ minuteMs: T0 + m * MIN, service: 'cart', name: 'cpu', value: 8 + (m % 2) });
  }
  return { input: input({ metrics }) };
}

function utilization(usageOnly: boolean): RcaWorld {
  const metrics: MetricRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const cart = m === 7 ? 0.04 : 0.005 + 0.0005 * (m % 2);
    const auth = m >= 6 ? 0.5 : 0.004 + 0.0005 * (m % 2);
    metrics.push({ minuteMs, service: 'cart', name: 'k8s.pod.cpu.usage', value: cart });
    metrics.push({ minuteMs, service: 'cart', name: 'k8s.pod.cpu_limit_utilization', value: cart / 0.5 });
    metrics.push({ minuteMs, service: 'auth', name: 'k8s.pod.cpu.usage', value: auth });
    metrics.push({ minuteMs, service: 'auth', name: 'k8s.pod.cpu_limit_utilization', value: auth / 0.5 });
  }
  return { input: input({ metrics: usageOnly ? metrics.filter((r) => r.name === 'k8s.pod.cpu.usage') : metrics }) };
}

function freshAndKnown(newPatternWeight?: number): RcaWorld {
  const patterns = [
    ...logRows('fresh', (m) => (m >= INC.startMs ? 6 : 0)),
    ...logRows('known', (m) => (m >= INC.startMs ? 6 : m < T0 && m < REF.startMs + 2 * MIN ? 1 : 0)),
  ];
  return {
    input: input({ baseline: SHORT, reference: [REF], patterns }),
    options: newPatternWeight === undefined ? undefined : { newPatternWeight },
  };
}

function latencyVsReference(): RcaWorld {
  const r = rng(3);
  const red: RedRow[] = [];
  for (let i = 0; i < 10; i++)
    red.push({
      minuteMs: REF.startMs + i * MIN,
      service: 'config',
      endpoint: 'GET /c',
      requests: 200,
      errors: 0,
      latency: sketch(200, 30, r),
    });
  for (let m = 0; m < 8; m++)
    red.push({
      minuteMs: T0 + m * MIN,
      service: 'config',
      endpoint: 'GET /c',
      requests: 200,
      errors: 0,
      latency: sketch(200, 20, r),
    });
  return { input: input({ red, reference: [REF] }) };
}

function direction(up: boolean): RcaWorld {
  const patterns: PatternRow[] = [];
  const red: RedRow[] = [];
  for (let m = 0; m < 8; m++) {
    const requests = 100 + 10 * (m % 3);
    const lat = new DDSketch();
    lat.add(10, requests);
    red.push({
      minuteMs: T0 + m * MIN,
      service: 'orders',
      endpoint: 'POST /orders',
      requests,
      errors: 0,
      latency: lat,
    });
    patterns.push({ minuteMs: T0 + m * MIN, service: 'orders', key: 'info', level: 'INFO', count: requests });
    if (up ? m >= 5 : m < 5)
      patterns.push({ minuteMs: T0 + m * MIN, service: 'orders', key: 'db-retry', level: 'ERROR', count: 30 });
  }
  const w = world([{ name: 'search', requests: 200, latency: up ? [10, 40] : [40, 10] }], []);
  return { input: input({ red: [...w.red, ...red], edges: w.edges, patterns }) };
}

function coLogged(): RcaWorld {
  const mix = (m: number): [number, number] => (m < 5 ? [20 + 5 * (m % 3), 60 - 5 * (m % 2)] : [70, 15]);
  const a = mixRows('mix', mix, () => false);
  const b = mixRows('skip', mix, (m) => m >= 5);
  return { input: input({ red: [...a.red, ...b.red], patterns: [...a.patterns, ...b.patterns] }) };
}

function dispersion(): RcaWorld {
  const r = rng(5);
  const red: RedRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    red.push({
      minuteMs,
      service: 'swingy',
      endpoint: 'GET /s',
      requests: 200,
      errors: 0,
      latency: sketch(200, m >= 5 ? 14 : m % 2 ? 16 : 10, r),
    });
    red.push({
      minuteMs,
      service: 'steady',
      endpoint: 'GET /t',
      requests: 200,
      errors: 0,
      latency: sketch(200, m >= 5 ? 14 : 10, r),
    });
  }
  return { input: input({ red }) };
}

export const RCA_WORLDS: Record<string, () => RcaWorld> = {
  'n-plus-one': nPlusOne,
  'downstream-latency': () => ({
    input: input(
      world(
        [
          { name: 'frontend', requests: 200, latency: [40, 130] },
          { name: 'cart', requests: 200, latency: [25, 115] },
          { name: 'db', requests: 200, latency: [10, 100] },
          { name: 'search', requests: 150, latency: [30, 30] },
        ],
        [
          ['frontend', 'cart'],
          ['cart', 'db'],
          ['frontend', 'search'],
        ],
      ),
    ),
  }),
  'network-delay': networkDelay,
  'no-baseline-edge-errors': () => noBaseline(false),
  'no-baseline-quiet-edge': () => noBaseline(true),
  'new-call-path': newCallPath,
  'error-spike': () => ({
    input: input(
      world(
        [
          { name: 'frontend', requests: 300, latency: [40, 40], errors: [0.01, 0.02] },
          { name: 'payment', requests: 200, latency: [20, 20], errors: [0.01, 0.3] },
          { name: 'catalog', requests: 250, latency: [15, 15], errors: [0.01, 0.01] },
        ],
        [
          ['frontend', 'payment'],
          ['frontend', 'catalog'],
        ],
      ),
    ),
  }),
  'warn-pattern': warnPattern,
  'nothing-changed': nothingChanged,
  'cpu-gauge': cpu,
  utilization: () => utilization(false),
  'usage-only': () => utilization(true),
  'short-baseline': () => ({
    input: input({ baseline: SHORT, patterns: logRows('contacts', (m) => (m >= INC.startMs ? 4 : 0)) }),
  }),
  'short-baseline-reference': () => ({
    input: input({
      baseline: SHORT,
      reference: [REF],
      patterns: logRows('contacts', (m) => (m >= INC.startMs ? 4 : 0)),
    }),
  }),
  'fresh-and-known': () => freshAndKnown(),
  'fresh-and-known-unweighted': () => freshAndKnown(1),
  'latency-vs-reference': latencyVsReference,
  'weak-candidates': () => ({
    input: input({
      patterns: [
        ...logRows('a', (m) => (m >= INC.startMs ? 40 : 0)),
        ...logRows('b', (m) => (m >= INC.startMs ? 1 : 0)),
        ...logRows('c', () => 0),
      ],
    }),
    options: { weakCandidates: true },
  }),
  'direction-down': () => direction(false),
  'direction-up': () => direction(true),
  'co-logged-partner': coLogged,
  dispersion,
  'gap-in-data': gapInData,
  'quiet-minute': quietMinute,
  'late-alert-reference': () => ({
    input: input({ reference: [REF], patterns: logRows('contacts', (m) => (m >= T0 ? 6 : 0)) }),
  }),
  'fdr-family': () => ({
    input: input({
      baseline: SHORT,
      reference: [REF],
      patterns: [
        ...logRows('contacts', (m) => (m >= INC.startMs ? 4 : 0)),
        ...Array.from(
          { length: 200 },
          (_, i): PatternRow => ({
            minuteMs: T0 + (i % 8) * MIN,
            service: `idle-${i}`,
            key: 'x',
            level: 'INFO',
            count: 1,
          }),
        ),
      ],
    }),
  }),
  'per-minute': () => buckets(false),
  bucketed: () => buckets(true),
  'flow-cut': () =>
    flows(
      calcDone(
        'travel',
        () => 20,
        (m) => (m >= 6 ? 10 : 0),
      ),
      calcDone(
        'steady',
        () => 20,
        () => 0,
      ),
    ),
  'flow-mix': () =>
    flows(
      calcDone(
        'busy',
        (m) => (m >= 6 ? 80 : 15 + (m % 3)),
        () => 0,
      ),
    ),
  'flow-swing': () =>
    flows(
      calcDone(
        'swingy',
        () => 30,
        (m) => (m >= 6 ? 10 : m % 2 ? 15 : 0),
      ),
      calcDone(
        'stable',
        () => 30,
        (m) => (m >= 6 ? 10 : 0),
      ),
    ),
  'flow-sites': flowSites,
};
