// cart: customers' carts, the count behind the header badge, and stock reservation on add.
import { intEnv } from '../../../lib/env.js';
import { UpstreamError } from '../../../lib/http.js';
import { log } from '../../../lib/log.js';
import { HttpProblem, createService } from '../../../lib/service.js';
import { inSpan } from '../../../lib/tracing.js';
import { CartStore, addLine, itemCount } from './cart-store.js';
import { summarizeCart } from './cart-summary.js';
import { getProduct } from './catalog.js';
import { reserveStock } from './inventory.js';

const config = {
  dataDir: process.env.DATA_DIR ?? './data/cart',
  reserveTimeoutMs: intEnv('INVENTORY_RESERVE_TIMEOUT_MS', 800),
  maxQuantity: intEnv('CART_MAX_QUANTITY', 20),
};

const carts = new CartStore(config.dataDir);

function summarize(cart) {
  return inSpan('summarizeCart', { 'cart.lines': cart.items.length }, () => summarizeCart(cart));
}

async function productOrNotFound(productId) {
  try {
    return await getProduct(productId);
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) throw new HttpProblem(404, `unknown product ${productId}`);
    throw err;
  }
}

createService('cart', [
  [
    'POST',
    '/carts/:user/items',
    async ({ params, body }) => {
      const { productId, quantity } = body;
      if (typeof productId !== 'string') throw new HttpProblem(400, 'productId is required');
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > config.maxQuantity) {
        throw new HttpProblem(400, `quantity must be between 1 and ${config.maxQuantity}`);
      }
      const product = await productOrNotFound(productId);
      await reserveStock(productId, quantity, { timeoutMs: config.reserveTimeoutMs });
      const cart = addLine(await carts.get(params.user), { productId, quantity, price: product.price, discount: product.discount });
      await carts.put(params.user, cart);
      log.info('added %d x %s to the cart of %s', quantity, productId, params.user);
      return { ok: true, count: itemCount(cart) };
    },
  ],

  [
    'GET',
    '/carts/:user',
    async ({ params }) => {
      const { items, total } = summarize(await carts.get(params.user));
      return { items, total };
    },
  ],

  ['GET', '/carts/:user/count', async ({ params }) => ({ count: summarize(await carts.get(params.user)).count })],

  [
    'DELETE',
    '/carts/:user',
    async ({ params }) => {
      await carts.clear(params.user);
      return { ok: true };
    },
  ],
]);
