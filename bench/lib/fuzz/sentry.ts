// Sentry envelopes and events for the fuzzer (fast-check): each item type with its payload of
// the right shape or the wrong one, lengths right, short, long or junk, CRLF or none; and the
// pure parser's verdict on a body, which the routes must agree with.
import fc from 'fast-check';
import {
  EnvelopeError,
  decodeEnvelope,
  decodeStoreEvent,
  parseEnvelope,
} from '../../../src/ingest/sources/sentry/index.js';

const opts = { project: 'fuzz', receivedNs: Date.now() * 1e6 };

/** Values Sentry fields are read from, and the wrong kinds of them. */
const anyValue = fc.oneof(
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.stringMatching(/^[0-9a-f]{16}([0-9a-f]{16})?$/),
  fc.jsonValue({ maxDepth: 2 }),
);
const frame = fc.record(
  { filename: anyValue, abs_path: anyValue, function: anyValue, module: anyValue, lineno: anyValue, colno: anyValue },
  { requiredKeys: [] },
);
const span = fc.record(
  {
    span_id: anyValue,
    parent_span_id: anyValue,
    trace_id: anyValue,
    op: anyValue,
    description: anyValue,
    start_timestamp: anyValue,
    timestamp: anyValue,
    status: anyValue,
    data: fc.dictionary(fc.string(), anyValue, { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);
export const sentryEvent = fc.record(
  {
    type: fc.oneof(fc.constant('transaction'), anyValue),
    event_id: anyValue,
    timestamp: anyValue,
    start_timestamp: anyValue,
    platform: fc.oneof(fc.constantFrom('node', 'python', 'java', 'go', 'javascript'), anyValue),
    level: anyValue,
    release: anyValue,
    environment: anyValue,
    server_name: anyValue,
    message: anyValue,
    tags: fc.oneof(
      fc.dictionary(fc.string(), anyValue, { maxKeys: 4 }),
      fc.array(fc.array(anyValue, { maxLength: 3 })),
    ),
    user: fc.oneof(fc.record({ id: anyValue, email: anyValue, username: anyValue }, { requiredKeys: [] }), anyValue),
    contexts: fc.record({ trace: fc.oneof(span, anyValue) }, { requiredKeys: [] }),
    exception: fc.oneof(
      fc.record({
        values: fc.array(
          fc.record(
            { type: anyValue, value: anyValue, stacktrace: fc.record({ frames: fc.array(frame, { maxLength: 5 }) }) },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        ),
      }),
      anyValue,
    ),
    spans: fc.oneof(fc.array(span, { maxLength: 4 }), anyValue),
    breadcrumbs: fc.oneof(
      fc.array(
        fc.record({ message: anyValue, category: anyValue, timestamp: anyValue, data: anyValue }, { requiredKeys: [] }),
        { maxLength: 3 },
      ),
      anyValue,
    ),
    transaction: anyValue,
  },
  { requiredKeys: [] },
);
const logPayload = fc.record({
  items: fc.oneof(
    fc.array(
      fc.record(
        {
          timestamp: anyValue,
          level: anyValue,
          body: anyValue,
          trace_id: anyValue,
          attributes: fc.dictionary(fc.string(), anyValue, { maxKeys: 3 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 3 },
    ),
    anyValue,
  ),
});

/** An item: a header (type, maybe a length, right or wrong) and a payload (JSON of a type's shape, or bytes). */
const item = fc
  .tuple(
    fc.constantFrom('event', 'transaction', 'span', 'log', 'attachment', 'session', 'client_report', 'whatever'),
    fc.oneof(
      sentryEvent.map((e) => Buffer.from(JSON.stringify(e))),
      logPayload.map((p) => Buffer.from(JSON.stringify(p))),
      fc
        .record(
          {
            version: anyValue,
            items: fc.oneof(
              fc.array(
                fc.oneof(
                  span,
                  fc.record(
                    {
                      is_segment: anyValue,
                      name: anyValue,
                      end_timestamp: anyValue,
                      attributes: fc.dictionary(
                        fc.string(),
                        fc.oneof(anyValue, fc.record({ value: anyValue, type: anyValue })),
                        { maxKeys: 4 },
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                ),
                { maxLength: 3 },
              ),
              anyValue,
            ),
          },
          { requiredKeys: [] },
        )
        .map((p) => Buffer.from(JSON.stringify(p))),
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    ),
    fc.constantFrom('none', 'right', 'short', 'long', 'junk'),
    fc.constantFrom('\n', '\r\n', ''),
  )
  .map(([type, payload, lengthMode, nl]) => {
    const header: Record<string, unknown> = { type };
    if (lengthMode === 'right') header.length = payload.length;
    if (lengthMode === 'short') header.length = Math.max(0, payload.length - 3);
    if (lengthMode === 'long') header.length = payload.length + 7;
    if (lengthMode === 'junk') header.length = 'twelve';
    return Buffer.concat([Buffer.from(`${JSON.stringify(header)}${nl || '\n'}`), payload, Buffer.from(nl)]);
  });

export const sentryEnvelope = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('{}', '{"event_id":"x"}', '[]', 'nope', ''), fc.array(item, { maxLength: 4 }))
      .map(([h, items]) => Buffer.concat([Buffer.from(`${h}\n`), ...items])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
);

/** True when the pure parser and decoder accept the body; throws on anything but an EnvelopeError. */
export function readableSentry(body: Buffer, store: boolean): boolean {
  try {
    if (store) decodeStoreEvent(body, opts);
    else decodeEnvelope(parseEnvelope(body), opts);
    return true;
  } catch (err) {
    if (err instanceof EnvelopeError) return false;
    throw err;
  }
}
