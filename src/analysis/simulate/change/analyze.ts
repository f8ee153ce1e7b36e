// The code half of sim-change@1 over the files loaded so far: the changed units of each
// changed file, units removed at head kept as ghosts (so what still names them resolves),
// the walk up to callers, and what to load next (names of reached units to look for, files a
// resolution needed). The workflow loads, then calls this again, until nothing new is asked.
import { type CodeownerRule, type ServicePath, ownersOf, serviceOf } from '../../code/index.js';
import { changedUnits } from './changed.js';
import type { WalkedUnit } from './exposure.js';
import { CodeGraph, type UnitRef } from './resolve.js';
import type { RuntimeUnit } from './runtime.js';
import type { ChangedUnit, FileCode, FileDiff } from './types.js';
import { unitId, walkCallers } from './walk.js';

/** Test code: it calls production code, but no request runs it. */
const TEST_PATH =
  /(^|\/)(test|tests|__tests__|spec|specs|testdata)\/|\.(test|spec)\.[cm]?[jt]sx?$|_test\.(go|py)$|(^|\/)test_[^/]*\.py$|Tests?\.java$/;

export function isTestPath(path: string): boolean {
  return TEST_PATH.test(path);
}

export interface ChangeCodeInput {
  diff: readonly FileDiff[];
  /** The changed files at base, by their base path. */
  base: ReadonlyMap<string, FileCode>;
  /** The files loaded at head: the changed ones and those that may call into them. */
  head: ReadonlyMap<string, FileCode>;
  /** Every code path at head (module resolution names files that are not loaded). */
  paths: ReadonlySet<string>;
  servicePaths: ReadonlyArray<Pick<ServicePath, 'pathPrefix' | 'service'>>;
  rules: readonly CodeownerRule[];
  /** The service a deploy shipped, or null for a plain range. */
  service: string | null;
  /** The service of a route outside every service's folder (the repository's name). */
  defaultService: string;
  maxDepth?: number;
}

export interface ChangeCodeAnalysis {
  changed: Array<ChangedUnit & { id: string; service: string | null; owners: string[] }>;
  walked: WalkedUnit[];
  runtimeUnits: RuntimeUnit[];
  truncated: boolean;
  /** Bare names of the reached functions and variables: files naming them may hold callers. */
  names: string[];
  /** Files a resolution needed that are not loaded. */
  wanted: string[];
}

/** Adds a unit that exists only at base to the head file (or a ghost of the deleted file). */
function ghost(files: Map<string, FileCode>, base: FileCode, headPath: string, key: string): void {
  const unit = base.units.find((u) => u.key === key);
  if (!unit) return;
  let f = files.get(headPath);
  if (!f) f = { ...base, path: headPath, units: [base.units[0]!], refs: [], logSites: [], quietLines: [] };
  else f = { ...f, units: [...f.units] };
  if (!f.units.some((u) => u.key === key)) f.units.push({ ...unit, startLine: 0, endLine: -1 });
  files.set(headPath, f);
}

export function analyzeChange(input: ChangeCodeInput): ChangeCodeAnalysis {
  const serviceFor = (path: string) => serviceOf(path, input.servicePaths);
  const files = new Map(input.head);
  const paths = new Set(input.paths);
  const raw: ChangedUnit[] = [];
  for (const d of input.diff) {
    const b = d.oldPath === null ? null : (input.base.get(d.oldPath) ?? null);
    const h = d.newPath === null ? null : (input.head.get(d.newPath) ?? null);
    if (!b && !h) continue;
    for (const c of changedUnits(d, b, h)) {
      raw.push(c);
      if (c.change === 'removed' && b) {
        ghost(files, b, c.path, c.key);
        paths.add(c.path);
      }
    }
  }
  const start: UnitRef[] = [];
  const changed: ChangeCodeAnalysis['changed'] = [];
  for (const c of raw) {
    const unit = files.get(c.path)?.units.findIndex((u) => u.key === c.key) ?? -1;
    if (unit < 0) continue;
    const at = { path: c.path, unit };
    start.push(at);
    changed.push({ ...c, id: unitId(at), service: serviceFor(c.path), owners: ownersOf(c.path, input.rules) });
  }

  const graph = new CodeGraph(files, paths, serviceFor);
  const walk = walkCallers(graph, start, { maxDepth: input.maxDepth });
  const walked: WalkedUnit[] = [];
  const runtimeUnits: RuntimeUnit[] = [];
  const names = new Set<string>();
  for (const [id, r] of walk.reached) {
    // Test code is listed as changed, but no request runs it.
    if (isTestPath(r.at.path)) continue;
    const f = files.get(r.at.path)!;
    const u = f.units[r.at.unit]!;
    if (u.kind === 'symbol' || u.kind === 'variable') names.add(u.bare);
    // Callers construct a class by its name, not its constructor's.
    if (u.parent && (u.bare === 'constructor' || u.bare === '__init__' || u.bare === u.parent)) names.add(u.parent);
    const service = serviceFor(f.path);
    const live = u.startLine > 0;
    walked.push({
      id,
      path: f.path,
      name: u.name,
      kind: u.kind,
      // A route is served by some process: with no service folder, the deploy's or the repository's.
      service: u.kind === 'route' ? (service ?? input.service ?? input.defaultService) : service,
      owners: ownersOf(f.path, input.rules),
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
  return { changed, walked, runtimeUnits, truncated: walk.truncated, names: [...names].sort(), wanted: graph.wanted };
}
