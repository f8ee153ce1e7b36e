// A sampled request's call tree, as the failure model walks it: each call on a service-to-service
// edge with when it started, how long it ran, whether it failed and the calls below it (leaf
// calls to uninstrumented things left out; the spans between calls skipped over).
import type { CallNode, SimSpan } from './types.js';

/** Request trees are walked this deep at most (a guard against a malformed trace). */
const MAX_CALL_DEPTH = 64;

export interface CallTreeSpans {
  kidsOf: (s: SimSpan) => readonly SimSpan[];
  /** Client span → the edge it is a call on, or -1 for a leaf call. */
  callEdge: ReadonlyMap<SimSpan, number>;
  callFailed: ReadonlyMap<SimSpan, boolean>;
}

/** The calls under `root` (or `root` itself, when the trace starts with a call: a job's client span). */
export function callTree(root: SimSpan, t: CallTreeSpans): CallNode[] {
  const out: CallNode[] = [];
  const take = (k: SimSpan, into: CallNode[], depth: number): boolean => {
    const ei = t.callEdge.get(k);
    if (ei === undefined || ei < 0) return false;
    const node: CallNode = {
      edge: ei,
      atMs: k.startMs - root.startMs,
      ms: Math.max(0, k.endMs - k.startMs),
      failed: t.callFailed.get(k) === true,
      calls: [],
    };
    into.push(node);
    walkBelow(k, node.calls, depth + 1);
    return true;
  };
  const walkBelow = (x: SimSpan, into: CallNode[], depth: number) => {
    if (depth > MAX_CALL_DEPTH) return;
    for (const k of t.kidsOf(x)) if (!take(k, into, depth)) walkBelow(k, into, depth + 1);
  };
  if (!take(root, out, 0)) walkBelow(root, out, 0);
  return out;
}
