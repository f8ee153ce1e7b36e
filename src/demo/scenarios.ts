// The demo's timeline: which tags each service starts at, which deploys, traffic changes and
// injected faults happen when (as fractions of the load phase), read from
// examples/shop/scenarios.json and narrowed to the scenarios asked for. Pure: the file's
// content in, a plan out.
import { z } from 'zod';
import { SHOP_SERVICES, type ShopService } from './supervisor.js';

export const SCENARIO_NAMES = [
  'cart-badge',
  'slow-dependency',
  'inventory-timeout',
  'capacity',
  'network-delay',
  'cpu-saturation',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const fraction = z.number().min(0).max(1);
const tag = z.string().regex(/^[\w.-]+\/v\d+\.\d+\.\d+$/);
const deploy = z.object({
  service: z.enum(SHOP_SERVICES),
  tag,
  at: fraction,
  recorded: z.boolean().default(false),
});
/** Injected without a deploy: a network delay through the service's proxies, or CPU work in its requests (fault-agent.ts). */
export const FAULT_KINDS = ['network-delay', 'cpu'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const fault = z.object({
  at: fraction,
  service: z.enum(SHOP_SERVICES),
  kind: z.enum(FAULT_KINDS),
  /** network-delay: ms each way on every inbound and outbound call; cpu: CPU ms per request. 0 ends the fault. */
  ms: z.number().min(0).max(5000),
});
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/);
/**
 * One action that fixes a scenario, as its author states it (never computed by Orrery): roll a
 * service back to the version it ran before the fault, set an env value to exactly this, raise
 * an env value above this, or scale a service up (more replicas or a higher HPA minimum).
 */
const fixSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rollback'), service: z.enum(SHOP_SERVICES) }).strict(),
  z
    .object({
      kind: z.literal('config'),
      service: z.enum(SHOP_SERVICES),
      name: envName,
      value: z.string().optional(),
      above: z.number().optional(),
    })
    .strict()
    .refine((c) => (c.value === undefined) !== (c.above === undefined), 'a config fix names value or above, not both'),
  z.object({ kind: z.literal('scale'), service: z.enum(SHOP_SERVICES) }).strict(),
]);
export type FixSpec = z.output<typeof fixSpec>;
/** The right fix of a scenario: any one of the actions, and the sentence that says it. */
const rightFixSpec = z.object({ text: z.string().min(1), anyOf: z.array(fixSpec).min(1) }).strict();
export type RightFixSpec = z.output<typeof rightFixSpec>;

const scenarioSpec = z.object({
  deploys: z.array(deploy).default([]),
  traffic: z.array(z.object({ at: fraction, multiplier: z.number().positive().max(10) })).default([]),
  faults: z.array(fault).default([]),
  /** The root-cause service when it is not the one deployed or faulted (a load surge: the one that saturates). */
  rootCause: z.enum(SHOP_SERVICES).optional(),
  /** The fix the scenario's author calls right (the remediation bench scores proposals on it). */
  rightFix: rightFixSpec.optional(),
});
export const scenariosFile = z.object({
  services: z.record(z.enum(SHOP_SERVICES), z.object({ baseline: tag, recorded: z.boolean().default(false) })),
  noiseDeploys: z.array(deploy).default([]),
  scenarios: z.record(z.enum(SCENARIO_NAMES), scenarioSpec),
});
export type ScenariosFile = z.output<typeof scenariosFile>;

export interface PlannedDeploy {
  service: ShopService;
  tag: string;
  at: number;
  recorded: boolean;
  /** The scenario this deploy belongs to, or null for background noise. */
  scenario: ScenarioName | null;
}

export interface PlannedTraffic {
  at: number;
  multiplier: number;
  scenario: ScenarioName;
}

export interface PlannedFault {
  at: number;
  service: ShopService;
  kind: FaultKind;
  ms: number;
  scenario: ScenarioName;
}

export interface Plan {
  scenarios: ScenarioName[];
  baselines: { service: ShopService; tag: string; recorded: boolean }[];
  /** In time order. */
  deploys: PlannedDeploy[];
  traffic: PlannedTraffic[];
  faults: PlannedFault[];
  /** Scenarios whose root-cause service is not the one deployed or faulted (scenarios.json `rootCause`). */
  rootCauses: Partial<Record<ScenarioName, ShopService>>;
  /** The right fix of each scenario that states one (scenarios.json `rightFix`). */
  rightFixes: Partial<Record<ScenarioName, RightFixSpec>>;
  /** The traffic multiplier once the timeline's events have run (1 without a surge, or once it is lifted). */
  finalMultiplier: number;
}

export class ScenarioError extends Error {}

/** Parses scenarios.json's content; a bad file names the field. */
export function parseScenariosFile(json: string): ScenariosFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ScenarioError(`scenarios.json: ${(err as Error).message}`);
  }
  const r = scenariosFile.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ScenarioError(`scenarios.json: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

/** `all`, `none` (steady traffic: no deploys, faults or surges), or one name; anything else is an error that lists the names. */
export function selectScenarios(arg: string): ScenarioName[] {
  if (arg === 'all') return [...SCENARIO_NAMES];
  if (arg === 'none') return [];
  if ((SCENARIO_NAMES as readonly string[]).includes(arg)) return [arg as ScenarioName];
  throw new ScenarioError(`unknown scenario "${arg}"; choose one of: all, ${SCENARIO_NAMES.join(', ')}, none`);
}

/** An alert on a fault is raised this long after it starts (as the accuracy benches assume). */
export const ALERT_AFTER_S = 120;

/**
 * Where one scenario run alone puts its fault: two minutes before the end of the traffic
 * phase (so an alert raised two minutes in sees it, with the minutes before as its
 * baseline), but never in the first quarter.
 */
export function soloOnset(durationS: number): number {
  return Math.max(0.25, 1 - ALERT_AFTER_S / durationS);
}

/**
 * The plan for the scenarios asked for. All of them: each event at its time in the file, on
 * one timeline. One alone: its events keep their order and spacing but move so the first is
 * at `soloOnset(durationS)`, and the fault holds to the end of the traffic phase (whatever
 * would end it, traffic back to 1× or the fault lifted, is dropped), so the alert two minutes
 * later still sees it. None: the baselines alone, without the noise deploys (a steady world to
 * measure).
 */
export function planDemo(file: ScenariosFile, selected: readonly ScenarioName[], durationS = 180): Plan {
  const baselines = SHOP_SERVICES.map((service) => ({
    service,
    tag: file.services[service]!.baseline,
    recorded: file.services[service]!.recorded,
  }));
  const deploys: PlannedDeploy[] =
    selected.length === 0 ? [] : file.noiseDeploys.map((d) => ({ ...d, scenario: null }));
  const traffic: PlannedTraffic[] = [];
  const faults: PlannedFault[] = [];
  const rootCauses: Plan['rootCauses'] = {};
  const rightFixes: Plan['rightFixes'] = {};
  const solo = selected.length === 1;
  for (const name of selected) {
    const spec = file.scenarios[name];
    if (!spec) throw new ScenarioError(`scenarios.json has no scenario "${name}"`);
    if (spec.rootCause) rootCauses[name] = spec.rootCause;
    if (spec.rightFix) rightFixes[name] = spec.rightFix;
    const starts = [...spec.deploys, ...spec.traffic, ...spec.faults].map((e) => e.at);
    if (starts.length === 0) throw new ScenarioError(`scenarios.json: scenario "${name}" has no event`);
    const shift = solo ? soloOnset(durationS) - Math.min(...starts) : 0;
    const at = (x: number) => Math.min(1, Math.max(0, x + shift));
    for (const d of spec.deploys) deploys.push({ ...d, at: at(d.at), scenario: name });
    for (const t of spec.traffic) if (!solo || t.multiplier > 1) traffic.push({ ...t, at: at(t.at), scenario: name });
    for (const f of spec.faults) if (!solo || f.ms > 0) faults.push({ ...f, at: at(f.at), scenario: name });
  }
  const byTime = (a: { at: number }, b: { at: number }) => a.at - b.at;
  traffic.sort(byTime);
  return {
    scenarios: [...selected],
    baselines,
    deploys: deploys.sort(byTime),
    traffic,
    faults: faults.sort(byTime),
    rootCauses,
    rightFixes,
    finalMultiplier: traffic.at(-1)?.multiplier ?? 1,
  };
}

/** The demo's load-phase length for --duration: short (CI), normal (npm start), or seconds. */
export function parseDuration(arg: string): number {
  if (arg === 'short') return 45;
  if (arg === 'normal') return 150;
  const m = /^(\d+)(s|m)?$/.exec(arg);
  if (!m) throw new ScenarioError(`--duration must be short, normal, or a time like 90s or 3m, not "${arg}"`);
  const s = Number(m[1]) * (m[2] === 'm' ? 60 : 1);
  if (s < 20 || s > 3600) throw new ScenarioError('--duration must be between 20s and 60m');
  return s;
}
