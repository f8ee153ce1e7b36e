// cart's view of catalog: product lookups and stock reservations.
import { getJson, postJson } from '../../../lib/http.js';
import { urlEnv } from '../../../lib/env.js';

const CATALOG_URL = urlEnv('CATALOG_URL');

export function getProduct(productId) {
  return getJson(`${CATALOG_URL}/products/${encodeURIComponent(productId)}`);
}

export function reserve(productId, quantity, { timeoutMs } = {}) {
  return postJson(`${CATALOG_URL}/inventory/reserve`, { productId, quantity }, { timeoutMs });
}
