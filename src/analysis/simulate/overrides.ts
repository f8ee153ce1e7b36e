// `--set service.setting=value`: "what if" changes applied to the calibrated capacity before a
// prediction. The calibration stays as measured (it is the baseline); the changes give the
// capacity and the call timeouts the prediction runs with, and each says what it changed from.
import { attemptTimeouts } from './calibrate.js';
import { type EdgeNames, type EnvRole, durationMs, envRole, readEnv, wholeNumber } from './env-settings.js';
import type { Calibration, CapacitySettings, Setting } from './types.js';

/** A bad `--set` line or one that names what the calibration does not know; the message says which and why. */
export class SimulationInputError extends Error {
  override name = 'SimulationInputError';
}

export const SETTINGS = ['replicas', 'workers', 'cpu', 'pool', 'timeout', 'retries'] as const;
export type SettingName = (typeof SETTINGS)[number];

export type SetLine =
  | { line: string; service: string; setting: SettingName; value: string }
  | { line: string; service: string; setting: 'env'; name: string; value: string };

const HELP =
  'expected service.setting=value, with setting one of replicas, workers, cpu, pool, timeout, retries or env.NAME ' +
  '(e.g. catalog.replicas=3, catalog.env.DB_POOL_SIZE=4, cart.timeout=800ms)';

/** Parses one `--set` line; the service name may hold dots (the setting is read from the right). */
export function parseSetLine(line: string): SetLine {
  const eq = line.indexOf('=');
  if (eq <= 0) throw new SimulationInputError(`--set "${line}": no "=": ${HELP}`);
  const key = line.slice(0, eq).trim();
  const value = line.slice(eq + 1).trim();
  if (value === '') throw new SimulationInputError(`--set "${line}": no value after "=": ${HELP}`);
  const env = /^(.+)\.env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(key);
  if (env) return { line, service: env[1] as string, setting: 'env', name: env[2] as string, value };
  const dot = key.lastIndexOf('.');
  const service = dot > 0 ? key.slice(0, dot) : '';
  const setting = key.slice(dot + 1);
  if (service === '' || !(SETTINGS as readonly string[]).includes(setting))
    throw new SimulationInputError(`--set "${line}": "${key}" is not a setting: ${HELP}`);
  return { line, service, setting: setting as SettingName, value };
}

/** CPU cores from a Kubernetes quantity (`500m`, `1`, `2.5`), or null. */
export function cpuCoresOf(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]) / (m[2] === 'm' ? 1000 : 1);
  return n > 0 ? n : null;
}

/** The capacity and call timeouts a prediction runs with, and what `--set` changed. */
export interface ModelSettings {
  /** Per service (Calibration.services' order). */
  capacity: CapacitySettings[];
  /** Per edge (Calibration.edges' order): each attempt's timeout. */
  attemptTimeoutsMs: Array<Array<number | null>>;
  /** Services whose replicas `--set` fixed (their autoscaler is then left out). */
  fixedReplicas: boolean[];
  applied: Array<{ set: string; setting: string; from: string; to: string }>;
}

const set = <T>(value: T, line: string): Setting<T> => ({ value, validity: 'measured', source: `--set ${line}` });
const fmtMs = (t: Array<number | null>) => t.map((x) => (x === null ? 'none' : `${Math.round(x)} ms`)).join(', ');

function must<T>(v: T | null, line: string, what: string): T {
  if (v === null) throw new SimulationInputError(`--set "${line}": the value must be ${what}`);
  return v;
}

/** The calibrated settings with `lines` applied in order; unknown services, settings or values throw SimulationInputError. */
export function applySettings(cal: Calibration, lines: readonly string[]): ModelSettings {
  const capacity = cal.services.map((s) => ({ ...s.capacity, env: { ...s.capacity.env } }));
  const attempts = cal.edges.map((e) => [...e.attemptTimeoutsMs.value]);
  const fixedReplicas = cal.services.map(() => false);
  const applied: ModelSettings['applied'] = [];
  const index = new Map(cal.services.map((s, i) => [s.service, i]));
  const outgoing = (service: string) =>
    cal.edges.flatMap((e, i) =>
      e.caller === service ? [{ edge: i, callee: e.callee, endpoints: e.calleeEndpoints }] : [],
    );
  for (const raw of lines) {
    const l = parseSetLine(raw);
    const at = index.get(l.service);
    if (at === undefined) {
      const known = cal.services.map((s) => s.service).sort();
      throw new SimulationInputError(
        `--set "${raw}": no service "${l.service}" in the calibration window (it saw ${known.length ? known.slice(0, 20).join(', ') : 'no service'}${known.length > 20 ? ', …' : ''})`,
      );
    }
    const cap = capacity[at] as CapacitySettings;
    const mine = outgoing(l.service);
    if (l.setting === 'env') applyEnv(cal, l, at, cap, mine, attempts, applied);
    else if (l.setting === 'replicas') {
      const n = must(wholeNumber(l.value, 1), raw, 'a whole number ≥ 1');
      applied.push({ set: raw, setting: `${l.service} replicas`, from: String(cap.replicas.value), to: String(n) });
      cap.replicas = set(n, raw);
      fixedReplicas[at] = true;
    } else if (l.setting === 'workers') {
      const n = must(wholeNumber(l.value, 1), raw, 'a whole number ≥ 1');
      applied.push({ set: raw, setting: `${l.service} workers`, from: String(cap.workers.value), to: String(n) });
      cap.workers = set(n, raw);
    } else if (l.setting === 'cpu') {
      const cores = must(cpuCoresOf(l.value), raw, 'CPU cores (500m, 1, 2.5)');
      applied.push({
        set: raw,
        setting: `${l.service} CPU limit`,
        from: cap.cpuLimitCores.value === null ? 'none' : `${cap.cpuLimitCores.value} cores`,
        to: `${cores} cores`,
      });
      cap.cpuLimitCores = set(cores, raw);
    } else if (l.setting === 'pool') {
      const n = must(wholeNumber(l.value, 1), raw, 'a whole number ≥ 1');
      if (!cal.services[at]?.leaf)
        throw new SimulationInputError(
          `--set "${raw}": ${l.service} made no call to anything uninstrumented for a pool to hold`,
        );
      applied.push({
        set: raw,
        setting: `${l.service} pool size`,
        from: cap.pool ? String(cap.pool.size.value) : 'none',
        to: String(n),
      });
      cap.pool = cap.pool
        ? { ...cap.pool, size: set(n, raw) }
        : {
            name: 'pool',
            size: set(n, raw),
            queueTimeoutMs: { value: null, validity: 'assumed', source: 'no queue timeout setting' },
          };
    } else if (l.setting === 'timeout') {
      const ms = must(durationMs(l.value), raw, 'a duration (800ms, 2s)');
      if (mine.length === 0) throw new SimulationInputError(`--set "${raw}": ${l.service} calls no other service`);
      for (const { edge } of mine) {
        const t = attempts[edge] as Array<number | null>;
        applied.push({
          set: raw,
          setting: `${l.service} → ${cal.edges[edge]?.callee} timeout`,
          from: fmtMs(t),
          to: `${Math.round(ms)} ms`,
        });
        attempts[edge] = t.map(() => ms);
      }
    } else if (l.setting === 'retries') {
      const n = must(wholeNumber(l.value, 0), raw, 'a whole number ≥ 0');
      if (mine.length === 0) throw new SimulationInputError(`--set "${raw}": ${l.service} calls no other service`);
      for (const { edge } of mine) {
        const t = attempts[edge] as Array<number | null>;
        const first = t.find((x) => x !== null) ?? null;
        if (first === null && n > 0)
          throw new SimulationInputError(
            `--set "${raw}": ${l.service} → ${cal.edges[edge]?.callee} has no timeout, and the model retries after a timeout: set ${l.service}.timeout first`,
          );
        applied.push({
          set: raw,
          setting: `${l.service} → ${cal.edges[edge]?.callee} attempts`,
          from: String(t.length),
          to: String(n + 1),
        });
        attempts[edge] = new Array(n + 1).fill(first);
      }
    }
  }
  return { capacity, attemptTimeoutsMs: attempts, fixedReplicas, applied };
}

/** `service.env.NAME=value`: the env changed, and what the model reads from it re-read. */
function applyEnv(
  cal: Calibration,
  l: Extract<SetLine, { setting: 'env' }>,
  at: number,
  cap: CapacitySettings,
  mine: EdgeNames[],
  attempts: Array<Array<number | null>>,
  applied: ModelSettings['applied'],
): void {
  const raw = l.line;
  const role: EnvRole | null = envRole(l.name);
  if (role === null)
    throw new SimulationInputError(
      `--set "${raw}": the model reads no setting from ${l.name}; it reads pool sizes (*_POOL_SIZE, *_MAX_CONNECTIONS), workers (WEB_CONCURRENCY, *_WORKERS, *_THREADS), timeouts (*_TIMEOUT_MS) and attempts (*_RETRIES, *_ATTEMPTS)`,
    );
  const before = cap.env[l.name];
  const env = { ...cap.env, [l.name]: l.value };
  const read = readEnv(env, mine);
  if (role === 'pool') {
    const size = must(wholeNumber(l.value, 1), raw, 'a pool size (a whole number ≥ 1)');
    if (!cal.services[at]?.leaf)
      throw new SimulationInputError(
        `--set "${raw}": ${l.service} made no call to anything uninstrumented for a pool to hold`,
      );
    const timeout = read.pool?.queueTimeout ?? null;
    cap.pool = {
      name: l.name,
      size: set(size, raw),
      queueTimeoutMs: timeout
        ? { value: timeout.ms, validity: 'measured', source: `${cap.workload ?? 'env'} env ${timeout.name}` }
        : (cap.pool?.queueTimeoutMs ?? { value: null, validity: 'assumed', source: 'no queue timeout setting' }),
    };
  } else if (role === 'workers') {
    cap.workers = set(must(wholeNumber(l.value, 1), raw, 'a worker count (a whole number ≥ 1)'), raw);
  } else if (role === 'timeout') {
    const ms = must(durationMs(l.value, l.name), raw, 'a duration (800, 800ms, 2s)');
    if (cap.pool && read.pool?.queueTimeout?.name === l.name) cap.pool = { ...cap.pool, queueTimeoutMs: set(ms, raw) };
    else {
      const hit = [...read.edges].filter(([, v]) => v.timeout?.name === l.name);
      if (hit.length === 0)
        throw new SimulationInputError(
          `--set "${raw}": ${read.unused.find((u) => u.startsWith(l.name)) ?? `${l.name} names none of ${l.service}'s calls`}`,
        );
      for (const [edge] of hit) {
        const e = cal.edges[edge] as Calibration['edges'][number];
        const old = attempts[edge] as Array<number | null>;
        const first = old.find((x) => x !== null) ?? null;
        // Retries seen keep their backoff: every attempt's timeout scales with the first.
        const next =
          first !== null && e.attemptTimeoutsMs.validity === 'measured' && e.retries.spacingMs.length > 0
            ? old.map((x) => (x === null ? null : (x * ms) / first))
            : attemptTimeouts(e, { timeout: { name: l.name, ms, why: 'set' } }, null, true).value;
        applied.push({ set: raw, setting: `${l.service} → ${e.callee} timeouts`, from: fmtMs(old), to: fmtMs(next) });
        attempts[edge] = next;
      }
    }
  } else {
    const hit = [...read.edges].filter(([, v]) => v.attempts?.name === l.name);
    if (hit.length === 0)
      throw new SimulationInputError(
        `--set "${raw}": ${read.unused.find((u) => u.startsWith(l.name)) ?? `${l.name} names none of ${l.service}'s calls`}`,
      );
    for (const [edge, v] of hit) {
      const old = attempts[edge] as Array<number | null>;
      const first = old.find((x) => x !== null) ?? null;
      if (first === null)
        throw new SimulationInputError(
          `--set "${raw}": ${l.service} → ${cal.edges[edge]?.callee} has no timeout, and the model retries after a timeout`,
        );
      const n = v.attempts?.value ?? 1;
      const next = Array.from({ length: n }, (_, k) => old[Math.min(k, old.length - 1)] ?? first);
      applied.push({
        set: raw,
        setting: `${l.service} → ${cal.edges[edge]?.callee} attempts`,
        from: String(old.length),
        to: String(n),
      });
      attempts[edge] = next;
    }
  }
  if (role === 'pool' || role === 'workers')
    applied.push({ set: raw, setting: `${l.service} env ${l.name}`, from: before ?? 'unset', to: l.value });
  cap.env = env;
}
