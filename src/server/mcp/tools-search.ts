// MCP tools that read the raw window and the code index: search (logs, spans, code, tickets),
// get_trace and owners_for. Each calls what the matching API route calls.
import { z } from 'zod';
import type { LogRow, SpanRow, TicketSummary } from '../../model/index.js';
import { codeStore } from '../../store/index.js';
import { MAX_QUERY_LIMIT, MAX_TICKET_LIST, listTickets, searchLogs, searchSpans } from '../../workflows/index.js';
import { timeArg } from '../zod.js';
import type { Item, ToolAnswer } from './envelope.js';
import { ToolInputError, tool } from './registry.js';

const q = (params: Record<string, string | number | boolean | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

interface SpanItem extends Item {
  time: string;
  service: string;
  version: string | null;
  name: string;
  route: string | null;
  durationMs: number;
  error: boolean;
  status: string | null;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  userId: string | null;
  code: string | null;
}

function spanItem(s: SpanRow): SpanItem {
  const fn = s.attributes['code.function'] ?? s.attributes['code.function.name'];
  const file = s.attributes['code.filepath'] ?? s.attributes['code.file.path'];
  const line = s.attributes['code.lineno'] ?? s.attributes['code.line.number'];
  return {
    id: `span:${s.traceId}/${s.spanId}`,
    api: `/api/spans${q({ trace: s.traceId })}`,
    time: s.startTime,
    service: s.service,
    version: s.serviceVersion,
    name: s.name,
    route: s.httpRoute,
    durationMs: ms(s.durationNs),
    error: s.statusCode === 2,
    status: s.statusMessage,
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    userId: s.userId,
    code:
      file || fn ? `${file ?? '?'}${line !== undefined ? `:${String(line)}` : ''}${fn ? ` ${String(fn)}` : ''}` : null,
  };
}

interface LogItem extends Item {
  time: string;
  service: string;
  version: string | null;
  severity: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
  userId: string | null;
}

function logItem(l: LogRow): LogItem {
  return {
    id: `log:${l.service}@${l.time}${l.spanId ? `/${l.spanId}` : ''}`,
    api: `/api/logs${l.traceId ? q({ trace: l.traceId }) : q({ service: l.service, since: l.time, until: l.time })}`,
    time: l.time,
    service: l.service,
    version: l.serviceVersion,
    severity: l.severityText,
    body: l.body,
    traceId: l.traceId,
    spanId: l.spanId,
    userId: l.userId,
  };
}

interface CodeItem extends Item {
  type: 'symbol' | 'route' | 'log-callsite';
  repository: string;
  at: string;
  name: string;
  service: string | null;
}

interface TicketItem extends Item {
  externalId: string;
  source: string;
  title: string;
  status: string;
  createdAt: string;
  problemId: number | null;
}

function ticketItem(t: TicketSummary): TicketItem {
  return {
    id: `ticket:${t.id}`,
    api: `/api/tickets/${t.id}`,
    externalId: t.externalId,
    source: t.source,
    title: t.title,
    status: t.status,
    createdAt: t.createdAt,
    problemId: t.problemId ?? null,
  };
}

/** Words of a query, lowercased, for the ticket title match. */
const words = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}_-]+/gu) ?? [];

const searchInput = z
  .object({
    kind: z.enum(['logs', 'spans', 'code', 'tickets']),
    text: z
      .string()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'logs: body substring; spans: name or status substring; code: symbol, route or log text; tickets: words or an external id',
      ),
    service: z.string().min(1).max(256).optional(),
    user: z.string().min(1).max(512).optional(),
    since: timeArg.optional().describe('ISO time, epoch ms or an age like 15m'),
    until: timeArg.optional(),
    errors: z.boolean().optional().describe('spans: failed only'),
  })
  .strict();

type SearchItem = LogItem | SpanItem | CodeItem | TicketItem;

export const search = tool<typeof searchInput, null, SearchItem>({
  name: 'search',
  description:
    'Search the raw window (logs, spans), the code index (symbols, routes, log call sites) or support tickets. Newest first.',
  route: 'GET /api/spans',
  input: searchInput,
  paged: true,
  async run({ ctx }, a, page): Promise<ToolAnswer<null, SearchItem>> {
    const want = page.offset + page.limit + 1;
    if (a.kind === 'logs' || a.kind === 'spans') {
      const filter = {
        service: a.service,
        since: a.since,
        until: a.until,
        userId: a.user,
        grep: a.text,
        errorsOnly: a.errors === true,
        limit: Math.min(want, MAX_QUERY_LIMIT),
      };
      const api = `/api/${a.kind}${q({
        service: a.service,
        user: a.user,
        grep: filter.grep,
        since: a.since?.toISOString(),
        until: a.until?.toISOString(),
        status: a.errors ? 'error' : undefined,
      })}`;
      if (a.kind === 'logs') {
        const rows = await searchLogs(ctx, filter);
        return {
          summary: `${rows.length}${rows.length === filter.limit ? '+' : ''} log lines`,
          data: null,
          items: rows.map(logItem),
          complete: rows.length < filter.limit,
          links: { all: api },
        };
      }
      const rows = await searchSpans(ctx, filter);
      return {
        summary: `${rows.length}${rows.length === filter.limit ? '+' : ''} spans`,
        data: null,
        items: rows.map(spanItem),
        complete: rows.length < filter.limit,
        links: { all: api },
      };
    }
    if (!a.text) throw new ToolInputError(`text: required to search ${a.kind}`);
    if (a.kind === 'code') {
      const db = ctx.store.db;
      const limit = Math.min(want, 5000);
      const [symbols, routes, callsites] = await Promise.all([
        codeStore.findSymbols(db, { name: `*${a.text}*`, limit }),
        codeStore.findRoutes(db, { path: a.text, limit }),
        codeStore.findCallsites(db, { text: a.text, limit }),
      ]);
      // The kinds taken in turn, so a page shows each (the order is the same for every page's read).
      const items = inTurn<CodeItem>([
        symbols.map((s) => ({
          id: `symbol:${s.repository}/${s.path}:${s.startLine}`,
          api: `/api/symbols${q({ name: s.name, repo: s.repository, path: s.path })}`,
          type: 'symbol' as const,
          repository: s.repository,
          at: `${s.path}:${s.startLine}-${s.endLine}`,
          name: `${s.parent ? `${s.parent}.` : ''}${s.name} (${s.kind})`,
          service: s.service,
        })),
        routes.map((r) => ({
          id: `route:${r.repository}/${r.path}:${r.line}`,
          api: `/api/routes${q({ path: r.routePath, repo: r.repository })}`,
          type: 'route' as const,
          repository: r.repository,
          at: `${r.path}:${r.line}`,
          name: `${r.method ?? '*'} ${r.routePath}${r.handler ? ` → ${r.handler}` : ''}`,
          service: r.service,
        })),
        callsites.map((c) => ({
          id: `callsite:${c.repository}/${c.path}:${c.line}`,
          api: `/api/callsites${q({ q: a.text, repo: c.repository })}`,
          type: 'log-callsite' as const,
          repository: c.repository,
          at: `${c.path}:${c.line}`,
          name: `${c.level ?? 'log'} "${c.template}"${c.symbol ? ` in ${c.symbol.name}` : ''}`,
          service: c.service,
        })),
      ]);
      const full = symbols.length < limit && routes.length < limit && callsites.length < limit;
      return {
        summary: `${symbols.length} symbols, ${routes.length} routes, ${callsites.length} log call sites match "${a.text}"`,
        data: null,
        items,
        complete: full,
        links: { symbols: `/api/symbols${q({ name: `*${a.text}*` })}`, callsites: `/api/callsites${q({ q: a.text })}` },
      };
    }
    // Tickets: the newest MAX_TICKET_LIST, by how many of the query's words their title holds
    // (an exact external id first).
    const text = a.text;
    const tickets = await listTickets(ctx, { limit: MAX_TICKET_LIST });
    const terms = [...new Set(words(text))];
    const scored = tickets
      .map((t) => {
        const title = new Set(words(t.title));
        const score = t.externalId === text.trim() ? 1000 : terms.filter((w) => title.has(w)).length;
        return { t, score };
      })
      .filter((x) => x.score > 0)
      .sort((x, y) => y.score - x.score);
    return {
      summary: `${scored.length} of the newest ${tickets.length} tickets match "${text}"`,
      data: null,
      items: scored.map((x) => ticketItem(x.t)),
      complete: tickets.length < MAX_TICKET_LIST,
      links: { tickets: `/api/tickets${q({ limit: MAX_TICKET_LIST })}` },
    };
  },
});

export const getTrace = tool({
  name: 'get_trace',
  description: 'One trace: its spans in start order with depth, errors and code.* locations, and its log count.',
  route: 'GET /api/spans',
  input: z.object({ traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be a 32-digit hex trace id') }).strict(),
  paged: true,
  async run({ ctx }, a) {
    const traceId = a.traceId.toLowerCase();
    const [spans, logs] = await Promise.all([
      searchSpans(ctx, { traceId, limit: MAX_QUERY_LIMIT }),
      searchLogs(ctx, { traceId, limit: MAX_QUERY_LIMIT }),
    ]);
    if (spans.length === 0 && logs.length === 0)
      throw new ToolInputError(`no span or log of trace ${traceId} in the raw window (kept for the retention period)`);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const depth = (s: SpanRow): number => {
      let d = 0;
      for (let p = s.parentSpanId; p && byId.has(p) && d < 100; p = byId.get(p)!.parentSpanId) d++;
      return d;
    };
    const ordered = [...spans].sort((x, y) => x.startTime.localeCompare(y.startTime));
    const root = ordered.find((s) => !s.parentSpanId || !byId.has(s.parentSpanId)) ?? null;
    const errors = spans.filter((s) => s.statusCode === 2);
    return {
      summary: `trace ${traceId}: ${spans.length} spans over ${new Set(spans.map((s) => s.service)).size} services, ${errors.length} failed, ${logs.length} log lines`,
      data: {
        root: root ? `${root.service} ${root.name}` : null,
        durationMs: root ? ms(root.durationNs) : null,
        services: [...new Set(spans.map((s) => s.service))],
        failed: errors.map((s) => `span:${s.traceId}/${s.spanId}`),
        logs: logs.length,
      },
      items: ordered.map((s) => ({ ...spanItem(s), depth: depth(s) })),
      complete: spans.length < MAX_QUERY_LIMIT,
      links: { spans: `/api/spans${q({ trace: traceId })}`, logs: `/api/logs${q({ trace: traceId })}` },
    };
  },
});

export const ownersFor = tool({
  name: 'owners_for',
  description:
    'Who owns code: the CODEOWNERS owners of the files under a path (or of a service) and who committed there last.',
  route: 'GET /api/repos/:name/files',
  input: z
    .object({
      path: z.string().min(1).max(1024).optional().describe('a file or folder in the repository'),
      service: z.string().min(1).max(256).optional(),
      repository: z.string().min(1).max(128).optional(),
    })
    .strict(),
  paged: true,
  async run({ ctx }, a) {
    if (!a.path === !a.service) throw new ToolInputError('give path or service (one of them)');
    const db = ctx.store.db;
    const repos = (await codeStore.listRepositories(db)).filter((r) => !a.repository || r.name === a.repository);
    if (repos.length === 0)
      throw new ToolInputError(a.repository ? `no repository named ${a.repository}` : 'no repository is indexed');
    const path = a.path?.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    const files: Array<{ repository: string; path: string; owners: string[]; service: string | null }> = [];
    const commits: Array<{
      id: string;
      sha: string;
      repository: string;
      author: string | null;
      at: string | null;
      subject: string;
    }> = [];
    for (const r of repos) {
      const found = path
        ? await codeStore.listFiles(db, r.id, { pathPrefix: path, limit: 1000 })
        : (await codeStore.serviceFiles(db, a.service!, 1000)).filter((f) => f.repository === r.name);
      files.push(
        ...found.map((f) => ({ repository: f.repository, path: f.path, owners: [...f.owners], service: f.service })),
      );
      if (found.length === 0) continue;
      const recent = await codeStore.listCommits(db, r.id, {
        path: path ?? commonFolder(found.map((f) => f.path)),
        limit: 5,
      });
      commits.push(
        ...recent.map((c) => ({
          id: `commit:${c.sha}`,
          sha: c.sha,
          repository: r.name,
          author: c.authorName,
          at: (c.committedAt ?? c.authoredAt)?.toISOString() ?? null,
          subject: c.message.split('\n')[0] ?? '',
        })),
      );
    }
    const tally = new Map<string, number>();
    for (const f of files) for (const o of f.owners) tally.set(o, (tally.get(o) ?? 0) + 1);
    const owners = [...tally].sort((x, y) => y[1] - x[1]).map(([owner, files]) => ({ owner, files }));
    return {
      summary: `${files.length} files under ${path ?? `service ${a.service}`}: owners ${owners.map((o) => o.owner).join(', ') || 'none in CODEOWNERS'}`,
      data: { owners, recentCommits: commits },
      items: files.map((f) => ({
        id: `file:${f.repository}/${f.path}`,
        api: `/api/repos/${encodeURIComponent(f.repository)}/files${q({ path: f.path })}`,
        ...f,
      })),
      complete: files.length < 1000,
      evidence: commits.map((c) => c.id),
      links: Object.fromEntries(
        repos.map((r) => [`${r.name}:commits`, `/api/repos/${encodeURIComponent(r.name)}/commits${q({ path })}`]),
      ),
    };
  },
});

/** The deepest folder holding every path ('' when they share none). */
function commonFolder(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  let parts = paths[0]!.split('/').slice(0, -1);
  for (const p of paths.slice(1)) {
    const other = p.split('/');
    let i = 0;
    while (i < parts.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.length ? parts.join('/') : undefined;
}

/** The lists' items taken in turn: the first of each, then the second of each, and so on. */
function inTurn<T>(lists: ReadonlyArray<readonly T[]>): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i] as T);
  return out;
}
