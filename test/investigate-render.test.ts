// investigate@3's pure parts: a re-run's diff matches findings by kind and title, and the
// Markdown carries every finding's confidence, hint and evidence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffInvestigations, investigationMarkdown } from '../src/analysis/index.js';
import type { Finding, InvestigationResult } from '../src/model/index.js';

function finding(
  id: string,
  title: string,
  confidence: number,
  kind: 'signal' | 'change' | 'next_step' = 'signal',
): Finding {
  const common = {
    id,
    title,
    confidence,
    hint: `because ${title}`,
    evidence: [{ kind: 'error_group' as const, summary: `rows for ${title}`, ref: 'fp1', query: '/api/errors/fp1' }],
  };
  if (kind === 'change') {
    const deployedAt = '2026-11-22T10:15:00.000Z';
    const data = { deployId: 1, service: 'cart', version: '1.4.0', commit: null, previousCommit: null, deployedAt };
    return { ...common, kind, data };
  }
  if (kind === 'next_step')
    return { ...common, kind, data: { action: 'rollback', service: 'cart', from: '1.4.0', to: '1.3.1', deployId: 1 } };
  return { ...common, kind, data: { users: ['u1'], service: 'cart', errors: 3, requests: 9, firstError: null } };
}

function result(findings: Finding[]): InvestigationResult {
  return {
    algorithm: 'investigate@2',
    subject: { kind: 'ticket', ticketId: 7 },
    window: {
      since: '2026-11-22T10:00:00.000Z',
      until: '2026-11-22T11:00:00.000Z',
      onset: '2026-11-22T10:20:00.000Z',
      baselineSince: '2026-11-22T08:00:00.000Z',
      baselineUntil: '2026-11-22T10:00:00.000Z',
    },
    summary: 'cart throws after its deploy [F1].',
    findings,
    priority: { score: 0.82, formula: 'users × growth', inputs: { users: 17 } },
    narrative: null,
    gaps: ['no LLM configured'],
  };
}

describe('investigation diff and Markdown', () => {
  it('reports added, removed and changed findings, ignoring ids and small shifts', () => {
    const before = result([
      finding('F1', 'TypeError in cart', 0.6),
      finding('F2', 'retry warning spike', 0.5),
      finding('F3', 'old', 0.9),
    ]);
    const after = result([
      finding('F1', 'retry warning spike', 0.52),
      finding('F2', 'TypeError in cart', 0.9),
      finding('F3', 'deploy cart 1.4.0', 0.7, 'change'),
    ]);
    assert.deepEqual(diffInvestigations(before, after), {
      added: ['deploy cart 1.4.0'],
      removed: ['old'],
      changed: [{ title: 'TypeError in cart', from: 0.6, to: 0.9 }],
    });
  });

  it('prints each finding with its confidence, why, and evidence', () => {
    const md = investigationMarkdown(
      result([finding('F1', 'TypeError in cart', 0.87), finding('F2', 'roll back cart to 1.3.1', 0.9, 'next_step')]),
    );
    assert.match(md, /^# Investigation of ticket #7/);
    assert.match(md, /### F1 · TypeError in cart/);
    assert.match(md, /confidence 87% — because TypeError in cart/);
    assert.match(md, /- \*\*error_group\*\* rows for TypeError in cart \(`fp1`\) — `\/api\/errors\/fp1`/);
    assert.match(md, /\*\*Priority 0\.82\*\* = users × growth \(users 17\)/);
    assert.match(md, /## Next steps\n\n- roll back cart to 1\.3\.1 \[F2\]\n/);
    assert.match(md, /## Not covered\n\n- no LLM configured/);
  });
});
