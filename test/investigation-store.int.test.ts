// Stored investigations on both backends: a run is kept whole, a re-run of the same subject
// finds the run before it, and the list summarises runs newest first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InvestigationResult, InvestigationSubject } from '../src/model/index.js';
import { type Store, investigationStore } from '../src/store/index.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';

function result(subject: InvestigationSubject, score: number): InvestigationResult {
  return {
    algorithm: 'investigate@2',
    subject,
    window: {
      since: '2026-11-22T10:00:00.000Z',
      until: '2026-11-22T11:00:00.000Z',
      onset: null,
      baselineSince: '2026-11-22T08:00:00.000Z',
      baselineUntil: '2026-11-22T10:00:00.000Z',
    },
    summary: 's',
    findings: [
      {
        id: 'F1',
        kind: 'signal',
        title: 't',
        confidence: 0.5,
        hint: 'h',
        evidence: [{ kind: 'log', summary: 'x' }],
        data: { users: ['u1'], service: 'cart', errors: 1, requests: 2, firstError: null },
      },
    ],
    priority: { score, formula: 'f', inputs: {} },
    narrative: null,
    gaps: [],
  };
}

for (const backend of ['pglite', 'postgres'] as const) {
  describe(`investigation store (${backend})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = backend === 'pglite' ? await freshPglite() : await freshPostgres());
    });
    after(async () => cleanup());

    it('keeps runs whole and chains re-runs of the same subject', async () => {
      const alert: InvestigationSubject = { kind: 'alert', service: 'cart', since: '2026-11-22T10:00:00.000Z' };
      const ticket: InvestigationSubject = { kind: 'ticket', ticketId: 3 };
      assert.equal(await investigationStore.latestForSubject(store.db, alert), null);
      const first = await investigationStore.insertInvestigation(store.db, {
        result: result(alert, 0.4),
        problemId: null,
        previousId: null,
        diff: null,
      });
      await investigationStore.insertInvestigation(store.db, {
        result: result(ticket, 0.9),
        problemId: null,
        previousId: null,
        diff: null,
      });
      const latest = await investigationStore.latestForSubject(store.db, { ...alert, endpoint: undefined });
      assert.equal(latest?.id, first.id, 'the same alert, however its optional fields are spelled');
      const diff = { added: ['a'], removed: [], changed: [] };
      const second = await investigationStore.insertInvestigation(store.db, {
        result: result(alert, 0.7),
        problemId: null,
        previousId: first.id,
        diff,
      });
      assert.deepEqual(await investigationStore.getInvestigation(store.db, second.id), second);
      assert.deepEqual(second.diff, diff);
      assert.equal((await investigationStore.latestForSubject(store.db, alert))?.id, second.id);
      const list = await investigationStore.listInvestigations(store.db, 10);
      assert.deepEqual(
        list.map((r) => [r.id, r.previousId, r.findings, r.priority]),
        [
          [second.id, first.id, 1, 0.7],
          [second.id - 1, null, 1, 0.9],
          [first.id, null, 1, 0.4],
        ],
      );
    });
  });
}
