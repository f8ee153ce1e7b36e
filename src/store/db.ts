// The one SQL seam: both backends (embedded PGlite and a PostgreSQL server) implement
// this, and everything above it speaks PostgreSQL's dialect through it.

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs several statements with no parameters. */
  exec(sql: string): Promise<void>;
  /** COPY `table (columns)` FROM text format rows (tab separated, \N for null, newline ended). */
  copyFrom(table: string, columns: readonly string[], text: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly backend: 'pglite' | 'postgres';
  /** Where the data lives: a data directory or a redacted connection URL. */
  readonly location: string;
  /** How many transactions can usefully run at once (1 for PGlite's single connection). */
  readonly concurrency: number;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Memory a sort or hash of one session may use before it spills to disk. An investigation
 * sorts and groups a few hundred thousand minute rows: with PostgreSQL's 4 MB default they
 * spill (external merge, hash batches written to disk), which costs more than the grouping.
 */
export const WORK_MEM = '64MB';
