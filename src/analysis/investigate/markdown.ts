// An investigation as Markdown for people: the summary, the priority with its formula, then
// each finding with its confidence, why, and the evidence. Pure.
import type { Finding, InvestigationResult } from '../../model/index.js';

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function subjectLine(r: InvestigationResult): string {
  const s = r.subject;
  if (s.kind === 'ticket') return `ticket #${s.ticketId}`;
  if (s.kind === 'problem') return `problem #${s.problemId}`;
  return `alert on ${s.service}${s.endpoint ? ` ${s.endpoint}` : ''} since ${s.since}`;
}

function finding(f: Finding): string {
  const lines = [`### ${f.id} · ${f.title}`, '', `confidence ${pct(f.confidence)} — ${f.hint}`, ''];
  for (const e of f.evidence) {
    lines.push(`- **${e.kind}** ${e.summary}${e.ref ? ` (\`${e.ref}\`)` : ''}${e.query ? ` — \`${e.query}\`` : ''}`);
  }
  return lines.join('\n');
}

export function investigationMarkdown(r: InvestigationResult): string {
  const out = [`# Investigation of ${subjectLine(r)}`, '', r.summary, ''];
  out.push(
    `Window ${r.window.since} → ${r.window.until}${r.window.onset ? `, onset ${r.window.onset}` : ''}; ` +
      `baseline ${r.window.baselineSince} → ${r.window.baselineUntil}.`,
    '',
  );
  if (r.priority) {
    const inputs = Object.entries(r.priority.inputs).map(([k, v]) => `${k} ${v}`);
    out.push(`**Priority ${r.priority.score.toFixed(2)}** = ${r.priority.formula} (${inputs.join(', ')})`, '');
  }
  const steps = r.findings.filter((f) => f.kind === 'next_step');
  if (steps.length) out.push('## Next steps', '', ...steps.map((f) => `- ${f.title} [${f.id}]`), '');
  if (r.narrative)
    out.push(
      '## Narrative',
      '',
      r.narrative.text,
      '',
      `_(${r.narrative.model}; cites ${r.narrative.citations.join(', ')})_`,
      '',
    );
  out.push('## Findings', '');
  for (const f of r.findings) out.push(finding(f), '');
  if (r.gaps.length) out.push('## Not covered', '', ...r.gaps.map((g) => `- ${g}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}
