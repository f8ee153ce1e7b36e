// The statements catalog runs, with the timings we see in production. Listing is the slow
// query: products joined to stock, filtered and sorted with no covering index (see
// docs/runbooks/catalog-pool.md). Point reads and the stock update are quick.
import { randomUUID } from 'node:crypto';
import { PRODUCTS, PRODUCTS_BY_ID } from './products.js';

const between = (lo, hi) => lo + Math.random() * (hi - lo);
const RESTOCK_TO = 5000;
const stock = new Map(PRODUCTS.map((p) => [p.id, RESTOCK_TO]));

function priceRow(p) {
  return p.discount ? { id: p.id, price: p.price, discount: p.discount } : { id: p.id, price: p.price };
}

export function createQueries(pool) {
  return {
    listProducts() {
      return pool.query(
        {
          operation: 'SELECT',
          table: 'products',
          text: 'SELECT id, name, price, discount FROM products WHERE active ORDER BY sort_order',
          durationMs: between(180, 300),
        },
        () => PRODUCTS,
      );
    },

    getProduct(id) {
      return pool.query(
        { operation: 'SELECT', table: 'products', text: 'SELECT * FROM products WHERE id = $1', durationMs: between(20, 30) },
        () => PRODUCTS_BY_ID.get(id) ?? null,
      );
    },

    getPrice(id) {
      return pool.query(
        { operation: 'SELECT', table: 'prices', text: 'SELECT id, price, discount FROM prices WHERE id = $1', durationMs: between(20, 30) },
        () => {
          const p = PRODUCTS_BY_ID.get(id);
          return p ? priceRow(p) : null;
        },
      );
    },

    // Reservations write a row and update stock in one transaction: never under 25 ms.
    reserve(productId, quantity) {
      return pool.query(
        { operation: 'UPDATE', table: 'stock', text: 'UPDATE stock SET reserved = reserved + $2 WHERE id = $1 RETURNING on_hand', durationMs: between(25, 40) },
        () => {
          const left = stock.get(productId);
          if (left === undefined) return null;
          if (left < quantity) {
            stock.set(productId, RESTOCK_TO - quantity);
            return { reservationId: randomUUID(), restocked: true };
          }
          stock.set(productId, left - quantity);
          return { reservationId: randomUUID(), restocked: false };
        },
      );
    },
  };
}
