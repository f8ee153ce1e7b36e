// Root-cause findings from rca@2's ranking: symptoms are left out unless they raised new
// exceptions of their own; every finding has evidence; traffic is never a root cause.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FindingList, rcaFindings } from '../src/analysis/index.js';
import type { RankedService, RcaResult, RcaSignal } from '../src/analysis/index.js';

function signal(service: string, kind: RcaSignal['kind'], key: string): RcaSignal {
  return { kind, service, key, baseline: 0, incident: 50, unit: 'per minute', test: 't', statistic: 9, p: 1e-12, q: 1e-11, weight: 11 };
}
function ranked(service: string, signals: RcaSignal[], symptomOf: string[] = []): RankedService {
  return { service, score: 10, ownScore: 10, confidence: 0.8, symptomOf, hint: `${service} changed`, signals };
}
function result(services: RankedService[]): RcaResult {
  return { algorithm: 'rca@1', baseline: { startMs: 0, endMs: 1 }, incident: { startMs: 1, endMs: 2 }, services, tests: 10, significant: 5 };
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
    assert.deepEqual(roots.map((r) => r.service), ['catalog', 'cart']);
    const titles = list.findings.filter((f) => f.kind === 'root_cause_service').map((f) => f.title);
    assert.deepEqual(titles, ['catalog is the likely root cause', 'cart is a possible root cause (or a symptom of catalog)']);
    assert.match(list.findings[0]!.hint, /web, cart show it upstream/);
    assert.ok(list.findings.every((f) => f.evidence.length > 0));
  });

  it('finds no root cause when only traffic changed', () => {
    const list = new FindingList();
    assert.deepEqual(rcaFindings(list, result([ranked('web', [signal('web', 'traffic', '*')])]), 'x'), []);
    assert.equal(list.findings.length, 0);
  });
});
