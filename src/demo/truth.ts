// Each scenario's ground truth, from what the demo did and what the load driver observed:
// the faulty service and the kind of fault, the culprit commit, the first bad deploy, the
// users and accounts that were hurt, and the tickets that belong to it. Written for scoring;
// nothing in Orrery reads it. Pure.
import type { Observation } from './load.js';
import type { BuiltCommit } from './repo-builder.js';
import type { RightFixSpec, ScenarioName } from './scenarios.js';
import type { DemoTicket } from './tickets.js';

/**
 * @2 added `fault` (the service at fault and the kind of fault) and the scenarios without a deploy;
 * @3 added `rightFix`.
 */
export const TRUTH_VERSION = 'demo-truth@3';

/**
 * What went wrong: a commit shipped by a deploy (code or config), more traffic than the
 * service can take, or a fault injected into a running service (no deploy, no commit).
 */
export const FAULT_TYPES = ['code-change', 'config-change', 'load-surge', 'network-delay', 'cpu-saturation'] as const;
export type FaultType = (typeof FAULT_TYPES)[number];

export interface FaultTruth {
  /** The root-cause service: where the fault is (for a load surge, the service that saturated). */
  service: string;
  type: FaultType;
  /** For a load surge: the entry service whose incoming traffic rose, and by how many times. */
  load?: { entry: string; multiplier: number };
  /** For an injected fault: its size (network-delay: ms each way; cpu-saturation: CPU ms per request). */
  ms?: number;
}

/**
 * One action that fixes the scenario, as its author states it (scenarios.json `rightFix`), with
 * the version a rollback must return to resolved from the world's deploys.
 */
export type RightFixAction =
  /** Back to the version the service ran just before the fault's onset. */
  | { kind: 'rollback'; service: string; toVersion: string }
  /** The env value set to exactly `value`. */
  | { kind: 'config'; service: string; name: string; value: string }
  /** The env value raised above `above` (e.g. a pool made bigger). */
  | { kind: 'config'; service: string; name: string; above: number }
  /** More replicas or a higher HPA minimum. */
  | { kind: 'scale'; service: string };

export interface RightFix {
  /** The fix in words, as the scenario states it. */
  text: string;
  /** Any one of these is right; anything else (a rollback of a capacity problem, say) is wrong. */
  anyOf: RightFixAction[];
}

export interface DeployRecord {
  service: string;
  version: string;
  tag: string;
  sha: string;
  at: string;
  recorded: boolean;
  scenario: ScenarioName | null;
}

export interface ScenarioTruth {
  format: typeof TRUTH_VERSION;
  scenario: ScenarioName;
  seed: number;
  startedAt: string;
  fault: FaultTruth;
  culprit: { commit: string; file: string; function: string | null; message: string } | null;
  firstBadDeploy: { service: string; version: string; tag: string; commit: string; at: string } | null;
  /** When the fault began: the bad deploy's go-live, the raised traffic's start, or the injection. */
  onset: string;
  /** When an injected fault or the raised traffic ended, if it did before the traffic phase did. */
  end: string | null;
  /**
   * users: everyone the fault hurt; errored: those of them whose request raised the fault's
   * error (for cart-badge, a cart read while the cart held a discounted item).
   */
  affected: { users: string[]; accounts: string[]; errored: string[] };
  tickets: string[];
  duplicates: [string, string][];
  /** The right fix, when the scenario states one. */
  rightFix: RightFix | null;
  notes: string[];
}

/** Capacity: a request counts as hurt when it failed or took longer than this. */
export const SLOW_MS = 1000;

const FAILED = (o: Observation) => o.status === 0 || o.status >= 500;
const READS_CART = new Set(['badge', 'cart', 'checkout']);

/** Observations after the onset where the fault raised its error. */
export function errored(scenario: ScenarioName, o: Observation): boolean {
  if (scenario === 'cart-badge') return READS_CART.has(o.action) && o.discounted === true;
  return FAILED(o) && harmed(scenario, o);
}

/** Which observations after the onset show this scenario's harm. */
export function harmed(scenario: ScenarioName, o: Observation): boolean {
  switch (scenario) {
    case 'cart-badge':
      return errored(scenario, o) || (o.badge !== undefined && o.badge.shown !== o.badge.expected);
    case 'slow-dependency':
      return o.action === 'checkout' && o.status === 200;
    case 'inventory-timeout':
      // Every reservation after the change retries, whether or not the add then succeeds.
      return o.action === 'add';
    case 'capacity':
      return FAILED(o) || o.ms > SLOW_MS;
    case 'network-delay':
      // Every request that passes through cart (web calls it for these) was slowed.
      return THROUGH_CART.has(o.action);
    case 'cpu-saturation':
      return o.action === 'checkout';
  }
}

const THROUGH_CART = new Set(['add', 'badge', 'cart', 'checkout']);

export interface TruthInput {
  scenario: ScenarioName;
  seed: number;
  startedAt: Date;
  commits: readonly BuiltCommit[];
  deploys: readonly DeployRecord[];
  /** For capacity: the window of raised traffic, its entry service and multiplier. */
  trafficWindow?: { from: number; to: number; entry: string; multiplier: number };
  /** For an injected fault: when it was on, where and how large. */
  faultWindow?: { from: number; to: number; service: string; type: 'network-delay' | 'cpu-saturation'; ms: number };
  /** The service that saturates under a load surge (scenarios.json `rootCause`). */
  rootCause?: string;
  /** The scenario's right fix as scenarios.json states it. */
  rightFix?: RightFixSpec;
  observations: readonly Observation[];
  tickets: readonly DemoTicket[];
}

export function scenarioTruth(input: TruthInput): ScenarioTruth {
  const { scenario } = input;
  const notes: string[] = [];
  const commit = input.commits.find((c) => c.culprit?.scenario === scenario) ?? null;
  const deploy = input.deploys.find((d) => d.scenario === scenario) ?? null;
  let from: number;
  let to = Number.POSITIVE_INFINITY;
  let fault: FaultTruth;
  if (deploy) {
    from = Date.parse(deploy.at);
    const configOnly = commit?.culprit
      ? commit.culprit.function === null && !/\.[cm]?[jt]sx?$/.test(commit.culprit.file)
      : false;
    fault = { service: input.rootCause ?? deploy.service, type: configOnly ? 'config-change' : 'code-change' };
  } else if (input.faultWindow) {
    ({ from, to } = input.faultWindow);
    const w = input.faultWindow;
    fault = { service: input.rootCause ?? w.service, type: w.type, ms: w.ms };
  } else if (input.trafficWindow) {
    ({ from, to } = input.trafficWindow);
    const w = input.trafficWindow;
    if (!input.rootCause) throw new Error(`scenario ${scenario} raises traffic but names no rootCause service`);
    fault = { service: input.rootCause, type: 'load-surge', load: { entry: w.entry, multiplier: w.multiplier } };
  } else throw new Error(`scenario ${scenario} ran no deploy, no traffic change and no fault`);
  const users = new Set<string>();
  const accounts = new Set<string>();
  const erroredUsers = new Set<string>();
  for (const o of input.observations) {
    if (o.at < from || o.at > to || !harmed(scenario, o)) continue;
    users.add(o.user);
    accounts.add(o.account);
    if (errored(scenario, o)) erroredUsers.add(o.user);
  }
  if (deploy && commit) {
    const shipped = input.commits.findIndex((c) => c.sha === deploy.sha);
    const culpritAt = input.commits.indexOf(commit);
    if (shipped < culpritAt) notes.push(`the deploy of ${deploy.tag} does not contain the culprit commit`);
  }
  const tickets = input.tickets.filter((t) => t.scenario === scenario);
  const rightFix = input.rightFix
    ? {
        text: input.rightFix.text,
        anyOf: input.rightFix.anyOf.map((f) => resolveFix(scenario, f, from, input.deploys)),
      }
    : null;
  return {
    format: TRUTH_VERSION,
    scenario,
    seed: input.seed,
    startedAt: input.startedAt.toISOString(),
    fault,
    culprit: commit?.culprit
      ? {
          commit: commit.sha,
          file: commit.culprit.file,
          function: commit.culprit.function,
          message: commit.message.split('\n')[0]!,
        }
      : null,
    firstBadDeploy: deploy
      ? { service: deploy.service, version: deploy.version, tag: deploy.tag, commit: deploy.sha, at: deploy.at }
      : null,
    onset: new Date(from).toISOString(),
    end: Number.isFinite(to) ? new Date(to).toISOString() : null,
    affected: { users: [...users].sort(), accounts: [...accounts].sort(), errored: [...erroredUsers].sort() },
    tickets: tickets.map((t) => t.id),
    duplicates: tickets.filter((t) => t.duplicateOf).map((t) => [t.id, t.duplicateOf!] as [string, string]),
    rightFix,
    notes,
  };
}

/** A fix as scenarios.json states it, with a rollback's version: the one its service ran just before `onsetMs`. */
function resolveFix(
  scenario: ScenarioName,
  f: RightFixSpec['anyOf'][number],
  onsetMs: number,
  deploys: readonly DeployRecord[],
): RightFixAction {
  switch (f.kind) {
    case 'rollback': {
      const before = deploys
        .filter((d) => d.service === f.service && Date.parse(d.at) < onsetMs)
        .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
        .at(-1);
      if (!before)
        throw new Error(`scenario ${scenario}: ${f.service} ran no version before the fault to roll back to`);
      return { kind: 'rollback', service: f.service, toVersion: before.version };
    }
    case 'config':
      return f.value !== undefined
        ? { kind: 'config', service: f.service, name: f.name, value: f.value }
        : { kind: 'config', service: f.service, name: f.name, above: f.above! };
    case 'scale':
      return { kind: 'scale', service: f.service };
  }
}
