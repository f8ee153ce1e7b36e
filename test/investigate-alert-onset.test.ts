// alertOnset on fixtures: an alert's look-back holding an earlier incident that ended starts at
// the latest rise; a flat service keeps the look-back; a rise before the look-back, a fall, and
// minutes with too few requests set no onset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DDSketch, type ServiceMinute, alertOnset, serviceBuckets } from '../src/analysis/index.js';

const MIN = 60_000;
const T0 = Date.parse('2026-12-01T12:00:00.000Z');

/** Minutes from T0, one per value: [p50 ms, error ratio]. */
function minutes(values: ReadonlyArray<readonly [number, number]>, requests = 100): ServiceMinute[] {
  return values.map(([p50, ratio], i) => ({
    minuteMs: T0 + i * MIN,
    requests,
    errors: Math.round(ratio * requests),
    p50Ms: p50,
  }));
}

const healthy = (n: number, p50 = 100): Array<[number, number]> =>
  Array.from({ length: n }, (_, i) => [p50 + (i % 3) - 1, 0.01]);

describe('alertOnset', () => {
  it('starts at the latest rise when an earlier incident in the look-back has ended', () => {
    // 20 healthy minutes, errors for 4 (an earlier fault, over), 6 healthy, then latency rises for 4.
    const series = [...healthy(20), ...Array(4).fill([100, 0.3]), ...healthy(6), ...Array(4).fill([400, 0.01])];
    const onset = alertOnset(minutes(series), T0 + 15 * MIN, T0 + series.length * MIN);
    assert.equal(onset?.onsetMs, T0 + 30 * MIN);
    assert.equal(onset?.measure, 'p50 latency');
    assert.ok(onset!.after > 3 * onset!.before);
  });

  it('finds an error-ratio rise', () => {
    const series = [...healthy(20), ...Array(5).fill([100, 0.4])];
    const onset = alertOnset(minutes(series), T0 + 10 * MIN, T0 + 25 * MIN);
    assert.equal(onset?.onsetMs, T0 + 20 * MIN);
    assert.equal(onset?.measure, 'error ratio');
  });

  it('keeps the look-back when nothing changed, when the rise came before it, or when the service recovered', () => {
    assert.equal(alertOnset(minutes(healthy(30)), T0 + 10 * MIN, T0 + 30 * MIN), null);
    const early = [...healthy(10), ...Array(20).fill([400, 0.01])];
    assert.equal(alertOnset(minutes(early), T0 + 15 * MIN, T0 + 30 * MIN), null, 'the rise is before the look-back');
    const fell = [...Array(15).fill([400, 0.01]), ...healthy(15)];
    assert.equal(alertOnset(minutes(fell), T0 + 5 * MIN, T0 + 30 * MIN), null, 'a fall is not an onset');
  });

  it('skips minutes with too few requests to carry a ratio', () => {
    const series = [...healthy(20), ...Array(5).fill([100, 1])];
    assert.equal(alertOnset(minutes(series, 2), T0 + 10 * MIN, T0 + 25 * MIN), null);
  });
});

describe('serviceBuckets', () => {
  it("sums a bucket's versions and takes the median of their latencies together", () => {
    const sketch = (...ms: number[]) => {
      const s = new DDSketch();
      for (const x of ms) s.add(x);
      return s;
    };
    const rows = [
      { minuteMs: T0 + 15_000, version: '2', requests: 2, errors: 1, latency: sketch(300, 300) },
      { minuteMs: T0, version: '1', requests: 3, errors: 0, latency: sketch(10, 10, 10) },
      { minuteMs: T0 + 15_000, version: '1', requests: 1, errors: 0, latency: sketch(10) },
    ];
    const out = serviceBuckets(rows);
    assert.deepEqual(
      out.map((b) => [b.minuteMs - T0, b.requests, b.errors]),
      [
        [0, 3, 0],
        [15_000, 3, 1],
      ],
    );
    assert.ok(Math.abs(out[1]!.p50Ms! - 300) < 6, `${out[1]!.p50Ms}`);
  });
});
