// The bounded part of the fuzz suite for the pure decoders and parsers (the long run is
// `npm run bench -- fuzz`): OTLP protobuf and JSON for traces, logs and metrics, every ticket
// sender's webhook payloads, ticket export files, Kubernetes and Terraform files, Sentry
// envelopes. Each accepts a generated input or throws its documented error, nothing else, and
// an accepted OTLP record holds no text PostgreSQL cannot store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { allTargets, unstorableText } from '../bench/lib/fuzz/targets.js';

/** Cases per target here; parsing a mutated Terraform state is slower than the rest. */
const RUNS: Record<string, number> = { 'infra/parse': 40, 'tickets/import': 60 };

describe('fuzzed input to the pure decoders', () => {
  const targets = allTargets({ sentryKey: () => '', routes: () => [] }).filter((t) => t.kind === 'pure');

  it('covers every decoder: OTLP (3 signals × 2 encodings), 5 ticket senders, imports, infra, Sentry', () => {
    assert.deepEqual(
      targets.map((t) => t.name),
      [
        'otlp/traces/protobuf',
        'otlp/traces/json',
        'otlp/logs/protobuf',
        'otlp/logs/json',
        'otlp/metrics/protobuf',
        'otlp/metrics/json',
        'tickets/webhook/generic',
        'tickets/webhook/github',
        'tickets/webhook/jira',
        'tickets/webhook/zendesk',
        'tickets/webhook/linear',
        'tickets/import',
        'infra/parse',
        'sentry/parse',
      ],
    );
  });

  it('the storable-text check finds NUL and lone surrogates in values and keys, and passes pairs', () => {
    assert.equal(unstorableText({ a: ['x\u0000'] }), 'x\u0000');
    assert.equal(unstorableText({ 'k\ud800': 1 }), 'k\ud800');
    assert.equal(unstorableText([{ b: '\udc00' }]), '\udc00');
    assert.equal(unstorableText({ a: 'pair \ud83d\ude00', b: '\\u0000 as text' }), null);
  });

  for (const t of targets) {
    it(`${t.name}: accepts or throws its typed error, never anything else`, async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(t.arbitrary, async (input) => {
          const o = await t.run(input, null as never);
          assert.equal(o.fail, undefined, `${o.fail}\ninput: ${t.show(input)}`);
          if (o.accepted) accepted++;
        }),
        { numRuns: RUNS[t.name] ?? 150 },
      );
      // The generators are worth something only if some of what they make gets through.
      assert.ok(accepted > 0, `no generated input was accepted by ${t.name}`);
    });
  }
});
