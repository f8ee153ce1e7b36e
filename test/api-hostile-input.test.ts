// Hostile API input is a 400 naming the parameter, never a 500: every registered GET route
// is walked with a NUL (%00) in each of its query parameters and route parameters; dates
// PostgreSQL's timestamptz cannot hold (year 0, 1e20 ms) in queries and JSON bodies; NUL and
// lone surrogates in JSON body fields; a NUL in a blame path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RouteOptions } from 'fastify';
import { loadConfig } from '../src/config/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { type OrreryServer, buildServer } from '../src/server/index.js';
import { BatchWriter, type Store } from '../src/store/index.js';
import { freshPglite } from './helpers/stores.js';

/** The keys of a Zod object schema (what the routes declare), or none. */
function keysOf(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

describe('hostile API input', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let server: OrreryServer;
  const routes: RouteOptions[] = [];

  before(async () => {
    ({ store, cleanup } = await freshPglite());
    const config = loadConfig({}, { logLevel: 'silent' });
    const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
      concurrency: 1,
      maxQueuedRecords: 1000,
      maxQueueWaitMs: 1000,
      maxBatchRecords: 1000,
    });
    server = buildServer({ store, writer, metrics: new SelfMetrics() }, config, {
      allowAnonymousLoopback: true,
      version: 'test',
      webRoot: null,
    });
    // Plugins register their routes at ready(), so the hook sees every one of them.
    server.api.addHook('onRoute', (r) => {
      routes.push(r);
    });
    await server.api.ready();
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });

  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    server.api.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('answers 400 naming the parameter for a NUL in any query or route parameter of every GET route', async () => {
    const gets = routes.filter((r) => (Array.isArray(r.method) ? r.method : [r.method]).includes('GET'));
    let probed = 0;
    const failures: string[] = [];
    for (const r of gets) {
      const params = keysOf(r.schema?.params);
      const fill = (url: string, nul: string | null) =>
        url.replace(/:(\w+)/g, (_m, k: string) => (k === nul ? 'x%00y' : k === 'id' ? '1' : 'x'));
      for (const k of keysOf(r.schema?.querystring)) {
        const url = `${fill(r.url, null)}?${k}=a%00b`;
        const res = await inject('GET', url);
        probed++;
        if (res.statusCode !== 400 || !res.json().message.includes(k))
          failures.push(`${url} → ${res.statusCode} ${res.body}`);
      }
      for (const k of params) {
        const url = fill(r.url, k);
        const res = await inject('GET', url);
        probed++;
        if (res.statusCode !== 400 || !res.json().message.includes(k))
          failures.push(`${url} → ${res.statusCode} ${res.body}`);
      }
    }
    assert.ok(probed > 40, `only ${probed} parameters probed`);
    assert.deepEqual(failures, []);
  });

  it('rejects dates timestamptz cannot hold, in queries and JSON bodies', async () => {
    for (const url of [
      '/api/logs?since=0000-01-01',
      '/api/spans?until=0000-01-01T00:00:00Z',
      '/api/patterns?since=1969-12-31T23:59:59Z',
      '/api/deploys?since=99999999d',
    ]) {
      const res = await inject('GET', url);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.match(res.json().message, /^(since|until): .*1970/);
    }
    const deploy = await inject('POST', '/api/deploys', { service: 's', version: 'v', at: '0000-01-01' });
    assert.equal(deploy.statusCode, 400, deploy.body);
    assert.match(deploy.json().message, /at: /);
    for (const createdAt of [1e20, -1e15, '0000-01-01']) {
      const ticket = await inject('POST', '/api/tickets', { id: 'old', title: 't', createdAt });
      assert.equal(ticket.statusCode, 400, `${createdAt}: ${ticket.body}`);
      assert.match(ticket.json().message, /createdAt/);
    }
    const ok = await inject('POST', '/api/tickets', { id: 'fine', title: 't', createdAt: 1_790_000_000_000 });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it('answers 400 naming the field for NUL or a lone surrogate in a JSON body', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/api/deploys', { service: 's\u0000', version: 'v' }, /service: .*NUL/],
      ['/api/deploys', { service: 's', version: 'v', attributes: { a: 'x\ud800' } }, /attributes\.a: .*surrogate/],
      ['/api/deploys', { service: 's', version: 'v', attributes: { 'k\u0000': 1 } }, /attributes: .*NUL/],
      ['/api/investigations', { subject: { kind: 'alert', service: 'a\u0000', since: '1h' } }, /subject\.service/],
    ];
    for (const [url, body, re] of cases) {
      const res = await inject('POST', url, body);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: ${res.body}`);
      assert.match(res.json().message, re);
    }
  });

  it('stores ticket and infra text with NUL and lone surrogates as U+FFFD (content, not a 400)', async () => {
    const ticket = await inject('POST', '/api/tickets', {
      id: 'hostile',
      title: 'x\ud800',
      body: 'nul \u0000 here',
      fields: { 'k\u0000': 'v\udc00' },
      comments: [{ body: 'c\ud800' }],
    });
    assert.equal(ticket.statusCode, 200, ticket.body);
    const id = ticket.json().tickets[0].id;
    const stored = (await inject('GET', `/api/tickets/${id}`)).json();
    assert.equal(stored.ticket.title, 'x\ufffd');
    assert.equal(stored.ticket.body, 'nul \ufffd here');
    assert.doesNotMatch(JSON.stringify(stored), /\\u0000|\\ud[89a-f]/i);
    const yaml =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "web\\0x"\n  namespace: "n\\ud800"\nspec: {}\n';
    const infra = await inject('POST', '/api/infra/import', { files: [{ path: 'k.yaml', content: yaml }] });
    assert.ok(infra.statusCode < 300, infra.body);
    const names = (await inject('GET', '/api/infra')).json().resources.map((r: { name: string }) => r.name);
    assert.deepEqual(names, ['web\ufffdx']);
  });

  it('answers 400 for a NUL in a blame path', async () => {
    const res = await inject('GET', '/api/blame?repo=shop&path=src/a%00.ts&start=1');
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /path: /);
  });
});
