// investigate@1 from an alert: the window, the signals tested against a baseline (rca@1),
// the root service told from its symptoms, the deploy before the onset, the impact and the
// priority. Each step reads the store and calls a pure function; the result is stored, and
// a re-run of the same subject records what changed.
//
// Tickets and problems as entry points, related tickets, code localization and suspect
// commits are the next steps of issue 6; they will add findings to the same result.
import {
  FindingList,
  changeFinding,
  diffInvestigations,
  priorityScore,
  rankRootCauses,
  rcaFindings,
} from '../analysis/index.js';
import {
  INVESTIGATE_ALGORITHM,
  type Investigation,
  type InvestigationResult,
  type InvestigationSubject,
  type PriorityScore,
} from '../model/index.js';
import { investigationStore, minuteSignals } from '../store/index.js';
import { listErrorGroups, listServices } from './analysis-read.js';
import type { Context } from './context.js';
import { listDeploys } from './deploys.js';

export class InvestigationInputError extends Error {}

export interface InvestigateOptions {
  now?: Date;
}

const MINUTE = 60_000;
/** The baseline is this many times the incident window, within [30 min, 6 h]. */
const BASELINE_FACTOR = 3;
const BASELINE_MIN_MS = 30 * MINUTE;
const BASELINE_MAX_MS = 6 * 60 * MINUTE;
/** How far before the onset a deploy is still a candidate cause. */
const CHANGE_LOOK_BACK_MS = 6 * 60 * MINUTE;

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

export async function investigate(ctx: Pick<Context, 'store'>, subject: InvestigationSubject, opts: InvestigateOptions = {}): Promise<Investigation> {
  if (subject.kind !== 'alert') {
    throw new InvestigationInputError(`investigating a ${subject.kind} is not supported yet; start from an alert (service and since)`);
  }
  const now = (opts.now ?? new Date()).getTime();
  const sinceMs = Date.parse(subject.since);
  if (!Number.isFinite(sinceMs)) throw new InvestigationInputError(`since "${subject.since}" is not a time`);
  if (sinceMs >= now) throw new InvestigationInputError('since must be in the past');
  const incident = { startMs: floorMinute(sinceMs), endMs: floorMinute(now) + MINUTE };
  const span = incident.endMs - incident.startMs;
  const baselineMs = Math.min(BASELINE_MAX_MS, Math.max(BASELINE_MIN_MS, BASELINE_FACTOR * span));
  const baseline = { startMs: incident.startMs - baselineMs, endMs: incident.startMs };
  const iso = (ms: number) => new Date(ms).toISOString();

  const signals = await minuteSignals(ctx.store.db, new Date(baseline.startMs), new Date(incident.endMs));
  const gaps: string[] = [];
  if (subject.endpoint) gaps.push(`the endpoint ${subject.endpoint} does not narrow the search yet: every endpoint of every service was tested`);
  if (!signals.red.some((r) => r.service === subject.service) && !signals.patterns.some((p) => p.service === subject.service)) {
    gaps.push(`no telemetry from ${subject.service} between ${iso(baseline.startMs)} and ${iso(incident.endMs)}`);
  }
  const rca = rankRootCauses({ baseline, incident, red: signals.red, patterns: signals.patterns, errorGroups: signals.errorGroups, edges: signals.edges });
  const list = new FindingList();
  const roots = rcaFindings(list, rca, iso(incident.startMs));
  if (roots.length === 0) gaps.push(`no signal changed significantly between the baseline and the window (${rca.tests} tests)`);

  // What changed: each candidate's last deploy before the onset.
  const candidates = roots.length ? roots.map((r) => r.service) : [subject.service];
  for (const service of candidates) {
    const deploys = await listDeploys(ctx, { service, since: new Date(incident.startMs - CHANGE_LOOK_BACK_MS), until: new Date(incident.endMs), limit: 50 });
    if (!changeFinding(list, service, deploys, sinceMs, CHANGE_LOOK_BACK_MS)) {
      gaps.push(`no deploy of ${service} in the ${CHANGE_LOOK_BACK_MS / 3_600_000} h before the onset`);
    }
  }

  // Who is hurt: each candidate's top error group in the window; the first sets the priority.
  const window = { since: new Date(incident.startMs), until: new Date(incident.endMs) };
  let priority: PriorityScore | null = null;
  let impacted: string | null = null;
  for (const service of candidates) {
    const top = (await listErrorGroups(ctx, { ...window, service, limit: 5 })).errors[0];
    if (!top) continue;
    impacted ??= service;
    const active = (await listServices(ctx, { ...window, service })).services[0];
    const half = Math.floor(top.series.length / 2);
    const early = top.series.slice(0, half).reduce((a, b) => a + b, 0);
    const late = top.series.slice(half).reduce((a, b) => a + b, 0);
    const growth = early === 0 ? (late > 0 ? 2 : 1) : late / early;
    priority ??= priorityScore({ users: top.users, accounts: top.accounts, activeUsers: active?.users ?? null, tickets: 0, growth, severity: 1 });
    const share = top.users !== null && active?.users ? ` (${Math.round((100 * top.users) / active.users)}% of ${active.users} active)` : '';
    list.add({
      kind: 'impact',
      title: `${top.users ?? 0} users and ${top.accounts ?? 0} accounts hit ${top.type ?? 'errors'} in ${service}`,
      confidence: top.users === null ? 0.3 : 0.9,
      hint: `distinct ids merged from the error group's per-minute HyperLogLog sketches (≈1% error)${share}; trend ${top.trend}`,
      evidence: [
        {
          kind: 'error_group',
          summary: `${top.type ?? 'error'}: ${top.message ?? ''} — ${top.count} events since ${iso(incident.startMs)}, first in ${top.firstRelease ?? 'an unknown version'}`,
          ref: top.fingerprint,
          query: `/api/errors/${top.fingerprint}?service=${encodeURIComponent(service)}&since=${encodeURIComponent(iso(incident.startMs))}`,
        },
      ],
      data: { service, users: top.users, accounts: top.accounts, activeUsers: active?.users ?? null, growth, series: top.series },
    });
  }
  if (!impacted) gaps.push(`no error group in ${candidates.join(', ')} in the window, so impact is not counted yet (pattern and latency impact come next)`);

  const cite = (kind: string) => list.findings.find((f) => f.kind === kind);
  const rootF = cite('root_cause_service');
  const changeF = cite('change');
  const impactF = cite('impact');
  const summary = [
    rootF ? `${rootF.title} [${rootF.id}]` : `No root cause stood out for ${subject.service}`,
    changeF ? `after the ${changeF.title} [${changeF.id}]` : null,
    impactF ? `; ${impactF.title} [${impactF.id}]` : null,
  ]
    .filter(Boolean)
    .join(' ')
    .concat('.');

  const result: InvestigationResult = {
    algorithm: INVESTIGATE_ALGORITHM,
    subject,
    window: { since: iso(incident.startMs), until: iso(incident.endMs), onset: iso(sinceMs), baselineSince: iso(baseline.startMs), baselineUntil: iso(baseline.endMs) },
    summary,
    findings: list.findings,
    priority,
    narrative: null,
    gaps,
  };
  const previous = await investigationStore.latestForSubject(ctx.store.db, subject);
  return investigationStore.insertInvestigation(ctx.store.db, {
    result,
    problemId: null,
    previousId: previous?.id ?? null,
    diff: previous ? diffInvestigations(previous.result, result) : null,
  });
}
