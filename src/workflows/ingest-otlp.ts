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
  // Secrets and personal data go before anything is stored or analysed.
  if (ctx.redactor && n > 0) {
    const stats =
      signal === 'logs'
        ? ctx.redactor.logs(batch.logs)
        : signal === 'traces'
          ? ctx.redactor.spans(batch.spans)
          : ctx.redactor.metrics(batch.metrics);
    ctx.metrics.recordRedacted(signal, stats.byRule);
  }
  const stored = await ctx.writer.submit(batch, { signal: opts.abort, key: batchKey(signal, format, body) });
  ctx.metrics.recordAccepted('otlp', signal, n);
  if (!stored) ctx.metrics.recordDuplicate('otlp', signal);
  // Never fails the request: the records are committed whatever happens here.
  if (n > 0 && stored) {
    await deployInference(ctx).observe(batch);
    await ctx.analysis?.observe(batch);
  }
  const message = decoded.rejected > 0 ? `${decoded.rejected} rejected: ${decoded.rejectReasons.join('; ')}` : '';
  return { accepted: n, rejected: decoded.rejected, message };
}

/** A batch's idempotency key: the same request sent again has the same one. */
export function batchKey(signal: Signal, format: OtlpFormat, body: Buffer): string {
  return createHash('sha256').update(`otlp\u0000${signal}\u0000${format}\u0000`).update(body).digest('base64url');
}
