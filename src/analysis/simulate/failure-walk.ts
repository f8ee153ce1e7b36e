// One sampled request replayed with a service failed: its call tree walked from the root, each
// call into the failed service failing or slowed attempt by attempt (its caller's timeouts and
// retries applied), each call above it taking the added delay of what it waits for and timing
// out where its own timeout is passed; what failed, and where the failure began, comes back up.
import type { FailureMode } from '../../model/index.js';
import type { Random } from './stats.js';
import type { CallNode, TreeSample } from './types.js';

export interface WalkSettings {
  /** Index of the failed service in Calibration.services. */
  failed: number;
  mode: FailureMode;
  /** Per edge: its callee's index in Calibration.services. */
  callee: readonly number[];
  /** Per edge: each attempt's timeout (the last null when it waits as long as it takes). */
  timeouts: ReadonlyArray<ReadonlyArray<number | null>>;
  /** Per edge: its caller does not wait for its calls (messages, calls that outlive their caller). */
  detached: readonly boolean[];
  /** Per edge: how long a failing attempt into the failed service takes (errors mode). */
  failMs: readonly number[];
  /** Per edge: its caller makes its next attempt after an attempt answered with an error (not only after a timeout). */
  retriesErrors: readonly boolean[];
}

/** What became of one call (or of the request, at the root). */
export interface CallResult {
  /** Its duration under the failure (ms). */
  ms: number;
  /** Edges on which a failure began that this call's answer carries (empty: nothing failed below it). */
  origins: number[];
}

/** Per walk: which edges timed out on every attempt, for the explanation. */
export interface WalkTrace {
  timedOut: Set<number>;
  /** The call reached the failed service. */
  reached: boolean;
}

/** The attempts of a call whose every attempt takes `attemptMs`: the time spent and whether one answered. */
function attempts(timeouts: ReadonlyArray<number | null>, attemptMs: number): { ms: number; answered: boolean } {
  let ms = 0;
  for (const t of timeouts) {
    if (t !== null && attemptMs > t) {
      ms += t;
      continue;
    }
    return { ms: ms + attemptMs, answered: true };
  }
  return { ms, answered: false };
}

/** A call into the failed service, attempt by attempt. */
function intoFailed(node: CallNode, ws: WalkSettings, r: Random, trace: WalkTrace): CallResult {
  const ts = ws.timeouts[node.edge] ?? [null];
  trace.reached = true;
  const m = ws.mode;
  if (m.kind === 'down') return { ms: 0, origins: [node.edge] };
  if (m.kind === 'errors') {
    let ms = 0;
    const tries = ws.retriesErrors[node.edge] ? ts.length : 1;
    for (let k = 0; k < tries; k++) {
      if (r.next() >= m.rate) return { ms: ms + node.ms, origins: [] };
      ms += ws.failMs[node.edge] ?? 0;
    }
    return { ms, origins: [node.edge] };
  }
  const a = attempts(ts, node.ms + m.delayMs);
  if (!a.answered) trace.timedOut.add(node.edge);
  return { ms: a.ms, origins: a.answered ? [] : [node.edge] };
}

/**
 * The added delay of sibling calls: calls that overlapped in the sample ran in parallel, so a
 * group of them adds the largest of its delays; groups one after another add up.
 */
function addedOf(nodes: readonly CallNode[], results: readonly CallResult[]): number {
  const order = nodes.map((_, i) => i).sort((a, b) => (nodes[a] as CallNode).atMs - (nodes[b] as CallNode).atMs);
  let total = 0;
  let groupEnd = Number.NEGATIVE_INFINITY;
  let groupAdded = 0;
  for (const i of order) {
    const n = nodes[i] as CallNode;
    const added = (results[i] as CallResult).ms - n.ms;
    if (n.atMs >= groupEnd) {
      total += groupAdded;
      groupAdded = added;
      groupEnd = n.atMs + n.ms;
    } else {
      groupAdded = Math.max(groupAdded, added);
      groupEnd = Math.max(groupEnd, n.atMs + n.ms);
    }
  }
  return total + groupAdded;
}

const MAX_DEPTH = 64;

function walkCalls(
  nodes: readonly CallNode[],
  ws: WalkSettings,
  r: Random,
  trace: WalkTrace,
  depth: number,
): { added: number; origins: number[] } {
  const results: CallResult[] = [];
  const origins: number[] = [];
  for (const n of nodes) {
    if (ws.detached[n.edge]) {
      results.push({ ms: n.ms, origins: [] });
      continue;
    }
    const res = walkCall(n, ws, r, trace, depth);
    results.push(res);
    for (const o of res.origins) origins.push(o);
  }
  return { added: addedOf(nodes, results), origins };
}

/** A call under the failure: into the failed service, or waiting on calls below that may reach it. */
export function walkCall(node: CallNode, ws: WalkSettings, r: Random, trace: WalkTrace, depth = 0): CallResult {
  if (ws.callee[node.edge] === ws.failed) return intoFailed(node, ws, r, trace);
  if (depth >= MAX_DEPTH || node.calls.length === 0) return { ms: node.ms, origins: [] };
  const below = walkCalls(node.calls, ws, r, trace, depth + 1);
  if (below.added === 0 && below.origins.length === 0) return { ms: node.ms, origins: [] };
  const attemptMs = Math.max(0, node.ms + below.added);
  const ts = ws.timeouts[node.edge] ?? [null];
  // A timeout the call already outlived in the sample was not in force for it: only the added delay can trip one.
  const inForce = ts.map((t) => (t !== null && node.ms > t ? null : t));
  const a = attempts(inForce, attemptMs);
  if (!a.answered) {
    trace.timedOut.add(node.edge);
    return { ms: a.ms, origins: [node.edge] };
  }
  return { ms: a.ms, origins: below.origins };
}

/** The request's root under the failure: its duration and the edges where failures began. */
export function walkRequest(t: TreeSample, ws: WalkSettings, r: Random, trace: WalkTrace): CallResult {
  const below = walkCalls(t.calls ?? [], ws, r, trace, 0);
  return { ms: Math.max(0, t.durationMs + below.added), origins: below.origins };
}

/** The service paths from the root to the calls into the failed service (`[0, 3, 5]`: services by index). */
export function pathsToFailed(
  t: TreeSample,
  rootService: number,
  caller: readonly number[],
  ws: Pick<WalkSettings, 'failed' | 'callee'>,
): number[][] {
  const out: number[][] = [];
  const seen = new Set<string>();
  const walk = (nodes: readonly CallNode[], path: number[], depth: number) => {
    for (const n of nodes) {
      const callee = ws.callee[n.edge] as number;
      const here =
        path[path.length - 1] === caller[n.edge] ? [...path, callee] : [...path, caller[n.edge] as number, callee];
      if (callee === ws.failed) {
        const k = here.join(',');
        if (!seen.has(k)) {
          seen.add(k);
          out.push(here);
        }
      } else if (depth < MAX_DEPTH) walk(n.calls, here, depth + 1);
    }
  };
  walk(t.calls ?? [], [rootService], 0);
  return out;
}
