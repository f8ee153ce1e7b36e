// Is the trouble a load change rather than a change of code? When a service's errors or latency
// follow a rise in the load arriving at the system's entry, carried to the service in proportion
// (no caller's calls per request into it rose), and the version it runs performed like the one
// before it at the same load, the load is the cause and no deploy or commit is the culprit. Pure.
import type { Deploy, Evidence, FindingOf } from '../../model/index.js';
import { fisherTest, mannWhitneyBinned, poissonRateTest } from '../rca/index.js';
import type { RcaResult, TimeWindow } from '../rca/index.js';
import { DDSketch } from '../sketch/index.js';
import type { CandidateChange, InvestigationFacts, LoadFacts, TrafficRow, VersionMinute } from './facts.js';
import type { FindingList } from './findings.js';

export interface LoadOptions {
  /** The entry's and the service's rate must rise at least this many times. Default 1.5. */
  minRise?: number;
  /** And the rise must pass the rate test at this p. Default 0.001. */
  alpha?: number;
  /** Minutes of two versions are at the same load when their loads are within this factor. Default 1.5. */
  matchFactor?: number;
  /** Requests each version needs at matched load to be compared. Default 30. */
  minMatched?: number;
  /** A version is slower when P(new > old) reaches ½ + this (Vargha–Delaney's small effect) at p < 0.01. Default 0.06. */
  minEffect?: number;
  /** The deployed version's buckets starting this soon after its deploy are left out: a new process starts cold (caches, JIT). Default 30 s. */
  warmUpMs?: number;
}

/** How the deployed version did against the one before it at the same load. */
export interface VersionComparison {
  deploy: Deploy;
  previous: string | null;
  /**
   * `same`: no slower and no more errors at matched load; `worse`: slower or failing more;
   * `first`: no earlier version served in the read, so the deployed one ran the whole baseline;
   * `unknown`: too few requests at matched load to compare.
   */
  verdict: 'same' | 'worse' | 'first' | 'unknown';
  /** Requests compared (each version's minutes at a load the other also served). */
  matched: { previous: number; deployed: number };
  p50: { previous: number; deployed: number } | null;
  errorShare: { previous: number; deployed: number } | null;
}

export interface LoadChange {
  service: string;
  entry: { service: string; endpoint: string; baselinePerMinute: number; incidentPerMinute: number; ratio: number };
  /** The judged service's own incoming requests per minute. */
  incoming: { baselinePerMinute: number; incidentPerMinute: number; ratio: number };
  /** The deploy the investigation would otherwise name, compared; null when there was none. */
  version: VersionComparison | null;
  /** The load is the cause: no deploy is (the version was `same` or `first`, or there was no deploy). */
  explains: boolean;
}

interface Rate {
  base: number;
  inc: number;
}

const MINUTE = 60_000;

/** Requests per minute on each side: the side's requests over the minutes its buckets with any traffic span. */
function perMinute(
  rows: readonly TrafficRow[],
  windows: { baseline: TimeWindow; incident: TimeWindow; bucketMinutes: { baseline: number; incident: number } },
) {
  const buckets = { base: new Set<number>(), inc: new Set<number>() };
  const side = (ms: number) =>
    ms >= windows.incident.startMs && ms < windows.incident.endMs
      ? 'inc'
      : ms >= windows.baseline.startMs && ms < windows.baseline.endMs
        ? 'base'
        : null;
  for (const r of rows) {
    const s = side(r.minuteMs);
    if (s) buckets[s].add(r.minuteMs);
  }
  const minutes = {
    base: Math.max(1, buckets.base.size * windows.bucketMinutes.baseline),
    inc: Math.max(1, buckets.inc.size * windows.bucketMinutes.incident),
  };
  const sum = (keep: (r: TrafficRow) => boolean): Rate & { test: { p: number; statistic: number } } => {
    const n = { base: 0, inc: 0 };
    for (const r of rows) {
      const s = side(r.minuteMs);
      if (s && keep(r)) n[s] += r.requests;
    }
    return {
      base: n.base / minutes.base,
      inc: n.inc / minutes.inc,
      test: poissonRateTest(n.base, minutes.base, n.inc, minutes.inc),
    };
  };
  return sum;
}

function bins(s: DDSketch): Array<[number, number]> {
  const b = s.bins();
  if (s.zeros > 0) b.unshift([Number.NEGATIVE_INFINITY, s.zeros]);
  return b;
}

/**
 * The deployed version against the one before it, each at loads the other served too: per bucket,
 * the service's load is its requests over every version, and a version's bucket is matched when
 * the other version has a bucket within `matchFactor` of its load. Only buckets before `beforeMs`
 * count (before the load rose): the deployed version must have served earlier, comparable load;
 * and not the deployed version's buckets mostly inside its first `warmUpMs` (a cold start is not
 * its steady state).
 */
export function compareVersions(
  versions: readonly VersionMinute[],
  change: CandidateChange,
  at: { beforeMs: number; bucketSeconds: number },
  opts: LoadOptions = {},
): VersionComparison {
  const beforeMs = at.beforeMs;
  const factor = opts.matchFactor ?? 1.5;
  const minMatched = opts.minMatched ?? 30;
  const deployed = change.deploy.version;
  const deployMs = Date.parse(change.deploy.deployedAt);
  const load = new Map<number, number>();
  for (const v of versions) if (v.minuteMs < beforeMs) load.set(v.minuteMs, (load.get(v.minuteMs) ?? 0) + v.requests);
  const before = versions.filter((v) => v.minuteMs < beforeMs && v.version !== '' && v.requests > 0);
  // A new process starts cold (empty caches, code not yet optimized): its first moments are not
  // its steady state. A bucket mostly inside them is left out.
  const warm = deployMs + (opts.warmUpMs ?? 30_000);
  const half = (at.bucketSeconds * 1000) / 2;
  const mine = before.filter((v) => v.version === deployed && v.minuteMs + half >= warm);
  // The version before: the deploy's previous one, else the one that served most before the deploy.
  let previous = change.previous?.version ?? null;
  if (previous === null || !before.some((v) => v.version === previous)) {
    const served = new Map<string, number>();
    for (const v of before)
      if (v.version !== deployed && v.minuteMs < deployMs + MINUTE)
        served.set(v.version, (served.get(v.version) ?? 0) + v.requests);
    previous = [...served].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  }
  const theirs = previous === null ? [] : before.filter((v) => v.version === previous);
  const base = { deploy: change.deploy, previous, p50: null, errorShare: null };
  if (theirs.length === 0) {
    const served = mine.reduce((n, v) => n + v.requests, 0);
    return {
      ...base,
      verdict: served >= minMatched ? 'first' : 'unknown',
      matched: { previous: 0, deployed: served },
    };
  }
  const near = (a: number, b: number) => a <= b * factor && b <= a * factor;
  const matchedOf = (xs: readonly VersionMinute[], others: readonly VersionMinute[]) =>
    xs.filter((x) => others.some((o) => near(load.get(x.minuteMs)!, load.get(o.minuteMs)!)));
  const a = matchedOf(theirs, mine);
  const b = matchedOf(mine, theirs);
  const total = (xs: readonly VersionMinute[]) => {
    const s = new DDSketch();
    let requests = 0;
    let errors = 0;
    for (const x of xs) {
      s.merge(x.latency);
      requests += x.requests;
      errors += x.errors;
    }
    return { s, requests, errors };
  };
  const old = total(a);
  const now = total(b);
  const matched = { previous: old.requests, deployed: now.requests };
  if (old.requests < minMatched || now.requests < minMatched) return { ...base, verdict: 'unknown', matched };
  const lat =
    old.s.count > 0 && now.s.count > 0
      ? mannWhitneyBinned(bins(old.s), bins(now.s))
      : { statistic: 0, p: 1, effect: 0.5 };
  const slower = lat.statistic > 0 && lat.p < 0.01 && lat.effect - 0.5 >= (opts.minEffect ?? 0.06);
  const err = fisherTest(old.errors, old.requests, now.errors, now.requests);
  const oldShare = old.errors / old.requests;
  const newShare = now.errors / now.requests;
  const failing = err.statistic > 0 && err.p < 0.01 && newShare >= 1.5 * oldShare;
  return {
    ...base,
    verdict: slower || failing ? 'worse' : 'same',
    matched,
    p50: old.s.count > 0 && now.s.count > 0 ? { previous: old.s.quantile(0.5), deployed: now.s.quantile(0.5) } : null,
    errorShare: { previous: oldShare, deployed: newShare },
  };
}

/**
 * A load change behind `facts.service`'s trouble, or null when there is none: the service has a
 * significant signal; the load at an entry (an endpoint of a service no other service calls in
 * the read) rose at least `minRise` times, and so did the service's own; the service's rise is
 * in proportion to the entry's (at most `minRise` times the entries' total rise) and no caller's
 * calls per request into it rose (an N+1 in a caller is that caller's change, not more load),
 * but for a caller judged its symptom (retries of its failures);
 * and the service itself calls no more per request than before. Then its likely change, if any,
 * is compared at matched load (compareVersions) on the buckets before the one holding the
 * trouble's onset (`onsetMs`): the load `explains` the trouble unless the deployed version did
 * worse, or could not be compared.
 */
export function judgeLoadChange(
  facts: LoadFacts,
  rca: RcaResult,
  windows: { baseline: TimeWindow; incident: TimeWindow; bucketMinutes: { baseline: number; incident: number } },
  change: CandidateChange | null,
  onsetMs: number,
  opts: LoadOptions = {},
): LoadChange | null {
  const minRise = opts.minRise ?? 1.5;
  const alpha = opts.alpha ?? 0.001;
  const service = facts.service;
  const ranked = rca.services.find((s) => s.service === service);
  if (!ranked || ranked.score <= 0) return null;
  // More calls per request into the service, or out of it: a caller's or its own change. A
  // caller the ranker judged a symptom of the service calling it more is retrying its failures:
  // the service's trouble echoed, not its cause.
  const echoes = new Set(rca.services.filter((s) => s.symptomOf.includes(service)).map((s) => s.service));
  const fanout = rca.services.some((s) =>
    s.signals.some((x) => {
      if (x.kind !== 'edge-fanout' || x.q >= 0.01) return false;
      const [caller, callee] = x.key.split('→');
      return (callee === service && !echoes.has(caller!)) || caller === service;
    }),
  );
  if (fanout) return null;
  const rate = perMinute(facts.traffic, windows);
  const rises = (r: Rate & { test: { p: number; statistic: number } }) =>
    r.base > 0 && r.inc >= minRise * r.base && r.test.statistic > 0 && r.test.p < alpha;
  const incoming = rate((r) => r.service === service);
  if (!rises(incoming)) return null;
  const callees = new Set(facts.calls.map((c) => c.callee));
  const entries = [...new Set(facts.traffic.map((r) => r.service))].filter((s) => !callees.has(s));
  if (entries.length === 0) return null;
  const atEntries = rate((r) => entries.includes(r.service));
  if (!rises(atEntries) || incoming.inc / incoming.base > minRise * (atEntries.inc / atEntries.base)) return null;
  const endpoints = new Map<string, { service: string; endpoint: string }>();
  for (const r of facts.traffic)
    if (entries.includes(r.service))
      endpoints.set(`${r.service} ${r.endpoint}`, { service: r.service, endpoint: r.endpoint });
  let best: (LoadChange['entry'] & { rise: number }) | null = null;
  for (const e of [...endpoints.values()].sort((x, y) =>
    `${x.service} ${x.endpoint}`.localeCompare(`${y.service} ${y.endpoint}`),
  )) {
    const r = rate((x) => x.service === e.service && x.endpoint === e.endpoint);
    if (!rises(r)) continue;
    const rise = r.inc - r.base;
    if (!best || rise > best.rise)
      best = { ...e, baselinePerMinute: r.base, incidentPerMinute: r.inc, ratio: r.inc / r.base, rise };
  }
  if (!best) return null;
  const { rise: _, ...entry } = best;
  const version = change
    ? compareVersions(
        facts.versions,
        change,
        { beforeMs: bucketOf(onsetMs, facts.bucketSeconds), bucketSeconds: facts.bucketSeconds },
        opts,
      )
    : null;
  return {
    service,
    entry,
    incoming: {
      baselinePerMinute: incoming.base,
      incidentPerMinute: incoming.inc,
      ratio: incoming.inc / incoming.base,
    },
    version,
    explains: version === null || version.verdict === 'same' || version.verdict === 'first',
  };
}

/** The start of the bucket (whole multiples of its size since the epoch, as the raw read aligns them) holding `ms`. */
function bucketOf(ms: number, bucketSeconds: number): number {
  const size = bucketSeconds * 1000;
  return Math.floor(ms / size) * size;
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(2);
}

/** The deployed version's comparison in words, for a hint or a gap. */
export function versionWords(v: VersionComparison): string {
  const d = `${v.deploy.service} ${v.deploy.version}`;
  if (v.verdict === 'first') return `${d} served the baseline's load before the rise (no earlier version in the read)`;
  if (v.verdict === 'unknown' && v.matched.deployed === 0)
    return `${d} served no load before the rise at which to compare it with ${v.previous ?? 'an earlier version'}`;
  if (v.verdict === 'unknown')
    return `${d} could not be compared with ${v.previous ?? 'an earlier version'} at the same load (${v.matched.deployed} and ${v.matched.previous} requests at matched load)`;
  const p50 = v.p50 ? `p50 ${fmt(v.p50.deployed)} ms vs ${fmt(v.p50.previous)} ms` : 'no latency';
  const err = v.errorShare
    ? `, error share ${fmt(100 * v.errorShare.deployed)}% vs ${fmt(100 * v.errorShare.previous)}%`
    : '';
  return `${d} ${v.verdict === 'same' ? 'performed like' : 'did worse than'} ${v.previous} at the same load (${p50}${err}, ${v.matched.deployed} and ${v.matched.previous} requests)`;
}

/** The load change as a finding (only when it explains the trouble): the entry, its rise, the service's, and the deploy cleared. */
export function loadChangeFinding(list: FindingList, lc: LoadChange, since: string): FindingOf<'load_change'> {
  const { entry, incoming, version } = lc;
  const at = `since=${encodeURIComponent(since)}`;
  const evidence: Evidence[] = [
    {
      kind: 'endpoint',
      summary: `${entry.service} ${entry.endpoint}: ${fmt(entry.baselinePerMinute)} → ${fmt(entry.incidentPerMinute)} requests per minute (${fmt(entry.ratio)}×)`,
      ref: entry.endpoint,
      query: `/api/services?service=${encodeURIComponent(entry.service)}&${at}`,
    },
  ];
  if (entry.service !== lc.service)
    evidence.push({
      kind: 'endpoint',
      summary: `${lc.service} received ${fmt(incoming.baselinePerMinute)} → ${fmt(incoming.incidentPerMinute)} requests per minute (${fmt(incoming.ratio)}×), with no caller calling it more per request`,
      ref: '*',
      query: `/api/services?service=${encodeURIComponent(lc.service)}&${at}`,
    });
  if (version)
    evidence.push({
      kind: 'deploy',
      summary: versionWords(version),
      ref: String(version.deploy.id),
      query: `/api/deploys/${version.deploy.id}`,
      rows: [
        {
          previous: version.previous,
          deployed: version.deploy.version,
          matchedRequests: version.matched,
          p50: version.p50,
          errorShare: version.errorShare,
        },
      ],
    });
  return list.add({
    kind: 'load_change',
    title: `requests at ${entry.service} ${entry.endpoint} rose ${fmt(entry.ratio)}× (${fmt(entry.baselinePerMinute)} → ${fmt(entry.incidentPerMinute)} per minute)`,
    confidence: version?.verdict === 'same' ? 0.8 : 0.7,
    hint: `${lc.service}'s errors or latency followed a ${fmt(incoming.ratio)}× rise in its incoming requests, carried from the entry in proportion (no caller's calls per request rose)${version ? `; ${versionWords(version)}, so the deploy is not the cause` : '; no deploy before the onset'}`,
    evidence,
    data: {
      service: lc.service,
      entry: `${entry.service} ${entry.endpoint}`,
      baselinePerMinute: entry.baselinePerMinute,
      incidentPerMinute: entry.incidentPerMinute,
      ratio: entry.ratio,
    },
  });
}

/** The load judgement of one of an investigation's candidates (what build and the workflow's code step both ask). */
export function loadJudgement(
  facts: Pick<InvestigationFacts, 'anchor' | 'load' | 'rca' | 'windows' | 'changes'>,
  service: string | null,
  opts: LoadOptions = {},
): LoadChange | null {
  const load = facts.load.find((l) => l.service === service);
  if (!load || !facts.rca || service === null) return null;
  const onsetMs = facts.anchor.onsetMs ?? facts.anchor.sinceMs;
  return judgeLoadChange(load, facts.rca, facts.windows, facts.changes.get(service) ?? null, onsetMs, opts);
}
