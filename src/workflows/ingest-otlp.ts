// OTLP ingest: decode a request body, count what was received and rejected, and commit the
// good records through the group-commit writer, redacted first. Resolves only after the
// commit, and after the committed batch was looked at for new service versions (inferred
// deploys) and went through streaming analysis. Exactly once: the batch's key is a hash of the
// signal and the body, so a client's retry of a batch already committed (its answer lost, or
// sent to another node) is answered as accepted and neither stored nor analysed again.
import { createHash } from 'node:crypto';
import { type OtlpFormat, decodeOtlp } from '../ingest/sources/otlp/index.js';
import type { Signal } from '../model/index.js';
import type { TelemetryBatch } from '../store/index.js';
import type { Context } from './context.js';
import { deployInference } from './deploys.js';

export interface IngestResult {
  accepted: number;
  rejected: number;
  /** Why records were rejected; empty when none were. */
  message: string;
}

export interface IngestOptions {
  /** Aborted when the client has gone away: a batch not yet being written is then dropped. */
  abort?: AbortSignal;
}

export async function ingestOtlp(
  ctx: Context,
  signal: Signal,
  format: OtlpFormat,
  body: Buffer,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const decoded = decodeOtlp(signal, format, body);
  const n = decoded.records.length;
  ctx.metrics.recordReceived('otlp', signal, n + decoded.rejected);
  if (decoded.rejected > 0) {
    ctx.metrics.recordRejected('otlp', signal, decoded.rejectReasons.join('; '), decoded.rejected);
  }
  const batch: TelemetryBatch = { logs: [], spans: [], metrics: [] };
  if (signal === 'logs') batch.logs = decoded.records as TelemetryBatch['logs'];
  else if (signal === 'traces') batch.spans = decoded.records as TelemetryBatch['spans'];
  else batch.metrics = decoded.records as TelemetryBatch['metrics'];
  const stored = await commitTelemetry(ctx, batch, { ...opts, key: batchKey(signal, format, body) });
  ctx.metrics.recordAccepted('otlp', signal, n);
  if (!stored) ctx.metrics.recordDuplicate('otlp', signal);
  if (stored) await afterCommit(ctx, batch);
  const message = decoded.rejected > 0 ? `${decoded.rejected} rejected: ${decoded.rejectReasons.join('; ')}` : '';
  return { accepted: n, rejected: decoded.rejected, message };
}

/** A batch's idempotency key: the same request sent again has the same one. */
export function batchKey(signal: Signal, format: OtlpFormat, body: Buffer): string {
  return createHash('sha256').update(`otlp\u0000${signal}\u0000${format}\u0000`).update(body).digest('base64url');
}

/**
 * Redacts a batch (secrets and personal data go before anything is stored or analysed) and
 * commits it through the group-commit writer under its idempotency key; resolves after the
 * COMMIT, to false when a batch of that key was already stored (nothing is stored again).
 * Shared by every telemetry source.
 */
export async function commitTelemetry(
  ctx: Context,
  batch: TelemetryBatch,
  opts: IngestOptions & { key?: string } = {},
): Promise<boolean> {
  if (ctx.redactor) {
    if (batch.logs.length > 0) ctx.metrics.recordRedacted('logs', ctx.redactor.logs(batch.logs).byRule);
    if (batch.spans.length > 0) ctx.metrics.recordRedacted('traces', ctx.redactor.spans(batch.spans).byRule);
    if (batch.metrics.length > 0) ctx.metrics.recordRedacted('metrics', ctx.redactor.metrics(batch.metrics).byRule);
  }
  return ctx.writer.submit(batch, { signal: opts.abort, ...(opts.key ? { key: opts.key } : {}) });
}

/** After the commit of a new batch: new service versions (inferred deploys) and streaming analysis. Never fails the request. */
export async function afterCommit(ctx: Context, batch: TelemetryBatch): Promise<void> {
  if (batch.logs.length + batch.spans.length + batch.metrics.length === 0) return;
  await deployInference(ctx).observe(batch);
  await ctx.analysis?.observe(batch);
}
