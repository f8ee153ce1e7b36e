// The queueing core against closed forms: Erlang C from its factorial formula, M/M/1 and M/M/c
// mean waits, the Pollaczek–Khinchine mean for M/D/1, Little's law against a first-come-first-served
// simulation of an M/M/c station, and the inverse the calibration uses (service time from a
// measured response that holds its queueing).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Random, erlangC, serviceTimeFor, station, waitExceeds } from '../src/analysis/simulate/index.js';

const close = (a: number, b: number, rel: number, what = '') =>
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what} ${a} vs ${b} (±${rel * 100}%)`);

/** Erlang C from the textbook formula, for small c. */
function erlangCFactorial(c: number, a: number): number {
  let fact = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    if (k > 0) fact *= k;
    sum += a ** k / fact;
  }
  const top = (a ** c / (fact * c)) * (c / (c - a));
  return top / (sum + top);
}

/** A FCFS M/M/c station simulated: mean wait, and the time-average number waiting. */
function simulateMMc(lambda: number, serviceMs: number, c: number, n: number, seed: number) {
  const r = new Random(seed);
  const free = new Array(c).fill(0);
  let t = 0;
  let waitSum = 0;
  const intervals: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    t += r.exp(1000 / lambda);
    let at = 0;
    for (let k = 1; k < c; k++) if (free[k] < free[at]) at = k;
    const start = Math.max(t, free[at]);
    waitSum += start - t;
    if (start > t) intervals.push([t, start]);
    free[at] = start + r.exp(serviceMs);
  }
  // Time-average number waiting: total waiting time over the horizon.
  const horizon = t;
  const waitingArea = intervals.reduce((s, [a, b]) => s + (b - a), 0);
  return { meanWaitMs: waitSum / n, meanWaiting: waitingArea / horizon, arrivalsPerMs: n / horizon };
}

describe('queueing core', () => {
  it('Erlang C matches the factorial formula, and is ρ for one server', () => {
    for (const [c, a] of [
      [1, 0.5],
      [2, 1],
      [3, 2],
      [5, 4.2],
      [8, 6],
    ] as const)
      close(erlangC(c, a), erlangCFactorial(c, a), 1e-9, `C(${c}, ${a})`);
    close(erlangC(2, 1), 1 / 3, 1e-12);
    close(erlangC(1, 0.7), 0.7, 1e-12);
    assert.equal(erlangC(4, 4), 1);
    assert.equal(erlangC(4, 0), 0);
    // Thousands of servers stay finite (no factorial overflow).
    const big = erlangC(2000, 1950);
    assert.ok(big > 0 && big < 1, String(big));
  });

  it('M/M/1: Wq = ρS/(1−ρ); M/M/c: Wq = C(c, a)/(cμ − λ)', () => {
    const one = station({ arrivalPerSec: 5, serviceMs: 100, servers: 1, ca2: 1, cs2: 1 });
    close(one.utilization, 0.5, 1e-12);
    close(one.waitMs, 100, 1e-9, 'M/M/1 wait');
    close(one.pWait, 0.5, 1e-12);
    const c = 3;
    const lambda = 20;
    const s = 0.1;
    const st = station({ arrivalPerSec: lambda, serviceMs: s * 1000, servers: c, ca2: 1, cs2: 1 });
    const cClosed = erlangCFactorial(c, lambda * s);
    close(st.waitMs, (1000 * cClosed) / (c / s - lambda), 1e-9, 'M/M/3 wait');
    // The tail: P(W > t) = C e^{−(cμ−λ)t}.
    close(waitExceeds(st, 50), cClosed * Math.exp(-(c / s - lambda) * 0.05), 1e-9, 'M/M/3 tail');
  });

  it('M/D/1 by Pollaczek–Khinchine: half the M/M/1 wait', () => {
    const st = station({ arrivalPerSec: 8, serviceMs: 100, servers: 1, ca2: 1, cs2: 0 });
    close(st.waitMs, (0.8 * 100) / (2 * (1 - 0.8)), 1e-9);
  });

  it("Little's law holds, and the model's M/M/c wait matches a simulated FCFS station", () => {
    for (const [lambda, ms, c] of [
      [8, 100, 1],
      [25, 100, 3],
    ] as const) {
      const sim = simulateMMc(lambda, ms, c, 400_000, 11);
      // L = λW on the simulation itself.
      close(sim.meanWaiting, sim.arrivalsPerMs * sim.meanWaitMs, 0.01, `Little (c=${c})`);
      const model = station({ arrivalPerSec: lambda, serviceMs: ms, servers: c, ca2: 1, cs2: 1 });
      close(model.waitMs, sim.meanWaitMs, 0.06, `model vs simulation (c=${c})`);
      // And L = λW on the model's own figures: mean number waiting = λ·Wq.
      close((lambda * model.waitMs) / 1000, sim.meanWaiting, 0.06, `model L (c=${c})`);
    }
  });

  it('with patience (M/M/c+D): abandonment and waits match a simulated station whose waiters give up', () => {
    for (const [lambda, ms, c, patience] of [
      [9, 200, 2, 300],
      [18, 100, 2, 300],
      [30, 100, 2, 150],
    ] as const) {
      const r = new Random(5);
      const free = new Array(c).fill(0);
      let t = 0;
      let gaveUp = 0;
      let waitSum = 0;
      const n = 300_000;
      for (let i = 0; i < n; i++) {
        t += r.exp(1000 / lambda);
        let at = 0;
        for (let k = 1; k < c; k++) if (free[k] < free[at]) at = k;
        const start = Math.max(t, free[at]);
        if (start - t > patience) {
          gaveUp++;
          waitSum += patience;
          continue;
        }
        waitSum += start - t;
        free[at] = start + r.exp(ms);
      }
      const st = station({ arrivalPerSec: lambda, serviceMs: ms, servers: c, ca2: 1, cs2: 1, patienceMs: patience });
      assert.equal(st.saturated, false);
      assert.ok(
        Math.abs(st.pAbandon - gaveUp / n) < 0.01,
        `P(give up) ${st.pAbandon} vs ${gaveUp / n} (ρ=${st.utilization})`,
      );
      close(st.waitMs, waitSum / n, 0.05, `mean wait (ρ=${st.utilization})`);
    }
    // Deep overload: the share beyond capacity gives up.
    const deep = station({ arrivalPerSec: 100, serviceMs: 100, servers: 2, ca2: 1, cs2: 1, patienceMs: 2000 });
    close(deep.pAbandon, 1 - 1 / deep.utilization, 0.01, 'overload');
  });

  it('saturates at ρ ≥ 1: unbounded wait', () => {
    const st = station({ arrivalPerSec: 10, serviceMs: 100, servers: 1, ca2: 1, cs2: 1 });
    assert.equal(st.saturated, true);
    assert.equal(st.waitMs, Number.POSITIVE_INFINITY);
    assert.equal(waitExceeds(st, 1e9), 1);
  });

  it('recovers the service time from a response that holds its queueing', () => {
    for (const [lambda, ms, c] of [
      [5, 100, 1],
      [20, 100, 3],
      [1, 10, 1],
    ] as const) {
      const x = { arrivalPerSec: lambda, servers: c, ca2: 1, cs2: 1 };
      const response = ms + station({ ...x, serviceMs: ms }).waitMs;
      close(serviceTimeFor(response, x), ms, 1e-6, `S from R (λ=${lambda}, c=${c})`);
    }
    // A CPU limit at half a core: the wait grows as if the service took twice as long.
    const x = { arrivalPerSec: 4, servers: 1, ca2: 1, cs2: 1 };
    const response = 50 + station({ ...x, serviceMs: 100 }).waitMs;
    close(serviceTimeFor(response, x, 0.5), 50, 1e-6, 'S at half speed');
  });
});
