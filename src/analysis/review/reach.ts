// What reaches each changed symbol on its own: the route handlers (whose endpoints give the
// symbol its production context) and the test files whose code calls it, directly or through
// the call graph. sim-change walks from all changed units at once and leaves test code out;
// a review needs the walk per symbol, with tests in it, over the same graph.
import { type ServicePath, serviceOf } from '../code/index.js';
import {
  CodeGraph,
  type FileCode,
  type UnitRef,
  callerIndex,
  isTestPath,
  walkCallers,
} from '../simulate/change/index.js';

export interface SymbolReach {
  /** Route registrations that reach it (their lines at head). */
  routes: Array<{ path: string; startLine: number; endLine: number }>;
  /** Test files with a unit that reaches it. */
  tests: string[];
}

export interface ReachInput {
  /** Every loaded file at head: the changed files, their callers, and the test files. */
  files: ReadonlyMap<string, FileCode>;
  paths: ReadonlySet<string>;
  servicePaths: ReadonlyArray<Pick<ServicePath, 'pathPrefix' | 'service'>>;
  /** The changed symbols: an id of the caller's choosing, the file and the unit's key. */
  changed: ReadonlyArray<{ id: string; path: string; key: string }>;
  maxDepth?: number;
}

/** Per changed symbol id, what reaches it. A symbol not in the loaded files reaches nothing. */
export function reachOfChanged(input: ReachInput): Map<string, SymbolReach> {
  const graph = new CodeGraph(input.files, input.paths, (p) => serviceOf(p, input.servicePaths));
  const callers = callerIndex(graph);
  const out = new Map<string, SymbolReach>();
  for (const c of input.changed) {
    const unit = input.files.get(c.path)?.units.findIndex((u) => u.key === c.key) ?? -1;
    const reach: SymbolReach = { routes: [], tests: [] };
    out.set(c.id, reach);
    if (unit < 0) continue;
    const start: UnitRef = { path: c.path, unit };
    const walk = walkCallers(graph, [start], { callers, maxDepth: input.maxDepth });
    const tests = new Set<string>();
    for (const r of walk.reached.values()) {
      if (isTestPath(r.at.path)) {
        // The changed symbol's own file being a test is not a test reaching it.
        if (r.depth > 0) tests.add(r.at.path);
        continue;
      }
      const u = input.files.get(r.at.path)!.units[r.at.unit]!;
      if (u.kind === 'route' && u.startLine > 0)
        reach.routes.push({ path: r.at.path, startLine: u.startLine, endLine: u.endLine });
    }
    reach.tests = [...tests].sort();
  }
  return out;
}
