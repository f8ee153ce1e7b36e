// Simulations: read the calibration window's traces, the stored infrastructure, the instances
// telemetry showed and the CPU gauges; calibrate; run the model; store the result. Called alike by
// the server (POST /api/simulations), the CLI through it, the web UI and MCP.
import {
  type Calibration,
  DEFAULT_SIMULATION_WINDOW_MS,
  SIM_LOAD_ALGORITHM,
  SimulationInputError,
  type TimeWindow,
  calibrate,
  parseWindow,
  simulateLoad as predictLoad,
} from '../analysis/index.js';
import type { LoadSimulationRequest, Simulation, SimulationKind, SimulationSummary } from '../model/index.js';
import {
  MAX_WINDOW_SPANS,
  cpuGauges,
  firstTelemetrySeen,
  instancesSeen,
  listInfra,
  readWholeTraces,
  simulationStore,
} from '../store/index.js';
import type { Context } from './context.js';

export { SimulationInputError } from '../analysis/index.js';

/**
 * Spans of the calibration window read at most (about), rca's bound too; past it, traces are
 * sampled by trace id (rates stay unbiased: counts are divided by the share read).
 */
export const SIMULATION_MAX_SPANS = MAX_WINDOW_SPANS;

export interface SimulateLoadInput {
  factor: number;
  /** `service endpoint`, or an endpoint unique among the entries; absent: every entry endpoint. */
  endpoint?: string | null;
  /** `service.setting=value` lines. */
  set?: readonly string[];
  /** The calibration window's length (default 30 min) and end (default now). */
  windowMs?: number;
  until?: Date;
}

export interface SimulateOptions {
  /** Bootstrap replicates behind the intervals (default 30). */
  replicates?: number;
  maxSpans?: number;
  /** Called with how long the reads, the calibration and the model took (ms). */
  onTimings?: (t: { readMs: number; calibrateMs: number; modelMs: number; spans: number }) => void;
}

/**
 * Reads what the calibration needs in `window` and calibrates (from Orrery's first telemetry
 * when the window began before it: see CalibrationInput.firstTelemetryMs).
 */
export async function calibrateWindow(
  ctx: Context,
  window: TimeWindow,
  opts: { maxSpans?: number } = {},
): Promise<{ calibration: Calibration; spans: number; readMs: number; calibrateMs: number }> {
  const t0 = performance.now();
  const db = ctx.store.db;
  const [traces, infra, gauges, instances, first] = await Promise.all([
    readWholeTraces(db, new Date(window.startMs), new Date(window.endMs), {
      maxSpans: opts.maxSpans ?? SIMULATION_MAX_SPANS,
    }),
    listInfra(db),
    cpuGauges(db, window),
    instancesSeen(db, window),
    firstTelemetrySeen(db),
  ]);
  const t1 = performance.now();
  const calibration = calibrate({
    spans: traces.spans,
    window,
    sampled: traces.share,
    infra,
    gauges,
    instances,
    firstTelemetryMs: first?.getTime() ?? null,
  });
  return { calibration, spans: traces.spans.length, readMs: t1 - t0, calibrateMs: performance.now() - t1 };
}

/** `orrery simulate load`: calibrates on the window, predicts at the factor, stores and returns the run. */
export async function simulateLoad(
  ctx: Context,
  input: SimulateLoadInput,
  opts: SimulateOptions = {},
): Promise<Simulation> {
  const windowMs = parseWindow(input.windowMs ?? DEFAULT_SIMULATION_WINDOW_MS);
  const endMs = (input.until ?? new Date()).getTime();
  const window = { startMs: endMs - windowMs, endMs };
  const request: LoadSimulationRequest = {
    kind: 'load',
    factor: input.factor,
    endpoint: input.endpoint ?? null,
    set: [...(input.set ?? [])],
    windowMs,
  };
  const { calibration, spans, readMs, calibrateMs } = await calibrateWindow(ctx, window, opts);
  if (calibration.entries.length === 0)
    throw new SimulationInputError(
      `no trace began between ${new Date(window.startMs).toISOString()} and ${new Date(endMs).toISOString()}: nothing to calibrate on (a longer --window, or an --until when traces arrived)`,
    );
  const t2 = performance.now();
  const result = predictLoad(
    calibration,
    { factor: request.factor, endpoint: request.endpoint, set: request.set },
    { replicates: opts.replicates },
  );
  opts.onTimings?.({ readMs, calibrateMs, modelMs: performance.now() - t2, spans });
  return simulationStore.insertSimulation(ctx.store.db, {
    request,
    result,
    algorithm: SIM_LOAD_ALGORITHM,
    window: result.window,
  });
}

export async function getSimulation(ctx: Context, id: number): Promise<Simulation | null> {
  return simulationStore.getSimulation(ctx.store.db, id);
}

export async function listSimulations(
  ctx: Context,
  opts: { limit: number; kind?: SimulationKind },
): Promise<SimulationSummary[]> {
  return simulationStore.listSimulations(ctx.store.db, opts);
}
