// Who is hurt, and how much it matters: what to read for each candidate's impact, the latency
// a request must exceed to count as hurt, and the impact findings with the priority of the first
// service that has a count.
import type { Evidence, PriorityScore } from '../../model/index.js';
import { DDSketch } from '../sketch/index.js';
// series.js, not the triage index: triage's types import this folder's index.
import { growthOf } from '../triage/series.js';
import type { RankedService, RcaSignal, RedRow, TimeWindow } from '../rca/index.js';
import type { EntryFailures, ServiceImpactFacts } from './facts.js';
import { type FindingList, priorityScore } from './findings.js';

/** The impact step follows at most this many failed traces of a service to where they entered. */
export const ENTRY_TRACES = 5000;
/** A request slower than this quantile of the baseline (its typical request) counts as hurt by a latency regression. */
export const SLOW_QUANTILE = 0.5;
const NO_ENTRY: EntryFailures = {
  traces: 0,
  failed: 0,
  users: 0,
  accounts: 0,
  withUser: 0,
  entries: [],
  capped: false,
};

export interface ImpactOptions {
  slowQuantile?: number;
  entryTraces?: number;
  /** Fewer baseline requests than this give no latency threshold. */
  minBaselineRequests?: number;
}

/**
 * What a service's ranked signals ask the impact step to read: the strongest changed pattern
 * (its key), and the strongest latency or error-rate regression with its endpoint (null for
 * the whole service or an edge).
 */
export function impactReads(
  service: string,
  ranked: readonly RankedService[],
): { patternKey: string | null; regression: { signal: RcaSignal; endpoint: string | null } | null } {
  const signals = ranked.find((r) => r.service === service)?.signals ?? [];
  const pattern = signals.find(
    (x) => (x.kind === 'new-error-pattern' || x.kind === 'error-pattern' || x.kind === 'pattern') && x.statistic > 0,
  );
  const regression = signals.find(
    (x) =>
      (x.kind === 'latency' || x.kind === 'error-rate' || x.kind === 'edge-latency' || x.kind === 'edge-fanout') &&
      x.statistic > 0,
  );
  const endpoint =
    regression && (regression.kind === 'latency' || regression.kind === 'error-rate') && regression.key !== '*'
      ? regression.key
      : null;
  return { patternKey: pattern?.key ?? null, regression: regression ? { signal: regression, endpoint } : null };
}

/** A pattern whose lines count as hurting someone: WARN and worse. */
export function countsPattern(p: { level: string | null } | null): boolean {
  return !!p?.level && /^(warn|error|fatal|critical|severe)/i.test(p.level);
}

/** Whether a service's facts give it an impact count (the first such service sets the priority). */
export function countsImpact(f: Pick<ServiceImpactFacts, 'topGroup' | 'pattern' | 'regression' | 'active'>): boolean {
  return f.topGroup !== null || countsPattern(f.pattern) || (f.regression !== null && f.active !== null);
}

/**
 * The `slowQuantile` quantile (ms) of a service's request latency (one endpoint, or all) over
 * the baseline's RED minutes; null with fewer than `minBaselineRequests` requests there.
 */
export function slowThreshold(
  red: readonly RedRow[],
  baseline: TimeWindow,
  where: { service: string; endpoint: string | null },
  opts: ImpactOptions = {},
): number | null {
  const all = new DDSketch();
  for (const r of red) {
    if (
      r.service !== where.service ||
      (where.endpoint !== null && r.endpoint !== where.endpoint) ||
      r.minuteMs < baseline.startMs ||
      r.minuteMs >= baseline.endMs
    )
      continue;
    all.merge(r.latency);
  }
  return all.count >= (opts.minBaselineRequests ?? 20) ? all.quantile(opts.slowQuantile ?? SLOW_QUANTILE) : null;
}

/** The latency past which a request counts as hurt by a regression: every failed one for an error-rate regression. */
export function hurtThreshold(
  regression: { signal: RcaSignal; endpoint: string | null },
  red: readonly RedRow[],
  baseline: TimeWindow,
  where: { service: string },
  opts: ImpactOptions = {},
): number | null {
  return regression.signal.kind === 'error-rate'
    ? Number.POSITIVE_INFINITY
    : slowThreshold(red, baseline, { service: where.service, endpoint: regression.endpoint }, opts);
}

/**
 * The impact findings, per service in order: with an error group, the users whose requests
 * failed where they entered, in the traces where the service failed (when followed; else the
 * group's users and accounts); with no error group, of its strongest changed WARN/ERROR pattern;
 * else, for a latency or error-rate regression, the users whose requests failed or were slow
 * (everyone who used the service when the spans carry no user ids, said so). The first service
 * with a count sets the priority; with none, a gap names the services left uncounted.
 */
export function impactFindings(
  list: FindingList,
  facts: readonly ServiceImpactFacts[],
  ctx: { tickets: number; since: string },
  opts: ImpactOptions = {},
): { priority: PriorityScore | null; gaps: string[] } {
  const entryTraces = opts.entryTraces ?? ENTRY_TRACES;
  const slowQuantile = opts.slowQuantile ?? SLOW_QUANTILE;
  const { tickets, since } = ctx;
  let priority: PriorityScore | null = null;
  const ticketNote = tickets ? `; ${tickets} ticket${tickets > 1 ? 's' : ''}` : '';
  const unclear: string[] = [];
  for (const f of facts) {
    const { service, active } = f;
    const shareOf = (users: number | null) =>
      users !== null && active?.users
        ? ` (${Math.round((100 * users) / active.users)}% of ${active.users} active)`
        : '';
    const add = (x: {
      users: number | null;
      accounts: number | null;
      series: number[];
      severity: number;
      what: string;
      hint: string;
      evidence: Evidence;
    }) => {
      const growth = growthOf(x.series);
      priority ??= priorityScore({
        users: x.users,
        accounts: x.accounts,
        activeUsers: active?.users ?? null,
        tickets,
        growth,
        severity: x.severity,
      });
      list.add({
        kind: 'impact',
        title: `${x.users ?? 0} users and ${x.accounts ?? 0} accounts ${x.what} in ${service}`,
        confidence: x.users === null ? 0.3 : x.severity === 1 ? 0.9 : 0.7,
        hint: `${x.hint}${shareOf(x.users)}${ticketNote}`,
        evidence: [x.evidence],
        data: {
          service,
          users: x.users,
          accounts: x.accounts,
          activeUsers: active?.users ?? null,
          growth,
          series: x.series,
          tickets,
          severity: x.severity,
        },
      });
    };

    const top = f.topGroup;
    if (top) {
      // Who felt it: the users whose request failed where it entered, in the traces where this
      // service failed (a failure a caller retried hurt nobody); the error group's sketch, of
      // everyone whose request touched the error, when the traces cannot say.
      const entry = f.entry ?? NO_ENTRY;
      const atEntry = entry.failed > 0 && entry.withUser > 0 && !entry.capped;
      const sketch = `${top.users ?? 0} users and ${top.accounts ?? 0} accounts hit it (the error group's per-minute HyperLogLog sketches, ≈1% error)`;
      add({
        users: atEntry ? entry.users : top.users,
        accounts: atEntry ? entry.accounts : top.accounts,
        series: top.series,
        severity: 1,
        what: atEntry ? `had requests fail with ${top.type ?? 'an error'}` : `hit ${top.type ?? 'errors'}`,
        hint: atEntry
          ? `distinct users whose request failed at its entry (${entry.entries.join(', ')}) in the ${entry.traces} traces where ${service} failed, from the raw spans: ${entry.failed} failed requests; ${sketch}; trend ${top.trend}`
          : `distinct ids merged from the error group's per-minute HyperLogLog sketches (≈1% error)${entry.capped ? `; more than ${entryTraces} failed traces, too many to follow to their entry` : ''}; trend ${top.trend}`,
        evidence: {
          kind: 'error_group',
          summary: `${top.type ?? 'error'}: ${top.message ?? ''} — ${top.count} events since ${since}, first in ${top.firstRelease ?? 'an unknown version'}`,
          ref: top.fingerprint,
          query: `/api/errors/${top.fingerprint}?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    const p = f.pattern;
    if (p && countsPattern(p)) {
      add({
        users: p.users,
        accounts: p.accounts,
        series: p.series,
        severity: /^warn/i.test(p.level!) ? 0.4 : 1,
        what: `logged "${p.template.slice(0, 80)}"`,
        hint: `distinct ids merged from the ${p.level} pattern's per-minute HyperLogLog sketches (≈1% error); trend ${p.trend}`,
        evidence: {
          kind: 'log_pattern',
          summary: `${p.template} — ${p.count} lines since ${since}`,
          ref: p.key,
          query: `/api/patterns/${encodeURIComponent(p.key)}?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    if (f.regression && active) {
      // Who felt it: the users whose requests failed or were slower than the baseline's
      // typical request (for the regressed endpoint, else the whole service); everyone who used
      // the service only when the requests carry no user ids to count.
      const { signal: regression, endpoint, thresholdMs: threshold, hurt: felt } = f.regression;
      const where = endpoint ?? 'its requests';
      const slower =
        threshold !== null && Number.isFinite(threshold)
          ? ` or took longer than ${Math.round(threshold)} ms (the baseline's p${Math.round(slowQuantile * 100)})`
          : '';
      const counted = felt !== null && felt.withUser > 0;
      add({
        users: counted ? felt.users : active.users,
        accounts: counted ? felt.accounts : active.accounts,
        series: active.series,
        severity: regression.kind === 'error-rate' ? 1 : 0.6,
        what: counted
          ? `had ${where} fail${slower ? ' or slow down' : ''} while its ${regression.kind} regressed`
          : `used it while its ${regression.kind} regressed (${regression.label ?? regression.key})`,
        hint: counted
          ? `distinct users whose requests to ${service} (${where}) in the window failed${slower}: ${felt.hurt} of ${felt.requests} requests, from the raw spans`
          : `everyone who used ${service} in the window (its users' HyperLogLog sketches), an upper bound on who felt the ${regression.kind} regression`,
        evidence: {
          kind: 'endpoint',
          summary: `${service} ${regression.kind} ${regression.label ?? regression.key}: ${regression.baseline.toPrecision(3)} → ${regression.incident.toPrecision(3)} ${regression.unit}; ${active.requests} requests since ${since}`,
          ref: regression.key,
          query: `/api/services?service=${encodeURIComponent(service)}&since=${encodeURIComponent(since)}`,
        },
      });
      continue;
    }
    unclear.push(service);
  }
  const gaps =
    !priority && unclear.length
      ? [
          `no error group, WARN/ERROR pattern or regression with users in ${unclear.join(', ')}, so impact is not counted`,
        ]
      : [];
  return { priority, gaps };
}
