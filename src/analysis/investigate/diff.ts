// What changed between two runs of an investigation: findings are matched by kind and title
// (ids are positional, so they may shift between runs). Pure.
import type { Finding, InvestigationDiff, InvestigationResult } from '../../model/index.js';

const key = (f: Finding) => `${f.kind}\u0000${f.title}`;

/** Confidence changes smaller than this are noise, not news. */
const MIN_CHANGE = 0.05;

export function diffInvestigations(previous: InvestigationResult, next: InvestigationResult): InvestigationDiff {
  const before = new Map(previous.findings.map((f) => [key(f), f]));
  const after = new Map(next.findings.map((f) => [key(f), f]));
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
