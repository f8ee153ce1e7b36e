// Writes normalized telemetry into the raw, partitioned tables with COPY, in one
// transaction per call: either the whole batch is committed or none of it is.
import { createHash } from 'node:crypto';
import type { Attributes, LogRecord, MetricPoint, Scope, Span } from '../model/index.js';
import * as c from './copy-text.js';
import type { Db, Queryable } from './db.js';
import { dayStart, ensureDayPartitions } from './partitions.js';

export interface TelemetryBatch {
  logs: LogRecord[];
  spans: Span[];
  metrics: MetricPoint[];
}

/**
 * A batch with its idempotency key (a hash of what the client sent), or null for a batch that
 * has none: a batch whose key was committed before is a client's retry and is not stored again.
 */
export interface KeyedBatch {
  batch: TelemetryBatch;
  key: string | null;
}

/** How long a committed batch's key is kept at least (longer than any exporter retries one batch). */
export const INGEST_KEY_TTL_MS = 3_600_000;

const LOG_COLUMNS = [
  'received_at',
  'time',
  'observed_time',
  'service',
  'service_version',
  'environment',
  'severity_number',
  'severity_text',
  'body',
  'event_name',
  'trace_id',
  'span_id',
  'user_id',
  'account_id',
  'flags',
  'attributes',
  'resource_hash',
] as const;

const SPAN_COLUMNS = [
  'received_at',
  'trace_id',
  'span_id',
  'parent_span_id',
  'trace_state',
  'name',
  'kind',
  'start_time',
  'end_time',
  'duration_ns',
  'status_code',
  'status_message',
  'service',
  'service_version',
  'environment',
  'http_route',
  'user_id',
  'account_id',
  'attributes',
  'events',
  'links',
  'resource_hash',
] as const;

const METRIC_COLUMNS = [
  'received_at',
  'time',
  'start_time',
  'service',
  'service_version',
  'environment',
  'name',
  'description',
  'unit',
  'kind',
  'temporality',
  'monotonic',
  'value',
  'count',
  'detail',
  'attributes',
  'resource_hash',
] as const;

const KNOWN_SETS_LIMIT = 50_000;

/** Resource+scope pairs are shared by reference within a decoded batch; hash each pair once. */
class ResourceSets {
  readonly pending = new Map<string, { resource: Attributes; scope: Scope }>();
  private readonly byRef = new Map<Attributes, Map<Scope, string>>();

  // Records of one scope are contiguous, so the last pair answers most lookups.
  private lastResource: Attributes | null = null;
  private lastScope: Scope | null = null;
  private lastHash = '';

  constructor(private readonly known: Set<string>) {}

  hash(resource: Attributes, scope: Scope): string {
    if (resource === this.lastResource && scope === this.lastScope) return this.lastHash;
    let inner = this.byRef.get(resource);
    if (!inner) {
      inner = new Map();
      this.byRef.set(resource, inner);
    }
    let h = inner.get(scope);
    if (h === undefined) {
      h = createHash('sha1')
        .update(c.safeJson([resource, scope]))
        .digest('hex');
      inner.set(scope, h);
      if (!this.known.has(h)) this.pending.set(h, { resource, scope });
    }
    this.lastResource = resource;
    this.lastScope = scope;
    this.lastHash = h;
    return h;
  }
}

export class RawWriter {
  private readonly knownSets = new Set<string>();
  private readonly knownDays = new Set<number>();

  constructor(private readonly db: Db) {}

  async write(batch: TelemetryBatch, receivedAt: Date = new Date()): Promise<void> {
    await this.writeKeyed([{ batch, key: null }], receivedAt);
  }

  /**
   * Commits the batches in one transaction, each unless its key was committed before (by this
   * node or another on the same database) or comes earlier in `parts`; says which were stored.
   */
  async writeKeyed(parts: readonly KeyedBatch[], receivedAt: Date = new Date()): Promise<boolean[]> {
    const day = dayStart(receivedAt).getTime();
    if (!this.knownDays.has(day)) {
      await ensureDayPartitions(this.db, receivedAt);
      this.knownDays.add(day);
    }
    const keys = [...new Set(parts.flatMap((p) => (p.key === null ? [] : [p.key])))];
    const recv = receivedAt.toISOString();
    const recvNs = receivedAt.getTime() * 1e6;
    let sets = new ResourceSets(this.knownSets);
    const stored = await this.db.transaction(async (tx) => {
      const fresh = new Set<string>();
      if (keys.length > 0) {
        const rows = await tx.query<{ key: string }>(
          `INSERT INTO ingest_key (key, received_at)
           SELECT k, $2::timestamptz FROM jsonb_array_elements_text($1::jsonb) AS k
           ON CONFLICT (key) DO NOTHING RETURNING key`,
          [JSON.stringify(keys), recv],
        );
        for (const r of rows) fresh.add(r.key);
      }
      const stored = parts.map((p) => p.key === null || fresh.delete(p.key));
      const kept = parts.filter((_, i) => stored[i]);
      // Encoded here, so a retried part is never encoded (a transaction that is retried starts afresh).
      sets = new ResourceSets(this.knownSets);
      const logs = encodeLogs(
        kept.flatMap((p) => p.batch.logs),
        recv,
        recvNs,
        sets,
      );
      const spans = encodeSpans(
        kept.flatMap((p) => p.batch.spans),
        recv,
        recvNs,
        sets,
      );
      const metrics = encodeMetrics(
        kept.flatMap((p) => p.batch.metrics),
        recv,
        recvNs,
        sets,
      );
      await insertResourceSets(tx, sets);
      await tx.copyFrom('log_record', LOG_COLUMNS, logs);
      await tx.copyFrom('span', SPAN_COLUMNS, spans);
      await tx.copyFrom('metric_point', METRIC_COLUMNS, metrics);
      return stored;
    });
    if (this.knownSets.size > KNOWN_SETS_LIMIT) this.knownSets.clear();
    for (const h of sets.pending.keys()) this.knownSets.add(h);
    return stored;
  }

  /** Forget cached partition days, e.g. after retention dropped some. */
  resetPartitionCache(): void {
    this.knownDays.clear();
  }
}

async function insertResourceSets(tx: Queryable, sets: ResourceSets): Promise<void> {
  if (sets.pending.size === 0) return;
  const values: string[] = [];
  const params: unknown[] = [];
  for (const [hash, { resource, scope }] of sets.pending) {
    const i = params.length;
    values.push(`($${i + 1}, $${i + 2}::jsonb, $${i + 3}::jsonb)`);
    params.push(hash, c.safeJson(resource), c.safeJson(scope));
  }
  await tx.query(
    `INSERT INTO resource_set (hash, resource, scope) VALUES ${values.join(', ')} ON CONFLICT (hash) DO NOTHING`,
    params,
  );
}

// Each encoder writes the columns in the order of its *_COLUMNS list above. A row is one
// template literal and the rows are joined once at the end: measured faster, and with
// less garbage, than appending every row (or every column) to a single string, or
// joining per-column parts.

function ts(ns: number, fallbackNs: number): string {
  return c.timestampNs(c.validNs(ns) ? ns : fallbackNs);
}

function encodeLogs(records: LogRecord[], recv: string, recvNs: number, sets: ResourceSets): string {
  const rows: string[] = [];
  for (const r of records) {
    const observed = c.validNs(r.observedTimeUnixNano) ? r.observedTimeUnixNano : recvNs;
    rows.push(
      `${recv}\t${ts(r.timeUnixNano, observed)}\t${c.timestampNs(observed)}\t${c.text(r.service)}\t${c.text(
        r.serviceVersion,
      )}\t${c.text(r.environment)}\t${c.int(clampSmallint(r.severityNumber))}\t${c.text(r.severityText)}\t${c.text(
        r.body,
      )}\t${c.text(r.eventName || null)}\t${c.text(r.traceId)}\t${c.text(r.spanId)}\t${c.text(r.userId)}\t${c.text(
        r.accountId,
      )}\t${c.int(r.flags | 0)}\t${c.json(r.attributes)}\t${sets.hash(r.resource, r.scope)}\n`,
    );
  }
  return rows.join('');
}

function encodeSpans(records: Span[], recv: string, recvNs: number, sets: ResourceSets): string {
  const rows: string[] = [];
  for (const s of records) {
    const start = c.validNs(s.startTimeUnixNano) ? s.startTimeUnixNano : recvNs;
    rows.push(
      `${recv}\t${c.text(s.traceId)}\t${c.text(s.spanId)}\t${c.text(s.parentSpanId)}\t${c.text(s.traceState || null)}\t${c.text(
        s.name,
      )}\t${c.int(clampSmallint(s.kind))}\t${c.timestampNs(start)}\t${ts(s.endTimeUnixNano, start)}\t${c.int(
        s.durationNano,
      )}\t${c.int(clampSmallint(s.statusCode))}\t${c.text(s.statusMessage || null)}\t${c.text(s.service)}\t${c.text(
        s.serviceVersion,
      )}\t${c.text(s.environment)}\t${c.text(s.httpRoute)}\t${c.text(s.userId)}\t${c.text(s.accountId)}\t${c.json(
        s.attributes,
      )}\t${s.events.length ? c.json(s.events) : c.NULL}\t${s.links.length ? c.json(s.links) : c.NULL}\t${sets.hash(
        s.resource,
        s.scope,
      )}\n`,
    );
  }
  return rows.join('');
}

function encodeMetrics(records: MetricPoint[], recv: string, recvNs: number, sets: ResourceSets): string {
  const rows: string[] = [];
  for (const m of records) {
    rows.push(
      `${recv}\t${ts(m.timeUnixNano, recvNs)}\t${
        c.validNs(m.startTimeUnixNano) ? c.timestampNs(m.startTimeUnixNano) : c.NULL
      }\t${c.text(m.service)}\t${c.text(m.serviceVersion)}\t${c.text(m.environment)}\t${c.text(m.name)}\t${c.text(
        m.description || null,
      )}\t${c.text(m.unit || null)}\t${m.kind}\t${c.int(clampSmallint(m.temporality))}\t${c.bool(m.monotonic)}\t${c.float(
        m.value,
      )}\t${c.int(m.count)}\t${c.json(m.detail)}\t${c.json(m.attributes)}\t${sets.hash(m.resource, m.scope)}\n`,
    );
  }
  return rows.join('');
}

function clampSmallint(n: number): number {
  return Math.max(-32768, Math.min(32767, n | 0));
}
