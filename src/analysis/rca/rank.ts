// Root-cause ranking (rca@3): test every service's signals between a baseline and an
// incident window, keep what survives a false-discovery-rate correction, score each service
// from its own evidence, then walk the service graph so that an anomaly explained by an
// anomalous callee is attributed downstream (the caller is marked a symptom and discounted).
//
// Tests (named in each signal's `test`), each in the direction a fault moves it:
//  - latency, per service and endpoint, and per caller→callee edge: Mann–Whitney U on the
//    latency sketches' bins (tie-corrected normal approximation), one-sided (slower), its z
//    divided by the square root of the baseline's own minute-to-minute dispersion (each baseline
//    minute against the rest), kept only when P(incident > baseline) exceeds ½ by `minEffect`;
//  - error rate (requests or edge calls): Fisher's exact test, one-sided up;
//  - traffic (requests per minute of the service's telemetry): conditional binomial test of two
//    Poisson rates, two-sided (reported as context, never scored, and adjusted in a family of its
//    own: traffic moves because of callers);
//  - log statements (a pattern; the patterns of one call site, when the lines named it, summed
//    as one statement), two-sided for INFO-level ones (a code path skipped or newly taken),
//    one-sided up for WARN/ERROR ones (fewer errors is a recovery, not a fault): one with a co-logged
//    partner (another pattern, or an endpoint's requests, whose baseline per-minute counts follow
//    it closely) is tested as its count per partner count (conditional binomial test of two
//    Poisson rates), which the mix of requests does not move; otherwise as its share of the
//    service's lines (Fisher's exact test);
//  - log flow (rca@3): what followed each statement in the same span, the span's end included,
//    each successor's share of the statement's successors (Fisher's exact, two-sided), its z
//    divided by the square root of the share's quasi-binomial dispersion across baseline minutes:
//    a statement no longer followed by its usual next one is a path cut short (an exception) or
//    sent elsewhere, whatever the mix of requests does to the counts;
//  - error groups per minute of the service's telemetry: conditional binomial test of two Poisson
//    rates, one-sided up (exposure counts only minutes in which the service reported anything,
//    so a gap in the data is not a zero rate);
//  - resource gauges: Student's t prediction test of the incident values on a log scale, one-sided
//    up (see gaugeShift), the log offset the gauge's typical level across services; a utilization
//    (a share of a limit, `*utilization`) on the scale of its headroom instead, so that a rise
//    counts when it took at least half of what was left (headroomScale), and the same resource's
//    usage gauge of that service is then not tested (saturation is nearness to the limit).
// All p-values of a run are adjusted together (Benjamini–Hochberg), over the tests whose
// smallest attainable p-value could pass at all (independent filtering): a pattern with three
// lines cannot be significant, so it does not dilute the others.
//
// Known-good reference windows (`input.reference`, e.g. the same hour last week or a period
// marked healthy): log patterns, log flow and error groups are tested against them as well as against the
// recent baseline, each a test of its own, so a fault that had begun before the baseline (or
// came and went in it) still stands out against a healthy period. Requests, latency and edges
// follow load and are compared with the recent baseline alone. A WARN/ERROR pattern absent from
// the side it is compared with is new ('new-error-pattern'): it scores in a family of its own,
// its weight multiplied (newPatternWeight).
import { DDSketch } from '../sketch/index.js';
import {
  type TestResult,
  benjaminiHochberg,
  binomialDispersion,
  deflate,
  discreteFamily,
  fisherMinP,
  fisherTest,
  gaugeShift,
  headroomScale,
  mannWhitneyBinned,
  mannWhitneyMinP,
  normalSf,
  poissonMinP,
  poissonRateTest,
} from './stats.js';
import type {
  EdgeRow,
  FlowRow,
  PatternRow,
  RankedService,
  RcaInput,
  RcaOptions,
  RcaResult,
  RcaSignal,
  SignalKind,
  TimeWindow,
} from './types.js';

export const RCA_ALGORITHM = 'rca@3';

export const TESTS: Record<SignalKind, string> = {
  latency: 'Mann–Whitney U on latency sketch bins, one-sided (slower)',
  'edge-latency': 'Mann–Whitney U on latency sketch bins, one-sided (slower)',
  'error-rate': "Fisher's exact, one-sided (increase)",
  'edge-errors': "Fisher's exact, one-sided (increase)",
  traffic: 'conditional binomial test of Poisson rates per minute of telemetry, two-sided',
  pattern: "Fisher's exact on the pattern's share of the service's lines, two-sided",
  'error-pattern': "Fisher's exact on the pattern's share of the service's lines, one-sided (increase)",
  'new-error-pattern':
    "Fisher's exact on the pattern's share of the service's lines, one-sided (increase; absent before)",
  'error-group': 'conditional binomial test of Poisson rates per minute of telemetry, one-sided (increase)',
  metric: "Student's t prediction test on log values, strongest incident minute, Bonferroni, one-sided (increase)",
  'edge-fanout':
    'conditional binomial test of Poisson rates, calls per request the caller served, one-sided (increase)',
  'log-flow': "Fisher's exact on the share of a statement's successors in the same span, two-sided",
};

/** Signal kinds grouped into families: a service scores the best signal of each family. */
const FAMILY: Record<SignalKind, string | null> = {
  latency: 'latency',
  'edge-latency': 'latency',
  'error-rate': 'errors',
  'edge-errors': 'errors',
  'error-group': 'errors',
  'error-pattern': 'warn-logs',
  'new-error-pattern': 'new-warn-logs',
  pattern: 'logs',
  metric: 'resource',
  'edge-fanout': 'fanout',
  'log-flow': 'flow',
  traffic: null,
};

const WEIGHT_CAP = 20;
const MIN_LATENCY_SAMPLES = 5;
/** Vargha–Delaney "small" effect: P(incident > baseline) − ½ ≥ 0.06. */
const DEFAULT_MIN_EFFECT = 0.06;
const WARN_LEVELS = new Set(['WARN', 'ERROR', 'FATAL']);
const VS_REFERENCE = ' against the known-good reference';
/** A co-logged partner's baseline per-minute counts correlate with the pattern's at least this much… */
const MIN_PARTNER_R = 0.8;
/** …over at least this many minutes. */
const MIN_PARTNER_MINUTES = 3;
const REQUESTS = 'requests ';
const MINUTE_MS = 60_000;

interface Draft extends Omit<RcaSignal, 'q' | 'weight'> {
  /** The smallest p-value the test could give with these margins (0 for continuous tests). */
  pMin: number;
}

function inWindow(ms: number, w: TimeWindow): boolean {
  return ms >= w.startMs && ms < w.endMs;
}

function twoSided(t: TestResult): TestResult {
  return { statistic: t.statistic, p: Math.min(1, 2 * t.p) };
}

/** Per-key totals of both windows. */
class Pair<T> {
  readonly base = new Map<string, T>();
  readonly inc = new Map<string, T>();
  constructor(private readonly zero: () => T) {}
  at(side: 'base' | 'inc', key: string): T {
    const m = side === 'base' ? this.base : this.inc;
    let v = m.get(key);
    if (v === undefined) {
      v = this.zero();
      m.set(key, v);
    }
    return v;
  }
  keys(): Set<string> {
    return new Set([...this.base.keys(), ...this.inc.keys()]);
  }
}

interface Red {
  requests: number;
  errors: number;
  latency: DDSketch;
  /** Per minute (baseline side only), for the dispersion. */
  minutes: Map<number, DDSketch>;
}

const newRed = (): Red => ({ requests: 0, errors: 0, latency: new DDSketch(), minutes: new Map() });

/** A baseline's latency: all of it and minute by minute. */
interface Lat {
  all: DDSketch;
  minutes: Map<number, DDSketch>;
}

function addLatency(acc: Red, side: 'base' | 'inc', minuteMs: number, s: DDSketch): void {
  acc.latency.merge(s);
  if (side !== 'base') return;
  let m = acc.minutes.get(minuteMs);
  if (m === undefined) {
    m = new DDSketch();
    acc.minutes.set(minuteMs, m);
  }
  m.merge(s);
}

/** What the incident is compared with: the recent baseline, or the known-good reference windows. */
type Comparison = 'baseline' | 'reference';

function sideOf(ms: number, input: RcaInput, against: Comparison): 'base' | 'inc' | null {
  if (inWindow(ms, input.incident)) return 'inc';
  if (against === 'baseline') return inWindow(ms, input.baseline) ? 'base' : null;
  return (input.reference ?? []).some((w) => inWindow(ms, w)) ? 'base' : null;
}

function latencyBins(s: DDSketch): Array<[number, number]> {
  const bins = s.bins();
  if (s.zeros > 0) bins.unshift([Number.NEGATIVE_INFINITY, s.zeros]);
  return bins;
}

/** Bin counts of `all` less those of `part` (a minute's sketch out of the window's). */
function binsMinus(
  all: ReadonlyArray<[number, number]>,
  part: ReadonlyArray<[number, number]>,
): Array<[number, number]> {
  const left = new Map(all);
  for (const [k, c] of part) left.set(k, (left.get(k) ?? 0) - c);
  return [...left].filter(([, c]) => c > 0);
}

/**
 * How much more the latency distribution moves from minute to minute than independent samples
 * would (requests come in mixes, callers retry, caches warm): the mean square of each baseline
 * minute's Mann–Whitney z against the rest of the baseline, at least 1 (1 when fewer than two
 * minutes can be compared). Dividing an incident's z² by it calibrates the test to the
 * baseline's own variation (quasi-likelihood overdispersion).
 */
function latencyDispersion(perMinute: readonly DDSketch[], all: DDSketch): number {
  const minutesUsed = perMinute.filter(
    (m) => m.count >= MIN_LATENCY_SAMPLES && all.count - m.count >= MIN_LATENCY_SAMPLES,
  );
  if (minutesUsed.length < 2) return 1;
  const allBins = latencyBins(all);
  let sum = 0;
  for (const m of minutesUsed) {
    const mine = latencyBins(m);
    sum += mannWhitneyBinned(binsMinus(allBins, mine), mine).statistic ** 2;
  }
  return Math.max(1, sum / minutesUsed.length);
}

/** Slower in the incident: one-sided Mann–Whitney, its z deflated by the baseline's dispersion, with the effect at least ½ + minEffect. */
function latencyDraft(
  kind: SignalKind,
  service: string,
  key: string,
  b: Lat,
  i: DDSketch,
  minEffect: number,
): Draft | null {
  if (b.all.count < MIN_LATENCY_SAMPLES || i.count < MIN_LATENCY_SAMPLES) return null;
  const t = mannWhitneyBinned(latencyBins(b.all), latencyBins(i));
  if (t.effect - 0.5 < minEffect || t.statistic <= 0) return null;
  const phi = latencyDispersion([...b.minutes.values()], b.all);
  const z = t.statistic / Math.sqrt(phi);
  return {
    kind,
    service,
    key,
    baseline: b.all.quantile(0.5),
    incident: i.quantile(0.5),
    unit: 'p50 ms',
    test: phi > 1 ? `${TESTS[kind]}, z ÷ √${phi.toFixed(1)} (the baseline's minute-to-minute dispersion)` : TESTS[kind],
    statistic: z,
    p: normalSf(z),
    pMin: mannWhitneyMinP(b.all.count, i.count) / 2,
  };
}

function errorDraft(kind: 'error-rate' | 'edge-errors', service: string, key: string, b: Red, i: Red): Draft | null {
  if (i.errors === 0) return null;
  const t = fisherTest(b.errors, b.requests, i.errors, i.requests);
  if (t.statistic <= 0) return null;
  return {
    kind,
    service,
    key,
    baseline: b.errors / Math.max(1, b.requests),
    incident: i.errors / Math.max(1, i.requests),
    unit: 'error share',
    test: TESTS[kind],
    ...t,
    pMin: fisherMinP(b.errors + i.errors, b.requests, i.requests, 'greater'),
  };
}

/** Minutes, per service and side, in which the service reported anything (requests or log lines). */
function observedMinutes(input: RcaInput, against: Comparison): Pair<{ n: number }> {
  const buckets = new Pair<Set<number>>(() => new Set());
  for (const r of [...input.red, ...input.patterns]) {
    const side = sideOf(r.minuteMs, input, against);
    if (side !== null) buckets.at(side, r.service).add(r.minuteMs);
  }
  const seen = new Pair<{ n: number }>(() => ({ n: 0 }));
  for (const side of ['base', 'inc'] as const) {
    for (const [service, starts] of side === 'base' ? buckets.base : buckets.inc) {
      let n = 0;
      for (const start of starts) n += bucketSpan(input, side, against, start);
      seen.at(side, service).n = n;
    }
  }
  return seen;
}

/** The minutes a row starting at `start` stands for (1 without buckets; the reference is per minute). */
function bucketSpan(input: RcaInput, side: 'base' | 'inc', against: Comparison, start: number): number {
  const b = input.bucketMinutes;
  if (b === undefined || (side === 'base' && against === 'reference')) return 1;
  const width = (side === 'base' ? b.baseline : b.incident) * MINUTE_MS;
  if (width <= MINUTE_MS) return 1;
  const w = side === 'base' ? input.baseline : input.incident;
  // Buckets are aligned to the incident's start: the next boundary after `start`, cut at the window's end.
  const origin = input.incident.startMs;
  const next = origin + (Math.floor((start - origin) / width) + 1) * width;
  return Math.max(1, Math.round((Math.min(next, w.endMs) - start) / MINUTE_MS));
}

/** Per-minute series of one side: pattern counts and endpoint requests, by service. */
interface Series {
  /** key → minute → count; patterns by key, endpoints as "requests <endpoint>". */
  byKey: Map<string, Map<number, number>>;
  minutes: Set<number>;
}

/** A service's baseline series as centred vectors over its minutes (for partnerOf's correlations). */
interface Centred {
  minutes: number;
  /** key → the series less its mean, and its sum of squares. */
  vectors: Map<string, { c: Float64Array; ss: number }>;
}

function centred(series: Series): Centred {
  const minutes = [...series.minutes];
  const vectors = new Map<string, { c: Float64Array; ss: number }>();
  for (const [key, counts] of series.byKey) {
    const c = new Float64Array(minutes.length);
    let mean = 0;
    for (let i = 0; i < minutes.length; i++) {
      c[i] = counts.get(minutes[i] as number) ?? 0;
      mean += c[i] as number;
    }
    mean /= minutes.length;
    let ss = 0;
    for (let i = 0; i < c.length; i++) {
      c[i] = (c[i] as number) - mean;
      ss += (c[i] as number) * (c[i] as number);
    }
    vectors.set(key, { c, ss });
  }
  return { minutes: minutes.length, vectors };
}

/**
 * A pattern's co-logged partner: the series of the same service (another pattern, or an
 * endpoint's requests) whose baseline per-minute counts follow the pattern's most closely, when
 * that correlation (Pearson's; 0 when either series is flat) is at least MIN_PARTNER_R over at
 * least MIN_PARTNER_MINUTES minutes. Statements of one code path move together whatever the mix
 * of requests; a fault that skips one of them (or adds one) breaks their ratio.
 */
function partnerOf(
  series: Centred | undefined,
  key: string,
  presentInIncident: (k: string) => boolean,
): { key: string; r: number } | null {
  if (series === undefined || series.minutes < MIN_PARTNER_MINUTES) return null;
  const mine = series.vectors.get(key);
  if (mine === undefined || mine.ss === 0) return null;
  let best: { key: string; r: number } | null = null;
  for (const [other, o] of series.vectors) {
    if (other === key || o.ss === 0 || !presentInIncident(other)) continue;
    let sxy = 0;
    for (let i = 0; i < o.c.length; i++) sxy += (mine.c[i] as number) * (o.c[i] as number);
    const r = sxy / Math.sqrt(mine.ss * o.ss);
    if (r >= MIN_PARTNER_R && (best === null || r > best.r)) best = { key: other, r };
  }
  return best;
}

const LEVEL_ORDER = ['', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/**
 * Pattern rows counted per log statement: the rows of patterns whose lines named their call site
 * summed per site (the key is the site; the templates of one statement differ only in values),
 * the others as they are.
 */
export function statementRows(patterns: readonly PatternRow[]): PatternRow[] {
  if (!patterns.some((p) => p.site !== undefined)) return [...patterns];
  const out: PatternRow[] = [];
  const sites = new Map<string, PatternRow>();
  for (const p of patterns) {
    if (p.site === undefined) {
      out.push(p);
      continue;
    }
    const k = `${p.minuteMs}\u0000${p.service}\u0000${p.site}`;
    const row = sites.get(k);
    if (row === undefined) {
      const r: PatternRow = {
        minuteMs: p.minuteMs,
        service: p.service,
        key: p.site,
        level: p.level,
        count: p.count,
        site: p.site,
        label: `${p.site} ${p.label ?? ''}`.trim(),
      };
      sites.set(k, r);
      out.push(r);
      continue;
    }
    row.count += p.count;
    if (LEVEL_ORDER.indexOf(p.level) > LEVEL_ORDER.indexOf(row.level)) row.level = p.level;
  }
  return out;
}

/** Log patterns (per statement, see statementRows) and error groups against one comparison window. */
function logDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  const vs = against === 'reference' ? VS_REFERENCE : '';
  // Each pattern's share of its service's lines, and its count per co-logged partner.
  const lines = new Pair<{ n: number }>(() => ({ n: 0 }));
  const pat = new Pair<{ n: number; level: string; label?: string }>(() => ({ n: 0, level: '' }));
  const count = new Pair<{ n: number }>(() => ({ n: 0 }));
  const base = new Map<string, Series>();
  const note = (side: 'base' | 'inc', service: string, key: string, minuteMs: number, n: number) => {
    count.at(side, `${service}\u0000${key}`).n += n;
    if (side !== 'base') return;
    const s = child(base, service, (): Series => ({ byKey: new Map(), minutes: new Set() }));
    s.minutes.add(minuteMs);
    addAt(
      child(s.byKey, key, () => new Map()),
      minuteMs,
      n,
    );
  };
  for (const r of statementRows(input.patterns)) {
    const side = sideOf(r.minuteMs, input, against);
    if (side === null) continue;
    lines.at(side, r.service).n += r.count;
    const p = pat.at(side, `${r.service}\u0000${r.key}`);
    p.n += r.count;
    if (WARN_LEVELS.has(r.level)) p.level = r.level;
    else if (p.level === '') p.level = r.level;
    if (r.label !== undefined) p.label = r.label;
    note(side, r.service, r.key, r.minuteMs, r.count);
  }
  for (const r of input.red) {
    const side = sideOf(r.minuteMs, input, against);
    if (side !== null && r.requests > 0) note(side, r.service, `${REQUESTS}${r.endpoint}`, r.minuteMs, r.requests);
  }
  const centredSeries = new Map<string, Centred>();
  const centredOf = (service: string): Centred | undefined => {
    const series = base.get(service);
    return series === undefined ? undefined : child(centredSeries, service, () => centred(series));
  };
  for (const k of pat.keys()) {
    const [service, key] = k.split('\u0000') as [string, string];
    const b = pat.base.get(k);
    const i = pat.inc.get(k);
    const nb = lines.base.get(service)?.n ?? 0;
    const ni = lines.inc.get(service)?.n ?? 0;
    // No lines at all on one side is a traffic change, not a change in what the code logs.
    if (nb === 0 || ni === 0) continue;
    const [xb, xi] = [b?.n ?? 0, i?.n ?? 0];
    const warn = WARN_LEVELS.has(i?.level ?? '') || WARN_LEVELS.has(b?.level ?? '');
    const kind: SignalKind = warn ? (xb === 0 && xi > 0 ? 'new-error-pattern' : 'error-pattern') : 'pattern';
    const label = i?.label ?? b?.label;
    const partner =
      xb > 0
        ? partnerOf(centredOf(service), key, (other) => (count.inc.get(`${service}\u0000${other}`)?.n ?? 0) > 0)
        : null;
    let draft: Draft;
    if (partner !== null) {
      // The pattern's count per partner count: a conditional binomial test of two Poisson rates.
      const pb = count.base.get(`${service}\u0000${partner.key}`)?.n ?? 0;
      const pi = count.inc.get(`${service}\u0000${partner.key}`)?.n ?? 0;
      const t = poissonRateTest(xb, pb, xi, pi);
      const per = partner.key.startsWith(REQUESTS)
        ? `request to ${partner.key.slice(REQUESTS.length)}`
        : `line of pattern ${partner.key}`;
      draft = {
        kind,
        service,
        key,
        ...(label !== undefined ? { label } : {}),
        baseline: xb / pb,
        incident: xi / pi,
        unit: `per ${per}`,
        test: `conditional binomial test of the pattern's count per ${per}, its co-logged partner (baseline per-minute r = ${partner.r.toFixed(2)}), ${warn ? 'one-sided (increase)' : 'two-sided'}${vs}`,
        ...(warn ? t : twoSided(t)),
        pMin: poissonMinP(xb + xi, pb, pi, warn ? 'greater' : 'two-sided'),
      };
    } else {
      const t = fisherTest(xb, nb, xi, ni);
      draft = {
        kind,
        service,
        key,
        ...(label !== undefined ? { label } : {}),
        baseline: xb / nb,
        incident: xi / ni,
        unit: 'share of lines',
        test: TESTS[kind] + vs,
        ...(warn ? t : twoSided(t)),
        pMin: fisherMinP(xb + xi, nb, ni, warn ? 'greater' : 'two-sided'),
      };
    }
    // Fewer warnings and errors is a recovery, not a fault.
    if (warn && draft.statistic <= 0) continue;
    out.push(draft);
  }

  // Error groups per minute of the service's telemetry.
  const seen = observedMinutes(input, against);
  const grp = new Pair<{ n: number; label?: string }>(() => ({ n: 0 }));
  for (const r of input.errorGroups) {
    const side = sideOf(r.minuteMs, input, against);
    if (side === null) continue;
    const g = grp.at(side, `${r.service}\u0000${r.key}`);
    g.n += r.count;
    if (r.label !== undefined) g.label = r.label;
  }
  for (const k of grp.keys()) {
    const [service, key] = k.split('\u0000') as [string, string];
    // At least one minute each: a service with no telemetry in the baseline (it started, or the
    // data did) counts as one quiet minute, so a burst of errors still stands out and a few do not.
    const bMin = Math.max(1, seen.base.get(service)?.n ?? 0);
    const iMin = Math.max(1, seen.inc.get(service)?.n ?? 0);
    const b = grp.base.get(k)?.n ?? 0;
    const i = grp.inc.get(k)?.n ?? 0;
    const t = poissonRateTest(b, bMin, i, iMin);
    if (t.statistic <= 0) continue;
    const label = grp.inc.get(k)?.label ?? grp.base.get(k)?.label;
    out.push({
      kind: 'error-group',
      service,
      key,
      ...(label !== undefined ? { label } : {}),
      baseline: b / bMin,
      incident: i / iMin,
      unit: 'per minute',
      test: TESTS['error-group'] + vs,
      ...t,
      pMin: poissonMinP(b + i, bMin, iMin, 'greater'),
    });
  }
}

/**
 * Log flow: for each log statement of a service (its call site when its lines named one, else
 * its pattern), what followed it in the same span, baseline against incident: each successor's
 * share of the statement's successors, Fisher's exact, two-sided (a successor that stopped
 * following is as telling as one that started). Conditioned on the statement, so the mix of
 * requests does not move it.
 */
const END = '∎';

function dispersed(phi: number): string {
  return phi > 1 ? `, z ÷ √${phi.toFixed(1)} (the baseline's minute-to-minute dispersion)` : '';
}

/** Counts per minute. */
type PerMinute = Map<number, number>;

function addAt(m: PerMinute, minute: number, n: number): void {
  m.set(minute, (m.get(minute) ?? 0) + n);
}

function child<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) {
    v = make();
    m.set(k, v);
  }
  return v;
}

/** One service's log flow on one side: statement → successor → minute → count, and statement → minute → its successors. */
interface FlowSide {
  pair: Map<string, Map<string, PerMinute>>;
  from: Map<string, PerMinute>;
}

function flowDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  if (!input.flows || input.flows.length === 0) return;
  // Per service (only those with flow rows: the flow is often read for a few services of many),
  // its statements' nodes and labels, and per side its transitions.
  interface ServiceFlow {
    nodeOf: Map<string, string>;
    labelOf: Map<string, string>;
    sides: [FlowSide, FlowSide];
  }
  const services = new Map<string, ServiceFlow>();
  const newSide = (): FlowSide => ({ pair: new Map(), from: new Map() });
  for (const f of input.flows)
    child(services, f.service, () => ({ nodeOf: new Map(), labelOf: new Map(), sides: [newSide(), newSide()] }));
  const patterns = input.patterns.filter((p) => services.has(p.service));
  for (const p of patterns) {
    const sf = services.get(p.service)!;
    const node = p.site ?? p.key;
    sf.nodeOf.set(p.key, node);
    if (!sf.labelOf.has(node)) sf.labelOf.set(node, p.site ?? p.label ?? p.key);
  }
  const sideIndex = (minuteMs: number): 0 | 1 | null => {
    const side = sideOf(minuteMs, input, against);
    return side === null ? null : side === 'base' ? 0 : 1;
  };
  for (const f of input.flows) {
    const s = sideIndex(f.minuteMs);
    if (s === null) continue;
    const sf = services.get(f.service)!;
    const a = sf.nodeOf.get(f.from) ?? f.from;
    const b = sf.nodeOf.get(f.to) ?? f.to;
    const side = sf.sides[s];
    addAt(
      child(
        child(side.pair, a, () => new Map<string, PerMinute>()),
        b,
        () => new Map(),
      ),
      f.minuteMs,
      f.count,
    );
    addAt(
      child(side.from, a, () => new Map()),
      f.minuteMs,
      f.count,
    );
  }
  // The statement's lines that nothing followed (the span's last line, or a path cut short):
  // its lines less its transitions, minute by minute, as the successor END.
  const lines = new Map<string, [Map<string, PerMinute>, Map<string, PerMinute>]>();
  for (const p of patterns) {
    const s = sideIndex(p.minuteMs);
    if (s === null) continue;
    const sf = services.get(p.service)!;
    const perService = child(
      lines,
      p.service,
      () => [new Map(), new Map()] as [Map<string, PerMinute>, Map<string, PerMinute>],
    );
    addAt(
      child(perService[s], sf.nodeOf.get(p.key) ?? p.key, () => new Map()),
      p.minuteMs,
      p.count,
    );
  }
  for (const [service, perSide] of lines) {
    const sf = services.get(service)!;
    for (const s of [0, 1] as const) {
      const side = sf.sides[s];
      for (const [a, perMinute] of perSide[s]) {
        const followed = side.from.get(a);
        for (const [minute, n] of perMinute) {
          const end = n - (followed?.get(minute) ?? 0);
          if (end <= 0) continue;
          addAt(
            child(
              child(side.pair, a, () => new Map<string, PerMinute>()),
              END,
              () => new Map(),
            ),
            minute,
            end,
          );
          addAt(
            child(side.from, a, () => new Map()),
            minute,
            end,
          );
        }
      }
    }
  }
  const total = (m: PerMinute | undefined) => {
    let n = 0;
    for (const v of m?.values() ?? []) n += v;
    return n;
  };
  for (const [service, sf] of services) {
    const [base, inc] = sf.sides;
    for (const a of new Set([...base.pair.keys(), ...inc.pair.keys()])) {
      const fromBase = base.from.get(a);
      const ni = total(inc.from.get(a));
      // A statement not reached on one side is a traffic change, not a change of path.
      if (fromBase === undefined || ni === 0) continue;
      const nb = total(fromBase);
      if (nb === 0) continue;
      const pairsBase = base.pair.get(a);
      const pairsInc = inc.pair.get(a);
      for (const b of new Set([...(pairsBase?.keys() ?? []), ...(pairsInc?.keys() ?? [])])) {
        const pairBase = pairsBase?.get(b);
        const perMinute = [...fromBase].map(([minute, n]) => [pairBase?.get(minute) ?? 0, n] as const);
        const xb = total(pairBase);
        // Calibrated to how much the share moved from minute to minute in the baseline: a path that
        // swings there (an earlier incident inside the baseline, a branch taken by some requests
        // only) moving again is weaker evidence than one that never moved.
        const phi = binomialDispersion(perMinute);
        const xi = total(pairsInc?.get(b));
        const t = deflate(twoSided(fisherTest(xb, nb, xi, ni)), phi);
        const la = sf.labelOf.get(a) ?? a;
        const lb = b === END ? 'the end of the span' : (sf.labelOf.get(b) ?? b);
        out.push({
          kind: 'log-flow',
          service,
          key: `${a}→${b}`,
          label: `${la} → ${lb}`,
          baseline: xb / nb,
          incident: xi / ni,
          unit: `share of what followed ${la}`,
          test: TESTS['log-flow'] + dispersed(phi) + (against === 'reference' ? VS_REFERENCE : ''),
          ...t,
          pMin: deflate({ statistic: 1, p: fisherMinP(xb + xi, nb, ni, 'two-sided') }, phi).p,
        });
      }
    }
  }
}

/**
 * A gauge that is a share of a limit, 0 to 1, by the OpenTelemetry naming (`k8s.pod.cpu_limit_utilization`,
 * `container.memory.utilization`, `system.cpu.utilization`).
 */
function isUtilization(name: string): boolean {
  return /utilization$/.test(name);
}

/** The resource a gauge measures: its name less a usage or utilization suffix (`k8s.pod.cpu.usage` → `k8s.pod.cpu`). */
function resourceOf(name: string): string {
  return name.replace(/[._](limit_|request_)?(usage|utilization)$/, '');
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Every tested change, before the FDR correction; and the caller→callee links that carried
 * errors in the incident with nothing to compare them with: neither the edge nor its caller
 * was seen in the baseline (a world, or a pair of services, younger than the window). No test
 * can say such an edge changed; the errors on it are what shows the path carries the callee's
 * failure. A new edge from a caller that was already running is not one: a new call path is
 * the caller's own change.
 */
function drafts(input: RcaInput, minEffect: number): { drafts: Draft[]; unbaselined: Set<string> } {
  const out: Draft[] = [];
  const unbaselined = new Set<string>();
  const seen = observedMinutes(input, 'baseline');

  // RED per service (all endpoints) and per endpoint, against the recent baseline.
  const svc = new Pair<Red>(newRed);
  const ep = new Pair<Red>(newRed);
  for (const r of input.red) {
    const side = sideOf(r.minuteMs, input, 'baseline');
    if (side === null) continue;
    for (const acc of [svc.at(side, r.service), ep.at(side, `${r.service}\u0000${r.endpoint}`)]) {
      acc.requests += r.requests;
      acc.errors += r.errors;
      addLatency(acc, side, r.minuteMs, r.latency);
    }
  }
  for (const [pair, perEndpoint] of [
    [svc, false],
    [ep, true],
  ] as const) {
    for (const k of pair.keys()) {
      const b = pair.base.get(k) ?? newRed();
      const i = pair.inc.get(k) ?? newRed();
      const [service, endpoint] = perEndpoint ? (k.split('\u0000') as [string, string]) : [k, '*'];
      const lat = latencyDraft(
        'latency',
        service,
        endpoint,
        { all: b.latency, minutes: b.minutes },
        i.latency,
        minEffect,
      );
      if (lat) out.push(lat);
      const err = errorDraft('error-rate', service, endpoint, b, i);
      if (err) out.push(err);
      if (!perEndpoint) {
        // Per minute in which the service reported anything: a gap in the data is not a drop.
        const rMin = Math.max(1, seen.base.get(service)?.n ?? 0);
        const iMin = Math.max(1, seen.inc.get(service)?.n ?? 0);
        const t = twoSided(poissonRateTest(b.requests, rMin, i.requests, iMin));
        out.push({
          kind: 'traffic',
          service,
          key: '*',
          baseline: b.requests / rMin,
          incident: i.requests / iMin,
          unit: 'requests per minute',
          test: TESTS.traffic,
          ...t,
          pMin: 0,
        });
      }
    }
  }

  // Log patterns, error groups and log flow: against the recent baseline, and the known-good
  // reference.
  logDrafts(input, 'baseline', out);
  flowDrafts(input, 'baseline', out);
  if ((input.reference ?? []).length > 0) {
    logDrafts(input, 'reference', out);
    flowDrafts(input, 'reference', out);
  }

  // Edges: latency and errors of the callee as its callers see them.
  const edge = new Pair<Red>(newRed);
  for (const r of input.edges) {
    const side = sideOf(r.minuteMs, input, 'baseline');
    if (side === null) continue;
    const e = edge.at(side, `${r.caller}\u0000${r.callee}`);
    e.requests += r.calls;
    e.errors += r.errors;
    addLatency(e, side, r.minuteMs, r.latency);
  }
  for (const k of edge.keys()) {
    const [caller, callee] = k.split('\u0000') as [string, string];
    const b = edge.base.get(k) ?? newRed();
    const i = edge.inc.get(k) ?? newRed();
    const key = `${caller}→${callee}`;
    const lat = latencyDraft('edge-latency', callee, key, { all: b.latency, minutes: b.minutes }, i.latency, minEffect);
    if (lat) out.push(lat);
    const err = errorDraft('edge-errors', callee, key, b, i);
    if (err) out.push(err);
    const rb = svc.base.get(caller)?.requests ?? 0;
    const ri = svc.inc.get(caller)?.requests ?? 0;
    if (b.requests === 0 && rb === 0 && i.errors > 0) unbaselined.add(key);
    // Fan-out: the caller's calls to this callee per request the caller served. A rise is the
    // caller's own change (an N+1, a new retry loop), attributed to the caller; it also
    // explains the callee's extra traffic.
    if (rb > 0 && ri > 0 && b.requests > 0) {
      const t = poissonRateTest(b.requests, rb, i.requests, ri);
      if (t.statistic > 0) {
        out.push({
          kind: 'edge-fanout',
          service: caller,
          key,
          baseline: b.requests / rb,
          incident: i.requests / ri,
          unit: 'calls per request',
          test: TESTS['edge-fanout'],
          ...t,
          pMin: poissonMinP(b.requests + i.requests, rb, ri, 'greater'),
        });
      }
    }
  }

  // Resource gauges: a rise (saturation).
  const gauge = new Pair<number[]>(() => []);
  for (const r of input.metrics ?? []) {
    const side = inWindow(r.minuteMs, input.metricBaseline ?? input.baseline)
      ? 'base'
      : inWindow(r.minuteMs, input.incident)
        ? 'inc'
        : null;
    if (side === null || !Number.isFinite(r.value)) continue;
    gauge.at(side, `${r.service}\u0000${r.name}`).push(r.value);
  }
  // A gauge's typical level across services (the median of their baseline medians): a rise far
  // below what services of this fleet use is compressed on the log scale, not a large ratio.
  const levels = new Map<string, number[]>();
  for (const [k, b] of gauge.base) {
    const name = k.split('\u0000')[1] as string;
    if (b.length > 0) levels.set(name, [...(levels.get(name) ?? []), median(b)]);
  }
  // A service that reports a resource's utilization (its share of a limit) is tested on that: a
  // usage in cores or bytes says how much work the service did, the utilization how close to its
  // limit it came, which is what saturation is.
  const limited = new Set<string>();
  for (const k of gauge.keys()) {
    const [service, name] = k.split('\u0000') as [string, string];
    if (isUtilization(name)) limited.add(`${service}\u0000${resourceOf(name)}`);
  }
  for (const k of gauge.keys()) {
    const [service, name] = k.split('\u0000') as [string, string];
    const share = isUtilization(name);
    if (!share && limited.has(`${service}\u0000${resourceOf(name)}`)) continue;
    const b = gauge.base.get(k) ?? [];
    const i = gauge.inc.get(k) ?? [];
    const fleet = levels.get(name) ?? [];
    const t = share
      ? gaugeShift(b.map(headroomScale), i.map(headroomScale), { alternative: 'greater', scale: 'linear' })
      : gaugeShift(b, i, { alternative: 'greater', ...(fleet.length >= 3 ? { offset: median(fleet) } : {}) });
    if (t.p >= 1) continue;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    const test = share
      ? TESTS.metric.replace('on log values', 'on the headroom, log 1/(1 − utilization)')
      : TESTS.metric;
    out.push({
      kind: 'metric',
      service,
      key: name,
      baseline: mean(b),
      incident: mean(i),
      unit: share ? 'mean share of the limit' : 'mean',
      test,
      ...t,
      pMin: 0,
    });
  }
  return { drafts: out, unbaselined };
}

/** Callees per caller, from the edges seen in either window. */
function calleesOf(edges: readonly EdgeRow[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const e of edges) {
    let s = m.get(e.caller);
    if (s === undefined) {
      s = new Set();
      m.set(e.caller, s);
    }
    s.add(e.callee);
  }
  return m;
}

/**
 * A caller is a symptom of a direct callee when the callee is anomalous, the caller→callee
 * edge itself changed (latency or errors), and the callee's anomaly can explain every family
 * of the caller's. The families that an anomaly of the callee can cause in its caller: slowness makes callers
 * slow (and can make them log timeouts), errors make callers fail and log, a changed response
 * changes what the caller logs. Resource use is the service's own.
 */
const EXPLAINS: Record<string, readonly string[]> = {
  latency: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
  // A failing callee can make its callers retry: more calls per request.
  errors: ['errors', 'warn-logs', 'new-warn-logs', 'logs', 'latency', 'fanout', 'flow'],
  'warn-logs': ['errors', 'warn-logs', 'logs', 'flow'],
  'new-warn-logs': ['errors', 'warn-logs', 'logs', 'flow'],
  logs: ['logs', 'warn-logs', 'flow'],
  // A callee whose own code path changed returns something else: its callers log and branch otherwise.
  flow: ['logs', 'warn-logs', 'new-warn-logs', 'errors', 'flow'],
  resource: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs', 'flow'],
};

/** What more calls from a caller can do to a callee: slow it, make it fail, saturate it, make it warn. */
const LOAD_EXPLAINS: readonly string[] = ['latency', 'errors', 'warn-logs', 'logs', 'resource'];

/** A draft without its bookkeeping. */
function signal(d: Draft): Omit<RcaSignal, 'q' | 'weight'> {
  const { pMin: _, ...rest } = d;
  return rest;
}

/**
 * q-values: Benjamini–Hochberg over the scored tests that could reach significance at all
 * (discreteFamily), the others q = 1; traffic, which never scores, in a family of its own.
 */
function adjust(all: readonly Draft[], fdr: number): number[] {
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

export function rankRootCauses(input: RcaInput, options: RcaOptions & { minEffect?: number } = {}): RcaResult {
  return rankTested(testSignals(input, options), options);
}

/** Every test of an input, before the ranking (rankTested); opaque. */
export interface RcaTests {
  readonly input: RcaInput;
  readonly drafts: readonly Draft[];
  /** Failing caller→callee links with no baseline for the edge or its caller (see drafts). */
  readonly unbaselined: ReadonlySet<string>;
}

/** Runs the tests of rankRootCauses, to rank them with rankTested (and add flows with addFlowTests in between). */
export function testSignals(input: RcaInput, options: { minEffect?: number } = {}): RcaTests {
  return { input, ...drafts(input, options.minEffect ?? DEFAULT_MIN_EFFECT) };
}

/**
 * The tests with the log-flow tests of `flows` added (for tests run without flows): the same as
 * testing the input with those flows, without testing everything else again.
 */
export function addFlowTests(tests: RcaTests, flows: readonly FlowRow[]): RcaTests {
  const input: RcaInput = { ...tests.input, flows: [...(tests.input.flows ?? []), ...flows] };
  const extra: Draft[] = [];
  const only: RcaInput = { ...input, flows };
  flowDrafts(only, 'baseline', extra);
  if ((input.reference ?? []).length > 0) flowDrafts(only, 'reference', extra);
  return { input, drafts: [...tests.drafts, ...extra], unbaselined: tests.unbaselined };
}

/** Ranks the services by the tests' FDR-corrected evidence, symptoms discounted (rankRootCauses' second half). */
export function rankTested(tests: RcaTests, options: RcaOptions = {}): RcaResult {
  const input = tests.input;
  const fdr = options.fdr ?? 0.01;
  const discount = options.symptomDiscount ?? 0.25;
  const maxSignals = options.maxSignals ?? 8;
  const all = tests.drafts;
  const newWeight = options.newPatternWeight ?? 2;
  const qs = adjust(all, fdr);
  const signals: RcaSignal[] = [];
  all.forEach((d, j) => {
    const q = qs[j] as number;
    const mult = d.kind === 'new-error-pattern' ? newWeight : 1;
    if (q < fdr)
      signals.push({ ...signal(d), q, weight: mult * Math.min(WEIGHT_CAP, -Math.log10(Math.max(q, 1e-300))) });
  });

  const byService = new Map<string, RcaSignal[]>();
  for (const s of signals) {
    const list = byService.get(s.service) ?? [];
    list.push(s);
    byService.set(s.service, list);
  }
  const families = new Map<string, Map<string, number>>();
  for (const [service, list] of byService) {
    const f = new Map<string, number>();
    for (const s of list) {
      const fam = FAMILY[s.kind];
      if (fam === null) continue;
      f.set(fam, Math.max(f.get(fam) ?? 0, s.weight));
    }
    families.set(service, f);
  }
  const own = (s: string) => [...(families.get(s)?.values() ?? [])].reduce((a, b) => a + b, 0);

  const EDGE_KINDS = new Set<SignalKind>(['edge-latency', 'edge-errors', 'edge-fanout']);
  const serverFamilies = new Map<string, Set<string>>();
  for (const [service, list] of byService) {
    serverFamilies.set(
      service,
      new Set(
        list.filter((x) => !EDGE_KINDS.has(x.kind) && FAMILY[x.kind] !== null).map((x) => FAMILY[x.kind] as string),
      ),
    );
  }
  // Symptom walk (see EXPLAINS).
  const callees = calleesOf(input.edges);
  const unbaselined = tests.unbaselined;
  const symptomOf = new Map<string, string[]>();
  for (const [service, fams] of families) {
    if (own(service) === 0) continue;
    const culprits: string[] = [];
    for (const c of callees.get(service) ?? []) {
      if (c === service || own(c) === 0) continue;
      // The path must carry the anomaly: the caller sees the callee change on their edge (or,
      // with no baseline for either, sees the failing callee's errors on it).
      const link = `${service}→${c}`;
      const changed = (byService.get(c) ?? []).some(
        (s) => (s.kind === 'edge-latency' || s.kind === 'edge-errors') && s.key === link,
      );
      if (!changed && !(unbaselined.has(link) && serverFamilies.get(c)?.has('errors'))) continue;
      // Only the callee's own signals explain: an edge's errors or slowness as the caller sees
      // them may be the caller's doing (a timeout it tightened), not the callee's.
      const explained = new Set<string>();
      for (const fam of serverFamilies.get(c) ?? []) for (const e of EXPLAINS[fam] ?? []) explained.add(e);
      const mine = [...fams.keys()];
      if (mine.length > 0 && mine.every((f) => explained.has(f))) culprits.push(c);
    }
    if (culprits.length > 0) symptomOf.set(service, culprits);
  }
  // The other way: a callee whose anomaly extra load can cause, while a caller's calls to it
  // per request rose (fan-out), is a symptom of that caller.
  for (const [service, fams] of families) {
    if (own(service) === 0 || symptomOf.has(service)) continue;
    const drivers = [...byService.entries()]
      .filter(
        ([caller, list]) =>
          caller !== service && list.some((x) => x.kind === 'edge-fanout' && x.key === `${caller}→${service}`),
      )
      .map(([caller]) => caller);
    const mine = [...fams.keys()];
    if (drivers.length > 0 && mine.length > 0 && mine.every((f) => LOAD_EXPLAINS.includes(f)))
      symptomOf.set(service, drivers);
  }

  const ranked: RankedService[] = [];
  for (const [service, list] of byService) {
    const ownScore = own(service);
    if (ownScore === 0) continue;
    const culprits = symptomOf.get(service) ?? [];
    const score = culprits.length > 0 ? ownScore * discount : ownScore;
    list.sort((a, b) => b.weight - a.weight);
    const top = list.filter((s) => FAMILY[s.kind] !== null).slice(0, 3);
    const hint =
      `${top.map((s) => `${s.kind} ${s.key} ${fmt(s.baseline)}→${fmt(s.incident)} ${s.unit} (q=${s.q.toExponential(1)})`).join('; ')}` +
      (culprits.length > 0
        ? `; explained by ${culprits.map((c) => (callees.get(service)?.has(c) ? `anomalous callee ${c}` : `more calls from ${c}`)).join(', ')}`
        : '');
    ranked.push({
      service,
      score,
      ownScore,
      confidence: 0,
      symptomOf: culprits,
      hint,
      signals: list.slice(0, maxSignals),
    });
  }
  ranked.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  if (options.weakCandidates) {
    // After the significant services: the others, by their strongest scored test's p.
    const seen = new Set(ranked.map((r) => r.service));
    const best = new Map<string, Draft & { q: number }>();
    all.forEach((d, j) => {
      if (seen.has(d.service) || FAMILY[d.kind] === null) return;
      const prev = best.get(d.service);
      if (prev === undefined || d.p < prev.p) best.set(d.service, { ...d, q: qs[j] as number });
    });
    const weak = [...best.values()].sort((a, b) => a.p - b.p || a.service.localeCompare(b.service));
    for (const d of weak) {
      ranked.push({
        service: d.service,
        score: 0,
        ownScore: 0,
        confidence: 0,
        symptomOf: [],
        hint: `not significant; strongest: ${d.kind} ${d.key} (p=${d.p.toExponential(1)}, q=${d.q.toExponential(1)})`,
        // Its strongest test, as evidence of what was looked at; weight 0: it adds nothing.
        signals: [{ ...signal(d), q: d.q, weight: 0 }],
      });
    }
  }
  const total = ranked.reduce((s, r) => s + r.score, 0);
  for (const r of ranked) r.confidence = total > 0 ? r.score / total : 0;
  return {
    algorithm: RCA_ALGORITHM,
    baseline: input.baseline,
    incident: input.incident,
    services: ranked,
    tests: all.length,
    significant: signals.length,
  };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : x.toPrecision(3);
}
