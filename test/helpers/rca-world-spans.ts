// Worlds for rca@5's span-tree signals: span trees built per minute and turned into self-time and
// edge-own-time rows by spanTimes, beside the RED and edge rows of the same services.
import { type RcaInput, type TimedSpan, spanTimes } from '../../src/analysis/rca/index.js';
import { INC, MIN, type RcaWorld, T0, input, rng, world } from './rca-worlds.js';

/** One request's trace: frontend → cart → db, and frontend → search; `netMs` added to the cart→db client span. */
function trace(id: string, at: number, r: () => number, netMs: number): TimedSpan[] {
  const j = (ms: number) => ms * (0.8 + 0.4 * r());
  const span = (spanId: string, parentId: string | null, service: string, name: string, start: number, ms: number) => ({
    traceId: id,
    spanId: `${id}-${spanId}`,
    parentId: parentId === null ? null : `${id}-${parentId}`,
    service,
    name,
    kind: 0,
    startMs: start,
    endMs: start + ms,
  });
  const db = j(8);
  const dbCall = db + j(1) + netMs;
  const cart = j(10) + dbCall;
  const cartCall = cart + j(1);
  const search = j(20);
  const searchCall = search + j(1);
  const front = j(5) + Math.max(cartCall, searchCall);
  return [
    span('f', null, 'frontend', 'GET /', at, front),
    span('fc', 'f', 'frontend', 'HTTP GET', at + 1, cartCall),
    span('fs', 'f', 'frontend', 'HTTP GET', at + 1, searchCall),
    span('c', 'fc', 'cart', 'GET /cart', at + 1.5, cart),
    span('cd', 'c', 'cart', 'HTTP GET', at + 2, dbCall),
    span('d', 'cd', 'db', 'GET /row', at + 2 + (dbCall - db) / 2, db),
    span('s', 'fs', 'search', 'GET /search', at + 1.5, search),
  ];
}

/**
 * A network delay on db: from the incident on, its calls from cart take 80 ms longer between the
 * client and the server span; db's own spans are as fast as before, so only cart and frontend
 * are slower in RED, and only the cart→db edge's own time rose.
 */
export function networkDelay(): RcaWorld {
  const r = rng(17);
  const spans: TimedSpan[] = [];
  for (let m = 0; m < 8; m++) {
    const net = T0 + m * MIN >= INC.startMs ? 80 : 0;
    for (let i = 0; i < 60; i++) spans.push(...trace(`t${m}-${i}`, T0 + m * MIN + i * 900, r, net));
  }
  const { self, edges } = spanTimes(spans);
  const rows: Pick<RcaInput, 'red' | 'edges'> = world(
    [
      { name: 'frontend', requests: 60, latency: [40, 120] },
      { name: 'cart', requests: 60, latency: [20, 100] },
      { name: 'db', requests: 60, latency: [8, 8] },
      { name: 'search', requests: 60, latency: [20, 20] },
    ],
    [
      ['frontend', 'cart'],
      ['cart', 'db'],
      ['frontend', 'search'],
    ],
  );
  return { input: input({ ...rows, selfTimes: self, edgeTimes: edges }) };
}
