// propose@1's pure core: the rollback-or-revert rule, the risk tiers, how decisions count, the
// replicas that bring a resource under its target, the expiry's bounds, and actions' inverses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decisionState,
  inverseOf,
  judgeDecision,
  parseTtl,
  replicasFor,
  riskOf,
  rollbackOrRevert,
  scaleAction,
} from '../src/analysis/index.js';
import type { Deploy, ProposalBlastRadius } from '../src/model/index.js';

const d = (id: number, version: string, at: string, service = 'cart'): Deploy => ({
  id,
  service,
  environment: 'prod',
  version,
  commitSha: String(id).repeat(40),
  previousCommitSha: null,
  deployedAt: at,
  inferred: false,
  source: 'api',
  attributes: {},
});
const why = { rationale: 'errors rose after the deploy', evidence: [], atFault: ['cart'] };
const suspect = { repository: 'shop', sha: 'a'.repeat(40), subject: 'cart: new totals', evidence: [], label: 'aaaa' };
const blast = (exposed: string[] = []): ProposalBlastRadius => ({
  changed: ['cart'],
  exposed: exposed.map((s) => ({ service: s, via: `${s} → cart`, callsPerMinute: 1 })),
  requestsPerMinute: null,
  window: null,
  note: null,
});

describe('propose@1 rules', () => {
  const v1 = d(1, '1.0.0', '2026-12-01T10:00:00Z');
  const v2 = d(2, '1.1.0', '2026-12-01T12:00:00Z');
  const other = d(5, '9.0.0', '2026-12-01T11:00:00Z', 'web');

  it('rolls the blamed deploy back to the version before it when it is the newest', () => {
    const r = rollbackOrRevert(v2, [v1, v2, other], why, suspect);
    assert.equal(r.draft?.action.kind, 'rollback');
    assert.deepEqual(r.draft?.action, {
      kind: 'rollback',
      service: 'cart',
      environment: 'prod',
      fromVersion: '1.1.0',
      toVersion: '1.0.0',
      toDeployId: 1,
      toCommit: '1'.repeat(40),
    });
  });

  it('reverts the suspect commit when later deploys followed, or there is no earlier version', () => {
    const v3 = d(3, '1.2.0', '2026-12-01T13:00:00Z');
    const later = rollbackOrRevert(v2, [v1, v2, v3], why, suspect);
    assert.equal(later.draft?.action.kind, 'revert');
    assert.match(later.draft!.rationale, /1 later deploy of cart \(1.2.0\)/);
    const first = rollbackOrRevert(v1, [v1], why, suspect);
    assert.equal(first.draft?.action.kind, 'revert');
    const nothing = rollbackOrRevert(v2, [v1, v2, v3], why, null);
    assert.equal(nothing.draft, null);
    assert.match(nothing.note!, /no suspect commit to revert/);
  });
});

describe('risk tiers and approvals', () => {
  const rb = {
    kind: 'rollback',
    service: 'cart',
    environment: '',
    fromVersion: '2',
    toVersion: '1',
    toDeployId: 1,
    toCommit: null,
  } as const;
  it('gives each proposal the highest tier a rule gives, with the reasons and every rule', () => {
    assert.equal(riskOf(rb, ['cart'], blast(['web'])).tier, 'medium');
    assert.equal(riskOf(rb, ['payments'], blast()).tier, 'high');
    assert.equal(riskOf(rb, [], blast()).tier, 'high', 'nothing names it at fault');
    assert.equal(
      riskOf({ kind: 'scale', service: 'cart', replicas: { from: 3, to: 2 }, hpaMin: null }, ['cart'], blast()).tier,
      'high',
    );
    assert.equal(
      riskOf({ kind: 'scale', service: 'cart', replicas: null, hpaMin: { from: 2, to: 3 } }, [], blast()).tier,
      'low',
    );
    assert.equal(
      riskOf({ kind: 'scale', service: 'cart', replicas: { from: 2, to: 3 }, hpaMin: null }, [], blast(['web'])).tier,
      'medium',
    );
    const many = riskOf({ kind: 'restart', services: ['cart', 'web', 'catalog'] }, [], blast());
    assert.equal(many.tier, 'high');
    assert.match(many.reasons[0]!, /changes 3 services/);
    assert.ok(many.rules.some((r) => r.startsWith('low:')));
  });

  it('counts distinct approvers other than the proposer; one rejection rejects', () => {
    assert.deepEqual(judgeDecision('approve', 'token:1', 'token:1').counted, false);
    assert.deepEqual(judgeDecision('approve', 'token:2', 'token:1').counted, true);
    const a = { actor: 'token:2', verdict: 'approve' as const, counted: true };
    const b = { actor: 'token:3', verdict: 'approve' as const, counted: true };
    const own = { actor: 'token:1', verdict: 'approve' as const, counted: false };
    assert.deepEqual(decisionState({ required: 2 }, [a, own]), { state: 'waiting', counted: 1 });
    assert.deepEqual(decisionState({ required: 2 }, [a, a]), { state: 'waiting', counted: 1 });
    assert.deepEqual(decisionState({ required: 2 }, [a, b]), { state: 'approved', counted: 2 });
    assert.equal(
      decisionState({ required: 1 }, [a, { actor: 'token:3', verdict: 'reject', counted: true }]).state,
      'rejected',
    );
  });
});

describe('scale arithmetic, expiry and inverses', () => {
  it('sizes replicas by utilization over the target, at least one more', () => {
    assert.equal(replicasFor({ current: 2, utilization: 0.95, resource: 'cpu', saturated: false }, 0.7), 3);
    assert.equal(replicasFor({ current: 4, utilization: 1.4, resource: 'cpu', saturated: true }, 0.7), 8);
    assert.equal(replicasFor({ current: 2, utilization: 0.5, resource: 'cpu', saturated: false }, 0.7), null);
    assert.deepEqual(scaleAction('cart', 4, { replicas: 2, hpaMin: 2, hasHpa: true }), {
      kind: 'scale',
      service: 'cart',
      replicas: null,
      hpaMin: { from: 2, to: 4 },
    });
  });

  it('reads durations within 1 s to 7 d', () => {
    assert.equal(parseTtl('30m'), 1_800_000);
    assert.equal(parseTtl('2d'), 172_800_000);
    assert.throws(() => parseTtl('8d'), /from 1s to 7d/);
    assert.throws(() => parseTtl('soon'), /duration/);
  });

  it('inverts what can be undone', () => {
    assert.deepEqual(inverseOf({ kind: 'flag', service: 'web', flag: 'x', to: 'off' }), {
      kind: 'flag',
      service: 'web',
      flag: 'x',
      to: 'on',
    });
    assert.equal(inverseOf({ kind: 'restart', services: ['web'] }), null);
    assert.equal(inverseOf({ kind: 'config', service: 'web', name: 'X', from: null, to: '1' }), null);
  });
});
