// The model: plain types shared by every layer. No behaviour, no I/O.
export type {
  AttributeValue,
  Attributes,
  Scope,
  SemanticFields,
  LogRecord,
  SpanEvent,
  SpanLink,
  Span,
  MetricKind,
  MetricPoint,
  DecodedBatch,
  Signal,
} from './telemetry.js';
export { SpanKind, StatusCode } from './telemetry.js';
export { ENTITY_KINDS, RAW_KINDS } from './entities.js';
export type { EntityKind, RawKind, ApiToken, StoreStatus } from './entities.js';
