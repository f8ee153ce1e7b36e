// Error fingerprints (errors@1) over a fixture matrix: each file in
// test/fixtures/fingerprints/ holds two occurrences `a` and `b` ({type, message, stack}),
// whether they must group together (`same`) and why. Then the normalisation rules and the
// result's contract, each with a case that fails if the rule broke.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  ERRORS_ALGORITHM,
  fingerprintError,
  fingerprintOccurrence,
  normalizeFrameFile,
  normalizeMessage,
  normalizeSymbol,
  parseStackTrace,
} from '../src/analysis/index.js';

interface Side {
  type: string | null;
  message: string | null;
  stack: string | null;
}
interface Case {
  a: Side;
  b: Side;
  same: boolean;
  why: string;
}

const DIR = new URL('./fixtures/fingerprints/', import.meta.url);
const fp = (s: Side) =>
  fingerprintOccurrence({ type: s.type, message: s.message, stacktrace: s.stack, runtime: 'unknown' }).fingerprint;

describe('fingerprintError: fixture matrix', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  it('covers the required situations', () => assert.ok(files.length >= 6));
  for (const file of files) {
    const c = JSON.parse(readFileSync(new URL(file, DIR), 'utf8')) as Case;
    it(`${file.slice(0, -5)}: ${c.same ? 'same' : 'different'}`, () => {
      assert.ok(c.why.length > 10, 'each case says why');
      const a = fp(c.a);
      const b = fp(c.b);
      const detail = `\n a: ${a.components.join(' ; ')}\n b: ${b.components.join(' ; ')}\n why: ${c.why}`;
      assert.equal(a.fingerprint === b.fingerprint, c.same, detail);
    });
  }
});

describe('fingerprintError: normalisation', () => {
  it('reduces file paths to what every host and build shares', () => {
    const cases: Array<[string, string]> = [
      ['/srv/shop/dist/cart/pricing.js', 'cart/pricing.js'],
      ['/home/alice/work/shop/dist/cart/pricing.js', 'cart/pricing.js'],
      ['file:///app/src/jobs/sync.mjs', 'jobs/sync.mjs'],
      ['webpack://shop/./src/cart/index.ts', 'cart/index.ts'],
      ['C:\\build\\api\\src\\orders\\validate.ts', 'orders/validate.ts'],
      ['https://cdn.example.com/assets/main.3f2a9c1b.js?v=2#x', 'assets/main.js'],
      ['https://shop.example.com/assets/index-BZ3o1x2K.js', 'assets/index.js'],
      ['/app/src/order-service.js', 'src/order-service.js'],
      ['/app/src/jquery-3.6.0.min.js', 'src/jquery-3.6.0.min.js'],
      ['views.py', 'views.py'],
    ];
    for (const [input, want] of cases) assert.equal(normalizeFrameFile(input), want, input);
  });

  it('strips synthetic numbers and addresses from names', () => {
    const cases: Array<[string, string]> = [
      ['ReportBuilder$$Lambda$41/1858609436.get', 'ReportBuilder$$Lambda$.get'],
      ['com.acme.Foo$$Lambda$14/0x0000000800c4b440', 'com.acme.Foo$$Lambda$'],
      ['ReportBuilder.lambda$build$2', 'ReportBuilder.lambda$build$'],
      ['ExportJob$1.run', 'ExportJob$.run'],
      ['OrderService$$SpringCGLIB$$0.placeOrder', 'OrderService$$SpringCGLIB$$.placeOrder'],
      ['Layer.handle [as handle_request]', 'Layer.handle'],
      ['run.func1', 'run.func1'],
      ['(*Service).Total', '(*Service).Total'],
    ];
    for (const [input, want] of cases) assert.equal(normalizeSymbol(input), want, input);
  });

  it('replaces the variable parts of a message', () => {
    assert.equal(
      normalizeMessage(
        "user ana@example.com: GET https://api.example.com/v1/x?id=7 failed after 3012ms (req 9f1c2e4a-77b0-4c1e-9a43-0d5b8e21c6f7, ptr 0x7f3b2c1d9e50, sha 3f2a9c1bde) key 'cus_Nf8a1x'",
      ),
      'user <email>: GET <url> failed after <n>ms (req <uuid>, ptr <hex>, sha <hex>) key <str>',
    );
    assert.equal(normalizeMessage("can't find user's cart"), "can't find user's cart");
  });
});

describe('fingerprintError: contract', () => {
  const spring = readFileSync(
    new URL('./fixtures/stacktraces/java/spring-caused-by-chain.txt', import.meta.url),
    'utf8',
  );
  const express = readFileSync(new URL('./fixtures/stacktraces/v8/express-typeerror.txt', import.meta.url), 'utf8');

  it('names its algorithm, hashes to 32 hex characters and is deterministic', () => {
    const a = fingerprintError(parseStackTrace(express));
    assert.equal(a.algorithm, ERRORS_ALGORITHM);
    assert.match(a.fingerprint, /^[0-9a-f]{32}$/);
    assert.deepEqual(fingerprintError(parseStackTrace(express)), a);
  });

  it('explains itself: the in-app frames and the strings it hashed', () => {
    const a = fingerprintError(parseStackTrace(express));
    assert.equal(a.basis, 'frames');
    assert.equal(a.type, 'TypeError');
    assert.deepEqual(a.components, [
      'type:TypeError',
      'frame:cart/pricing.js|calculateTotal',
      'frame:cart/service.js|CartService.checkout',
      'frame:cart/controller.js|CartController.postCheckout',
    ]);
    assert.deepEqual(
      a.frames.map((f) => f.line),
      [27, 64, 41],
    );
  });

  it("counts the root cause's type and in-app frames in a chain", () => {
    const a = fingerprintError(parseStackTrace(spring));
    assert.deepEqual(a.components, [
      'type:jakarta.servlet.ServletException',
      'frame:com.acme.shop.web.RequestIdFilter|RequestIdFilter.doFilterInternal',
      'cause:org.postgresql.util.PSQLException',
      'cause-frame:com.acme.shop.inventory.ReservationService|ReservationService.reserve',
      'cause-frame:com.acme.shop.orders.OrderService|OrderService.placeOrder',
      'cause-frame:com.acme.shop.orders.OrderController|OrderController.create',
      'cause-frame:com.acme.shop.web.RequestIdFilter|RequestIdFilter.doFilterInternal',
    ]);
  });

  it('uses at most maxFrames in-app frames per exception, innermost first', () => {
    const deep = `Error: deep\n${Array.from({ length: 20 }, (_, i) => `    at f${i} (/app/src/m${i}.js:1:1)`).join('\n')}`;
    const a = fingerprintError(parseStackTrace(deep));
    assert.equal(a.frames.length, 6);
    assert.equal(a.frames[0]!.function, 'f0');
    assert.equal(fingerprintError(parseStackTrace(deep), { maxFrames: 2 }).frames.length, 2);
  });

  it('falls back to type and message, then message alone, without in-app frames', () => {
    const vendorOnly =
      'Error: connect ECONNREFUSED 10.0.0.1:5432\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)';
    const a = fingerprintError(parseStackTrace(vendorOnly));
    assert.equal(a.basis, 'type+message');
    assert.deepEqual(a.components, ['type:Error', 'message:connect ECONNREFUSED <n>.<n>.<n>.<n>:<n>']);
    const b = fingerprintError({ type: null, message: 'disk full on /dev/sda1', frames: [] });
    assert.equal(b.basis, 'message');
    assert.equal(b.type, '');
    assert.deepEqual(b.frames, []);
  });

  it('re-classifies frames with in-app options', () => {
    const stack = parseStackTrace(express);
    const plain = fingerprintError(stack);
    const noApp = fingerprintError({ ...stack, runtime: 'v8' }, { inApp: { vendor: ['/dist/cart/'] } });
    assert.equal(noApp.basis, 'type+message');
    const withExpress = fingerprintError(
      { ...stack, runtime: 'v8' },
      { inApp: { inApp: ['express/lib/router/route.js'] } },
    );
    assert.notEqual(withExpress.fingerprint, plain.fingerprint);
    assert.ok(withExpress.components.includes('frame:router/route.js|Route.dispatch'));
  });

  it('prefers the occurrence type and message to the parsed header', () => {
    const { stack, fingerprint } = fingerprintOccurrence({
      type: 'ERR_CART',
      message: 'x',
      stacktrace: express,
      runtime: 'v8',
    });
    assert.equal(stack.type, 'ERR_CART');
    assert.equal(fingerprint.type, 'ERR_CART');
    assert.equal(stack.frames.length, 10);
  });
});
