// Root-cause ranking (rca@1): test every service's signals between a baseline and an
// incident window, keep what survives a false-discovery-rate correction, score each service
// from its own evidence, then walk the service graph so that an anomaly explained by an
// anomalous callee is attributed downstream (the caller is marked a symptom and discounted).
//
// Tests (named in each signal's `test`):
//  - latency, per service and endpoint, and per caller→callee edge: Mann–Whitney U on the
//    latency sketches' bins (two-sided, tie-corrected normal approximation), kept only when
//    the effect P(incident > baseline) differs from ½ by at least `minEffect`;
//  - error rate (requests or edge calls): Fisher's exact test, one-sided up;
//  - traffic (requests per minute): conditional binomial test of two Poisson rates, two-sided
//    (reported as context, never scored: traffic moves because of callers);
//  - log pattern share of the service's lines: Fisher's exact test, two-sided;
//  - error groups per minute: conditional binomial test of two Poisson rates, one-sided up;
//  - resource gauges: robust z on log(1 + value) (median shift over the baseline MAD), two-sided.
// All p-values of a run are adjusted together (Benjamini–Hochberg).
//
// Known-good reference windows (`input.reference`, e.g. the same hour last week) are counted
// with the baseline for log patterns and error groups only; requests, latency and edges follow
// load and are compared with the recent baseline alone. A WARN/ERROR pattern seen in neither is
// new ('new-error-pattern'): it scores in a family of its own, its weight multiplied (newPatternWeight).
import { DDSketch } from '../sketch/index.js';
import { benjaminiHochberg, fisherTest, mannWhitneyBinned, poissonRateTest, gaugeShift, type TestResult } from './stats.js';
import type { EdgeRow, RankedService, RcaInput, RcaOptions, RcaResult, RcaSignal, SignalKind, TimeWindow } from './types.js';

export const RCA_ALGORITHM = 'rca@1';

export const TESTS: Record<SignalKind, string> = {
  latency: 'Mann–Whitney U on latency sketch bins, two-sided',
  'edge-latency': 'Mann–Whitney U on latency sketch bins, two-sided',
  'error-rate': "Fisher's exact, one-sided (increase)",
  'edge-errors': "Fisher's exact, one-sided (increase)",
  traffic: 'conditional binomial test of Poisson rates, two-sided',
  pattern: "Fisher's exact on the pattern's share of the service's lines, two-sided",
  'error-pattern': "Fisher's exact on the pattern's share of the service's lines, two-sided",
  'new-error-pattern': "Fisher's exact on the pattern's share of the service's lines, two-sided (absent from baseline and reference)",
  'error-group': 'conditional binomial test of Poisson rates, one-sided (increase)',
  metric: 'robust z (median shift / baseline MAD) on log(1 + value), two-sided',
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
  traffic: null,
};

const WEIGHT_CAP = 20;
const MIN_LATENCY_SAMPLES = 5;
/** Vargha–Delaney "small" effect: |P(incident > baseline) − ½| ≥ 0.06. */
const DEFAULT_MIN_EFFECT = 0.06;
const WARN_LEVELS = new Set(['WARN', 'ERROR', 'FATAL']);

interface Draft extends Omit<RcaSignal, 'q' | 'weight'> {}

function inWindow(ms: number, w: TimeWindow): boolean {
  return ms >= w.startMs && ms < w.endMs;
}

function minutes(w: TimeWindow): number {
  return Math.max(1, (w.endMs - w.startMs) / 60_000);
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
}

const newRed = (): Red => ({ requests: 0, errors: 0, latency: new DDSketch() });

function sideOf(ms: number, input: RcaInput, withReference = true): 'base' | 'inc' | null {
  if (inWindow(ms, input.incident)) return 'inc';
  if (inWindow(ms, input.baseline)) return 'base';
  return withReference && (input.reference ?? []).some((w) => inWindow(ms, w)) ? 'base' : null;
}

/** Minutes of the baseline, its known-good reference windows included (not overlapping the incident). */
function baselineMinutes(input: RcaInput): number {
  let n = minutes(input.baseline);
  for (const w of input.reference ?? []) {
    const overlap = Math.max(0, Math.min(w.endMs, input.incident.endMs) - Math.max(w.startMs, input.incident.startMs));
    const inBase = Math.max(0, Math.min(w.endMs, input.baseline.endMs) - Math.max(w.startMs, input.baseline.startMs));
    n += Math.max(0, w.endMs - w.startMs - overlap - inBase) / 60_000;
  }
  return n;
}

function latencyBins(s: DDSketch): Array<[number, number]> {
  const bins = s.bins();
  if (s.zeros > 0) bins.unshift([Number.NEGATIVE_INFINITY, s.zeros]);
  return bins;
}

function latencyDraft(kind: SignalKind, service: string, key: string, b: DDSketch, i: DDSketch, minEffect: number): Draft | null {
  if (b.count < MIN_LATENCY_SAMPLES || i.count < MIN_LATENCY_SAMPLES) return null;
  const t = mannWhitneyBinned(latencyBins(b), latencyBins(i));
  if (Math.abs(t.effect - 0.5) < minEffect) return null;
  return { kind, service, key, baseline: b.quantile(0.5), incident: i.quantile(0.5), unit: 'p50 ms', test: TESTS[kind], statistic: t.statistic, p: t.p };
}

/** Every tested change, before the FDR correction. */
function drafts(input: RcaInput, minEffect: number): Draft[] {
  const out: Draft[] = [];
  // Requests, latency and edges are compared with the recent baseline only: they follow load,
  // which a reference from another time does not share. Log patterns and error groups (what the
  // code says, as a share of its lines) also count the known-good reference.
  const bMin = baselineMinutes(input);
  const rMin = minutes(input.baseline);
  const iMin = minutes(input.incident);

  // RED per service (all endpoints) and per endpoint.
  const svc = new Pair<Red>(newRed);
  const ep = new Pair<Red>(newRed);
  for (const r of input.red) {
    const side = sideOf(r.minuteMs, input, false);
    if (side === null) continue;
    for (const acc of [svc.at(side, r.service), ep.at(side, `${r.service}\u0000${r.endpoint}`)]) {
      acc.requests += r.requests;
      acc.errors += r.errors;
      acc.latency.merge(r.latency);
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
      const lat = latencyDraft('latency', service, endpoint, b.latency, i.latency, minEffect);
      if (lat) out.push(lat);
      if (i.errors > 0) {
        const t = fisherTest(b.errors, b.requests, i.errors, i.requests);
        if (t.statistic > 0) {
          out.push({ kind: 'error-rate', service, key: endpoint, baseline: b.errors / Math.max(1, b.requests), incident: i.errors / Math.max(1, i.requests), unit: 'error share', test: TESTS['error-rate'], ...t });
        }
      }
      if (!perEndpoint) {
        const t = twoSided(poissonRateTest(b.requests, rMin, i.requests, iMin));
        out.push({ kind: 'traffic', service, key: '*', baseline: b.requests / rMin, incident: i.requests / iMin, unit: 'requests per minute', test: TESTS.traffic, ...t });
      }
    }
  }

  // Log patterns: each pattern's share of its service's lines.
  const lines = new Pair<{ n: number }>(() => ({ n: 0 }));
  const pat = new Pair<{ n: number; level: string; label?: string }>(() => ({ n: 0, level: '' }));
  for (const r of input.patterns) {
    const side = sideOf(r.minuteMs, input);
    if (side === null) continue;
    lines.at(side, r.service).n += r.count;
    const p = pat.at(side, `${r.service}\u0000${r.key}`);
    p.n += r.count;
    if (WARN_LEVELS.has(r.level)) p.level = r.level;
    else if (p.level === '') p.level = r.level;
    if (r.label !== undefined) p.label = r.label;
  }
  for (const k of pat.keys()) {
    const [service, key] = k.split('\u0000') as [string, string];
    const b = pat.base.get(k);
    const i = pat.inc.get(k);
    const nb = lines.base.get(service)?.n ?? 0;
    const ni = lines.inc.get(service)?.n ?? 0;
    // No lines at all on one side is a traffic change, not a change in what the code logs.
    if (nb === 0 || ni === 0) continue;
    const t = twoSided(fisherTest(b?.n ?? 0, nb, i?.n ?? 0, ni));
    const level = WARN_LEVELS.has(i?.level ?? '') || WARN_LEVELS.has(b?.level ?? '') ? 'warn' : 'info';
    // A WARN/ERROR statement never logged in the baseline (nor the reference) is new.
    const isNew = level === 'warn' && (b?.n ?? 0) === 0 && (i?.n ?? 0) > 0;
    const kind: SignalKind = isNew ? 'new-error-pattern' : level === 'warn' ? 'error-pattern' : 'pattern';
    const label = i?.label ?? b?.label;
    out.push({ kind, service, key, ...(label !== undefined ? { label } : {}), baseline: (b?.n ?? 0) / nb, incident: (i?.n ?? 0) / ni, unit: 'share of lines', test: TESTS[kind], ...t });
  }

  // Error groups per minute.
  const grp = new Pair<{ n: number; label?: string }>(() => ({ n: 0 }));
  for (const r of input.errorGroups) {
    const side = sideOf(r.minuteMs, input);
    if (side === null) continue;
    const g = grp.at(side, `${r.service}\u0000${r.key}`);
    g.n += r.count;
    if (r.label !== undefined) g.label = r.label;
  }
  for (const k of grp.keys()) {
    const [service, key] = k.split('\u0000') as [string, string];
    const b = grp.base.get(k)?.n ?? 0;
    const i = grp.inc.get(k)?.n ?? 0;
    const t = poissonRateTest(b, bMin, i, iMin);
    if (t.statistic <= 0) continue;
    const label = grp.inc.get(k)?.label ?? grp.base.get(k)?.label;
    out.push({ kind: 'error-group', service, key, ...(label !== undefined ? { label } : {}), baseline: b / bMin, incident: i / iMin, unit: 'per minute', test: TESTS['error-group'], ...t });
  }

  // Edges: latency and errors of the callee as its callers see them.
  const edge = new Pair<Red>(newRed);
  for (const r of input.edges) {
    const side = sideOf(r.minuteMs, input, false);
    if (side === null) continue;
    const e = edge.at(side, `${r.caller}\u0000${r.callee}`);
    e.requests += r.calls;
    e.errors += r.errors;
    e.latency.merge(r.latency);
  }
  for (const k of edge.keys()) {
    const [caller, callee] = k.split('\u0000') as [string, string];
    const b = edge.base.get(k) ?? newRed();
    const i = edge.inc.get(k) ?? newRed();
    const key = `${caller}→${callee}`;
    const lat = latencyDraft('edge-latency', callee, key, b.latency, i.latency, minEffect);
    if (lat) out.push(lat);
    if (i.errors > 0) {
      const t = fisherTest(b.errors, b.requests, i.errors, i.requests);
      if (t.statistic > 0) {
        out.push({ kind: 'edge-errors', service: callee, key, baseline: b.errors / Math.max(1, b.requests), incident: i.errors / Math.max(1, i.requests), unit: 'error share', test: TESTS['edge-errors'], ...t });
      }
    }
  }

  // Resource gauges.
  const gauge = new Pair<number[]>(() => []);
  for (const r of input.metrics ?? []) {
    const side = inWindow(r.minuteMs, input.metricBaseline ?? input.baseline) ? 'base' : inWindow(r.minuteMs, input.incident) ? 'inc' : null;
    if (side === null || !Number.isFinite(r.value)) continue;
    gauge.at(side, `${r.service}\u0000${r.name}`).push(r.value);
  }
  for (const k of gauge.keys()) {
    const [service, name] = k.split('\u0000') as [string, string];
    const b = gauge.base.get(k) ?? [];
    const i = gauge.inc.get(k) ?? [];
    const t = gaugeShift(b, i);
    if (t.p >= 1) continue;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    out.push({ kind: 'metric', service, key: name, baseline: mean(b), incident: mean(i), unit: 'mean', test: TESTS.metric, ...t });
  }
  return out;
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
  latency: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs'],
  errors: ['errors', 'warn-logs', 'new-warn-logs', 'logs', 'latency'],
  'warn-logs': ['errors', 'warn-logs', 'logs'],
  'new-warn-logs': ['errors', 'warn-logs', 'logs'],
  logs: ['logs', 'warn-logs'],
  resource: ['latency', 'errors', 'warn-logs', 'new-warn-logs', 'logs'],
};

export function rankRootCauses(input: RcaInput, options: RcaOptions & { minEffect?: number } = {}): RcaResult {
  const fdr = options.fdr ?? 0.01;
  const discount = options.symptomDiscount ?? 0.25;
  const maxSignals = options.maxSignals ?? 8;
  const all = drafts(input, options.minEffect ?? DEFAULT_MIN_EFFECT);
  const newWeight = options.newPatternWeight ?? 2;
  const qs = benjaminiHochberg(all.map((d) => d.p));
  const signals: RcaSignal[] = [];
  all.forEach((d, j) => {
    const q = qs[j] as number;
    const mult = d.kind === 'new-error-pattern' ? newWeight : 1;
    if (q < fdr) signals.push({ ...d, q, weight: mult * Math.min(WEIGHT_CAP, -Math.log10(Math.max(q, 1e-300))) });
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

  // Symptom walk (see EXPLAINS).
  const callees = calleesOf(input.edges);
  const symptomOf = new Map<string, string[]>();
  for (const [service, fams] of families) {
    if (own(service) === 0) continue;
    const culprits: string[] = [];
    for (const c of callees.get(service) ?? []) {
      if (c === service || own(c) === 0) continue;
      // The path must carry the anomaly: the caller sees the callee change on their edge.
      const link = `${service}→${c}`;
      if (!(byService.get(c) ?? []).some((s) => (s.kind === 'edge-latency' || s.kind === 'edge-errors') && s.key === link)) continue;
      const explained = new Set<string>();
      for (const fam of families.get(c)?.keys() ?? []) for (const e of EXPLAINS[fam] ?? []) explained.add(e);
      const mine = [...fams.keys()];
      if (mine.length > 0 && mine.every((f) => explained.has(f))) culprits.push(c);
    }
    if (culprits.length > 0) symptomOf.set(service, culprits);
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
      (culprits.length > 0 ? `; explained by anomalous callee ${culprits.join(', ')}` : '');
    ranked.push({ service, score, ownScore, confidence: 0, symptomOf: culprits, hint, signals: list.slice(0, maxSignals) });
  }
  ranked.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  if (options.weakCandidates) {
    // After the significant services: the others, by their strongest scored test's q.
    const seen = new Set(ranked.map((r) => r.service));
    const best = new Map<string, Draft & { q: number }>();
    all.forEach((d, j) => {
      if (seen.has(d.service) || FAMILY[d.kind] === null) return;
      const prev = best.get(d.service);
      const q = qs[j] as number;
      if (prev === undefined || q < prev.q) best.set(d.service, { ...d, q });
    });
    const weak = [...best.values()].sort((a, b) => a.q - b.q || a.service.localeCompare(b.service));
    for (const d of weak) {
      ranked.push({ service: d.service, score: 0, ownScore: 0, confidence: 0, symptomOf: [], hint: `not significant; strongest: ${d.kind} ${d.key} (q=${d.q.toExponential(1)})`, signals: [] });
    }
  }
  const total = ranked.reduce((s, r) => s + r.score, 0);
  for (const r of ranked) r.confidence = total > 0 ? r.score / total : 0;
  return { algorithm: RCA_ALGORITHM, baseline: input.baseline, incident: input.incident, services: ranked, tests: all.length, significant: signals.length };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : x.toPrecision(3);
}
