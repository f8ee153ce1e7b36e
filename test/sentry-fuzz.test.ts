// Fuzzed Sentry envelopes and events (fast-check): the pure parser and decoder throw nothing
// but EnvelopeError, and through the running routes every fuzzed body gets a 4xx or, when the
// parser reads it, a 200 — never a 5xx — and the process keeps answering.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { readableSentry as readable, sentryEnvelope as envelope, sentryEvent } from '../bench/lib/fuzz/sentry.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

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
