// A real git repository with a .proto file and two servers, synced into a real store: the rpcs
// are linked to their handlers, a span's rpc.service/rpc.method finds the handler through the
// store, the link follows a renamed handler on the next sync, and a malformed .proto is listed
// as a parse error without failing the sync.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rpcOfSpan } from '../src/analysis/index.js';
import { type Store, rpcStore } from '../src/store/index.js';
import { type Context, addRepository, syncRepository } from '../src/workflows/index.js';
import { locateCode } from '../src/workflows/investigate-code.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function commit(root: string, message: string): void {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args]);
  git('add', '-A');
  git('commit', '-qm', message);
}

describe('gRPC rpcs linked at sync (PGlite)', () => {
  let o: InProcess;
  let store: Store;
  let ctx: Context;
  let dir: string;
  let repoId: number;

  before(async () => {
    o = await inProcessOrrery();
    store = o.store;
    ctx = o.ctx;
    dir = mkdtempSync(join(tmpdir(), 'orrery-grpc-'));
    execFileSync('git', ['init', '-q', dir]);
    write(dir, {
      'pb/shop.proto':
        'syntax = "proto3";\npackage shop;\nservice CartService {\n  rpc GetCart(A) returns (B);\n}\nservice PaymentService {\n  rpc Charge(A) returns (B);\n}\n',
      'cart/main.go':
        'package main\n\ntype cart struct {\n\tpb.UnimplementedCartServiceServer\n}\n\nfunc (c *cart) GetCart(ctx context.Context, r *pb.A) (*pb.B, error) {\n\treturn nil, nil\n}\n',
      'payment/index.js':
        'function pay(call, cb) { cb(null, {}) }\nserver.addService(proto.shop.PaymentService.service, { charge: pay })\n',
      'fraud/Main.kt': 'fun main() {}\n',
    });
    commit(dir, 'shop');
    repoId = (await addRepository(ctx, { path: dir })).repository.id;
  });
  after(async () => {
    await o.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links each rpc to its handler and says why Kotlin is not parsed', async () => {
    const notes: string[] = [];
    const r = await syncRepository(ctx, repoId, { onProgress: (p) => p.phase === 'note' && notes.push(p.message) });
    assert.equal(r.rpcs, 2);
    assert.equal(r.rpcsLinked, 2);
    assert.deepEqual(r.unparsed, { kotlin: 1 });
    assert.ok(notes.some((n) => /1 kotlin files without parsing them: no tree-sitter grammar/.test(n)));
    const all = await rpcStore.findRpcs(store.db, { limit: 10 });
    assert.deepEqual(
      all.map((x) => `${x.service}/${x.method} → ${x.handler?.path}:${x.handler?.line} ${x.handler?.symbol}`),
      ['shop.CartService/GetCart → cart/main.go:7 cart.GetCart', 'shop.PaymentService/Charge → payment/index.js:1 pay'],
    );
  });

  it("finds a span's handler from rpc.service and rpc.method", async () => {
    const rpc = rpcOfSpan({
      rpcService: 'shop.PaymentService',
      rpcMethod: 'Charge',
      name: 'shop.PaymentService/Charge',
    })!;
    const [hit] = await rpcStore.findRpcs(store.db, { service: rpc.service, method: rpc.method, limit: 1 });
    assert.equal(hit?.handler?.symbol, 'pay');
    const [short] = await rpcStore.findRpcs(store.db, { service: 'CartService', method: 'GetCart', limit: 1 });
    assert.equal(short?.handler?.path, 'cart/main.go');
  });

  it('answers GET /api/rpcs with each rpc and its handler, and 400 to bad parameters', async () => {
    const res = await o.server.api.inject({ method: 'GET', url: '/api/rpcs?service=PaymentService' });
    assert.equal(res.statusCode, 200, res.body);
    const [rpc] = res.json().rpcs;
    assert.deepEqual(
      [rpc.service, rpc.method, rpc.protoPath, rpc.handler.path, rpc.handler.symbol, rpc.handler.linkedBy],
      ['shop.PaymentService', 'Charge', 'pb/shop.proto', 'payment/index.js', 'pay', 'registration'],
    );
    for (const url of ['/api/rpcs?limit=0', '/api/rpcs?limit=abc', `/api/rpcs?service=${'x'.repeat(600)}`]) {
      const bad = await o.server.api.inject({ method: 'GET', url });
      assert.equal(bad.statusCode, 400, `${url}: ${bad.body}`);
    }
  });

  it("lets an investigation reach a regressed rpc's handler as it reaches an HTTP route's", async () => {
    const signal = {
      kind: 'latency' as const,
      service: 'payment',
      key: 'shop.PaymentService/Charge',
      baseline: 10,
      incident: 90,
      unit: 'p50 ms',
      test: 'mann-whitney',
      statistic: 5,
      p: 0.0001,
      q: 0.001,
      weight: 3,
    };
    const code = await locateCode(ctx, {
      service: 'payment',
      deploy: null,
      window: { since: new Date(Date.now() - 3_600_000), until: new Date() },
      errorGroups: [],
      signals: [signal],
    });
    const hit = code.locations.find((l) => l.path === 'payment/index.js');
    assert.ok(hit, `no location for the rpc's handler: ${JSON.stringify(code.locations)}`);
    assert.equal(hit.symbol, 'pay');
    assert.ok(hit.sources.some((s) => s.kind === 'route' && s.route === 'rpc shop.PaymentService/Charge'));
  });

  it('relinks when the registered handler changes, and lists a malformed .proto as a parse error', async () => {
    write(dir, {
      'payment/index.js':
        'function pay(call, cb) { cb(null, {}) }\nfunction chargeIt(call, cb) { cb(null, {}) }\nserver.addService(proto.shop.PaymentService.service, { charge: chargeIt })\n',
      'pb/broken.proto': 'package x;\nservice Broken {\n  rpc Nope(A) returns B;\n}\n',
    });
    commit(dir, 'rename');
    const r = await syncRepository(ctx, repoId);
    assert.equal(r.skipped['parse-error'], 1);
    assert.equal(r.rpcsLinked, 2);
    const [hit] = await rpcStore.findRpcs(store.db, { service: 'shop.PaymentService', method: 'Charge', limit: 1 });
    assert.equal(hit?.handler?.symbol, 'chargeIt');
    assert.equal(hit?.handler?.line, 2);
  });
});
