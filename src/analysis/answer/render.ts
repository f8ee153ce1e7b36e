// Markdown for explain and ask: each line followed by its citations (`file:line`, or the
// query that shows the rows again).
import type { AnswerLine, AskResult, Evidence, ExplainResult } from '../../model/index.js';

function cite(e: Evidence): string {
  if (e.ref && /:\d+$/.test(e.ref)) return `\`${e.ref}\``;
  if (e.query) return `[${e.kind}](${e.query})`;
  return `\`${e.ref ?? e.kind}\``;
}

export function lineMarkdown(l: AnswerLine): string {
  return `${l.text} — ${l.evidence.map(cite).join(', ')}`;
}

export function explainMarkdown(r: ExplainResult): string {
  const out = [`# ${r.target.name}`, '', lineMarkdown(r.summary), ''];
  for (const s of r.sections) {
    out.push(`## ${s.title}`, '');
    if (s.lines.length === 0) out.push(`_${s.empty ?? 'nothing'}_`);
    for (const l of s.lines) out.push(`- ${lineMarkdown(l)}`);
    out.push('');
  }
  out.push(`_Window ${r.window.since} – ${r.window.until}; ${r.algorithm}._`);
  if (r.gaps.length) out.push('', '## Gaps', '', ...r.gaps.map((g) => `- ${g}`));
  return `${out.join('\n')}\n`;
}

export function askMarkdown(r: AskResult): string {
  const out = [`# ${r.question}`, ''];
  if (r.answer.source === 'llm')
    out.push(
      r.answer.text,
      '',
      `_Written by ${r.answer.model} over the evidence below; its citations were checked._`,
      '',
    );
  if (r.path) {
    out.push('## Path', '');
    r.path.forEach((s, i) => {
      out.push(`${i + 1}. ${lineMarkdown(s.line)}`);
    });
    out.push('');
  } else if (r.lines.length) {
    out.push('## Answer', '');
    for (const l of r.lines) out.push(`- ${lineMarkdown(l)}`);
    out.push('');
  }
  if (r.entities.length) {
    out.push('## Entities', '');
    for (const e of r.entities.slice(0, 12)) out.push(`- ${e.kind} ${e.name}${e.ref ? ` (\`${e.ref}\`)` : ''}`);
    out.push('');
  }
  out.push(`_${r.intent} question; window ${r.window.since} – ${r.window.until}; ${r.algorithm}._`);
  if (r.gaps.length) out.push('', '## Gaps', '', ...r.gaps.map((g) => `- ${g}`));
  return `${out.join('\n')}\n`;
}
