// Span-tree tests (rca@5 on), against the recent baseline only (they follow load, like RED):
//  - self time per service (its visits' time less their calls, span-times.ts): Mann–Whitney U
//    on the sketches' bins, one-sided (slower), deflated by the baseline's dispersion;
//  - own time per call edge (the client span less the server span that answered it: network and
//    queueing): the same test, drafted under the callee (rankTested attributes a significant one
//    to the end whose edges rose, see attribution.ts);
//  - unanswered calls per edge (client spans no server span answered): Fisher's exact on their
//    share of the edge's calls, one-sided (increase), under the callee.
import { fisherMinP, fisherTest } from '../stats.js';
import type { RcaInput, SignalKind } from '../types.js';
import { type Draft, Pair, sideOf } from './common.js';
import { type Red, addLatency, edgeSides, latencyDraft, newRed } from './red.js';

export const SPAN_TESTS = {
  'self-time': "Mann–Whitney U on self-time sketch bins (a visit's time less its calls), one-sided (slower)",
  'edge-time':
    "Mann–Whitney U on the edge's own-time sketch bins (client span less the server span), one-sided (slower)",
  'edge-unanswered': "Fisher's exact on the share of calls no server span answered, one-sided (increase)",
} as const satisfies Partial<Record<SignalKind, string>>;

/** Self-time, edge-time and unanswered-call tests, appended to `out` (nothing when the input has no span times). */
export function spanDrafts(input: RcaInput, out: Draft[], opts: { minEffect: number }): void {
  const self = new Pair<[string], Red>(newRed);
  for (const r of input.selfTimes ?? []) {
    const side = sideOf(r.minuteMs, input, 'baseline');
    if (side === null) continue;
    const acc = self.at(side, [r.service]);
    acc.requests += r.visits;
    addLatency(acc, side, r.minuteMs, r.latency);
  }
  for (const k of self.keys()) {
    const [service] = k;
    const b = self.base.get(k) ?? newRed();
    const i = self.inc.get(k) ?? newRed();
    const d = latencyDraft(
      'self-time',
      service,
      '*',
      { all: b.latency, minutes: b.minutes },
      i.latency,
      opts.minEffect,
      SPAN_TESTS['self-time'],
    );
    if (d) out.push({ ...d, unit: 'p50 ms of self time' });
  }
  const edge = edgeSides(input, input.edgeTimes ?? [], (r) => r.unanswered);
  for (const k of edge.keys()) {
    const [caller, callee] = k;
    const key = `${caller}→${callee}`;
    const b = edge.base.get(k) ?? newRed();
    const i = edge.inc.get(k) ?? newRed();
    const d = latencyDraft(
      'edge-time',
      callee,
      key,
      { all: b.latency, minutes: b.minutes },
      i.latency,
      opts.minEffect,
      SPAN_TESTS['edge-time'],
    );
    if (d) out.push({ ...d, unit: 'p50 ms of own time' });
    if (i.errors === 0) continue;
    const t = fisherTest(b.errors, b.requests, i.errors, i.requests);
    if (t.statistic <= 0) continue;
    out.push({
      kind: 'edge-unanswered',
      service: callee,
      key,
      baseline: b.errors / Math.max(1, b.requests),
      incident: i.errors / Math.max(1, i.requests),
      unit: 'share of calls unanswered',
      test: SPAN_TESTS['edge-unanswered'],
      ...t,
      pMin: fisherMinP(b.errors + i.errors, b.requests, i.requests, 'greater'),
    });
  }
}
