// An explain target as written — `file:line`, a route (`GET /carts/:user`, `/carts/:user`,
// optionally after its service), a service, or a symbol (`summarizeCart`, `Cart.add`) — resolved
// against the index and the runtime graph: one match, several (the candidates are listed), or
// none (the nearest names are suggested).
import type { ExplainTarget } from '../../model/index.js';
import type { AnswerWorld, RouteFact, SymbolFact } from './facts.js';
import { normalizeRoute, routeName, splitEndpoint } from './link.js';

export type TargetResolution =
  | { kind: 'found'; target: ExplainTarget; symbol: SymbolFact | null; route: RouteFact | null }
  | { kind: 'ambiguous'; candidates: ExplainTarget[] }
  | { kind: 'unknown'; suggestions: string[] };

const LOCATION = /^(.+?):(\d{1,9})(?::\d+)?$/;
const SUGGESTIONS = 5;

/** Levenshtein distance, bounded: past `max` it stops and answers max + 1. */
export function editDistance(a: string, b: string, max = 64): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known names nearest to `query`: by edit distance (case-insensitive), names containing it first among equals. */
export function nearestNames(query: string, names: Iterable<string>, limit = SUGGESTIONS): string[] {
  const q = query.toLowerCase();
  const scored: Array<{ name: string; d: number }> = [];
  for (const name of new Set(names)) {
    const n = name.toLowerCase();
    const contains = n.includes(q) || q.includes(n);
    const d = editDistance(q, n, Math.max(q.length, 8)) - (contains ? 0.5 * Math.min(q.length, n.length) : 0);
    scored.push({ name, d });
  }
  const cut = Math.max(3, q.length * 0.6);
  return scored
    .filter((s) => s.d <= cut)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((s) => s.name);
}

function symbolTarget(s: SymbolFact): ExplainTarget {
  return {
    kind: 'symbol',
    name: s.parent ? `${s.parent}.${s.name}` : s.name,
    service: s.service,
    repository: s.repository,
    path: s.path,
    startLine: s.startLine,
    endLine: s.endLine,
  };
}

function routeTarget(r: RouteFact, service: string | null): ExplainTarget {
  return {
    kind: 'route',
    name: routeName(r),
    service: r.service ?? service,
    repository: r.repository,
    path: r.path,
    startLine: r.symbol?.startLine ?? r.line,
    endLine: r.symbol?.endLine ?? r.line,
  };
}

/** Every name a target may be written as, for suggestions. */
export function knownNames(world: AnswerWorld): string[] {
  const out: string[] = [...world.services];
  for (const s of world.symbols) out.push(s.parent ? `${s.parent}.${s.name}` : s.name);
  for (const r of world.routes) out.push(routeName(r));
  for (const n of world.runtime.nodes) if (n.kind === 'endpoint') out.push(n.name);
  for (const f of world.files) out.push(f.path);
  return out;
}

/** The innermost symbol holding the line. */
export function symbolAt(world: AnswerWorld, path: string, line: number): SymbolFact | null {
  let best: SymbolFact | null = null;
  for (const s of world.symbols) {
    if (s.path !== path || s.startLine > line || s.endLine < line) continue;
    if (!best || s.endLine - s.startLine < best.endLine - best.startLine) best = s;
  }
  return best;
}

export function resolveTarget(world: AnswerWorld, query: string): TargetResolution {
  const q = query.trim();
  const loc = LOCATION.exec(q);
  if (loc && !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s/i.test(q)) {
    const path = loc[1]!.replace(/^\.?\/+/, '');
    const line = Number(loc[2]);
    const files = world.files.filter((f) => f.path === path || f.path.endsWith(`/${path}`));
    if (files.length > 1)
      return {
        kind: 'ambiguous',
        candidates: files.map((f) => ({
          kind: 'location',
          name: `${f.path}:${line}`,
          service: f.service,
          repository: f.repository,
          path: f.path,
          startLine: line,
          endLine: line,
        })),
      };
    const file = files[0];
    if (!file)
      return {
        kind: 'unknown',
        suggestions: nearestNames(
          path,
          world.files.map((f) => f.path),
        ).map((p) => `${p}:${line}`),
      };
    const symbol = symbolAt(world, file.path, line);
    return {
      kind: 'found',
      symbol,
      route: null,
      target: {
        kind: 'location',
        name: `${file.path}:${line}`,
        service: file.service,
        repository: file.repository,
        path: file.path,
        startLine: symbol?.startLine ?? line,
        endLine: symbol?.endLine ?? line,
      },
    };
  }

  // A route, optionally after its service: `cart GET /carts/:user`, `GET /carts/:user`, `/carts/:user`.
  const routeMatch =
    /^(?:(?!(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s)(\S+)\s+)?((?:(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?\/\S*)$/i.exec(
      q,
    );
  if (routeMatch) {
    const service = routeMatch[1] ?? null;
    const { method, path } = splitEndpoint(routeMatch[2]!);
    const want = normalizeRoute(path);
    const routes = world.routes.filter(
      (r) =>
        normalizeRoute(r.routePath) === want &&
        (method === null || r.method === null || r.method === method) &&
        (service === null || r.service === service),
    );
    if (routes.length === 1)
      return { kind: 'found', target: routeTarget(routes[0]!, service), symbol: null, route: routes[0]! };
    if (routes.length > 1) return { kind: 'ambiguous', candidates: routes.map((r) => routeTarget(r, service)) };
    // Served in telemetry but not found in the index: an endpoint with no code location.
    const served = world.runtime.nodes.filter((n) => {
      if (n.kind !== 'endpoint' || (service !== null && n.service !== service)) return false;
      const e = splitEndpoint(n.name);
      return normalizeRoute(e.path) === want && (method === null || e.method === null || e.method === method);
    });
    const one = (n: (typeof served)[number]): ExplainTarget => ({
      kind: 'route',
      name: n.name,
      service: n.service,
      repository: null,
      path: null,
      startLine: null,
      endLine: null,
    });
    if (served.length === 1) return { kind: 'found', target: one(served[0]!), symbol: null, route: null };
    if (served.length > 1) return { kind: 'ambiguous', candidates: served.map(one) };
    const routeNames = [
      ...world.routes.map(routeName),
      ...world.runtime.nodes.filter((n) => n.kind === 'endpoint').map((n) => n.name),
    ];
    return { kind: 'unknown', suggestions: nearestNames(routeMatch[2]!, routeNames) };
  }

  if (world.services.includes(q))
    return {
      kind: 'found',
      symbol: null,
      route: null,
      target: { kind: 'service', name: q, service: q, repository: null, path: null, startLine: null, endLine: null },
    };

  const symbols = world.symbols.filter((s) => s.name === q || (s.parent !== null && `${s.parent}.${s.name}` === q));
  // One definition seen through several kinds (a class and its constructor at one line) is one target.
  const distinct = [...new Map(symbols.map((s) => [`${s.path}:${s.startLine}:${s.name}`, s])).values()];
  if (distinct.length === 1)
    return { kind: 'found', target: symbolTarget(distinct[0]!), symbol: distinct[0]!, route: null };
  if (distinct.length > 1) return { kind: 'ambiguous', candidates: distinct.map(symbolTarget) };
  return { kind: 'unknown', suggestions: nearestNames(q, knownNames(world)) };
}

/** How a candidate is written so that explain takes it at once. */
export function targetSpelling(t: ExplainTarget): string {
  if (t.kind === 'route') return t.service ? `${t.service} ${t.name}` : t.name;
  if (t.kind === 'symbol' && t.path) return `${t.path}:${t.startLine}`;
  return t.name;
}
