// MCP tools over triage and investigations: list_problems, get_problem, investigate and
// get_investigation, calling what /api/problems and /api/investigations call.
import { z } from 'zod';
import type { Finding, Investigation, QueuedProblem } from '../../model/index.js';
import { PROBLEM_STATUSES } from '../../store/problem-store.js';
import { investigationStore } from '../../store/index.js';
import {
  InvestigationInputError,
  InvestigationNotFoundError,
  MAX_ANALYSIS_LIMIT,
  getProblem as getProblemDetail,
  investigate as runInvestigation,
  listProblems as listQueued,
  llmSettings,
  narrate,
} from '../../workflows/index.js';
import { timeArg } from '../zod.js';
import type { Item, ToolAnswer } from './envelope.js';
import { ToolInputError, tool } from './registry.js';

const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

interface ProblemItem extends Item {
  title: string;
  kind: string;
  service: string | null;
  status: string;
  priority: number;
  users: number | null;
  events: number;
  trend: string;
  firstSeen: string | null;
  lastSeen: string | null;
  tickets: number;
  owners: string[] | null;
  suspectedDeploy: { id: string; version: string; commit: string | null; verdict: string | null } | null;
  investigation: string | null;
  hint: string;
}

function problemItem(p: QueuedProblem): ProblemItem {
  const d = p.suspectedDeploy;
  return {
    id: `problem:${p.id}`,
    api: `/api/problems/${p.id}`,
    title: p.title,
    kind: p.kind,
    service: p.service,
    status: p.status,
    priority: p.priority.score,
    users: p.users,
    events: p.events,
    trend: typeof p.trend === 'string' ? p.trend : JSON.stringify(p.trend),
    firstSeen: p.firstSeen,
    lastSeen: p.lastSeen,
    tickets: p.tickets.length,
    owners: p.owners,
    suspectedDeploy: d
      ? { id: `deploy:${d.id}`, version: d.version, commit: d.commit, verdict: d.verdict?.verdict ?? null }
      : null,
    investigation: p.investigation ? `investigation:${p.investigation.id}` : null,
    hint: p.hint,
  };
}

export const listProblems = tool({
  name: 'list_problems',
  description:
    'The triage queue: problems (one underlying fault each) by priority, with service, users, tickets and suspected deploy.',
  route: 'GET /api/problems',
  input: z.object({ status: z.enum([...PROBLEM_STATUSES, 'all']).optional() }).strict(),
  paged: true,
  async run({ ctx }, a, page) {
    const limit = Math.min(page.offset + page.limit + 1, MAX_ANALYSIS_LIMIT);
    const problems = await listQueued(ctx, { status: a.status ?? 'open', limit });
    return {
      summary: `${problems.length}${problems.length === limit ? '+' : ''} ${a.status ?? 'open'} problems, highest priority first`,
      data: null,
      items: problems.map(problemItem),
      complete: problems.length < limit,
      links: { problems: `/api/problems?status=${a.status ?? 'open'}` },
    };
  },
});

export const getProblem = tool({
  name: 'get_problem',
  description:
    'One problem: its signals, tickets (the items), merged problems, suspected deploy and latest investigation.',
  route: 'GET /api/problems/:id',
  input: z.object({ id }).strict(),
  paged: true,
  async run({ ctx }, a) {
    const detail = await getProblemDetail(ctx, a.id);
    if (!detail) throw new ToolInputError(`no problem with id ${a.id} (see list_problems)`);
    const p = detail.problem;
    return {
      summary: `problem ${p.id}: ${p.title} (${p.service ?? 'no service'}, ${detail.tickets.length} tickets)`,
      data: {
        problem: problemItem(p),
        members: p.members,
        merged: detail.merged.map((m) => ({ id: `problem:${m.id}`, title: m.title })),
        priority: p.priority,
      },
      items: detail.tickets.map((t) => ({
        id: `ticket:${t.id}`,
        api: `/api/tickets/${t.id}`,
        externalId: t.externalId,
        title: t.title,
        status: t.status,
        createdAt: t.createdAt,
      })),
      complete: true,
      evidence: [`problem:${p.id}`, ...(p.suspectedDeploy ? [`deploy:${p.suspectedDeploy.id}`] : [])],
      links: {
        problem: `/api/problems/${p.id}`,
        ...(p.investigation ? { investigation: `/api/investigations/${p.investigation.id}` } : {}),
      },
    };
  },
});

interface FindingItem extends Item {
  kind: string;
  title: string;
  confidence: number;
  hint: string;
  evidence: Array<{ id: string; kind: string; summary: string; query?: string; ref?: string }>;
  data?: unknown;
}

/** Evidence ids are the finding's id and the evidence's position in it: stable for a stored run. */
function findingItem(inv: number, f: Finding, full: boolean): FindingItem {
  return {
    id: `investigation:${inv}/${f.id}`,
    api: `/api/investigations/${inv}`,
    kind: f.kind,
    title: f.title,
    confidence: f.confidence,
    hint: f.hint,
    evidence: f.evidence.map((e, i) => ({
      id: `investigation:${inv}/${f.id}/e${i + 1}`,
      kind: e.kind,
      summary: e.summary,
      ...(e.query ? { query: e.query } : {}),
      ...(e.ref ? { ref: e.ref } : {}),
    })),
    ...(full ? { data: f.data } : {}),
  };
}

function investigationAnswer(run: Investigation, finding?: string): ToolAnswer<unknown, FindingItem> {
  const r = run.result;
  const suspect = r.findings.find((f) => f.kind === 'suspect_commit');
  const place = r.findings.find((f) => f.kind === 'code_location');
  const picked = finding ? r.findings.filter((f) => f.id === finding) : r.findings;
  if (finding && picked.length === 0)
    throw new ToolInputError(
      `investigation ${run.id} has no finding ${finding} (it has ${r.findings.map((f) => f.id).join(', ')})`,
    );
  return {
    summary: r.summary,
    data: {
      id: `investigation:${run.id}`,
      subject: r.subject,
      problem: run.problemId ? `problem:${run.problemId}` : null,
      algorithm: r.algorithm,
      window: r.window,
      priority: r.priority?.score ?? null,
      suspectCommit:
        suspect?.kind === 'suspect_commit'
          ? {
              sha: suspect.data.sha,
              repository: suspect.data.repository ?? null,
              subject: suspect.data.subject,
              files: suspect.data.files,
              owners: suspect.data.owners,
              finding: suspect.id,
            }
          : null,
      codeLocation:
        place?.kind === 'code_location'
          ? { path: place.data.path, symbol: place.data.symbol, finding: place.id }
          : null,
      narrative: r.narrative?.text ?? null,
      gaps: r.gaps,
      previous: run.previousId ? `investigation:${run.previousId}` : null,
      findingDetail: finding ? 'data included' : 'pass finding: "F3" for one finding with its data',
    },
    items: picked.map((f) => findingItem(run.id, f, finding !== undefined)),
    complete: true,
    evidence: suspect?.kind === 'suspect_commit' ? [`commit:${suspect.data.sha}`] : [],
    links: {
      investigation: `/api/investigations/${run.id}`,
      markdown: `/api/investigations/${run.id}?format=markdown`,
    },
  };
}

export const investigate = tool({
  name: 'investigate',
  description:
    'Investigate a ticket, a problem or an alert (service, optional endpoint, since): related tickets, root service, deploy, code location, suspect commit, impact. Stored; returns its findings.',
  route: 'POST /api/investigations',
  input: z
    .object({
      ticket: id.optional().describe('ticket id (search kind=tickets)'),
      problem: id.optional(),
      service: z.string().trim().min(1).max(256).optional().describe('alert: the service'),
      endpoint: z.string().trim().min(1).max(1024).optional(),
      since: timeArg.optional().describe('alert: when it started'),
    })
    .strict(),
  paged: true,
  async run({ ctx, config }, a) {
    const given = [a.ticket !== undefined, a.problem !== undefined, a.service !== undefined].filter(Boolean).length;
    if (given !== 1)
      throw new ToolInputError('give one subject: ticket, problem, or service (with since) for an alert');
    if (a.service !== undefined && !a.since) throw new ToolInputError('since: required for an alert');
    if (a.endpoint !== undefined && a.service === undefined) throw new ToolInputError('endpoint: only with service');
    const subject =
      a.ticket !== undefined
        ? { kind: 'ticket' as const, ticketId: a.ticket }
        : a.problem !== undefined
          ? { kind: 'problem' as const, problemId: a.problem }
          : {
              kind: 'alert' as const,
              service: a.service!,
              since: a.since!.toISOString(),
              ...(a.endpoint ? { endpoint: a.endpoint } : {}),
            };
    const llm = llmSettings(config);
    try {
      const run = await runInvestigation(ctx, subject, {
        narrate: llm ? (result: Parameters<typeof narrate>[1]) => narrate(llm, result) : null,
      });
      return investigationAnswer(run);
    } catch (err) {
      if (err instanceof InvestigationInputError || err instanceof InvestigationNotFoundError)
        throw new ToolInputError(err.message);
      throw err;
    }
  },
});

export const getInvestigation = tool({
  name: 'get_investigation',
  description: 'A stored investigation: summary, suspect commit, code location, gaps, and its findings with evidence.',
  route: 'GET /api/investigations/:id',
  input: z
    .object({
      id,
      finding: z
        .string()
        .regex(/^F\d{1,4}$/, 'a finding id such as F3')
        .optional()
        .describe('one finding, with its data'),
    })
    .strict(),
  paged: true,
  async run({ ctx }, a) {
    const run = await investigationStore.getInvestigation(ctx.store.db, a.id);
    if (!run) throw new ToolInputError(`no investigation with id ${a.id}`);
    return investigationAnswer(run, a.finding);
  },
});
