// Checkout: read the cart, charge it through payments, then empty the cart.
import { randomUUID } from 'node:crypto';
import { currentIdentity } from '../../../lib/context.js';
import { deleteJson, getJson, postJson } from '../../../lib/http.js';
import { log } from '../../../lib/log.js';
import { HttpProblem } from '../../../lib/service.js';

export async function checkout({ cartUrl, paymentsUrl }, user) {
  const cartPath = `${cartUrl}/carts/${encodeURIComponent(user)}`;
  const cart = await getJson(cartPath);
  if (cart.items.length === 0) throw new HttpProblem(400, 'cart is empty');
  const orderId = `ord_${randomUUID().slice(0, 8)}`;
  const items = cart.items.map(({ productId, quantity }) => ({ productId, quantity }));
  const charge = await postJson(`${paymentsUrl}/payments/charge`, { orderId, items });
  await deleteJson(cartPath);
  log.info('order %s placed for account %s: %d lines, %s USD', orderId, currentIdentity().accountId ?? '-', items.length, charge.amount);
  return { ok: true, orderId, amount: charge.amount };
}
