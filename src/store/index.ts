// The store's public surface.
export { Store, openStore } from './store.js';
export type { StoreOptions } from './store.js';
export type { Db, Queryable, Row } from './db.js';
export type { TelemetryBatch } from './raw-writer.js';
export type { RawFilter, LogRow, SpanRow } from './raw-query.js';
export { BatchWriter, OverloadedError } from './batch-writer.js';
export type { BatchWriterOptions } from './batch-writer.js';
export { DataDirLockedError } from './lock.js';
export { InvalidTokenNameError, TokenNameTakenError, hashToken, tokenNameProblem } from './tokens.js';
export { listPartitions, partitionName } from './partitions.js';
export { MIGRATIONS } from './migrations/index.js';
export { redactUrl } from './postgres-db.js';
