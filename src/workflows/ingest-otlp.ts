// OTLP ingest: decode a request body, count what was received and rejected, and commit the
// good records through the group-commit writer, redacted first. Resolves only after the
// commit, and after the committed batch was looked at for new service versions (inferred
// deploys) and went through streaming analysis.
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
  await commitTelemetry(ctx, batch, opts);
  ctx.metrics.recordAccepted('otlp', signal, n);
  await afterCommit(ctx, batch);
  const message = decoded.rejected > 0 ? `${decoded.rejected} rejected: ${decoded.rejectReasons.join('; ')}` : '';
  return { accepted: n, rejected: decoded.rejected, message };
}

/**
 * Redacts a batch (secrets and personal data go before anything is stored or analysed) and
 * commits it through the group-commit writer; resolves after the COMMIT. Shared by every
 * telemetry source.
 */
export async function commitTelemetry(ctx: Context, batch: TelemetryBatch, opts: IngestOptions = {}): Promise<void> {
  if (ctx.redactor) {
    if (batch.logs.length > 0) ctx.metrics.recordRedacted('logs', ctx.redactor.logs(batch.logs).byRule);
    if (batch.spans.length > 0) ctx.metrics.recordRedacted('traces', ctx.redactor.spans(batch.spans).byRule);
    if (batch.metrics.length > 0) ctx.metrics.recordRedacted('metrics', ctx.redactor.metrics(batch.metrics).byRule);
  }
  await ctx.writer.submit(batch, { signal: opts.abort });
}

/** After the commit: new service versions (inferred deploys) and streaming analysis. Never fails the request. */
export async function afterCommit(ctx: Context, batch: TelemetryBatch): Promise<void> {
  if (batch.logs.length + batch.spans.length + batch.metrics.length === 0) return;
  await deployInference(ctx).observe(batch);
  await ctx.analysis?.observe(batch);
}
