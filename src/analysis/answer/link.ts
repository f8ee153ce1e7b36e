// Runtime nodes joined to code: an endpoint to the route registration that serves it (same
// service, same route once parameters are written alike, a matching or open method), an
// internal span to the function it is named after in its service, and a code unit back to
// the runtime nodes that ran it.
import type { AnswerWorld, RouteFact, SymbolFact, UnitFact } from './facts.js';
import type { RuntimeNode } from './runtime-graph.js';

const METHOD_FIRST = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)$/i;

/** `/carts/{user}/`, `/carts/<user>` and `/carts/:user` alike. */
export function normalizeRoute(path: string): string {
  const p = path
    .trim()
    .replace(/\{[^}/]+\}|<[^>/]+>|:[A-Za-z_][\w]*/g, ':p')
    .replace(/\/+$/, '');
  return (p || '/').toLowerCase();
}

/** `GET /carts/:user` → method and path; a bare path → null method. */
export function splitEndpoint(name: string): { method: string | null; path: string } {
  const m = METHOD_FIRST.exec(name.trim());
  return m ? { method: m[1]!.toUpperCase(), path: m[2]! } : { method: null, path: name.trim() };
}

export function routeName(r: Pick<RouteFact, 'method' | 'routePath'>): string {
  return r.method ? `${r.method} ${r.routePath}` : r.routePath;
}

/** The route registrations that serve a runtime endpoint. */
export function routesOfEndpoint(world: AnswerWorld, node: Pick<RuntimeNode, 'service' | 'name'>): RouteFact[] {
  const { method, path } = splitEndpoint(node.name);
  const want = normalizeRoute(path);
  return world.routes.filter(
    (r) =>
      (r.service === null || r.service === node.service) &&
      normalizeRoute(r.routePath) === want &&
      (r.method === null || method === null || r.method === method),
  );
}

/** The runtime endpoints a route registration serves. */
export function endpointsOfRoute(world: AnswerWorld, r: RouteFact): RuntimeNode[] {
  const want = normalizeRoute(r.routePath);
  return world.runtime.nodes.filter((n) => {
    if (n.kind !== 'endpoint' || (r.service !== null && n.service !== r.service)) return false;
    const e = splitEndpoint(n.name);
    return normalizeRoute(e.path) === want && (r.method === null || e.method === null || e.method === r.method);
  });
}

function bareOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

/** The functions an internal span is named after, in its service. */
export function symbolsOfSpan(world: AnswerWorld, node: Pick<RuntimeNode, 'service' | 'name'>): SymbolFact[] {
  const want = node.name;
  return world.symbols.filter(
    (s) =>
      (s.service === null || s.service === node.service) &&
      (s.name === want || (s.parent !== null && `${s.parent}.${s.name}` === want)),
  );
}

/** The runtime nodes that ran a code unit: spans named after it, endpoints its route serves. */
export function nodesOfUnit(world: AnswerWorld, u: UnitFact, service: string | null): RuntimeNode[] {
  if (u.route) {
    const want = normalizeRoute(u.route.path);
    return world.runtime.nodes.filter((n) => {
      if (n.kind !== 'endpoint' || (service !== null && n.service !== service)) return false;
      const e = splitEndpoint(n.name);
      return (
        normalizeRoute(e.path) === want &&
        (u.route!.method === null || e.method === null || e.method === u.route!.method)
      );
    });
  }
  const bare = bareOf(u.name);
  return world.runtime.nodes.filter(
    (n) => n.kind === 'span' && (service === null || n.service === service) && (n.name === u.name || n.name === bare),
  );
}

/** The unit of the static call graph at a file's line range (a symbol or a route), if any. */
export function sameUnit(a: UnitFact, path: string, startLine: number): boolean {
  return a.path === path && a.startLine <= startLine && startLine <= a.endLine && a.startLine === startLine;
}

export function ownersOfPath(world: AnswerWorld, path: string): string[] {
  return world.files.find((f) => f.path === path)?.owners ?? [];
}

export function serviceOfPath(world: AnswerWorld, path: string): string | null {
  return world.files.find((f) => f.path === path)?.service ?? null;
}
