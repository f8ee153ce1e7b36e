// The example benches' judge: a bad deploy needs its deploy and culprit commit; a fault with no
// culprit is right only with nothing blamed, and a load surge only with the load named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestedCommands } from '../bench/lib/accuracy-demo-commands.js';
import { type Answer, judge } from '../bench/lib/demo-answer.js';
import type { ScenarioTruth } from '../src/demo/truth.js';

const truth = (over: Partial<ScenarioTruth>): ScenarioTruth => ({
  format: 'demo-truth@3',
  scenario: 'capacity',
  seed: 42,
  startedAt: '2026-12-07T11:00:00.000Z',
  fault: { service: 'catalog', type: 'load-surge', load: { entry: 'web', multiplier: 3 } },
  culprit: null,
  firstBadDeploy: null,
  onset: '2026-12-07T11:02:00.000Z',
  end: null,
  affected: { users: [], accounts: [], errored: [] },
  tickets: [],
  duplicates: [],
  rightFix: null,
  notes: [],
  ...over,
});

const answer = (over: Partial<Answer>): Answer => ({
  ranked: ['catalog'],
  change: null,
  suspect: null,
  location: null,
  rollback: null,
  loadChanges: [],
  ...over,
});

const surge = { service: 'web', entry: 'GET /api/products', baselinePerMinute: 100, incidentPerMinute: 300, ratio: 3 };

describe('demo answers against the truth', () => {
  it('scores a load surge right only with the load named and no deploy or commit blamed', () => {
    const t = truth({});
    assert.deepEqual(judge(t, answer({ loadChanges: [surge] })), { root: true, cause: true, why: [] });
    const blamed = judge(
      t,
      answer({ loadChanges: [surge], change: { service: 'catalog', version: '3.2.1', commit: 'a' } }),
    );
    assert.equal(blamed.cause, false);
    assert.match(blamed.why.join(), /blames deploy catalog 3\.2\.1/);
    assert.equal(judge(t, answer({})).cause, false, 'no load_change finding: a miss');
  });

  it('scores an injected fault right with the service first and nothing blamed', () => {
    const t = truth({ scenario: 'network-delay', fault: { service: 'cart', type: 'network-delay', ms: 40 } });
    assert.deepEqual(judge(t, answer({ ranked: ['cart', 'catalog'] })), { root: true, cause: true, why: [] });
    const v = judge(t, answer({ ranked: ['catalog'], suspect: '0123456789abcdef' }));
    assert.equal(v.root, false);
    assert.equal(v.cause, false);
  });

  it('scores a bad deploy right with its deploy and its culprit commit', () => {
    const t = truth({
      scenario: 'cart-badge',
      fault: { service: 'cart', type: 'code-change' },
      culprit: { commit: 'c1', file: 'services/cart/src/cart-summary.js', function: 'summarizeCart', message: 'm' },
      firstBadDeploy: { service: 'cart', version: '1.4.0', tag: 'cart/v1.4.0', commit: 'c1', at: '' },
    });
    const right = answer({
      ranked: ['cart'],
      change: { service: 'cart', version: '1.4.0', commit: 'c1' },
      suspect: 'c1',
    });
    assert.deepEqual(judge(t, right), { root: true, cause: true, why: [] });
    assert.equal(judge(t, { ...right, suspect: 'c2' }).cause, false);
  });

  it("reads the demo's suggested commands, comments dropped", () => {
    const printed = `Try:\n  npx orrery triage list --server http://x:1\n  npx orrery investigate problem 3 --server http://x:1   # cart: TypeError\n`;
    assert.deepEqual(suggestedCommands(printed), [
      ['triage', 'list', '--server', 'http://x:1'],
      ['investigate', 'problem', '3', '--server', 'http://x:1'],
    ]);
  });
});
