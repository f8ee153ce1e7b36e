// Sentry ingest: an envelope (or a store-endpoint event) already parsed and authenticated,
// decoded into logs and spans, redacted and committed through the same writer as OTLP, then
// looked at for new releases (inferred deploys) and streamed through analysis (error events'
// exceptions become error groups there). Resolves only after the commit; a body already
// committed for the project (a retry) is acknowledged and not stored or analysed again.
import { createHash } from 'node:crypto';
import { type Envelope, type SentryRecords, decodeEnvelope, decodeStoreEvent } from '../ingest/sources/sentry/index.js';
import type { TelemetryBatch } from '../store/index.js';
import type { Context } from './context.js';
import { type IngestOptions, afterCommit, commitTelemetry } from './ingest-otlp.js';

export interface SentryIngestResult {
  /** Log records and spans committed. */
  accepted: number;
  rejected: number;
  /** Items of types Orrery keeps nothing of, by type (attachments, sessions, …). */
  dropped: Record<string, number>;
  /** The event id the envelope named, for the SDK's answer. */
  eventId: string | null;
}

/** `body` is the request body as inflated: the same body sent again is not stored again. */
export type SentryPayload =
  | { kind: 'envelope'; envelope: Envelope; body: Buffer }
  | { kind: 'store'; body: Buffer; eventId: string | null };

/** A request's idempotency key: the same body sent again to the same project has the same one. */
export function sentryBatchKey(project: string, payload: SentryPayload): string {
  return createHash('sha256')
    .update(`sentry\u0000${payload.kind}\u0000${project}\u0000`)
    .update(payload.body)
    .digest('base64url');
}

export async function ingestSentry(
  ctx: Context,
  project: string,
  payload: SentryPayload,
  opts: IngestOptions = {},
): Promise<SentryIngestResult> {
  const decodeOpts = { project, receivedNs: Date.now() * 1e6 };
  const records: SentryRecords =
    payload.kind === 'envelope'
      ? decodeEnvelope(payload.envelope, decodeOpts)
      : decodeStoreEvent(payload.body, decodeOpts);
  const n = records.logs.length + records.spans.length;
  ctx.metrics.recordReceived('sentry', 'logs', records.logs.length);
  ctx.metrics.recordReceived('sentry', 'traces', records.spans.length + records.rejected);
  if (records.rejected > 0)
    ctx.metrics.recordRejected('sentry', 'traces', records.rejectReasons.join('; '), records.rejected);
  const batch: TelemetryBatch = { logs: records.logs, spans: records.spans, metrics: [] };
  const stored = await commitTelemetry(ctx, batch, { ...opts, key: sentryBatchKey(project, payload) });
  ctx.metrics.recordAccepted('sentry', 'logs', records.logs.length);
  ctx.metrics.recordAccepted('sentry', 'traces', records.spans.length);
  if (!stored) ctx.metrics.recordDuplicate('sentry', 'envelope');
  else await afterCommit(ctx, batch);
  return {
    accepted: n,
    rejected: records.rejected,
    dropped: records.dropped,
    eventId: payload.kind === 'envelope' ? payload.envelope.header.eventId : payload.eventId,
  };
}
