// The next steps and the summary of investigate, on fixtures: a rollback citing the change and
// the suspect, an inspection with the suspect's author and the code's owners, a question for the
// customer of an anonymous ticket; the summary cites each kind's first finding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CodeLocation, FindingList, type SuspectCommit, nextSteps, summaryOf } from '../src/analysis/index.js';
import type { Deploy, Evidence } from '../src/model/index.js';

const ev = (summary: string): Evidence => ({ kind: 'commit', summary, ref: summary });
const deploy = (id: number, version: string): Deploy => ({
  id,
  service: 'cart',
  environment: 'prod',
  version,
  commitSha: null,
  previousCommitSha: null,
  deployedAt: '2026-12-01T11:00:00.000Z',
  inferred: false,
  source: 'api',
  attributes: {},
});
const location: CodeLocation = {
  repository: 'shop',
  path: 'services/cart/src/cart.js',
  symbol: 'priceOf',
  startLine: 42,
  endLine: 50,
  owners: ['@shop/cart'],
  score: 1,
  sources: [],
  hint: 'frame 1',
};
const commit = { sha: 'a'.repeat(40), authorName: 'Alice Liddell' } as SuspectCommit;

function world() {
  const list = new FindingList();
  const change = list.add({
    kind: 'change',
    title: 'deploy of cart v2',
    confidence: 0.8,
    hint: 'h',
    evidence: [ev('deploy')],
    data: { service: 'cart' } as never,
  });
  const place = list.add({
    kind: 'code_location',
    title: 'look at priceOf',
    confidence: 0.6,
    hint: 'h',
    evidence: [ev('a'), ev('b'), ev('c')],
    data: {} as never,
  });
  const suspect = list.add({
    kind: 'suspect_commit',
    title: 'commit aaaaaaaaaa "fix" by Alice',
    confidence: 0.7,
    hint: 'h',
    evidence: [ev('commit')],
    data: {} as never,
  });
  return { list, change, place, suspect };
}

describe('nextSteps', () => {
  it('proposes the rollback and the inspection, citing the findings they rest on', () => {
    const { list, change, place, suspect } = world();
    nextSteps(list, {
      change: { deploy: deploy(9, 'v2'), previous: deploy(8, 'v1'), finding: change },
      place: { finding: place, location },
      suspect: { finding: suspect, commit },
      anchor: { anonymous: false, tickets: [3] },
    });
    const steps = list.findings.filter((f) => f.kind === 'next_step');
    assert.deepEqual(
      steps.map((f) => [f.title, f.data]),
      [
        ['roll back cart to v1 (deploy 8)', { action: 'rollback', service: 'cart', from: 'v2', to: 'v1', deployId: 8 }],
        [
          "look at priceOf (services/cart/src/cart.js:42) with Alice Liddell (the suspect commit's author), @shop/cart",
          { action: 'inspect', path: 'services/cart/src/cart.js', symbol: 'priceOf', owners: ['@shop/cart'] },
        ],
      ],
    );
    assert.match(steps[0]!.hint, /\[F1\] and shipped the suspect commit \[F3\]/);
    assert.deepEqual(
      steps[0]!.evidence.map((e) => e.summary),
      ['deploy', 'commit'],
    );
    assert.deepEqual(
      steps[1]!.evidence.map((e) => e.summary),
      ['a', 'b'],
    );
  });

  it('proposes no rollback with no deploy before, and asks the customer of an anonymous ticket', () => {
    const { list, change } = world();
    nextSteps(list, {
      change: { deploy: deploy(9, 'v2'), previous: null, finding: change },
      place: null,
      suspect: null,
      anchor: { anonymous: true, tickets: [3] },
    });
    const steps = list.findings.filter((f) => f.kind === 'next_step');
    assert.deepEqual(
      steps.map((f) => f.data),
      [{ action: 'ask', ask: ['account id or login email', 'time with time zone', 'page or request'] }],
    );
    assert.equal(steps[0]!.evidence[0]!.query, '/api/tickets/3');
  });
});

describe('summaryOf', () => {
  it('cites the first finding of each kind it names, or says no root stood out', () => {
    const { list } = world();
    assert.equal(
      summaryOf(list.findings, 'cart'),
      'No root cause stood out for cart after the deploy of cart v2 [F1]; the likeliest commit is aaaaaaaaaa "fix" by Alice [F3]; look at priceOf [F2].',
    );
    assert.equal(summaryOf([], null), 'No root cause stood out.');
  });

  it("never mixes services: another service's change, and code looked for elsewhere, stay out", () => {
    const list = new FindingList();
    const ev2 = [ev('x')];
    list.add({
      kind: 'root_cause_service',
      title: 'catalog is the likely root cause',
      confidence: 0.5,
      hint: 'h',
      evidence: ev2,
      data: { service: 'catalog', score: 5, symptoms: [] },
    });
    list.add({
      kind: 'root_cause_service',
      title: 'cart is a possible root cause',
      confidence: 0.4,
      hint: 'h',
      evidence: ev2,
      data: { service: 'cart', score: 2, symptoms: [] },
    });
    list.add({
      kind: 'change',
      title: 'deploy of catalog 3.2.1',
      confidence: 0.8,
      hint: 'h',
      evidence: ev2,
      data: { service: 'catalog' } as never,
    });
    list.add({
      kind: 'change',
      title: 'deploy of cart 1.4.0',
      confidence: 0.8,
      hint: 'h',
      evidence: ev2,
      data: { service: 'cart' } as never,
    });
    list.add({
      kind: 'suspect_commit',
      title: 'commit 37f721088a "cart: lineItems"',
      confidence: 0.7,
      hint: 'h',
      evidence: ev2,
      data: {} as never,
    });
    assert.equal(
      summaryOf(list.findings, 'web', { focus: 'cart' }),
      'cart is a possible root cause [F2] after the deploy of cart 1.4.0 [F4]; the likeliest commit is 37f721088a "cart: lineItems" [F5].',
    );
    // The code step looked at cart: a sentence about catalog names neither its commit nor cart's deploy.
    assert.equal(
      summaryOf(list.findings, 'web', { focus: 'search' }),
      'catalog is the likely root cause [F1] after the deploy of catalog 3.2.1 [F3].',
    );
  });
});
