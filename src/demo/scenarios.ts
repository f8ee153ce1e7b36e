// The demo's timeline: which tags each service starts at, which deploys and traffic changes
// happen when (as fractions of the load phase), read from examples/shop/scenarios.json and
// narrowed to the scenarios asked for. Pure: the file's content in, a plan out.
import { z } from 'zod';
import { SHOP_SERVICES, type ShopService } from './supervisor.js';

export const SCENARIO_NAMES = ['cart-badge', 'slow-dependency', 'inventory-timeout', 'capacity'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

const fraction = z.number().min(0).max(1);
const tag = z.string().regex(/^[\w.-]+\/v\d+\.\d+\.\d+$/);
const deploy = z.object({
  service: z.enum(SHOP_SERVICES),
  tag,
  at: fraction,
  recorded: z.boolean().default(false),
});
const scenarioSpec = z.object({
  deploys: z.array(deploy).default([]),
  traffic: z.array(z.object({ at: fraction, multiplier: z.number().positive().max(10) })).default([]),
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

export interface Plan {
  scenarios: ScenarioName[];
  baselines: { service: ShopService; tag: string; recorded: boolean }[];
  /** In time order. */
  deploys: PlannedDeploy[];
  traffic: PlannedTraffic[];
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

/** `all`, or one name; anything else is an error that lists the names. */
export function selectScenarios(arg: string): ScenarioName[] {
  if (arg === 'all') return [...SCENARIO_NAMES];
  if ((SCENARIO_NAMES as readonly string[]).includes(arg)) return [arg as ScenarioName];
  throw new ScenarioError(`unknown scenario "${arg}"; choose one of: all, ${SCENARIO_NAMES.join(', ')}`);
}

export function planDemo(file: ScenariosFile, selected: readonly ScenarioName[]): Plan {
  const baselines = SHOP_SERVICES.map((service) => ({
    service,
    tag: file.services[service]!.baseline,
    recorded: file.services[service]!.recorded,
  }));
  const deploys: PlannedDeploy[] = file.noiseDeploys.map((d) => ({ ...d, scenario: null }));
  const traffic: PlannedTraffic[] = [];
  for (const name of selected) {
    const spec = file.scenarios[name];
    if (!spec) throw new ScenarioError(`scenarios.json has no scenario "${name}"`);
    for (const d of spec.deploys) deploys.push({ ...d, scenario: name });
    for (const t of spec.traffic) traffic.push({ ...t, scenario: name });
  }
  deploys.sort((a, b) => a.at - b.at);
  traffic.sort((a, b) => a.at - b.at);
  return { scenarios: [...selected], baselines, deploys, traffic };
}

/** The demo's load-phase length for --duration: short (CI), normal (npm start), or seconds. */
export function parseDuration(arg: string): number {
  if (arg === 'short') return 45;
  if (arg === 'normal') return 100;
  const m = /^(\d+)(s|m)?$/.exec(arg);
  if (!m) throw new ScenarioError(`--duration must be short, normal, or a time like 90s or 3m, not "${arg}"`);
  const s = Number(m[1]) * (m[2] === 'm' ? 60 : 1);
  if (s < 20 || s > 3600) throw new ScenarioError('--duration must be between 20s and 60m');
  return s;
}
