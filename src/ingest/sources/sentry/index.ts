// The Sentry source: envelopes and store-endpoint events from Sentry SDKs, as telemetry records.
export { type Envelope, EnvelopeError, type EnvelopeHeader, type EnvelopeItem, parseEnvelope } from './envelope.js';
export { DEFAULT_ENVELOPE_LIMITS, type EnvelopeLimits } from './envelope.js';
export { keyFromAuthHeader, parseDsn } from './auth.js';
export { type DecodeSentryOptions, type SentryRecords, decodeEnvelope, decodeStoreEvent } from './decode.js';
export { renderStack } from './error-event.js';
