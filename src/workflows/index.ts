// Workflows: what Orrery does, called alike by the server, the CLI, the web UI and MCP.
export type { Context } from './context.js';
export { ingestOtlp } from './ingest-otlp.js';
export type { IngestOptions, IngestResult } from './ingest-otlp.js';
export { ingestSentry } from './ingest-sentry.js';
export type { SentryIngestResult, SentryPayload } from './ingest-sentry.js';
export { searchLogs, searchSpans, MAX_QUERY_LIMIT } from './query-raw.js';
export {
  addRepository,
  getRepository,
  syncRepository,
  hashEmail,
  normalizePrefix,
  CODE_EXTRACTOR,
  CODEOWNERS_PATHS,
  RepoConflictError,
  RepoInputError,
  RepoNotFoundError,
} from './repo-sync.js';
export type { AddRepositoryInput, ServiceMapping, SyncOptions, SyncProgress, SyncResult } from './repo-sync.js';
export { blame, MAX_BLAME_LINES } from './blame.js';
export type { BlameInput, BlameResult } from './blame.js';
export { commitDetail, MAX_PATCH_BYTES } from './commit-detail.js';
export type { CommitDetail } from './commit-detail.js';
export {
  recordDeploy,
  listDeploys,
  showDeploy,
  deployInference,
  commitOf,
  scanBatch,
  DeployInference,
  DeployInputError,
  COMMIT_PATTERN,
} from './deploys.js';
export type { RecordDeployInput } from './deploys.js';
export {
  DEFAULT_BASELINE_MINUTES,
  DEFAULT_SETTLE_MS,
  verifyDeployment,
  verifyRecentDeploys,
} from './deploy-verify.js';
export type { VerifyDeployOptions, VerifyRecentResult } from './deploy-verify.js';
export { importInfra, listInfraResources, defaultSource, InfraImportInputError } from './infra-import.js';
export type { ImportInfraOptions } from './infra-import.js';
export {
  ingestTickets,
  ingestWebhook,
  importTickets,
  getTicket,
  listTickets,
  IngestWriteError,
  IMPORT_CHUNK_SIZE,
  MAX_TICKET_LIST,
} from './tickets.js';
export type {
  IngestTicketsOptions,
  IngestTicketsResult,
  IngestedTicket,
  WebhookResult,
  ImportProgress,
  ImportTicketsOptions,
  ImportTicketsResult,
} from './tickets.js';
export { mineLines, mineFile, MineInputError } from './patterns-mine.js';
export type { MinedLine, MineEmit, MineOptions, MineFileOptions, MineSummary } from './patterns-mine.js';
export { AnalysisPipeline } from './analysis.js';
export type { AnalysisOptions } from './analysis.js';
export {
  listPatterns,
  getPattern,
  listErrorGroups,
  getErrorGroup,
  listServices,
  serviceActivity,
  latencySeries,
  serviceGraph,
  resolveWindow,
  trendOf,
  AnalysisInputError,
  DEFAULT_BUCKETS,
  MAX_BUCKETS,
  MAX_ANALYSIS_LIMIT,
  DEFAULT_WINDOW_MS,
  MAX_WINDOW_MS,
} from './analysis-read.js';
export type {
  Trend,
  WindowQuery,
  AnalysisWindow,
  PatternQuery,
  PatternSummary,
  PatternDetail,
  PatternSample,
  PatternList,
  PatternShow,
  ErrorQuery,
  ErrorFrame,
  ErrorSample,
  ErrorGroupSummary,
  ErrorGroupDetail,
  ErrorGroupList,
  ErrorGroupShow,
  ServiceQuery,
  Latency,
  EdgeSummary,
  EndpointSummary,
  ServiceSummary,
  ServiceActivity,
  ServiceList,
  ServiceNode,
  ServiceGraph,
  LatencySeries,
} from './analysis-read.js';
export { investigate, InvestigationInputError, InvestigationNotFoundError } from './investigate.js';
export type { InvestigateOptions, Narrator } from './investigate.js';
export { narrate, llmSettings, LLM_MAX_TOKENS } from './narrate.js';
export type { LlmSettings, NarrateOptions, NarrateResult } from './narrate.js';
export {
  triage,
  listProblems,
  getProblem,
  DEFAULT_TRIAGE_LIMIT,
  DEFAULT_TRIAGE_WINDOW_MS,
  MAX_TRIAGE_BUCKETS,
} from './triage.js';
export type {
  TriageOptions as TriageRunOptions,
  TriageRun,
  ProblemListQuery,
  QueuedProblem,
  SuspectedDeploy,
} from './triage.js';
export {
  simulateLoad,
  calibrateWindow,
  getSimulation,
  listSimulations,
  SimulationInputError,
  SIMULATION_MAX_SPANS,
} from './simulate.js';
export type { SimulateLoadInput, SimulateOptions } from './simulate.js';
export { simulateFailure, FAILURE_PEOPLE_LOOKBACK_MS } from './simulate-failure.js';
export type { SimulateFailureInput } from './simulate-failure.js';
export {
  blastRadius,
  blastRadiusMarkdown,
  simulateChange,
  parseRange,
  ChangeInputError,
  ChangeNotFoundError,
} from './simulate-change.js';
export { runChangeSimulation } from './simulate-change-run.js';
export type { BlastRadiusInput, BlastRadiusOptions, ChangeSubject } from './simulate-change.js';
export { reviewChange, reviewFacts } from './review.js';
export type { ReviewInput, ReviewOptions } from './review.js';
export { GithubClient, GithubError, appJwt } from './github-client.js';
export type { GithubAuth, GithubClientOptions } from './github-client.js';
export {
  GithubConfigError,
  acceptPullRequestDelivery,
  deliverReview,
  githubAuth,
  pullRequestEvent,
  reviewPullRequest,
} from './review-github.js';
export type { Delivery, PullRequestDeliveryOptions, PullRequestEvent, PullRequestTarget } from './review-github.js';
export { auditEntries, exportAudit, verifyAudit } from './audit.js';
export { propose, planOn, ProposalInputError, ProposalNotFoundError } from './propose.js';
export type { ManualAction, ProposeRequest, ProposeOptions, ProposeResult } from './propose.js';
export {
  listProposals,
  getProposal,
  decide,
  executeProposal,
  recoverExecutions,
  undoProposal,
  expireDue,
  ProposalRefusedError,
} from './proposals.js';
export type { Decider } from './proposals.js';
export type { Remediation } from './context.js';
export { WATCHED_KINDS, watchOutcome, watchRecentOutcomes } from './proposal-outcome.js';
export type { WatchOutcomeOptions } from './proposal-outcome.js';
export { readAnswerWorld } from './answer-world.js';
export type { AnswerWorldOptions, AnswerWorldRead } from './answer-world.js';
export { explain, explainMarkdown, ExplainTargetError, MAX_TARGET_CHARS } from './explain.js';
export { ask, askMarkdown, proseAnswer, AskInputError, MAX_QUESTION_CHARS } from './ask.js';
export type { AskOptions } from './ask.js';
export { notifyApprovers } from './proposal-notices.js';
export type { NotifyOptions, NotifyResult } from './proposal-notices.js';
