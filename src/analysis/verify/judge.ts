// deploy-verify@2's decision: sequential tests of the deployed version (the minutes after the
// deploy) against the previous one (the baseline's minutes), one look per minute of the watch
// window, and the controls that keep a rise that is not the deploy's from being called its.
//
// The false-alarm level: alpha (default 0.01) for the whole verification, split equally over the
// six families of tests; a family's share is split equally over the looks of the watch window
// (one per minute, Bonferroni: valid whatever the looks' correlation) and, at each look, over
// the tests the family ran then. A clear rise passes at the first look that holds it: the
// verdict does not wait out the window. Healthy and inconclusive wait for its end.
import type { VerifyControls, VerifyFamily, VerifyTest } from '../../model/index.js';
import { type MinuteCount, median, rateDispersion, rateRise, levelRise, shareRise } from './stats.js';
import type {
  CountSeries,
  EventSeries,
  LatencyMinute,
  LatencySeries,
  OtherDeploy,
  VerifyOptions,
  VerifySeries,
} from './types.js';
import { VERIFY_DEFAULTS } from './types.js';

const MINUTE = 60_000;
export const FAMILY_COUNT = 6;

/** A test run at one look, with what the controls said of it. */
export interface JudgedTest extends VerifyTest {
  /** For a passed test: the same change was already there in the baseline's last minutes. */
  preExisting: boolean;
  /** For a passed test: what explains it other than the deploy (a load change, another deploy). */
  explainedBy: Array<{ kind: 'load'; ratio: number } | { kind: 'deploy'; deploy: OtherDeploy }>;
  /** An error group or pattern the baseline never saw. */
  isNew: boolean;
}

export interface Judgement {
  verdict: 'watching' | 'healthy' | 'regressed' | 'inconclusive';
  /** The look that decided (1-based), null while watching. */
  decidedLook: number | null;
  decidedAtMs: number | null;
  looks: number;
  /** The tests of the deciding look (or the latest), strongest first. */
  tests: JudgedTest[];
  traffic: { before: number; after: number; minimum: number; unit: 'requests' | 'log lines'; enough: boolean };
  load: VerifyControls['load'];
  otherDeploys: OtherDeploy[];
  alpha: { overall: number; perFamily: number; families: number };
  /** Why the verdict, in one sentence. */
  reason: string;
}

type Draft = Omit<JudgedTest, 'level' | 'passed' | 'preExisting' | 'explainedBy'> & {
  /** The same test on the baseline's earlier minutes against its last ones. */
  pre: () => number;
  /** Whether a callee's slowdown or failures can show in it (not in the service's own self time or calls per request). */
  calleeCan: boolean;
  /** The effect is large enough to matter. */
  big: boolean;
};

const before = <T extends { minuteMs: number }>(xs: readonly T[], endMs: number) =>
  xs.filter((x) => x.minuteMs < endMs);
const from = <T extends { minuteMs: number }>(xs: readonly T[], startMs: number) =>
  xs.filter((x) => x.minuteMs >= startMs);
const total = (xs: readonly MinuteCount[]) => xs.reduce((s, m) => s + m.x, 0);

function quantiles(xs: readonly LatencyMinute[], q: 'p50' | 'p95'): number[] {
  const out: number[] = [];
  for (const m of xs) {
    const v = m[q];
    if (v !== null && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Runs every family's tests on one look's after-minutes. */
function draftsAt(s: VerifySeries, lookEndMs: number, o: Required<VerifyOptions>): Map<VerifyFamily, Draft[]> {
  const recentStart = s.baseline.endMs - o.recentMinutes * MINUTE;
  const out = new Map<VerifyFamily, Draft[]>();
  const push = (f: VerifyFamily, d: Draft) => {
    const list = out.get(f) ?? [];
    list.push(d);
    out.set(f, list);
  };
  const count = (
    family: VerifyFamily,
    c: CountSeries,
    kind: 'share' | 'rate',
    measure: string,
    calleeCan: boolean,
    phi?: number,
    isNew = false,
  ) => {
    const after = before(c.after, lookEndMs);
    if (total(after) === 0) return;
    const test = kind === 'share' ? shareRise : rateRise;
    // An event the baseline never showed cannot show its own burstiness there: its dispersion is
    // the larger of its family's in the baseline and its own across the after-minutes, and it
    // must recur (in two minutes or more) to count: one burst is one occurrence.
    const recurs = !isNew || after.filter((m) => m.x > 0).length >= 2;
    if (isNew) phi = Math.max(phi ?? 1, rateDispersion(after));
    const t = test(c.before, after, phi);
    push(family, {
      family,
      measure,
      key: c.key,
      label: c.label,
      before: t.before,
      after: t.after,
      test:
        kind === 'share'
          ? "Fisher's exact test, one-sided, z ÷ √(the baseline's minute-to-minute dispersion)"
          : "exact conditional Poisson rate test, one-sided, z ÷ √(the baseline's minute-to-minute dispersion)",
      p: t.p,
      isNew,
      calleeCan,
      big: t.ratio >= o.minRatio && recurs,
      pre: () => test(before(c.before, recentStart), from(c.before, recentStart), phi).p,
    });
  };
  const lat = (family: VerifyFamily, l: LatencySeries, calleeCan: boolean, what: string) => {
    const after = before(l.after, lookEndMs);
    for (const q of ['p50', 'p95'] as const) {
      const b = quantiles(l.before, q);
      const a = quantiles(after, q);
      if (b.length < o.minLatencyMinutes || a.length < 1) continue;
      const mb = median(b);
      const ma = median(a);
      const early = quantiles(before(l.before, recentStart), q);
      const recent = quantiles(from(l.before, recentStart), q);
      push(family, {
        family,
        measure: `${what} ${q} ms (per minute)`,
        key: l.key,
        label: l.label,
        before: mb,
        after: ma,
        test: "each minute's quantile as a robust z (log, median and MAD of the baseline's minutes, bounded at ±5): the after-minutes' mean against the baseline's, Student t over the baseline's spread and serial inflation, one-sided",
        p: levelRise(b, a),
        isNew: false,
        calleeCan,
        big: mb > 0 ? ma >= o.minLatencyRatio * mb : ma > 0,
        pre: () => (early.length >= o.minLatencyMinutes ? levelRise(early, recent) : 1),
      });
    }
  };

  for (const c of s.errorShare) count('error-rate', c, 'share', 'error share', true);
  const phiGroups = rateDispersion(s.pooled.errorGroups);
  for (const e of s.errorGroups)
    count('error-groups', e, 'rate', 'errors per request', true, e.seenBefore ? undefined : phiGroups, !e.seenBefore);
  const phiPatterns = rateDispersion(s.pooled.patterns);
  for (const e of s.patterns)
    count('log-patterns', e, 'rate', 'lines per request', true, e.seenBefore ? undefined : phiPatterns, !e.seenBefore);
  for (const l of s.latency) lat('latency', l, true, 'latency');
  if (s.selfTime) lat('self-time', s.selfTime, false, 'self time');
  for (const e of s.edges) {
    count('edges', { ...e.calls, key: e.callee }, 'rate', `calls to ${e.callee} per request`, false);
    count('edges', { ...e.unanswered, key: e.callee }, 'share', `unanswered share of calls to ${e.callee}`, true);
    lat('edges', { ...e.ownTime, key: e.callee }, true, `own time of calls to ${e.callee},`);
  }
  return out;
}

function loadAt(s: VerifySeries, lookEndMs: number, o: Required<VerifyOptions>): VerifyControls['load'] {
  if (!s.load) return null;
  const after = before(s.load.after, lookEndMs);
  const b = s.load.before.filter((m) => m.n > 0);
  if (b.length === 0 || after.length === 0) return null;
  const perMin = (xs: readonly MinuteCount[]) => total(xs) / Math.max(1, xs.length);
  const pb = perMin(b);
  const pa = perMin(after);
  if (pb <= 0) return null;
  // Both directions: per-minute counts with the baseline's dispersion (n = 1 per minute).
  const phi = rateDispersion(b);
  const up = rateRise(b, after, phi).p;
  const down = rateRise(after, b, phi).p;
  const p = Math.min(1, 2 * Math.min(up, down));
  const ratio = pa / pb;
  return {
    before: pb,
    after: pa,
    ratio,
    p,
    changed: p < o.loadAlpha && (ratio >= o.loadRatio || ratio <= 1 / o.loadRatio),
  };
}

/**
 * The judgement of a deploy from its series, replaying every look with complete data: the first
 * look at which a test passes, not already under way before the deploy and not explained by a
 * control, decides `regressed`; at the window's end, `inconclusive` with too little traffic or
 * with only explained rises, else `healthy`; before it, `watching`.
 */
export function judge(s: VerifySeries, opts: VerifyOptions = {}): Judgement {
  const o = { ...VERIFY_DEFAULTS, ...opts };
  const L = Math.max(1, Math.round(o.watchMinutes));
  const perFamily = o.alpha / FAMILY_COUNT;
  const looks = Math.max(0, Math.min(L, s.completeMinutes));
  const trafficBefore = total(s.traffic.before);
  let latest: JudgedTest[] = [];
  let latestLoad: VerifyControls['load'] = null;
  let confoundedSeen = false;
  const callees = s.otherDeploys.filter((d) => d.relation === 'callee' && d.changed);
  const result = (
    verdict: Judgement['verdict'],
    look: number | null,
    tests: JudgedTest[],
    load: VerifyControls['load'],
    reason: string,
  ): Judgement => {
    const trafficAfter = total(before(s.traffic.after, s.afterStartMs + Math.max(looks, 0) * MINUTE));
    return {
      verdict,
      decidedLook: look,
      decidedAtMs: look === null ? null : s.afterStartMs + look * MINUTE,
      looks,
      tests: tests.sort((a, b) => Number(b.passed) - Number(a.passed) || a.p - b.p),
      traffic: {
        before: trafficBefore,
        after: trafficAfter,
        minimum: o.minTraffic,
        unit: s.traffic.unit,
        enough: trafficBefore >= o.minTraffic && trafficAfter >= o.minTraffic,
      },
      load,
      otherDeploys: s.otherDeploys,
      alpha: { overall: o.alpha, perFamily, families: FAMILY_COUNT },
      reason,
    };
  };

  let passedBefore = new Set<string>();
  for (let k = 1; k <= looks; k++) {
    const lookEnd = s.afterStartMs + k * MINUTE;
    const load = loadAt(s, lookEnd, o);
    const tests: JudgedTest[] = [];
    for (const [, drafts] of draftsAt(s, lookEnd, o)) {
      const level = perFamily / L / drafts.length;
      for (const d of drafts) {
        const passed = d.p < level && d.big;
        // Checked for every rise large enough to matter, passed or not: one already under way
        // before the deploy also swells the baseline's dispersion, so it may not pass at all.
        const preExisting = d.big && d.p < 0.5 && d.pre() < o.preExistingAlpha;
        const explainedBy: JudgedTest['explainedBy'] = [];
        if (passed && !preExisting) {
          if (load?.changed) explainedBy.push({ kind: 'load', ratio: load.ratio });
          if (d.calleeCan) for (const c of callees) explainedBy.push({ kind: 'deploy', deploy: c });
        }
        const { pre: _p, calleeCan: _c, big: _b, ...t } = d;
        tests.push({ ...t, level, passed, preExisting, explainedBy });
      }
    }
    latest = tests;
    latestLoad = load;
    const clean = tests.filter((t) => t.passed && !t.preExisting && t.explainedBy.length === 0);
    // The load is a control: no call before a minute of it after the deploy can be compared.
    const loadKnown = s.load === null || load !== null;
    // A rise is called when it passes at two looks running (the same test): a level that
    // wanders for a minute is not a regression, a deploy's change stays.
    const keyOf = (t: JudgedTest) => `${t.family}\u0000${t.key}\u0000${t.measure}`;
    const confirmed = clean.filter((t) => passedBefore.has(keyOf(t)));
    passedBefore = new Set(clean.map(keyOf));
    if (confirmed.length && loadKnown) {
      clean.splice(0, clean.length, ...confirmed);
      const top = clean.sort((a, b) => a.p - b.p)[0]!;
      return result(
        'regressed',
        k,
        tests,
        load,
        `${clean.length} test${clean.length > 1 ? 's' : ''} passed at minute ${k} after the deploy; the strongest: ${top.measure} of ${top.key} ${fmt(top.before)} → ${fmt(top.after)} (p ${top.p.toExponential(1)} < ${top.level.toExponential(1)})`,
      );
    }
    if (tests.some((t) => t.passed && !t.preExisting)) confoundedSeen = true;
  }
  if (looks < L)
    return result('watching', null, latest, latestLoad, `${looks} of ${L} minutes watched; no test has passed yet`);
  const r = result('healthy', L, latest, latestLoad, '');
  if (!r.traffic.enough) {
    r.verdict = 'inconclusive';
    r.reason = `too little traffic to conclude: ${r.traffic.before} ${s.traffic.unit} before and ${r.traffic.after} after, ${o.minTraffic} needed on each side`;
  } else if (confoundedSeen) {
    r.verdict = 'inconclusive';
    r.reason = "a rise passed its test, but a load change or another service's deploy explains it";
  } else if (r.load?.changed) {
    r.verdict = 'inconclusive';
    r.reason = `the system's entry load changed ${fmt(r.load.ratio)}× during the watch: a deploy is not judged healthy under a load it was not compared at`;
  } else {
    r.reason = `no test passed in the ${L} minutes watched (${r.traffic.after} ${s.traffic.unit} after the deploy)`;
  }
  return r;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(2);
}

export type { EventSeries };
