// `orrery review <base>..<head>` (review@1): a pull request's review with production context,
// as of a time (production is read only up to it, so a commit can be reviewed as of its own
// deploy). Reads on from the blast radius (sim-change@1, with the test files loaded): what
// reaches each changed symbol, the RED minutes and edges with their latency sketches, error
// groups, past investigations' suspects, CODEOWNERS and recent authors, and the changed
// manifests at both revisions; analysis/review turns it into the Review.
import {
  type EdgeStat,
  type EndpointStat,
  type LinkedResource,
  type ReviewChangedFacts,
  type ReviewFacts,
  buildReview,
  configChanges,
  isTestPath,
  ownersOf,
  reachOfChanged,
  remoteCallsInLoops,
} from '../analysis/index.js';
import { type TreeEntry, listTree, readLog } from '../ingest/sources/git/index.js';
import { InfraParseError, linkServices, parseInfraFiles } from '../ingest/sources/infra/index.js';
import type { Review, ReviewConfigChange } from '../model/index.js';
import {
  type MinuteWindow,
  authorNamesOfHashes,
  blastRadiusQuery,
  edgesInWindow,
  knownServiceNames,
  recentAuthors,
  redInWindow,
  suspectFileCounts,
} from '../store/index.js';
import { mergeDd, quantile } from './analysis-read.js';
import { textsAt, unwrittenReads } from './review-code-text.js';
import type { Context } from './context.js';
import { ChangeInputError, blastRadiusDetail, parseRange, repositoryFor } from './simulate-change.js';

export interface ReviewInput {
  /** `base..head`. */
  range: string;
  /** An indexed repository by name; needed when several are indexed. */
  repository?: string;
  /** Read production only up to this time (default now). */
  asOf?: Date;
}

export interface ReviewOptions {
  now?: Date;
  /** How far back production is read before `asOf` (default 7 days). */
  lookbackMs?: number;
  maxFiles?: number;
}

const DAY = 86_400_000;
const MANIFEST = /\.(ya?ml|json)$/i;

/** The manifests among the changed files at one revision, parsed and linked to services; a file that does not parse is noted and left out. */
async function manifestsAt(
  root: string,
  entries: readonly TreeEntry[],
  knownServices: readonly string[],
  notes: string[],
): Promise<{ resources: LinkedResource[]; text: Map<string, string> }> {
  const text = await textsAt(root, entries, new Set(entries.map((e) => e.path)));
  const resources: LinkedResource[] = [];
  for (const [path, content] of text) {
    try {
      const parsed = parseInfraFiles([{ path, content }]);
      const links = linkServices(parsed.resources, { knownServices });
      for (const [i, r] of parsed.resources.entries()) resources.push({ ...r, service: links[i]!.service });
    } catch (err) {
      if (!(err instanceof InfraParseError)) throw err;
      notes.push(`${path} is not a manifest Orrery reads (${err.detail}); its settings were not compared`);
    }
  }
  return { resources, text };
}

/** The review of `base..head` in an indexed repository, with production read up to `asOf`. */
export async function reviewChange(
  ctx: Pick<Context, 'store'>,
  input: ReviewInput,
  opts: ReviewOptions = {},
): Promise<Review> {
  return buildReview(await reviewFacts(ctx, input, opts));
}

/** Everything review@1 decides from, read up to `asOf` (buildReview turns it into the review). */
export async function reviewFacts(
  ctx: Pick<Context, 'store'>,
  input: ReviewInput,
  opts: ReviewOptions = {},
): Promise<ReviewFacts> {
  const db = ctx.store.db;
  const { base, head } = parseRange(input.range);
  const repository = await repositoryFor(ctx, input.repository);
  const asOf = input.asOf ?? opts.now ?? new Date();
  if (Number.isNaN(asOf.getTime())) throw new ChangeInputError('asOf is not a time');
  const since = new Date(asOf.getTime() - (opts.lookbackMs ?? 7 * DAY));
  const detail = await blastRadiusDetail(
    ctx,
    { repository, base, head },
    { window: { since, until: asOf }, asOf, tests: true, maxFiles: opts.maxFiles },
  );
  const { radius: blast, code } = detail;
  const root = detail.repository.root;
  const notes = [...blast.notes];

  const changed: Array<ReviewChangedFacts & { key: string }> = code.changed
    .filter((c) => !isTestPath(c.path))
    .map((c) => ({
      path: c.path,
      name: c.name,
      key: c.key,
      kind: c.kind,
      change: c.change,
      head: c.head,
      base: c.base,
      service: c.service,
    }));
  const reachMap = reachOfChanged({
    files: code.files,
    paths: code.paths,
    servicePaths: detail.servicePaths,
    changed: changed.map((c) => ({ id: `${c.path} ${c.name}`, path: c.path, key: c.key })),
  });

  // Production up to asOf: the same window the blast radius read, with latency sketches.
  let endpoints: EndpointStat[] = [];
  let edges: EdgeStat[] = [];
  let minutes = 0;
  if (blast.window) {
    const win: MinuteWindow = {
      since: new Date(blast.window.since),
      until: new Date(blast.window.until),
      buckets: 1,
      bucketMs: Date.parse(blast.window.until) - Date.parse(blast.window.since),
      recentSince: new Date(blast.window.since),
    };
    minutes = blast.window.minutes;
    endpoints = (await redInWindow(db, win, { limit: 10_000, withUsers: false })).map((r) => {
      const latency = mergeDd(r.minutes.sketches.latency);
      return {
        service: r.service,
        endpoint: r.endpoint,
        requests: r.minutes.totals.requests ?? 0,
        errors: r.minutes.totals.errors ?? 0,
        p95Ms: quantile(latency, 0.95),
        p99Ms: quantile(latency, 0.99),
      };
    });
    edges = (await edgesInWindow(db, win)).map((e) => ({
      caller: e.caller,
      callee: e.callee,
      calls: e.minutes.totals.calls ?? 0,
      errors: e.minutes.totals.errors ?? 0,
      p99Ms: quantile(mergeDd(e.minutes.sketches.latency), 0.99),
    }));
  }
  const services = [...new Set(changed.flatMap((c) => (c.service ? [c.service] : [])))];
  const errorGroups = blast.window
    ? await blastRadiusQuery.recentErrorGroups(
        db,
        services.length ? services : endpoints.map((e) => e.service),
        since,
        {
          firstSeenBefore: asOf,
        },
      )
    : [];

  // The range's commits, newest first, and the people and history of the files they touch.
  const commits: Review['commits'] = [];
  for await (const c of readLog(root, { head: blast.head, exclude: blast.base }))
    commits.push({ sha: c.sha, subject: c.message.split('\n')[0] ?? '', author: c.authorName || null });
  const paths = [...new Set(code.diff.map((d) => (d.newPath ?? d.oldPath)!))];
  const [suspects, authors] = await Promise.all([
    suspectFileCounts(db, paths, asOf),
    recentAuthors(db, detail.repository.id, paths, { before: asOf, exclude: commits.map((c) => c.sha) }),
  ]);
  // CODEOWNERS emails are stored as keyed hashes; the commit authors with the same hash name them.
  const owned = new Map(paths.map((p) => [p, ownersOf(p, detail.rules)]));
  const hashes = [...new Set([...owned.values()].flat().filter((o) => o.startsWith('h:')))];
  const names = await authorNamesOfHashes(db, detail.repository.id, hashes);
  const codeowners: Record<string, string[]> = {};
  for (const [p, o] of owned) if (o.length) codeowners[p] = o.map((x) => names.get(x) ?? x);

  const headTree = await listTree(root, blast.head);
  let baseTree: TreeEntry[] | null = null;
  // The changed manifests at both revisions.
  const manifestDiffs = code.diff.filter((d) => MANIFEST.test((d.newPath ?? d.oldPath)!));
  let config: ReviewConfigChange[] = [];
  if (manifestDiffs.length) {
    baseTree ??= await listTree(root, blast.base);
    const want = (tree: TreeEntry[], side: 'oldPath' | 'newPath') => {
      const names = new Set(manifestDiffs.flatMap((d) => (d[side] ? [d[side]!] : [])));
      return tree.filter((e) => names.has(e.path));
    };
    const known = await knownServiceNames(db);
    const [b, h] = [
      await manifestsAt(root, want(baseTree, 'oldPath'), known, notes),
      await manifestsAt(root, want(headTree, 'newPath'), known, notes),
    ];
    config = configChanges(b.resources, h.resources, h.text);
  }

  const hunks: Record<string, Array<{ startLine: number; endLine: number }>> = {};
  for (const d of code.diff) {
    if (!d.newPath) continue;
    hunks[d.newPath] = d.hunks
      .filter((x) => x.newCount > 0)
      .map((x) => ({ startLine: x.newStart, endLine: x.newStart + x.newCount - 1 }));
  }

  // The loaded files' text at head, for the loops that call another service once per item.
  const texts = await textsAt(root, headTree, new Set(code.files.keys()));
  const loopCalls = remoteCallsInLoops({
    files: code.files,
    paths: code.paths,
    servicePaths: detail.servicePaths,
    texts,
    changed: changed.map((c) => ({ id: `${c.path} ${c.name}`, path: c.path, key: c.key })),
    hunks,
    endpoints,
  });

  return {
    repository: detail.repository.name,
    base: blast.base,
    head: blast.head,
    asOf: asOf.toISOString(),
    commits,
    blast,
    changed: changed.map(({ key: _key, ...c }) => c),
    reach: Object.fromEntries(reachMap),
    hunks,
    loopCalls: Object.fromEntries(loopCalls),
    unwrittenReads: Object.fromEntries(
      await unwrittenReads(
        root,
        blast.head,
        { base: baseTree ?? (await listTree(root, blast.base)), head: headTree },
        code.diff,
        changed,
      ),
    ),
    production: { minutes, endpoints, edges },
    errorGroups,
    suspects: Object.fromEntries(suspects),
    codeowners,
    recentAuthors: Object.fromEntries(authors),
    config,
    notes,
  };
}
