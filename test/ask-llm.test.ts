// ask's optional LLM prose against the fake OpenAI-compatible server (the real chat-completions
// wire format): prose that cites the deterministic answer's lines and states only what they say
// is kept; prose that cites nothing it was given, or invents a number, is rejected and the
// deterministic answer stands, with the reason in the gaps; an unreachable model is a gap too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildAsk } from '../src/analysis/index.js';
import { proseAnswer } from '../src/workflows/index.js';
import type { LlmSettings } from '../src/workflows/index.js';
import { fixtureWorld } from './helpers/answer-world.js';
import { type FakeLlm, completion, send, startFakeLlm } from './helpers/fake-llm.js';

describe('ask with an LLM configured', () => {
  let fake: FakeLlm;
  const world = fixtureWorld();
  const base = () => buildAsk({ question: 'how does POST /checkout reach payments?', world });
  const settings = (): LlmSettings => ({
    url: fake.base,
    model: 'gpt-4o-mini',
    apiKey: 'sk-ask-test-1234',
    timeoutMs: 5000,
    maxTokens: 512,
  });

  before(async () => {
    fake = await startFakeLlm();
  });
  after(async () => {
    await fake.close();
  });

  it('keeps prose whose every sentence cites the lines it was given', async () => {
    fake.reply = (_s, res) =>
      send(
        res,
        200,
        completion(
          'A checkout enters web at web/server.js:10 [F1]. Web calls orders over HTTP [F2], and placeOrder calls payments [F6].',
        ),
      );
    fake.seen.length = 0;
    const r = await proseAnswer(settings(), base());
    assert.equal(r.answer.source, 'llm');
    assert.equal(r.answer.model, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(r.answer.citations, ['F1', 'F2', 'F6']);
    const sent = fake.seen[0]!.body as { messages: Array<{ role: string; content: string }> };
    assert.match(sent.messages[1]!.content, /^Question: how does POST \/checkout reach payments\?/);
    assert.match(sent.messages[1]!.content, /F1: web POST \/checkout, handled at web\/server\.js:10/);
  });

  it('rejects prose that cites nothing it was given, or invents a figure; the deterministic answer stands', async () => {
    for (const text of [
      'Checkout reaches payments through orders.',
      'Checkout reaches payments [F42].',
      'It takes 950 ms end to end [F1].',
    ]) {
      fake.reply = (_s, res) => send(res, 200, completion(text));
      const r = await proseAnswer(settings(), base());
      assert.equal(r.answer.source, 'deterministic', text);
      assert.equal(r.answer.text, base().answer.text);
      assert.ok(
        r.gaps.some((g) => /LLM answer rejected, the deterministic answer stands/.test(g)),
        r.gaps.join('; '),
      );
    }
  });

  it('turns an HTTP error into a gap without the key', async () => {
    fake.reply = (_s, res) =>
      send(res, 401, JSON.stringify({ error: { message: 'Incorrect API key provided: sk-ask-test-1234' } }));
    const r = await proseAnswer(settings(), base());
    assert.equal(r.answer.source, 'deterministic');
    assert.ok(r.gaps.some((g) => /LLM answer skipped: .* answered 401/.test(g)));
    assert.ok(!JSON.stringify(r).includes('sk-ask-test-1234'));
  });
});
