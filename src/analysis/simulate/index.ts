// Simulation's pure parts: the calibration from a window's traces, infrastructure and gauges,
// the load model (an open network of M/G/c stations), the failure model (a walk of sampled
// request trees) and their Markdown.
export { calibrate, defaultBlocks, attemptTimeouts } from './calibrate.js';
export type { CalibrationInput, CalibrationOptions } from './calibrate.js';
export { calibrateTraces } from './calibrate-traces.js';
export type { TraceCalibration, TraceCalibrationOptions, TracedEdge, TracedService } from './calibrate-traces.js';
export { capacityOf, cpuCores, cpuDemandOf, ASSUMED_CPU_SHARE } from './capacity.js';
export type { CpuGauge } from './capacity.js';
export { envRole, readEnv, durationMs, wholeNumber, words } from './env-settings.js';
export type { EnvRole, EnvSettings, EdgeEnv, EdgeNames } from './env-settings.js';
export { erlangB, erlangC, station, waitExceeds, sampleWait, serviceTimeFor } from './queueing.js';
export type { StationInput, StationState } from './queueing.js';
export { SimulationInputError, SETTINGS, parseSetLine, applySettings, cpuCoresOf } from './overrides.js';
export type { ModelSettings, SetLine, SettingName } from './overrides.js';
export { pointInputs, bootstrapInputs } from './inputs.js';
export type { ModelInputs, PerRequest } from './inputs.js';
export { prepare, stateAt, drawWait, extraWait, speedOf } from './network.js';
export type { EdgeState, NetworkState, PreparedModel } from './network.js';
export { endpointsAt, errorRateAt } from './endpoints.js';
export type { EndpointState } from './endpoints.js';
export {
  simulateLoad,
  entriesNamed,
  scanFactors,
  SIM_LOAD_ALGORITHM,
  MAX_FACTOR,
  KNEE_RATIO,
  LOAD_ASSUMPTIONS,
} from './load.js';
export type { LoadOptions, LoadRequest } from './load.js';
export {
  simulateFailure,
  failureOutcome,
  SIM_FAILURE_ALGORITHM,
  FAILURE_DEFINITIONS,
  FAILURE_ASSUMPTIONS,
} from './failure.js';
export type { FailureRequest, FailureOptions } from './failure.js';
export { parseFailureMode, describeMode, MAX_SLOW_MS } from './failure-mode.js';
export { walkRequest, walkCall, pathsToFailed } from './failure-walk.js';
export type { WalkSettings, CallResult, WalkTrace } from './failure-walk.js';
export { failureSimulationMarkdown } from './failure-render.js';
export { withImpact } from './failure-impact.js';
export type { ImpactFacts, ImpactTicketFacts } from './failure-impact.js';
export { inputsOf } from './validity.js';
export { loadSimulationMarkdown } from './render.js';
export { simulationMarkdown } from './markdown.js';
export { Random, describe as describeDistribution, quantileSorted } from './stats.js';
export type {
  SimSpan,
  Setting,
  UncertainSetting,
  Distribution,
  BlockSums,
  TreeSample,
  CallNode,
  ServiceTouch,
  EdgeTouch,
  EntryCalibration,
  PoolSettings,
  HpaSettings,
  CapacitySettings,
  CpuDemand,
  ServiceCalibration,
  EdgeCalibration,
  CalibrationWindow,
  Calibration,
} from './types.js';
export { drawSetting } from './types.js';
export { parseWindow, DEFAULT_WINDOW_MS, MIN_WINDOW_MS, MAX_WINDOW_MS } from './request.js';
