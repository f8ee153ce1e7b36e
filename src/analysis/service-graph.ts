// Reachability in the service graph, from caller→callee edges: the one definition shared by
// root-cause ranking (a caller is judged against its direct callees) and the store's
// investigation scope (everything a service calls, directly or through others).

/** Each caller's direct callees, in the order the edges first name them. */
export function calleesOf(
  edges: Iterable<{ readonly caller: string; readonly callee: string }>,
): Map<string, Set<string>> {
  const callees = new Map<string, Set<string>>();
  for (const e of edges) {
    let s = callees.get(e.caller);
    if (s === undefined) {
      s = new Set();
      callees.set(e.caller, s);
    }
    s.add(e.callee);
  }
  return callees;
}

/**
 * `service` and every service it calls, directly or through others (depth first, so the order
 * is stable for the same edges); cycles are followed once.
 */
export function downstreamOf(callees: ReadonlyMap<string, ReadonlySet<string>>, service: string): Set<string> {
  const seen = new Set<string>([service]);
  const todo = [service];
  while (todo.length > 0) {
    for (const c of callees.get(todo.pop() as string) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      todo.push(c);
    }
  }
  return seen;
}
