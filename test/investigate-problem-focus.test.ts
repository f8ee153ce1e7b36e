// A problem's investigation stays on the problem's fault (buildInvestigation on fixed facts,
// test/helpers/investigate-facts): cart's new TypeError while catalog saturates after a deploy of
// its own names cart, cart's deploy and nothing of catalog's; catalog's slowness driven by
// payments' N+1 names payments, and no deploy of another service beside it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInvestigation } from '../src/analysis/index.js';
import { findingsOf } from '../src/model/index.js';
import { INVESTIGATE_FACTS } from './helpers/investigate-facts.js';

describe("a problem's investigation", () => {
  it("stays on its own service's fault when another service fails in the same window", () => {
    const facts = INVESTIGATE_FACTS['problem-another-fault']!();
    assert.equal(facts.rca?.services[0]?.service, 'catalog', 'the ranker puts catalog first');
    const r = buildInvestigation(facts);
    assert.deepEqual(
      findingsOf(r.findings, 'root_cause_service').map((f) => f.data.service),
      ['cart'],
    );
    assert.deepEqual(
      findingsOf(r.findings, 'change').map((f) => f.data.service),
      ['cart'],
    );
    assert.equal(
      r.summary,
      'cart is the likely root cause [F1] after the deploy of cart 1.4.0 (7777777777) [F5]; 42 users and 9 accounts hit TypeError in cart [F6].',
    );
    assert.doesNotMatch(r.summary, /catalog/);
    assert.ok(r.gaps.some((g) => /^left out catalog: its signals do not explain cart's trouble/.test(g)));
  });

  it("follows its trouble to the service that explains it, naming no other service's deploy beside it", () => {
    const r = buildInvestigation(INVESTIGATE_FACTS['problem-focus-second']!());
    const roots = findingsOf(r.findings, 'root_cause_service').map((f) => f.data.service);
    assert.deepEqual(roots, ['payments']);
    assert.equal(r.summary, 'payments is the likely root cause [F2]; 1 tickets attached to problem 4 [F1].');
  });
});
