// What makes one decoded span or log record invalid, per OTLP: trace ids are 16 bytes and
// span ids 8 (all zero is no id), a span has a start and an end, in that order. Such a
// record is rejected alone — counted with its reason and reported in partial_success —
// rather than failing the request, or being stored with a 3-byte trace id or a duration of
// 2^64 ns that would skew every latency statistic it reaches.

/** Thrown by a decoder's record reader once the record is fully read; the walk counts it. */
export class RejectedRecord extends Error {}

/**
 * The longest span kept: 7 days, as long as raw data is kept by default. A longer one is
 * almost surely a clock or encoding error (start 0, end 2^64 − 1), and one such duration
 * would dominate every sketch and mean it reaches.
 */
export const MAX_SPAN_DURATION_NS = 7 * 86_400 * 1e9;

// Reasons are label values of orrery_ingest_rejected_records_total: a fixed, small set.
export const BAD_TRACE_ID = 'trace id must be 16 bytes (32 hex digits), not all zero';
export const BAD_SPAN_ID = 'span id must be 8 bytes (16 hex digits), not all zero';
export const BAD_PARENT_SPAN_ID = 'parent span id must be 8 bytes (16 hex digits) or empty';
export const BAD_LINK_ID = 'a link trace id or span id has the wrong length';
export const BAD_LOG_TRACE_ID = 'log record trace id must be 16 bytes (32 hex digits) or empty';
export const BAD_LOG_SPAN_ID = 'log record span id must be 8 bytes (16 hex digits) or empty';
export const NO_START_TIME = 'span has no start time';
export const NO_END_TIME = 'span has no end time';
export const ENDS_BEFORE_START = 'span ends before it starts';
export const TOO_LONG = 'span lasts longer than 7 days';

/**
 * Throws RejectedRecord when a span's ids are not OTLP's. Ids arrive as lowercase hex
 * (null when empty or all zero), so the length is the byte count twice over.
 */
export function checkSpanIds(
  traceId: string | null,
  spanId: string | null,
  parentSpanId: string | null,
  links: ReadonlyArray<{ traceId: string; spanId: string }>,
): void {
  if (traceId === null || traceId.length !== 32) throw new RejectedRecord(BAD_TRACE_ID);
  if (spanId === null || spanId.length !== 16) throw new RejectedRecord(BAD_SPAN_ID);
  if (parentSpanId !== null && parentSpanId.length !== 16) throw new RejectedRecord(BAD_PARENT_SPAN_ID);
  for (const l of links) {
    if (l.traceId.length !== 32 || l.spanId.length !== 16) throw new RejectedRecord(BAD_LINK_ID);
  }
}

/** Throws RejectedRecord for a span with no start or end, an end before its start, or longer than 7 days. */
export function checkSpanTimes(noStart: boolean, noEnd: boolean, durationNs: number): void {
  if (noStart) throw new RejectedRecord(NO_START_TIME);
  if (noEnd) throw new RejectedRecord(NO_END_TIME);
  if (durationNs < 0) throw new RejectedRecord(ENDS_BEFORE_START);
  if (durationNs > MAX_SPAN_DURATION_NS) throw new RejectedRecord(TOO_LONG);
}

/** A log record's trace context is optional, but when present it has OTLP's lengths. */
export function checkLogIds(traceId: string | null, spanId: string | null): void {
  if (traceId !== null && traceId.length !== 32) throw new RejectedRecord(BAD_LOG_TRACE_ID);
  if (spanId !== null && spanId.length !== 16) throw new RejectedRecord(BAD_LOG_SPAN_ID);
}
