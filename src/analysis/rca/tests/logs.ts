// Log tests, against the recent baseline and, as tests of their own, against the known-good
// reference (a fault that began before the baseline still stands out against a healthy period):
//  - log statements (a pattern; the patterns of one call site, when the lines named it, summed
//    as one statement), two-sided for INFO-level ones (a code path skipped or newly taken),
//    one-sided up for WARN/ERROR ones (fewer errors is a recovery, not a fault): one with a co-logged
//    partner (another pattern, or an endpoint's requests, whose baseline per-minute counts follow
//    it closely) is tested as its count per partner count (conditional binomial test of two
//    Poisson rates), which the mix of requests does not move; otherwise as its share of the
//    service's lines (Fisher's exact test). A WARN/ERROR pattern absent from the side it is
//    compared with is new ('new-error-pattern'), scored in a family of its own;
//  - error groups per minute of the service's telemetry: conditional binomial test of two Poisson
//    rates, one-sided up (exposure counts only minutes in which the service reported anything,
//    so a gap in the data is not a zero rate).
import { TupleMap } from '../../tuple-map.js';
import { fisherMinP, fisherTest, poissonMinP, poissonRateTest } from '../stats.js';
import type { PatternRow, RcaInput, SignalKind } from '../types.js';
import {
  type Comparison,
  type Draft,
  Pair,
  type PerMinute,
  type Side,
  addAt,
  VS_REFERENCE,
  observedMinutes,
  sideOf,
  twoSided,
  upsert,
} from './common.js';

export const LOG_TESTS = {
  pattern: "Fisher's exact on the pattern's share of the service's lines, two-sided",
  'error-pattern': "Fisher's exact on the pattern's share of the service's lines, one-sided (increase)",
  'new-error-pattern':
    "Fisher's exact on the pattern's share of the service's lines, one-sided (increase; absent before)",
  'error-group': 'conditional binomial test of Poisson rates per minute of telemetry, one-sided (increase)',
} as const satisfies Partial<Record<SignalKind, string>>;

const WARN_LEVELS = new Set(['WARN', 'ERROR', 'FATAL']);
/** A co-logged partner's baseline per-minute counts correlate with the pattern's at least this much… */
const MIN_PARTNER_R = 0.8;
/** …over at least this many minutes. */
const MIN_PARTNER_MINUTES = 3;
/** The prefix of an endpoint's requests among a service's series (a pattern's partner candidates). */
const REQUESTS = 'requests ';

/** Per-minute series of one side: pattern counts and endpoint requests, by service. */
interface Series {
  /** key → minute → count; patterns by key, endpoints as "requests <endpoint>". */
  byKey: Map<string, PerMinute>;
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
  const sites = new TupleMap<[number, string, string], PatternRow>();
  for (const p of patterns) {
    if (p.site === undefined) {
      out.push(p);
      continue;
    }
    const k: [number, string, string] = [p.minuteMs, p.service, p.site];
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

/** Log patterns, per statement (see statementRows), against one comparison window, appended to `out`. */
export function patternDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  const vs = against === 'reference' ? VS_REFERENCE : '';
  // Each pattern's share of its service's lines, and its count per co-logged partner.
  const lines = new Pair<[string], { n: number }>(() => ({ n: 0 }));
  const pat = new Pair<[string, string], { n: number; level: string; label?: string }>(() => ({ n: 0, level: '' }));
  const count = new Pair<[string, string], { n: number }>(() => ({ n: 0 }));
  const base = new Map<string, Series>();
  const note = (side: Side, service: string, key: string, minuteMs: number, n: number) => {
    count.at(side, [service, key]).n += n;
    if (side !== 'base') return;
    const s = upsert(base, service, (): Series => ({ byKey: new Map(), minutes: new Set() }));
    s.minutes.add(minuteMs);
    addAt(
      upsert(s.byKey, key, (): PerMinute => new Map()),
      minuteMs,
      n,
    );
  };
  for (const r of statementRows(input.patterns)) {
    const side = sideOf(r.minuteMs, input, against);
    if (side === null) continue;
    lines.at(side, [r.service]).n += r.count;
    const p = pat.at(side, [r.service, r.key]);
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
    return series === undefined ? undefined : upsert(centredSeries, service, () => centred(series));
  };
  for (const k of pat.keys()) {
    const [service, key] = k;
    const b = pat.base.get(k);
    const i = pat.inc.get(k);
    const nb = lines.base.get([service])?.n ?? 0;
    const ni = lines.inc.get([service])?.n ?? 0;
    // No lines at all on one side is a traffic change, not a change in what the code logs.
    if (nb === 0 || ni === 0) continue;
    const [xb, xi] = [b?.n ?? 0, i?.n ?? 0];
    const warn = WARN_LEVELS.has(i?.level ?? '') || WARN_LEVELS.has(b?.level ?? '');
    const kind: 'pattern' | 'error-pattern' | 'new-error-pattern' = warn
      ? xb === 0 && xi > 0
        ? 'new-error-pattern'
        : 'error-pattern'
      : 'pattern';
    const label = i?.label ?? b?.label;
    const partner =
      xb > 0 ? partnerOf(centredOf(service), key, (other) => (count.inc.get([service, other])?.n ?? 0) > 0) : null;
    let draft: Draft;
    if (partner !== null) {
      // The pattern's count per partner count: a conditional binomial test of two Poisson rates.
      const pb = count.base.get([service, partner.key])?.n ?? 0;
      const pi = count.inc.get([service, partner.key])?.n ?? 0;
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
        test: LOG_TESTS[kind] + vs,
        ...(warn ? t : twoSided(t)),
        pMin: fisherMinP(xb + xi, nb, ni, warn ? 'greater' : 'two-sided'),
      };
    }
    // Fewer warnings and errors is a recovery, not a fault.
    if (warn && draft.statistic <= 0) continue;
    out.push(draft);
  }
}

/** Error groups per minute of the service's telemetry, against one comparison window, appended to `out`. */
export function errorGroupDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  const vs = against === 'reference' ? VS_REFERENCE : '';
  const seen = observedMinutes(input, against);
  const grp = new Pair<[string, string], { n: number; label?: string }>(() => ({ n: 0 }));
  for (const r of input.errorGroups) {
    const side = sideOf(r.minuteMs, input, against);
    if (side === null) continue;
    const g = grp.at(side, [r.service, r.key]);
    g.n += r.count;
    if (r.label !== undefined) g.label = r.label;
  }
  for (const k of grp.keys()) {
    const [service, key] = k;
    // At least one minute each: a service with no telemetry in the baseline (it started, or the
    // data did) counts as one quiet minute, so a burst of errors still stands out and a few do not.
    const bMin = Math.max(1, seen.base.get([service])?.n ?? 0);
    const iMin = Math.max(1, seen.inc.get([service])?.n ?? 0);
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
      test: LOG_TESTS['error-group'] + vs,
      ...t,
      pMin: poissonMinP(b + i, bMin, iMin, 'greater'),
    });
  }
}

/** Log patterns and error groups against one comparison window, in that order. */
export function logDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  patternDrafts(input, against, out);
  errorGroupDrafts(input, against, out);
}
