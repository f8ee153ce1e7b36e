// Root-cause ranking from per-minute signals: statistical tests, the onset finder and the ranker.
export { rankRootCauses, rankTested, RCA_ALGORITHM } from './rank.js';
export { addFlowTests, statementRows, testSignals, TESTS as RCA_TESTS } from './tests/index.js';
export type { RcaTests } from './tests/index.js';
export { findOnset } from './onset.js';
export { answers, coveredMs, spanTimes, spanWalk } from './span-times.js';
export type { SpanCall, SpanTimes, SpanTree, SpanVisit, SpanWalk, TimedSpan } from './span-times.js';
export { attributeEdgeTimes, edgeEnds } from './attribution.js';
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
  EdgeTimeRow,
  SelfTimeRow,
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
