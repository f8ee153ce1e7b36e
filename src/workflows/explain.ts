// `orrery explain <target>`: a symbol, a route, a service or `file:line`, explained from the
// code index, the static calls, sampled traces and the store's RED, error groups, commits and
// problems (analysis/answer: explain@1). An unknown target names the nearest known names; an
// ambiguous one lists its candidates, each written so that explain takes it at once.
import type { ExplainResult, ExplainTarget } from '../model/index.js';
import { buildExplain, explainMarkdown, resolveTarget, targetSpelling } from '../analysis/index.js';
import { type AnswerWorldOptions, readAnswerWorld } from './answer-world.js';
import type { Context } from './context.js';

export { explainMarkdown };

/** An unknown or ambiguous target (HTTP 400, exit 2), with what to write instead. */
export class ExplainTargetError extends Error {
  readonly statusCode = 400;
  constructor(
    message: string,
    readonly suggestions: string[],
    readonly candidates: ExplainTarget[],
  ) {
    super(message);
  }
}

export const MAX_TARGET_CHARS = 1024;

export async function explain(
  ctx: Pick<Context, 'store'>,
  target: string,
  opts: AnswerWorldOptions = {},
): Promise<ExplainResult> {
  const q = target.trim();
  if (q === '' || q.length > MAX_TARGET_CHARS)
    throw new ExplainTargetError(
      `a target is 1 to ${MAX_TARGET_CHARS} characters: a symbol, a route, a service or file:line`,
      [],
      [],
    );
  const { world } = await readAnswerWorld(ctx, opts);
  const found = resolveTarget(world, q);
  if (found.kind === 'unknown') {
    const near = found.suggestions.length ? `; nearest: ${found.suggestions.join(', ')}` : '';
    throw new ExplainTargetError(`no symbol, route, service or file is named "${q}"${near}`, found.suggestions, []);
  }
  if (found.kind === 'ambiguous') {
    const list = found.candidates.map(
      (c) =>
        `${targetSpelling(c)} (${c.kind}${c.path ? ` in ${c.path}:${c.startLine}` : ''}${c.service ? `, ${c.service}` : ''})`,
    );
    throw new ExplainTargetError(
      `"${q}" names ${found.candidates.length} things; explain one of: ${list.join('; ')}`,
      found.candidates.map(targetSpelling),
      found.candidates,
    );
  }
  return buildExplain(world, q, found);
}
