// Root-cause ranking (rca@4): test every service's signals between a baseline and an
// incident window (tests/: one file per family of signals, run in a fixed order), keep what
// survives a false-discovery-rate correction (fdr.ts), score each service from its own
// evidence, then walk the service graph so that an anomaly explained by an anomalous callee is
// attributed downstream (the caller is marked a symptom and discounted; families.ts has the rules).
//
// Known-good reference windows (`input.reference`, e.g. the same hour last week or a period
// marked healthy): log patterns, log flow and error groups are tested against them as well as against the
// recent baseline, each a test of its own, so a fault that had begun before the baseline (or
// came and went in it) still stands out against a healthy period. Requests, latency and edges
// follow load and are compared with the recent baseline alone. A WARN/ERROR pattern absent from
// the side it is compared with is new ('new-error-pattern'): it scores in a family of its own,
// its weight multiplied (newPatternWeight).
import { calleesOf } from '../service-graph.js';
import { attributeEdgeTimes } from './attribution.js';
import { EDGE_KINDS, EXPLAINS, FAMILY, FAMILY_WORDS, LOAD_EXPLAINS } from './families.js';
import { qValues } from './fdr.js';
import { type Recovery, activeNow, latestParts, recoveries } from './ended.js';
import { type Draft, type RcaTests, signal, testSignals } from './tests/index.js';
import type { RankedService, RcaInput, RcaOptions, RcaResult, RcaSignal } from './types.js';

export const RCA_ALGORITHM = 'rca@5';

/** The most a single signal adds to its service's score (−log10 q is capped here). */
const WEIGHT_CAP = 20;

export function rankRootCauses(input: RcaInput, options: RcaOptions & { minEffect?: number } = {}): RcaResult {
  return rankTested(testSignals(input, options), options);
}

/**
 * Ranks the services by the tests' FDR-corrected evidence, symptoms discounted (rankRootCauses'
 * second half). Unless `endedLast` is false, a service whose anomaly ended in the window's latest
 * part (ended.ts) ranks after the roots whose anomaly did not end and after the roots of the
 * latest part's own ranking (what is significant now); each keeps its order otherwise.
 */
export function rankTested(tests: RcaTests, options: RcaOptions = {}): RcaResult {
  const whole = rankWindow(tests, options);
  return options.endedLast === false ? whole : endedLast(whole, tests, options);
}

/** The ranking with the services whose anomaly ended after those whose did not (see ended.ts). */
function endedLast(whole: RcaResult, tests: RcaTests, options: RcaOptions): RcaResult {
  const fdr = options.fdr ?? 0.01;
  const isRoot = (s: RankedService) => s.score > 0 && s.symptomOf.length === 0;
  if (!whole.services.some(isRoot)) return whole;
  const parts = latestParts(tests.input);
  if (parts === null) return whole;
  const recovered = recoveries(whole.services, testSignals(parts.reversed, { minEffect: tests.minEffect }), fdr);
  if (recovered.size === 0) return whole;
  const latest = testSignals(parts.latest, { minEffect: tests.minEffect });
  const active = activeNow(latest, fdr);
  const now = rankWindow(latest, { ...options, weakCandidates: false }).services.filter(isRoot);
  const nowSet = new Set(now.map((s) => s.service));
  const ended = whole.services.filter(
    (s) => recovered.has(s.service) && !active.has(s.service) && !nowSet.has(s.service),
  );
  if (ended.length === 0) return whole;
  const endedSet = new Set(ended.map((s) => s.service));
  const head = whole.services.filter((s) => s.score > 0 && !endedSet.has(s.service));
  const listed = new Set(head.map((s) => s.service));
  const span = `the last ${parts.minutes} min against the baseline`;
  const extra = now
    .filter((s) => !listed.has(s.service))
    .map((s) => ({ ...s, hint: `significant now (${span}); ${s.hint}` }));
  if (!head.some(isRoot) && extra.length === 0) return whole;
  for (const s of ended) {
    const r = recovered.get(s.service) as Recovery;
    const x = r.signal;
    s.hint = `anomaly ended: ${x.kind} ${x.key} back to ${fmt(r.latest)} ${x.unit} in the last ${parts.minutes} min (${fmt(r.earlier)} before, q=${r.q.toExponential(1)}); ${s.hint}`;
  }
  const moved = new Set([...listed, ...extra.map((s) => s.service), ...endedSet]);
  const tail = whole.services.filter((s) => !moved.has(s.service));
  return { ...whole, services: [...head, ...extra, ...ended, ...tail] };
}

/** rankTested over the tests' own windows. */
function rankWindow(tests: RcaTests, options: RcaOptions): RcaResult {
  const input = tests.input;
  const fdr = options.fdr ?? 0.01;
  const all = tests.drafts;
  const qs = qValues(all, fdr);
  const signals = attributeEdgeTimes(
    significantSignals(all, qs, { fdr, newPatternWeight: options.newPatternWeight ?? 2 }),
    incidentEdges(input),
  );
  const evidence = familyScores(signals);
  const callees = calleesOf(input.edges);
  const symptomOf = symptomWalk(evidence, callees, tests.unbaselined);
  const ranked = rankServices(evidence, symptomOf, callees, {
    discount: options.symptomDiscount ?? 0.25,
    maxSignals: options.maxSignals ?? 8,
  });
  if (options.weakCandidates) ranked.push(...weakCandidates(all, qs, ranked));
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

/** The drafts whose q is below the FDR, in draft order, each weighted −log10 q (capped; a new WARN/ERROR pattern's multiplied). */
function significantSignals(
  all: readonly Draft[],
  qs: readonly number[],
  opts: { fdr: number; newPatternWeight: number },
): RcaSignal[] {
  const signals: RcaSignal[] = [];
  all.forEach((d, j) => {
    const q = qs[j] as number;
    const mult = d.kind === 'new-error-pattern' ? opts.newPatternWeight : 1;
    if (q < opts.fdr)
      signals.push({ ...signal(d), q, weight: mult * Math.min(WEIGHT_CAP, -Math.log10(Math.max(q, 1e-300))) });
  });
  return signals;
}

/** The call edges ("caller→callee") the incident window's span trees had. */
function incidentEdges(input: RcaInput): Set<string> {
  const out = new Set<string>();
  for (const r of input.edgeTimes ?? [])
    if (r.minuteMs >= input.incident.startMs && r.minuteMs < input.incident.endMs) out.add(`${r.caller}→${r.callee}`);
  return out;
}

/** Signals that show a call edge changed: its latency or errors as the caller saw them, its own time, its unanswered calls. */
const LINK_KINDS: ReadonlySet<string> = new Set(['edge-latency', 'edge-errors', 'edge-time', 'edge-unanswered']);

/** The significant evidence per service, in the order services first have a signal. */
interface Evidence {
  /** Each service's significant signals. */
  byService: Map<string, RcaSignal[]>;
  /** Each service's best weight per family. */
  families: Map<string, Map<string, number>>;
  /** The families of each service's own signals (its edges as callers see them left out). */
  serverFamilies: Map<string, Set<string>>;
  /** A service's score before any symptom discount: its families' best weights summed. */
  own(service: string): number;
}

function familyScores(signals: readonly RcaSignal[]): Evidence {
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
  const serverFamilies = new Map<string, Set<string>>();
  for (const [service, list] of byService) {
    const own = new Set<string>();
    for (const x of list) {
      const fam = FAMILY[x.kind];
      if (!EDGE_KINDS.has(x.kind) && fam !== null) own.add(fam);
    }
    serverFamilies.set(service, own);
  }
  const own = (s: string) => [...(families.get(s)?.values() ?? [])].reduce((a, b) => a + b, 0);
  return { byService, families, serverFamilies, own };
}

/**
 * Which services are symptoms, and of what (see EXPLAINS): a caller of an anomalous callee
 * whose anomaly explains all of the caller's families, when their edge carries it; then a
 * callee whose anomaly extra load can cause, while a caller's calls to it per request rose
 * (fan-out), is a symptom of that caller.
 */
function symptomWalk(
  evidence: Evidence,
  callees: ReadonlyMap<string, ReadonlySet<string>>,
  unbaselined: ReadonlySet<string>,
): Map<string, string[]> {
  const { byService, families, serverFamilies, own } = evidence;
  const symptomOf = new Map<string, string[]>();
  // Edge own time may be attributed to either end: the link's signals are looked for in every service's.
  const changedLinks = new Set<string>();
  for (const list of byService.values()) for (const s of list) if (LINK_KINDS.has(s.kind)) changedLinks.add(s.key);
  for (const [service, fams] of families) {
    if (own(service) === 0) continue;
    const culprits: string[] = [];
    for (const c of callees.get(service) ?? []) {
      if (c === service || own(c) === 0) continue;
      // The path must carry the anomaly: the caller sees the callee change on their edge (or,
      // with no baseline for either, sees the failing callee's errors on it).
      const link = `${service}→${c}`;
      const changed = changedLinks.has(link);
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
  // The other way: load from a caller whose fan-out to this service rose.
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
  return symptomOf;
}

/**
 * The services with a score, best first (ties by name), a symptom's score discounted; each
 * with its strongest signals (sorted in place) and a hint naming the top three and what
 * explains it.
 */
function rankServices(
  evidence: Evidence,
  symptomOf: ReadonlyMap<string, string[]>,
  callees: ReadonlyMap<string, ReadonlySet<string>>,
  opts: { discount: number; maxSignals: number },
): RankedService[] {
  const ranked: RankedService[] = [];
  for (const [service, list] of evidence.byService) {
    const ownScore = evidence.own(service);
    if (ownScore === 0) continue;
    const culprits = symptomOf.get(service) ?? [];
    const score = culprits.length > 0 ? ownScore * opts.discount : ownScore;
    list.sort((a, b) => b.weight - a.weight);
    const top = list.filter((s) => FAMILY[s.kind] !== null).slice(0, 3);
    const carried = [
      ...new Set(
        [...(evidence.families.get(service) ?? new Map<string, number>())]
          .sort((a, b) => b[1] - a[1])
          .map(([f]) => FAMILY_WORDS[f] ?? f),
      ),
    ];
    const hint =
      `carried by ${carried.join(', ')}: ` +
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
      signals: list.slice(0, opts.maxSignals),
    });
  }
  ranked.sort((a, b) => b.score - a.score || a.service.localeCompare(b.service));
  return ranked;
}

/**
 * After the significant services: the others that were tested, with score 0, by their
 * strongest scored test's p (the first of equal ones in draft order), that test as their one
 * signal (weight 0: it adds nothing; it is evidence of what was looked at).
 */
function weakCandidates(
  all: readonly Draft[],
  qs: readonly number[],
  ranked: readonly RankedService[],
): RankedService[] {
  const seen = new Set(ranked.map((r) => r.service));
  const best = new Map<string, Draft & { q: number }>();
  all.forEach((d, j) => {
    if (seen.has(d.service) || FAMILY[d.kind] === null) return;
    const prev = best.get(d.service);
    if (prev === undefined || d.p < prev.p) best.set(d.service, { ...d, q: qs[j] as number });
  });
  return [...best.values()]
    .sort((a, b) => a.p - b.p || a.service.localeCompare(b.service))
    .map((d) => ({
      service: d.service,
      score: 0,
      ownScore: 0,
      confidence: 0,
      symptomOf: [],
      hint: `not significant; strongest: ${d.kind} ${d.key} (p=${d.p.toExponential(1)}, q=${d.q.toExponential(1)})`,
      signals: [{ ...signal(d), q: d.q, weight: 0 }],
    }));
}

/** Three significant digits, 100 and above and 0 as integers (for hints; investigate's fmt differs on purpose). */
function fmt(x: number): string {
  return Math.abs(x) >= 100 || x === 0 ? x.toFixed(0) : x.toPrecision(3);
}
