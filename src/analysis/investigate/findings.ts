// Turning what the steps found into findings with confidence, hint and evidence, and the
// priority score with its formula. Pure: rows in, findings out.
import type {
  Deploy,
  Evidence,
  EvidenceKind,
  Finding,
  FindingDraft,
  FindingOf,
  PriorityScore,
} from '../../model/index.js';
import type { RankedService, RcaResult, RcaSignal, SignalKind } from '../rca/index.js';
import { likelyChange, rootCandidates } from './candidates.js';

/** Numbers findings F1, F2, … in the order they are added. */
export class FindingList {
  readonly findings: Finding[] = [];

  /** Returns the finding numbered, as precisely typed as the draft: a change draft gives a `FindingOf<'change'>`. */
  add<F extends FindingDraft>(f: F): F & { id: string } {
    if (f.evidence.length === 0) throw new Error(`finding "${f.title}" has no evidence`);
    const finding = { id: `F${this.findings.length + 1}`, ...f, confidence: Math.max(0, Math.min(1, f.confidence)) };
    this.findings.push(finding);
    return finding;
  }
}

const EVIDENCE_OF: Record<SignalKind, EvidenceKind> = {
  latency: 'endpoint',
  'error-rate': 'endpoint',
  traffic: 'endpoint',
  pattern: 'log_pattern',
  'error-pattern': 'log_pattern',
  'new-error-pattern': 'log_pattern',
  'error-group': 'error_group',
  metric: 'infra',
  'edge-latency': 'edge',
  'edge-errors': 'edge',
  'edge-fanout': 'edge',
  'log-flow': 'log_pattern',
  'self-time': 'span',
  'edge-time': 'edge',
  'edge-unanswered': 'edge',
};

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(2);
}

function queryOf(s: RcaSignal, since: string): string | undefined {
  const at = `since=${encodeURIComponent(since)}`;
  if (s.kind === 'pattern' || s.kind === 'error-pattern' || s.kind === 'new-error-pattern')
    return `/api/patterns/${encodeURIComponent(s.key)}?service=${encodeURIComponent(s.service)}&${at}`;
  if (s.kind === 'error-group')
    return `/api/errors/${encodeURIComponent(s.key)}?service=${encodeURIComponent(s.service)}&${at}`;
  if (s.kind === 'latency' || s.kind === 'error-rate' || s.kind === 'traffic' || s.kind === 'self-time')
    return `/api/services?service=${encodeURIComponent(s.service)}&${at}`;
  if (
    s.kind === 'edge-latency' ||
    s.kind === 'edge-errors' ||
    s.kind === 'edge-fanout' ||
    s.kind === 'edge-time' ||
    s.kind === 'edge-unanswered'
  )
    return `/api/services/graph?service=${encodeURIComponent(s.service)}&${at}`;
  return undefined;
}

export function signalEvidence(s: RcaSignal, since: string): Evidence {
  return {
    kind: EVIDENCE_OF[s.kind],
    summary: `${s.service} ${s.kind} ${s.label ?? s.key}: ${fmt(s.baseline)} → ${fmt(s.incident)} ${s.unit} (${s.test}, q=${s.q.toExponential(1)})`,
    ref: s.key,
    query: queryOf(s, since),
    rows: [{ baseline: s.baseline, incident: s.incident, statistic: s.statistic, p: s.p, q: s.q }],
  };
}

/** A change in how much traffic arrives is context, not a fault: it goes last. */
function faultSignals(r: RankedService): RcaSignal[] {
  return [...r.signals.filter((s) => s.kind !== 'traffic'), ...r.signals.filter((s) => s.kind === 'traffic')];
}

/**
 * The root-cause candidates (rootCandidates: in the ranker's order, symptoms left out unless
 * they have new exceptions of their own, within a problem's fault with `stayOn`), and for the
 * first its strongest signals. A symptom kept for its own exceptions is named with the service
 * it may be a symptom of: a downstream slowdown can explain timeouts upstream, but it rarely
 * explains a new TypeError.
 */
export function rcaFindings(
  list: FindingList,
  rca: RcaResult,
  since: string,
  opts: { maxServices?: number; stayOn?: string | null } = {},
): RankedService[] {
  const roots = rootCandidates(rca, opts);
  for (const r of roots) {
    const symptoms = rca.services.filter((s) => s.symptomOf.includes(r.service)).map((s) => s.service);
    // Staying on a problem's fault, a service outside it is another fault: not named beside the root.
    const of = opts.stayOn ? r.symptomOf.filter((s) => roots.some((x) => x.service === s)) : r.symptomOf;
    const maybe = of.length ? ` (or a symptom of ${of.join(', ')})` : '';
    const weak = r.score === 0;
    list.add({
      kind: 'root_cause_service',
      title: weak
        ? `${r.service} is a candidate, without a significant signal${maybe}`
        : `${r.service} is ${r === roots[0] ? 'the likely' : 'a possible'} root cause${maybe}`,
      confidence: r.confidence,
      hint: `${r.hint}${symptoms.length ? `; ${symptoms.join(', ')} show it upstream` : ''} (${rca.significant} of ${rca.tests} tests significant, ${rca.algorithm})`,
      evidence: faultSignals(r)
        .slice(0, 5)
        .map((s) => signalEvidence(s, since)),
      data: {
        service: r.service,
        score: r.score,
        symptoms,
        // The ranker's whole order, so a reader (or a benchmark) sees where every service stood.
        ...(r === roots[0]
          ? { ranking: rca.services.map((s) => ({ service: s.service, score: s.score, symptomOf: s.symptomOf })) }
          : {}),
      },
    });
  }
  const top = roots[0];
  for (const s of (top?.signals ?? []).filter((x) => x.kind !== 'traffic').slice(0, 3)) {
    list.add({
      kind: 'signal',
      title: `${s.kind} in ${s.service}: ${s.label ?? s.key}`,
      confidence: Math.min(1, s.weight / 10),
      hint: `${s.test}: ${fmt(s.baseline)} → ${fmt(s.incident)} ${s.unit}, p=${s.p.toExponential(1)}, q=${s.q.toExponential(1)} after Benjamini–Hochberg`,
      evidence: [signalEvidence(s, since)],
      data: { ...s },
    });
  }
  return roots;
}

/**
 * The finding of the deploy that most likely brought the fault (likelyChange: the service's
 * last deploy, not a baseline one, at or before the onset with a minute of clock slack), closer
 * being likelier. Null when there is none in the look-back.
 */
export function changeFinding(
  list: FindingList,
  service: string,
  deploys: readonly Deploy[],
  onsetMs: number,
  lookBackMs: number,
): FindingOf<'change'> | null {
  const d = likelyChange(service, deploys, onsetMs, { lookBackMs });
  if (!d) return null;
  const gapMin = Math.max(0, (onsetMs - Date.parse(d.deployedAt)) / 60_000);
  // Halves every 30 minutes between the deploy and the onset: a deploy minutes before is a strong lead.
  const confidence = 0.3 + 0.6 * 0.5 ** (gapMin / 30);
  return list.add({
    kind: 'change',
    title: `deploy of ${service} ${d.version}${d.commitSha ? ` (${d.commitSha.slice(0, 10)})` : ''}`,
    confidence,
    hint: `${service} ${d.version} went out ${gapMin < 1 ? 'less than a minute' : `${Math.round(gapMin)} min`} before the onset (${d.inferred ? 'inferred from telemetry' : `recorded by ${d.source}`})`,
    evidence: [
      {
        kind: 'deploy',
        summary: `${service} ${d.version} at ${d.deployedAt}${d.previousCommitSha ? `, range ${d.previousCommitSha.slice(0, 10)}..${d.commitSha?.slice(0, 10)}` : ''}`,
        ref: String(d.id),
        query: `/api/deploys/${d.id}`,
      },
    ],
    data: {
      deployId: d.id,
      service,
      version: d.version,
      commit: d.commitSha,
      previousCommit: d.previousCommitSha,
      deployedAt: d.deployedAt,
    },
  });
}

export interface ImpactInput {
  users: number | null;
  accounts: number | null;
  /** Distinct users active on the service in the same window, for the share. */
  activeUsers: number | null;
  tickets: number;
  /** Affected users in the recent part of the window over the earlier part (1 = flat). */
  growth: number;
  /** 0..1: 1 for errors, 0.6 for latency, 0.4 for warnings. */
  severity: number;
}

/**
 * priority = severity × (log10(1 + users) + 0.5·log10(1 + accounts)) × (1 + 0.5·log2(growth))⁺ × (1 + 0.2·tickets)
 * Each factor is shown with its value, so the number can be checked by hand.
 */
export function priorityScore(i: ImpactInput): PriorityScore {
  const reach = Math.log10(1 + (i.users ?? 0)) + 0.5 * Math.log10(1 + (i.accounts ?? 0));
  const trend = Math.max(0.25, 1 + 0.5 * Math.log2(Math.max(i.growth, 1e-3)));
  const voice = 1 + 0.2 * i.tickets;
  return {
    score: Number((i.severity * reach * trend * voice).toFixed(3)),
    formula:
      'severity × (log10(1+users) + 0.5·log10(1+accounts)) × max(0.25, 1 + 0.5·log2(growth)) × (1 + 0.2·tickets)',
    inputs: {
      severity: i.severity,
      users: i.users ?? 0,
      accounts: i.accounts ?? 0,
      activeUsers: i.activeUsers ?? 0,
      growth: Number(i.growth.toFixed(3)),
      tickets: i.tickets,
    },
  };
}
