// The static calls between a repository's functions and route handlers: each reference a
// parsed file makes, resolved through its imports (sim-change's CodeGraph), as caller → callee
// units. Module statements and top-level variables are not units here.
import { CodeGraph, type CodeUnit, type FileCode } from '../simulate/change/index.js';
import type { StaticCall, UnitFact } from './facts.js';

function unitFact(repository: string, path: string, u: CodeUnit): UnitFact | null {
  if (u.kind !== 'symbol' && u.kind !== 'route') return null;
  return {
    repository,
    path,
    name: u.name,
    startLine: u.startLine,
    endLine: u.endLine,
    route: u.route ? { method: u.route.method, path: u.route.path } : null,
  };
}

export function staticCallsOf(
  repository: string,
  files: ReadonlyMap<string, FileCode>,
  paths: ReadonlySet<string>,
  opts: { scopeOf?: (path: string) => string | null; limit?: number } = {},
): StaticCall[] {
  const graph = new CodeGraph(files, paths, opts.scopeOf);
  const limit = opts.limit ?? 200_000;
  const out: StaticCall[] = [];
  const seen = new Set<string>();
  for (const f of files.values()) {
    for (const ref of f.refs) {
      const from = unitFact(repository, f.path, f.units[ref.unit]!);
      if (!from) continue;
      for (const t of graph.resolve(f, ref)) {
        if (t.path === f.path && t.unit === ref.unit) continue;
        const target = files.get(t.path)?.units[t.unit];
        const to = target ? unitFact(repository, t.path, target) : null;
        if (!to) continue;
        const k = `${f.path}:${ref.unit}>${t.path}:${t.unit}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push({ from, to });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}
