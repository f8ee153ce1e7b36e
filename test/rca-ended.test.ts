// rca@5's look at the window's latest part (ended.ts): an earlier incident in the look-back whose
// anomaly ended ranks after the current one; a service with too few samples in the latest part
// gives no evidence that its anomaly ended and keeps its place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PatternRow, type RcaInput, rankRootCauses } from '../src/analysis/rca/index.js';
import { latestParts } from '../src/analysis/rca/ended.js';

const T = Date.UTC(2026, 0, 5, 10, 0);
const MIN = 60_000;
/** 20 baseline minutes, then a 20-minute window whose latest part is its last 4 minutes. */
const BASELINE = 20;
const WINDOW = 20;

/**
 * Per service, INFO lines every minute it reports, and ERROR lines in the window's minutes that
 * `errors` gives (window minute → count); `silent` window minutes have no lines at all.
 */
function world(
  services: Record<string, { info: number; errors: (m: number) => number; silent?: (m: number) => boolean }>,
): RcaInput {
  const rows: PatternRow[] = [];
  for (let m = 0; m < BASELINE + WINDOW; m++) {
    const minuteMs = T + m * MIN;
    const w = m - BASELINE;
    for (const [service, s] of Object.entries(services)) {
      if (w >= 0 && s.silent?.(w)) continue;
      rows.push({ minuteMs, service, key: `${service}-info`, level: 'INFO', count: s.info });
      const e = w >= 0 ? s.errors(w) : 0;
      if (e > 0) rows.push({ minuteMs, service, key: `${service}-error`, level: 'ERROR', count: e });
    }
  }
  return {
    baseline: { startMs: T, endMs: T + BASELINE * MIN },
    incident: { startMs: T + BASELINE * MIN, endMs: T + (BASELINE + WINDOW) * MIN },
    red: [],
    patterns: rows,
    errorGroups: [],
    edges: [],
  };
}

const order = (input: RcaInput, endedLast?: boolean) =>
  rankRootCauses(input, endedLast === undefined ? {} : { endedLast }).services.map((s) => s.service);

describe('latestParts', () => {
  it('splits off the latest fifth of the window (at least 3 minutes) and reverses the earlier part against it', () => {
    const parts = latestParts(world({ a: { info: 5, errors: () => 0 } }));
    assert.ok(parts);
    assert.equal(parts.minutes, 4);
    assert.deepEqual(parts.latest.incident, { startMs: T + 36 * MIN, endMs: T + 40 * MIN });
    assert.deepEqual(parts.latest.baseline, { startMs: T, endMs: T + 20 * MIN });
    assert.deepEqual(parts.reversed.baseline, { startMs: T + 36 * MIN, endMs: T + 40 * MIN });
    assert.deepEqual(parts.reversed.incident, { startMs: T + 20 * MIN, endMs: T + 36 * MIN });
  });

  it('is null when the window is shorter than twice its latest part', () => {
    const input = world({ a: { info: 5, errors: () => 0 } });
    assert.equal(latestParts({ ...input, incident: { startMs: T + 20 * MIN, endMs: T + 25 * MIN } }), null);
  });
});

describe('endedLast (an earlier incident that ended ranks after the current one)', () => {
  it('ranks the current fault first when an earlier, stronger one in the window has ended', () => {
    const input = world({
      // An earlier fault: many errors in the window's first ten minutes, none since.
      old: { info: 20, errors: (m) => (m < 10 ? 30 : 0) },
      // The current fault: fewer errors, in the latest minutes only.
      now: { info: 20, errors: (m) => (m >= 16 ? 10 : 0) },
    });
    assert.deepEqual(order(input, false), ['old', 'now']);
    const ranked = rankRootCauses(input);
    assert.deepEqual(
      ranked.services.map((s) => s.service),
      ['now', 'old'],
    );
    assert.match(
      ranked.services[1]?.hint ?? '',
      /^anomaly ended: new-error-pattern old-error back to 0 share of lines in the last 4 min \(0\.484 before, q=/,
    );
  });

  it('keeps a current fault first when its service has too few samples in the latest part to say it ended', () => {
    const input = world({
      // The current fault, on a service called rarely: errors through the window, no lines at all lately.
      rare: { info: 20, errors: (m) => (m >= 4 ? 30 : 0), silent: (m) => m >= 16 },
      // Another service, anomalous now but less so over the window.
      other: { info: 20, errors: (m) => (m >= 16 ? 6 : 0) },
    });
    assert.deepEqual(order(input, false), ['rare', 'other']);
    assert.deepEqual(order(input), ['rare', 'other']);
    // With its usual lines in the latest part and no errors among them, its anomaly has ended.
    const recovered = world({
      rare: { info: 20, errors: (m) => (m >= 4 && m < 16 ? 30 : 0) },
      other: { info: 20, errors: (m) => (m >= 16 ? 6 : 0) },
    });
    assert.deepEqual(order(recovered, false), ['rare', 'other']);
    assert.deepEqual(order(recovered), ['other', 'rare']);
  });

  it('keeps the order when no other root could come first', () => {
    const input = world({ old: { info: 20, errors: (m) => (m < 10 ? 30 : 0) } });
    assert.deepEqual(order(input), ['old']);
  });
});
