// Streaming aggregation of telemetry into patterns, error groups, RED minutes and the service graph.
export {
  StreamAnalyzer,
  DEFAULT_LIMITS,
  OVERFLOW_KEY,
  OTHER_ENDPOINT,
  RED_ALGORITHM,
  GRAPH_ALGORITHM,
  PATTERNS_ALGORITHM,
  ERRORS_ALGORITHM,
  levelOf,
} from './stream-analyzer.js';
export type {
  AnalysisDelta,
  AnalyzerLimits,
  EdgeMinute,
  ErrorGroupUpdate,
  ErrorSample,
  KeyMinute,
  OverflowCounts,
  PatternMerge,
  PatternSample,
  PatternUpdate,
  RedMinute,
} from './stream-analyzer.js';
export { groupException } from './group-exception.js';
export { LogFlows, DEFAULT_MAX_FLOW_SPANS } from './log-flow.js';
export type { FlowMinute } from './log-flow.js';
export { logCallSite } from './log-call-site.js';
export type { ExceptionGroup } from './group-exception.js';
export { deltaRows, halveDelta, splitDeltaByService } from './delta-parts.js';
