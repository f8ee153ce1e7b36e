// `orrery demo --set <service>.<setting>=<value>`: capacity settings that override what the
// shop's manifests say, for every deploy of that service (as a patch over the manifest would):
//
//   catalog.replicas=3              run 3 replicas; an HPA on the service is pinned to 3
//   catalog.cpu=500m                the CPU limit per replica (millicores, or cores: 0.5)
//   catalog.hpa.min=2, hpa.max=6    the autoscaler's bounds (the service must have one)
//   catalog.env.DB_POOL_SIZE=2      a container env value the manifest declares
//
// Pure: the flags and what each service's manifest declares in, settings out.
import { MAX_REPLICAS, type Manifest, cpuMillicores } from './manifest.js';

export class SettingError extends Error {}

/** What one service's settings change; absent fields keep the manifest's values. */
export interface ServiceSettings {
  replicas?: number;
  cpuLimitM?: number;
  hpaMin?: number;
  hpaMax?: number;
  env: Record<string, string>;
}

export type ShopSettings = Record<string, ServiceSettings>;

/** What a service's manifest at the shop's head declares: the names `--set` may use. */
export interface SettableService {
  env: readonly string[];
  hasHpa: boolean;
}

/** Env values the demo sets itself for every process (ports, addresses, storage, telemetry). */
const DEMO_OWNED_ENV = new Set(['PORT', 'DATA_DIR', 'SERVICE_NAME', 'SERVICE_VERSION', 'REPLICA', 'FAULT_FLAGS_FILE']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SETTINGS_HELP = 'replicas, cpu, hpa.min, hpa.max or env.<NAME>';

function whole(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new SettingError(`--set ${flag}: must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

/**
 * Parses every `--set` value against the services' manifests. Throws SettingError naming the
 * flag for an unknown service, an unknown setting, an env name the manifest does not declare,
 * or a bad value.
 */
export function parseSettings(flags: readonly string[], services: ReadonlyMap<string, SettableService>): ShopSettings {
  const out: ShopSettings = {};
  const names = [...services.keys()].join(', ');
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new SettingError(`--set ${flag}: expected <service>.<setting>=<value>, e.g. catalog.replicas=3`);
    const path = flag.slice(0, eq).trim();
    const value = flag.slice(eq + 1).trim();
    const dot = path.indexOf('.');
    const service = dot < 0 ? path : path.slice(0, dot);
    const key = dot < 0 ? '' : path.slice(dot + 1);
    const known = services.get(service);
    if (!known) throw new SettingError(`--set ${flag}: unknown service "${service}"; the shop has ${names}`);
    if (value === '') throw new SettingError(`--set ${flag}: no value after "="`);
    const s = out[service] ?? { env: {} };
    out[service] = s;
    if (key === 'replicas') s.replicas = whole(flag, value, 1, MAX_REPLICAS);
    else if (key === 'hpa.min' || key === 'hpa.max') {
      if (!known.hasHpa)
        throw new SettingError(`--set ${flag}: ${service} has no HorizontalPodAutoscaler; set ${service}.replicas`);
      const n = whole(flag, value, 1, MAX_REPLICAS);
      if (key === 'hpa.min') s.hpaMin = n;
      else s.hpaMax = n;
    } else if (key === 'cpu') {
      const m = cpuMillicores(value);
      if (m === null || m < 10 || m > 8000)
        throw new SettingError(`--set ${flag}: the CPU limit must be 10m to 8 cores, e.g. 250m or 0.5, not "${value}"`);
      s.cpuLimitM = m;
    } else if (key.startsWith('env.')) {
      const name = key.slice(4);
      if (!ENV_NAME.test(name)) throw new SettingError(`--set ${flag}: "${name}" is not an environment variable name`);
      if (DEMO_OWNED_ENV.has(name)) throw new SettingError(`--set ${flag}: the demo sets ${name} itself`);
      if (!known.env.includes(name)) {
        throw new SettingError(
          `--set ${flag}: ${service}'s manifest declares no env ${name} (it declares ${known.env.filter((e) => !DEMO_OWNED_ENV.has(e)).join(', ') || 'none'})`,
        );
      }
      if (/[\n\r\0]/.test(value) || value.length > 200)
        throw new SettingError(`--set ${flag}: an env value is one line of at most 200 characters`);
      s.env[name] = value;
    } else {
      throw new SettingError(`--set ${flag}: unknown setting "${key}" for ${service}; use ${SETTINGS_HELP}`);
    }
    if (s.replicas !== undefined && (s.hpaMin !== undefined || s.hpaMax !== undefined))
      throw new SettingError(`--set ${flag}: set ${service}.replicas or its hpa.min/hpa.max, not both`);
  }
  for (const [service, s] of Object.entries(out)) {
    if (s.hpaMin !== undefined && s.hpaMax !== undefined && s.hpaMin > s.hpaMax)
      throw new SettingError(`--set: ${service}.hpa.min (${s.hpaMin}) is above its hpa.max (${s.hpaMax})`);
  }
  return out;
}

/** The manifest as the settings change it. An HPA's bounds stay ordered; a request never exceeds the limit. */
export function applySettings(m: Manifest, s: ServiceSettings | undefined): Manifest {
  if (!s) return m;
  const out: Manifest = { ...m, env: { ...m.env, ...s.env }, hpa: m.hpa ? { ...m.hpa } : null };
  if (s.cpuLimitM !== undefined) {
    out.cpuLimitM = s.cpuLimitM;
    if (out.cpuRequestM !== null && out.cpuRequestM > s.cpuLimitM) out.cpuRequestM = s.cpuLimitM;
  }
  if (s.replicas !== undefined) {
    out.replicas = s.replicas;
    if (out.hpa) out.hpa = { ...out.hpa, min: s.replicas, max: s.replicas };
  }
  if (out.hpa && (s.hpaMin !== undefined || s.hpaMax !== undefined)) {
    const min = s.hpaMin ?? Math.min(out.hpa.min, s.hpaMax ?? out.hpa.min);
    const max = s.hpaMax ?? Math.max(out.hpa.max, min);
    out.hpa = { ...out.hpa, min, max: Math.max(min, max) };
  }
  if (out.hpa) out.replicas = Math.max(out.hpa.min, Math.min(out.hpa.max, out.replicas));
  return out;
}

/** The settings as `--set` flags again (for logs and reports), in a stable order. */
export function settingsFlags(settings: ShopSettings): string[] {
  const out: string[] = [];
  for (const service of Object.keys(settings).sort()) {
    const s = settings[service]!;
    if (s.replicas !== undefined) out.push(`${service}.replicas=${s.replicas}`);
    if (s.cpuLimitM !== undefined) out.push(`${service}.cpu=${s.cpuLimitM}m`);
    if (s.hpaMin !== undefined) out.push(`${service}.hpa.min=${s.hpaMin}`);
    if (s.hpaMax !== undefined) out.push(`${service}.hpa.max=${s.hpaMax}`);
    for (const name of Object.keys(s.env).sort()) out.push(`${service}.env.${name}=${s.env[name]}`);
  }
  return out;
}
