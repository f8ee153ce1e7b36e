// rca@5's span-tree signals: self time per service visit and own time per call edge on
// hand-built span trees (concurrent children, async children that outlive their parent, calls
// no server answered), the attribution of an edge's rise to one of its ends, and the symptom walk
// for a network delay (a deep service's inbound edge slows; its callers are its symptoms).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type RcaSignal,
  type TimedSpan,
  attributeEdgeTimes,
  coveredMs,
  rankRootCauses,
  spanTimes,
} from '../src/analysis/rca/index.js';
import { RCA_WORLDS } from './helpers/rca-world-cases.js';

const T = Date.UTC(2026, 0, 5, 10, 0);
let n = 0;
function span(
  service: string,
  startMs: number,
  endMs: number,
  opts: { parent?: TimedSpan; name?: string; kind?: number; trace?: string } = {},
): TimedSpan {
  return {
    traceId: opts.trace ?? opts.parent?.traceId ?? 't1',
    spanId: `s${++n}`,
    parentId: opts.parent?.spanId ?? null,
    service,
    name: opts.name ?? 'op',
    kind: opts.kind ?? 0,
    startMs: T + startMs,
    endMs: T + endMs,
  };
}

const quantile = (rows: ReturnType<typeof spanTimes>['self'], service: string) =>
  rows.find((r) => r.service === service)?.latency.quantile(0.5) ?? Number.NaN;
const near = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 0.02 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

describe('coveredMs', () => {
  it('counts overlapping intervals once and clips them to the parent', () => {
    assert.equal(
      coveredMs(
        [
          [10, 60],
          [30, 80],
          [90, 150],
        ],
        0,
        100,
      ),
      80,
    );
    assert.equal(coveredMs([], 0, 100), 0);
  });
});

describe('spanTimes', () => {
  it('subtracts concurrent calls once: a visit of 100 ms with calls over 10–60 and 30–80 ms has 30 ms of self time', () => {
    const root = span('api', 0, 100);
    const c1 = span('api', 10, 60, { parent: root, name: 'HTTP GET' });
    const c2 = span('api', 30, 80, { parent: root, name: 'HTTP GET' });
    const s1 = span('users', 12, 50, { parent: c1 });
    const s2 = span('orders', 35, 75, { parent: c2 });
    const { self, edges } = spanTimes([s2, c1, root, s1, c2]);
    near(quantile(self, 'api'), 30);
    near(quantile(self, 'users'), 38);
    const e = edges.find((r) => r.caller === 'api' && r.callee === 'users');
    assert.equal(e?.calls, 1);
    near(e?.latency.quantile(0.5) ?? Number.NaN, 50 - 38);
  });

  it("keeps local work as self time and clips an async child that outlives its parent to the parent's end", () => {
    const root = span('shop', 0, 20);
    const local = span('shop', 2, 8, { parent: root, name: 'SELECT' });
    const send = span('shop', 10, 14, { parent: root, name: 'send', kind: 4 });
    const consume = span('mailer', 12, 60, { parent: send, kind: 5 });
    const { self, edges } = spanTimes([root, local, send, consume]);
    // shop: 20 ms less the send (4 ms); the SELECT is its own work.
    near(quantile(self, 'shop'), 16);
    // The consumer outlives the producer: only 12–14 counts against it, 2 ms of own time left.
    near(edges.find((r) => r.callee === 'mailer')?.latency.quantile(0.5) ?? Number.NaN, 2);
    near(quantile(self, 'mailer'), 48);
  });

  it('counts a call no server span answered, on the edge its operation reaches elsewhere', () => {
    const a = span('web', 0, 50, { trace: 'a' });
    const ca = span('web', 5, 40, { parent: a, name: 'HTTP GET /cart' });
    span('cart', 10, 30, { parent: ca });
    const answered = spanTimes([a, ca, span('cart', 10, 30, { parent: ca })]);
    assert.equal(answered.edges[0]?.unanswered, 0);
    const b = span('web', 0, 1000, { trace: 'b' });
    const cb = span('web', 5, 1000, { parent: b, name: 'HTTP GET /cart' });
    const { edges, self } = spanTimes([a, ca, span('cart', 10, 30, { parent: ca }), b, cb]);
    const e = edges.find((r) => r.caller === 'web' && r.callee === 'cart');
    assert.equal(e?.calls, 2);
    assert.equal(e?.unanswered, 1);
    // The timed-out call is not web's own time.
    assert.ok((self.find((r) => r.service === 'web')?.latency.quantile(0.99) ?? 0) < 20);
  });

  it('takes a span whose parent is missing (another batch, cut by the window) as an entry', () => {
    const orphan = span('cart', 0, 30, { trace: 'x' });
    orphan.parentId = 'not-here';
    const { self, edges } = spanTimes([orphan]);
    assert.equal(self[0]?.visits, 1);
    assert.equal(edges.length, 0);
  });

  it('pairs a service calling itself by span kind', () => {
    const root = span('api', 0, 100, { kind: 2 });
    const client = span('api', 10, 90, { parent: root, kind: 3 });
    const server = span('api', 20, 70, { parent: client, kind: 2 });
    const { self, edges } = spanTimes([root, client, server]);
    assert.equal(self.find((r) => r.service === 'api')?.visits, 2);
    near(edges[0]?.latency.quantile(0.5) ?? Number.NaN, 30);
  });
});

describe('attributeEdgeTimes', () => {
  const rose = (key: string): RcaSignal => ({
    kind: 'edge-time',
    service: key.split('→')[1] as string,
    key,
    baseline: 1,
    incident: 50,
    unit: 'p50 ms of own time',
    test: 't',
    statistic: 5,
    p: 1e-6,
    q: 1e-5,
    weight: 5,
  });
  it('gives the rise to the callee when all its edges rose and the caller has others that did not', () => {
    const out = attributeEdgeTimes([rose('a→db'), rose('b→db')], new Set(['a→db', 'b→db', 'a→x', 'b→y']));
    assert.deepEqual(
      out.map((s) => s.service),
      ['db', 'db'],
    );
    assert.match(out[0]?.label ?? '', /attributed to the callee db/);
  });
  it('gives it to the caller when all its outbound edges rose and the callees have other callers', () => {
    const out = attributeEdgeTimes([rose('x→a'), rose('x→b')], new Set(['x→a', 'x→b', 'y→a', 'z→b', 'y→z']));
    assert.deepEqual(
      out.map((s) => s.service),
      ['x', 'x'],
    );
    assert.match(out[0]?.label ?? '', /attributed to the caller x/);
  });
});

describe('the symptom walk for a network delay', () => {
  it("names the deep service whose inbound edge's own time rose, and explains its callers by it", () => {
    const res = rankRootCauses(RCA_WORLDS['network-delay']!().input);
    const summary = JSON.stringify(res.services.map((s) => [s.service, s.score.toFixed(1), s.symptomOf]));
    assert.equal(res.services[0]?.service, 'db', summary);
    const db = res.services[0]!;
    const edge = db.signals.find((s) => s.kind === 'edge-time');
    assert.equal(edge?.key, 'cart→db');
    assert.ok(edge && edge.incident > edge.baseline + 50);
    assert.match(db.hint, /^carried by edge time/);
    assert.match(edge?.label ?? '', /attributed to the callee db/);
    assert.deepEqual(res.services.find((s) => s.service === 'cart')?.symptomOf, ['db']);
    assert.deepEqual(res.services.find((s) => s.service === 'frontend')?.symptomOf, ['cart']);
    // Nobody's own time rose: the slowness is on the edge.
    assert.ok(!res.services.some((s) => s.signals.some((x) => x.kind === 'self-time')), summary);
  });
});
