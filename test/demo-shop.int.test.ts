// The example shop as the demo runs it: its history builds into a git repository, the four
// services start from their tags with the real OpenTelemetry SDK exporting to an OTLP
// receiver here, and each faulty tag misbehaves the way its scenario says.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { decodeOtlp } from '../src/ingest/sources/otlp/index.js';
import type { LogRecord, Span } from '../src/model/index.js';
import { freePort } from '../bench/lib/server-process.js';
import { buildShopRepo } from '../src/demo/index.js';

const ROOT = resolve(import.meta.dirname, '..');
const SHOP = join(ROOT, 'examples', 'shop');
const SERVICES = ['catalog', 'cart', 'payments', 'web'] as const;
type Service = (typeof SERVICES)[number];

const scenarios = JSON.parse(readFileSync(join(SHOP, 'scenarios.json'), 'utf8')) as {
  services: Record<Service, { baseline: string }>;
  scenarios: Record<string, { deploys?: { service: Service; tag: string }[] }>;
};
const faultyTag = (scenario: string) => scenarios.scenarios[scenario]!.deploys![0]!.tag;

/** An OTLP/HTTP receiver that decodes what the services export with Orrery's own decoder. */
class Receiver {
  spans: Span[] = [];
  logs: LogRecord[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.url === '/v1/traces') this.spans.push(...decodeOtlp('traces', 'protobuf', body).records);
      else if (req.url === '/v1/logs') this.logs.push(...decodeOtlp('logs', 'protobuf', body).records);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  /** Waits until pick() finds something in what has arrived (the SDK batches for 0.5 s). */
  async waitFor<T>(what: string, pick: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pick();
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no telemetry arrived for: ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  trace(traceId: string): Span[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }
}

/** The first container's plain env values in deploy/k8s/<service>.yaml. */
function manifestEnv(tree: string, service: Service): Record<string, string> {
  for (const doc of parseAllDocuments(readFileSync(join(tree, 'deploy', 'k8s', `${service}.yaml`), 'utf8'))) {
    const m = doc.toJS() as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: unknown }[] }[] } } };
    };
    if (m?.kind !== 'Deployment') continue;
    const env: Record<string, string> = {};
    for (const e of m.spec?.template?.spec?.containers?.[0]?.env ?? [])
      if (e.value != null) env[e.name] = String(e.value);
    return env;
  }
  throw new Error(`${service}.yaml has no Deployment`);
}

interface Running {
  service: Service;
  tag: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  stoppedAt?: number;
}

describe('the example shop', () => {
  let work: string;
  let repo: string;
  let receiver: Receiver;
  let otlp: string;
  const ports = {} as Record<Service, number>;
  const running = new Map<Service, Running>();
  const trees = new Map<string, string>();
  const shas = new Map<string, string>();

  const url = (s: Service) => `http://127.0.0.1:${ports[s]}`;

  async function start(service: Service, tag: string): Promise<Running> {
    const tree = trees.get(tag)!;
    const version = tag.slice(tag.lastIndexOf('/v') + 2);
    const logFile = join(work, `${service}-${version}.log`);
    const out = openSync(logFile, 'a');
    const child = spawn(
      process.execPath,
      ['--import', join(tree, 'lib', 'telemetry.js'), join(tree, 'services', service, 'src', 'server.js')],
      {
        cwd: tree,
        stdio: ['ignore', out, out],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          ...manifestEnv(tree, service),
          PORT: String(ports[service]),
          SERVICE_NAME: service,
          SERVICE_VERSION: version,
          DATA_DIR: join(work, 'data', service),
          FAULT_FLAGS_FILE: join(work, 'flags', `${service}.json`),
          WEB_URL: url('web'),
          CART_URL: url('cart'),
          CATALOG_URL: url('catalog'),
          PAYMENTS_URL: url('payments'),
          OTEL_SERVICE_NAME: service,
          OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment=demo,vcs.ref.head.revision=${shas.get(tag)},service.instance.id=${service}-${version}`,
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        },
      },
    );
    closeSync(out);
    const r: Running = {
      service,
      tag,
      child,
      exited: new Promise((res) =>
        child.once('exit', (code, signal) => res({ code, signal, ms: Date.now() - (r.stoppedAt ?? 0) })),
      ),
    };
    running.set(service, r);
    const logTail = () => readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${service} ${tag} exited at start:\n${logTail()}`);
      try {
        if ((await fetch(`${url(service)}/healthz`)).ok) return r;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline)
        throw new Error(`${service} ${tag} did not answer /healthz within 30 s:\n${logTail()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async function stop(service: Service) {
    const r = running.get(service)!;
    running.delete(service);
    r.stoppedAt = Date.now();
    r.child.kill('SIGTERM');
    return r.exited;
  }

  /** A deploy as the demo does it, minus the proxy: stop the old version, start the new. */
  async function deploy(service: Service, tag: string) {
    const exit = await stop(service);
    assert.equal(exit.code, 0, `${service} exits 0 on SIGTERM`);
    assert.ok(exit.ms < 5000, `${service} stopped in ${exit.ms} ms`);
    await start(service, tag);
  }

  async function call(user: string, account: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${url('web')}${path}`, {
      method,
      headers: { 'x-user-id': user, 'x-account-id': account, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function addItems(user: string, account: string, items: [string, number][]) {
    for (const [productId, quantity] of items) {
      const r = await call(user, account, 'POST', '/api/cart/items', { productId, quantity });
      assert.equal(r.status, 200, `add ${productId} for ${user}: ${JSON.stringify(r.body)}`);
    }
  }

  /** The trace of a web request, found by its route and user. */
  function webTrace(route: string, user: string): string | undefined {
    return receiver.spans.find((s) => s.service === 'web' && s.httpRoute === route && s.userId === user && s.kind === 2)
      ?.traceId;
  }

  const serverSpans = (traceId: string, service: Service, route: string) =>
    receiver.trace(traceId).filter((s) => s.service === service && s.kind === 2 && s.httpRoute === route);

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'orrery-shop-'));
    mkdirSync(join(work, 'flags'));
    repo = join(work, 'repo');
    await buildShopRepo(join(SHOP, 'history'), repo, { now: new Date() });
    const tags = [
      ...SERVICES.map((s) => scenarios.services[s].baseline),
      ...['inventory-timeout', 'slow-dependency', 'cart-badge'].map(faultyTag),
    ];
    for (const tag of tags) {
      const tree = join(work, 'trees', tag.replace('/', '-'));
      execFileSync('git', ['worktree', 'add', '--quiet', '--detach', tree, tag], { cwd: repo, stdio: 'pipe' });
      symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
      trees.set(tag, tree);
      shas.set(tag, execFileSync('git', ['rev-parse', `${tag}^{commit}`], { cwd: repo, encoding: 'utf8' }).trim());
    }
    receiver = new Receiver();
    otlp = await receiver.start();
    for (const s of SERVICES) ports[s] = await freePort();
    await Promise.all(SERVICES.map((s) => start(s, scenarios.services[s].baseline)));
  });

  after(async () => {
    await Promise.all([...running.keys()].map((s) => stop(s)));
    await receiver?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('builds a history with authors, CODEOWNERS, tags and the culprit commits before their tags', () => {
    const authors = new Set(
      execFileSync('git', ['log', '--format=%ae'], { cwd: repo, encoding: 'utf8' }).trim().split('\n'),
    );
    assert.ok(authors.size >= 5, `authors: ${[...authors].join(', ')}`);
    const owners = readFileSync(join(repo, '.github', 'CODEOWNERS'), 'utf8');
    for (const s of SERVICES) {
      const line = owners.split('\n').find((l) => l.startsWith(`/services/${s}/`));
      assert.ok(line, `CODEOWNERS covers services/${s}/`);
      for (const email of line.split(/\s+/).slice(1)) assert.ok(authors.has(email), `${email} is a commit author`);
    }
    for (const scenario of ['inventory-timeout', 'slow-dependency', 'cart-badge']) {
      const tag = faultyTag(scenario);
      const service = tag.split('/')[0] as Service;
      const baseline = scenarios.services[service].baseline;
      // The baseline is an ancestor of the faulty tag, and the fault lies between them.
      execFileSync('git', ['merge-base', '--is-ancestor', baseline, tag], { cwd: repo });
      const changed = execFileSync('git', ['diff', '--name-only', baseline, tag], { cwd: repo, encoding: 'utf8' });
      assert.ok(changed.length > 0);
    }
    // The config change touches nothing but the cart manifest.
    const cfg = execFileSync(
      'git',
      ['diff-tree', '--no-commit-id', '--name-only', '-r', `${faultyTag('inventory-timeout')}^{commit}`],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
    assert.deepEqual(cfg.trim().split('\n'), ['deploy/k8s/cart.yaml']);
  });

  it('baseline: the badge is the sum of quantities, checkout prices the order in one call, telemetry carries the user', async () => {
    const [ann, acct] = ['ann@shop.test', 'acct_1001'];
    await addItems(ann, acct, [
      ['p-1', 2],
      ['p-3', 3],
      ['p-2', 1],
    ]);
    assert.deepEqual((await call(ann, acct, 'GET', '/api/cart/badge')).body, { count: 6 });
    const cart = await call(ann, acct, 'GET', '/api/cart');
    assert.equal(cart.body.total, 253.95); // 2×14 + 3×79×0.85 + 24.5
    const order = await call(ann, acct, 'POST', '/api/checkout');
    assert.equal(order.status, 200);
    assert.equal(order.body.amount, 253.95);
    assert.deepEqual((await call(ann, acct, 'GET', '/api/cart/badge')).body, { count: 0 });

    const traceId = await receiver.waitFor('checkout trace', () => {
      const t = webTrace('/api/checkout', ann);
      return (
        t &&
        serverSpans(t, 'catalog', '/prices').length > 0 &&
        serverSpans(t, 'payments', '/payments/charge').length > 0 &&
        t
      );
    });
    assert.equal(serverSpans(traceId, 'catalog', '/prices').length, 1);
    assert.equal(serverSpans(traceId, 'catalog', '/products/:id/price').length, 0);
    // Every service's server spans carry the user and account; resources name the service and revision.
    for (const s of SERVICES) {
      const span = receiver.spans.find((x) => x.service === s && x.kind === 2 && x.userId === ann);
      assert.ok(span, `a ${s} server span for ${ann}`);
      assert.equal(span.accountId, acct);
      assert.ok(span.httpRoute?.startsWith('/'), `${s} sets http.route`);
      assert.equal(span.resource['vcs.ref.head.revision'], shas.get(scenarios.services[s].baseline));
    }
    const added = await receiver.waitFor('cart add log', () =>
      receiver.logs.find((l) => l.service === 'cart' && l.body.startsWith('added 2 x p-1')),
    );
    assert.equal(added.userId, ann);
    assert.equal(added.accountId, acct);
    assert.ok(added.traceId, 'logs are correlated with the trace');
    // With the baseline timeout no reservation is retried.
    assert.equal(receiver.logs.filter((l) => l.body.startsWith('retrying inventory reservation')).length, 0);
  });

  it("the game-day fault flag fails that share of a service's requests with a 500, and 0 ends it", async () => {
    const [fay, acct] = ['fay@shop.test', 'acct_1006'];
    const flags = join(work, 'flags', 'catalog.json');
    writeFileSync(flags, JSON.stringify({ errorRate: 0.5 }));
    await new Promise((r) => setTimeout(r, 1200));
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push((await call(fay, acct, 'GET', '/api/products')).status);
    const failed = answers.filter((s) => s === 502).length;
    assert.ok(failed >= 8 && failed <= 32, `${failed} of 40 listings failed with errorRate 0.5`);
    assert.deepEqual([...new Set(answers)].sort(), [200, 502]);
    const logged = await receiver.waitFor('the drill error on catalog', () =>
      receiver.logs.find(
        (l) => l.service === 'catalog' && l.body.includes('fault drill: this request fails on purpose'),
      ),
    );
    assert.equal(logged.severityText, 'ERROR');
    writeFileSync(flags, JSON.stringify({ errorRate: 0 }));
    await new Promise((r) => setTimeout(r, 1200));
    for (let i = 0; i < 10; i++) assert.equal((await call(fay, acct, 'GET', '/api/products')).status, 200);
  });

  it('cart stores carts sealed: no product or price in the file', async () => {
    const [gus, acct] = ['gus@shop.test', 'acct_1007'];
    await addItems(gus, acct, [['p-7', 1]]);
    const dir = join(work, 'data', 'cart', 'carts');
    const file = readdirSync(dir).find((f) => f.startsWith(encodeURIComponent(gus)))!;
    const text = readFileSync(join(dir, file), 'utf8');
    const sealed = JSON.parse(text) as { sealed: number; iv: string; tag: string; data: string };
    assert.deepEqual(Object.keys(sealed).sort(), ['data', 'iv', 'sealed', 'tag']);
    assert.equal(sealed.sealed, 1);
    // Base64 ciphertext can spell "45" by chance; the plaintext's quoted fields cannot appear in it.
    assert.doesNotMatch(text, /"p-7"|"productId"|"price"/);
    assert.ok(!Buffer.from(sealed.data, 'base64').toString('latin1').includes('p-7'), 'the data is not plaintext');
    assert.deepEqual((await call(gus, acct, 'GET', '/api/cart/badge')).body, { count: 1 });
  });

  it('slow-dependency: the payments tag prices every line with its own catalog call', async () => {
    const previous = running.get('payments')!.tag;
    await deploy('payments', faultyTag('slow-dependency'));
    // The old process flushed its telemetry on the way out.
    await receiver.waitFor('payments shutdown log', () =>
      receiver.logs.find(
        (l) =>
          l.service === 'payments' &&
          l.body.includes('received SIGTERM') &&
          l.resource['service.version'] === previous.split('/v')[1],
      ),
    );
    const [bo, acct] = ['bo@shop.test', 'acct_1002'];
    await addItems(bo, acct, [
      ['p-4', 1],
      ['p-5', 2],
      ['p-8', 1],
      ['p-11', 1],
    ]);
    const order = await call(bo, acct, 'POST', '/api/checkout');
    assert.equal(order.status, 200, JSON.stringify(order.body));
    assert.equal(order.body.amount, 64 + 13 + 119 * 0.8 + 16);
    const traceId = await receiver.waitFor('checkout trace', () => {
      const t = webTrace('/api/checkout', bo);
      return t && serverSpans(t, 'catalog', '/products/:id/price').length === 4 && t;
    });
    assert.equal(serverSpans(traceId, 'catalog', '/prices').length, 0);
    assert.ok(
      receiver.trace(traceId).every((s) => s.statusCode !== 2),
      'no errors, only slower',
    );
  });

  it('inventory-timeout: the cart config tag retries every reservation, logs a warning and still adds', async () => {
    await deploy('cart', faultyTag('inventory-timeout'));
    const [cy, acct] = ['cy@shop.test', 'acct_1003'];
    const r = await call(cy, acct, 'POST', '/api/cart/items', { productId: 'p-6', quantity: 2 });
    assert.deepEqual(r, { status: 200, body: { ok: true, count: 2 } });
    const warn = await receiver.waitFor('retry warning', () =>
      receiver.logs.find((l) => l.userId === cy && l.body.startsWith('retrying inventory')),
    );
    assert.equal(warn.service, 'cart');
    assert.equal(warn.severityText, 'WARN');
    assert.equal(warn.accountId, acct);
    assert.match(warn.body, /^retrying inventory reservation for product p-6 \(attempt 2 of 3\)$/);
    const traceId =
      webTrace('/api/cart/items', cy) ?? (await receiver.waitFor('add trace', () => webTrace('/api/cart/items', cy)));
    await receiver.waitFor('reservations', () => serverSpans(traceId, 'catalog', '/inventory/reserve').length >= 2);
    assert.ok(
      receiver.trace(traceId).every((s) => s.events.every((e) => e.name !== 'exception')),
      'no exception is recorded',
    );
  });

  it('cart-badge: the cart tag counts lines, and fails carts with a discounted item while web degrades', async () => {
    const [dee, deeAcct] = ['dee@shop.test', 'acct_1004'];
    const [eli, eliAcct] = ['eli@shop.test', 'acct_1005'];
    // Filled before the deploy: carts survive it.
    await addItems(dee, deeAcct, [
      ['p-1', 2],
      ['p-2', 3],
    ]);
    await addItems(eli, eliAcct, [['p-30', 1]]);
    await deploy('cart', faultyTag('cart-badge'));

    assert.deepEqual((await call(dee, deeAcct, 'GET', '/api/cart/badge')).body, { count: 2 }, 'two lines, five items');
    const deeCart = await call(dee, deeAcct, 'GET', '/api/cart');
    assert.equal(deeCart.status, 200);
    assert.equal(deeCart.body.total, 2 * 14 + 3 * 24.5);

    assert.deepEqual(await call(eli, eliAcct, 'GET', '/api/cart/badge'), { status: 200, body: { count: 0 } });
    assert.equal((await call(eli, eliAcct, 'GET', '/api/cart')).status, 502);
    assert.equal((await call(eli, eliAcct, 'POST', '/api/checkout')).status, 502);
    assert.equal(
      (await call(eli, eliAcct, 'POST', '/api/cart/items', { productId: 'p-1', quantity: 1 })).status,
      200,
      'adding still works',
    );

    const failed = await receiver.waitFor('cart count error', () =>
      receiver.spans.find(
        (s) => s.service === 'cart' && s.httpRoute === '/carts/:user/count' && s.userId === eli && s.statusCode === 2,
      ),
    );
    assert.equal(failed.accountId, eliAcct);
    const ex = failed.events.find((e) => e.name === 'exception');
    assert.equal(ex?.attributes['exception.type'], 'TypeError');
    assert.equal(ex?.attributes['exception.message'], "Cannot read properties of undefined (reading 'percent')");
    assert.match(String(ex?.attributes['exception.stacktrace']), /summarizeCart .*cart-summary\.js/);
    const degraded = await receiver.waitFor('badge error log', () =>
      receiver.logs.find(
        (l) =>
          l.service === 'web' && l.userId === eli && l.body.startsWith('failed to load cart badge for eli@shop.test'),
      ),
    );
    assert.equal(degraded.severityText, 'ERROR');
    const badgeSpan = receiver.spans.find(
      (s) => s.service === 'web' && s.httpRoute === '/api/cart/badge' && s.userId === eli,
    )!;
    assert.ok(
      badgeSpan.events.some((e) => e.name === 'exception'),
      'web records the failure on its span',
    );
  });

  it('stops every service on SIGTERM with exit code 0 and flushes', async () => {
    const stops = await Promise.all(SERVICES.map(async (s) => [s, running.get(s)!.tag, await stop(s)] as const));
    for (const [s, tag, exit] of stops) {
      assert.equal(exit.code, 0, `${s} exit code`);
      assert.ok(exit.ms < 5000, `${s} stopped in ${exit.ms} ms`);
      const version = tag.slice(tag.lastIndexOf('/v') + 2);
      const last = receiver.logs.find(
        (l) => l.service === s && l.resource['service.version'] === version && l.body.includes('received SIGTERM'),
      );
      assert.ok(last, `${s} ${version} flushed its last log before exiting`);
    }
  });
});
