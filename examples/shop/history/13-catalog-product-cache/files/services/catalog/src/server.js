// catalog: products, prices and stock reservations for the rest of the shop.
import { intEnv } from '../../../lib/env.js';
import { log } from '../../../lib/log.js';
import { HttpProblem, createService } from '../../../lib/service.js';
import { TtlCache } from './cache.js';
import { Pool } from './db.js';
import { createQueries } from './queries.js';

const config = {
  poolSize: intEnv('DB_POOL_SIZE', 1),
  queueTimeoutMs: intEnv('DB_QUEUE_TIMEOUT_MS', 2000),
  cacheTtlMs: intEnv('PRODUCT_CACHE_TTL_MS', 30000),
};

const db = createQueries(new Pool({ size: config.poolSize, queueTimeoutMs: config.queueTimeoutMs }));
const productCache = new TtlCache(config.cacheTtlMs);

async function loadProduct(id) {
  const cached = productCache.get(id);
  if (cached) return cached;
  log.warn('product cache miss for %s, reading from database', id);
  const product = await db.getProduct(id);
  if (!product) throw new HttpProblem(404, `unknown product ${id}`);
  productCache.set(id, product);
  return product;
}

createService('catalog', [
  ['GET', '/products', async () => ({ products: await db.listProducts() })],

  ['GET', '/products/:id', ({ params }) => loadProduct(params.id)],

  [
    'GET',
    '/products/:id/price',
    async ({ params }) => {
      const row = await db.getPrice(params.id);
      if (!row) throw new HttpProblem(404, `unknown product ${params.id}`);
      return row;
    },
  ],

  [
    'POST',
    '/prices',
    async ({ body }) => {
      if (!Array.isArray(body.ids)) throw new HttpProblem(400, 'ids must be an array of product ids');
      const rows = await db.getPrices(body.ids);
      return { prices: rows };
    },
  ],

  [
    'POST',
    '/inventory/reserve',
    async ({ body }) => {
      const { productId, quantity } = body;
      if (typeof productId !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
        throw new HttpProblem(400, 'productId and a positive integer quantity are required');
      }
      const r = await db.reserve(productId, quantity);
      if (!r) throw new HttpProblem(404, `unknown product ${productId}`);
      if (r.restocked) log.info(`stock for ${productId} ran low; restocked from the warehouse`);
      return { reserved: true, reservationId: r.reservationId };
    },
  ],
]);
