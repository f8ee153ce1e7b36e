// Root-cause findings from rca's ranking: symptoms are left out unless they raised new
// exceptions of their own; every finding has evidence; traffic is never a root cause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FindingList, changeFinding, priorityScore, rcaFindings } from '../src/analysis/index.js';
import type { Deploy } from '../src/model/index.js';
import type { RankedService, RcaResult, RcaSignal } from '../src/analysis/index.js';

function signal(service: string, kind: RcaSignal['kind'], key: string): RcaSignal {
  return {
    kind,
    service,
    key,
    baseline: 0,
    incident: 50,
    unit: 'per minute',
    test: 't',
    statistic: 9,
    p: 1e-12,
    q: 1e-11,
    weight: 11,
  };
}
function ranked(service: string, signals: RcaSignal[], symptomOf: string[] = []): RankedService {
  return { service, score: 10, ownScore: 10, confidence: 0.8, symptomOf, hint: `${service} changed`, signals };
}
function result(services: RankedService[]): RcaResult {
  return {
    algorithm: 'rca@1',
    baseline: { startMs: 0, endMs: 1 },
    incident: { startMs: 1, endMs: 2 },
    services,
    tests: 10,
    significant: 5,
  };
}

describe('rcaFindings', () => {
  it('keeps a symptom that raised its own new exception, naming what it may be a symptom of', () => {
    const rca = result([
      ranked('catalog', [signal('catalog', 'latency', 'GET /products')]),
      ranked('web', [signal('web', 'latency', 'GET /api/cart')], ['catalog']),
      ranked('cart', [signal('cart', 'error-group', 'fp1')], ['catalog']),
      ranked('search', [signal('search', 'traffic', '*')]),
    ]);
    const list = new FindingList();
    const roots = rcaFindings(list, rca, '2026-11-22T10:00:00Z');
    assert.deepEqual(
      roots.map((r) => r.service),
      ['catalog', 'cart'],
    );
    const titles = list.findings.filter((f) => f.kind === 'root_cause_service').map((f) => f.title);
    assert.deepEqual(titles, [
      'catalog is the likely root cause',
      'cart is a possible root cause (or a symptom of catalog)',
    ]);
    assert.match(list.findings[0]!.hint, /web, cart show it upstream/);
    assert.ok(list.findings.every((f) => f.evidence.length > 0));
  });

  it('finds no root cause when only traffic changed', () => {
    const list = new FindingList();
    assert.deepEqual(rcaFindings(list, result([ranked('web', [signal('web', 'traffic', '*')])]), 'x'), []);
    assert.equal(list.findings.length, 0);
  });
});

describe('changeFinding and priorityScore', () => {
  const deploy = (id: number, at: string, version: string): Deploy => ({
    id,
    service: 'cart',
    environment: 'prod',
    version,
    commitSha: `${id}`.repeat(40).slice(0, 40),
    previousCommitSha: null,
    deployedAt: at,
    inferred: false,
    source: 'api',
    attributes: {},
  });
  const onset = Date.parse('2026-11-22T17:30:00Z');

  it('takes the last deploy at or before the onset (a minute of slack) within the look-back, likelier the closer', () => {
    const list = new FindingList();
    const deploys = [
      deploy(1, '2026-11-22T10:00:00Z', '1.2.0'), // beyond the 6 h look-back
      deploy(2, '2026-11-22T17:00:00Z', '1.3.0'),
      deploy(3, '2026-11-22T17:30:40Z', '1.4.0'), // within the minute of slack
      deploy(4, '2026-11-22T17:35:00Z', '1.5.0'), // after the onset
    ];
    const f = changeFinding(list, 'cart', deploys, onset, 6 * 3_600_000)!;
    assert.equal(f.data.version, '1.4.0');
    assert.ok(Math.abs(f.confidence - 0.9) < 1e-9, 'less than a minute before: 0.3 + 0.6');
    const earlier = changeFinding(new FindingList(), 'cart', deploys.slice(0, 2), onset, 6 * 3_600_000)!;
    assert.equal(earlier.data.version, '1.3.0');
    assert.ok(Math.abs(earlier.confidence - (0.3 + 0.6 * 0.5)) < 1e-9, '30 minutes before halves the lead');
    assert.equal(changeFinding(new FindingList(), 'cart', [deploys[0]!, deploys[3]!], onset, 6 * 3_600_000), null);
  });

  it('computes the priority by its printed formula', () => {
    const p = priorityScore({ users: 99, accounts: 9, activeUsers: 500, tickets: 5, growth: 4, severity: 0.5 });
    // 0.5 × (log10(100) + 0.5·log10(10)) × (1 + 0.5·log2(4)) × (1 + 0.2·5) = 0.5 × 2.5 × 2 × 2
    assert.equal(p.score, 5);
    assert.deepEqual(p.inputs, { severity: 0.5, users: 99, accounts: 9, activeUsers: 500, growth: 4, tickets: 5 });
    assert.match(p.formula, /log10\(1\+users\)/);
    assert.equal(
      priorityScore({ users: 99, accounts: 9, activeUsers: 500, tickets: 0, growth: 0.01, severity: 1 }).score,
      Number((2.5 * 0.25).toFixed(3)),
      'a falling trend floors at 0.25',
    );
  });
});
