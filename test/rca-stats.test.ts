// The statistical tests behind root-cause ranking, on values with known answers, and the
// onset finder on series with and without a change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benjaminiHochberg,
  binomialUpper,
  discreteFamily,
  findOnset,
  fisherMinP,
  fisherTest,
  gaugeShift,
  headroomScale,
  mannWhitneyBinned,
  mannWhitneyMinP,
  normalSf,
  poissonMinP,
  poissonRateTest,
  studentUpper,
} from '../src/analysis/rca/index.js';

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('rca statistics', () => {
  it('normal tail and binomial tail match tables', () => {
    close(normalSf(1.959964), 0.025, 1e-6);
    close(normalSf(0), 0.5, 1e-7);
    // P(X ≥ 8 | n = 10, p = ½) = 56/1024.
    close(binomialUpper(8, 10, 0.5), 56 / 1024, 1e-10);
    close(binomialUpper(0, 10, 0.3), 1, 0);
  });

  it("Fisher's exact test: the tea-tasting table", () => {
    // [3, 1; 1, 3]: one-sided p = 17/70.
    const t = fisherTest(1, 4, 3, 4);
    close(t.p, 17 / 70, 1e-9);
    assert.ok(t.statistic > 0);
    assert.ok(fisherTest(3, 4, 1, 4).statistic < 0);
  });

  it('Poisson rate test: equal rates are unremarkable, a tenfold rise is not', () => {
    assert.ok(poissonRateTest(50, 5, 10, 1).p > 0.3);
    const up = poissonRateTest(10, 5, 20, 1);
    assert.ok(up.p < 1e-6 && up.statistic > 4);
    // With a+b = 4 and equal exposure, P(b ≥ 4) = 1/16.
    close(poissonRateTest(0, 1, 4, 1).p, 1 / 16, 1e-12);
  });

  it('Mann–Whitney on binned values: shifted bins are significant, identical ones are not', () => {
    const same = mannWhitneyBinned(
      [
        [1, 50],
        [2, 50],
      ],
      [
        [1, 50],
        [2, 50],
      ],
    );
    close(same.statistic, 0, 1e-12);
    close(same.effect, 0.5, 1e-12);
    const shifted = mannWhitneyBinned(
      [
        [1, 40],
        [2, 10],
      ],
      [
        [2, 10],
        [3, 40],
      ],
    );
    assert.ok(shifted.statistic > 5 && shifted.p < 1e-6);
    assert.ok(shifted.effect > 0.9);
    // Fully separated: U = n1·n2, effect 1.
    close(mannWhitneyBinned([[1, 5]], [[2, 5]]).effect, 1, 1e-12);
  });

  it("Student's t upper tail matches the table", () => {
    close(studentUpper(2.015048, 5), 0.05, 1e-5);
    close(studentUpper(0, 7), 0.5, 1e-12);
    close(studentUpper(-2.015048, 5), 0.95, 1e-5);
  });

  it('gauge shift: a tenfold CPU rise is found, with the confidence a short baseline allows; a flat memory drift is not', () => {
    const short = gaugeShift([5, 6, 5, 4, 6, 5], [250, 260]);
    assert.ok(short.statistic > 0 && short.p < 1e-3, `p=${short.p}`);
    // Six baseline points (5 degrees of freedom) cannot give the certainty of a normal z.
    assert.ok(short.p > 1e-9, `p=${short.p}`);
    const long = gaugeShift(
      Array.from({ length: 30 }, (_, i) => 5 + (i % 3)),
      [250, 260],
    );
    assert.ok(long.p < short.p / 100, 'a longer baseline gives more confidence');
    assert.equal(gaugeShift([400, 400.1, 400, 400.2], [401, 401]).p, 1);
  });

  it('gauge shift: a saturation in one minute of three is found; a fall is not a rise', () => {
    const base = Array.from({ length: 20 }, (_, i) => 0.004 + 0.001 * (i % 4));
    const t = gaugeShift(base, [0.005, 0.006, 0.5], { alternative: 'greater' });
    assert.ok(t.p < 1e-6 && t.statistic > 0);
    assert.equal(gaugeShift(base, [0.0001, 0.0001], { alternative: 'greater' }).p, 1);
    // With the fleet's typical level as the offset, an idle pod's rise far below it is no ratio.
    assert.ok(gaugeShift(base, [0.012], { alternative: 'greater' }).p < 0.05);
    assert.equal(gaugeShift(base, [0.012], { alternative: 'greater', offset: 0.05 }).p, 1);
  });

  it('gauge shift on the headroom: a utilization counts when the rise took half of what was left', () => {
    // A busy pod at 9–11% of its limit: a spike to 46% is 5× its usage, but the headroom went from 0.9 to 0.54.
    const busy = Array.from({ length: 30 }, (_, i) => 0.09 + 0.01 * (i % 3));
    const linear = { alternative: 'greater', scale: 'linear' } as const;
    assert.equal(gaugeShift(busy.map(headroomScale), [0.1, 0.46].map(headroomScale), linear).p, 1);
    // The same spike on the usage's own ratio scale is a finding: that is what the headroom scale is for.
    assert.ok(gaugeShift(busy, [0.1, 0.46], { alternative: 'greater' }).p < 1e-6);
    // At the limit (CPU contention), and from 40% to 75%: the headroom shrank 100× and 2.4×.
    assert.ok(gaugeShift(busy.map(headroomScale), [0.1, 1].map(headroomScale), linear).p < 1e-6);
    const half = Array.from({ length: 30 }, (_, i) => 0.39 + 0.01 * (i % 3));
    assert.ok(gaugeShift(half.map(headroomScale), [0.75].map(headroomScale), linear).p < 1e-6);
    assert.ok(Math.abs(headroomScale(0.5) - headroomScale(0) - Math.log(2)) < 1e-12);
    assert.equal(headroomScale(1), headroomScale(5), 'a utilization over the limit counts as full');
    assert.equal(headroomScale(-1), 0);
  });

  it('the smallest attainable p-values of the discrete tests', () => {
    // All 5 successes among the 22 incident trials: C(22,5) / C(30,5).
    close(fisherMinP(5, 8, 22, 'greater'), 26334 / 142506, 1e-12);
    close(fisherMinP(5, 8, 22, 'less'), 56 / 142506, 1e-12);
    close(fisherMinP(5, 8, 22, 'two-sided'), (2 * 56) / 142506, 1e-12);
    assert.equal(fisherMinP(0, 8, 22, 'greater'), 1);
    // The observed p of the most extreme table is the smallest attainable.
    close(fisherTest(0, 8, 5, 22).p, fisherMinP(5, 8, 22, 'greater'), 1e-12);
    close(poissonMinP(4, 1, 1, 'greater'), 1 / 16, 1e-12);
    close(poissonRateTest(0, 1, 4, 1).p, poissonMinP(4, 1, 1, 'greater'), 1e-12);
    assert.ok(mannWhitneyMinP(3, 3) > 0.04 && mannWhitneyMinP(50, 50) < 1e-15);
  });

  it('leaves out of the FDR family the tests that could never pass', () => {
    assert.deepEqual(discreteFamily([0, 0.001, 0.01, 0.2, 1], 0.01), [true, true, true, false, false]);
    // With m given, the adjustment counts only the family.
    const q = benjaminiHochberg([0.001, 0.02], 2);
    close(q[0]!, 0.002, 1e-12);
    close(benjaminiHochberg([0.001, 0.02], 10)[0]!, 0.01, 1e-12);
  });

  it('Benjamini–Hochberg adjusts in rank order and never exceeds 1', () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.5]);
    close(q[0]!, 0.04, 1e-12);
    close(q[1]!, 0.04 * (4 / 3), 1e-12);
    close(q[2]!, 0.04 * (4 / 3), 1e-12); // monotone: not above the next rank's q
    close(q[3]!, 0.5, 1e-12);
  });

  it('finds the onset of a rate change, and reports no confident change in a flat series', () => {
    const series = [10, 12, 9, 11, 10, 30, 32, 29, 31];
    const o = findOnset(series);
    assert.ok(o);
    assert.equal(o.index, 5);
    assert.ok(o.p < 1e-6);
    const flat = findOnset([10, 11, 9, 10, 10, 11, 9, 10]);
    assert.ok(flat && flat.p > 0.05);
    const values = findOnset([100, 101, 99, 100, 150, 151, 149], { kind: 'value' });
    assert.equal(values?.index, 4);
    assert.equal(findOnset([1, 2, 3]), null);
  });
});
