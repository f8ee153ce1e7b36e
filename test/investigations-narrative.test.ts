// The optional LLM narrative wired through POST /api/investigations: with ORRERY_LLM_URL set,
// Orrery calls the chat-completions endpoint (a local fake speaking OpenAI's wire format),
// keeps a narrative that cites real finding ids, and drops one that does not, stating why.
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Investigation } from '../src/model/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

describe('investigations with an LLM narrative', () => {
  let llm: Server;
  let o: InProcess;
  let answer = '';
  const requests: Array<{ model: string; messages: Array<{ role: string; content: string }> }> = [];

  before(async () => {
    llm = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        assert.equal(req.url, '/v1/chat/completions');
        requests.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: 'fake-model',
            choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
          }),
        );
      });
    });
    await new Promise<void>((r) => llm.listen(0, '127.0.0.1', r));
    o = await inProcessOrrery({
      llmUrl: `http://127.0.0.1:${(llm.address() as AddressInfo).port}/v1`,
      llmModel: 'fake-model',
    });
    for (const [id, title] of [
      ['N-1', 'Checkout fails with PaymentDeclinedError'],
      ['N-2', 'PaymentDeclinedError at checkout'],
    ]) {
      const res = await o.server.api.inject({
        method: 'POST',
        url: '/api/tickets',
        payload: { source: 'helpdesk', id, title, body: `${title} on the payment page.` },
      });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  after(async () => {
    await o.cleanup();
    await new Promise((r) => llm.close(r));
  });

  const investigateTicket = async (): Promise<Investigation> => {
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/api/investigations',
      payload: { subject: { kind: 'ticket', ticketId: 1 } },
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().investigation as Investigation;
  };

  it('keeps a narrative that cites the findings', async () => {
    answer =
      'Another ticket reads the same and is likely the same problem [F1]. Ask the customer for their account and the time it failed [F2].';
    const run = await investigateTicket();
    assert.equal(run.result.narrative?.text, answer);
    assert.equal(run.result.narrative?.model, 'fake-model');
    assert.deepEqual(run.result.narrative?.citations, ['F1', 'F2']);
    assert.match(
      requests
        .at(-1)!
        .messages.map((m) => m.content)
        .join('\n'),
      /PaymentDeclinedError/,
    );
  });

  it('drops a narrative citing an unknown finding, and says why; the report stands', async () => {
    answer = 'The payment service failed after a deploy [F42].';
    const run = await investigateTicket();
    assert.equal(run.result.narrative, null);
    assert.ok(
      run.result.gaps.some((g) => /rejected.*F42/.test(g)),
      run.result.gaps.join('; '),
    );
    assert.ok(run.result.findings.length >= 2);
  });
});
