// sim-change@1, a change's blast radius: diff hunks → changed units (code-facts, changed),
// the walk up static callers (resolve, walk), the runtime view from sampled traces (runtime),
// exposed endpoints and services (exposure), the whole result (blast-radius) and its Markdown.
export type {
  ChangedUnit,
  CodeRef,
  CodeUnit,
  DiffHunk,
  FileCode,
  FileDiff,
  FileStatus,
  ImportBinding,
  LogSite,
  ReExport,
  RouteFacts,
  UnitKind,
} from './types.js';
export { parseUnifiedDiff, unquotePath } from './diff.js';
export { fileCode, unitAtLine } from './code-facts.js';
export { type ChangeLanguage, changeLanguage } from './syntax.js';
export { changedUnits } from './changed.js';
export { type ChangeCodeAnalysis, type ChangeCodeInput, analyzeChange, isTestPath } from './analyze.js';
export { CodeGraph, type UnitRef } from './resolve.js';
export { type CallerWalk, type ReachedUnit, type WalkOptions, callerIndex, unitId, walkCallers } from './walk.js';
export {
  type CodeAttributes,
  type EvidenceKind,
  type RuntimeEndpoint,
  type RuntimeEvidence,
  type RuntimeUnit,
  type RuntimeView,
  type TraceLog,
  type TraceSpan,
  endpointKey,
  runtimeView,
} from './runtime.js';
export { type EndpointTraffic, type Exposure, type ExposureInput, type WalkedUnit, exposure } from './exposure.js';
export {
  type BlastRadiusFacts,
  type BlastErrorGroupFacts,
  type BlastPatternFacts,
  type BlastProblemFacts,
  type BlastTicketFacts,
  SIM_CHANGE_ALGORITHM,
  buildBlastRadius,
} from './blast-radius.js';
export { blastRadiusMarkdown } from './render.js';
