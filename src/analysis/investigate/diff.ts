// What changed between two runs of an investigation: findings are matched by kind and title
// (ids are positional, so they may shift between runs). Pure.
import type { Finding, InvestigationDiff, InvestigationResult } from '../../model/index.js';
import { TupleMap } from '../tuple-map.js';

const key = (f: Finding): [string, string] => [f.kind, f.title];

/** Confidence changes smaller than this are noise, not news. */
const MIN_CHANGE = 0.05;

export function diffInvestigations(previous: InvestigationResult, next: InvestigationResult): InvestigationDiff {
  const before = byKey(previous.findings);
  const after = byKey(next.findings);
  const added = next.findings.filter((f) => !before.has(key(f))).map((f) => f.title);
  const removed = previous.findings.filter((f) => !after.has(key(f))).map((f) => f.title);
  const changed = next.findings.flatMap((f) => {
    const old = before.get(key(f));
    return old && Math.abs(old.confidence - f.confidence) >= MIN_CHANGE
      ? [{ title: f.title, from: old.confidence, to: f.confidence }]
      : [];
  });
  return { added, removed, changed };
}

/** Findings by [kind, title]; the last of two with the same key wins, as in a Map. */
function byKey(findings: readonly Finding[]): TupleMap<[string, string], Finding> {
  const m = new TupleMap<[string, string], Finding>();
  for (const f of findings) m.set(key(f), f);
  return m;
}
