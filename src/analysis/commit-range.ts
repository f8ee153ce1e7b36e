// The commits a deploy shipped: those reachable from its head but not from the previous
// deploy's head (git's `base..head`), found by a bounded walk over parent links.
//
// The walk is git's "paint" walk: commits are visited newest first from both ends; the
// base's ancestry is painted uninteresting as it is met, and the walk stops once every
// commit still queued is uninteresting. So a linear range costs about its own length, not
// the whole history, and a merge whose side branch forked before the base stops at the fork.

export const COMMIT_RANGE_ALGORITHM = 'commit-range@1';

export interface CommitNode {
  parents: readonly string[];
  /** Commit time in ms, to visit newest first; without it the walk is breadth-first. */
  time?: number;
}

export interface CommitRangeOptions {
  /** At most this many commits in the range (default 1000). */
  limit?: number;
}

export interface CommitRangeWalk {
  /** In the range, newest first: every commit before its parents, ties by time. */
  commits: string[];
  /**
   * The list may be incomplete: the bound was hit, or the base is unknown (so the walk could
   * not tell where the range ends), or a commit in the range has parents the lookup lacks.
   */
  truncated: boolean;
  /** The lookup knows the base. */
  baseFound: boolean;
  /** The head is an ancestor of the base (a rollback): nothing new shipped. */
  rollback: boolean;
  /** Commits the walk reached that the lookup did not have; fetch them and walk again. */
  missing: string[];
}

const HEAD = 1;
const BASE = 2;
/** Extra pops once only uninteresting commits are queued, against skewed commit clocks (git uses 5). */
const SLOP = 5;

/**
 * Walks `base..head`. `lookup` returns a commit's parents (and time), or undefined when the
 * commit is not known. With no base, the range is the head commit alone (there is no
 * earlier deploy to measure from).
 */
export function walkCommitRange(
  head: string,
  base: string | null,
  lookup: (sha: string) => CommitNode | undefined,
  opts: CommitRangeOptions = {},
): CommitRangeWalk {
  const limit = opts.limit ?? 1000;
  const missing = new Set<string>();
  const headNode = lookup(head);
  if (!headNode) missing.add(head);
  if (base === null) {
    return {
      commits: headNode ? [head] : [],
      truncated: !headNode,
      baseFound: false,
      rollback: false,
      missing: [...missing],
    };
  }
  const baseFound = lookup(base) !== undefined;
  if (!baseFound) missing.add(base);
  if (head === base) return { commits: [], truncated: false, baseFound, rollback: false, missing: [...missing] };

  const marks = new Map<string, number>();
  const popped = new Set<string>();
  const queue: string[] = [];
  const timeOf = (sha: string) => lookup(sha)?.time ?? Number.NEGATIVE_INFINITY;

  const markHead = (sha: string) => {
    if (marks.has(sha)) return; // already interesting, or uninteresting (base side wins)
    marks.set(sha, HEAD);
    queue.push(sha);
  };
  // Painting a commit that was already visited also paints its visited ancestors.
  const markBase = (start: string) => {
    const stack = [start];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      const m = marks.get(sha) ?? 0;
      if (m & BASE) continue;
      marks.set(sha, m | BASE);
      if (m === 0) queue.push(sha);
      else if (popped.has(sha)) stack.push(...(lookup(sha)?.parents ?? []));
    }
  };

  markHead(head);
  markBase(base);
  let interesting = 0;
  let truncated = !baseFound;
  let slop = SLOP;
  while (queue.length > 0) {
    if (queue.every((s) => (marks.get(s)! & BASE) !== 0)) {
      if (--slop <= 0) break;
    } else {
      slop = SLOP;
    }
    const sha = popNewest(queue, timeOf);
    popped.add(sha);
    const m = marks.get(sha)!;
    const node = lookup(sha);
    if (!node) {
      missing.add(sha);
      if (!(m & BASE)) truncated = true;
      continue;
    }
    if (m & BASE) {
      for (const p of node.parents) markBase(p);
      continue;
    }
    if (interesting >= limit) {
      popped.delete(sha);
      truncated = true;
      break;
    }
    interesting++;
    for (const p of node.parents) markHead(p);
  }

  const inRange = [...popped].filter((s) => marks.get(s) === HEAD && lookup(s) !== undefined);
  return {
    commits: topoNewestFirst(inRange, lookup),
    truncated,
    baseFound,
    rollback: ((marks.get(head) ?? 0) & BASE) !== 0,
    missing: [...missing],
  };
}

function popNewest(queue: string[], timeOf: (sha: string) => number): string {
  let best = 0;
  let bestTime = timeOf(queue[0]!);
  for (let i = 1; i < queue.length; i++) {
    const t = timeOf(queue[i]!);
    if (t > bestTime) {
      best = i;
      bestTime = t;
    }
  }
  return queue.splice(best, 1)[0]!;
}

/** Children before parents; among commits whose children are all listed, the newest first. */
function topoNewestFirst(shas: string[], lookup: (sha: string) => CommitNode | undefined): string[] {
  const inSet = new Set(shas);
  const pendingChildren = new Map<string, number>(shas.map((s) => [s, 0]));
  for (const s of shas) {
    for (const p of lookup(s)!.parents) if (inSet.has(p)) pendingChildren.set(p, pendingChildren.get(p)! + 1);
  }
  const ready = shas.filter((s) => pendingChildren.get(s) === 0);
  const timeOf = (sha: string) => lookup(sha)?.time ?? Number.NEGATIVE_INFINITY;
  const out: string[] = [];
  while (ready.length > 0) {
    const s = popNewest(ready, timeOf);
    out.push(s);
    for (const p of lookup(s)!.parents) {
      if (!inSet.has(p)) continue;
      const n = pendingChildren.get(p)! - 1;
      pendingChildren.set(p, n);
      if (n === 0) ready.push(p);
    }
  }
  return out;
}
