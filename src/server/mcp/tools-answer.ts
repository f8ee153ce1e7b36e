// MCP tools over the answer workflows: explain (a symbol, a route, a service or file:line) and
// ask (a question), calling what GET /api/explain and POST /api/ask call.
import { z } from 'zod';
import type { AnswerLine } from '../../model/index.js';
import {
  AnalysisInputError,
  AskInputError,
  ExplainTargetError,
  MAX_QUESTION_CHARS,
  MAX_TARGET_CHARS,
  ask as askWorkflow,
  explain as explainWorkflow,
  llmSettings,
} from '../../workflows/index.js';
import { timeArg } from '../zod.js';
import type { Item } from './envelope.js';
import { ToolInputError, tool } from './registry.js';

interface LineItem extends Item {
  section: string;
  text: string;
  evidence: Array<{ kind: string; summary: string; query?: string; ref?: string }>;
}

/** A line's evidence id: what its first evidence names (a `path:line`, a query), else its place in the answer. */
function lineItem(line: AnswerLine, section: string, at: string, api: string): LineItem {
  const e = line.evidence[0];
  return {
    id: e ? `${e.kind}:${e.ref ?? e.query ?? at}` : at,
    api,
    section,
    text: line.text,
    evidence: line.evidence.map((x) => ({
      kind: x.kind,
      summary: x.summary,
      ...(x.query ? { query: x.query } : {}),
      ...(x.ref ? { ref: x.ref } : {}),
    })),
  };
}

function windowOf(a: { since?: Date; until?: Date }): { since: Date; until: Date } | undefined {
  if (a.since === undefined && a.until === undefined) return undefined;
  const until = a.until ?? new Date();
  return { since: a.since ?? new Date(until.getTime() - 86_400_000), until };
}

async function inputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ExplainTargetError || err instanceof AskInputError || err instanceof AnalysisInputError)
      throw new ToolInputError(err.message);
    throw err;
  }
}

export const explain = tool({
  name: 'explain',
  description:
    'Explain a symbol, route, service or file:line: where it lives, callers and callees (static and from traces), routes, downstream calls, logs, errors, calls/min, p95, owners, commits, problems.',
  route: 'GET /api/explain',
  input: z
    .object({
      target: z.string().trim().min(1).max(MAX_TARGET_CHARS),
      since: timeArg.optional(),
      until: timeArg.optional(),
    })
    .strict(),
  paged: true,
  async run({ ctx }, a) {
    const r = await inputErrors(() => explainWorkflow(ctx, a.target, { window: windowOf(a) }));
    const api = `/api/explain?target=${encodeURIComponent(a.target)}`;
    return {
      summary: r.summary.text,
      data: {
        target: r.target,
        window: r.window,
        sections: r.sections.map((s) => ({
          title: s.title,
          lines: s.lines.length,
          ...(s.empty ? { empty: s.empty } : {}),
        })),
        gaps: r.gaps,
      },
      items: r.sections.flatMap((s) =>
        s.lines.map((l, i) => lineItem(l, s.title, `explain:${a.target}/${s.title}#${i + 1}`, api)),
      ),
      complete: true,
      links: { explain: api, markdown: `${api}&format=markdown` },
    };
  },
});

export const ask = tool({
  name: 'ask',
  description:
    'Ask about the system ("how does checkout reach payments", "what calls F", "who owns endpoint E"): an answer from the code and runtime graph, each line citing evidence.',
  route: 'POST /api/ask',
  input: z
    .object({
      question: z.string().trim().min(1).max(MAX_QUESTION_CHARS),
      since: timeArg.optional(),
      until: timeArg.optional(),
    })
    .strict(),
  paged: true,
  async run({ ctx, config }, a) {
    const r = await inputErrors(() => askWorkflow(ctx, a.question, { window: windowOf(a), llm: llmSettings(config) }));
    return {
      summary: r.answer.text,
      data: {
        intent: r.intent,
        source: r.answer.source,
        path: r.path?.map((s) => ({ kind: s.kind, service: s.service, name: s.name, ref: s.ref })) ?? null,
        entities: r.entities.map((e) => ({ kind: e.kind, name: e.name, service: e.service, ref: e.ref })),
        files: r.files,
        window: r.window,
        gaps: r.gaps,
      },
      items: r.lines.map((l, i) => lineItem(l, 'answer', `ask:${i + 1}`, '/api/ask')),
      complete: true,
      links: { ask: '/api/ask (POST the same question)' },
    };
  },
});
