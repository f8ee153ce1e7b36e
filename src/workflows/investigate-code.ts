// Steps 4 and 5 of investigate@5 for one service: the code the evidence points at (stack
// frames → files and functions, the changed patterns → their logging call sites, the
// regressed endpoints → their route handlers, the deploy's commits → the functions they
// changed, and, with no telemetry, a ticket's words → files), then the deploy's commits
// ranked as suspects with their blame lines and owners. Reads the store and git; the ranking
// is analysis/investigate/code-suspects.ts.
import {
  type BlamedLine,
  type CodeFileFacts,
  type CodeStepResult,
  type LocationHint,
  buildCodeIndex,
  changeKind,
  changedHints,
  loopCallHints,
  localizeText,
  matchFramePath,
  pathConcernsService,
  rankCodeLocations,
  rankSuspectCommits,
  rpcOfSpan,
  tokenize,
} from '../analysis/index.js';
import type { CommitRange, Deploy } from '../model/index.js';
import { GitError, blameRange, readBlobs } from '../ingest/sources/git/index.js';
import { codeStore, commitRange, rpcStore } from '../store/index.js';
import type { RcaSignal } from '../analysis/index.js';
import { type ErrorFrame, type ErrorGroupSummary, getErrorGroup } from './analysis-read.js';
import type { Context } from './context.js';
import { MAX_BLAME_LINES } from './blame.js';

export interface CodeStepInput {
  /** The service judged the root; null when nothing tied the subject to one (text retrieval only). */
  service: string | null;
  /** The deploy judged the change, when there is one. */
  deploy: Deploy | null;
  window: { since: Date; until: Date };
  /** The service's error groups in the window, most events first (read once by the caller). */
  errorGroups: readonly ErrorGroupSummary[];
  /** The service's significant signals (patterns, endpoints), strongest first. */
  signals: readonly RcaSignal[];
  /** A ticket's words, for retrieval when telemetry names no code. */
  text?: { title: string; body: string };
}

/** The step's answer (declared with the investigation's facts). */
export type { CodeStepResult };

/** Frames per error group, error groups, files blamed: bounds that keep a step to seconds. */
const MAX_FRAMES = 5;
const MAX_ERROR_GROUPS = 2;
const MAX_BLAMED_FILES = 12;
const BLAME_CONCURRENCY = 4;
const MAX_TEXT_FILES = 5000;
/** The top suspect's changes weigh on the code locations only when it holds at least this share of the range's score. */
const SUSPECT_FOCUS_MIN = 0.5;

const METHOD = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)/i;

/** The longest run of template words with no parameter: what a call site's template must contain. */
function literalChunk(template: string): string | null {
  const runs = template.split(/<\*>|<[A-Z_]+>/).map((s) => s.trim());
  const best = runs.sort((a, b) => b.length - a.length)[0] ?? '';
  return best.length >= 6 ? best : null;
}

function jaccard(a: string, b: string): number {
  const x = new Set(tokenize(a, { stopwords: false }));
  const y = new Set(tokenize(b, { stopwords: false }));
  if (x.size === 0 || y.size === 0) return 0;
  let both = 0;
  for (const t of x) if (y.has(t)) both++;
  return both / (x.size + y.size - both);
}

export async function locateCode(ctx: Pick<Context, 'store'>, input: CodeStepInput): Promise<CodeStepResult> {
  const q = ctx.store.db;
  const gaps: string[] = [];
  const hints: LocationHint[] = [];
  const { service } = input;

  // Stack frames of the service's top error groups in the window.
  const groups = service ? input.errorGroups.slice(0, MAX_ERROR_GROUPS) : [];
  const frames: Array<ErrorFrame & { position: number; errorGroup: string }> = [];
  for (const g of groups) {
    const detail = await getErrorGroup(ctx, g.fingerprint, { ...input.window, service: g.service });
    const inApp = (detail?.error.frames ?? []).filter((f) => f.inApp).slice(0, MAX_FRAMES);
    for (const [position, f] of inApp.entries()) frames.push({ ...f, position, errorGroup: g.fingerprint });
  }
  const baseNames = frames.map((f) => f.file.replaceAll('\\', '/').split('/').pop() ?? '').filter(Boolean);
  const candidates = await codeStore.filesByBaseName(q, baseNames);
  for (const f of frames) {
    const mine = candidates.filter((c) => c.service === service);
    const path = matchFramePath(
      f.file,
      (mine.length ? mine : candidates).map((c) => `${c.repository}/${c.path}`),
    );
    if (!path) continue;
    const file = candidates.find((c) => `${c.repository}/${c.path}` === path)!;
    hints.push({
      repository: file.repository,
      path: file.path,
      line: f.line,
      symbol: f.function && f.function !== '<anonymous>' ? f.function : null,
      source: {
        kind: 'frame',
        position: f.position,
        frame: `${f.function} (${f.file}:${f.line ?? '?'})`,
        errorGroup: f.errorGroup,
      },
    });
  }
  if (frames.length && !hints.some((h) => h.source.kind === 'frame'))
    gaps.push(`the stack frames of ${service}'s errors match no indexed file (is its repository added?)`);

  // Changed log patterns → the call sites that log them; regressed endpoints → their handlers.
  for (const s of input.signals) {
    if ((s.kind === 'pattern' || s.kind === 'error-pattern' || s.kind === 'new-error-pattern') && s.label) {
      const chunk = literalChunk(s.label);
      if (!chunk) continue;
      const sites = (await codeStore.findCallsites(q, { text: chunk, limit: 50 })).filter(
        (c) => c.service === null || c.service === service,
      );
      const best = sites.map((c) => ({ c, sim: jaccard(c.template, s.label!) })).sort((a, b) => b.sim - a.sim)[0];
      if (best && best.sim >= 0.5) {
        hints.push({
          repository: best.c.repository,
          path: best.c.path,
          line: best.c.line,
          symbol: best.c.symbol
            ? best.c.symbol.parent
              ? `${best.c.symbol.parent}.${best.c.symbol.name}`
              : best.c.symbol.name
            : null,
          source: { kind: 'log_callsite', template: best.c.template, pattern: s.key },
        });
      }
    } else if (s.kind === 'latency' || s.kind === 'error-rate') {
      const m = METHOD.exec(s.key);
      const path = m ? m[2]! : s.key.startsWith('/') ? s.key : null;
      // A gRPC server span's endpoint is `package.Service/Method` (its rpc.service and rpc.method).
      const rpc = m ? null : rpcOfSpan({ name: s.key });
      if (rpc) {
        const linked = (await rpcStore.findRpcs(q, { service: rpc.service, method: rpc.method, limit: 5 })).filter(
          (r) => r.handler !== null && (r.handler.codeService === null || r.handler.codeService === service),
        );
        for (const r of linked.slice(0, 2)) {
          hints.push({
            repository: r.repository,
            path: r.handler!.path,
            line: r.handler!.line,
            symbol: r.handler!.symbol,
            source: { kind: 'route', route: `rpc ${r.service}/${r.method}`, endpoint: s.key },
          });
        }
        if (linked.length) continue;
      }
      if (!path) continue;
      const routes = (await codeStore.findRoutes(q, { path, method: m?.[1], limit: 20 })).filter(
        (r) => (r.service === null || r.service === service) && r.routePath.toLowerCase() === path.toLowerCase(),
      );
      for (const r of routes.slice(0, 2)) {
        hints.push({
          repository: r.repository,
          path: r.path,
          line: r.line,
          symbol: r.symbol ? (r.symbol.parent ? `${r.symbol.parent}.${r.symbol.name}` : r.symbol.name) : r.handler,
          source: { kind: 'route', route: `${r.method ?? '*'} ${r.routePath}`, endpoint: s.key },
        });
      }
    }
  }

  // The deploy's commits, and what they changed in the files that matter.
  let range: CommitRange | null = null;
  if (input.deploy) {
    range = await commitRange(q, input.deploy, { limit: 200, filesPerCommit: 50 });
    if (range.note && range.commits.length === 0)
      gaps.push(`commits of ${service} ${input.deploy.version}: ${range.note}`);
  }
  const repoName = range?.repository?.name ?? hints[0]?.repository ?? null;
  const hinted = new Set(hints.filter((h) => h.repository === repoName).map((h) => h.path));
  const pathPrefix = range?.pathPrefix ?? null;
  const concerns = (p: string) => service !== null && pathConcernsService(p, service, pathPrefix);
  const relevant = (range?.commits ?? []).filter((c) => {
    const paths = c.files.map((f) => f.path);
    return changeKind(paths) !== 'docs' && paths.some((p) => hinted.has(p) || concerns(p));
  });
  const toBlame = new Set<string>(hinted);
  for (const c of relevant) for (const f of c.files) if (concerns(f.path) || hinted.has(f.path)) toBlame.add(f.path);
  const files = repoName ? await codeStore.filesWithSymbols(q, repoName, [...toBlame]) : [];
  // Also the files hinted in other repositories (for their symbols).
  for (const repo of new Set(hints.map((h) => h.repository).filter((r) => r !== repoName))) {
    files.push(
      ...(await codeStore.filesWithSymbols(
        q,
        repo,
        hints.filter((h) => h.repository === repo).map((h) => h.path),
      )),
    );
  }
  const facts: CodeFileFacts[] = files.map((f) => ({
    repository: f.repository,
    path: f.path,
    owners: f.owners,
    symbols: f.symbols,
  }));

  const blame: BlamedLine[] = [];
  if (repoName && range?.commits.length) {
    const repo = await codeStore.findRepository(q, repoName);
    const rev = repo?.headSha;
    const blamable = files
      .filter((f) => f.repository === repoName && f.symbols.length && (f.lines ?? 0) > 0)
      .slice(0, MAX_BLAMED_FILES);
    if (repo && rev) {
      // Only lines of the range's commits count, so blame stops at its base. A few git
      // processes at a time (each waits on its own I/O); the lines keep the files' order.
      const since = range.baseFound && range.base ? range.base : undefined;
      const blamed = await mapLimit(blamable, BLAME_CONCURRENCY, async (f) => {
        try {
          return await blameRange(repo.path, f.path, {
            rev,
            startLine: 1,
            endLine: Math.min(f.lines!, MAX_BLAME_LINES),
            ...(since ? { since } : {}),
          });
        } catch (err) {
          if (!(err instanceof GitError)) throw err;
          gaps.push(`blame of ${f.path} failed: ${err.message}`);
          return [];
        }
      });
      blamable.forEach((f, i) => {
        for (const l of blamed[i]!)
          blame.push({ repository: repoName, path: f.path, line: l.line, sha: l.sha, text: l.text });
      });
    }
  }
  const shas = new Set((range?.commits ?? []).map((c) => c.sha));
  const changed = changedHints(blame, facts, shas);
  hints.push(...changed);
  // A caller whose calls per request to a callee rose (fan-out): a changed call inside a loop.
  const fanout = input.signals.find((x) => x.kind === 'edge-fanout' && x.service === service);
  if (fanout) hints.push(...loopCallHints(blame, facts, shas, fanout.key));
  // A commit whose changes hold no function (configuration, manifests) points at the files it changed.
  const withFunctions = new Set(changed.map((h) => (h.source.kind === 'changed' ? h.source.sha : '')));
  for (const c of relevant) {
    if (withFunctions.has(c.sha) || !repoName) continue;
    const size = (f: { additions: number | null; deletions: number | null }) => (f.additions ?? 0) + (f.deletions ?? 0);
    const total = c.files.reduce((a, f) => a + size(f), 0);
    for (const f of c.files) {
      if (!concerns(f.path) || changeKind([f.path]) !== 'code') continue;
      const share = total > 0 ? size(f) / total : 1 / c.files.length;
      hints.push({
        repository: repoName,
        path: f.path,
        line: null,
        symbol: null,
        source: { kind: 'changed', sha: c.sha, lines: size(f), share: Number(share.toFixed(3)) },
      });
    }
  }

  // No telemetry pointed anywhere: the ticket's words over the service's code (or all code).
  if (hints.length === 0 && input.text) hints.push(...(await textHints(ctx, service, input.text, facts)));

  let locations = rankCodeLocations(hints, facts, 5);
  if (locations.length === 0)
    gaps.push(
      `no code location for ${service}: no in-app stack frame, log call site, route handler or changed function matched`,
    );
  const owners = new Map(facts.map((f) => [f.path, f.owners]));
  const suspects =
    service && range?.repository && range.commits.length
      ? rankSuspectCommits({
          service,
          pathPrefix,
          repository: range.repository.name,
          commits: range.commits,
          locations,
          blame,
          owners,
        })
      : [];
  // Second pass: what the likeliest suspect changed is where to look, beside where it broke.
  const top = suspects[0];
  if (top && top.confidence >= SUSPECT_FOCUS_MIN) {
    const extra = hints.flatMap((h) =>
      h.source.kind === 'changed' && h.source.sha === top.sha
        ? [{ ...h, source: { kind: 'suspect' as const, sha: top.sha, confidence: top.confidence } }]
        : [],
    );
    if (extra.length) locations = rankCodeLocations([...hints, ...extra], facts, 5);
  }
  return { locations, suspects, range, gaps };
}

/** Bytes of one file's content indexed for text retrieval at most (larger files are cut). */
const MAX_TEXT_BYTES = 256 * 1024;

/** The ticket's words over the files' paths, symbol names and content (localize-text@1), per repository. */
async function textHints(
  ctx: Pick<Context, 'store'>,
  service: string | null,
  text: { title: string; body: string },
  facts: CodeFileFacts[],
): Promise<LocationHint[]> {
  const q = ctx.store.db;
  const pool = await codeStore.serviceFiles(q, service, MAX_TEXT_FILES);
  const hints: LocationHint[] = [];
  for (const repo of new Set(pool.map((f) => f.repository))) {
    const mine = pool.filter((f) => f.repository === repo);
    const record = await codeStore.findRepository(q, repo);
    const content = new Map<string, string>();
    if (record) {
      try {
        for await (const b of readBlobs(
          record.path,
          mine.flatMap((f) => (f.blobSha ? [f.blobSha] : [])),
        )) {
          content.set(b.sha, b.content.subarray(0, MAX_TEXT_BYTES).toString('utf8'));
        }
      } catch (err) {
        if (!(err instanceof GitError)) throw err; // the clone moved: paths and symbols still index
      }
    }
    const withSymbols = await codeStore.filesWithSymbols(
      q,
      repo,
      mine.map((f) => f.path),
    );
    const symbolsOf = new Map(withSymbols.map((f) => [f.path, f.symbols]));
    facts.push(
      ...withSymbols.map((f) => ({ repository: f.repository, path: f.path, owners: f.owners, symbols: f.symbols })),
    );
    const index = buildCodeIndex(
      mine.map((f) => ({
        path: f.path,
        symbols: (symbolsOf.get(f.path) ?? []).map((s) => (s.parent ? `${s.parent}.${s.name}` : s.name)),
        content: f.blobSha ? content.get(f.blobSha) : undefined,
      })),
    );
    for (const r of localizeText(text, index, { limit: 5 })) {
      hints.push({
        repository: repo,
        path: r.path,
        line: null,
        symbol: null,
        source: { kind: 'text', score: r.score / (1 + r.score), terms: r.terms },
      });
    }
  }
  return hints;
}

/** `fn` over `items`, at most `limit` at a time, results in the items' order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
