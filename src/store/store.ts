// The Store: the world model and the raw event window behind one object, on either backend.
import {
  ENTITY_KINDS,
  RAW_KINDS,
  type ApiToken,
  type EntityKind,
  type RawKind,
  type StoreStatus,
} from '../model/index.js';
import type { Db } from './db.js';
import { migrate, schemaVersion } from './migrate.js';
import { dropExpiredPartitions, listPartitions } from './partitions.js';
import { openPglite } from './pglite-db.js';
import { openPostgres } from './postgres-db.js';
import { type LogRow, type RawFilter, type SpanRow, queryLogs, querySpans } from './raw-query.js';
import { INGEST_KEY_TTL_MS, type KeyedBatch, RawWriter, type TelemetryBatch } from './raw-writer.js';
import * as sentry from './sentry-store.js';
import type { SentryKey, SentryProject } from './sentry-store.js';
import * as tokens from './tokens.js';
import type { CreateTokenOptions, TokenChangeOptions } from './tokens.js';
import { type AuditEvent, listAudit } from './audit.js';
import { AuditTrail } from './audit-trail.js';

export interface StoreOptions {
  /** A PostgreSQL URL; when absent the embedded store in `dataDir` is used. */
  databaseUrl?: string;
  dataDir: string;
  retentionDays: number;
  poolSize?: number;
  /** The audit key (setting ORRERY_AUDIT_KEY); absent: the data directory's key file, made on first use. */
  auditKey?: string;
}

const TIME_COLUMN: Record<RawKind, string> = { log_record: 'time', span: 'start_time', metric_point: 'time' };

export class Store {
  private readonly writer: RawWriter;

  constructor(
    readonly db: Db,
    readonly retentionDays: number,
    /** The audit chain's key and anchor (a key of its own and no anchor when not given). */
    readonly audit: AuditTrail = AuditTrail.ephemeral(),
  ) {
    this.writer = new RawWriter(db);
  }

  get backend(): Db['backend'] {
    return this.db.backend;
  }

  /** Commits the whole batch in one transaction; resolves only once it is durable. */
  writeTelemetry(batch: TelemetryBatch, receivedAt?: Date): Promise<void> {
    return this.writer.write(batch, receivedAt);
  }

  /** Commits batches in one transaction, each unless its key was committed before; which were stored. */
  writeKeyedTelemetry(parts: readonly KeyedBatch[], receivedAt?: Date): Promise<boolean[]> {
    return this.writer.writeKeyed(parts, receivedAt);
  }

  queryLogs(filter: RawFilter): Promise<LogRow[]> {
    return queryLogs(this.db, filter);
  }

  querySpans(filter: RawFilter): Promise<SpanRow[]> {
    return querySpans(this.db, filter);
  }

  async applyRetention(now: Date = new Date()): Promise<string[]> {
    const dropped = await dropExpiredPartitions(this.db, this.retentionDays, now);
    if (dropped.length) this.writer.resetPartitionCache();
    // Batch keys past any exporter's retries (kept one to two hours, as retention runs hourly).
    await this.db.query('DELETE FROM ingest_key WHERE received_at < $1', [new Date(now.getTime() - INGEST_KEY_TTL_MS)]);
    return dropped;
  }

  async status(): Promise<StoreStatus> {
    const entityCounts = await this.db.query<{ kind: EntityKind; n: number }>(
      ENTITY_KINDS.map((k) => `SELECT '${k}' AS kind, count(*) AS n FROM ${k}`).join(' UNION ALL '),
    );
    const entities = Object.fromEntries(ENTITY_KINDS.map((k) => [k, 0])) as Record<EntityKind, number>;
    for (const r of entityCounts) entities[r.kind] = Number(r.n);
    const partitions = await listPartitions(this.db);
    const raw = {} as StoreStatus['raw'];
    for (const k of RAW_KINDS) {
      const col = TIME_COLUMN[k];
      const rows = await this.db.query<{ n: number; oldest: Date | null; newest: Date | null }>(
        `SELECT count(*) AS n, min(${col}) AS oldest, max(${col}) AS newest FROM ${k}`,
      );
      raw[k] = {
        count: Number(rows[0]?.n ?? 0),
        oldest: rows[0]?.oldest ?? null,
        newest: rows[0]?.newest ?? null,
        partitions: partitions.filter((p) => p.table === k).length,
      };
    }
    return {
      backend: this.db.backend,
      location: this.db.location,
      schemaVersion: await schemaVersion(this.db),
      retentionDays: this.retentionDays,
      entities,
      raw,
    };
  }

  /**
   * Creates a token and its audit row. Direct callers that name no role get `admin`, what
   * every token was before roles; the API and the CLI choose their own defaults.
   */
  async createToken(
    name: string,
    opts: Partial<Omit<CreateTokenOptions, 'auditKey'>> = {},
  ): Promise<{ token: string; record: ApiToken }> {
    const made = await tokens.createToken(this.db, name, {
      role: opts.role ?? 'admin',
      actor: opts.actor ?? 'system',
      auditKey: this.audit.key,
    });
    await this.audit.advance(this.db);
    return made;
  }

  listTokens(): Promise<ApiToken[]> {
    return tokens.listTokens(this.db);
  }

  async revokeToken(idOrName: string, opts: Partial<Omit<TokenChangeOptions, 'auditKey'>> = {}): Promise<ApiToken[]> {
    const revoked = await tokens.revokeToken(this.db, idOrName, {
      actor: opts.actor ?? 'system',
      auditKey: this.audit.key,
    });
    await this.audit.advance(this.db);
    return revoked;
  }

  /** The audit trail, newest first. */
  listAudit(opts: { limit?: number } = {}): Promise<AuditEvent[]> {
    return listAudit(this.db, opts);
  }

  /** A Sentry project and its DSN key, audited (sentry-store). */
  async createSentryProject(
    name: string,
    opts: { actor?: string } = {},
  ): Promise<{ project: SentryProject; key: string; record: ApiToken }> {
    const made = await sentry.createSentryProject(this.db, name, {
      actor: opts.actor ?? 'system',
      auditKey: this.audit.key,
    });
    await this.audit.advance(this.db);
    return made;
  }

  listSentryProjects(): Promise<SentryProject[]> {
    return sentry.listSentryProjects(this.db);
  }

  verifySentryKey(key: string): Promise<SentryKey | null> {
    return sentry.verifySentryKey(this.db, key);
  }

  verifyToken(token: string): Promise<ApiToken | null> {
    return tokens.verifyToken(this.db, token);
  }

  /** Changes whenever any node revokes a token (see tokens.revocationMark). */
  revocationMark(): Promise<string> {
    return tokens.revocationMark(this.db);
  }

  touchToken(id: number): Promise<void> {
    return tokens.touchToken(this.db, id);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** Opens the configured backend and brings its schema up to date. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  const db = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, { poolSize: opts.poolSize })
    : await openPglite(opts.dataDir);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw new Error(`could not migrate the store at ${db.location}: ${(err as Error).message}`);
  }
  let audit: AuditTrail;
  try {
    audit = AuditTrail.open({ dataDir: opts.dataDir, ...(opts.auditKey !== undefined ? { key: opts.auditKey } : {}) });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return new Store(db, opts.retentionDays, audit);
}
