// What an order costs right now: catalog's current prices with product discounts applied.
// The cart's prices are only what the customer saw; we charge from catalog.
import { getJson } from '../../../lib/http.js';

const round2 = (n) => Math.round(n * 100) / 100;

export function linePrice(row, quantity) {
  const unit = row.discount ? row.price * (1 - row.discount.percent / 100) : row.price;
  return unit * quantity;
}

export async function priceOrder(catalogUrl, items) {
  let amount = 0;
  for (const item of items) {
    const row = await getJson(`${catalogUrl}/products/${encodeURIComponent(item.productId)}/price`);
    amount += linePrice(row, item.quantity);
  }
  return round2(amount);
}
