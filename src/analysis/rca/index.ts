// Root-cause ranking from per-minute signals: statistical tests, the onset finder and the ranker.
export {
  addFlowTests,
  rankRootCauses,
  rankTested,
  statementRows,
  testSignals,
  RCA_ALGORITHM,
  TESTS as RCA_TESTS,
} from './rank.js';
export type { RcaTests } from './rank.js';
export { findOnset } from './onset.js';
export type { Onset, OnsetOptions } from './onset.js';
export {
  benjaminiHochberg,
  binomialDispersion,
  deflate,
  binomialLower,
  binomialUpper,
  discreteFamily,
  fisherMinP,
  fisherTest,
  mannWhitneyBinned,
  mannWhitneyMinP,
  normalSf,
  poissonMinP,
  poissonRateTest,
  gaugeShift,
  headroomScale,
  studentTwoSided,
  studentUpper,
} from './stats.js';
export type { GaugeOptions, TestResult } from './stats.js';
export type {
  EdgeRow,
  ErrorGroupRow,
  MetricRow,
  FlowRow,
  PatternRow,
  RankedService,
  RcaInput,
  RcaOptions,
  RcaResult,
  RcaSignal,
  RedRow,
  SignalKind,
  TimeWindow,
} from './types.js';
