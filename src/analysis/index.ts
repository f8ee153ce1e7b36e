// Pure analysis: plain data in, plain results out, no I/O (checked by the dependency rule).
export { parseTimeArg, TimeArgError, isStorableTime, MIN_TIME_MS, MAX_TIME_MS } from './time-arg.js';
export { TupleMap, TupleSet, tupleKey } from './tuple-map.js';
export type { KeyPart } from './tuple-map.js';
export { calleesOf, downstreamOf } from './service-graph.js';
export { walkCommitRange, COMMIT_RANGE_ALGORITHM } from './commit-range.js';
export type { CommitNode, CommitRangeOptions, CommitRangeWalk } from './commit-range.js';
export { keyedHash, isKeyedHash, normalizeIdentity, identityLabel } from './identity-hash.js';
export {
  extractMentions,
  ticketMentions,
  redactEmails,
  EMAIL_PATTERN,
  routeTemplate,
  routeKey,
  errorTemplate,
  TICKET_MENTIONS_ALGORITHM,
} from './ticket-mentions.js';
export type { ExtractOptions, TicketText } from './ticket-mentions.js';
export {
  languageOf,
  compileQueries,
  extractFromTree,
  CODE_EXTRACTION_ALGORITHM,
  toTemplate,
  parseCodeowners,
  ownersOf,
  codeownersRegex,
  inferServicePaths,
  normalizeServiceName,
  serviceOf,
} from './code/index.js';
export type {
  CodeLanguage,
  CodeQueries,
  CodeownerRule,
  ExtractedCallsite,
  ExtractedRoute,
  ExtractedSymbol,
  FileExtraction,
  ServiceMapInput,
  ServicePath,
  SymbolKind,
} from './code/index.js';
export {
  DDSketch,
  DDSKETCH_ALGORITHM,
  DDSKETCH_MIN_INDEXABLE,
  HyperLogLog,
  HLL_ALGORITHM,
  SketchDecodeError,
} from './sketch/index.js';
export type { DDSketchOptions, DDSketchSummary, HyperLogLogOptions } from './sketch/index.js';
export {
  ERRORS_ALGORITHM,
  DEFAULT_JVM_VENDOR_PACKAGES,
  MAX_FRAMES,
  MAX_STACK_INPUT,
  detectRuntime,
  exceptionFromLog,
  exceptionsFromSpan,
  fingerprintError,
  fingerprintOccurrence,
  isInApp,
  normalizeFrameFile,
  normalizeMessage,
  normalizeSymbol,
  parseStackTrace,
  runtimeFromHint,
  runtimeOfResource,
} from './errors/index.js';
export type {
  ErrorFingerprint,
  ExceptionCause,
  ExceptionOccurrence,
  FingerprintInput,
  FingerprintOptions,
  InAppOptions,
  ParseOptions,
  ParsedStack,
  Runtime,
  StackFrame,
} from './errors/index.js';
export {
  buildCodeIndex,
  buildTicketIndex,
  localizeText,
  rankSimilarTickets,
  tokenize,
  LOCALIZE_ALGORITHM,
  SIMILAR_TICKETS_ALGORITHM,
} from './retrieval/index.js';
export type {
  CodeDocument,
  CodeIndex,
  FileCandidate,
  LocalizeQuery,
  SimilarTicket,
  TicketDocument,
  TicketIndex,
} from './retrieval/index.js';
export {
  addFlowTests,
  rankRootCauses,
  rankTested,
  testSignals,
  RCA_ALGORITHM,
  RCA_TESTS,
  findOnset,
  spanTimes,
  benjaminiHochberg,
  fisherTest,
  gaugeShift,
  mannWhitneyBinned,
  poissonRateTest,
} from './rca/index.js';
export type {
  EdgeRow,
  EdgeTimeRow,
  SelfTimeRow,
  SpanTimes,
  TimedSpan,
  ErrorGroupRow,
  FlowRow,
  MetricRow,
  Onset,
  OnsetOptions,
  PatternRow,
  RcaInput,
  RcaOptions,
  RcaResult,
  RcaSignal,
  RcaTests,
  RankedService,
  RedRow,
  TimeWindow,
} from './rca/index.js';
export * from './investigate/index.js';
export {
  triageProblems,
  sameFault,
  pearson,
  growthOf,
  TRIAGE_ALGORITHM,
  SEVERITY,
  TICKET_WEIGHTS,
} from './triage/index.js';
export type {
  TriageInput,
  TriageOptions,
  TriageResult,
  TriagedProblem,
  ProblemMember,
  TriageErrorGroup,
  TriagePattern,
  TriageTicket,
  Owners,
} from './triage/index.js';
export {
  calibrate,
  simulateLoad,
  loadSimulationMarkdown,
  applySettings,
  parseSetLine,
  entriesNamed,
  SimulationInputError,
  SIM_LOAD_ALGORITHM,
  MAX_FACTOR,
  parseWindow,
  DEFAULT_WINDOW_MS as DEFAULT_SIMULATION_WINDOW_MS,
  MAX_WINDOW_MS as MAX_SIMULATION_WINDOW_MS,
} from './simulate/index.js';
export type {
  Calibration,
  CalibrationInput,
  CalibrationOptions,
  CpuGauge,
  LoadOptions,
  LoadRequest,
  SimSpan,
} from './simulate/index.js';
export {
  SIM_CHANGE_ALGORITHM,
  CodeGraph,
  analyzeChange,
  isTestPath,
  blastRadiusMarkdown,
  buildBlastRadius,
  changedUnits,
  endpointKey,
  fileCode,
  parseUnifiedDiff,
  runtimeView,
  unitId,
  walkCallers,
} from './simulate/change/index.js';
export type {
  BlastErrorGroupFacts,
  BlastPatternFacts,
  BlastProblemFacts,
  BlastRadiusFacts,
  BlastTicketFacts,
  ChangeCodeAnalysis,
  ChangeCodeInput,
  ChangedUnit,
  EndpointTraffic,
  FileCode,
  FileDiff,
  RuntimeUnit,
  RuntimeView,
  TraceLog,
  TraceSpan,
  UnitRef,
  WalkedUnit,
} from './simulate/change/index.js';
export {
  type AuditRow,
  type ChainHead,
  type ChainedFields,
  anchorMac,
  canonicalJson,
  entryHash,
  entryMac,
  genesisHash,
  verifyChain,
} from './audit/chain.js';
// The version registry (./versions.ts) is not re-exported here: it imports redact's id from
// ingest/transforms, which imports this index; import it from 'analysis/versions.js'.
export {
  CHECK_RUN_NAME,
  GITHUB_MAX_ANNOTATIONS,
  GITHUB_MAX_TEXT,
  REVIEW_ALGORITHM,
  RULES as REVIEW_RULES,
  SARIF_SCHEMA,
  buildReview,
  checkRunPlan,
  commentBody,
  commentMarker,
  configChanges,
  measureConfig,
  reachOfChanged,
  remoteCallsInLoops,
  reviewMarkdown,
  reviewSarif,
} from './review/index.js';
export type {
  CheckRunPlan,
  EdgeStat,
  EndpointStat,
  GithubAnnotation,
  LinkedResource,
  Production,
  ReviewChangedFacts,
  RemoteLoopCall,
  ReviewFacts,
  SarifLog,
  SymbolReach,
} from './review/index.js';
