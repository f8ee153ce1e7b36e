// The example world: the shop's history, services, load, scenarios, tickets and truth.
export { DemoError, nextSteps, runDemo } from './run.js';
export type { DemoOptions, DemoWorld } from './run.js';
export { Api, DEMO_VERIFY_WATCH_MINUTES, FLUSH_MS, headManifests, settableServices, startWorld } from './world.js';
export type { World, WorldOptions } from './world.js';
export { SettingError, applySettings, parseSettings, settingsFlags } from './settings.js';
export type { ServiceSettings, SettableService, ShopSettings } from './settings.js';
export { cpuMillicores, readManifest } from './manifest.js';
export type { HpaPolicy, Manifest } from './manifest.js';
export { HPA_SYNC_MS, hpaStep } from './hpa.js';
export type { HpaStep, Recommendation } from './hpa.js';
export { CPU_PERIOD_MS, CpuGovernor, cpuLimitsSupported } from './cpu-governor.js';
export type { ThrottleStats } from './cpu-governor.js';
export { busyShare, hostCpuTimes, processCpuMs } from './proc-stat.js';
export type { HostCpuTimes } from './proc-stat.js';
export { SHOP_SERVICES, Supervisor, stopChild } from './supervisor.js';
export type { InjectedFailure, ReplicaSnapshot, Running, ShopService, Staged } from './supervisor.js';
export { ServiceProxy } from './proxy.js';
export { endpointStats } from './load-stats.js';
export type { EndpointStats } from './load-stats.js';
export {
  SCENARIO_NAMES,
  ScenarioError,
  parseDuration,
  planDemo,
  parseScenariosFile,
  selectScenarios,
} from './scenarios.js';
export type { FixSpec, Plan, RightFixSpec, ScenarioName } from './scenarios.js';
export { memoryOutput, streamOutput } from './progress.js';
export type { DemoOutput } from './progress.js';
export { buildShopRepo, latestHistoryFile, readHistory, HistoryError } from './repo-builder.js';
export type { BuiltRepo, BuiltCommit, HistoryCommit } from './repo-builder.js';
export { TRUTH_VERSION, harmed, scenarioTruth } from './truth.js';
export type { DeployRecord, RightFix, RightFixAction, ScenarioTruth } from './truth.js';
export { shopSourceDir } from './paths.js';
export {
  ENTRY_ENDPOINTS,
  LoadDriver,
  endpointOf,
  makePopulation,
  planSession,
  meanRequestsPerSession,
  nextCartBelief,
  beliefFromCart,
} from './load.js';
export type {
  DemoUser,
  EntryEndpoint,
  LoadOptions,
  LoadStats,
  Observation,
  SessionPlan,
  SessionStep,
  CartBelief,
  CartEvent,
  Action,
  ThinkTime,
} from './load.js';
export { scenarioTickets, noiseTickets, renumberTickets, ticketCatalog, parseTicketCatalog } from './tickets.js';
export type { DemoTicket, TicketOptions, TicketCatalog } from './tickets.js';
export { Prng, seedOf } from './prng.js';
