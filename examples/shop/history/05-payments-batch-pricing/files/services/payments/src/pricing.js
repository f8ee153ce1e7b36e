// What an order costs right now: catalog's current prices with product discounts applied.
// The cart's prices are only what the customer saw; we charge from catalog.
import { postJson } from '../../../lib/http.js';
import { HttpProblem } from '../../../lib/service.js';

const round2 = (n) => Math.round(n * 100) / 100;

export function linePrice(row, quantity) {
  const unit = row.discount ? row.price * (1 - row.discount.percent / 100) : row.price;
  return unit * quantity;
}

export async function priceOrder(catalogUrl, items) {
  const { prices } = await postJson(`${catalogUrl}/prices`, { ids: items.map((i) => i.productId) });
  const byId = new Map(prices.map((row) => [row.id, row]));
  let amount = 0;
  for (const item of items) {
    const row = byId.get(item.productId);
    if (!row) throw new HttpProblem(422, `product ${item.productId} is no longer sold`);
    amount += linePrice(row, item.quantity);
  }
  return round2(amount);
}
