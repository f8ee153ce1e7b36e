// The optional LLM prose of an answer: the prompt holds the question and the deterministic
// answer's lines as numbered evidence (F1, F2, …), and the prose must pass the narrative's
// citation check against exactly those lines: every sentence cites one, and every number and
// identifier it states is in them. An answer that cites nothing it was given is rejected.
import type { AnswerLine, AskResult } from '../../model/index.js';
import { type ChatMessage, type CitableSource, type NarrativeCheck, checkCitedText } from '../investigate/index.js';

export const ANSWER_PROMPT_MAX_LINES = 40;

const SYSTEM_PROMPT = [
  "You answer an engineer's question about a production system, from evidence an analysis already found.",
  'The evidence is given as numbered lines (F1, F2, …); each line cites code (path:line) or telemetry.',
  'Rules:',
  '- Write 2 to 6 sentences of plain prose. No headings, no lists, no Markdown.',
  '- Every sentence cites one or more evidence ids in square brackets, like [F2] or [F1, F3], before its full stop. Cite only the ids given.',
  '- Use only names, paths, numbers and identifiers that appear in the evidence, written as they appear there.',
  '- Walk the reader through the answer in order (for a path: from the first step to the last).',
  'An answer that breaks a rule is discarded and the engineer sees the evidence lines instead.',
].join('\n');

function sourceOf(l: AnswerLine, i: number): CitableSource {
  return {
    id: `F${i + 1}`,
    texts: [l.text, ...l.evidence.flatMap((e) => [e.summary, ...(e.ref ? [e.ref] : [])])],
    queries: l.evidence.flatMap((e) => (e.query ? [e.query] : [])),
  };
}

export function answerMessages(r: AskResult): ChatMessage[] {
  const lines = r.lines.slice(0, ANSWER_PROMPT_MAX_LINES);
  const body = lines
    .map((l, i) => `F${i + 1}: ${l.text} [${l.evidence.map((e) => e.ref ?? e.query ?? e.kind).join('; ')}]`)
    .join('\n');
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: `Question: ${r.question}\n\nEvidence:\n${body}` },
  ];
}

/** The check an answer's prose must pass: the narrative's rules against the lines it was given. */
export function checkAnswerText(text: string, r: AskResult): NarrativeCheck {
  return checkCitedText(text, r.lines.slice(0, ANSWER_PROMPT_MAX_LINES).map(sourceOf), 'evidence line');
}
