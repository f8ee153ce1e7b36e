// The runtime graph of a sample of traces: endpoints (server and consumer spans, and local
// roots) and internal spans as nodes; an in-process call from a node to the nearest node below
// it in the same service, and an HTTP edge from the node that made a client call to the server
// span that answered it (a span whose parent is a client span, or a span of another service).
// Each node and edge keeps the count of traces it was seen in and one trace id, the evidence.
import type { TraceLog, TraceSpan } from '../simulate/change/index.js';

export type RuntimeNodeKind = 'endpoint' | 'span';

export interface RuntimeNode {
  id: string;
  kind: RuntimeNodeKind;
  service: string;
  /** `GET /carts/:user` for an endpoint (method and route), the span's name otherwise. */
  name: string;
  /** The route (or span name) RED minutes key the endpoint by. */
  endpoint: string | null;
  traces: number;
  traceId: string;
}

export interface RuntimeEdge {
  from: string;
  to: string;
  kind: 'call' | 'http';
  traces: number;
  traceId: string;
}

export interface RuntimeLog {
  node: string;
  service: string;
  body: string;
  traces: number;
  traceId: string;
}

export interface RuntimeGraph {
  nodes: RuntimeNode[];
  edges: RuntimeEdge[];
  logs: RuntimeLog[];
  /** Traces read. */
  traces: number;
}

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const METHOD_FIRST = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s/i;
/** Distinct log bodies kept per node: enough to match templates, bounded for a chatty service. */
const MAX_LOGS_PER_NODE = 50;

/** The endpoint's name as people write it: `GET /carts/:user`. */
export function endpointName(method: string | null, endpoint: string): string {
  if (method === null || METHOD_FIRST.test(endpoint)) return endpoint;
  return `${method.toUpperCase()} ${endpoint}`;
}

export function buildRuntimeGraph(spans: readonly TraceSpan[], logs: readonly TraceLog[] = []): RuntimeGraph {
  const byTrace = new Map<string, Map<string, TraceSpan>>();
  for (const s of spans) {
    const t = byTrace.get(s.traceId) ?? new Map<string, TraceSpan>();
    byTrace.set(s.traceId, t);
    t.set(s.spanId, s);
  }
  const nodes = new Map<string, RuntimeNode>();
  const edges = new Map<string, RuntimeEdge>();
  const logsOut = new Map<string, RuntimeLog>();
  const perNode = new Map<string, number>();
  const seen = new Set<string>();
  const once = (key: string, traceId: string) => {
    const k = `${traceId}\u0000${key}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const logsByTrace = new Map<string, TraceLog[]>();
  for (const l of logs) {
    const list = logsByTrace.get(l.traceId);
    if (list) list.push(l);
    else logsByTrace.set(l.traceId, [l]);
  }

  for (const [traceId, trace] of byTrace) {
    const ownerCache = new Map<string, string | null>();
    const isNode = (s: TraceSpan): boolean => {
      if (s.kind === CLIENT || s.kind === PRODUCER) return false;
      return true;
    };
    const nodeIdOf = (s: TraceSpan): string => {
      const parent = s.parentId === null ? undefined : trace.get(s.parentId);
      const entry =
        s.kind === SERVER ||
        s.kind === CONSUMER ||
        parent === undefined ||
        parent.service !== s.service ||
        parent.kind === CLIENT ||
        parent.kind === PRODUCER;
      if (entry) {
        const endpoint = s.route ?? s.name;
        const name = endpointName(s.method, endpoint);
        const id = `e\u0000${s.service}\u0000${name}`;
        if (!nodes.has(id))
          nodes.set(id, { id, kind: 'endpoint', service: s.service, name, endpoint, traces: 0, traceId });
        return id;
      }
      const id = `s\u0000${s.service}\u0000${s.name}`;
      if (!nodes.has(id))
        nodes.set(id, { id, kind: 'span', service: s.service, name: s.name, endpoint: null, traces: 0, traceId });
      return id;
    };
    /** The node a span belongs to: itself, or for a client span the node that made the call. */
    const ownerOf = (s: TraceSpan, depth = 0): string | null => {
      const hit = ownerCache.get(s.spanId);
      if (hit !== undefined) return hit;
      let out: string | null;
      if (isNode(s)) out = nodeIdOf(s);
      else {
        const parent = s.parentId === null ? undefined : trace.get(s.parentId);
        out = parent && depth < 200 ? ownerOf(parent, depth + 1) : null;
      }
      ownerCache.set(s.spanId, out);
      return out;
    };
    for (const s of trace.values()) {
      if (!isNode(s)) continue;
      const id = ownerOf(s)!;
      const node = nodes.get(id)!;
      if (once(id, traceId)) node.traces++;
      const parent = s.parentId === null ? undefined : trace.get(s.parentId);
      if (!parent) continue;
      const from = ownerOf(parent);
      if (from === null || from === id) continue;
      const http = parent.kind === CLIENT || parent.kind === PRODUCER || parent.service !== s.service;
      const key = `${from}\u0001${id}`;
      const e = edges.get(key) ?? {
        from,
        to: id,
        kind: http ? ('http' as const) : ('call' as const),
        traces: 0,
        traceId,
      };
      edges.set(key, e);
      if (once(key, traceId)) e.traces++;
    }
    for (const l of logsByTrace.get(traceId) ?? []) {
      const s = l.spanId === null ? undefined : trace.get(l.spanId);
      const node = s ? ownerOf(s) : null;
      if (node === null) continue;
      const key = `${node}\u0002${l.body}`;
      let out = logsOut.get(key);
      if (!out) {
        const n = perNode.get(node) ?? 0;
        if (n >= MAX_LOGS_PER_NODE) continue;
        perNode.set(node, n + 1);
        out = { node, service: l.service, body: l.body, traces: 0, traceId };
        logsOut.set(key, out);
      }
      if (once(key, traceId)) out.traces++;
    }
  }
  const byName = (a: { id?: string; from?: string; to?: string }, b: typeof a) =>
    (a.id ?? `${a.from}${a.to}`).localeCompare(b.id ?? `${b.from}${b.to}`);
  return {
    nodes: [...nodes.values()].sort(byName),
    edges: [...edges.values()].sort(byName),
    logs: [...logsOut.values()].sort((a, b) => a.node.localeCompare(b.node) || a.body.localeCompare(b.body)),
    traces: byTrace.size,
  };
}
