// The LLM narrative against a fake OpenAI-compatible server on loopback that speaks the real
// chat-completions wire format: a checked narrative is kept, and every failure (a rejected
// narrative, HTTP errors, a timeout, a refused connection, a body that is not a completion)
// becomes a gap, never an exception, and never shows the API key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/index.js';
import type { InvestigationResult } from '../src/model/index.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LlmSettings, llmSettings, narrate } from '../src/workflows/narrate.js';
import { type FakeLlm, type Reply, type Seen, completion, send, startFakeLlm } from './helpers/fake-llm.js';

const KEY = 'sk-test-7f3a9c2e41b8d6a0';

function fixture(): InvestigationResult {
  return {
    algorithm: 'investigate@2',
    subject: { kind: 'alert', service: 'web', since: '2026-11-22T17:00:00.000Z' },
    window: {
      since: '2026-11-22T17:00:00.000Z',
      until: '2026-11-22T18:00:00.000Z',
      onset: '2026-11-22T17:29:18.000Z',
      baselineSince: '2026-11-22T15:00:00.000Z',
      baselineUntil: '2026-11-22T17:00:00.000Z',
    },
    summary: 'cart is the likely root cause [F1] after the deploy of cart 1.4.0 (8a2fb20a9a) [F2].',
    findings: [
      {
        id: 'F1',
        kind: 'root_cause_service',
        title: 'cart is the likely root cause',
        confidence: 0.91,
        hint: 'a new TypeError group, 3 → 212 events (poisson, q=4.0e-9)',
        evidence: [
          {
            kind: 'error_group',
            summary: 'cart error-group TypeError: 3.0 → 212 events',
            ref: 'fp-77',
            rows: [{ baseline: 3, incident: 212 }],
          },
        ],
        data: { service: 'cart', score: 0.91, symptoms: [] },
      },
      {
        id: 'F2',
        kind: 'change',
        title: 'deploy of cart 1.4.0 (8a2fb20a9a)',
        confidence: 0.81,
        hint: 'cart 1.4.0 went out 6 min before the onset (recorded by api)',
        evidence: [{ kind: 'deploy', summary: 'cart 1.4.0 at 2026-11-22T17:23:00.000Z', ref: '9' }],
        data: {
          deployId: 9,
          service: 'cart',
          version: '1.4.0',
          commit: null,
          previousCommit: null,
          deployedAt: '2026-11-22T17:23:00.000Z',
        },
      },
    ],
    priority: null,
    narrative: null,
    gaps: ['no error group in web in the window, so impact is not counted yet'],
  };
}

const GOOD =
  'Cart is the likely root cause, with 91% confidence [F1]. TypeError rose from 3 to 212 events after 17:29 UTC [F1]. It began 6 min after cart 1.4.0 went out at 17:23 [F2].';

describe('narrate against an OpenAI-compatible chat completions server', () => {
  let fake: FakeLlm;
  let base: string;
  const seen: Seen[] = [];
  const gaps: string[] = [];
  let reply: Reply = (_s, res) => send(res, 500, '{}');

  before(async () => {
    fake = await startFakeLlm();
    base = fake.base;
    fake.reply = (s, res) => {
      seen.push(s);
      reply(s, res);
    };
  });

  after(async () => {
    await fake.close();
    for (const g of gaps) assert.ok(!g.includes(KEY), `the API key leaked into a gap: ${g}`);
  });

  const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({
    url: base,
    model: 'gpt-4o-mini',
    apiKey: KEY,
    timeoutMs: 5000,
    maxTokens: 1024,
    ...over,
  });

  async function run(s: LlmSettings, r = fixture()) {
    const out = await narrate(s, r);
    if (out.gap) gaps.push(out.gap);
    assert.ok(!JSON.stringify(out).includes(KEY), 'the API key is in the result');
    return out;
  }

  it('sends model, messages, temperature 0 and max_tokens with the Bearer key, and keeps a narrative that passes the check', async () => {
    reply = (_s, res) => send(res, 200, completion(GOOD));
    seen.length = 0;
    const out = await run(settings());
    assert.deepEqual(out, {
      narrative: { text: GOOD, model: 'gpt-4o-mini-2024-07-18', citations: ['F1', 'F2'] },
      gap: null,
    });
    assert.equal(seen.length, 1);
    const req = seen[0]!;
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.match(String(req.headers['content-type']), /^application\/json/);
    const body = req.body as {
      model: string;
      messages: { role: string; content: string }[];
      temperature: number;
      max_tokens: number;
    };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.temperature, 0);
    assert.equal(body.max_tokens, 1024);
    assert.deepEqual(
      body.messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.match(body.messages[0]!.content, /\[F2\]/);
    assert.match(body.messages[1]!.content, /cart is the likely root cause/);
    assert.match(body.messages[1]!.content, /no error group in web/);
  });

  it('accepts a base URL with a trailing slash, sends no Authorization without a key, and falls back to the configured model name', async () => {
    reply = (_s, res) => {
      const c = JSON.parse(completion(GOOD)) as Record<string, unknown>;
      delete c.model;
      send(res, 200, JSON.stringify(c));
    };
    seen.length = 0;
    const out = await run(settings({ url: `${base}/`, apiKey: undefined, model: 'llama3.1:8b' }));
    assert.equal(out.gap, null);
    assert.equal(out.narrative?.model, 'llama3.1:8b');
    assert.equal(seen[0]!.url, '/v1/chat/completions');
    assert.equal(seen[0]!.headers.authorization, undefined);
  });

  it('keeps a query string of the base URL, as Azure-style endpoints need (?api-version=…)', async () => {
    reply = (_s, res) => send(res, 200, completion(GOOD));
    seen.length = 0;
    const out = await run(settings({ url: `${base}/?api-version=2024-06-01` }));
    assert.equal(out.gap, null);
    assert.equal(seen[0]!.url, '/v1/chat/completions?api-version=2024-06-01');
  });

  it('drops a reasoning model’s <think> block before the check', async () => {
    reply = (_s, res) => send(res, 200, completion(`<think>The user wants 3 sentences; F9 maybe.</think>\n${GOOD}`));
    const out = await run(settings());
    assert.equal(out.gap, null);
    assert.equal(out.narrative?.text, GOOD);
  });

  it('rejects a narrative that cites an unknown finding or states an unsupported number, keeping none', async () => {
    reply = (_s, res) => send(res, 200, completion('Cart is the likely root cause [F1]. The deploy caused it [F9].'));
    let out = await run(settings());
    assert.equal(out.narrative, null);
    assert.equal(out.gap, 'LLM narrative rejected: cites F9, which is not a finding');

    reply = (_s, res) => send(res, 200, completion('About 5,000 users lost their carts [F1].'));
    out = await run(settings());
    assert.equal(out.narrative, null);
    assert.match(out.gap!, /^LLM narrative rejected: sentence 1 states 5,000, which no finding supports/);

    reply = (_s, res) =>
      send(res, 200, completion('Cart is the likely root cause [F1]. Then the', 'gpt-4o-mini', 'length'));
    out = await run(settings());
    assert.match(out.gap!, /cites no finding.*cut at max_tokens 1024/);
  });

  it('turns HTTP 500 and 401 into gaps, with the server’s message and without the key it echoed', async () => {
    reply = (_s, res) =>
      send(
        res,
        500,
        JSON.stringify({
          error: { message: 'The server had an error while processing your request.', type: 'server_error' },
        }),
      );
    let out = await run(settings());
    assert.equal(out.narrative, null);
    assert.match(
      out.gap!,
      /^LLM narrative skipped: http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions answered 500: The server had an error/,
    );

    // OpenAI's own 401 quotes the key it was given; this fake quotes it whole.
    reply = (s, res) =>
      send(
        res,
        401,
        JSON.stringify({
          error: {
            message: `Incorrect API key provided: ${String(s.headers.authorization).slice(7)}.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        }),
      );
    out = await run(settings());
    assert.equal(out.narrative, null);
    assert.match(out.gap!, /answered 401: Incorrect API key provided: \*\*\*\./);
    assert.ok(!out.gap!.includes(KEY));
  });

  it('gives up after the timeout when the server never answers', async () => {
    reply = () => {}; // holds the request open
    const t0 = performance.now();
    const out = await run(settings({ timeoutMs: 1000 }));
    const took = performance.now() - t0;
    assert.equal(out.narrative, null);
    assert.match(
      out.gap!,
      /^LLM narrative skipped: no answer from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions within 1 s/,
    );
    assert.ok(took >= 900 && took < 4000, `took ${took.toFixed(0)} ms`);
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((ok) => closed.close(ok));
    const out = await run(settings({ url: `http://127.0.0.1:${port}/v1` }));
    assert.equal(out.narrative, null);
    assert.match(
      out.gap!,
      new RegExp(
        `^LLM narrative skipped: cannot reach http://127\\.0\\.0\\.1:${port}/v1/chat/completions \\(ECONNREFUSED\\)`,
      ),
    );
  });

  it('reports a body that is not JSON, or JSON that is not a chat completion', async () => {
    reply = (_s, res) => send(res, 200, '<html>502 Bad Gateway</html>', 'text/html');
    let out = await run(settings());
    assert.equal(out.narrative, null);
    assert.match(out.gap!, /answered with something that is not JSON: "<html>502 Bad Gateway<\/html>"/);

    reply = (_s, res) => send(res, 200, '{"choices": [');
    out = await run(settings());
    assert.match(out.gap!, /not JSON/);

    reply = (_s, res) => send(res, 200, JSON.stringify({ object: 'chat.completion', choices: [] }));
    out = await run(settings());
    assert.match(out.gap!, /without choices\[0\]\.message\.content/);

    reply = (_s, res) => send(res, 200, completion(null));
    out = await run(settings());
    assert.match(out.gap!, /without choices\[0\]\.message\.content/);
  });

  it('hides a password and a query string in the URL, and skips the call when there are no findings', async () => {
    reply = (_s, res) => send(res, 503, 'overloaded', 'text/plain');
    const withUser = base.replace('http://', 'http://me:hunter2@');
    let out = await run(settings({ url: `${withUser}?api-key=${KEY}` }));
    // Configuration refuses credentials in the URL, and so does fetch; neither secret reaches the gap.
    assert.match(out.gap!, /^LLM narrative skipped: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(/);
    assert.ok(!out.gap!.includes('hunter2'), out.gap!);

    seen.length = 0;
    out = await run(settings(), { ...fixture(), findings: [] });
    assert.deepEqual(out, { narrative: null, gap: 'LLM narrative skipped: there are no findings to narrate' });
    assert.equal(seen.length, 0);
  });
});

describe('LLM settings', () => {
  it('are off without a URL, and read ORRERY_LLM_* otherwise', () => {
    assert.equal(llmSettings(loadConfig({})), null);
    const s = llmSettings(
      loadConfig({
        ORRERY_LLM_URL: 'http://127.0.0.1:11434/v1',
        ORRERY_LLM_MODEL: 'qwen2.5:7b',
        ORRERY_LLM_API_KEY: KEY,
        ORRERY_LLM_TIMEOUT_MS: '5000',
      }),
    );
    assert.deepEqual(s, {
      url: 'http://127.0.0.1:11434/v1',
      model: 'qwen2.5:7b',
      apiKey: KEY,
      timeoutMs: 5000,
      maxTokens: 1024,
    });
    assert.deepEqual(llmSettings(loadConfig({ ORRERY_LLM_URL: 'https://api.openai.com/v1' })), {
      url: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      timeoutMs: 30000,
      maxTokens: 1024,
    });
  });

  it('reject a URL that is not http(s) and a timeout out of range, naming the variable', () => {
    assert.throws(
      () => loadConfig({ ORRERY_LLM_URL: 'localhost:11434' }),
      /ORRERY_LLM_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
    assert.throws(() => loadConfig({ ORRERY_LLM_URL: 'ftp://x/v1' }), /ORRERY_LLM_URL/);
    assert.throws(
      () => loadConfig({ ORRERY_LLM_URL: 'https://me:hunter2@llm.example.com/v1' }),
      (e: Error) =>
        /ORRERY_LLM_URL: must not hold a user or password/.test(e.message) && !e.message.includes('hunter2'),
    );
    assert.throws(() => loadConfig({ ORRERY_LLM_TIMEOUT_MS: '500' }), /ORRERY_LLM_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ ORRERY_LLM_TIMEOUT_MS: '300001' }), /ORRERY_LLM_TIMEOUT_MS/);
  });
});
