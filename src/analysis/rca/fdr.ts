// The false-discovery-rate correction of one run: all p-values adjusted together
// (Benjamini–Hochberg), over the tests whose smallest attainable p-value could pass at all
// (independent filtering): a pattern with three lines cannot be significant, so it does not
// dilute the others.
import { FAMILY } from './families.js';
import { benjaminiHochberg, discreteFamily } from './stats.js';
import type { Draft } from './tests/index.js';

/**
 * q-values, one per draft in its order: Benjamini–Hochberg over the scored tests that could
 * reach significance at all (discreteFamily), the others q = 1; traffic, which never scores, in
 * a family of its own.
 */
export function qValues(all: readonly Draft[], fdr: number): number[] {
  const qs = new Array<number>(all.length).fill(1);
  const scored = all.map((d, j) => [d, j] as const).filter(([d]) => FAMILY[d.kind] !== null);
  const able = discreteFamily(
    scored.map(([d]) => d.pMin),
    fdr,
  );
  const counted = scored.filter((_, i) => able[i]);
  benjaminiHochberg(counted.map(([d]) => d.p)).forEach((q, i) => {
    qs[(counted[i] as readonly [Draft, number])[1]] = q;
  });
  const traffic = all.map((d, j) => [d, j] as const).filter(([d]) => FAMILY[d.kind] === null);
  benjaminiHochberg(traffic.map(([d]) => d.p)).forEach((q, i) => {
    qs[(traffic[i] as readonly [Draft, number])[1]] = q;
  });
  return qs;
}
