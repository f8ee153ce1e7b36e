// The statistical tests behind root-cause ranking, on values with known answers, and the
// onset finder on series with and without a change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benjaminiHochberg,
  binomialUpper,
  findOnset,
  fisherTest,
  gaugeShift,
  mannWhitneyBinned,
  normalSf,
  poissonRateTest,
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

  it('gauge shift: a tenfold CPU rise is found, a flat memory drift is not', () => {
    const cpu = gaugeShift([5, 6, 5, 4, 6, 5], [250, 260]);
    assert.ok(cpu.statistic > 10 && cpu.p < 1e-10);
    assert.equal(gaugeShift([400, 400.1, 400, 400.2], [401, 401]).p, 1);
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
