// The impact decisions of investigate, on fixtures: what to read for a service, one fixture per
// branch of the impact findings (error group followed to the entry or not, capped; WARN and
// ERROR patterns; a latency regression counted from the spans or as an upper bound; nothing
// clear, said in a gap), the priority from the first service counted, and the slow threshold.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DDSketch,
  FindingList,
  type RankedService,
  type RcaSignal,
  type RedRow,
  type ServiceImpactFacts,
  countsImpact,
  impactFindings,
  impactReads,
  slowThreshold,
} from '../src/analysis/index.js';

const sig = (kind: RcaSignal['kind'], key: string, statistic = 3): RcaSignal => ({
  kind,
  service: 'cart',
  key,
  baseline: 20,
  incident: 400,
  unit: 'p50 ms',
  test: 'Mann–Whitney',
  statistic,
  p: 1e-6,
  q: 1e-5,
  weight: 5,
});
const active = { requests: 900, users: 200, accounts: 50, series: [1, 2, 4, 8] };
const group = {
  fingerprint: 'fp-1',
  type: 'TypeError',
  message: 'x is undefined',
  count: 40,
  users: 30,
  accounts: 10,
  series: [1, 1, 2, 4],
  trend: 'rising',
  firstRelease: '1.4.0',
};
const facts = (service: string, over: Partial<ServiceImpactFacts> = {}): ServiceImpactFacts => ({
  service,
  active,
  topGroup: null,
  entry: null,
  pattern: null,
  regression: null,
  ...over,
});
const ctx = { tickets: 2, since: '2026-12-01T11:00:00.000Z' };

describe('impactReads', () => {
  it('names the strongest changed pattern and the regression with its endpoint', () => {
    const ranked: RankedService[] = [
      {
        service: 'cart',
        score: 5,
        ownScore: 5,
        confidence: 0.7,
        symptomOf: [],
        hint: '',
        signals: [
          sig('pattern', 'p-down', -2),
          sig('error-pattern', 'p-1'),
          sig('latency', 'GET /cart'),
          sig('latency', '*'),
        ],
      },
    ];
    const r = impactReads('cart', ranked);
    assert.equal(r.patternKey, 'p-1');
    assert.equal(r.regression?.endpoint, 'GET /cart');
    assert.deepEqual(impactReads('web', ranked), { patternKey: null, regression: null });
  });
});

describe('impactFindings', () => {
  it('counts the users failed at the entry for an error group, and sets the priority from the first counted', () => {
    const list = new FindingList();
    const entry = {
      traces: 12,
      failed: 9,
      users: 7,
      accounts: 3,
      withUser: 9,
      entries: ['web GET /checkout'],
      capped: false,
    };
    const r = impactFindings(list, [facts('cart', { topGroup: group, entry }), facts('web', { topGroup: group })], ctx);
    assert.deepEqual(
      list.findings.map((f) => f.title),
      [
        '7 users and 3 accounts had requests fail with TypeError in cart',
        '30 users and 10 accounts hit TypeError in web',
      ],
    );
    assert.equal(r.priority?.inputs.users, 7);
    assert.equal(r.priority?.inputs.tickets, 2);
    assert.deepEqual(r.gaps, []);
    const capped = new FindingList();
    impactFindings(capped, [facts('cart', { topGroup: group, entry: { ...entry, capped: true } })], ctx);
    assert.match(capped.findings[0]!.hint, /more than 5000 failed traces/);
  });

  it('counts a WARN pattern at 0.4 and an ERROR pattern at 1', () => {
    const p = {
      key: 'p-1',
      template: 'retrying <*>',
      level: 'WARN',
      count: 80,
      users: 12,
      accounts: 4,
      series: [1, 2],
      trend: 'flat',
    };
    const list = new FindingList();
    const r = impactFindings(list, [facts('cart', { pattern: p })], ctx);
    assert.equal(r.priority?.inputs.severity, 0.4);
    assert.equal(list.findings[0]!.title, '12 users and 4 accounts logged "retrying <*>" in cart');
    assert.equal(
      impactFindings(new FindingList(), [facts('cart', { pattern: { ...p, level: 'ERROR' } })], ctx).priority?.inputs
        .severity,
      1,
    );
    assert.equal(countsImpact(facts('cart', { active: null, pattern: { ...p, level: 'INFO' } })), false);
  });

  it('counts the users a latency regression hurt from the spans, else everyone active as an upper bound', () => {
    const regression = { signal: sig('latency', 'GET /cart'), endpoint: 'GET /cart', thresholdMs: 25.4, hurt: null };
    const counted = new FindingList();
    impactFindings(
      counted,
      [
        facts('cart', {
          regression: { ...regression, hurt: { users: 40, accounts: 9, requests: 500, hurt: 120, withUser: 110 } },
        }),
      ],
      ctx,
    );
    assert.equal(
      counted.findings[0]!.title,
      '40 users and 9 accounts had GET /cart fail or slow down while its latency regressed in cart',
    );
    assert.match(counted.findings[0]!.hint, /took longer than 25 ms \(the baseline's p50\)/);
    const bound = new FindingList();
    impactFindings(bound, [facts('cart', { regression })], ctx);
    assert.equal(
      bound.findings[0]!.title,
      '200 users and 50 accounts used it while its latency regressed (GET /cart) in cart',
    );
    assert.equal(bound.findings[0]!.confidence, 0.7);
  });

  it('says which services it could not count when none was counted', () => {
    const list = new FindingList();
    const r = impactFindings(list, [facts('cart'), facts('web', { active: null })], ctx);
    assert.equal(r.priority, null);
    assert.deepEqual(list.findings, []);
    assert.deepEqual(r.gaps, [
      'no error group, WARN/ERROR pattern or regression with users in cart, web, so impact is not counted',
    ]);
  });
});

describe('slowThreshold', () => {
  const row = (minuteMs: number, endpoint: string, ms: number, n: number): RedRow => {
    const latency = new DDSketch();
    for (let i = 0; i < n; i++) latency.add(ms);
    return { minuteMs, service: 'cart', endpoint, requests: n, errors: 0, latency };
  };
  const baseline = { startMs: 0, endMs: 120_000 };
  it("is the baseline's median, for the endpoint or the whole service; null under 20 requests", () => {
    const red = [row(0, 'GET /a', 10, 15), row(60_000, 'GET /b', 100, 15), row(120_000, 'GET /a', 999, 50)];
    assert.equal(slowThreshold(red, baseline, { service: 'cart', endpoint: 'GET /a' }), null);
    const all = slowThreshold(red, baseline, { service: 'cart', endpoint: null })!;
    assert.ok(Math.abs(all - 10) / 10 < 0.02, String(all));
    assert.equal(slowThreshold(red, baseline, { service: 'web', endpoint: null }), null);
  });
});
