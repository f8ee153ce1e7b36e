import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineItems, summarizeCart } from '../src/cart-summary.js';

test('an empty cart has no items and costs nothing', () => {
  assert.deepEqual(summarizeCart({ items: [] }), { items: [], count: 0, total: 0 });
});

test('count and total over two products', () => {
  const cart = {
    items: [
      { productId: 'p-1', quantity: 1, price: 14 },
      { productId: 'p-2', quantity: 1, price: 24.5 },
    ],
  };
  const s = summarizeCart(cart);
  assert.equal(s.count, 2);
  assert.equal(s.total, 38.5);
});

test('each line carries its own total', () => {
  const s = summarizeCart({ items: [{ productId: 'p-5', quantity: 1, price: 6.5 }] });
  assert.equal(s.items[0].lineTotal, 6.5);
  assert.equal(lineItems({ items: [] }).length, 0);
});
