// Fuzzed Sentry envelopes and events (fast-check): the pure parser and decoder throw nothing
// but EnvelopeError, and through the running routes every fuzzed body gets a 4xx or, when the
// parser reads it, a 200 — never a 5xx — and the process keeps answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { EnvelopeError, decodeEnvelope, decodeStoreEvent, parseEnvelope } from '../src/ingest/sources/sentry/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

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
const sentryEvent = fc.record(
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

const envelope = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('{}', '{"event_id":"x"}', '[]', 'nope', ''), fc.array(item, { maxLength: 4 }))
      .map(([h, items]) => Buffer.concat([Buffer.from(`${h}\n`), ...items])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
);

/** True when the pure parser and decoder accept the body; throws on anything but an EnvelopeError. */
function readable(body: Buffer, store: boolean): boolean {
  try {
    if (store) decodeStoreEvent(body, opts);
    else decodeEnvelope(parseEnvelope(body), opts);
    return true;
  } catch (err) {
    if (err instanceof EnvelopeError) return false;
    throw err;
  }
}

describe('Sentry fuzzing', () => {
  let o: InProcess;
  let key: string;

  before(async () => {
    o = await inProcessOrrery();
    key = (await o.store.createSentryProject('fuzz')).key;
  });
  after(() => o.cleanup());

  it('the pure parser and decoder throw only EnvelopeError', () => {
    fc.assert(
      fc.property(envelope, (body) => void readable(body, false)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          sentryEvent.map((e) => Buffer.from(JSON.stringify(e))),
          fc.uint8Array().map((a) => Buffer.from(a)),
        ),
        (body) => void readable(body, true),
      ),
      { numRuns: 1000 },
    );
  });

  it('fuzzed envelopes get 200 only when readable, a 4xx otherwise, never a 5xx; the server keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(envelope, async (body) => {
        const res = await o.server.api.inject({
          method: 'POST',
          url: '/api/fuzz/envelope/',
          payload: body,
          headers: { 'x-sentry-auth': `Sentry sentry_key=${key}`, 'content-type': 'application/x-sentry-envelope' },
        });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body} for ${JSON.stringify(body.toString('latin1'))}`);
        assert.equal(res.statusCode === 200, readable(body, false), res.body);
        if (res.statusCode !== 200) assert.ok(res.statusCode >= 400);
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(sentryEvent, async (e) => {
        const res = await o.server.api.inject({
          method: 'POST',
          url: '/api/fuzz/store/',
          payload: JSON.stringify(e),
          headers: { 'x-sentry-auth': `Sentry sentry_key=${key}`, 'content-type': 'application/json' },
        });
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body} for ${JSON.stringify(e)}`);
      }),
      { numRuns: 200 },
    );
    const health = await o.server.api.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
  });
});
