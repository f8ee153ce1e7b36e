// web: the storefront API behind the shop's pages and header.
import { trace } from '@opentelemetry/api';
import { currentIdentity } from '../../../lib/context.js';
import { urlEnv } from '../../../lib/env.js';
import { UpstreamError, getJson, postJson } from '../../../lib/http.js';
import { log } from '../../../lib/log.js';
import { HttpProblem, createService } from '../../../lib/service.js';
import { checkout } from './checkout.js';

const upstream = {
  cartUrl: urlEnv('CART_URL'),
  catalogUrl: urlEnv('CATALOG_URL'),
  paymentsUrl: urlEnv('PAYMENTS_URL'),
};

function signedInUser() {
  const { userId } = currentIdentity();
  if (!userId) throw new HttpProblem(401, 'sign in first (x-user-id is missing)');
  return userId;
}

// Product data changes a few times a day; let the CDN and browsers keep it briefly.
const LISTING_CACHE = { 'cache-control': 'public, max-age=60' };

const cartOf = (user) => `${upstream.cartUrl}/carts/${encodeURIComponent(user)}`;

/** Passes a downstream 4xx (bad input, unknown product) through; anything else is a 502. */
function clientErrorsThrough(err) {
  if (err instanceof UpstreamError && err.status >= 400 && err.status < 500) {
    throw new HttpProblem(err.status, err.body?.error ?? err.message);
  }
  throw err;
}

createService('web', [
  [
    'GET',
    '/api/products',
    async () => ({ status: 200, body: await getJson(`${upstream.catalogUrl}/products`), headers: LISTING_CACHE }),
  ],

  [
    'GET',
    '/api/products/:id',
    async ({ params }) => {
      const product = await getJson(`${upstream.catalogUrl}/products/${encodeURIComponent(params.id)}`).catch(clientErrorsThrough);
      return { status: 200, body: product, headers: LISTING_CACHE };
    },
  ],

  [
    'POST',
    '/api/cart/items',
    ({ body }) => {
      const user = signedInUser();
      return postJson(`${cartOf(user)}/items`, { productId: body.productId, quantity: body.quantity }).catch(clientErrorsThrough);
    },
  ],

  ['GET', '/api/cart', () => getJson(cartOf(signedInUser()))],

  [
    'GET',
    '/api/cart/badge',
    async () => {
      const user = signedInUser();
      try {
        const { count } = await getJson(`${cartOf(user)}/count`);
        return { count };
      } catch (err) {
        // The header must render even when cart is unhappy: show an empty badge.
        trace.getActiveSpan()?.recordException(err);
        log.error('failed to load cart badge for %s: %s', user, err.message);
        return { count: 0 };
      }
    },
  ],

  ['POST', '/api/checkout', () => checkout(upstream, signedInUser()).catch(clientErrorsThrough)],
]);
