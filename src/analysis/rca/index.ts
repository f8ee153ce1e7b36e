// Root-cause ranking from per-minute signals: statistical tests, the onset finder and the ranker.
export { rankRootCauses, RCA_ALGORITHM, TESTS as RCA_TESTS } from './rank.js';
export { findOnset } from './onset.js';
export type { Onset, OnsetOptions } from './onset.js';
export {
  benjaminiHochberg,
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
  studentTwoSided,
  studentUpper,
} from './stats.js';
export type { GaugeOptions, TestResult } from './stats.js';
export type {
  EdgeRow,
  ErrorGroupRow,
  MetricRow,
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
