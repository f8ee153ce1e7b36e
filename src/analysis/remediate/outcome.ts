// After an executed action (proposal-outcome@1): did it help? The services the action changed
// are compared minute by minute before it (the baseline) and after it, with deploy
// verification's tests: the error share by Fisher's exact test deflated by the baseline's
// dispersion, each minute's p95 ranked against the baseline's minutes (Mann–Whitney). Each is
// tested both ways — a rise (worse) and a fall (better) — at alpha split over the four tests and
// the watch window's looks (Bonferroni), so looking every minute keeps the false-alarm level.
// Pure: the workflow reads the minutes and acts on the verdict.
import type { OutcomeTest, ProposalOutcomeVerdict } from '../../model/index.js';
import { DDSketch } from '../sketch/index.js';
import { MIN_MINUTE_SAMPLES, minuteRankRise, shareRise } from '../verify/index.js';

export const PROPOSAL_OUTCOME_ALGORITHM = 'proposal-outcome@1';

export const OUTCOME_DEFAULTS = { alpha: 0.01, watchMinutes: 10, baselineMinutes: 30 } as const;

/** One minute of the changed services together: requests, errors and the minute's p95 (null with too few samples). */
export interface OutcomeMinute {
  minuteMs: number;
  requests: number;
  errors: number;
  p95: number | null;
}

export interface OutcomeJudgement {
  verdict: ProposalOutcomeVerdict | 'watching';
  looks: number;
  tests: OutcomeTest[];
  summary: string;
  requests: { before: number; after: number };
}

const TESTS = 4;

/**
 * The changed services' minutes as one: requests and errors summed, latency sketches merged; a
 * minute's p95 only with at least MIN_MINUTE_SAMPLES requests (fewer say little about a p95).
 */
export function outcomeMinutes(
  perService: ReadonlyArray<ReadonlyArray<{ minuteMs: number; requests: number; errors: number; latency: DDSketch }>>,
): OutcomeMinute[] {
  const byMinute = new Map<number, { requests: number; errors: number; latency: DDSketch }>();
  for (const rows of perService)
    for (const r of rows) {
      let m = byMinute.get(r.minuteMs);
      if (!m) {
        m = { requests: 0, errors: 0, latency: new DDSketch() };
        byMinute.set(r.minuteMs, m);
      }
      m.requests += r.requests;
      m.errors += r.errors;
      m.latency.merge(r.latency);
    }
  return [...byMinute.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([minuteMs, m]) => ({
      minuteMs,
      requests: m.requests,
      errors: m.errors,
      p95: m.latency.count >= MIN_MINUTE_SAMPLES ? m.latency.quantile(0.95) : null,
    }));
}

const counts = (ms: readonly OutcomeMinute[]) => ms.map((m) => ({ minuteMs: m.minuteMs, x: m.errors, n: m.requests }));
const p95s = (ms: readonly OutcomeMinute[]) => ms.flatMap((m) => (m.p95 === null ? [] : [m.p95]));
const median = (xs: readonly number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
};
const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.1 ? 2 : 1)}%`;

/**
 * The verdict at this look. made-worse when a rise passes (it wins over a fall: an action that
 * traded errors for latency made something worse); resolved when a fall passes; not-resolved
 * once the watch window is over with neither; watching before.
 */
export function judgeOutcome(
  before: readonly OutcomeMinute[],
  after: readonly OutcomeMinute[],
  opts: { alpha?: number; watchMinutes?: number } = {},
): OutcomeJudgement {
  const alpha = opts.alpha ?? OUTCOME_DEFAULTS.alpha;
  const watch = opts.watchMinutes ?? OUTCOME_DEFAULTS.watchMinutes;
  const looks = Math.min(after.length, watch);
  const seen = after.slice(0, watch);
  const level = alpha / (TESTS * watch);
  const sum = (ms: readonly OutcomeMinute[]) => ms.reduce((a, m) => a + m.requests, 0);
  const requests = { before: sum(before), after: sum(seen) };
  const rise = shareRise(counts(before), counts(seen));
  const fall = shareRise(counts(seen), counts(before));
  const bp = p95s(before);
  const ap = p95s(seen);
  const latency = bp.length > 0 && ap.length > 0;
  const mk = (
    measure: OutcomeTest['measure'],
    direction: OutcomeTest['direction'],
    b: number,
    a: number,
    p: number,
    test: string,
  ): OutcomeTest => ({ measure, direction, before: b, after: a, test, p, level, passed: p <= level });
  const tests: OutcomeTest[] = [
    mk(
      'error share',
      'rise',
      rise.before,
      rise.after,
      rise.p,
      "Fisher's exact test, one-sided, deflated by dispersion",
    ),
    mk(
      'error share',
      'fall',
      rise.before,
      rise.after,
      fall.p,
      "Fisher's exact test, one-sided, deflated by dispersion",
    ),
    mk(
      'p95 ms (minute)',
      'rise',
      median(bp),
      median(ap),
      latency ? minuteRankRise(bp, ap) : 1,
      `Mann–Whitney of minutes' p95 (minutes with at least ${MIN_MINUTE_SAMPLES} requests), one-sided`,
    ),
    mk(
      'p95 ms (minute)',
      'fall',
      median(bp),
      median(ap),
      latency ? minuteRankRise(ap, bp) : 1,
      `Mann–Whitney of minutes' p95 (minutes with at least ${MIN_MINUTE_SAMPLES} requests), one-sided`,
    ),
  ];
  const worse = tests.filter((t) => t.direction === 'rise' && t.passed);
  const better = tests.filter((t) => t.direction === 'fall' && t.passed);
  const says = (t: OutcomeTest) =>
    t.measure === 'error share'
      ? `error share ${pct(t.before)} → ${pct(t.after)}`
      : `median minute p95 ${t.before.toFixed(0)} → ${t.after.toFixed(0)} ms`;
  const verdict: OutcomeJudgement['verdict'] = worse.length
    ? 'made-worse'
    : better.length
      ? 'resolved'
      : looks >= watch
        ? 'not-resolved'
        : 'watching';
  const summary =
    verdict === 'made-worse'
      ? `made worse: ${worse.map(says).join(', ')} after the action`
      : verdict === 'resolved'
        ? `resolved: ${better.map(says).join(', ')} after the action`
        : verdict === 'not-resolved'
          ? `not resolved: no change in the error share (${pct(rise.before)} → ${pct(rise.after)}) or p95 passed its test in ${watch} minutes`
          : `watching: ${looks} of ${watch} minutes after the action so far`;
  return { verdict, looks, tests, summary, requests };
}
