// Which services an investigation looks at, in which order: the first ranking and the services
// whose log flow is worth reading, the endpoint's restriction, the root candidates, the focus
// (the code step's service), the impact order, and each candidate's likely change.
import type { Deploy } from '../../model/index.js';
import {
  type FlowRow,
  type RankedService,
  type RcaInput,
  type RcaResult,
  type RcaTests,
  type SignalKind,
  addFlowTests,
  rankTested,
  testSignals,
} from '../rca/index.js';
import type { Anchor } from './facts.js';

const HOUR = 3_600_000;
/** The log flow is read for this many of the first ranking's candidates. */
export const FLOW_CANDIDATES = 10;
/** How far before the onset a deploy is still a candidate cause. */
export const CHANGE_LOOK_BACK_MS = 6 * HOUR;

export interface RankOptions {
  flowCandidates?: number;
}

/**
 * The first ranking, and the services whose log flow is worth reading: the log flow is the
 * costliest signal to read (one row per pair of statements), so it is read for the strongest
 * candidates of a first ranking, and the subject's own service. The first ranking leaves out
 * the look at the window's latest part (endedLast), which withFlows' ranking makes.
 */
export function firstRanking(
  input: RcaInput,
  anchorService: string | null,
  opts: RankOptions = {},
): { tests: RcaTests; rca: RcaResult; flowFor: string[] } {
  const tests = testSignals(input);
  const rca = rankTested(tests, { weakCandidates: true, endedLast: false });
  const flowFor = [
    ...new Set([
      ...rca.services.slice(0, opts.flowCandidates ?? FLOW_CANDIDATES).map((r) => r.service),
      ...(anchorService ? [anchorService] : []),
    ]),
  ];
  return { tests, rca, flowFor };
}

/** The ranking done again with the log flow's tests added (when there was any flow), the services whose anomaly ended last. */
export function withFlows(first: { tests: RcaTests }, flows: readonly FlowRow[]): RcaResult {
  return rankTested(flows.length === 0 ? first.tests : addFlowTests(first.tests, flows), { weakCandidates: true });
}

/**
 * Only services an endpoint's requests reached can explain its trouble: the ranking keeps those
 * on its traces. With no traces, every service stays, said in a gap; so are those left out.
 */
export function restrictToEndpoint(
  rca: RcaResult,
  on: { traces: number; services: ReadonlyMap<string, unknown> | ReadonlySet<string> },
  where: { service: string; endpoint: string },
): { rca: RcaResult; gaps: string[] } {
  if (on.traces === 0)
    return {
      rca,
      gaps: [`no traces through ${where.service} ${where.endpoint} in the window, so every service was considered`],
    };
  const left = rca.services.filter((s) => !on.services.has(s.service)).map((s) => s.service);
  const kept = { ...rca, services: rca.services.filter((s) => on.services.has(s.service)) };
  return {
    rca: kept,
    gaps: left.length
      ? [`left out ${left.join(', ')}: not on the ${on.traces} traces through ${where.endpoint} of ${where.service}`]
      : [],
  };
}

/** Kinds of signal a callee's trouble rarely explains: a service's own new exceptions. */
export const OWN_FAULT: ReadonlySet<SignalKind> = new Set<SignalKind>(['error-group', 'new-error-pattern']);

/**
 * The services a subject's fault can lie in when the investigation stays on `service` (a
 * problem's): the service itself, and the services the ranker explains its trouble by (a
 * callee whose slowness or failures its edge carries, a caller whose calls per request into it
 * rose), unless it has new exceptions of its own: a callee's trouble explains a caller's
 * slowness and failed calls, not a new exception in the caller's own code.
 */
export function faultScope(rca: RcaResult, service: string): Set<string> {
  const scope = new Set([service]);
  const own = rca.services.find((s) => s.service === service);
  if (own && !own.signals.some((x) => OWN_FAULT.has(x.kind))) for (const c of own.symptomOf) scope.add(c);
  return scope;
}

/**
 * The root-cause candidates, in the ranker's order (score, after the symptom discount): services
 * with a signal other than traffic, leaving out those judged symptoms unless they have new
 * exceptions of their own (a downstream slowdown can explain timeouts upstream, but it rarely
 * explains a new TypeError); with `stayOn`, only the services of its faultScope. The same list
 * rcaFindings turns into findings.
 */
export function rootCandidates(
  rca: RcaResult,
  opts: { maxServices?: number; stayOn?: string | null } = {},
): RankedService[] {
  const scope = opts.stayOn ? faultScope(rca, opts.stayOn) : null;
  return rca.services
    .filter((s) => !scope || scope.has(s.service))
    .filter((s) => s.signals.some((x) => x.kind !== 'traffic'))
    .filter((s) => s.symptomOf.length === 0 || s.signals.some((x) => OWN_FAULT.has(x.kind)))
    .slice(0, opts.maxServices ?? 3);
}

/**
 * The services whose changes, code and impact are looked at: the roots (else the anchor's
 * service), and where the subject's own users failed, which is direct evidence, even when the
 * ranker did not list it among its first few.
 */
export function candidateServices(
  roots: readonly Pick<RankedService, 'service'>[],
  anchor: Pick<Anchor, 'service' | 'prefer'>,
): string[] {
  const candidates = roots.length ? roots.map((r) => r.service) : anchor.service ? [anchor.service] : [];
  if (anchor.prefer && !candidates.includes(anchor.prefer)) candidates.push(anchor.prefer);
  return candidates;
}

/**
 * The likeliest root, whose code is looked at: the subject's own service when it is a candidate,
 * else the first. A problem's own service (`stayOn`) that is no root, judged a symptom of the
 * roots its trouble is explained by, gives way to the first of them: the summary, the change and
 * the suspect commit are then all that root's.
 */
export function focusOf(
  candidates: readonly string[],
  anchor: Pick<Anchor, 'prefer' | 'stayOn'>,
  roots: readonly Pick<RankedService, 'service'>[] = [],
): string | null {
  if (anchor.stayOn && roots.length > 0 && !roots.some((r) => r.service === anchor.stayOn)) return roots[0]!.service;
  return anchor.prefer && candidates.includes(anchor.prefer) ? anchor.prefer : (candidates[0] ?? null);
}

/**
 * The services whose impact is counted, in order: the candidates with a significant signal (all
 * of them when none has one), the focus first.
 */
export function impactOrder(
  roots: readonly Pick<RankedService, 'service' | 'score'>[],
  candidates: readonly string[],
  focus: string | null,
): string[] {
  const strong = roots.filter((r) => r.score > 0).map((r) => r.service);
  const counted = strong.length ? candidates.filter((c) => strong.includes(c)) : [...candidates];
  return focus && counted.includes(focus) ? [focus, ...counted.filter((c) => c !== focus)] : counted;
}

/**
 * The deploy that most likely brought the fault: the service's last deploy at or before the
 * onset (with a minute of clock slack) within the look-back. A baseline deploy (the first version
 * telemetry showed: Orrery saw it running, not being deployed) is no change. Null when there is
 * none. (changeFinding makes the finding by the same rule.)
 */
export function likelyChange(
  service: string,
  deploys: readonly Deploy[],
  onsetMs: number,
  opts: { lookBackMs?: number; slackMs?: number } = {},
): Deploy | null {
  const lookBackMs = opts.lookBackMs ?? CHANGE_LOOK_BACK_MS;
  const slackMs = opts.slackMs ?? 60_000;
  const before = deploys
    .filter((d) => d.service === service && d.attributes.baseline !== true)
    .filter((d) => {
      const at = Date.parse(d.deployedAt);
      return at <= onsetMs + slackMs && at >= onsetMs - lookBackMs;
    })
    .sort((a, b) => Date.parse(b.deployedAt) - Date.parse(a.deployedAt));
  return before[0] ?? null;
}
