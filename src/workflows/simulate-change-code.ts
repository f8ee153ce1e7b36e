// The code half of a change's blast radius: `git diff -U0` between two commits, the changed
// files parsed at both revisions (the same tree-sitter extraction the index uses), their
// changed units, then the walk up to callers at head — loading, round by round, only the files
// that mention a reached unit's name (`git grep -w`) or that a resolution needs.
import {
  type ChangedUnit,
  type CodeownerRule,
  type FileCode,
  type FileDiff,
  type RuntimeUnit,
  type ServicePath,
  type WalkedUnit,
  analyzeChange,
  changeLanguage,
  fileCode,
  isTestPath,
  languageOf,
  parseUnifiedDiff,
  serviceOf,
} from '../analysis/index.js';
import {
  type TreeEntry,
  countLines,
  diffZeroContext,
  grepFiles,
  listTree,
  loadCodeParsers,
  readBlobs,
  skipAfterReading,
  skipBeforeReading,
} from '../ingest/sources/git/index.js';

export interface ChangeCodeOptions {
  /** The repository's service folders and CODEOWNERS rules (from the index). */
  servicePaths: ReadonlyArray<Pick<ServicePath, 'pathPrefix' | 'service'>>;
  rules: readonly CodeownerRule[];
  /** Only code this service runs (its folder and shared code outside every service's folder). */
  service: string | null;
  /** The service a route outside every service's folder belongs to (the repository's name). */
  defaultService: string;
  /** Files parsed for the caller walk at most (default 3,000). */
  maxFiles?: number;
  maxDepth?: number;
  /** Also load the test files that name a reached unit (and the test helpers they use), for a review's test reach. */
  tests?: boolean;
}

export interface ChangeCode {
  diff: FileDiff[];
  changed: Array<ChangedUnit & { id: string; service: string | null; owners: string[] }>;
  walked: WalkedUnit[];
  runtimeUnits: RuntimeUnit[];
  truncated: boolean;
  filesParsed: number;
  notes: string[];
  /** The files loaded at head (with the test files when asked for) and every code path at head. */
  files: ReadonlyMap<string, FileCode>;
  paths: ReadonlySet<string>;
}

const MAX_ROUNDS = 40;

export function isCode(e: TreeEntry): boolean {
  return changeLanguage(languageOf(e.path)) !== null && skipBeforeReading(e.path, e.size, { mode: e.mode }) === null;
}

/**
 * The files parsed into sim-change's units at their blobs (skipped files and files tree-sitter
 * cannot take are left out, as the index leaves them out); `onSource` sees each file's text.
 */
export async function parseFiles(
  root: string,
  entries: readonly TreeEntry[],
  opts: { quietLines?: boolean; onSource?: (path: string, source: string) => void } = {},
): Promise<Map<string, FileCode>> {
  const parsers = await loadCodeParsers([...new Set(entries.flatMap((e) => changeLanguage(languageOf(e.path)) ?? []))]);
  const out = new Map<string, FileCode>();
  const byBlob = new Map<string, TreeEntry[]>();
  for (const e of entries) {
    const list = byBlob.get(e.sha);
    if (list) list.push(e);
    else byBlob.set(e.sha, [e]);
  }
  for await (const blob of readBlobs(root, [...byBlob.keys()])) {
    if (skipAfterReading(blob.content, countLines(blob.content)) !== null) continue;
    const source = blob.content.toString('utf8');
    for (const e of byBlob.get(blob.sha)!) {
      opts.onSource?.(e.path, source);
      const language = changeLanguage(languageOf(e.path))!;
      try {
        out.set(
          e.path,
          parsers.inspect(language, source, (tree, x) => fileCode(e.path, language, tree, source, x, opts)),
        );
      } catch {
        // A file tree-sitter cannot take is left out, as the index leaves it out.
      }
    }
  }
  return out;
}

export async function analyzeChangeCode(
  root: string,
  base: string,
  head: string,
  opts: ChangeCodeOptions,
): Promise<ChangeCode> {
  const notes: string[] = [];
  const inScope = (path: string) => {
    if (opts.service === null) return true;
    const s = serviceOf(path, opts.servicePaths);
    return s === null || s === opts.service;
  };
  const all = parseUnifiedDiff(await diffZeroContext(root, base, head));
  const diff = all.filter((d) => inScope((d.newPath ?? d.oldPath)!));
  if (diff.length < all.length)
    notes.push(
      `${all.length - diff.length} changed files belong to other services than ${opts.service} and were left out`,
    );

  const [headTree, baseTree] = await Promise.all([listTree(root, head), listTree(root, base)]);
  const headEntries = new Map(headTree.map((e) => [e.path, e]));
  const baseEntries = new Map(baseTree.map((e) => [e.path, e]));
  const paths = new Set(headTree.filter(isCode).map((e) => e.path));
  const pick = (map: Map<string, TreeEntry>, p: string | null) => {
    const e = p === null ? undefined : map.get(p);
    return e && isCode(e) ? [e] : [];
  };
  const [baseCode, files] = await Promise.all([
    parseFiles(
      root,
      diff.flatMap((d) => pick(baseEntries, d.oldPath)),
    ),
    parseFiles(
      root,
      diff.flatMap((d) => pick(headEntries, d.newPath)),
    ),
  ]);
  const changedFiles = files.size;
  const analyze = () =>
    analyzeChange({
      diff,
      base: baseCode,
      head: files,
      paths,
      servicePaths: opts.servicePaths,
      rules: opts.rules,
      service: opts.service,
      defaultService: opts.defaultService,
      maxDepth: opts.maxDepth,
    });

  // Round by round: walk what is loaded, then load the files that could hold more callers.
  const maxFiles = opts.maxFiles ?? 3000;
  const grepped = new Set<string>();
  const testHits = new Set<string>();
  let capped = false;
  let analysis = analyze();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const names = analysis.names.filter((n) => !grepped.has(n));
    for (const n of names) grepped.add(n);
    const all = await grepFiles(root, head, names);
    for (const p of all) if (isTestPath(p)) testHits.add(p);
    const hits = all.filter((p) => !isTestPath(p));
    const want = new Set([...analysis.wanted, ...hits].filter((p) => paths.has(p) && !files.has(p) && inScope(p)));
    if (want.size === 0) break;
    const room = maxFiles - (files.size - changedFiles);
    if (room <= 0) {
      capped = true;
      break;
    }
    const batch = [...want].sort().slice(0, room);
    if (batch.length < want.size) capped = true;
    const loaded = await parseFiles(
      root,
      batch.flatMap((p) => (headEntries.has(p) ? [headEntries.get(p)!] : [])),
      { quietLines: false },
    );
    for (const [p, f] of loaded) files.set(p, f);
    if (loaded.size === 0) break;
    analysis = analyze();
  }
  if (capped)
    notes.push(`the caller walk parsed ${maxFiles} files at most; callers in other files were not looked for`);
  const withTests = opts.tests ? await loadTests(root, head, headEntries, files, testHits, paths, maxFiles) : files;
  return {
    diff,
    changed: analysis.changed,
    walked: analysis.walked,
    runtimeUnits: analysis.runtimeUnits,
    truncated: analysis.truncated,
    filesParsed: files.size,
    notes,
    files: withTests,
    paths,
  };
}

/** Test helpers called through other test files: rounds of names to look for past the first. */
const TEST_ROUNDS = 3;

/**
 * The loaded files plus the test files that name a reached unit, then, round by round, the test
 * files that name a function of a loaded test file (a test calling production through a helper).
 */
async function loadTests(
  root: string,
  head: string,
  headEntries: ReadonlyMap<string, TreeEntry>,
  files: ReadonlyMap<string, FileCode>,
  hits: ReadonlySet<string>,
  paths: ReadonlySet<string>,
  maxFiles: number,
): Promise<Map<string, FileCode>> {
  const out = new Map(files);
  let want = [...hits].filter((p) => paths.has(p) && !out.has(p));
  const grepped = new Set<string>();
  for (let round = 0; want.length && round <= TEST_ROUNDS && out.size < maxFiles * 2; round++) {
    const loaded = await parseFiles(
      root,
      want.sort().flatMap((p) => (headEntries.has(p) ? [headEntries.get(p)!] : [])),
      { quietLines: false },
    );
    for (const [p, f] of loaded) out.set(p, f);
    const names = [...loaded.values()]
      .flatMap((f) => f.units.filter((u) => u.kind === 'symbol').map((u) => u.bare))
      .filter((n) => !grepped.has(n));
    for (const n of names) grepped.add(n);
    if (names.length === 0) break;
    want = (await grepFiles(root, head, names)).filter((p) => isTestPath(p) && paths.has(p) && !out.has(p));
  }
  return out;
}
