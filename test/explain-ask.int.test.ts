// explain@1 and ask@1 on a fixture world: the example shop's history as a real git repository,
// indexed through the real sync path and parsed with the real tree-sitter grammars, and
// shop-shaped traffic made by the OpenTelemetry SDK (web → cart, cart's internal spans and log
// lines). Unknown targets name the nearest names, ambiguous ones list candidates, a path
// answer walks web → cart with citations that resolve (the file:line exists in the repository,
// the query returns rows through the API), and the API refuses a missing token (401) and bad
// input (400).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildShopRepo } from '../src/demo/repo-builder.js';
import type { AnswerLine, AskResult, Evidence, ExplainResult } from '../src/model/index.js';
import { ExplainTargetError, addRepository, ask, explain, syncRepository } from '../src/workflows/index.js';
import { HISTORY, SHOP_NOW } from './helpers/review-world.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { sendShopTraffic } from './helpers/shop-traffic.js';

describe('explain and ask on the shop with traffic', () => {
  let o: InProcess;
  let dir: string;
  let shop: string;
  let viewer: string;

  before(async () => {
    o = await inProcessOrrery({ host: '0.0.0.0' }, { allowAnonymousLoopback: false });
    dir = mkdtempSync(join(tmpdir(), 'orrery-explain-'));
    shop = (await buildShopRepo(HISTORY, join(dir, 'shop'), { now: SHOP_NOW })).dir;
    const { repository } = await addRepository(o.ctx, { path: shop });
    await syncRepository(o.ctx, repository.name);
    await sendShopTraffic(o.ctx, [
      {
        method: 'GET',
        route: '/api/cart',
        calls: [{ method: 'GET', route: '/carts/:user', internal: ['summarizeCart'] }],
        count: 6,
      },
      {
        method: 'POST',
        route: '/api/cart/items',
        calls: [{ method: 'POST', route: '/carts/:user/items', log: 'added 2 x p-17 to the cart of u3' }],
        count: 4,
      },
      { method: 'GET', route: '/api/products', calls: [], count: 3 },
    ]);
    viewer = (await o.store.createToken('vic', { role: 'viewer' })).token;
  });
  after(async () => {
    await o.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, token: string | null = viewer) =>
    o.server.api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const post = (url: string, payload: unknown, token: string | null = viewer) =>
    o.server.api.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  /** A file:line resolves when the file exists at that line in the repository; a query when the API returns rows for it. */
  async function resolves(e: Evidence): Promise<string | null> {
    if (e.ref && /:\d+$/.test(e.ref) && e.kind === 'code') {
      const path = e.ref.slice(0, e.ref.lastIndexOf(':'));
      const line = Number(e.ref.slice(e.ref.lastIndexOf(':') + 1));
      const file = join(shop, path);
      if (!existsSync(file)) return `${e.ref}: no such file`;
      const lines = readFileSync(file, 'utf8').split('\n').length;
      return line >= 1 && line <= lines ? null : `${e.ref}: past the file's ${lines} lines`;
    }
    if (!e.query) return `${e.kind} evidence with neither file:line nor query`;
    const res = await get(e.query);
    if (res.statusCode !== 200) return `${e.query}: ${res.statusCode}`;
    const body = res.json() as Record<string, unknown>;
    const rows = Object.values(body).find((v) => Array.isArray(v)) as unknown[] | undefined;
    if (rows !== undefined && rows.length === 0) return `${e.query}: no rows`;
    return null;
  }

  async function allResolve(lines: readonly AnswerLine[]): Promise<void> {
    const problems: string[] = [];
    for (const l of lines) {
      assert.ok(l.evidence.length > 0, `"${l.text}" cites something`);
      for (const e of l.evidence) {
        const p = await resolves(e);
        if (p) problems.push(p);
      }
    }
    assert.deepEqual(problems, []);
  }

  it('explains a function: where it lives, the route that reaches it at runtime, its callers', async () => {
    const r: ExplainResult = await explain(o.ctx, 'summarizeCart');
    assert.equal(r.target.kind, 'symbol');
    assert.equal(r.target.path, 'services/cart/src/cart-summary.js');
    assert.equal(r.target.service, 'cart');
    const section = (t: string) => r.sections.find((s) => s.title === t)!;
    const routes = section('Routes that reach it')
      .lines.map((l) => l.text)
      .join('\n');
    assert.match(routes, /GET \/carts\/:user/);
    assert.match(routes, /runtime/);
    const callers = section('Callers')
      .lines.map((l) => l.text)
      .join('\n');
    assert.match(callers, /summarize|GET \/carts\/:user/);
    await allResolve([r.summary, ...r.sections.flatMap((s) => s.lines)]);
  });

  it('explains a route: its handler, its log statement seen in traces, its traffic', async () => {
    const r = await explain(o.ctx, 'POST /carts/:user/items');
    assert.equal(r.target.kind, 'route');
    assert.equal(r.target.service, 'cart');
    const logs = r.sections
      .find((s) => s.title === 'Log statements')!
      .lines.map((l) => l.text)
      .join('\n');
    assert.match(logs, /added <\*> x <\*> to the cart of <\*>.*seen in \d+ sampled traces/);
    const traffic = r.sections
      .find((s) => s.title === 'Traffic')!
      .lines.map((l) => l.text)
      .join('\n');
    assert.match(traffic, /calls\/min, p95/);
    await allResolve([r.summary, ...r.sections.flatMap((s) => s.lines)]);
  });

  it('explains a service and a file:line', async () => {
    const svc = await explain(o.ctx, 'cart');
    assert.equal(svc.target.kind, 'service');
    const callers = svc.sections
      .find((s) => s.title === 'Callers')!
      .lines.map((l) => l.text)
      .join('\n');
    assert.match(callers, /web GET \/api\/cart calls it over HTTP/);
    const loc = await explain(o.ctx, 'services/cart/src/cart-summary.js:5');
    assert.equal(loc.target.kind, 'location');
    await allResolve([svc.summary, loc.summary]);
  });

  it('refuses an unknown target with the nearest names, and lists the candidates of an ambiguous one', async () => {
    await assert.rejects(
      () => explain(o.ctx, 'summariseCart'),
      (e: unknown) =>
        e instanceof ExplainTargetError &&
        e.suggestions.includes('summarizeCart') &&
        /nearest: .*summarizeCart/.test(e.message),
    );
    await assert.rejects(
      () => explain(o.ctx, '/carts/:user'),
      (e: unknown) =>
        e instanceof ExplainTargetError &&
        e.candidates.length >= 2 &&
        e.suggestions.some((s) => s.includes('GET /carts/:user')) &&
        e.suggestions.some((s) => s.includes('DELETE /carts/:user')),
    );
    const res = await get(`/api/explain?target=${encodeURIComponent('summariseCart')}`);
    assert.equal(res.statusCode, 400);
    assert.ok((res.json() as { suggestions: string[] }).suggestions.includes('summarizeCart'));
  });

  it('answers a path question step by step: web route → HTTP edge → cart handler → summarizeCart', async () => {
    const r: AskResult = await ask(o.ctx, 'how does GET /api/cart reach summarizeCart?');
    assert.equal(r.intent, 'path');
    assert.ok(r.path, r.gaps.join('; '));
    const kinds = r.path.map((s) => `${s.kind} ${s.service} ${s.name}`);
    assert.deepEqual(
      kinds.map((k) => k.split(' ')[0]),
      ['handler', 'http', 'handler', 'call', 'span'],
      kinds.join(' | '),
    );
    assert.equal(r.path.at(-1)!.name, 'summarizeCart');
    assert.equal(r.path[2]!.ref?.startsWith('services/cart/src/server.js:'), true);
    await allResolve(r.lines);
    const svc = await ask(o.ctx, 'how does web reach cart');
    assert.ok(
      svc.path?.some((s) => s.kind === 'http'),
      svc.gaps.join('; '),
    );
  });

  it('answers what calls, where a template is logged and who owns the code behind an endpoint', async () => {
    const callers = await ask(o.ctx, 'what calls summarizeCart?');
    assert.equal(callers.intent, 'callers');
    assert.ok(
      callers.entities.some((e) => e.kind === 'endpoint' && e.name === 'web GET /api/cart'),
      JSON.stringify(callers.entities),
    );
    const logged = await ask(o.ctx, 'where is "added %d x %s to the cart of %s" logged?');
    assert.equal(logged.intent, 'logged');
    assert.match(logged.lines[0]!.text, /services\/cart\/src\/server\.js:\d+/);
    assert.ok(logged.entities.some((e) => e.kind === 'endpoint' && e.name === 'cart POST /carts/:user/items'));
    const owners = await ask(o.ctx, 'who owns the code behind GET /carts/:user?');
    assert.equal(owners.intent, 'owners');
    assert.ok(
      owners.entities.some((e) => e.kind === 'owner'),
      JSON.stringify(owners.entities),
    );
    assert.ok(owners.files.includes('services/cart/src/server.js'));
    await allResolve([...callers.lines, ...logged.lines, ...owners.lines]);
  });

  it('serves POST /api/ask to a viewer, refuses no token (401) and bad input (400)', async () => {
    const ok = await post('/api/ask', { question: 'what calls summarizeCart' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((ok.json() as { ask: AskResult }).ask.intent, 'callers');
    const md = await post('/api/ask?format=markdown', { question: 'how does web reach cart' });
    assert.equal(md.statusCode, 200);
    assert.match(md.body, /## Path/);
    assert.equal((await post('/api/ask', { question: 'x' }, null)).statusCode, 401);
    assert.equal((await get('/api/explain?target=cart', null)).statusCode, 401);
    assert.equal((await post('/api/ask', { question: '' })).statusCode, 400);
    assert.equal((await post('/api/ask', { question: 'x'.repeat(5000) })).statusCode, 400);
    const broken = await o.server.api.inject({
      method: 'POST',
      url: '/api/ask',
      payload: '{"question": ',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
    });
    assert.equal(broken.statusCode, 400);
    assert.equal((await get('/api/explain')).statusCode, 400);
    assert.equal((await get('/api/explain?target=cart&since=2026-01-02&until=2026-01-01')).statusCode, 400);
  });
});
