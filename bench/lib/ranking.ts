// Ranking metrics shared by the accuracy benchmarks: each case has a ranked answer list and
// a set of right answers. Hit@k (also called AC@k or Recall@k with one right answer):
// a right answer is in the top k. MRR@k: mean of 1/rank of the first right answer within k.
// MAP@k: mean over cases of the average precision over the top k, divided by
// min(|right|, k).
import { appendFileSync, writeFileSync } from 'node:fs';

export interface RankedCase {
  case: string;
  ranked: string[];
  /** The right answers; never empty for a scored case. */
  truth: string[];
}

export function firstHit(c: RankedCase): number | null {
  const right = new Set(c.truth);
  const i = c.ranked.findIndex((r) => right.has(r));
  return i < 0 ? null : i + 1;
}

export function hitAt(cases: readonly RankedCase[], k: number): number {
  if (cases.length === 0) return 0;
  return (
    cases.filter((c) => {
      const r = firstHit(c);
      return r !== null && r <= k;
    }).length / cases.length
  );
}

export function mrrAt(cases: readonly RankedCase[], k: number): number {
  if (cases.length === 0) return 0;
  let sum = 0;
  for (const c of cases) {
    const r = firstHit(c);
    if (r !== null && r <= k) sum += 1 / r;
  }
  return sum / cases.length;
}

export function mapAt(cases: readonly RankedCase[], k: number): number {
  if (cases.length === 0) return 0;
  let sum = 0;
  for (const c of cases) {
    const right = new Set(c.truth);
    let hits = 0;
    let ap = 0;
    c.ranked.slice(0, k).forEach((r, i) => {
      if (right.has(r)) {
        hits++;
        ap += hits / (i + 1);
      }
    });
    sum += ap / Math.min(right.size, k);
  }
  return sum / cases.length;
}

/** Writes one `{"case": …, "ranked": […]}` line per case (the format others re-score). */
export function writeRankings(file: string, cases: readonly { case: string; ranked: string[] }[]): void {
  writeFileSync(file, '');
  for (const c of cases) appendFileSync(file, `${JSON.stringify({ case: c.case, ranked: c.ranked })}\n`);
}
