// An analysis delta cut into parts, so that a flush the store rejects can be retried in
// pieces and only the rows that still fail are dropped (workflows/analysis). Parts keep the
// delta's write order — patterns before the merges that point at them — when written in
// the order given.
import type { AnalysisDelta } from './stream-analyzer.js';

const KINDS = [
  'patterns',
  'merges',
  'patternMinutes',
  'flows',
  'errorGroups',
  'errorMinutes',
  'red',
  'edges',
] as const satisfies ReadonlyArray<keyof AnalysisDelta>;

type Kind = (typeof KINDS)[number];

function emptyDelta(): AnalysisDelta {
  return {
    patterns: [],
    merges: [],
    patternMinutes: [],
    flows: [],
    errorGroups: [],
    errorMinutes: [],
    red: [],
    edges: [],
  };
}

/** How many rows (of every kind) the delta holds. */
export function deltaRows(d: AnalysisDelta): number {
  let n = 0;
  for (const k of KINDS) n += d[k].length;
  return n;
}

/** The service a row belongs to (an edge: its caller's). */
function serviceOf(kind: Kind, row: unknown): string {
  return kind === 'edges' ? (row as { caller: string }).caller : (row as { service: string }).service;
}

/** One delta per service, in first-seen order; every row lands in exactly one. */
export function splitDeltaByService(d: AnalysisDelta): Map<string, AnalysisDelta> {
  const out = new Map<string, AnalysisDelta>();
  for (const k of KINDS) {
    for (const row of d[k]) {
      const s = serviceOf(k, row);
      let part = out.get(s);
      if (!part) {
        part = emptyDelta();
        out.set(s, part);
      }
      (part[k] as unknown[]).push(row);
    }
  }
  return out;
}

/** The delta's rows cut in two halves of (nearly) equal count, the first half first in write order. */
export function halveDelta(d: AnalysisDelta): [AnalysisDelta, AnalysisDelta] {
  const half = Math.ceil(deltaRows(d) / 2);
  const a = emptyDelta();
  const b = emptyDelta();
  let seen = 0;
  for (const k of KINDS) {
    for (const row of d[k]) {
      ((seen < half ? a : b)[k] as unknown[]).push(row);
      seen++;
    }
  }
  return [a, b];
}
