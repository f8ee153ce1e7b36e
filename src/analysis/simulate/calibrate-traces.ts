// The traffic half of the calibration, from a window of whole traces: the entry endpoints and
// their arrival rates; per entry, the visits to each service, its leaf calls and its calls on each
// edge per request; each service's self time per visit (span-times' walk) and its leaf calls'
// durations; each edge's failures, the latency at which its calls fail and the retries its callers
// made; who a failure reaches; and uniform samples of request trees for the latency model.
import { spanWalk } from '../rca/index.js';
import { callTree } from './call-tree.js';
import { type Random, Reservoir, describe, gapCv2 } from './stats.js';
import type {
  BlockSums,
  CalibrationWindow,
  Distribution,
  EdgeCalibration,
  EdgeTouch,
  EntryCalibration,
  ServiceTouch,
  Setting,
  SimSpan,
  TreeSample,
} from './types.js';

export interface TraceCalibrationOptions {
  /** Share of the window's traces given (1: all); counts are divided by it. */
  sampled: number;
  blocks: number;
  /** Request trees kept per entry endpoint and per edge. */
  sampleSize: number;
  random: Random;
}

export interface TracedService {
  service: string;
  visits: number;
  selfTime: Distribution;
  arrivalCv2: number;
  leaf: { calls: number; duration: Distribution; arrivalCv2: number } | null;
  blocks: { visits: BlockSums; leaf: BlockSums };
  errorPropagation: Setting<number>;
}

/** An edge before its timeouts are known (they come from the caller's settings too). */
export type TracedEdge = Omit<EdgeCalibration, 'attemptTimeoutsMs'>;

export interface TraceCalibration {
  window: CalibrationWindow;
  blockMs: number;
  blocks: number;
  sampled: number;
  traces: number;
  sampleSize: number;
  services: TracedService[];
  entries: EntryCalibration[];
  edges: TracedEdge[];
  warnings: string[];
}

const dur = (s: SimSpan) => Math.max(0, s.endMs - s.startMs);
/** A later call of the same operation that began this long after the earlier one (and this share of its duration) while it still ran is a retry after a timeout, not a fan-out. */
const RETRY_MIN_GAP_MS = 5;
const RETRY_MIN_GAP_SHARE = 0.1;
/** A call that ends this much after the visit that made it ended was not waited for. */
const DETACHED_SLACK_MS = 1;
const PRODUCER = 4;

function blockSums(n: number): BlockSums {
  return { count: new Array(n).fill(0), sum: new Array(n).fill(0), sumSq: new Array(n).fill(0) };
}

function addBlock(b: BlockSums, at: number, v: number): void {
  b.count[at] = (b.count[at] as number) + 1;
  b.sum[at] = (b.sum[at] as number) + v;
  b.sumSq[at] = (b.sumSq[at] as number) + v * v;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};

/** Calibrates traffic, paths and times from the window's traces (spans of traces that began before it are ignored). */
export function calibrateTraces(
  spans: readonly SimSpan[],
  window: CalibrationWindow,
  opts: TraceCalibrationOptions,
): TraceCalibration {
  const windowMs = window.endMs - window.startMs;
  const blockMs = windowMs / opts.blocks;
  const blockOf = (ms: number) => Math.min(opts.blocks - 1, Math.max(0, Math.floor((ms - window.startMs) / blockMs)));
  const inWindow = (ms: number) => ms >= window.startMs && ms < window.endMs;
  const walk = spanWalk(spans);

  // Each trace's tree (the walk's), for roots and subtrees.
  const parentOf = (s: SimSpan) => (s.parentId === null ? undefined : walk.trees.get(s.traceId)?.byId.get(s.parentId));
  const kidsOf = (s: SimSpan): readonly SimSpan[] => walk.trees.get(s.traceId)?.children.get(s.spanId) ?? [];
  const rootMemo = new Map<SimSpan, SimSpan>();
  const rootOf = (s: SimSpan): SimSpan => {
    const path: SimSpan[] = [];
    let x = s;
    let r = rootMemo.get(x);
    while (r === undefined) {
      path.push(x);
      const p = parentOf(x);
      if (p === undefined) {
        r = x;
        break;
      }
      x = p;
      r = rootMemo.get(x);
    }
    for (const y of path) rootMemo.set(y, r);
    return r;
  };

  // Services and edges, indexed.
  const serviceIndex = new Map<string, number>();
  const svc = (name: string) => {
    let i = serviceIndex.get(name);
    if (i === undefined) {
      i = serviceIndex.size;
      serviceIndex.set(name, i);
      services.push({
        service: name,
        self: [],
        starts: [],
        leafDur: [],
        leafStarts: [],
        blocks: { visits: blockSums(opts.blocks), leaf: blockSums(opts.blocks) },
        failedRoots: new Set(),
        failedRootsErrored: 0,
      });
    }
    return i;
  };
  interface ServiceAcc {
    service: string;
    self: number[];
    starts: number[];
    leafDur: number[];
    leafStarts: number[];
    blocks: { visits: BlockSums; leaf: BlockSums };
    failedRoots: Set<SimSpan>;
    failedRootsErrored: number;
  }
  const services: ServiceAcc[] = [];
  interface EdgeAcc {
    caller: string;
    callee: string;
    calls: number;
    failed: number;
    durations: number[];
    failedDurations: number[];
    failedRootErrored: number;
    detached: number;
    endpoints: Map<string, number>;
    reservoir: Reservoir<TreeSample>;
    retries: number;
    retriesAfterFailure: number;
    spacing: number[][];
    maxAttempts: number;
  }
  const edgeIndex = new Map<string, number>();
  const edges: EdgeAcc[] = [];
  const edge = (caller: string, callee: string) => {
    const k = `${caller}\u0000${callee}`;
    let i = edgeIndex.get(k);
    if (i === undefined) {
      i = edges.length;
      edgeIndex.set(k, i);
      edges.push({
        caller,
        callee,
        calls: 0,
        failed: 0,
        durations: [],
        failedDurations: [],
        failedRootErrored: 0,
        detached: 0,
        endpoints: new Map(),
        reservoir: new Reservoir(opts.sampleSize, opts.random),
        retries: 0,
        retriesAfterFailure: 0,
        spacing: [],
        maxAttempts: 1,
      });
    }
    return i;
  };

  // Visits and calls, each tied to its trace's root.
  const selfOf = new Map<SimSpan, number>();
  for (const v of walk.visits) {
    const root = rootOf(v.entry);
    if (!inWindow(root.startMs)) continue;
    selfOf.set(v.entry, v.selfMs);
    const acc = services[svc(v.entry.service)] as ServiceAcc;
    acc.self.push(v.selfMs);
    acc.starts.push(v.entry.startMs);
    addBlock(acc.blocks.visits, blockOf(v.entry.startMs), v.selfMs);
  }
  /** When the visit that made a span ended: its nearest ancestor (or itself) that is a visit's entry. */
  const visitEndOf = (s: SimSpan): number => {
    let x: SimSpan | undefined = s;
    for (let depth = 0; x !== undefined && depth < 1000; depth++) {
      if (selfOf.has(x)) return x.endMs;
      x = parentOf(x);
    }
    return Number.POSITIVE_INFINITY;
  };
  /** Client span → the edge it is a call on, or -1 for a leaf call. */
  const callEdge = new Map<SimSpan, number>();
  const callFailed = new Map<SimSpan, boolean>();
  for (const c of walk.calls) {
    const root = rootOf(c.client);
    if (!inWindow(root.startMs)) continue;
    const callee = c.servers[0]?.service ?? c.unansweredCallee;
    const failed = c.client.error || c.servers.some((s) => s.error) || (c.servers.length === 0 && callee !== null);
    callFailed.set(c.client, failed);
    if (callee === null) {
      callEdge.set(c.client, -1);
      const acc = services[svc(c.client.service)] as ServiceAcc;
      acc.leafDur.push(dur(c.client));
      acc.leafStarts.push(c.client.startMs);
      addBlock(acc.blocks.leaf, blockOf(c.client.startMs), dur(c.client));
      continue;
    }
    svc(c.client.service);
    svc(callee);
    const ei = edge(c.client.service, callee);
    callEdge.set(c.client, ei);
    const e = edges[ei] as EdgeAcc;
    e.calls++;
    if (c.client.kind === PRODUCER || c.client.endMs > visitEndOf(c.client) + DETACHED_SLACK_MS) e.detached++;
    e.durations.push(dur(c.client));
    const server = c.servers[0];
    const ep = server ? (server.route ?? server.name) : c.client.name;
    e.endpoints.set(ep, (e.endpoints.get(ep) ?? 0) + 1);
    if (failed) {
      e.failed++;
      e.failedDurations.push(dur(c.client));
      if (root.error) e.failedRootErrored++;
    }
  }
  // A failure in a service, and whether its request failed.
  for (const s of spans) {
    if (!s.error) continue;
    const root = rootOf(s);
    if (!inWindow(root.startMs)) continue;
    const acc = services[svc(s.service)] as ServiceAcc;
    if (acc.failedRoots.has(root)) continue;
    acc.failedRoots.add(root);
    if (root.error) acc.failedRootsErrored++;
  }

  // What a subtree touched.
  const treeSample = (top: SimSpan, durationMs: number, error: boolean, countTop: boolean): TreeSample => {
    const touches = new Map<number, ServiceTouch>();
    const calls = new Map<number, number>();
    const stack = [top];
    while (stack.length > 0) {
      const x = stack.pop() as SimSpan;
      const self = selfOf.get(x);
      const at = serviceIndex.get(x.service);
      if (at !== undefined && (self !== undefined || callEdge.get(x) === -1)) {
        let t = touches.get(at);
        if (t === undefined) {
          t = { service: at, visits: 0, selfMs: 0, leafCalls: 0, leafMs: 0 };
          touches.set(at, t);
        }
        if (self !== undefined) {
          t.visits++;
          t.selfMs += self;
        }
        if (callEdge.get(x) === -1) {
          t.leafCalls++;
          t.leafMs += dur(x);
        }
      }
      const ei = callEdge.get(x);
      if (ei !== undefined && ei >= 0 && (x !== top || countTop)) calls.set(ei, (calls.get(ei) ?? 0) + 1);
      for (const k of kidsOf(x)) stack.push(k);
    }
    const edgesTouched: EdgeTouch[] = [...calls].map(([e, n]) => ({ edge: e, calls: n }));
    return { durationMs, error, services: [...touches.values()], edges: edgesTouched };
  };

  // Entries: the roots that began in the window.
  interface EntryAcc {
    service: string;
    endpoint: string;
    durations: number[];
    errors: number;
    visits: Map<number, number>;
    leaf: Map<number, number>;
    calls: Map<number, number>;
    reservoir: Reservoir<TreeSample>;
    blockRequests: number[];
  }
  const entryIndex = new Map<string, EntryAcc>();
  const entryOfRoot = new Map<SimSpan, EntryAcc>();
  let traces = 0;
  for (const s of spans) {
    if (parentOf(s) !== undefined || !inWindow(s.startMs)) continue;
    traces++;
    const endpoint = s.route ?? s.name;
    const k = `${s.service}\u0000${endpoint}`;
    let e = entryIndex.get(k);
    if (e === undefined) {
      svc(s.service);
      e = {
        service: s.service,
        endpoint,
        durations: [],
        errors: 0,
        visits: new Map(),
        leaf: new Map(),
        calls: new Map(),
        reservoir: new Reservoir(opts.sampleSize, opts.random),
        blockRequests: new Array(opts.blocks).fill(0),
      };
      entryIndex.set(k, e);
    }
    entryOfRoot.set(s, e);
    e.durations.push(dur(s));
    if (s.error) e.errors++;
    const b = blockOf(s.startMs);
    e.blockRequests[b] = (e.blockRequests[b] as number) + 1;
    const at = e.reservoir.slot();
    if (at >= 0)
      e.reservoir.take(at, {
        ...treeSample(s, dur(s), s.error, true),
        calls: callTree(s, { kidsOf, callEdge, callFailed }),
      });
  }
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const [entrySpan] of selfOf) {
    const e = entryOfRoot.get(rootOf(entrySpan));
    if (e) bump(e.visits, serviceIndex.get(entrySpan.service) as number);
  }
  for (const [client, ei] of callEdge) {
    const e = entryOfRoot.get(rootOf(client));
    if (!e) continue;
    if (ei < 0) bump(e.leaf, serviceIndex.get(client.service) as number);
    else bump(e.calls, ei);
  }

  // Edge samples and retries: the calls of one caller span to one operation, in start order.
  const groups = new Map<string, SimSpan[]>();
  for (const [client, ei] of callEdge) {
    if (ei < 0) continue;
    const e = edges[ei] as EdgeAcc;
    const at = e.reservoir.slot();
    if (at >= 0) e.reservoir.take(at, treeSample(client, dur(client), callFailed.get(client) === true, false));
    const k = `${client.traceId}\u0000${client.parentId ?? ''}\u0000${ei}\u0000${client.name}`;
    const g = groups.get(k);
    if (g) g.push(client);
    else groups.set(k, [client]);
  }
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    g.sort((a, b) => a.startMs - b.startMs);
    const e = edges[callEdge.get(g[0] as SimSpan) as number] as EdgeAcc;
    let attempt = 1;
    for (let i = 1; i < g.length; i++) {
      const a = g[i - 1] as SimSpan;
      const b = g[i] as SimSpan;
      const gap = b.startMs - a.startMs;
      const timedOut = b.startMs < a.endMs && gap >= Math.max(RETRY_MIN_GAP_MS, RETRY_MIN_GAP_SHARE * dur(a));
      const afterFailure = callFailed.get(a) === true && b.startMs >= a.endMs - 1;
      if (!timedOut && !afterFailure) {
        attempt = 1;
        continue;
      }
      e.retries++;
      if (!timedOut) e.retriesAfterFailure++;
      if (timedOut) {
        const list = e.spacing[attempt - 1] ?? [];
        list.push(gap);
        e.spacing[attempt - 1] = list;
      }
      attempt++;
      if (attempt > e.maxAttempts) e.maxAttempts = attempt;
    }
  }

  const share = opts.sampled > 0 ? opts.sampled : 1;
  const windowSec = windowMs / 1000;
  const outServices: TracedService[] = services.map((a) => {
    const failedTraces = a.failedRoots.size;
    return {
      service: a.service,
      visits: a.self.length / share,
      selfTime: describe(a.self),
      arrivalCv2: gapCv2(a.starts),
      leaf:
        a.leafDur.length === 0
          ? null
          : { calls: a.leafDur.length / share, duration: describe(a.leafDur), arrivalCv2: gapCv2(a.leafStarts) },
      blocks: a.blocks,
      errorPropagation:
        failedTraces === 0
          ? {
              value: 1,
              validity: 'assumed',
              source: `no failure of ${a.service} in the window: a failure there is assumed to fail the request`,
            }
          : {
              value: a.failedRootsErrored / failedTraces,
              validity: 'measured',
              source: `${failedTraces} traces with a failed ${a.service} span, ${a.failedRootsErrored} of them failed`,
            },
    };
  });
  const outEdges: TracedEdge[] = edges.map((e) => ({
    caller: e.caller,
    callee: e.callee,
    calls: e.calls / share,
    errorRate: e.calls === 0 ? 0 : e.failed / e.calls,
    duration: describe(e.durations),
    failedDuration: e.failedDurations.length === 0 ? null : describe(e.failedDurations),
    retries: {
      seen: e.retries / share,
      afterFailure: e.retriesAfterFailure / share,
      spacingMs: e.spacing.map(median),
      maxAttempts: e.maxAttempts,
    },
    detached: e.detached / share,
    errorPropagation:
      e.failed === 0
        ? {
            value: 1,
            validity: 'assumed',
            source: `no failed call ${e.caller} → ${e.callee} in the window: a failed call is assumed to fail the request`,
          }
        : {
            value: e.failedRootErrored / e.failed,
            validity: 'measured',
            source: `${e.failed} failed calls ${e.caller} → ${e.callee}, ${e.failedRootErrored} of their requests failed`,
          },
    calleeEndpoints: [...e.endpoints]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 20)
      .map(([n]) => n),
    samples: e.reservoir.items,
  }));
  const perRequest = (m: Map<number, number>, n: number) =>
    [...m].map(([k, v]) => ({ k, perRequest: v / n })).sort((a, b) => a.k - b.k);
  const entries: EntryCalibration[] = [...entryIndex.values()].map((e) => {
    const n = e.durations.length;
    return {
      service: e.service,
      endpoint: e.endpoint,
      requests: n / share,
      ratePerSec: n / share / windowSec,
      errorRate: e.errors / n,
      latency: describe(e.durations),
      visits: perRequest(e.visits, n).map(({ k, perRequest }) => ({ service: k, perRequest })),
      leafCalls: perRequest(e.leaf, n).map(({ k, perRequest }) => ({ service: k, perRequest })),
      edgeCalls: perRequest(e.calls, n).map(({ k, perRequest }) => ({ edge: k, perRequest })),
      samples: e.reservoir.items,
      blockRequests: e.blockRequests,
    };
  });
  entries.sort(
    (a, b) => b.requests - a.requests || a.service.localeCompare(b.service) || a.endpoint.localeCompare(b.endpoint),
  );
  const warnings: string[] = [];
  if (traces === 0) warnings.push('no trace began in the window: nothing to calibrate on');
  else if (traces < 200) warnings.push(`only ${traces} traces began in the window: rates and visits are rough`);
  return {
    window,
    blockMs,
    blocks: opts.blocks,
    sampled: share,
    traces: traces / share,
    sampleSize: opts.sampleSize,
    services: outServices,
    entries,
    edges: outEdges,
    warnings,
  };
}
