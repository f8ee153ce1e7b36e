// Where the time of a request went, from its span tree: each service's own (self) time per
// visit, and each call edge's own time (the network and queueing between a client span and the
// server span that answered it), per minute, as DDSketches rca tests like any latency. The walk
// under them (spanWalk: each visit and each call, one by one) is also what simulate calibrates from.
//
// Pairing is structural, not by name: a span whose parent belongs to another service is the
// server side of its parent's call (also a SERVER/CONSUMER span under a CLIENT/PRODUCER span of
// its own service: a service calling itself). A client span is one that such a server span
// answered, one of kind CLIENT/PRODUCER, or one whose service and name answered elsewhere in the
// spans given; a client span no server span answered is an unanswered call (a timeout, a request
// that never arrived). Concurrency is accounted for by interval unions clipped to the parent, so
// concurrent children are not subtracted twice and async children that outlive it are clipped.
import { DDSketch } from '../sketch/index.js';
import type { EdgeTimeRow, SelfTimeRow } from './types.js';

/** One span, as span-times needs it; times in milliseconds (fractions kept). */
export interface TimedSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
}

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const MINUTE_MS = 60_000;

export interface SpanTimes {
  self: SelfTimeRow[];
  edges: EdgeTimeRow[];
}

/** Whether `span` is the server side of a call made by `parent`. */
export function answers(span: TimedSpan, parent: TimedSpan | undefined): boolean {
  if (parent === undefined) return false;
  if (parent.service !== span.service) return true;
  return (span.kind === SERVER || span.kind === CONSUMER) && (parent.kind === CLIENT || parent.kind === PRODUCER);
}

/** The length of the union of `intervals`, each clipped to [from, to]. */
export function coveredMs(intervals: ReadonlyArray<readonly [number, number]>, from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curA = Number.NaN;
  let curB = Number.NaN;
  for (const [a, b] of clipped) {
    if (Number.isNaN(curA) || a > curB) {
      if (!Number.isNaN(curA)) total += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (!Number.isNaN(curA)) total += curB - curA;
  return total;
}

const duration = (s: TimedSpan) => Math.max(0, s.endMs - s.startMs);
const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** One visit: a service's entry span (a root, a span whose parent is missing, or the server side of a call) with its local descendants. */
export interface SpanVisit<T extends TimedSpan = TimedSpan> {
  entry: T;
  /** The entry's duration less the union of its calls' client spans within it (≥ 0). */
  selfMs: number;
}

/** One call: a client span, with the server spans that answered it. */
export interface SpanCall<T extends TimedSpan = TimedSpan> {
  client: T;
  /** The server spans that answered it; empty for an unanswered call. */
  servers: T[];
  /**
   * An unanswered call's callee: the single service its operation (service and name) reached
   * when answered elsewhere in the spans given; null when none or several (a leaf call to
   * something uninstrumented, such as a database). Null for answered calls (see `servers`).
   */
  unansweredCallee: string | null;
  /** Answered: the client span's duration less the union of the servers' spans (≥ 0); else null. */
  ownMs: number | null;
}

/** One trace's tree: its spans by id, and each span's children (by the parent's id). */
export interface SpanTree<T extends TimedSpan = TimedSpan> {
  byId: Map<string, T>;
  children: Map<string, T[]>;
}

export interface SpanWalk<T extends TimedSpan = TimedSpan> {
  visits: SpanVisit<T>[];
  calls: SpanCall<T>[];
  /** Per trace id, its tree (for walks of their own over the same spans). */
  trees: Map<string, SpanTree<T>>;
}

/**
 * The visits and calls of span trees, with each visit's self time and each answered call's own
 * time: the one walk that spanTimes sums per minute and the simulation calibrates from. Spans of
 * several traces may come in any order; spans of a trace whose parent is not given are taken as
 * entries (a trace cut by the window). Visits and calls come trace by trace, each trace's in the
 * order its spans were given.
 */
export function spanWalk<T extends TimedSpan>(spans: readonly T[]): SpanWalk<T> {
  const byTrace = new Map<string, T[]>();
  for (const s of spans) {
    let list = byTrace.get(s.traceId);
    if (list === undefined) {
      list = [];
      byTrace.set(s.traceId, list);
    }
    list.push(s);
  }
  // First pass: each trace's tree, and which (service, name) ever answered (a call operation).
  const trees = new Map<string, SpanTree<T>>();
  const callOps = new Set<string>();
  const op = (s: TimedSpan) => `${s.service}\u0000${s.name}`;
  for (const list of byTrace.values()) {
    const byId = new Map<string, T>();
    for (const s of list) byId.set(s.spanId, s);
    const children = new Map<string, T[]>();
    for (const s of list) {
      if (s.parentId === null || !byId.has(s.parentId)) continue;
      const c = children.get(s.parentId);
      if (c) c.push(s);
      else children.set(s.parentId, [s]);
      if (answers(s, byId.get(s.parentId))) callOps.add(op(byId.get(s.parentId) as T));
    }
    trees.set(list[0]?.traceId as string, { byId, children });
  }
  // The single callee each call operation reached when answered ('' when several or none).
  const calleeOf = new Map<string, string>();
  for (const { byId, children } of trees.values()) {
    for (const [parentId, kids] of children) {
      const parent = byId.get(parentId) as T;
      for (const k of kids) {
        if (!answers(k, parent)) continue;
        const prev = calleeOf.get(op(parent));
        calleeOf.set(op(parent), prev === undefined || prev === k.service ? k.service : '');
      }
    }
  }
  const visits: SpanVisit<T>[] = [];
  const calls: SpanCall<T>[] = [];
  for (const { byId, children } of trees.values()) {
    const isCall = (s: TimedSpan) => s.kind === CLIENT || s.kind === PRODUCER || callOps.has(op(s));
    for (const s of byId.values()) {
      const parent = s.parentId === null ? undefined : byId.get(s.parentId);
      const kids = children.get(s.spanId) ?? [];
      // The calls: a client span's own time, or its going unanswered.
      if (isCall(s)) {
        const servers = kids.filter((k) => answers(k, s));
        if (servers.length > 0) {
          const own =
            duration(s) -
            coveredMs(
              servers.map((k) => [k.startMs, k.endMs] as const),
              s.startMs,
              s.endMs,
            );
          calls.push({ client: s, servers, unansweredCallee: null, ownMs: Math.max(0, own) });
        } else {
          const callee = calleeOf.get(op(s)) ?? '';
          calls.push({ client: s, servers, unansweredCallee: callee === '' ? null : callee, ownMs: null });
        }
      }
      // The visits: an entry span's duration less its calls within the visit.
      if (parent !== undefined && !answers(s, parent)) continue;
      // An entry that is itself a call (a client span at a trace's root) spends its time on the edge.
      const within: Array<readonly [number, number]> = isCall(s) ? [[s.startMs, s.endMs]] : [];
      const stack: T[] = [s];
      while (stack.length > 0) {
        const x = stack.pop() as T;
        if (x !== s && isCall(x)) {
          within.push([x.startMs, x.endMs]);
          continue;
        }
        for (const k of children.get(x.spanId) ?? []) if (!answers(k, x)) stack.push(k);
      }
      visits.push({ entry: s, selfMs: Math.max(0, duration(s) - coveredMs(within, s.startMs, s.endMs)) });
    }
  }
  return { visits, calls, trees };
}

/**
 * Self time per service visit and own time per call edge, per minute (the minute the visit's
 * entry span, or the client span, started in): spanWalk's visits and calls summed. A call
 * answered by servers of several services counts once on each edge.
 */
export function spanTimes(spans: readonly TimedSpan[]): SpanTimes {
  const { visits, calls } = spanWalk(spans);
  const self = new Map<string, SelfTimeRow>();
  const edges = new Map<string, EdgeTimeRow>();
  const edgeRow = (minuteMs: number, caller: string, callee: string): EdgeTimeRow => {
    const k = `${minuteMs}\u0000${caller}\u0000${callee}`;
    let r = edges.get(k);
    if (r === undefined) {
      r = { minuteMs, caller, callee, calls: 0, unanswered: 0, latency: new DDSketch() };
      edges.set(k, r);
    }
    return r;
  };
  for (const c of calls) {
    const s = c.client;
    if (c.ownMs !== null) {
      for (const callee of new Set(c.servers.map((k) => k.service))) {
        const r = edgeRow(minuteOf(s.startMs), s.service, callee);
        r.calls++;
        r.latency.add(c.ownMs);
      }
    } else if (c.unansweredCallee !== null) {
      const r = edgeRow(minuteOf(s.startMs), s.service, c.unansweredCallee);
      r.calls++;
      r.unanswered++;
    }
  }
  for (const { entry: s, selfMs } of visits) {
    const minuteMs = minuteOf(s.startMs);
    const k = `${minuteMs}\u0000${s.service}`;
    let r = self.get(k);
    if (r === undefined) {
      r = { minuteMs, service: s.service, visits: 0, latency: new DDSketch() };
      self.set(k, r);
    }
    r.visits++;
    r.latency.add(selfMs);
  }
  return { self: [...self.values()], edges: [...edges.values()] };
}
