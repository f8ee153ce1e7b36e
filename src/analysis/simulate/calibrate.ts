// The calibration every simulation starts from: the window's traces (calibrate-traces), the
// services' capacity from their infrastructure and telemetry (capacity), and per call edge its
// attempts' timeouts, from the retries seen in the traces, the services' env, or the latency at
// which its calls fail. Each input keeps whether it was measured or assumed.
import type { InfraResource } from '../../model/index.js';
import { type CpuGauge, capacityOf, cpuDemandOf } from './capacity.js';
import { calibrateTraces } from './calibrate-traces.js';
import type { EdgeEnv, EdgeNames } from './env-settings.js';
import { Random } from './stats.js';
import type { Calibration, CalibrationWindow, EdgeCalibration, ServiceCalibration, Setting, SimSpan } from './types.js';

export interface CalibrationInput {
  spans: readonly SimSpan[];
  window: CalibrationWindow;
  /** Share of the window's traces in `spans` (1: all). */
  sampled: number;
  infra: readonly InfraResource[];
  gauges: readonly CpuGauge[];
  /** Instances per service seen in telemetry (median per minute). */
  instances: ReadonlyMap<string, number>;
  /**
   * When Orrery first received telemetry (absent or null: unknown). A window that begins before
   * it is calibrated from its minute: a rate is requests over the time Orrery was receiving, and
   * counting the minutes before as idle would understate every rate.
   */
  firstTelemetryMs?: number | null;
}

export interface CalibrationOptions {
  /** Request trees kept per entry endpoint and per edge (default 300). */
  sampleSize?: number;
  /** Bootstrap blocks (default: one a minute, 10 to 60). */
  blocks?: number;
  seed?: number;
}

/** Failed calls this alike in duration (p90 within this factor of p10), and slower than the answered, fail at a timeout. */
const TIMEOUT_CLUSTER = 1.25;
const MIN_FAILED_FOR_TIMEOUT = 5;

export function defaultBlocks(windowMs: number): number {
  return Math.min(60, Math.max(10, Math.round(windowMs / 60_000)));
}

/** A timeout this many calls outlived (at least 5, 5% of them), mostly without failing or a retry, is not in force. */
const CONTRADICTED_SHARE = 0.05;

/**
 * The attempts' timeouts of an edge: retries seen, else the caller's env, else the latency its
 * calls fail at, else none. An env timeout the window contradicts — calls outlived it without
 * failing and without a retry — is not used (the running code does not enforce it as set), unless
 * `trust` (a value given by `--set`).
 */
export function attemptTimeouts(
  e: Omit<EdgeCalibration, 'attemptTimeoutsMs'>,
  env: EdgeEnv | undefined,
  where: string | null,
  trust = false,
): Setting<Array<number | null>> {
  const fromEnv = env?.timeout;
  const attemptsEnv = env?.attempts;
  const r = e.retries;
  if (r.spacingMs.length > 0 && r.spacingMs.every((x) => Number.isFinite(x))) {
    const attempts = Math.max(r.maxAttempts, attemptsEnv?.value ?? 0);
    const t: Array<number | null> = [...r.spacingMs];
    while (t.length < attempts - 1) t.push(t[t.length - 1] as number);
    t.length = attempts - 1;
    t.push(null);
    return {
      value: t,
      validity: 'measured',
      source: `retries seen in the traces (${Math.round(r.seen)}), each after the one before ran this long; the last attempt assumed to wait as long as it takes${fromEnv ? ` (${where} env ${fromEnv.name} = ${fromEnv.ms} ms)` : ''}`,
    };
  }
  if (fromEnv && !trust && r.seen === 0) {
    const over = e.samples.filter((x) => x.durationMs > fromEnv.ms);
    const share = e.samples.length ? over.length / e.samples.length : 0;
    if (over.length >= 5 && share >= CONTRADICTED_SHARE && over.filter((x) => x.error).length < over.length / 2)
      return {
        value: [null],
        validity: 'assumed',
        source: `${where} env ${fromEnv.name} = ${fromEnv.ms} ms is not in force: ${Math.round(100 * share)}% of the window's calls ran longer without failing or a retry; no timeout assumed`,
      };
  }
  if (fromEnv) {
    const attempts = attemptsEnv?.value ?? 1;
    return {
      value: new Array(attempts).fill(fromEnv.ms),
      validity: 'measured',
      source: `${where} env ${fromEnv.name} (${fromEnv.why})${attemptsEnv ? `, ${attemptsEnv.name} attempts` : '; no retry seen or set: one attempt'}`,
    };
  }
  const f = e.failedDuration;
  if (f && f.n >= MIN_FAILED_FOR_TIMEOUT && f.p50 > e.duration.p50 && f.p90 <= TIMEOUT_CLUSTER * f.p50 && f.p50 > 0) {
    return {
      value: [f.p50],
      validity: 'measured',
      source: `${f.n} failed calls ended alike, at ${Math.round(f.p50)} ms: taken as the timeout`,
    };
  }
  return {
    value: [null],
    validity: 'assumed',
    source: 'no timeout known (none set, none seen): calls wait as long as it takes',
  };
}

/** Calibrates the simulation from the window's traces, the stored infrastructure and the CPU gauges. */
export function calibrate(input: CalibrationInput, opts: CalibrationOptions = {}): Calibration {
  const asked = input.window;
  const first = input.firstTelemetryMs == null ? null : Math.floor(input.firstTelemetryMs / 60_000) * 60_000;
  const clipped = first !== null && first > asked.startMs && first < asked.endMs;
  const window = clipped ? { startMs: first, endMs: asked.endMs } : asked;
  const windowMs = window.endMs - window.startMs;
  const blocks = opts.blocks ?? defaultBlocks(windowMs);
  const sampleSize = opts.sampleSize ?? 300;
  const random = new Random(opts.seed ?? 1);
  const traced = calibrateTraces(input.spans, window, { sampled: input.sampled, blocks, sampleSize, random });
  const warnings = [...traced.warnings];
  if (clipped)
    warnings.push(
      `the window asked for began at ${new Date(asked.startMs).toISOString()}, before Orrery's first telemetry; it is calibrated from ${new Date(window.startMs).toISOString()}`,
    );
  const windowSec = windowMs / 1000;
  const outgoing = new Map<string, EdgeNames[]>();
  traced.edges.forEach((e, i) => {
    const list = outgoing.get(e.caller) ?? [];
    list.push({ edge: i, callee: e.callee, endpoints: e.calleeEndpoints });
    outgoing.set(e.caller, list);
  });
  const envEdges = new Map<number, { settings: EdgeEnv; where: string | null }>();
  const services: ServiceCalibration[] = traced.services.map((t) => {
    const instances = input.instances.get(t.service) ?? null;
    const { capacity, envEdges: fromEnv } = capacityOf(
      t.service,
      input.infra,
      instances,
      outgoing.get(t.service) ?? [],
      warnings,
    );
    for (const [e, s] of fromEnv) envEdges.set(e, { settings: s, where: capacity.workload });
    if (capacity.pool && !t.leaf)
      warnings.push(
        `${t.service}: ${capacity.pool.name} is set, but the service made no call to anything uninstrumented for a pool to hold`,
      );
    const gauges = input.gauges.filter((g) => g.service === t.service);
    return {
      ...t,
      cpu: cpuDemandOf(t.service, gauges, capacity.cpuLimitCores.value, t.visits / windowSec),
      instances,
      capacity,
    };
  });
  const edges: EdgeCalibration[] = traced.edges.map((e, i) => {
    const env = envEdges.get(i);
    return { ...e, attemptTimeoutsMs: attemptTimeouts(e, env?.settings, env?.where ?? null) };
  });
  return {
    window: traced.window,
    blockMs: traced.blockMs,
    blocks: traced.blocks,
    sampled: traced.sampled,
    traces: traced.traces,
    sampleSize: traced.sampleSize,
    services,
    entries: traced.entries,
    edges,
    warnings,
  };
}
