// A proposal as Markdown: what `orrery proposals show` prints and GET /api/proposals/:id?format=markdown
// answers. The tier rules and the approval rules are printed with every proposal.
import type { Figure, Proposal } from '../../model/index.js';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? '—' : `${Math.round(x)} ms`);
const fig = (f: Figure, fmt: (x: number | null) => string) =>
  f.value === null ? 'unbounded' : `${fmt(f.value)} (${fmt(f.p10)}–${fmt(f.p90)})`;
const mark = (met: boolean | null) => (met === null ? '?' : met ? '✓' : '✗');

export function proposalMarkdown(p: Proposal): string {
  const out: string[] = [];
  out.push(`# Proposal ${p.id}: ${p.title}`, '');
  out.push(
    `**${p.status}** · risk **${p.risk.tier}** · approvals ${p.approval.counted}/${p.approval.required} · proposed by ${p.proposer} at ${p.createdAt} · expires ${p.expiresAt} · ${p.algorithm}`,
    '',
  );
  out.push('## Why', '', p.rationale, '');
  out.push('## Evidence', '');
  for (const e of p.evidence) out.push(`- ${e.kind}: ${e.summary}${e.query ? ` (\`${e.query}\`)` : ''}`);
  out.push('', '## Simulated effect', '');
  if (p.simulation) {
    const s = p.simulation;
    out.push(
      `${s.method} — simulation ${s.simulationId} (${s.algorithm}), load ×${s.factor.toFixed(2)}${s.set.length ? `, ${s.set.join(' ')}` : ''}`,
      '',
      '| endpoint | error rate now | after | p95 now | after |',
      '|---|---|---|---|---|',
    );
    for (const e of s.endpoints)
      out.push(
        `| ${e.service} ${e.endpoint} | ${pct(e.before.errorRate)} | ${fig(e.after.errorRate, pct)} | ${ms(e.before.p95)} | ${fig(e.after.p95, ms)} |`,
      );
  } else out.push(p.simulationNote ?? 'not simulated');
  out.push('', '## Preconditions', '');
  for (const c of p.preconditions) out.push(`- ${mark(c.met)} ${c.text} — ${c.detail}`);
  out.push('', '## Blast radius', '');
  const b = p.blastRadius;
  out.push(
    `- changes: ${b.changed.join(', ') || '(no service)'}${b.requestsPerMinute !== null ? ` (${b.requestsPerMinute.toFixed(1)} requests/min)` : ''}`,
  );
  out.push(
    `- exposed callers: ${b.exposed.length ? b.exposed.map((e) => `${e.service} via ${e.via} (${e.callsPerMinute.toFixed(1)}/min)`).join('; ') : 'none seen'}`,
  );
  if (b.note) out.push(`- ${b.note}`);
  out.push('', '## Dry run', '', `executor: ${p.diff.executor ?? 'none configured can run it'} → ${p.diff.target}`, '');
  for (const c of p.diff.changes) out.push(`- ${c.what}: ${c.from ?? '(unset)'} → ${c.to ?? '(unset)'}`);
  if (p.diff.patch) out.push('', '```diff', p.diff.patch.trimEnd(), '```');
  out.push('', '## Risk', '', `tier **${p.risk.tier}**:`, ...p.risk.reasons.map((r) => `- ${r}`), '', 'tier rules:');
  out.push(...p.risk.rules.map((r) => `- ${r}`));
  out.push('', '## Approval', '', `${p.approval.counted} of ${p.approval.required} approvals counted. Rules:`);
  out.push(...p.approval.rules.map((r) => `- ${r}`));
  if (p.decisions.length) {
    out.push('', 'decisions:');
    for (const d of p.decisions)
      out.push(
        `- ${d.at} ${d.actorName ?? d.actor} (${d.actor}) ${d.verdict}${d.counted ? '' : ' — not counted'}: ${d.why}${d.comment ? ` — "${d.comment}"` : ''}`,
      );
  }
  if (p.execution) {
    const e = p.execution;
    out.push(
      '',
      '## Execution',
      '',
      `by ${e.executor} on ${e.node}, attempt ${e.attempts}, claimed ${e.claimedAt}${e.finishedAt ? `, finished ${e.finishedAt}` : ''}`,
    );
    if (e.report) {
      out.push(...e.report.did.map((d) => `- did: ${d}`));
      out.push(...e.report.refs.map((r) => `- ${r.kind}: ${r.value}`));
      out.push(`- undo: ${e.report.undo.text}`);
    }
    if (e.error) out.push(`- error: ${e.error}`);
    if (e.recovery) out.push(`- recovery: ${e.recovery}`);
  }
  if (p.outcome) {
    const o = p.outcome;
    out.push('', `## Outcome: ${o.verdict}`, '', `${o.summary} (${o.algorithm}, ${o.services.join(', ')})`);
    for (const t of o.tests)
      out.push(
        `- ${t.measure} ${t.direction}: ${t.before.toPrecision(3)} → ${t.after.toPrecision(3)}, p=${t.p.toPrecision(2)} at level ${t.level.toPrecision(2)}${t.passed ? ' — passed' : ''}`,
      );
    if (o.problem) out.push(`- problem ${o.problem.id}: ${o.problem.action}`);
    if (o.undoProposalId !== null) out.push(`- the undo is proposed as proposal ${o.undoProposalId} (not run)`);
  }
  return `${out.join('\n')}\n`;
}
