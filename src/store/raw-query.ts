// Reads raw log records and spans back, newest first, by time, service, trace, user and text.
import type { Attributes, LogRow, Scope, SpanEvent, SpanLink, SpanRow } from '../model/index.js';
import type { Queryable } from './db.js';
import { iso, isoOrNull } from './timestamps.js';
import { Where } from './where.js';

export interface RawFilter {
  service?: string;
  since?: Date;
  until?: Date;
  traceId?: string;
  userId?: string;
  accountId?: string;
  /** Only spans with an error status (spans only). */
  errorsOnly?: boolean;
  /** Case-insensitive substring of the log body, or of the span name and status message. */
  grep?: string;
  limit: number;
}

// The shapes are the API's (model/telemetry.ts); re-exported for the store's callers.
export type { LogRow, SpanRow } from '../model/index.js';

function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

function where(f: RawFilter, timeCol: string, grepCols: string[]): Where {
  const w = new Where();
  if (f.service !== undefined) w.add('r.service = ?', f.service);
  if (f.since !== undefined) w.add(`r.${timeCol} >= ?`, f.since);
  if (f.until !== undefined) w.add(`r.${timeCol} < ?`, f.until);
  if (f.traceId !== undefined) w.add('r.trace_id = ?', f.traceId.toLowerCase());
  if (f.userId !== undefined) w.add('r.user_id = ?', f.userId);
  if (f.accountId !== undefined) w.add('r.account_id = ?', f.accountId);
  if (f.grep !== undefined) w.add(`(${grepCols.map((col) => `r.${col} ILIKE ?`).join(' OR ')})`, likePattern(f.grep));
  return w;
}

export async function queryLogs(q: Queryable, f: RawFilter): Promise<LogRow[]> {
  const w = where(f, 'time', ['body']);
  const rows = await q.query(
    `SELECT r.*, s.resource, s.scope FROM log_record r LEFT JOIN resource_set s ON s.hash = r.resource_hash
     ${w.sql} ORDER BY r.time DESC LIMIT ${Math.trunc(f.limit)}`,
    w.params,
  );
  return rows.map((r) => ({
    time: iso(r.time),
    observedTime: isoOrNull(r.observed_time),
    service: r.service as string,
    serviceVersion: r.service_version as string | null,
    environment: r.environment as string | null,
    severityNumber: r.severity_number as number,
    severityText: r.severity_text as string,
    body: r.body as string,
    eventName: r.event_name as string | null,
    traceId: r.trace_id as string | null,
    spanId: r.span_id as string | null,
    flags: r.flags as number,
    userId: r.user_id as string | null,
    accountId: r.account_id as string | null,
    attributes: r.attributes as Attributes,
    resource: (r.resource ?? {}) as Attributes,
    scope: (r.scope ?? { name: '', version: '', attributes: {} }) as Scope,
  }));
}

export async function querySpans(q: Queryable, f: RawFilter): Promise<SpanRow[]> {
  const w = where(f, 'start_time', ['name', 'status_message']);
  if (f.errorsOnly) w.add('r.status_code = ?', 2);
  const rows = await q.query(
    `SELECT r.*, s.resource, s.scope FROM span r LEFT JOIN resource_set s ON s.hash = r.resource_hash
     ${w.sql} ORDER BY r.start_time DESC LIMIT ${Math.trunc(f.limit)}`,
    w.params,
  );
  return rows.map((r) => ({
    traceId: r.trace_id as string,
    spanId: r.span_id as string,
    parentSpanId: r.parent_span_id as string | null,
    traceState: r.trace_state as string | null,
    name: r.name as string,
    kind: r.kind as number,
    startTime: iso(r.start_time),
    endTime: iso(r.end_time),
    durationNs: r.duration_ns as number,
    statusCode: r.status_code as number,
    statusMessage: r.status_message as string | null,
    service: r.service as string,
    serviceVersion: r.service_version as string | null,
    environment: r.environment as string | null,
    httpRoute: r.http_route as string | null,
    userId: r.user_id as string | null,
    accountId: r.account_id as string | null,
    attributes: r.attributes as Attributes,
    events: (r.events ?? []) as SpanEvent[],
    links: (r.links ?? []) as SpanLink[],
    resource: (r.resource ?? {}) as Attributes,
    scope: (r.scope ?? { name: '', version: '', attributes: {} }) as Scope,
  }));
}
