// What explain and ask read, once per request: the code index (symbols, routes, log call
// sites, files with owners, commits), the static calls of each indexed repository's code at
// its synced head (parsed with the index's tree-sitter grammars; kept per head, so repeated
// questions parse once), docs and READMEs, a sample of recent whole traces (the runtime
// graph), RED per endpoint, error groups with their frames, open problems and tickets.
import {
  type AnswerWorld,
  type CodeIndex,
  type CommitFact,
  type DocFact,
  type ErrorGroupFact,
  type RouteFact,
  type StaticCall,
  buildCodeIndex,
  buildRuntimeGraph,
  emptyAnswerWorld,
  isTestPath,
  serviceOf,
  staticCallsOf,
} from '../analysis/index.js';
import type { FileCode } from '../analysis/index.js';
import { GitError, listTree, openRepository, readBlobs } from '../ingest/sources/git/index.js';
import { ERRORS_ALGORITHM } from '../analysis/index.js';
import {
  blastRadiusQuery,
  codeStore,
  errorGroupsInWindow,
  problemStore,
  redInWindow,
  ticketStore,
} from '../store/index.js';
import { mergeDd, quantile, resolveWindow } from './analysis-read.js';
import type { ErrorFrame } from '../model/index.js';
import type { Context } from './context.js';
import { isCode, parseFiles } from './simulate-change-code.js';

export interface AnswerWorldOptions {
  /** The telemetry window; default the 24 hours up to now. */
  window?: { since: Date; until: Date };
  now?: Date;
  /** Recent traces read per endpoint (default 10) and at most (default 1,500). */
  tracesPerEndpoint?: number;
  maxTraces?: number;
  /** Code files parsed per repository at most (default 2,000). */
  maxFiles?: number;
  /** Also build the retrieval index of the code files (for "where" questions). */
  codeIndex?: boolean;
  /** Traces read besides the sample (a question's own evidence: the traces of the lines it asks about). */
  extraTraceIds?: readonly string[];
}

export interface AnswerWorldRead {
  world: AnswerWorld;
  /** The repositories' files for retrieval, when asked for. */
  code: CodeIndex | null;
}

const DAY = 86_400_000;
const MAX_ROWS = 50_000;
const MAX_ERROR_GROUPS = 40;
const MAX_DOCS = 60;
const MAX_DOC_CHARS = 20_000;
const DOC = /(^|\/)(readme[^/]*|[^/]+\.(md|markdown|rst|txt))$/i;

interface ParsedRepo {
  staticCalls: StaticCall[];
  /** Route registrations the parse found (route tables the index's route extraction does not read included). */
  routes: RouteFact[];
  docs: DocFact[];
  codeDocs: Array<{ path: string; symbols: string[]; content: string }>;
  notes: string[];
}

/** Parsed code per repository and head: the same head is parsed once per process. */
const parsedCache = new Map<string, ParsedRepo>();
const CACHE_SIZE = 4;

async function parseRepo(
  repo: { id: number; name: string; path: string; headSha: string | null },
  servicePaths: ReadonlyArray<{ pathPrefix: string; service: string }>,
  maxFiles: number,
): Promise<ParsedRepo> {
  const root = (await openRepository(repo.path)).root;
  const head = repo.headSha ?? (await openRepository(repo.path)).head;
  const key = `${repo.id}\u0000${root}\u0000${head}\u0000${maxFiles}`;
  const hit = parsedCache.get(key);
  if (hit) return hit;
  const tree = await listTree(root, head);
  const paths = new Set(tree.filter(isCode).map((e) => e.path));
  const notes: string[] = [];
  const code = tree.filter((e) => paths.has(e.path) && !isTestPath(e.path));
  if (code.length > maxFiles)
    notes.push(`repository ${repo.name}: ${code.length} code files, the first ${maxFiles} parsed for static calls`);
  const sources = new Map<string, string>();
  const files: Map<string, FileCode> = await parseFiles(root, code.slice(0, maxFiles), {
    quietLines: false,
    onSource: (p, s) => sources.set(p, s),
  });
  const staticCalls = staticCallsOf(repo.name, files, paths, { scopeOf: (p) => serviceOf(p, servicePaths) });
  const docEntries = tree.filter((e) => DOC.test(e.path) && e.size <= 4 * MAX_DOC_CHARS).slice(0, MAX_DOCS);
  const docs: DocFact[] = [];
  for await (const blob of readBlobs(
    root,
    docEntries.map((e) => e.sha),
  )) {
    const text = blob.content.toString('utf8').slice(0, MAX_DOC_CHARS);
    for (const e of docEntries) if (e.sha === blob.sha) docs.push({ repository: repo.name, path: e.path, text });
  }
  docs.sort((a, b) => a.path.localeCompare(b.path));
  const codeDocs = [...files.values()].map((f) => ({
    path: f.path,
    symbols: f.units.filter((u) => u.kind === 'symbol').map((u) => u.name),
    content: sources.get(f.path) ?? '',
  }));
  const routes: RouteFact[] = [];
  for (const f of files.values())
    for (const u of f.units) {
      if (u.kind !== 'route' || !u.route) continue;
      routes.push({
        repository: repo.name,
        path: f.path,
        line: u.startLine,
        service: serviceOf(f.path, servicePaths),
        method: u.route.method,
        routePath: u.route.path,
        handler: null,
        symbol: { name: u.name, parent: null, startLine: u.startLine, endLine: u.endLine },
      });
    }
  const out = { staticCalls, routes, docs, codeDocs, notes };
  parsedCache.set(key, out);
  while (parsedCache.size > CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  return out;
}

export async function readAnswerWorld(
  ctx: Pick<Context, 'store'>,
  opts: AnswerWorldOptions = {},
): Promise<AnswerWorldRead> {
  const db = ctx.store.db;
  const now = opts.now ?? new Date();
  const asked = opts.window ?? { since: new Date(now.getTime() - DAY), until: now };
  const win = resolveWindow({ since: asked.since, until: asked.until, buckets: 1 }, now);
  const world = emptyAnswerWorld(
    { since: win.since.toISOString(), until: win.until.toISOString() },
    Math.max(1, Math.round((win.until.getTime() - win.since.getTime()) / 60_000)),
  );
  const gaps = world.gaps;
  const codeDocs: Array<{ path: string; symbols: string[]; content: string }> = [];

  const repos = await codeStore.listRepositories(db);
  if (repos.length === 0)
    gaps.push('no repository is indexed (orrery repo add): code locations, static calls and owners are missing');
  for (const repo of repos) {
    const [symbols, routes, callsites, files, commits, servicePaths] = await Promise.all([
      codeStore.findSymbols(db, { name: '*', repository: repo.name, limit: MAX_ROWS }),
      codeStore.findRoutes(db, { repository: repo.name, limit: MAX_ROWS }),
      codeStore.findCallsites(db, { repository: repo.name, limit: MAX_ROWS }),
      codeStore.listFiles(db, repo.id, { limit: MAX_ROWS }),
      codeStore.listCommits(db, repo.id, { limit: 1000 }),
      codeStore.getServicePaths(db, repo.id),
    ]);
    for (const s of symbols)
      world.symbols.push({
        repository: s.repository,
        path: s.path,
        name: s.name,
        parent: s.parent,
        kind: s.kind,
        startLine: s.startLine,
        endLine: s.endLine,
        service: s.service,
      });
    for (const r of routes)
      world.routes.push({
        repository: r.repository,
        path: r.path,
        line: r.line,
        service: r.service,
        method: r.method,
        routePath: r.routePath,
        handler: r.handler,
        symbol: r.symbol,
      });
    for (const c of callsites)
      world.callsites.push({
        repository: c.repository,
        path: c.path,
        line: c.line,
        service: c.service,
        level: c.level,
        template: c.template,
        symbol: c.symbol,
      });
    for (const f of files)
      world.files.push({ repository: f.repository, path: f.path, owners: f.owners, service: f.service });
    world.commits.push(
      ...commits.map(
        (c): CommitFact => ({
          repository: repo.name,
          sha: c.sha,
          message: c.message,
          author: c.authorName,
          at: new Date(c.committedAt ?? c.authoredAt).toISOString(),
          files: c.files.map((f) => f.path),
        }),
      ),
    );
    try {
      const parsed = await parseRepo(repo, servicePaths, opts.maxFiles ?? 2000);
      world.staticCalls.push(...parsed.staticCalls);
      const declared = new Set(routes.map((r) => `${r.path}\u0000${r.method}\u0000${r.routePath}`));
      world.routes.push(
        ...parsed.routes.filter((r) => !declared.has(`${r.path}\u0000${r.method}\u0000${r.routePath}`)),
      );
      world.docs.push(...parsed.docs);
      gaps.push(...parsed.notes);
      if (opts.codeIndex) codeDocs.push(...parsed.codeDocs);
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      gaps.push(`repository ${repo.name} could not be read for static calls: ${err.message}`);
    }
  }

  const red = await redInWindow(db, win, { limit: 500, withUsers: false });
  world.endpoints = red.map((e) => ({
    service: e.service,
    endpoint: e.endpoint,
    requests: e.minutes.totals.requests!,
    errors: e.minutes.totals.errors!,
    p95Ms: quantile(mergeDd(e.minutes.sketches.latency), 0.95),
  }));
  const services = new Set<string>(red.map((e) => e.service));
  for (const f of world.files) if (f.service) services.add(f.service);
  world.services = [...services].sort();
  if (red.length === 0) gaps.push('no RED minutes in the window: no traffic, and no runtime graph');

  const perEndpoint = opts.tracesPerEndpoint ?? 10;
  const maxTraces = opts.maxTraces ?? 1500;
  const sampled = (
    await blastRadiusQuery.sampleTraceIds(db, red.slice(0, 300), win.since, win.until, perEndpoint)
  ).slice(0, maxTraces);
  const ids = [...new Set([...sampled, ...(opts.extraTraceIds ?? [])])];
  const [spans, logs] = await Promise.all([blastRadiusQuery.traceSpans(db, ids), blastRadiusQuery.traceLogs(db, ids)]);
  world.runtime = buildRuntimeGraph(spans, logs);

  const groups = await errorGroupsInWindow(db, win, { algorithm: ERRORS_ALGORITHM, limit: MAX_ERROR_GROUPS });
  for (const g of groups) {
    const frames = (g.group.frames as ErrorFrame[]).filter((f) => f.inApp);
    world.errorGroups.push({
      fingerprint: g.group.fingerprint,
      service: g.group.service,
      type: g.group.type ?? 'Error',
      message: g.group.message ?? '',
      events: g.minutes.totals.count ?? 0,
      frames: frames.map((f) => ({ file: f.file, line: f.line, function: f.function })),
    } satisfies ErrorGroupFact);
  }

  for (const p of await problemStore.listProblems(db, { status: 'open', limit: 200 }))
    world.problems.push({
      id: p.id,
      title: p.title,
      status: p.status,
      kind: p.kind,
      services: p.services,
      errorGroups: p.members.filter((m) => m.kind === 'error').map((m) => m.ref),
    });
  for (const t of await ticketStore.listTickets(db, { limit: 500 }))
    world.tickets.push({ id: t.id, title: t.title, body: '', status: t.status });

  const code = opts.codeIndex && codeDocs.length ? buildCodeIndex(codeDocs) : null;
  return { world, code };
}
