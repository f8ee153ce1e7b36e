// Normalized telemetry records: what every source produces and what the store keeps
// in its raw, time-windowed tables. Times are nanoseconds since the epoch held in a
// double (about 256 ns of precision today), which is plenty for minute aggregates and
// waterfalls and avoids BigInt on the hot path.

/** An OTLP AnyValue as plain JSON: kvlists become objects, bytes become base64. */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export interface Scope {
  name: string;
  version: string;
  attributes: Attributes;
}

/** Fields lifted out of resource and record attributes by the semantic conventions. */
export interface SemanticFields {
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  userId: string | null;
  accountId: string | null;
}

export interface LogRecord extends SemanticFields {
  timeUnixNano: number;
  observedTimeUnixNano: number;
  severityNumber: number;
  severityText: string;
  /** The body as text; a structured body is JSON-encoded. */
  body: string;
  eventName: string;
  traceId: string | null;
  spanId: string | null;
  flags: number;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
}

export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanEvent {
  timeUnixNano: number;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span extends SemanticFields {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: number;
  endTimeUnixNano: number;
  /** Exact end - start, computed from the integer parts before rounding. */
  durationNano: number;
  statusCode: number;
  statusMessage: string;
  httpRoute: string | null;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Attributes;
  scope: Scope;
}

export type MetricKind = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface MetricPoint extends SemanticFields {
  name: string;
  description: string;
  unit: string;
  kind: MetricKind;
  /** 1 delta, 2 cumulative, 0 when not applicable. */
  temporality: number;
  monotonic: boolean;
  startTimeUnixNano: number;
  timeUnixNano: number;
  /** Gauge and sum value; histogram and summary sum. */
  value: number | null;
  count: number | null;
  /** Histogram buckets, quantiles and min/max, as the point carried them. */
  detail: Attributes | null;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
}

/** The outcome of decoding one export request: good records and counted rejects. */
export interface DecodedBatch<T> {
  records: T[];
  rejected: number;
  /** Distinct reasons for rejects, for the partial_success error_message. */
  rejectReasons: string[];
}

export type Signal = 'logs' | 'traces' | 'metrics';

// Raw records as /api/logs and /api/spans answer (store/raw-query reads them back): the stored
// columns, times as ISO-8601 strings.

export interface LogRow {
  time: string;
  observedTime: string | null;
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  severityNumber: number;
  severityText: string;
  body: string;
  eventName: string | null;
  traceId: string | null;
  spanId: string | null;
  flags: number;
  userId: string | null;
  accountId: string | null;
  attributes: Attributes;
  resource: Attributes;
  scope: Scope;
}

export interface SpanRow {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  name: string;
  kind: number;
  startTime: string;
  endTime: string;
  durationNs: number;
  statusCode: number;
  statusMessage: string | null;
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  httpRoute: string | null;
  userId: string | null;
  accountId: string | null;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  resource: Attributes;
  scope: Scope;
}
