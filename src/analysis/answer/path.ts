// A walk of the code and runtime graph between two sets of entities: the fewest hops through
// the sampled traces' in-process calls and HTTP edges (the edges seen in more traces tried
// first), each node joined to its code (a route's handler, the function a span is named
// after); with no runtime path, the fewest static calls between the code units.
import type { AnswerEntity, AnswerStep } from '../../model/index.js';
import { codeEvidence, traceEvidence } from './evidence.js';
import { type AnswerWorld, type UnitFact, refOf } from './facts.js';
import { nodeLabel, nodeRef, templateRegex } from './explain.js';
import { normalizeRoute, splitEndpoint } from './link.js';
import type { RuntimeEdge, RuntimeNode } from './runtime-graph.js';

const MAX_HOPS = 16;

/** The runtime nodes an entity stands for. */
export function nodesOfEntity(world: AnswerWorld, e: AnswerEntity): RuntimeNode[] {
  const nodes = world.runtime.nodes;
  switch (e.kind) {
    case 'service':
      return nodes.filter((n) => n.service === e.name);
    case 'endpoint':
    case 'route': {
      const rest =
        e.service !== null && e.name.startsWith(`${e.service} `) ? e.name.slice(e.service.length + 1) : e.name;
      const want = splitEndpoint(rest);
      return nodes.filter((n) => {
        if (n.kind !== 'endpoint' || (e.service !== null && n.service !== e.service)) return false;
        const got = splitEndpoint(n.name);
        return (
          normalizeRoute(got.path) === normalizeRoute(want.path) &&
          (want.method === null || got.method === null || got.method === want.method)
        );
      });
    }
    case 'symbol': {
      const bare = e.name.includes('.') ? e.name.slice(e.name.lastIndexOf('.') + 1) : e.name;
      return nodes.filter(
        (n) =>
          n.kind === 'span' &&
          (e.service === null || n.service === e.service) &&
          (n.name === e.name || n.name === bare),
      );
    }
    case 'template': {
      const re = templateRegex(e.name);
      const ids = new Set(
        world.runtime.logs
          .filter((l) => (e.service === null || l.service === e.service) && re.test(l.body))
          .map((l) => l.node),
      );
      return nodes.filter((n) => ids.has(n.id));
    }
    default:
      return [];
  }
}

/** Entry endpoints first: a service's endpoints that no other service calls. */
function sourcesOf(world: AnswerWorld, e: AnswerEntity): RuntimeNode[] {
  const nodes = nodesOfEntity(world, e);
  if (e.kind !== 'service') return nodes;
  const called = new Set(world.runtime.edges.filter((x) => x.kind === 'http').map((x) => x.to));
  const entry = nodes.filter((n) => n.kind === 'endpoint' && !called.has(n.id));
  return entry.length ? entry : nodes.filter((n) => n.kind === 'endpoint');
}

export interface FoundPath {
  nodes: RuntimeNode[];
  edges: RuntimeEdge[];
}

export function runtimePath(world: AnswerWorld, from: AnswerEntity, to: AnswerEntity): FoundPath | null {
  const sources = sourcesOf(world, from);
  const targets = new Set(nodesOfEntity(world, to).map((n) => n.id));
  if (sources.length === 0 || targets.size === 0) return null;
  const byId = new Map(world.runtime.nodes.map((n) => [n.id, n]));
  const out = new Map<string, RuntimeEdge[]>();
  for (const e of world.runtime.edges) {
    const list = out.get(e.from);
    if (list) list.push(e);
    else out.set(e.from, [e]);
  }
  for (const list of out.values()) list.sort((a, b) => b.traces - a.traces || a.to.localeCompare(b.to));
  const via = new Map<string, RuntimeEdge | null>();
  const ordered = [...sources].sort((a, b) => b.traces - a.traces || a.id.localeCompare(b.id));
  for (const s of ordered) via.set(s.id, null);
  let frontier = ordered.map((s) => s.id);
  let hit: string | null = frontier.find((id) => targets.has(id)) ?? null;
  for (let d = 0; hit === null && frontier.length && d < MAX_HOPS; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of out.get(id) ?? []) {
        if (via.has(e.to)) continue;
        via.set(e.to, e);
        next.push(e.to);
        if (targets.has(e.to) && hit === null) hit = e.to;
      }
    }
    frontier = next;
  }
  if (hit === null) return null;
  const edges: RuntimeEdge[] = [];
  for (let id: string = hit; via.get(id); id = via.get(id)!.from) edges.unshift(via.get(id)!);
  const nodes = [byId.get(edges[0]?.from ?? hit)!, ...edges.map((e) => byId.get(e.to)!)];
  return { nodes, edges };
}

/** The steps of a runtime path: each node with its code, each edge with the trace that shows it. */
export function pathSteps(world: AnswerWorld, p: FoundPath): AnswerStep[] {
  const steps: AnswerStep[] = [];
  p.nodes.forEach((n, i) => {
    if (i > 0) {
      const e = p.edges[i - 1]!;
      const from = p.nodes[i - 1]!;
      steps.push({
        kind: e.kind === 'http' ? 'http' : 'call',
        service: from.service,
        name: `${nodeLabel(from)} → ${nodeLabel(n)}`,
        ref: null,
        line: {
          text:
            e.kind === 'http'
              ? `${nodeLabel(from)} calls ${nodeLabel(n)} over HTTP: a client span answered by a server span in ${n.service}, in ${e.traces} sampled traces`
              : `${nodeLabel(from)} calls ${n.name}() in-process, in ${e.traces} sampled traces`,
          evidence: [traceEvidence(e.traceId, `${e.traces} sampled traces; one is ${e.traceId}`)],
        },
      });
    }
    const ref = nodeRef(world, n);
    const evidence = [traceEvidence(n.traceId, `a trace through ${nodeLabel(n)}`)];
    if (ref)
      evidence.unshift(
        codeEvidence(
          ref.slice(0, ref.lastIndexOf(':')),
          Number(ref.slice(ref.lastIndexOf(':') + 1)),
          `${nodeLabel(n)} in code`,
        ),
      );
    steps.push({
      kind: n.kind === 'endpoint' ? (ref ? 'handler' : 'endpoint') : 'span',
      service: n.service,
      name: n.name,
      ref,
      line: {
        text:
          n.kind === 'endpoint'
            ? `${nodeLabel(n)}${ref ? `, handled at ${ref}` : ''}`
            : `${nodeLabel(n)}${ref ? ` at ${ref}` : ''}`,
        evidence,
      },
    });
  });
  return steps;
}

function unitKey(u: UnitFact): string {
  return `${u.path}\u0000${u.startLine}\u0000${u.name}`;
}

/** The fewest static calls from one set of code units to another (no runtime evidence). */
export function staticPath(
  world: AnswerWorld,
  from: readonly UnitFact[],
  to: readonly UnitFact[],
): AnswerStep[] | null {
  const targets = new Set(to.map(unitKey));
  const out = new Map<string, UnitFact[]>();
  for (const c of world.staticCalls) {
    const list = out.get(unitKey(c.from));
    if (list) list.push(c.to);
    else out.set(unitKey(c.from), [c.to]);
  }
  const via = new Map<string, UnitFact | null>();
  const units = new Map<string, UnitFact>();
  for (const u of from) {
    via.set(unitKey(u), null);
    units.set(unitKey(u), u);
  }
  let frontier = [...from];
  let hit: UnitFact | null = from.find((u) => targets.has(unitKey(u))) ?? null;
  for (let d = 0; !hit && frontier.length && d < MAX_HOPS; d++) {
    const next: UnitFact[] = [];
    for (const u of frontier)
      for (const v of out.get(unitKey(u)) ?? []) {
        if (via.has(unitKey(v))) continue;
        via.set(unitKey(v), u);
        units.set(unitKey(v), v);
        next.push(v);
        if (!hit && targets.has(unitKey(v))) hit = v;
      }
    frontier = next;
  }
  if (!hit) return null;
  const chain: UnitFact[] = [];
  for (let u: UnitFact | null = hit; u; u = via.get(unitKey(u)) ?? null) chain.unshift(u);
  return chain.map((u, i) => {
    const service = world.files.find((f) => f.path === u.path)?.service ?? '';
    const name = u.route ? `${u.route.method ? `${u.route.method} ` : ''}${u.route.path}` : u.name;
    return {
      kind: i === 0 && u.route ? 'handler' : 'call',
      service,
      name,
      ref: refOf(u.path, u.startLine),
      line: {
        text: `${i === 0 ? '' : 'calls '}${name} at ${refOf(u.path, u.startLine)} (static)`,
        evidence: [codeEvidence(u.path, u.startLine, `${name} in code`)],
      },
    };
  });
}
