// The walk up from the changed units to everything that reaches them: callers of callers,
// breadth-first, bounded in depth and size, each unit visited once (so cycles end). A unit's
// callers are the units whose references resolve to it; the routes of a file also depend on
// its module statements (a top-level change runs before every request the file serves).
import type { CodeGraph, UnitRef } from './resolve.js';

export interface WalkOptions {
  /** Steps from a changed unit at most (default 16). */
  maxDepth?: number;
  /** Units reached at most (default 20,000); past it the walk stops and says so. */
  maxUnits?: number;
  /** The graph's caller index when the caller walks it more than once (`callerIndex(graph)`). */
  callers?: ReadonlyMap<string, UnitRef[]>;
}

export interface ReachedUnit {
  at: UnitRef;
  /** 0 for a changed unit. */
  depth: number;
  /** The unit it was reached from (the callee), null for a changed unit. */
  via: UnitRef | null;
}

export interface CallerWalk {
  /** By `unitId`, in the order reached. */
  reached: Map<string, ReachedUnit>;
  truncated: boolean;
}

export function unitId(r: UnitRef): string {
  return `${r.path}\u0000${r.unit}`;
}

/** Every unit's callers in the graph's loaded files. */
export function callerIndex(graph: CodeGraph): Map<string, UnitRef[]> {
  const callers = new Map<string, UnitRef[]>();
  const add = (callee: UnitRef, caller: UnitRef) => {
    const k = unitId(callee);
    const list = callers.get(k);
    if (list) {
      if (!list.some((c) => c.path === caller.path && c.unit === caller.unit)) list.push(caller);
    } else callers.set(k, [caller]);
  };
  for (const f of graph.files.values()) {
    for (const ref of f.refs) {
      for (const t of graph.resolve(f, ref)) {
        if (t.path === f.path && t.unit === ref.unit) continue;
        add(t, { path: f.path, unit: ref.unit });
      }
    }
    f.units.forEach((u, i) => {
      if (u.kind === 'route') add({ path: f.path, unit: 0 }, { path: f.path, unit: i });
    });
  }
  return callers;
}

export function walkCallers(graph: CodeGraph, start: readonly UnitRef[], opts: WalkOptions = {}): CallerWalk {
  const maxDepth = opts.maxDepth ?? 16;
  const maxUnits = opts.maxUnits ?? 20_000;
  const callers = opts.callers ?? callerIndex(graph);
  const reached = new Map<string, ReachedUnit>();
  let frontier: UnitRef[] = [];
  for (const s of start) {
    const k = unitId(s);
    if (reached.has(k)) continue;
    reached.set(k, { at: s, depth: 0, via: null });
    frontier.push(s);
  }
  let truncated = false;
  for (let depth = 1; frontier.length && depth <= maxDepth; depth++) {
    const next: UnitRef[] = [];
    for (const callee of frontier) {
      for (const caller of callers.get(unitId(callee)) ?? []) {
        const k = unitId(caller);
        if (reached.has(k)) continue;
        if (reached.size >= maxUnits) {
          truncated = true;
          break;
        }
        reached.set(k, { at: caller, depth, via: callee });
        next.push(caller);
      }
    }
    frontier = next;
  }
  // Units left at the last depth whose callers were not visited.
  if (frontier.some((u) => (callers.get(unitId(u)) ?? []).some((c) => !reached.has(unitId(c))))) truncated = true;
  return { reached, truncated };
}
