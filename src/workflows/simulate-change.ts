// `simulate change`: a change's blast radius (sim-change@1) for `base..head` in an indexed
// repository, or for what a deploy shipped. The code half (simulate-change-code) finds the
// changed units and everything that calls them up to the routes; this half reads the
// telemetry: which endpoints' sampled traces ran that code, which endpoints call those,
// their traffic and users, open problems and tickets; analysis/simulate/change joins it all.
import {
  type BlastProblemFacts,
  type BlastTicketFacts,
  type EndpointTraffic,
  type RuntimeView,
  blastRadiusMarkdown,
  buildBlastRadius,
  ownersOf,
  routeKey,
  runtimeView,
} from '../analysis/index.js';
import { GitError, firstParent, openRepository, resolveCommit } from '../ingest/sources/git/index.js';
import type { BlastRadius } from '../model/index.js';
import {
  type CodeownerRuleRecord,
  type MinuteWindow,
  type ServicePathRecord,
  blastRadiusQuery,
  codeStore,
  commitRange,
  edgesInWindow,
  getDeploy,
  problemStore,
} from '../store/index.js';
import type { Context } from './context.js';
import { type EndpointUse, endpointUse, peopleOf, endpointUseKey } from './endpoint-people.js';
import { type ChangeCode, analyzeChangeCode } from './simulate-change-code.js';

export { blastRadiusMarkdown };

export class ChangeInputError extends Error {
  readonly statusCode = 400;
}
export class ChangeNotFoundError extends Error {
  readonly statusCode = 404;
}

/** What to simulate: a range of an indexed repository, or what a deploy shipped. */
export type ChangeSubject =
  | { kind: 'range'; range: string; repository?: string }
  | { kind: 'deploy'; deployId: number };

export interface BlastRadiusInput {
  /** An indexed repository, by name or id. */
  repository: string | number;
  base: string;
  head: string;
  /** Count only code this service runs as changed (what a deploy of it ships). */
  service?: string | null;
  deploy?: { id: number; service: string; version: string } | null;
}

export interface BlastRadiusOptions {
  /** The telemetry window; default the 7 days up to now. */
  window?: { since: Date; until: Date };
  now?: Date;
  /** Recent traces read per endpoint of the services in scope (default 20). */
  tracesPerEndpoint?: number;
  /** Traces read at most (default 3,000). */
  maxTraces?: number;
  /** Files parsed for the caller walk at most (default 3,000). */
  maxFiles?: number;
  /**
   * Read nothing that came after this time: error groups first seen, problems first seen and
   * tickets created later are left out (a review of a commit as of its deploy). The window
   * should end here too.
   */
  asOf?: Date;
  /** Also load the test files that reach the change (a review's test reach). */
  tests?: boolean;
}

/** The blast radius with the code analysis it came from, for a workflow that reads on from there. */
export interface BlastRadiusDetail {
  radius: BlastRadius;
  code: ChangeCode;
  repository: { id: number; name: string; root: string };
  base: string;
  head: string;
  servicePaths: ServicePathRecord[];
  rules: CodeownerRuleRecord[];
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** `base..head` → its two sides; `a...b`, an empty side or more than one `..` is refused. */
export function parseRange(text: string): { base: string; head: string } {
  const t = text.trim();
  const parts = t.split('..');
  if (parts.length !== 2 || t.includes('...') || !parts[0] || !parts[1]) {
    throw new ChangeInputError(
      `"${text}" is not a range: write <base>..<head>, e.g. cart/v1.3.1..cart/v1.4.0 or HEAD~3..HEAD`,
    );
  }
  return { base: parts[0], head: parts[1] };
}

function minuteFloor(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

/** The repository named, or the one indexed when none is named; several indexed and none named is refused. */
export async function repositoryFor(ctx: Pick<Context, 'store'>, name: string | undefined): Promise<string> {
  if (name !== undefined) return name;
  const repos = await codeStore.listRepositories(ctx.store.db);
  if (repos.length === 0)
    throw new ChangeNotFoundError('no repository is indexed: add one with `orrery repo add <path>`');
  if (repos.length > 1)
    throw new ChangeInputError(
      `${repos.length} repositories are indexed (${repos.map((r) => r.name).join(', ')}): choose one with --repo`,
    );
  return repos[0]!.name;
}

/** Resolves a subject to a repository and two commits, then runs blastRadius. */
export async function simulateChange(
  ctx: Pick<Context, 'store'>,
  subject: ChangeSubject,
  opts: BlastRadiusOptions = {},
): Promise<BlastRadius> {
  if (subject.kind === 'range') {
    const { base, head } = parseRange(subject.range);
    const repository = await repositoryFor(ctx, subject.repository);
    return blastRadius(ctx, { repository, base, head }, opts);
  }
  const deploy = await getDeploy(ctx.store.db, subject.deployId);
  if (!deploy) throw new ChangeNotFoundError(`no deploy ${subject.deployId}; see \`orrery deploy list\``);
  if (!deploy.commitSha)
    throw new ChangeInputError(
      `deploy ${deploy.id} (${deploy.service} ${deploy.version}) has no commit: record it with --commit, or give a range`,
    );
  const range = await commitRange(ctx.store.db, deploy, { limit: 1 });
  if (!range.repository)
    throw new ChangeNotFoundError(
      `deploy ${deploy.id}'s commit ${deploy.commitSha}: ${range.note ?? 'not in any indexed repository'}`,
    );
  const repo = await codeStore.findRepository(ctx.store.db, range.repository.id);
  let base = deploy.previousCommitSha;
  const root = repo ? (await openRepository(repo.path)).root : null;
  if (base && root) {
    try {
      base = await resolveCommit(root, base);
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      throw new ChangeInputError(
        `deploy ${deploy.id}'s base, the previous ${deploy.service} deploy's commit ${base}, is not in repository ${range.repository.name}: give a range instead`,
      );
    }
  }
  if (!base) {
    base = root ? await firstParent(root, deploy.commitSha) : null;
    if (!base)
      throw new ChangeInputError(
        `deploy ${deploy.id} has no earlier deploy with a commit and its commit has no parent: give a range instead`,
      );
  }
  const d = { id: deploy.id, service: deploy.service, version: deploy.version };
  return blastRadius(
    ctx,
    { repository: range.repository.id, base, head: deploy.commitSha, service: deploy.service, deploy: d },
    opts,
  );
}

/**
 * The blast radius of `base..head` in an indexed repository: the changed units, the code that
 * reaches them, the endpoints exposed (runtime-confirmed or static-only) with their traffic,
 * the services, users and accounts, open problems and tickets, and owners.
 */
export async function blastRadius(
  ctx: Pick<Context, 'store'>,
  input: BlastRadiusInput,
  opts: BlastRadiusOptions = {},
): Promise<BlastRadius> {
  return (await blastRadiusDetail(ctx, input, opts)).radius;
}

/** blastRadius, with the code analysis and the repository it read. */
export async function blastRadiusDetail(
  ctx: Pick<Context, 'store'>,
  input: BlastRadiusInput,
  opts: BlastRadiusOptions = {},
): Promise<BlastRadiusDetail> {
  const db = ctx.store.db;
  const repo = await codeStore.findRepository(db, input.repository);
  if (!repo) throw new ChangeNotFoundError(`no repository "${input.repository}"; see \`orrery repo list\``);
  let root: string;
  let base: string;
  let head: string;
  try {
    root = (await openRepository(repo.path)).root;
    base = await resolveCommit(root, input.base);
    head = await resolveCommit(root, input.head);
  } catch (err) {
    if (err instanceof GitError && err.kind === 'bad-range')
      throw new ChangeInputError(`${err.message} (repository ${repo.name})`);
    if (err instanceof GitError)
      throw new ChangeInputError(`repository "${repo.name}" at ${repo.path}: ${err.message}`);
    throw err;
  }
  const servicePaths = await codeStore.getServicePaths(db, repo.id);
  const rules = await codeStore.getCodeownerRules(db, repo.id);
  const service = input.service ?? null;
  const code = await analyzeChangeCode(root, base, head, {
    servicePaths,
    rules,
    service,
    defaultService: repo.name,
    maxFiles: opts.maxFiles,
    tests: opts.tests,
  });
  const notes = [...code.notes];

  // The telemetry window: by default the last 7 days, cut to the minutes that hold data.
  const untilMs = minuteFloor((opts.window?.until ?? opts.now ?? new Date()).getTime()) + MINUTE;
  const sinceMs = minuteFloor(opts.window?.since.getTime() ?? untilMs - 7 * DAY);
  if (sinceMs >= untilMs) throw new ChangeInputError('the window must end after it starts');
  const span = await blastRadiusQuery.dataMinutes(db, new Date(sinceMs), new Date(untilMs));
  let runtime: RuntimeView | null = null;
  let traffic: EndpointTraffic[] = [];
  let window: BlastRadius['window'] = null;
  let serviceEdges: Array<{ caller: string; callee: string }> = [];
  const uses = new Map<string, EndpointUse>();
  let sampled = 0;
  let errorGroups: Awaited<ReturnType<typeof blastRadiusQuery.recentErrorGroups>> = [];
  let patterns: Awaited<ReturnType<typeof blastRadiusQuery.servicePatterns>> = [];
  let since = new Date(sinceMs);
  const until = new Date(untilMs);
  if (!span) {
    notes.push(
      'no RED minutes in the window: no runtime view, every endpoint is static-only and cross-service callers are unknown',
    );
  } else {
    since = new Date(Math.max(sinceMs, span.first.getTime()));
    const minutes = Math.max(
      1,
      Math.round((Math.min(untilMs, span.last.getTime() + MINUTE) - since.getTime()) / MINUTE),
    );
    window = { since: since.toISOString(), until: until.toISOString(), minutes };
    const win: MinuteWindow = { since, until, buckets: 1, bucketMs: untilMs - since.getTime(), recentSince: since };
    const used = await endpointUse(db, since, until);
    for (const u of used) uses.set(endpointUseKey(u.service, u.endpoint), u);
    traffic = used.map(({ sketches: _, ...t }) => t);
    serviceEdges = (await edgesInWindow(db, win)).map((e) => ({ caller: e.caller, callee: e.callee }));

    // The services whose traces can show the change: those running affected code, and
    // everything upstream of them in the service graph.
    const served = new Set(traffic.map((t) => t.service));
    const scope = new Set<string>();
    for (const u of code.runtimeUnits) {
      if (u.service === null) for (const s of served) scope.add(s);
      else scope.add(u.service);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of serviceEdges) {
        if (scope.has(e.callee) && !scope.has(e.caller)) {
          scope.add(e.caller);
          grew = true;
        }
      }
    }
    const endpoints = traffic.filter((t) => scope.has(t.service) && t.endpoint !== '<other>');
    sampled = endpoints.length;
    const maxTraces = opts.maxTraces ?? 3000;
    const per = Math.max(
      3,
      Math.min(opts.tracesPerEndpoint ?? 20, Math.floor(maxTraces / Math.max(1, endpoints.length))),
    );
    const traceIds = new Set(await blastRadiusQuery.sampleTraceIds(db, endpoints, since, until, per));
    const services = [...scope];
    errorGroups = await blastRadiusQuery.recentErrorGroups(db, services, since, { firstSeenBefore: opts.asOf });
    const affectedPaths = new Set(code.runtimeUnits.map((u) => u.path));
    for (const g of errorGroups) {
      if (!g.frames.some((f) => [...affectedPaths].some((p) => f.file.endsWith(p)))) continue;
      for (const t of g.traceIds.slice(0, 3)) traceIds.add(t);
    }
    const ids = [...traceIds];
    const [spans, logs] = await Promise.all([
      blastRadiusQuery.traceSpans(db, ids),
      blastRadiusQuery.traceLogs(db, ids),
    ]);
    runtime = runtimeView(spans, logs, code.runtimeUnits);
    patterns = await blastRadiusQuery.servicePatterns(db, services);
  }

  const problems: BlastProblemFacts[] = (
    await problemStore.listProblems(db, { status: 'open', limit: 500, firstSeenBefore: opts.asOf })
  ).map((p) => ({
    id: p.id,
    title: p.title,
    service: p.service,
    services: p.services,
    priority: p.priority.score,
    members: p.members.map((m) => ({ kind: m.kind, ref: m.ref, service: m.service })),
  }));
  const tickets: BlastTicketFacts[] = (await blastRadiusQuery.openTicketLinks(db, { createdBefore: opts.asOf })).map(
    (t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      routes: t.routes.map(routeKey),
      services: t.services,
      problemId: t.problemId,
    }),
  );
  const serviceOwners = new Map<string, string[]>();
  for (const p of servicePaths)
    if (!serviceOwners.has(p.service)) serviceOwners.set(p.service, ownersOf(p.pathPrefix, rules));

  const result = buildBlastRadius({
    repository: repo.name,
    base,
    head,
    deploy: input.deploy ?? null,
    service,
    window,
    diff: code.diff,
    changed: code.changed,
    walked: code.walked,
    walkTruncated: code.truncated,
    runtimeUnits: code.runtimeUnits,
    runtime,
    endpointsSampled: sampled,
    traffic,
    serviceEdges,
    serviceOwners,
    problems,
    tickets,
    errorGroups,
    patterns,
    notes,
  });

  // Who used the exposed entry endpoints: the sketches' union, and the most active from the spans.
  if (window) {
    const entry = result.endpoints.filter((e) => e.entry && e.callsPerMinute);
    result.people = await peopleOf(db, uses, entry, since, until);
  }
  return {
    radius: result,
    code,
    repository: { id: repo.id, name: repo.name, root },
    base,
    head,
    servicePaths,
    rules,
  };
}
