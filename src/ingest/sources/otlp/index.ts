// The OTLP source: decodes export requests for the three signals in protobuf or JSON.
import type { DecodedBatch, LogRecord, MetricPoint, Signal, Span } from '../../../model/index.js';
import { decodeLogsJson, decodeMetricsJson, decodeTracesJson } from './decode-json.js';
import { decodeLogsProtobuf, decodeMetricsProtobuf, decodeTracesProtobuf } from './decode-protobuf.js';
import type { OtlpFormat } from './response.js';

export { exportResponse, statusBody } from './response.js';
export type { OtlpFormat } from './response.js';
export {
  decodeContentEncoding,
  BodyTooLargeError,
  UnsupportedEncodingError,
  CorruptBodyError,
  InflateBudget,
  InflateBudgetError,
} from './decompress.js';
export type { DecodeBodyOptions, InflateLease } from './decompress.js';
export { OtlpJsonError } from './decode-json.js';
export { RejectedRecord, checkLogIds, checkSpanIds, checkSpanTimes } from './validity.js';
export { setAttribute } from './proto-reader.js';
export {
  decodeLogsJson,
  decodeMetricsJson,
  decodeTracesJson,
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  decodeTracesProtobuf,
};

export type SignalRecords = { logs: LogRecord; traces: Span; metrics: MetricPoint };

/** Maps a Content-Type header to an OTLP encoding, or null when it is neither. */
export function otlpFormat(contentType: string | undefined): OtlpFormat | null {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  if (mime === 'application/json') return 'json';
  return null;
}

export class UndecodableBodyError extends Error {}

/** Decodes a whole (already decompressed) body; any structural problem is an UndecodableBodyError. */
export function decodeOtlp<S extends Signal>(
  signal: S,
  format: OtlpFormat,
  body: Buffer,
): DecodedBatch<SignalRecords[S]> {
  try {
    if (format === 'protobuf') {
      const fn =
        signal === 'logs' ? decodeLogsProtobuf : signal === 'traces' ? decodeTracesProtobuf : decodeMetricsProtobuf;
      return fn(body) as DecodedBatch<SignalRecords[S]>;
    }
    const parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    const fn = signal === 'logs' ? decodeLogsJson : signal === 'traces' ? decodeTracesJson : decodeMetricsJson;
    return fn(parsed) as DecodedBatch<SignalRecords[S]>;
  } catch (err) {
    const what = format === 'protobuf' ? 'protobuf' : 'JSON';
    throw new UndecodableBodyError(`could not decode the OTLP ${what} ${signal} request: ${(err as Error).message}`);
  }
}
