// The MCP envelope: pages a tool's list with a cursor, says what it left out (total, returned,
// whether the total is exact), stays under the text budget by cutting long strings and lists
// first and then returning fewer items, and keeps every returned item's evidence id.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Envelope,
  type Item,
  MCP_TEXT_BUDGET,
  decodeCursor,
  encodeCursor,
  envelope,
} from '../src/server/mcp/index.js';

interface Row extends Item {
  body: string;
  tags: string[];
}

const rows = (n: number, body = 'x'): Row[] =>
  Array.from({ length: n }, (_, i) => ({ id: `row:${i}`, api: `/api/rows/${i}`, body, tags: ['a', 'b'] }));

const open = (text: string) => JSON.parse(text) as Envelope<unknown, Row>;

describe('MCP envelope', () => {
  it('pages with a cursor until nothing is left, each page saying total and returned', () => {
    const all = rows(45);
    const seen: string[] = [];
    let offset = 0;
    for (let guard = 0; guard < 10; guard++) {
      const e = open(
        envelope({ summary: 's', data: null, items: all, complete: true, links: {} }, { offset, limit: 20 }),
      );
      assert.equal(e.page.total, 45);
      assert.equal(e.page.totalExact, true);
      assert.equal(e.page.returned, e.items.length);
      seen.push(...e.items.map((i) => i.id));
      assert.deepEqual(
        e.evidence,
        e.items.map((i) => i.id),
      );
      if (!e.page.cursor) break;
      offset = decodeCursor(e.page.cursor);
    }
    assert.deepEqual(
      seen,
      all.map((r) => r.id),
    );
  });

  it('offers a cursor when the list stopped at a fetch limit (total a lower bound)', () => {
    const e = open(
      envelope({ summary: 's', data: null, items: rows(21), complete: false, links: {} }, { offset: 0, limit: 20 }),
    );
    assert.equal(e.page.totalExact, false);
    assert.equal(decodeCursor(e.page.cursor!), 20);
    const last = open(
      envelope({ summary: 's', data: null, items: rows(21), complete: false, links: {} }, { offset: 20, limit: 20 }),
    );
    assert.equal(last.page.returned, 1);
    assert.notEqual(last.page.cursor, null, 'more may exist past what was fetched');
  });

  it('stays within the budget: long strings and lists cut and named, then fewer items with a cursor', () => {
    const big = rows(100, 'y'.repeat(5_000)).map((r) => ({
      ...r,
      tags: Array.from({ length: 200 }, (_, i) => `t${i}`),
    }));
    const text = envelope(
      { summary: 's', data: { note: 'z'.repeat(50_000) }, items: big, complete: true, links: {} },
      { offset: 0, limit: 100 },
    );
    assert.ok(text.length <= MCP_TEXT_BUDGET, `${text.length}`);
    const e = open(text);
    assert.ok(e.page.returned > 0 && e.page.returned < 100, `returned ${e.page.returned}`);
    assert.equal(decodeCursor(e.page.cursor!), e.page.returned);
    assert.ok(
      e.cut.some((c) => /^data\.note: \d+ of 50000 characters$/.test(c)),
      e.cut.join('\n'),
    );
    assert.ok(e.cut.some((c) => /^items\[0\]\.tags: \d+ of 200 entries$/.test(c)));
    assert.deepEqual(
      e.evidence,
      e.items.map((i) => i.id),
    );
  });

  it('reduces an item too large even when cut to its id and API link', () => {
    const huge = [
      {
        id: 'row:0',
        api: '/api/rows/0',
        body: 'b',
        tags: [],
        deep: Array.from({ length: 5 }, () => ({
          a: Array.from({ length: 5 }, () => ({ b: Array.from({ length: 5 }, () => 'q'.repeat(300)) })),
        })),
      },
    ];
    const text = envelope(
      { summary: 's', data: null, items: huge, complete: true, links: {} },
      { offset: 0, limit: 1, budget: 2_000 },
    );
    assert.ok(text.length <= 2_000, `${text.length}`);
    const e = open(text);
    assert.deepEqual(e.items, [{ id: 'row:0', api: '/api/rows/0' }]);
    assert.ok(e.cut.includes('items: ids and API links only'));
  });

  it('refuses a cursor it did not give', () => {
    assert.equal(decodeCursor(encodeCursor(40)), 40);
    assert.equal(decodeCursor(undefined), 0);
    for (const bad of [
      'nope',
      encodeCursor(-1),
      Buffer.from('{"o":1.5}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
    ])
      assert.throws(() => decodeCursor(bad), /cursor/);
  });
});
