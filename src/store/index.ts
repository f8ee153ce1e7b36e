// The store's public surface.
export { Store, openStore } from './store.js';
export type { StoreOptions } from './store.js';
export type { Db, Queryable, Row } from './db.js';
export type { KeyedBatch, TelemetryBatch } from './raw-writer.js';
export type { RawFilter, LogRow, SpanRow } from './raw-query.js';
export { AbandonedBatchError, BatchWriter, OverloadedError, mergeBatches } from './batch-writer.js';
export type { BatchWriterOptions, SubmitOptions } from './batch-writer.js';
export { DataDirLockedError } from './lock.js';
export {
  InvalidTokenNameError,
  InvalidTokenRoleError,
  TokenNameTakenError,
  hashToken,
  tokenNameProblem,
} from './tokens.js';
export type { CreateTokenOptions, TokenChangeOptions } from './tokens.js';
export { SentryProjectError, SentryProjectTakenError, sentryProjectNameProblem } from './sentry-store.js';
export type { SentryKey, SentryProject } from './sentry-store.js';
export type { AuditEvent, AuditWrite } from './audit.js';
export { auditEntryOf, readAuditRows, recordAudit } from './audit.js';
export { AUDIT_ANCHOR_FILE, AUDIT_KEY_FILE, AuditKeyError, AuditTrail } from './audit-trail.js';
export { listPartitions, partitionName } from './partitions.js';
export { MIGRATIONS } from './migrations/index.js';
export { redactUrl } from './postgres-db.js';
// The code part of the world model, as one namespace: codeStore.writeFiles(tx, …) and so on.
import * as codeStore from './code-store.js';
import * as rpcStore from './rpc-store.js';
export { codeStore, rpcStore };
export type { RpcRecord } from './rpc-store.js';
export type {
  RepositoryRecord,
  RepositorySummary,
  ServicePathRecord,
  CodeownerRuleRecord,
  StoredFile,
  FileWrite,
  CommitInput,
  FileRecord,
  SymbolRecord,
  RouteRecord,
  CallsiteRecord,
  CommitRecord,
} from './code-store.js';
export {
  recordDeploy,
  inferDeploy,
  listDeploys,
  getDeploy,
  commitRange,
  touchServices,
  knownServiceNames,
  firstDeployOf,
} from './deploy-store.js';
export type { DeployWrite, RangeOptions, ServiceSighting } from './deploy-store.js';
export { replaceInfraSource, listInfra, workloadsOutside } from './infra-store.js';
export type { InfraWrite, InfraFilter } from './infra-store.js';
// Tickets, their mentions and links, as one namespace: ticketStore.saveTickets(tx, …) and so on.
import * as ticketStore from './ticket-store.js';
export { ticketStore };
export type { TicketRow, TicketFilter, TicketSummary } from './ticket-store.js';
// Investigations: one row per run, re-runs chained with their diff.
import * as investigationStore from './investigation-store.js';
export { investigationStore };
export type { InvestigationSummary } from './investigation-store.js';
export {
  dependencyScope,
  downstreamScopes,
  failedAtEntry,
  flowSignals,
  hurtUsers,
  minuteSignals,
  serviceMinutes,
  servicesOnEndpointTraces,
} from './signal-query.js';
export { versionBuckets, versionMinutes } from './version-query.js';
export {
  serviceTotals,
  storeVerification,
  storedVerification,
  unverifiedDeploys,
  verifyFacts,
} from './verify-query.js';
export type { VerifyRead } from './verify-query.js';
// Problems (triage@1): upserted by key, tickets pointed at them, owners.
import * as problemStore from './problem-store.js';
export { problemStore };
export type {
  Problem,
  ProblemDetail,
  ProblemStatus,
  ProblemTicket,
  ProblemFilter,
  OwnerQuery,
} from './problem-store.js';
export type { MinuteSignals, PatternMerges, SignalBuckets } from './signal-query.js';
export { MAX_WINDOW_SPANS, readWholeTraces, spanTimeSignals } from './span-time-query.js';
export { MAX_MINUTE_SPANS, rollUpSpanTimes } from './span-time-rollup.js';
export type { RollupStats } from './span-time-rollup.js';
export type { SpanTimeSignals, WindowSpan } from './span-time-query.js';
export { cpuGauges, instancesSeen } from './simulation-query.js';
// Simulations: one row per run with its request, result, algorithm and calibration window.
import * as simulationStore from './simulation-store.js';
export { simulationStore };
export type { SimulationWrite } from './simulation-store.js';
// Remediation proposals (propose@1): the row, the decisions, the execution's claim.
import * as proposalStore from './proposal-store.js';
export { proposalStore };
export type { ProposalWrite, ProposalFilter } from './proposal-store.js';
export { SPAN_ROUTE_KEY_SQL } from './migrations/004-tickets.js';
export { EMAIL_HASH_KEY, instanceSecret } from './instance-secret.js';
export { writeAnalysisDelta, loadPatternSeeds } from './analysis-writer.js';
export { dataErrorClass, sqlState } from './sql-error.js';
export { autovacuums, compactMinutes, vacuumMinutes } from './minute-compaction.js';
export type { CompactionStats } from './minute-compaction.js';
export {
  bytesOf,
  patternsInWindow,
  patternsByKey,
  resolvePattern,
  patternWindow,
  patternVersions,
  errorGroupsInWindow,
  errorGroupsByFingerprint,
  errorGroupWindow,
  errorVersions,
  redInWindow,
  edgesInWindow,
  firstTelemetrySeen,
  serviceFirstSeen,
} from './analysis-query.js';
export type {
  MinuteWindow,
  MinuteAggregate,
  StoredPattern,
  PatternFilter,
  PatternWindow,
  StoredErrorGroup,
  ErrorGroupFilter,
  ErrorGroupWindow,
  VersionCount,
  EndpointWindow,
  EdgeWindow,
} from './analysis-query.js';
// A change's blast radius (sim-change@1): sampled traces, their logs, and what touches them.
import * as blastRadiusQuery from './blast-radius-query.js';
export { blastRadiusQuery };
export type { ErrorGroupRow, OpenTicketRow, SampledLog, SampledSpan } from './blast-radius-query.js';
// A pull-request review (review@1): past suspects and recent authors of the changed files.
export { authorNamesOfHashes, recentAuthors, suspectFileCounts } from './review-query.js';
export { dataDirLockHolder, embeddedStoreExists, inspectStore } from './inspect.js';
export type { StoreInspection } from './inspect.js';
