// The MCP server's front doors on an Orrery that requires tokens (an empty store, fast): the
// SDK's real Client over Streamable HTTP and over stdio (`orrery mcp`). A request without a
// token is a 401 and a bad one too; a viewer's token lists the tools but is refused the tools
// whose API route needs an operator; proposing is offered only when asked for, approving never;
// all tool schemas together stay under 16,000 characters; bad arguments are tool errors, never a
// crash; and `orrery mcp` writes only JSON-RPC lines to stdout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { MCP_TEXT_BUDGET } from '../src/server/mcp/index.js';
import { call, httpClient, rawStdio, stdioClient } from './helpers/mcp.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const EXPECTED = [
  'search',
  'list_problems',
  'get_problem',
  'investigate',
  'get_investigation',
  'blast_radius',
  'simulate',
  'review_diff',
  'deploy_status',
  'get_trace',
  'owners_for',
  'explain',
  'ask',
];

describe('MCP: auth, roles, schemas and stdio', () => {
  let o: InProcess;
  let api: string;
  let viewer: string;
  let operator: string;
  const clients: Client[] = [];

  before(async () => {
    o = await inProcessOrrery({}, { allowAnonymousLoopback: false });
    await o.server.api.listen({ host: '127.0.0.1', port: 0 });
    const addr = o.server.api.server.address() as { port: number };
    api = `http://127.0.0.1:${addr.port}`;
    viewer = (await o.store.createToken('mcp-viewer', { role: 'viewer', actor: 'test' })).token;
    operator = (await o.store.createToken('mcp-operator', { role: 'operator', actor: 'test' })).token;
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await o?.cleanup();
  });

  it('answers 401 without a token and with a bad one, on loopback when the API requires tokens', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const none = await fetch(`${api}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) });
    assert.equal(none.status, 401);
    assert.match(((await none.json()) as { message: string }).message, /authentication required/);
    const bad = await fetch(`${api}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer not-a-token' },
      body: JSON.stringify(init),
    });
    assert.equal(bad.status, 401);
    await assert.rejects(httpClient(api), /401/);
    const ok = await fetch(`${api}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${viewer}` },
      body: JSON.stringify(init),
    });
    assert.equal(ok.status, 200);
    const get = await fetch(`${api}/mcp`, { headers: { authorization: `Bearer ${viewer}` } });
    assert.equal(get.status, 405);
  });

  it('lists the tools, their schemas together under 16,000 characters; proposing only when asked, approving never', async () => {
    const c = await httpClient(api, viewer);
    clients.push(c);
    const { tools } = await c.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      EXPECTED,
    );
    const size = JSON.stringify(tools).length;
    assert.ok(size < 16_000, `tools/list is ${size} characters`);
    const p = await httpClient(api, operator, { 'x-orrery-allow-propose': '1' });
    clients.push(p);
    const names = (await p.listTools()).tools.map((t) => t.name);
    assert.deepEqual(names, [...EXPECTED, 'propose_remediation']);
    assert.ok(JSON.stringify((await p.listTools()).tools).length < 16_000);
    assert.ok(!names.some((n) => /approve|execute|reject|undo/.test(n)), 'nothing approves or runs a proposal');
    const refused = await call(c, 'propose_remediation', { from: 'problem', id: 1 });
    assert.ok(refused.isError, 'propose_remediation is not there without the opt-in');
  });

  it('refuses a viewer the tools whose route needs an operator, naming the role; lets it read', async () => {
    const c = await httpClient(api, viewer);
    clients.push(c);
    for (const [name, args] of [
      ['investigate', { ticket: 1 }],
      ['simulate', { kind: 'load', factor: 2 }],
      ['blast_radius', { deploy: 1 }],
      ['review_diff', { range: 'HEAD~1..HEAD' }],
    ] as const) {
      const r = await call(c, name, args);
      assert.ok(r.isError, `${name} refused`);
      assert.match(r.text, /needs a token with the "operator" role/, name);
    }
    const list = await call(c, 'list_problems', {});
    assert.ok(!list.isError, list.text);
    // explain and ask read (viewer): on an empty world an answer that says what it lacks, not an error.
    const asked = await call(c, 'ask', { question: 'how does checkout reach payments?' });
    assert.ok(!asked.isError, asked.text);
    assert.ok((JSON.parse(asked.text) as { summary: string }).summary.length > 0);
    const env = JSON.parse(list.text) as {
      page: { total: number; returned: number; cursor: string | null };
      budget: { maxChars: number };
    };
    assert.deepEqual([env.page.total, env.page.returned, env.page.cursor], [0, 0, null]);
    assert.equal(env.budget.maxChars, MCP_TEXT_BUDGET);
    const op = await httpClient(api, operator);
    clients.push(op);
    const missing = await call(op, 'investigate', { ticket: 424242 });
    assert.ok(missing.isError);
    assert.doesNotMatch(missing.text, /operator/, 'an operator gets past the role check');
  });

  it('answers bad arguments as tool errors with a message, and keeps serving', async () => {
    const c = await httpClient(api, operator);
    clients.push(c);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['search', { kind: 'everything' }, /kind/],
      ['search', { kind: 'logs', text: 'a\u0000b' }, /NUL|text/i],
      ['search', { kind: 'logs', since: 'yesterday-ish' }, /since/],
      ['search', { kind: 'code' }, /text: required/],
      ['get_trace', { traceId: 'zz' }, /32-digit hex/],
      ['get_problem', { id: -1 }, /id/],
      ['list_problems', { cursor: 'not-ours' }, /cursor/],
      ['list_problems', { limit: 100000 }, /limit/],
      ['get_investigation', { id: 1, finding: 'X' }, /finding/],
      ['investigate', {}, /one subject/],
      ['search', { kind: 'logs', text: 'x'.repeat(5000) }, /text/],
      ['explain', { target: '' }, /target/],
      ['explain', { target: 'nothingLikeThisExists' }, /nothingLikeThisExists/],
      ['ask', { question: 'q'.repeat(5000) }, /question/],
    ];
    for (const [name, args, want] of cases) {
      const r = await call(c, name, args);
      assert.ok(r.isError, `${name} ${JSON.stringify(args).slice(0, 80)} is an error`);
      assert.match(r.text, want, `${name}: ${r.text}`);
    }
    const unknown = await c.callTool({ name: 'approve_proposal', arguments: {} }).then(
      (r) => (r as { isError?: boolean }).isError === true,
      () => true,
    );
    assert.ok(unknown, 'an unknown tool is refused');
    assert.ok(!(await call(c, 'list_problems', {})).isError, 'still serving');
    const big = await fetch(`${api}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${operator}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/list',
        params: { pad: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    assert.equal(big.status, 413, 'a body past the API limit is a 413');
    const junk = await fetch(`${api}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${operator}`,
      },
      body: '{"jsonrpc": "2.0", "id": 1, "method": ',
    });
    assert.equal(junk.status, 400, 'malformed JSON is a 400');
  });

  it('serves the same tools on stdio (orrery mcp with ORRERY_TOKEN), refusing a missing token clearly', async () => {
    const { client, stderr } = await stdioClient(api, { token: viewer });
    clients.push(client);
    const { tools } = await client.listTools({}, { timeout: 300_000 });
    assert.deepEqual(
      tools.map((t) => t.name),
      EXPECTED,
    );
    const r = await call(client, 'list_problems', {});
    assert.ok(!r.isError, r.text);
    const refused = await call(client, 'investigate', { ticket: 1 });
    assert.match(refused.text, /operator/);
    assert.match(stderr(), /orrery mcp: serving MCP on stdio/);
    const anon = await stdioClient(api);
    clients.push(anon.client);
    await assert.rejects(anon.client.listTools(), /ORRERY_TOKEN/);
  });

  it('writes only JSON-RPC lines to stdout (notes and errors go to stderr)', async () => {
    const out = await rawStdio(
      api,
      [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'search', arguments: { kind: 'logs' } } },
      ],
      3,
      60_000,
    );
    assert.equal(out.code, 0, out.stderr);
    const lines = out.stdout.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 3, `replies: ${out.stdout}\nstderr: ${out.stderr}`);
    for (const l of lines) {
      const m = JSON.parse(l) as { jsonrpc?: string };
      assert.equal(m.jsonrpc, '2.0', l);
    }
    const ids = lines.map((l) => (JSON.parse(l) as { id?: number }).id);
    assert.deepEqual(ids, [1, 2, 3]);
    assert.match(out.stderr, /orrery mcp:/, 'the note went to stderr');
  });
});
