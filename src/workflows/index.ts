// Workflows: what Orrery does, called alike by the server, the CLI, the web UI and MCP.
export type { Context } from './context.js';
export { ingestOtlp } from './ingest-otlp.js';
export type { IngestResult } from './ingest-otlp.js';
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
export { importInfra, listInfraResources, defaultSource, InfraImportInputError } from './infra-import.js';
export type { ImportInfraOptions } from './infra-import.js';
export { ingestTickets, ingestWebhook, importTickets, getTicket, listTickets, MAX_TICKET_LIST } from './tickets.js';
export type {
  IngestTicketsOptions,
  IngestTicketsResult,
  IngestedTicket,
  WebhookResult,
  ImportProgress,
  ImportTicketsOptions,
  ImportTicketsResult,
} from './tickets.js';
