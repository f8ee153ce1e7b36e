// The code half of a change's blast radius: `git diff -U0` between two commits, the changed
// files parsed at both revisions (the same tree-sitter extraction the index uses), their
// changed units, then the walk up to callers at head — loading, round by round, only the files
// that mention a reached unit's name (`git grep -w`) or that a resolution needs.
import {
  type ChangedUnit,
  type CodeownerRule,
  CodeGraph,
  type FileCode,
  type FileDiff,
  type RuntimeUnit,
  type ServicePath,
  type UnitRef,
  type WalkedUnit,
  changedUnits,
  fileCode,
  languageOf,
  ownersOf,
  parseUnifiedDiff,
  serviceOf,
  unitId,
  walkCallers,
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
}

export interface ChangeCode {
  diff: FileDiff[];
  changed: Array<ChangedUnit & { id: string; service: string | null; owners: string[] }>;
  walked: WalkedUnit[];
  runtimeUnits: RuntimeUnit[];
  truncated: boolean;
  filesParsed: number;
  notes: string[];
}

const MAX_ROUNDS = 40;

/** Test code: it calls production code, but no request runs it. */
const TEST_PATH =
  /(^|\/)(test|tests|__tests__|spec|specs|testdata)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py)$|(^|\/)test_[^/]*\.py$|Tests?\.java$/;

function isCode(e: TreeEntry): boolean {
  return languageOf(e.path) !== null && skipBeforeReading(e.path, e.size, { mode: e.mode }) === null;
}

async function parseFiles(root: string, entries: readonly TreeEntry[]): Promise<Map<string, FileCode>> {
  const parsers = await loadCodeParsers();
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
      const language = languageOf(e.path)!;
      try {
        out.set(
          e.path,
          parsers.inspect(language, source, (tree, x) => fileCode(e.path, language, tree, source, x)),
        );
      } catch {
        // A file tree-sitter cannot take is left out, as the index leaves it out.
      }
    }
  }
  return out;
}

/** A unit that exists only at base, kept at head so references to it still resolve. */
function ghost(files: Map<string, FileCode>, base: FileCode, headPath: string, key: string): void {
  const unit = base.units.find((u) => u.key === key);
  if (!unit) return;
  let f = files.get(headPath);
  if (!f) {
    f = { ...base, path: headPath, units: [base.units[0]!], refs: [], logSites: [], quietLines: [] };
    files.set(headPath, f);
  }
  if (!f.units.some((u) => u.key === key)) f.units.push({ ...unit, startLine: 0, endLine: -1 });
}

export async function analyzeChangeCode(
  root: string,
  base: string,
  head: string,
  opts: ChangeCodeOptions,
): Promise<ChangeCode> {
  const notes: string[] = [];
  const serviceFor = (path: string) => serviceOf(path, opts.servicePaths);
  const inScope = (path: string) => {
    if (opts.service === null) return true;
    const s = serviceFor(path);
    return s === null || s === opts.service;
  };
  const all = parseUnifiedDiff(await diffZeroContext(root, base, head));
  const diff = all.filter((d) => inScope((d.newPath ?? d.oldPath)!));
  if (diff.length < all.length)
    notes.push(`${all.length - diff.length} changed files belong to other services than ${opts.service} and were left out`);

  const [headTree, baseTree] = await Promise.all([listTree(root, head), listTree(root, base)]);
  const headEntries = new Map(headTree.map((e) => [e.path, e]));
  const baseEntries = new Map(baseTree.map((e) => [e.path, e]));
  const paths = new Set(headTree.filter(isCode).map((e) => e.path));
  const pick = (map: Map<string, TreeEntry>, p: string | null) => {
    const e = p === null ? undefined : map.get(p);
    return e && isCode(e) ? [e] : [];
  };
  const [baseCode, headCode] = await Promise.all([
    parseFiles(root, diff.flatMap((d) => pick(baseEntries, d.oldPath))),
    parseFiles(root, diff.flatMap((d) => pick(headEntries, d.newPath))),
  ]);

  const files = new Map(headCode);
  const changedRaw: ChangedUnit[] = [];
  for (const d of diff) {
    const b = d.oldPath === null ? null : (baseCode.get(d.oldPath) ?? null);
    const h = d.newPath === null ? null : (headCode.get(d.newPath) ?? null);
    if (!b && !h) continue;
    for (const c of changedUnits(d, b, h)) {
      changedRaw.push(c);
      if (c.change === 'removed' && b) {
        ghost(files, b, c.path, c.key);
        paths.add(c.path);
      }
    }
  }
  const start: UnitRef[] = [];
  const changed: ChangeCode['changed'] = [];
  for (const c of changedRaw) {
    const unit = files.get(c.path)?.units.findIndex((u) => u.key === c.key) ?? -1;
    if (unit < 0) continue;
    const at = { path: c.path, unit };
    start.push(at);
    changed.push({ ...c, id: unitId(at), service: serviceFor(c.path), owners: ownersOf(c.path, opts.rules) });
  }

  // Round by round: walk what is loaded, then load the files that could hold more callers.
  const maxFiles = opts.maxFiles ?? 3000;
  const grepped = new Set<string>();
  let capped = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const graph = new CodeGraph(files, paths);
    const walk = walkCallers(graph, start, { maxDepth: opts.maxDepth });
    const names = new Set<string>();
    for (const r of walk.reached.values()) {
      const u = files.get(r.at.path)!.units[r.at.unit]!;
      if ((u.kind === 'symbol' || u.kind === 'variable') && !grepped.has(u.bare)) names.add(u.bare);
    }
    for (const n of names) grepped.add(n);
    const hits = await grepFiles(root, head, [...names]);
    const want = new Set(
      [...graph.wanted, ...hits.filter((p) => !TEST_PATH.test(p))].filter((p) => paths.has(p) && !files.has(p) && inScope(p)),
    );
    if (want.size === 0) break;
    const room = maxFiles - (files.size - headCode.size);
    if (room <= 0) {
      capped = true;
      break;
    }
    const batch = [...want].sort().slice(0, room);
    if (batch.length < want.size) capped = true;
    const loaded = await parseFiles(
      root,
      batch.flatMap((p) => (headEntries.has(p) ? [headEntries.get(p)!] : [])),
    );
    for (const [p, f] of loaded) files.set(p, f);
    if (loaded.size === 0) break;
  }
  const walk = walkCallers(new CodeGraph(files, paths), start, { maxDepth: opts.maxDepth });
  if (capped) notes.push(`the caller walk parsed ${maxFiles} files at most; callers in other files were not looked for`);

  const walked: WalkedUnit[] = [];
  const runtimeUnits: RuntimeUnit[] = [];
  for (const [id, r] of walk.reached) {
    if (r.depth > 0 && TEST_PATH.test(r.at.path)) continue;
    const f = files.get(r.at.path)!;
    const u = f.units[r.at.unit]!;
    const service = serviceFor(f.path);
    const live = u.startLine > 0;
    walked.push({
      id,
      path: f.path,
      name: u.name,
      kind: u.kind,
      // A route is served by some process: with no service folder, the repository's.
      service: u.kind === 'route' ? (service ?? opts.service ?? opts.defaultService) : service,
      owners: ownersOf(f.path, opts.rules),
      depth: r.depth,
      via: r.via ? unitId(r.via) : null,
      route: u.route,
      startLine: live ? u.startLine : null,
    });
    runtimeUnits.push({
      id,
      service,
      path: f.path,
      name: u.name,
      bare: u.bare,
      startLine: live ? u.startLine : null,
      endLine: live ? u.endLine : null,
      kind: u.kind,
      logTemplates: f.logSites.filter((l) => l.unit === r.at.unit).map((l) => l.template),
    });
  }
  return {
    diff,
    changed,
    walked,
    runtimeUnits,
    truncated: walk.truncated,
    filesParsed: files.size,
    notes,
  };
}
