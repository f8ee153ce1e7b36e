// What an order costs right now: catalog's current prices with product discounts applied.
// The cart's prices are only what the customer saw; we charge from catalog.
import { UpstreamError, getJson } from '../../../lib/http.js';
import { HttpProblem } from '../../../lib/service.js';

const round2 = (n) => Math.round(n * 100) / 100;

export function linePrice(row, quantity) {
  const unit = row.discount ? row.price * (1 - row.discount.percent / 100) : row.price;
  return unit * quantity;
}

/** One line's current price; a product catalog no longer sells is a 422 for the order. */
async function currentPrice(catalogUrl, productId) {
  try {
    return await getJson(`${catalogUrl}/products/${encodeURIComponent(productId)}/price`);
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) throw new HttpProblem(422, `product ${productId} is no longer sold`);
    throw err;
  }
}

export async function priceOrder(catalogUrl, items) {
  let amount = 0;
  for (const item of items) {
    const row = await currentPrice(catalogUrl, item.productId);
    amount += linePrice(row, item.quantity);
  }
  return round2(amount);
}
