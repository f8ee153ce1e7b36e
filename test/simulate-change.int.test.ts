// sim-change@1 on real git repositories, indexed through the real sync path and parsed with
// the real tree-sitter grammars: diff hunks → changed units (comments change nothing, removed
// and added units count, a changed import changes its users), the caller walk up to routes
// (through a re-export barrel, a cycle, Python's Flask routes), and the example shop with
// telemetry made by the OpenTelemetry SDK: which entry endpoints are exposed, runtime-confirmed
// or static-only, and which are not.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildShopRepo } from '../src/demo/repo-builder.js';
import type { BlastEndpoint, BlastRadius } from '../src/model/index.js';
import { addRepository, blastRadius, blastRadiusMarkdown, syncRepository } from '../src/workflows/index.js';
import { ALICE, commit, git } from './fixtures/repo/build.js';
import type { Store } from '../src/store/index.js';
import type { Context } from '../src/workflows/index.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';
import { freshPglite, freshPostgres } from './helpers/stores.js';
import { sendShopTraffic } from './helpers/shop-traffic.js';
import { contextFor } from './helpers/review-world.js';

const HISTORY = fileURLToPath(new URL('../examples/shop/history', import.meta.url));

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

let clock = Date.parse('2026-11-01T10:00:00Z');
function commitAll(dir: string, message: string): string {
  git(dir, ['add', '-A']);
  clock += 3_600_000;
  commit(dir, ALICE, new Date(clock).toISOString(), ['-m', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

const ORDERS = `import { round2 } from './lib/index.js';

const store = new Map();

// Orders are normalized before they are saved.
export function showOrder(req, res) {
  res.json(loadOrder(req.params.id));
}

export function loadOrder(id) {
  return store.get(id) ?? null;
}

function normalize(order) {
  return { ...order, total: round2(order.total) };
}

export async function createOrder(order) {
  const o = normalize(order);
  store.set(o.id, o);
  return o;
}
`;

const FILES: Record<string, string> = {
  'api/package.json': '{ "name": "orders" }\n',
  'api/server.js': `import express from 'express';
import { showOrder, createOrder } from './orders.js';
import { isEven } from './parity.js';

const app = express();
app.get('/orders/:id', showOrder);
app.post('/orders', async (req, res) => {
  res.json(await createOrder(req.body));
});
app.get('/parity/:n', (req, res) => res.json({ even: isEven(Number(req.params.n)) }));
app.get('/health', (req, res) => res.send('ok'));
app.listen(8080);
`,
  'api/orders.js': ORDERS,
  'api/lib/index.js': "export * from './money.js';\n",
  'api/lib/money.js': 'export function round2(x) {\n  return Math.round(x * 100) / 100;\n}\n',
  'api/parity.js': `export function isEven(n) {
  return n === 0 ? true : isOdd(n - 1);
}

export function isOdd(n) {
  return n === 0 ? false : isEven(n - 1);
}
`,
  'api/orders.test.js': "import { createOrder } from './orders.js';\ncreateOrder({ id: 1, total: 1 });\n",
  'items/app.py': `from flask import Flask
from . import helpers

app = Flask(__name__)


@app.route('/items')
def list_items():
    return helpers.fmt([1, 2])


@app.route('/ping')
def ping():
    return 'pong'
`,
  'items/helpers.py': "def fmt(items):\n    return ', '.join(str(i) for i in items)\n",
};

const names = (r: BlastRadius, kind?: string) =>
  r.changed.filter((c) => kind === undefined || c.kind === kind).map((c) => `${c.path} ${c.name} ${c.change}`);
const routes = (r: BlastRadius) => r.endpoints.map((e) => `${e.service} ${e.methods.join(',')} ${e.endpoint}`).sort();

describe('sim-change on a repository with real commits', () => {
  let o: InProcess;
  let dir: string;
  const sha: Record<string, string> = {};
  let repo: string;

  before(async () => {
    o = await inProcessOrrery();
    dir = mkdtempSync(join(tmpdir(), 'orrery-simchange-'));
    git(dir, ['init', '-q', '-b', 'main']);
    write(dir, FILES);
    sha.c1 = commitAll(dir, 'orders and items');
    write(dir, {
      'api/lib/money.js': 'export function round2(x) {\n  return Math.round((x + Number.EPSILON) * 100) / 100;\n}\n',
      'api/orders.js': ORDERS.replace(
        '// Orders are normalized before they are saved.',
        '// Orders are normalized, then saved.',
      ),
      'items/helpers.py': "def fmt(items):\n    return '; '.join(str(i) for i in items)\n",
    });
    sha.c2 = commitAll(dir, 'round2 and fmt');
    write(dir, {
      'api/parity.js': FILES['api/parity.js']!.replace('false : isEven', 'false : !isOdd(n - 1) && isEven'),
    });
    sha.c3 = commitAll(dir, 'isOdd');
    const c4 = ORDERS.replace('export function loadOrder(id) {\n  return store.get(id) ?? null;\n}\n\n', '').replace(
      'res.json(loadOrder(req.params.id));',
      'res.json(store.get(req.params.id) ?? null);',
    );
    write(dir, { 'api/orders.js': c4 });
    sha.c4 = commitAll(dir, 'inline loadOrder');
    write(dir, { 'api/orders.js': c4.replace("from './lib/index.js'", "from './lib/money.js'") });
    sha.c5 = commitAll(dir, 'import round2 directly');

    const ctx = o.ctx;
    const added = await addRepository(ctx, {
      path: dir,
      name: 'orders',
      services: [
        { service: 'orders', pathPrefix: 'api' },
        { service: 'items', pathPrefix: 'items' },
      ],
    });
    repo = added.repository.name;
    await syncRepository(ctx, repo);
  });
  after(async () => {
    await o.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (base: string, head: string) => blastRadius(o.ctx, { repository: repo, base, head });

  it('maps hunks to the changed functions at both revisions; a comment-only hunk changes nothing', async () => {
    const r = await run(sha.c1!, sha.c2!);
    assert.deepEqual(names(r).sort(), ['api/lib/money.js round2 modified', 'items/helpers.py fmt modified']);
    const orders = r.files.find((f) => f.path === 'api/orders.js')!;
    assert.equal(orders.units, 0, 'the comment edit in orders.js changed no unit');
    assert.equal(r.algorithm, 'sim-change@1');
    assert.equal(r.window, null, 'no telemetry: no window');
  });

  it('walks up the callers, through a re-export barrel and into Flask routes, and no further', async () => {
    const r = await run(sha.c1!, sha.c2!);
    const reached = r.reached.map((u) => `${u.path} ${u.name}`);
    assert.ok(reached.includes('api/orders.js normalize'), reached.join('\n'));
    assert.ok(reached.includes('api/orders.js createOrder'));
    assert.ok(!reached.some((u) => u.startsWith('api/orders.test.js')), 'test code is not a caller');
    assert.deepEqual(routes(r), ['items GET /items', 'orders POST /orders']);
    const post = r.endpoints.find((e) => e.endpoint === '/orders')!;
    assert.deepEqual(post.path, [
      'api/lib/money.js round2',
      'api/orders.js normalize',
      'api/orders.js createOrder',
      'POST /orders (api/server.js)',
    ]);
    assert.equal(post.mark, 'static-only');
    assert.equal(post.callsPerMinute, null);
    assert.deepEqual(post.handler, { path: 'api/server.js', line: 7 });
    assert.ok(r.notes.some((n) => /no runtime view/.test(n)));
  });

  it('ends on a cycle of callers: each unit is reached once', async () => {
    const r = await run(sha.c2!, sha.c3!);
    assert.deepEqual(names(r), ['api/parity.js isOdd modified']);
    assert.deepEqual(
      r.reached.map((u) => `${u.name} ${u.depth}`),
      ['isEven 1', 'GET /parity/:n 2'],
    );
    assert.deepEqual(routes(r), ['orders GET /parity/:n']);
  });

  it('counts a removed function, with its lines at base, and the function that called it', async () => {
    const r = await run(sha.c3!, sha.c4!);
    assert.deepEqual(names(r).sort(), ['api/orders.js loadOrder removed', 'api/orders.js showOrder modified']);
    assert.deepEqual(r.changed.find((c) => c.name === 'loadOrder')!.lines, { startLine: 10, endLine: 12 });
    assert.deepEqual(routes(r), ['orders GET /orders/:id']);
  });

  it('a changed import changes the functions that use the name it binds', async () => {
    const r = await run(sha.c4!, sha.c5!);
    const n = r.changed.find((c) => c.name === 'normalize')!;
    assert.equal(n.why, 'its import of round2 changed');
    assert.deepEqual(routes(r), ['orders POST /orders']);
  });

  it('the units at head are the index’s symbols (same extractor, same lines)', async () => {
    const r = await run(sha.c4!, sha.c5!);
    const n = r.changed.find((c) => c.name === 'normalize')!;
    const rows = await o.store.db.query<{ start_line: number; end_line: number }>(
      `SELECT s.start_line, s.end_line FROM symbol s JOIN file f ON f.id = s.file_id
        WHERE f.path = 'api/orders.js' AND s.name = 'normalize'`,
    );
    assert.deepEqual(rows, [{ start_line: n.lines!.startLine, end_line: n.lines!.endLine }]);
    assert.equal(n.service, 'orders');
  });

  it('renders Markdown with the endpoints and what changed', async () => {
    const md = blastRadiusMarkdown(await run(sha.c1!, sha.c2!));
    assert.match(md, /^# Blast radius of orders /);
    assert.match(md, /\| orders \| POST \/orders \| yes \| static-only \|/);
    assert.match(md, /\| api\/lib\/money\.js \| round2 \| modified \| line 2 at head \| orders \|/);
  });
});

for (const backend of ['pglite', 'postgres'] as const)
  describe(`sim-change on the example shop with traffic (${backend})`, () => {
    let store: { store: Store; cleanup(): Promise<void> };
    let ctx: Context;
    let dir: string;
    const sha: Record<string, string> = {};
    const results: Record<string, BlastRadius> = {};

    const cartRoute = (route: string) => (e: BlastEndpoint) => e.service === 'cart' && e.endpoint === route;
    const entry = (r: BlastRadius) =>
      r.endpoints
        .filter((e) => e.entry)
        .map((e) => `${e.methods.join(',')} ${e.endpoint} ${e.mark}`)
        .sort();

    before(async () => {
      store = backend === 'pglite' ? await freshPglite() : await freshPostgres();
      ctx = contextFor(store.store);
      dir = mkdtempSync(join(tmpdir(), 'orrery-simchange-shop-'));
      const built = await buildShopRepo(HISTORY, join(dir, 'shop'), { now: new Date('2026-12-01T00:00:00Z') });
      const shop = built.dir;
      sha.s0 = built.head;
      const edit = (path: string, from: string, to: string) => {
        const full = join(shop, path);
        const text = readFileSync(full, 'utf8');
        assert.ok(text.includes(from), `${path} holds ${from}`);
        writeFileSync(full, text.replace(from, to));
      };
      edit(
        'services/cart/src/cart-summary.js',
        '    lineTotal: 0,\n',
        '    lineTotal: 0,\n    note: item.note ?? null,\n',
      );
      sha.s1 = commitAll(shop, 'cart: lines carry their note');
      edit(
        'services/cart/src/catalog.js',
        'return getJson(`$' + '{CATALOG_URL}/products/',
        'return getJson(`$' + '{CATALOG_URL}/products/v1/',
      );
      sha.s2 = commitAll(shop, 'cart: versioned product lookups');
      edit(
        'services/cart/src/cart-store.js',
        'await rm(this.file(userId), { force: true });',
        'await rm(this.file(userId), { force: true, maxRetries: 2 });',
      );
      sha.s3 = commitAll(shop, 'cart: retry clearing');
      edit(
        'services/cart/src/server.js',
        "  ['GET', '/carts/:user/count',",
        "  ['GET', '/carts/:user/lines', async ({ params }) => ({ lines: (await carts.get(params.user)).items.length })],\n\n  ['GET', '/carts/:user/count',",
      );
      sha.s4 = commitAll(shop, 'cart: line count endpoint');
      edit('lib/env.js', 'if (!Number.isInteger(n) || n < 0)', 'if (!Number.isSafeInteger(n) || n < 0)');
      sha.s5 = commitAll(shop, 'lib: safe integers only');

      const { repository } = await addRepository(ctx, { path: shop });
      await syncRepository(ctx, repository.name);
      await sendShopTraffic(ctx, [
        {
          method: 'GET',
          route: '/api/cart',
          calls: [{ method: 'GET', route: '/carts/:user', internal: ['summarizeCart'] }],
          count: 8,
        },
        {
          method: 'GET',
          route: '/api/cart/badge',
          calls: [{ method: 'GET', route: '/carts/:user/count', internal: ['summarizeCart'] }],
          count: 8,
        },
        {
          method: 'POST',
          route: '/api/cart/items',
          calls: [{ method: 'POST', route: '/carts/:user/items', log: 'added 2 x p-17 to the cart of u3' }],
          count: 6,
        },
        {
          method: 'POST',
          route: '/api/checkout',
          calls: [
            { method: 'GET', route: '/carts/:user', internal: ['summarizeCart'] },
            { method: 'DELETE', route: '/carts/:user' },
          ],
          count: 4,
        },
        { method: 'GET', route: '/api/products', calls: [], count: 5 },
      ]);
      for (const [name, base, head] of [
        ['lineItems', sha.s0, sha.s1],
        ['getProduct', sha.s1, sha.s2],
        ['clear', sha.s2, sha.s3],
        ['newRoute', sha.s3, sha.s4],
        ['startup', sha.s4, sha.s5],
      ] as const) {
        results[name] = await blastRadius(ctx, { repository: repository.name, base: base!, head: head! });
      }
    });
    after(async () => {
      await store.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a helper in cart reaches the web endpoints that call it, confirmed by the traces', () => {
      const r = results.lineItems!;
      assert.deepEqual(names(r), ['services/cart/src/cart-summary.js lineItems modified']);
      assert.deepEqual(entry(r), [
        'GET /api/cart runtime-confirmed',
        'GET /api/cart/badge runtime-confirmed',
        'POST /api/checkout runtime-confirmed',
      ]);
      const cart = r.endpoints.filter((e) => e.service === 'cart').map((e) => `${e.methods.join(',')} ${e.endpoint}`);
      assert.deepEqual(
        cart.sort(),
        ['GET /carts/:user', 'GET /carts/:user/count'],
        'DELETE /carts/:user is not exposed',
      );
      const get = r.endpoints.find(cartRoute('/carts/:user'))!;
      assert.equal(get.mark, 'runtime-confirmed');
      assert.ok(get.evidence.some((x) => x.kind === 'span-name' && /summarizeCart/.test(x.detail)));
      assert.deepEqual(get.path.slice(0, 2), [
        'services/cart/src/cart-summary.js lineItems',
        'services/cart/src/cart-summary.js summarizeCart',
      ]);
      const web = r.endpoints.find((e) => e.endpoint === '/api/cart')!;
      assert.equal(web.via, 'calls');
      assert.ok(web.callsPerMinute! > 0);
      assert.ok(web.users! >= 1);
      assert.ok(r.changed[0]!.seenAtRuntime === false, 'lineItems itself has no span');
      assert.ok(r.reached.some((u) => u.name === 'summarizeCart' && u.seenAtRuntime));
      assert.deepEqual(
        r.services.map((s) => `${s.service} ${s.mark}`),
        ['web runtime-confirmed', 'cart runtime-confirmed'],
      );
      assert.ok(r.people.users! >= 1 && r.people.topUsers.length > 0 && r.people.topAccounts.length > 0);
      assert.ok(r.owners.some((x) => x.role === 'changed') && r.owners.some((x) => x.role === 'exposed'));
    });

    it('a product lookup reaches only the add-to-cart path, confirmed by its log line', () => {
      const r = results.getProduct!;
      assert.deepEqual(entry(r), ['POST /api/cart/items runtime-confirmed']);
      const items = r.endpoints.find(cartRoute('/carts/:user/items'))!;
      assert.ok(
        items.evidence.some((x) => x.kind === 'log' && /added 2 x p-17/.test(x.detail)),
        JSON.stringify(items),
      );
    });

    it('code no trace shows running stays static-only, through the same calls', () => {
      const r = results.clear!;
      const del = r.endpoints.find(cartRoute('/carts/:user'))!;
      assert.deepEqual(del.methods, ['DELETE']);
      assert.equal(del.mark, 'static-only');
      assert.ok(del.callsPerMinute! > 0, 'served, but nothing showed its requests reaching the change');
      assert.deepEqual(entry(r), ['POST /api/checkout static-only'], 'GET /api/cart calls GET, not DELETE');
    });

    it('a function run at start-up (top-level variables call it) exposes the services that run it', () => {
      const r = results.startup!;
      assert.deepEqual(names(r), ['lib/env.js intEnv modified']);
      assert.ok(
        r.reached.some((u) => u.path === 'services/cart/src/server.js' && u.name === 'config' && u.kind === 'variable'),
      );
      const web = r.endpoints.filter((e) => e.service === 'web').map((e) => `${e.methods.join(',')} ${e.endpoint}`);
      assert.deepEqual(web.sort(), [
        'GET /api/cart',
        'GET /api/cart/badge',
        'POST /api/cart/items',
        'POST /api/checkout',
      ]);
      const cart = r.endpoints.filter((e) => e.service === 'cart');
      assert.equal(cart.length, 5, 'every cart endpoint: cart reads its config at start-up');
      const catalog = r.endpoints.filter((e) => e.service === 'catalog');
      assert.ok(catalog.length > 0 && catalog.every((e) => e.mark === 'static-only' && e.callsPerMinute === 0));
    });

    it('a new route is exposed with no traffic, and nothing calls it', () => {
      const r = results.newRoute!;
      assert.deepEqual(names(r, 'route'), ['services/cart/src/server.js GET /carts/:user/lines added']);
      assert.deepEqual(routes(r), ['cart GET /carts/:user/lines']);
      const lines = r.endpoints[0]!;
      assert.equal(lines.mark, 'static-only');
      assert.equal(lines.callsPerMinute, 0);
      assert.equal(lines.entry, false, 'cart is called by web: its endpoints are not entry endpoints');
      assert.deepEqual(
        r.services.map((s) => s.service),
        ['cart'],
        'web is not pulled in by the service graph: sampled traces show which web endpoints call cart',
      );
    });
  });
