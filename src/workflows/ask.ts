// `orrery ask "<question>"`: answered deterministically first (analysis/answer: ask@1 —
// retrieval over the world's named things, then a walk of the code and runtime graph), then,
// with an LLM configured, the model writes prose over that answer's lines. The prose passes the
// narrative's citation check against those lines or is dropped (the gap says why) and the
// deterministic answer stands.
import { answerMessages, askMarkdown, buildAsk, checkAnswerText } from '../analysis/index.js';
import type { AskResult } from '../model/index.js';
import { type AnswerWorldOptions, readAnswerWorld } from './answer-world.js';
import type { Context } from './context.js';
import { searchLogs } from './query-raw.js';
import { type LlmSettings, type NarrateOptions, chatCompletion } from './narrate.js';

export { askMarkdown };

export class AskInputError extends Error {
  readonly statusCode = 400;
}

export const MAX_QUESTION_CHARS = 2000;
/** Traces of a template's recent lines read for a "where is T logged" question. */
const LOGGED_TRACES = 20;

export interface AskOptions extends AnswerWorldOptions, NarrateOptions {
  /** The model that writes the prose; null or absent: the deterministic answer only. */
  llm?: LlmSettings | null;
}

/** The model's prose over a deterministic answer, kept only when its citations check out. */
export async function proseAnswer(s: LlmSettings, r: AskResult, opts: NarrateOptions = {}): Promise<AskResult> {
  if (r.lines.length === 0)
    return { ...r, gaps: [...r.gaps, 'LLM answer skipped: there is no evidence to write about'] };
  const out = await chatCompletion(s, answerMessages(r), opts);
  if (!out.ok) return { ...r, gaps: [...r.gaps, out.scrub(`LLM answer skipped: ${out.why}`)] };
  const check = checkAnswerText(out.text, r);
  if (!check.ok) {
    const problems =
      check.problems.slice(0, 6).join('; ') +
      (check.problems.length > 6 ? `; and ${check.problems.length - 6} more` : '');
    return { ...r, gaps: [...r.gaps, out.scrub(`LLM answer rejected, the deterministic answer stands: ${problems}`)] };
  }
  return { ...r, answer: { text: out.text, source: 'llm', model: out.model, citations: check.citations } };
}

export async function ask(ctx: Pick<Context, 'store'>, question: string, opts: AskOptions = {}): Promise<AskResult> {
  const q = question.trim();
  if (q === '') throw new AskInputError('the question is empty');
  if (q.length > MAX_QUESTION_CHARS)
    throw new AskInputError(`the question is longer than ${MAX_QUESTION_CHARS} characters`);
  const { world, code } = await readAnswerWorld(ctx, { ...opts, codeIndex: true });
  let r = buildAsk({ question: q, world, code });
  // "Where is T logged": the sample may hold no line of T (a rare error); read the traces of
  // recent lines that carry the template's longest literal part, and answer again with them.
  const template = r.intent === 'logged' ? r.entities.find((e) => e.kind === 'template') : undefined;
  if (template) {
    const literal = template.name
      .split('<*>')
      .map((p) => p.trim())
      .sort((a, b) => b.length - a.length)[0];
    if (literal && literal.length >= 4) {
      const lines = await searchLogs(ctx, {
        grep: literal,
        since: new Date(world.window.since),
        until: new Date(world.window.until),
        limit: LOGGED_TRACES * 4,
      });
      const extra = [...new Set(lines.map((l) => l.traceId).filter((t): t is string => !!t))].slice(0, LOGGED_TRACES);
      if (extra.length) {
        const again = await readAnswerWorld(ctx, { ...opts, codeIndex: true, extraTraceIds: extra });
        r = buildAsk({ question: q, world: again.world, code: again.code });
      }
    }
  }
  return opts.llm ? proseAnswer(opts.llm, r, opts) : r;
}
