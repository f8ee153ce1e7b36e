// The streaming analyzer: patterns per service with per-minute counts and user sketches,
// error groups from span exception events and log attributes, RED per endpoint, service-graph
// edges (including a child that arrives before its parent), and the cardinality limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LogFlows,
  OTHER_ENDPOINT,
  OVERFLOW_KEY,
  StreamAnalyzer,
  logCallSite,
} from '../src/analysis/aggregate/index.js';
import { HyperLogLog } from '../src/analysis/sketch/index.js';
import { logRecord, span } from './helpers/records.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0) * 1e6; // ns
const MIN = 60e9;

const NODE_TRACE = `TypeError: Cannot read properties of undefined (reading 'price')
    at CartService.total (/app/src/cart/service.ts:42:17)
    at CartController.checkout (/app/src/cart/controller.ts:18:5)
    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)`;

describe('StreamAnalyzer', () => {
  it('mines patterns per service, counts per minute and version, and sketches distinct users', () => {
    const a = new StreamAnalyzer();
    const logs = [];
    for (let i = 0; i < 300; i++) {
      logs.push(
        logRecord({
          service: 'cart',
          serviceVersion: i < 200 ? '1.0.0' : '1.1.0',
          timeUnixNano: T0 + (i < 150 ? 0 : MIN) + i * 1e6,
          body: `payment declined for order ${1000 + i}`,
          severityNumber: 17,
          userId: `user-${i % 120}`,
        }),
      );
    }
    logs.push(logRecord({ service: 'search', timeUnixNano: T0, body: 'index rebuilt in 42 ms' }));
    a.observeLogs(logs);
    const d = a.drain();
    const cart = d.patterns.filter((p) => p.service === 'cart');
    assert.equal(cart.length, 1);
    assert.equal(cart[0]!.template, 'payment declined for order <*>');
    assert.equal(cart[0]!.count, 300);
    assert.equal(cart[0]!.level, 'ERROR');
    assert.ok(cart[0]!.samples.length > 0 && cart[0]!.samples.length <= 3);
    const minutes = d.patternMinutes.filter((m) => m.service === 'cart');
    assert.deepEqual(
      minutes.map((m) => [m.minuteMs - T0 / 1e6, m.version, m.count]).sort(),
      [
        [0, '1.0.0', 150],
        [60_000, '1.0.0', 50],
        [60_000, '1.1.0', 100],
      ].sort(),
    );
    const users = new HyperLogLog();
    for (const m of minutes) users.merge(m.users!);
    assert.equal(users.estimate(), 120);
    assert.equal(d.patterns.find((p) => p.service === 'search')!.template, 'index rebuilt in <*> ms');
    // A drain hands out each row once.
    assert.equal(a.drain().patternMinutes.length, 0);
  });

  it('groups exceptions from span events and from log attributes into one errors@1 group', () => {
    const a = new StreamAnalyzer();
    const ev = (line: number) => ({
      timeUnixNano: T0,
      name: 'exception',
      attributes: {
        'exception.type': 'TypeError',
        'exception.message': "Cannot read properties of undefined (reading 'price')",
        'exception.stacktrace': NODE_TRACE.replace(':42:', `:${line}:`),
      },
    });
    a.observeSpans([
      span({
        service: 'cart',
        serviceVersion: '1.1.0',
        startTimeUnixNano: T0,
        events: [ev(42)],
        statusCode: 2,
        userId: 'u1',
      }),
      // The next deploy moved the line: still the same group.
      span({
        service: 'cart',
        serviceVersion: '1.1.1',
        startTimeUnixNano: T0 + MIN,
        events: [ev(57)],
        statusCode: 2,
        userId: 'u2',
      }),
    ]);
    a.observeLogs([
      logRecord({
        service: 'cart',
        timeUnixNano: T0 + 2 * MIN,
        body: 'checkout failed',
        attributes: { 'exception.type': 'TypeError', 'exception.message': 'x', 'exception.stacktrace': NODE_TRACE },
      }),
    ]);
    const d = a.drain();
    assert.equal(d.errorGroups.length, 1, JSON.stringify(d.errorGroups.map((g) => g.fingerprint)));
    const g = d.errorGroups[0]!;
    assert.equal(g.type, 'TypeError');
    assert.equal(g.count, 3);
    assert.equal(g.firstRelease, '1.1.0');
    assert.equal(g.frames[0]!.function, 'CartService.total');
    assert.equal(g.frames[0]!.line, 42);
    assert.equal(
      d.errorMinutes.reduce((n, m) => n + m.count, 0),
      3,
    );
  });

  it('aggregates RED per endpoint and builds service edges, even when the parent span arrives later', () => {
    const a = new StreamAnalyzer();
    const parent = span({
      service: 'frontend',
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: null,
      kind: 3,
      name: 'POST',
      startTimeUnixNano: T0,
      durationNano: 50e6,
    });
    const child = (i: number, err: boolean) =>
      span({
        service: 'cart',
        spanId: `b${String(i).padStart(15, '0')}`,
        parentSpanId: 'aaaaaaaaaaaaaaaa',
        kind: 2,
        name: 'POST /cart/checkout',
        httpRoute: '/cart/checkout',
        startTimeUnixNano: T0 + i * 1e6,
        durationNano: (10 + i) * 1e6,
        statusCode: err ? 2 : 0,
      });
    // Children first, then the parent in a later batch.
    a.observeSpans(Array.from({ length: 10 }, (_, i) => child(i, i < 3)));
    a.observeSpans([parent]);
    const d = a.drain();
    const red = d.red.find((r) => r.service === 'cart')!;
    assert.equal(red.endpoint, '/cart/checkout');
    assert.equal(red.requests, 10);
    assert.equal(red.errors, 3);
    assert.ok(Math.abs(red.latency.quantile(1) - 19) <= 0.19);
    const edge = d.edges.find((e) => e.caller === 'frontend' && e.callee === 'cart')!;
    assert.ok(edge, JSON.stringify(d.edges));
    assert.equal(edge.calls, 10);
    assert.equal(edge.errors, 3);
    assert.equal(edge.version, '1.4.0', "the caller's version (the span helper's default)");
  });

  it("keys service edges by the caller's version", () => {
    const a = new StreamAnalyzer();
    const caller = (id: string, version: string) =>
      span({
        service: 'web',
        serviceVersion: version,
        spanId: id,
        parentSpanId: null,
        kind: 3,
        name: 'GET /',
        startTimeUnixNano: T0,
        durationNano: 9e6,
      });
    const call = (i: number, parent: string) =>
      span({
        service: 'api',
        spanId: `c${String(i).padStart(15, '0')}`,
        parentSpanId: parent,
        kind: 2,
        name: 'GET /x',
        startTimeUnixNano: T0 + i,
        durationNano: 1e6,
      });
    a.observeSpans([caller('a000000000000001', '1.0.0'), caller('a000000000000002', '1.1.0')]);
    a.observeSpans([call(1, 'a000000000000001'), call(2, 'a000000000000002'), call(3, 'a000000000000002')]);
    const edges = a.drain().edges.filter((e) => e.caller === 'web' && e.callee === 'api');
    assert.deepEqual(edges.map((e) => [e.version, e.calls]).sort(), [
      ['1.0.0', 1],
      ['1.1.0', 2],
    ]);
  });

  it('holds services, patterns, error groups and endpoints to their limits and counts the overflow', () => {
    const a = new StreamAnalyzer({
      maxServices: 2,
      maxPatternsPerService: 10,
      maxErrorGroupsPerService: 10,
      maxEndpointsPerService: 10,
    });
    const logs = [];
    const spans = [];
    for (let i = 0; i < 50; i++) {
      logs.push(
        logRecord({
          service: 's1',
          timeUnixNano: T0,
          body: `${'abcdefghij'[i % 10]}${i}x unique${'qwertyuiop'[i % 10]} shape ${'k'.repeat(i + 1)}`,
        }),
      );
      spans.push(
        span({
          service: 's1',
          spanId: `c${String(i).padStart(15, '0')}`,
          kind: 2,
          name: `GET /u${i}`,
          httpRoute: null,
          startTimeUnixNano: T0,
          events: [],
        }),
      );
      spans.push(
        span({
          service: 's1',
          spanId: `d${String(i).padStart(15, '0')}`,
          kind: 1,
          parentSpanId: 'ffffffffffffffff',
          events: [
            {
              timeUnixNano: T0,
              name: 'exception',
              attributes: { 'exception.type': `Error${i}`, 'exception.message': 'boom' },
            },
          ],
        }),
      );
    }
    logs.push(logRecord({ service: 's2', body: 'hello' }), logRecord({ service: 's3', body: 'hello' }));
    a.observeLogs(logs);
    a.observeSpans(spans);
    const o = a.overflow;
    assert.equal(o.services, 1);
    assert.equal(o.errorGroups, 40);
    assert.equal(o.endpoints, 40);
    const d = a.drain();
    assert.ok(d.red.some((r) => r.endpoint === OTHER_ENDPOINT && r.requests === 40));
    assert.ok(d.errorGroups.some((g) => g.fingerprint === OVERFLOW_KEY && g.count === 40));
    assert.equal(d.patterns.filter((p) => p.service === 's3').length, 0);
  });

  it('keeps the lines of different code.* call sites apart and counts which line followed which in a span', () => {
    const a = new StreamAnalyzer();
    const line = (spanId: string, t: number, site: number) =>
      logRecord({
        service: 'travel',
        timeUnixNano: T0 + t * 1e6,
        spanId,
        severityNumber: 9,
        body: `calculate distance ${t}`,
        attributes: { 'code.namespace': 't.s.TravelServiceImpl', 'code.lineno': site },
      });
    // Two spans: 451 then 457; the second span's lines arrive out of order within the batch.
    a.observeLogs([line('s1', 1, 451), line('s1', 2, 457), line('s2', 4, 457), line('s2', 3, 451), line('s2', 4, 457)]);
    // A later batch continues span s1.
    a.observeLogs([line('s1', 5, 451)]);
    const d = a.drain();
    const bySite = new Map(d.patterns.map((p) => [p.site, p]));
    assert.deepEqual([...bySite.keys()].sort(), ['t.s.TravelServiceImpl:451', 't.s.TravelServiceImpl:457']);
    const siteOf = new Map(d.patterns.map((p) => [p.key, Number(p.site?.split(':')[1])]));
    const flows = d.flows.map((f) => [siteOf.get(f.from), siteOf.get(f.to), f.count]).sort();
    // s1: 451→457, 457→451 (next batch); s2: 451→457 (its duplicate 457 delivery skipped).
    assert.deepEqual(flows, [
      [451, 457, 2],
      [457, 451, 1],
    ]);
  });
});

describe('logCallSite', () => {
  it('reads the current and the older code.* semantic conventions', () => {
    assert.equal(
      logCallSite({ 'code.file.path': 'src/cart.ts', 'code.line.number': 42, 'code.function.name': 'total' }),
      'src/cart.ts:42',
    );
    assert.equal(
      logCallSite({ 'code.function.name': 'com.shop.Cart.total', 'code.line.number': '7' }),
      'com.shop.Cart.total:7',
    );
    assert.equal(logCallSite({ 'code.filepath': 'cart.py', 'code.lineno': 3 }), 'cart.py:3');
    assert.equal(
      logCallSite({ 'code.namespace': 'com.shop.Cart', 'code.function': 'total', 'code.lineno': 9 }),
      'com.shop.Cart.total:9',
    );
    assert.equal(logCallSite({ 'code.namespace': 'c.s.Contacts', 'code.lineno': 31 }), 'c.s.Contacts:31');
  });

  it('names no site without a line, or with a line and nowhere', () => {
    assert.equal(logCallSite({ 'code.file.path': 'src/cart.ts' }), null);
    assert.equal(logCallSite({ 'code.line.number': 42 }), null);
    assert.equal(logCallSite({ 'code.file.path': 'a.ts', 'code.line.number': 'forty' }), null);
    assert.equal(logCallSite({}), null);
  });
});

describe('LogFlows', () => {
  it('forgets the oldest spans beyond its bound', () => {
    const f = new LogFlows(2);
    f.add('svc', 'a', 1, 'x');
    f.add('svc', 'b', 1, 'x');
    f.add('svc', 'c', 1, 'x');
    f.flush();
    // Span a was forgotten: its next line starts no transition; b's does.
    f.add('svc', 'a', 2, 'y');
    f.add('svc', 'c', 2, 'y');
    f.flush();
    assert.deepEqual(
      f.drain((_, k) => k).map((r) => [r.from, r.to, r.count]),
      [['x', 'y', 1]],
    );
  });

  it('resolves merged pattern keys when it drains, summing the rows that became one', () => {
    const f = new LogFlows();
    f.add('svc', 's1', 1, 'old');
    f.add('svc', 's1', 2, 'z');
    f.add('svc', 's2', 1, 'new');
    f.add('svc', 's2', 2, 'z');
    f.flush();
    const rows = f.drain((_, k) => (k === 'old' ? 'new' : k));
    assert.deepEqual(
      rows.map((r) => [r.from, r.to, r.count]),
      [['new', 'z', 2]],
    );
    assert.equal(f.size, 0);
  });

  it("skips a line older than the span's last one (a late batch)", () => {
    const f = new LogFlows();
    f.add('svc', 's', 10, 'a');
    f.flush();
    f.add('svc', 's', 5, 'b');
    f.add('svc', 's', 11, 'c');
    f.flush();
    assert.deepEqual(
      f.drain((_, k) => k).map((r) => [r.from, r.to]),
      [['a', 'c']],
    );
  });
});
