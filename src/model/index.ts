// The model: plain types shared by every layer. No behaviour, no I/O.
export type {
  AttributeValue,
  Attributes,
  Scope,
  SemanticFields,
  LogRecord,
  SpanEvent,
  SpanLink,
  Span,
  MetricKind,
  MetricPoint,
  DecodedBatch,
  Signal,
  LogRow,
  SpanRow,
} from './telemetry.js';
export { SpanKind, StatusCode } from './telemetry.js';
export { ENTITY_KINDS, RAW_KINDS, TOKEN_ROLES } from './entities.js';
export type { EntityKind, RawKind, ApiToken, StoreStatus, TokenRole } from './entities.js';
export type {
  Deploy,
  DeploySource,
  DeployFilter,
  CommitFileChange,
  RangeCommit,
  CommitRange,
  DeployDetail,
} from './deploys.js';
export type {
  ResourceAmounts,
  ContainerSpec,
  WorkloadSpec,
  HpaMetricTarget,
  HpaMetric,
  HpaSpec,
  ServicePort,
  ServiceSpec,
  GenericSpec,
  InfraSpec,
  ServiceLink,
  InfraResourceInput,
  InfraResource,
  InfraImportResult,
} from './infra.js';
export { MENTION_KINDS } from './tickets.js';
export type {
  TicketStatus,
  TicketCommentInput,
  TicketInput,
  MentionKind,
  Mention,
  MentionField,
  TicketMention,
  TicketComment,
  Ticket,
  TicketLinkTarget,
  TicketLink,
  TicketDetail,
  TicketSummary,
} from './tickets.js';
export { INVESTIGATE_ALGORITHM, INVESTIGATE_ALGORITHMS } from './investigation.js';
export type { InvestigateAlgorithm, InvestigationAlgorithms } from './investigation.js';
export {
  EVIDENCE_KINDS,
  SIGNAL_KINDS,
  FINDING_KINDS,
  evidenceSchema,
  findingSchema,
  findingData,
  rcaSignalData,
  usersFailedData,
  locationSourceData,
} from './findings.js';
export { findingsOf, isRcaSignal } from './finding-reads.js';
export type {
  EvidenceKind,
  Evidence,
  SignalKind,
  Finding,
  FindingKind,
  FindingOf,
  FindingData,
  FindingDraft,
  RcaSignalData,
  UsersFailedData,
  LocationSourceData,
  BlamedLineData,
  RelatedTicketsData,
  SignalData,
  RootCauseData,
  ChangeData,
  CodeLocationData,
  SuspectCommitData,
  ImpactData,
  LoadChangeData,
  NextStepData,
} from './findings.js';
export { investigationSchema, investigationResultSchema, investigationJsonSchema } from './investigation-schema.js';
export type {
  InvestigationSubject,
  PriorityScore,
  InvestigationResult,
  Investigation,
  InvestigationDiff,
  InvestigationSummary,
} from './investigation.js';
export type {
  Trend,
  SlotType,
  TemplateSlot,
  VersionCount,
  AnalysisWindow,
  PatternSample,
  PatternSummary,
  PatternDetail,
  PatternList,
  PatternShow,
  ErrorFrame,
  ErrorSample,
  ErrorGroupSummary,
  ErrorGroupDetail,
  ErrorGroupList,
  ErrorGroupShow,
  Latency,
  EdgeSummary,
  EndpointSummary,
  ServiceSummary,
  ServiceList,
  ServiceNode,
  ServiceGraph,
  ServiceActivity,
  LatencySeries,
} from './analysis-api.js';
export type { CommitRecord, CommitDetail, BlameLine, BlameResult } from './code-api.js';
export type {
  TriageTrend,
  MemberKind,
  ProblemMember,
  TriagedProblem,
  ProblemStatus,
  Problem,
  ProblemTicket,
  ProblemDetail,
  SuspectedDeploy,
  QueuedProblem,
  QueuedProblemDetail,
} from './problems.js';
export type { Json } from './json.js';
