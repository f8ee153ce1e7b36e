// Root-cause ranking on small synthetic worlds: a downstream latency fault seen upstream is
// attributed downstream, an error spike ranks its service first, a new WARN pattern counts,
// steady traffic gives no confident finding; changes count only in the direction a fault moves
// them, a pattern is judged against its co-logged partner so the request mix does not move it,
// latency against the baseline's own minute-to-minute swing, rates per minute of data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EdgeRow, PatternRow, RcaInput, RedRow } from '../src/analysis/rca/index.js';
import { rankRootCauses } from '../src/analysis/rca/index.js';
import { DDSketch } from '../src/analysis/sketch/index.js';
import { RCA_WORLDS } from './helpers/rca-world-cases.js';
import { INC, MIN, REF, SHORT, T0, input, logRows, mixRows, rng, sketch, world } from './helpers/rca-worlds.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('rankRootCauses', () => {
  it('blames a caller whose calls per request to its callee rose (an N+1), not the callee slowed by the extra load', () => {
    // payments serves 20 checkouts a minute throughout; it calls catalog once per checkout, then 6 times.
    const res = rankRootCauses(RCA_WORLDS['n-plus-one']!().input);
    assert.equal(
      res.services[0]?.service,
      'payments',
      JSON.stringify(res.services.map((s) => [s.service, s.score, s.symptomOf])),
    );
    const fanout = res.services[0]!.signals.find((s) => s.kind === 'edge-fanout');
    assert.equal(fanout?.key, 'payments→catalog');
    assert.equal(fanout?.incident, 6);
    assert.deepEqual(res.services.find((s) => s.service === 'catalog')?.symptomOf, ['payments']);
  });

  it('attributes a downstream latency fault to the downstream service, not its callers', () => {
    const res = rankRootCauses(RCA_WORLDS['downstream-latency']!().input);
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

  it("with no baseline at all (a world younger than the window), a caller failing on its calls to a failing callee is that callee's symptom", () => {
    const r = rng(5);
    const minuteMs = INC.startMs;
    const errorsOn = (caller: string): RcaInput => ({
      ...input({
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
        edges: [{ minuteMs, caller, callee: 'cart', calls: 160, errors: 159, latency: sketch(160, 22, r) }],
      }),
    });
    const res = rankRootCauses(errorsOn('web'));
    assert.deepEqual(
      res.services.map((s) => [s.service, s.symptomOf]),
      [
        ['cart', []],
        ['web', ['cart']],
      ],
    );
    // Both raw scores are the same (each new error group is as strong as can be): without the
    // edge's errors, the order would rest on the names alone.
    assert.equal(res.services[1]?.ownScore, res.services[0]?.ownScore);
    // An edge that carried no errors does not tie them.
    const quiet = errorsOn('web');
    quiet.edges = quiet.edges.map((e) => ({ ...e, errors: 0 }));
    assert.deepEqual(rankRootCauses(quiet).services.find((s) => s.service === 'web')?.symptomOf, []);
  });

  it("a new call path from a caller that was already running is the caller's own change, not a symptom", () => {
    const r = rng(6);
    const red: RedRow[] = [];
    const edges: EdgeRow[] = [];
    const errorGroups = [];
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
        // web's new release calls cart, which rejects the calls.
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
    const res = rankRootCauses(input({ red, edges, errorGroups }));
    assert.deepEqual(res.services.find((s) => s.service === 'web')?.symptomOf, []);
  });

  it('ranks the service with an error spike first', () => {
    const res = rankRootCauses(RCA_WORLDS['error-spike']!().input);
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
    const res = rankRootCauses(input({ patterns }));
    assert.equal(res.services[0]?.service, 'search');
    const s = res.services[0]?.signals.find((x) => x.key === 'search-timeout');
    assert.equal(s?.kind, 'new-error-pattern');
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
    for (let m = 0; m < 8; m++)
      patterns.push({ minuteMs: T0 + m * MIN, service: 'cart', key: 'k', level: 'INFO', count: 50 });
    const metrics = [];
    for (let m = 0; m < 8; m++)
      metrics.push({ minuteMs: T0 + m * MIN, service: 'cart', name: 'cpu', value: 10 + (m % 3) });
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

  it('a utilization gauge: a CPU spike far from the limit is no cause; one at the limit is; the usage of a limited resource is not tested', () => {
    const metrics = [];
    for (let m = 0; m < 8; m++) {
      const minuteMs = T0 + m * MIN;
      // cart: 5 → 40 millicores in the incident's last minute (8×), 1% → 8% of its 500m limit.
      const cart = m === 7 ? 0.04 : 0.005 + 0.0005 * (m % 2);
      metrics.push({ minuteMs, service: 'cart', name: 'k8s.pod.cpu.usage', value: cart });
      metrics.push({ minuteMs, service: 'cart', name: 'k8s.pod.cpu_limit_utilization', value: cart / 0.5 });
      // auth: at its limit from the incident's second minute.
      const auth = m >= 6 ? 0.5 : 0.004 + 0.0005 * (m % 2);
      metrics.push({ minuteMs, service: 'auth', name: 'k8s.pod.cpu.usage', value: auth });
      metrics.push({ minuteMs, service: 'auth', name: 'k8s.pod.cpu_limit_utilization', value: auth / 0.5 });
    }
    const res = rankRootCauses(input({ metrics }));
    assert.deepEqual(
      res.services.map((s) => s.service),
      ['auth'],
    );
    assert.deepEqual(
      res.services[0]?.signals.map((s) => s.key),
      ['k8s.pod.cpu_limit_utilization'],
    );
    // Without the utilization, cart's eightfold usage is a finding of its own.
    const usageOnly = rankRootCauses(input({ metrics: metrics.filter((r) => r.name === 'k8s.pod.cpu.usage') }));
    assert.deepEqual(usageOnly.services.map((s) => s.service).sort(), ['auth', 'cart']);
  });

  it('tests log patterns against the reference too: a short baseline leaves a healthy comparison', () => {
    const patterns = logRows('contacts', (m) => (m >= INC.startMs ? 4 : 0));
    const without = rankRootCauses(input({ baseline: SHORT, patterns }));
    assert.deepEqual(without.services, [], 'against 20 baseline lines, 12 new errors in 72 are not significant');
    const withRef = rankRootCauses(input({ baseline: SHORT, reference: [REF], patterns }));
    assert.equal(withRef.services[0]?.service, 'contacts');
    const s = withRef.services[0]?.signals.find((x) => x.key === 'contacts-warn');
    assert.equal(s?.kind, 'new-error-pattern');
    assert.match(withRef.services[0]?.hint ?? '', /^carried by log patterns: new-error-pattern contacts-warn/);
  });

  it('does not call a pattern new when the reference has it, and weighs new patterns up', () => {
    // Same incident share in both services; only "fresh" never logged it while healthy.
    const patterns = [
      ...logRows('fresh', (m) => (m >= INC.startMs ? 6 : 0)),
      ...logRows('known', (m) => (m >= INC.startMs ? 6 : m < T0 && m < REF.startMs + 2 * MIN ? 1 : 0)),
    ];
    const res = rankRootCauses(input({ baseline: SHORT, reference: [REF], patterns }));
    const fresh = res.services.find((x) => x.service === 'fresh');
    const known = res.services.find((x) => x.service === 'known');
    assert.equal(fresh?.signals.find((x) => x.key === 'fresh-warn')?.kind, 'new-error-pattern');
    assert.equal(known?.signals.find((x) => x.key === 'known-warn')?.kind, 'error-pattern');
    assert.equal(res.services[0]?.service, 'fresh');
    const unweighted = rankRootCauses(input({ baseline: SHORT, reference: [REF], patterns }), { newPatternWeight: 1 });
    const f1 = unweighted.services.find((x) => x.service === 'fresh');
    assert.ok(fresh && f1 && fresh.score > f1.score, 'the novelty weight raises the score');
    const w2 = fresh?.signals.find((x) => x.key === 'fresh-warn')?.weight ?? 0;
    const w1 = f1?.signals.find((x) => x.key === 'fresh-warn')?.weight ?? 0;
    assert.ok(w1 > 0 && Math.abs(w2 - 2 * w1) < 1e-9);
  });

  it('compares latency with the recent baseline only, not the reference', () => {
    // The reference hour ran slower (other load); the recent baseline and the incident agree.
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
    const res = rankRootCauses(input({ red, reference: [REF] }));
    assert.deepEqual(res.services, []);
  });

  it('lists the non-significant services after the significant ones when asked', () => {
    const patterns = [
      ...logRows('a', (m) => (m >= INC.startMs ? 40 : 0)),
      ...logRows('b', (m) => (m >= INC.startMs ? 1 : 0)),
      ...logRows('c', () => 0),
    ];
    const strict = rankRootCauses(input({ patterns }));
    assert.deepEqual(
      strict.services.map((s) => s.service),
      ['a'],
    );
    const loose = rankRootCauses(input({ patterns }), { weakCandidates: true });
    assert.equal(loose.services[0]?.service, 'a');
    assert.ok(loose.services[0] && loose.services[0].score > 0);
    const b = loose.services.find((s) => s.service === 'b');
    assert.ok(b && b.score === 0 && /not significant/.test(b.hint));
    assert.ok(
      loose.services.findIndex((s) => s.service === 'b') < loose.services.findIndex((s) => s.service === 'c') ||
        !loose.services.some((s) => s.service === 'c'),
    );
  });

  it('counts changes only in the direction a fault moves them: fewer errors and faster requests are no finding', () => {
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
      if (m < 5)
        patterns.push({ minuteMs: T0 + m * MIN, service: 'orders', key: 'db-retry', level: 'ERROR', count: 30 });
    }
    const w = world([{ name: 'search', requests: 200, latency: [40, 10] }], []);
    const res = rankRootCauses(input({ red: [...w.red, ...red], edges: w.edges, patterns }));
    assert.deepEqual(res.services, [], res.services.map((s) => s.hint).join('; '));
    // The same changes the other way round are findings.
    const up: PatternRow[] = patterns.filter((p) => p.key !== 'db-retry');
    for (let m = 5; m < 8; m++)
      up.push({ minuteMs: T0 + m * MIN, service: 'orders', key: 'db-retry', level: 'ERROR', count: 30 });
    const slow = world([{ name: 'search', requests: 200, latency: [10, 40] }], []);
    const res2 = rankRootCauses(input({ red: [...slow.red, ...red], edges: slow.edges, patterns: up }));
    assert.deepEqual(res2.services.map((s) => s.service).sort(), ['orders', 'search']);
  });

  it('judges a pattern against its co-logged partner: a change of the request mix is no finding, a skipped statement is', () => {
    // "mix": the mix moves from /b to /a, every statement still logged once per request.
    const mix = mixRows(
      'mix',
      (m) => (m < 5 ? [20 + 5 * (m % 3), 60 - 5 * (m % 2)] : [70, 15]),
      () => false,
    );
    // "skip": the same mix move, and a2 is no longer logged.
    const skip = mixRows(
      'skip',
      (m) => (m < 5 ? [20 + 5 * (m % 3), 60 - 5 * (m % 2)] : [70, 15]),
      (m) => m >= 5,
    );
    const res = rankRootCauses(
      input({ red: [...mix.red, ...skip.red], patterns: [...mix.patterns, ...skip.patterns] }),
    );
    assert.deepEqual(
      res.services.map((s) => s.service),
      ['skip'],
    );
    const a2 = res.services[0]?.signals.find((s) => s.key === 'skip-a2');
    assert.ok(a2 && a2.incident === 0 && a2.baseline > 0.9, JSON.stringify(a2));
    assert.match(a2.test, /co-logged partner/);
  });

  it("calibrates latency to the baseline's own minute-to-minute swing", () => {
    const r = rng(5);
    const red: RedRow[] = [];
    for (let m = 0; m < 8; m++) {
      const minuteMs = T0 + m * MIN;
      // "swingy" alternates between 10 and 16 ms medians while healthy; "steady" stays at 10.
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
    const res = rankRootCauses(input({ red }));
    assert.deepEqual(
      res.services.map((s) => s.service),
      ['steady'],
    );
  });

  it('counts error groups per minute of telemetry: a gap in the data is not a lower rate', () => {
    const long = { startMs: T0 - 25 * MIN, endMs: T0 + 5 * MIN };
    const errorGroups = [];
    const patterns: PatternRow[] = [];
    // Data in two baseline minutes and the three incident minutes only, the same rate throughout.
    for (const m of [3, 4, 5, 6, 7]) {
      errorGroups.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'TimeoutError', count: 5 });
      patterns.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'info', level: 'INFO', count: 50 });
    }
    const res = rankRootCauses(input({ baseline: long, errorGroups, patterns }));
    assert.deepEqual(res.services, []);
  });

  it('counts a service with no telemetry in the baseline as one quiet minute: a burst of errors stands out, a few do not', () => {
    const errorGroups = [];
    for (const m of [5, 6, 7]) {
      errorGroups.push({ minuteMs: T0 + m * MIN, service: 'cart', key: 'TypeError', count: 60 });
      errorGroups.push({ minuteMs: T0 + m * MIN, service: 'web', key: 'Timeout', count: 1 });
    }
    const res = rankRootCauses(input({ errorGroups }));
    assert.deepEqual(
      res.services.map((s) => s.service),
      ['cart'],
    );
  });

  it('finds against the reference a fault that had already begun in the recent baseline', () => {
    // The error pattern began before the baseline window (the alert came late).
    const patterns = logRows('contacts', (m) => (m >= T0 ? 6 : 0));
    const without = rankRootCauses(input({ patterns }));
    assert.deepEqual(without.services, []);
    const withRef = rankRootCauses(input({ patterns, reference: [REF] }));
    assert.equal(withRef.services[0]?.service, 'contacts');
    const s = withRef.services[0]?.signals.find((x) => x.key === 'contacts-warn');
    assert.ok(s && /known-good reference/.test(s.test) && s.kind === 'new-error-pattern');
  });

  it('leaves tests that could never pass out of the FDR family: noise that cannot be significant does not dilute a real signal', () => {
    const patterns = logRows('contacts', (m) => (m >= INC.startMs ? 4 : 0));
    const base = rankRootCauses(input({ baseline: SHORT, reference: [REF], patterns }));
    const q = base.services[0]?.signals[0]?.q ?? 1;
    // Two hundred services that each logged one line once.
    const noise: PatternRow[] = Array.from({ length: 200 }, (_, i) => ({
      minuteMs: T0 + (i % 8) * MIN,
      service: `idle-${i}`,
      key: 'x',
      level: 'INFO',
      count: 1,
    }));
    const res = rankRootCauses(input({ baseline: SHORT, reference: [REF], patterns: [...patterns, ...noise] }));
    assert.equal(res.services[0]?.service, 'contacts');
    close(res.services[0]?.signals[0]?.q ?? 1, q);
  });

  it('reads rows in buckets of several minutes as the minutes they span: the same rates, the same finding', () => {
    // 32 minutes of baseline (the first bucket cut short) and 10 of incident; 5 errors a
    // minute, then 20; 100 log lines a minute throughout.
    const baseline = { startMs: T0 - 32 * MIN, endMs: T0 };
    const incident = { startMs: T0, endMs: T0 + 10 * MIN };
    const errorGroups = [];
    const patterns: PatternRow[] = [];
    for (let m = -32; m < 10; m++) {
      errorGroups.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'TimeoutError', count: m < 0 ? 5 : 20 });
      patterns.push({ minuteMs: T0 + m * MIN, service: 'pay', key: 'info', level: 'INFO', count: 100 });
    }
    // The same rows summed as minuteSignals sums them: baseline buckets of 5 minutes ending at the
    // incident's start (the first one starting at the baseline's start), incident ones of 4.
    const bucketOf = (ms: number) =>
      ms < T0
        ? Math.max(baseline.startMs, T0 - Math.ceil((T0 - ms) / (5 * MIN)) * 5 * MIN)
        : T0 + Math.floor((ms - T0) / (4 * MIN)) * 4 * MIN;
    const sum = <R extends { minuteMs: number; service: string; key: string; count: number }>(rows: R[]): R[] => {
      const out = new Map<string, R>();
      for (const r of rows) {
        const b = bucketOf(r.minuteMs);
        const o = out.get(`${b} ${r.key}`);
        if (o) o.count += r.count;
        else out.set(`${b} ${r.key}`, { ...r, minuteMs: b });
      }
      return [...out.values()];
    };
    const perMinute = rankRootCauses(input({ baseline, incident, errorGroups, patterns }));
    const bucketed = rankRootCauses(
      input({
        baseline,
        incident,
        errorGroups: sum(errorGroups),
        patterns: sum(patterns),
        bucketMinutes: { baseline: 5, incident: 4 },
      }),
    );
    assert.ok(sum(patterns).length < patterns.length / 4);
    const rates = (res: typeof perMinute) =>
      res.services[0]?.signals.filter((x) => x.kind === 'error-group').map((x) => [x.baseline, x.incident]);
    assert.deepEqual(rates(perMinute), [[5, 20]]);
    assert.deepEqual(rates(bucketed), [[5, 20]]);
    // Without the widths, a bucket would count as one minute: the rates would be wrong.
    const unaware = rankRootCauses(
      input({ baseline, incident, errorGroups: sum(errorGroups), patterns: sum(patterns) }),
    );
    assert.notDeepEqual(rates(unaware), [[5, 20]]);
  });
});
