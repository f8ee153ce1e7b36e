// The one conformance suite every remediation executor passes (src/act/executor.ts): it plans
// without changing anything, applies exactly what it planned, reports what it did and how to
// undo it, refuses what it cannot run with a reason, changes nothing when the world no longer
// holds what the action changes from, and never repeats an effect when recovering after a crash.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExecutionContext, type Executor, ExecutorError, idempotencyKeyOf } from '../../src/act/index.js';
import { inverseOf, titleOf } from '../../src/analysis/index.js';
import type { ProposalAction } from '../../src/model/index.js';

export interface Harness {
  executor: Executor;
  /** Actions it runs, each on a world in the state the action changes from (each applied once, in order). */
  actions: ProposalAction[];
  /** An action it does not run (null when it runs every kind). */
  unsupported: ProposalAction | null;
  /** An action whose target no longer holds what it changes from, or refuses it. */
  stale: ProposalAction;
  /** Whether proposal `id`'s action has taken effect in the world. */
  applied(action: ProposalAction, id: number): Promise<boolean>;
  /** A counter of everything that reached the world (commits, branches, pull requests, requests, deploys). */
  effects(): Promise<number>;
  /** Extra context (a revert's repository path). */
  context?(action: ProposalAction): Partial<ExecutionContext>;
  close(): Promise<void>;
}

let nextId = 1000;

export function executorConformance(label: string, make: () => Promise<Harness>): void {
  describe(`executor conformance: ${label}`, () => {
    let h: Harness;
    before(async () => {
      h = await make();
    });
    after(() => h.close());

    const ctxOf = (a: ProposalAction, id: number): ExecutionContext => ({
      proposalId: id,
      title: titleOf(a),
      idempotencyKey: idempotencyKeyOf(id),
      ...(h.context?.(a) ?? {}),
    });

    it('refuses what it cannot run, with a reason, and its plan of it throws', async () => {
      if (!h.unsupported) return;
      const why = h.executor.refusal(h.unsupported);
      assert.ok(why && why.length > 10, `a reason: ${why}`);
      await assert.rejects(h.executor.plan(h.unsupported, ctxOf(h.unsupported, nextId++)), ExecutorError);
    });

    it('plans each action without changing anything, then applies exactly it and reports what it did and how to undo it', async () => {
      for (const a of h.actions) {
        const id = nextId++;
        const x = ctxOf(a, id);
        assert.equal(h.executor.refusal(a), null, `${a.kind} is supported`);
        const before0 = await h.effects();
        const plan = await h.executor.plan(a, x);
        assert.equal(plan.diff.executor, h.executor.name);
        assert.ok(plan.diff.target.length > 0);
        assert.ok(plan.diff.changes.length > 0, `${a.kind}: the dry run names what changes`);
        assert.ok(plan.diff.patch.length > 0, `${a.kind}: the dry run shows the change`);
        assert.ok(
          plan.preconditions.every((c) => c.met !== false),
          `${a.kind}: its preconditions hold`,
        );
        assert.equal(await h.effects(), before0, `${a.kind}: planning changes nothing`);
        assert.equal(await h.applied(a, id), false, `${a.kind}: not applied before apply`);
        const report = await h.executor.apply(a, x);
        assert.equal(report.executor, h.executor.name);
        assert.ok(report.did.length > 0, `${a.kind}: it says what it did`);
        assert.ok(report.undo.text.length > 0, `${a.kind}: it says how to undo it`);
        if (a.kind !== 'restart' && inverseOf(a) !== null)
          assert.ok(report.undo.action, `${a.kind}: the undo as an action`);
        assert.ok(await h.applied(a, id), `${a.kind}: applied`);
        const after1 = await h.effects();
        assert.ok(after1 > before0, `${a.kind}: the world changed`);
        // After a crash that came after the apply: recovering never repeats it.
        const r = await h.executor.recover(a, x);
        assert.ok(r.state === 'executed' || r.state === 'unknown', `${a.kind}: recover says ${r.state}`);
        assert.equal(await h.effects(), after1, `${a.kind}: recovering repeated nothing`);
      }
    });

    it('changes nothing when the world no longer holds what the action changes from', async () => {
      const id = nextId++;
      const before0 = await h.effects();
      await assert.rejects(h.executor.apply(h.stale, ctxOf(h.stale, id)), ExecutorError);
      assert.equal(await h.effects(), before0);
      assert.equal(await h.applied(h.stale, id), false);
    });

    it('recovering an execution that never started runs it at most once, or leaves it to a person', async () => {
      const a = h.actions[0]!;
      const id = nextId++;
      const x = ctxOf(a, id);
      // A fresh world for the first action is not available to every harness: only count effects.
      const before0 = await h.effects();
      const r = await h.executor.recover(a, x).catch((err: Error) => ({ state: 'threw' as const, why: err.message }));
      const after1 = await h.effects();
      if (r.state === 'unknown') assert.equal(after1, before0, 'unknown: nothing was run');
      const again = await h.executor.recover(a, x).catch(() => null);
      void again;
      assert.equal(await h.effects(), after1, 'a second recovery repeats nothing');
    });
  });
}
