// What an investigation of the example world answered, and whether that is a scenario's truth:
// the root-cause service named first, and the cause it gives. A bad deploy is right when the
// change found is that deploy and the top suspect commit is the culprit; a fault with no culprit
// (a load surge, an injected network delay or CPU saturation) is right when no deploy or commit
// is blamed, and for a load surge only when a load_change finding names the entry whose traffic
// rose. Shared by `accuracy example` and `accuracy demo-commands`.
import type { ScenarioTruth } from '../../src/demo/truth.js';
import { type Investigation, findingsOf } from '../../src/model/index.js';

/**
 * investigate's `load_change` finding (a service's incoming rate rose by `ratio` between the
 * baseline and the incident), read by kind so that this scorer works before and after the
 * model has it: until then there is none, and a load surge scores as a miss.
 */
export interface LoadChange {
  service: string;
  entry: string;
  baselinePerMinute: number;
  incidentPerMinute: number;
  ratio: number;
}

function isLoadChange(d: unknown): d is LoadChange {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Partial<LoadChange>;
  return typeof o.service === 'string' && typeof o.entry === 'string' && typeof o.ratio === 'number';
}

export interface Answer {
  /** root_cause_service findings in order. */
  ranked: string[];
  change: { service: string; version: string; commit: string | null } | null;
  suspect: string | null;
  location: { path: string; symbol: string | null } | null;
  rollback: string | null;
  loadChanges: LoadChange[];
}

export function answerOf(inv: Investigation): Answer {
  const f = inv.result.findings;
  const change = findingsOf(f, 'change')[0]?.data;
  const place = findingsOf(f, 'code_location')[0]?.data;
  const rollback = findingsOf(f, 'next_step').find((x) => x.data.action === 'rollback')?.data;
  const loose = f as readonly { kind: string; data: unknown }[];
  return {
    ranked: findingsOf(f, 'root_cause_service').map((x) => x.data.service),
    change: change ? { service: change.service, version: change.version, commit: change.commit } : null,
    suspect: findingsOf(f, 'suspect_commit')[0]?.data.sha ?? null,
    location: place ? { path: place.path, symbol: place.symbol } : null,
    rollback: rollback?.action === 'rollback' ? `${rollback.service} ${rollback.from} → ${rollback.to}` : null,
    loadChanges: loose
      .filter((x) => x.kind === 'load_change')
      .map((x) => x.data)
      .filter(isLoadChange),
  };
}

/** What the answer blames as the culprit: a deploy, a commit or a rollback; empty when none. */
export function blamed(a: Answer): string[] {
  const out: string[] = [];
  if (a.change) out.push(`deploy ${a.change.service} ${a.change.version}`);
  if (a.suspect) out.push(`commit ${a.suspect.slice(0, 10)}`);
  if (a.rollback) out.push(`rollback ${a.rollback}`);
  return out;
}

/** A load_change finding that names the entry (its service, or its entry, or an entry of that service). */
export function namesLoad(a: Answer, entry: string): boolean {
  return a.loadChanges.some(
    (l) => l.ratio > 1 && (l.service === entry || l.entry === entry || l.entry.split(/[\s:/]/)[0] === entry),
  );
}

export interface Verdict {
  /** The first root-cause service is the truth's. */
  root: boolean;
  /** The cause given is the truth's (the deploy and commit; or the load and nothing blamed; or nothing blamed). */
  cause: boolean;
  /** What was wrong, for the report; empty when both are right. */
  why: string[];
}

export function judge(truth: ScenarioTruth, a: Answer): Verdict {
  const why: string[] = [];
  const root = a.ranked[0] === truth.fault.service;
  if (!root) why.push(`root ${a.ranked[0] ?? 'none'}, truth ${truth.fault.service}`);
  let cause: boolean;
  const bad = truth.firstBadDeploy;
  if (bad) {
    const deployOk = a.change?.service === bad.service && a.change.version === bad.version;
    const commitOk = truth.culprit === null || a.suspect === truth.culprit.commit;
    cause = deployOk && commitOk;
    if (!deployOk)
      why.push(
        `change ${a.change ? `${a.change.service} ${a.change.version}` : 'none'}, truth ${bad.service} ${bad.version}`,
      );
    if (!commitOk)
      why.push(`suspect ${a.suspect?.slice(0, 10) ?? 'none'}, truth ${truth.culprit!.commit.slice(0, 10)}`);
  } else {
    const blame = blamed(a);
    const load = truth.fault.load;
    const loadOk = load === undefined || namesLoad(a, load.entry);
    cause = blame.length === 0 && loadOk;
    if (blame.length) why.push(`blames ${blame.join(', ')}; truth has no culprit (${truth.fault.type})`);
    if (!loadOk)
      why.push(
        `no load_change naming ${load!.entry} (${a.loadChanges.map((l) => `${l.service}/${l.entry} ×${l.ratio.toFixed(1)}`).join(', ') || 'none'})`,
      );
  }
  return { root, cause, why };
}
