// Log flow in root-cause ranking (rca's 'log-flow' test, since rca@3): what follows a log statement in a
// span, baseline against incident. A statement no longer followed by its usual successor (the
// span ends there: an exception) ranks its service; a change of the request mix that leaves each
// statement's successor alone does not; a path that already swung from minute to minute in the
// baseline is discounted; lines of one call site count as one statement.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FlowRow,
  type PatternRow,
  addFlowTests,
  rankRootCauses,
  rankTested,
  statementRows,
  testSignals,
} from '../src/analysis/rca/index.js';
import { calcDone, flowInput as input, MIN, T0 } from './helpers/rca-worlds.js';

describe('log flow (rca@4)', () => {
  it('ranks the service whose statement is no longer followed by its usual successor', () => {
    // "travel": from minute 6 on, half its requests end after calc. "steady": unchanged.
    const travel = calcDone(
      'travel',
      () => 20,
      (m) => (m >= 6 ? 10 : 0),
    );
    const steady = calcDone(
      'steady',
      () => 20,
      () => 0,
    );
    const res = rankRootCauses(
      input({ patterns: [...travel.patterns, ...steady.patterns], flows: [...travel.flows, ...steady.flows] }),
    );
    assert.equal(res.services[0]?.service, 'travel');
    const flow = res.services[0]?.signals.find((s) => s.kind === 'log-flow' && s.key === 'travel-calc→∎');
    assert.ok(flow, JSON.stringify(res.services[0]?.signals));
    assert.equal(flow.baseline, 0);
    assert.equal(flow.incident, 0.5);
    assert.match(flow.label ?? '', /the end of the span/);
    assert.ok(!res.services.some((s) => s.service === 'steady'));
  });

  it('is not moved by the request mix: more or fewer requests, each still followed as before', () => {
    const busy = calcDone(
      'busy',
      (m) => (m >= 6 ? 80 : 15 + (m % 3)),
      () => 0,
    );
    const res = rankRootCauses(input({ patterns: busy.patterns, flows: busy.flows }));
    assert.ok(!res.services.some((s) => s.signals.some((x) => x.kind === 'log-flow')), JSON.stringify(res.services));
  });

  it('discounts a path that swung from minute to minute in the baseline', () => {
    // Both end early in a third of their incident requests. "swingy" already did in alternate
    // baseline minutes (an earlier incident, a branch some requests take); "stable" never did.
    const swingy = calcDone(
      'swingy',
      () => 30,
      (m) => (m >= 6 ? 10 : m % 2 ? 15 : 0),
    );
    const stable = calcDone(
      'stable',
      () => 30,
      (m) => (m >= 6 ? 10 : 0),
    );
    const res = rankRootCauses(
      input({ patterns: [...swingy.patterns, ...stable.patterns], flows: [...swingy.flows, ...stable.flows] }),
    );
    assert.equal(res.services[0]?.service, 'stable');
    const q = (svc: string) =>
      res.services.find((s) => s.service === svc)?.signals.find((x) => x.kind === 'log-flow')?.q ?? 1;
    assert.ok(q('swingy') > q('stable') * 1e3, `swingy q ${q('swingy')}, stable q ${q('stable')}`);
  });

  it('counts the patterns of one call site as one statement', () => {
    const rows: PatternRow[] = [
      {
        minuteMs: T0,
        service: 'price',
        key: 'p1',
        level: 'INFO',
        count: 3,
        site: 'PriceController.java:46',
        label: 'query price <*>',
      },
      {
        minuteMs: T0,
        service: 'price',
        key: 'p2',
        level: 'WARN',
        count: 2,
        site: 'PriceController.java:46',
        label: 'query price <*> <*>',
      },
      { minuteMs: T0, service: 'price', key: 'p3', level: 'INFO', count: 4 },
    ];
    const out = statementRows(rows);
    assert.deepEqual(
      out.map((r) => [r.key, r.count, r.level]),
      [
        ['PriceController.java:46', 5, 'WARN'],
        ['p3', 4, 'INFO'],
      ],
    );
    assert.match(out[0]?.label ?? '', /^PriceController\.java:46 query price/);
  });

  it('follows statements by call site: the templates of one site are one node of the flow', () => {
    // Two templates of site A (its values vary in length), followed by B; from minute 6, A ends the span.
    const patterns: PatternRow[] = [];
    const flows: FlowRow[] = [];
    for (let m = 0; m < 8; m++) {
      const minuteMs = T0 + m * MIN;
      const cut = m >= 6;
      patterns.push({ minuteMs, service: 'route', key: 'a1', level: 'INFO', count: 10, site: 'Route.java:53' });
      patterns.push({ minuteMs, service: 'route', key: 'a2', level: 'INFO', count: 10, site: 'Route.java:53' });
      patterns.push({
        minuteMs,
        service: 'route',
        key: 'b',
        level: 'INFO',
        count: cut ? 0 : 20,
        site: 'Route.java:60',
      });
      if (!cut) {
        flows.push({ minuteMs, service: 'route', from: 'a1', to: 'b', count: 10 });
        flows.push({ minuteMs, service: 'route', from: 'a2', to: 'b', count: 10 });
      }
    }
    const res = rankRootCauses(input({ patterns, flows }));
    const keys = res.services[0]?.signals.filter((s) => s.kind === 'log-flow').map((s) => s.key);
    assert.ok(keys?.includes('Route.java:53→∎'), JSON.stringify(keys));
  });

  it('adds flow tests to tests run without flows: the same ranking as testing everything at once', () => {
    const travel = calcDone(
      'travel',
      () => 20,
      (m) => (m >= 6 ? 10 : 0),
    );
    const steady = calcDone(
      'steady',
      () => 20,
      () => 0,
    );
    const patterns = [...travel.patterns, ...steady.patterns];
    const flows = [...travel.flows, ...steady.flows];
    const once = rankRootCauses(input({ patterns, flows }));
    const first = testSignals(input({ patterns }));
    assert.notEqual(rankTested(first).services[0]?.service, 'travel', 'without flows nothing points at travel');
    const twice = rankTested(addFlowTests(first, flows));
    assert.deepEqual(twice, once);
  });
});
