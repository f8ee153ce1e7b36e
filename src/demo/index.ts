// The example world: the shop's history, services, load, scenarios, tickets and truth.
export { DemoError, nextSteps, runDemo } from './run.js';
export type { DemoOptions, DemoWorld } from './run.js';
export {
  SCENARIO_NAMES,
  ScenarioError,
  parseDuration,
  planDemo,
  parseScenariosFile,
  selectScenarios,
} from './scenarios.js';
export type { Plan, ScenarioName } from './scenarios.js';
export { memoryOutput, streamOutput } from './progress.js';
export type { DemoOutput } from './progress.js';
export { buildShopRepo, readHistory, HistoryError } from './repo-builder.js';
export type { BuiltRepo, BuiltCommit, HistoryCommit } from './repo-builder.js';
export { TRUTH_VERSION, harmed, scenarioTruth } from './truth.js';
export type { DeployRecord, ScenarioTruth } from './truth.js';
export { shopSourceDir } from './paths.js';
export {
  LoadDriver,
  makePopulation,
  planSession,
  meanRequestsPerSession,
  nextCartBelief,
  beliefFromCart,
} from './load.js';
export type {
  DemoUser,
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
