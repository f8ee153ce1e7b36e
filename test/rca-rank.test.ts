// Root-cause ranking on small synthetic worlds: a downstream latency fault seen upstream is
// attributed downstream, an error spike ranks its service first, a new WARN pattern counts,
// and steady traffic gives no confident finding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EdgeRow, type PatternRow, type RcaInput, type RedRow, rankRootCauses } from '../src/analysis/rca/index.js';
import { DDSketch } from '../src/analysis/sketch/index.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0);
const BASE = { startMs: T0, endMs: T0 + 5 * MIN };
const INC = { startMs: T0 + 5 * MIN, endMs: T0 + 8 * MIN };

/** Deterministic pseudo-random numbers (LCG), so fixtures are stable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sketch(n: number, median: number, r: () => number): DDSketch {
  const s = new DDSketch();
  for (let i = 0; i < n; i++) s.add(median * (0.7 + 0.6 * r()));
  return s;
}

interface Svc {
  name: string;
  requests: number;
  /** Median latency (ms) before and during the incident. */
  latency: [number, number];
  /** Error share before and during. */
  errors?: [number, number];
}

/** Eight minutes of RED rows and caller→callee edges for a chain of services. */
function world(services: Svc[], calls: Array<[string, string]>, seed = 7): Pick<RcaInput, 'red' | 'edges'> {
  const r = rng(seed);
  const red: RedRow[] = [];
  const edges: EdgeRow[] = [];
  const byName = new Map(services.map((s) => [s.name, s]));
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5 ? 1 : 0;
    for (const s of services) {
      const errShare = s.errors?.[inc] ?? 0;
      red.push({ minuteMs, service: s.name, endpoint: `GET /${s.name}`, requests: s.requests, errors: Math.round(s.requests * errShare), latency: sketch(s.requests, s.latency[inc], r) });
    }
    for (const [caller, callee] of calls) {
      const c = byName.get(callee) as Svc;
      const errShare = c.errors?.[inc] ?? 0;
      edges.push({ minuteMs, caller, callee, calls: c.requests, errors: Math.round(c.requests * errShare), latency: sketch(c.requests, c.latency[inc], r) });
    }
  }
  return { red, edges };
}

function input(parts: Partial<RcaInput>): RcaInput {
  return { baseline: BASE, incident: INC, red: [], patterns: [], errorGroups: [], edges: [], ...parts };
}

describe('rankRootCauses', () => {
  it('attributes a downstream latency fault to the downstream service, not its callers', () => {
    const w = world(
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
    );
    const res = rankRootCauses(input(w));
    assert.equal(res.services[0]?.service, 'db');
    assert.deepEqual(res.services[0]?.symptomOf, []);
    const cart = res.services.find((s) => s.service === 'cart');
    const frontend = res.services.find((s) => s.service === 'frontend');
    assert.deepEqual(cart?.symptomOf, ['db']);
    assert.deepEqual(frontend?.symptomOf, ['cart']);
    assert.ok(!res.services.some((s) => s.service === 'search'), 'an unchanged service is not a finding');
    const lat = res.services[0]?.signals.find((s) => s.kind === 'latency');
    assert.ok(lat && lat.incident > lat.baseline && lat.q < 0.01 && /Mann–Whitney/.test(lat.test));
    assert.match(cart?.hint ?? '', /explained by anomalous callee db/);
  });

  it('ranks the service with an error spike first', () => {
    const w = world(
      [
        { name: 'frontend', requests: 300, latency: [40, 40], errors: [0.01, 0.02] },
        { name: 'payment', requests: 200, latency: [20, 20], errors: [0.01, 0.3] },
        { name: 'catalog', requests: 250, latency: [15, 15], errors: [0.01, 0.01] },
      ],
      [
        ['frontend', 'payment'],
        ['frontend', 'catalog'],
      ],
    );
    const res = rankRootCauses(input(w));
    assert.equal(res.services[0]?.service, 'payment');
    const err = res.services[0]?.signals.find((s) => s.kind === 'error-rate' || s.kind === 'edge-errors');
    assert.ok(err && err.incident > 0.25 && err.baseline < 0.02 && /Fisher/.test(err.test));
  });

  it('counts a new WARN pattern spike', () => {
    const patterns: PatternRow[] = [];
    for (let m = 0; m < 8; m++) {
      const minuteMs = T0 + m * MIN;
      for (const service of ['search', 'cart']) {
        patterns.push({ minuteMs, service, key: `${service}-info`, level: 'INFO', count: 100 });
      }
      if (m >= 5) patterns.push({ minuteMs, service: 'search', key: 'search-timeout', level: 'WARN', count: 40, label: 'index shard <*> timed out' });
    }
    const res = rankRootCauses(input({ patterns }));
    assert.equal(res.services[0]?.service, 'search');
    const s = res.services[0]?.signals.find((x) => x.key === 'search-timeout');
    assert.equal(s?.kind, 'error-pattern');
    assert.equal(s?.baseline, 0);
    assert.ok((s?.incident ?? 0) > 0.2);
    assert.ok(!res.services.some((x) => x.service === 'cart'));
  });

  it('gives no confident finding when nothing changed', () => {
    const w = world(
      [
        { name: 'frontend', requests: 200, latency: [40, 40], errors: [0.01, 0.01] },
        { name: 'cart', requests: 200, latency: [25, 25] },
      ],
      [['frontend', 'cart']],
      11,
    );
    const patterns: PatternRow[] = [];
    for (let m = 0; m < 8; m++) patterns.push({ minuteMs: T0 + m * MIN, service: 'cart', key: 'k', level: 'INFO', count: 50 });
    const metrics = [];
    for (let m = 0; m < 8; m++) metrics.push({ minuteMs: T0 + m * MIN, service: 'cart', name: 'cpu', value: 10 + (m % 3) });
    const res = rankRootCauses(input({ ...w, patterns, metrics }));
    assert.ok(res.tests > 0);
    assert.deepEqual(res.services, []);
  });

  it('finds a CPU saturation from resource gauges alone', () => {
    const metrics = [];
    for (let m = 0; m < 8; m++) {
      metrics.push({ minuteMs: T0 + m * MIN, service: 'auth', name: 'cpu', value: m >= 5 ? 250 + m : 5 + (m % 2) });
      metrics.push({ minuteMs: T0 + m * MIN, service: 'cart', name: 'cpu', value: 8 + (m % 2) });
    }
    const res = rankRootCauses(input({ metrics }));
    assert.deepEqual(
      res.services.map((s) => s.service),
      ['auth'],
    );
  });
});
