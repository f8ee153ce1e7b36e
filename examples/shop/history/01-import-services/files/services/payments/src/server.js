// payments: prices an order from catalog and charges the customer's card.
import { urlEnv } from '../../../lib/env.js';
import { log } from '../../../lib/log.js';
import { HttpProblem, createService } from '../../../lib/service.js';
import { authorize } from './card-network.js';
import { priceOrder } from './pricing.js';

const CATALOG_URL = urlEnv('CATALOG_URL');

function validItems(items) {
  return (
    Array.isArray(items) &&
    items.length > 0 &&
    items.every((i) => typeof i?.productId === 'string' && Number.isInteger(i.quantity) && i.quantity > 0)
  );
}

createService('payments', [
  [
    'POST',
    '/payments/charge',
    async ({ body }) => {
      const { orderId, items } = body;
      if (typeof orderId !== 'string' || !validItems(items)) {
        throw new HttpProblem(400, 'orderId and a non-empty items list ({productId, quantity}) are required');
      }
      const amount = await priceOrder(CATALOG_URL, items);
      const { chargeId } = await authorize({ orderId, amount });
      log.info(`charged ${amount.toFixed(2)} USD for order ${orderId} (${items.length} lines)`);
      return { ok: true, chargeId, amount };
    },
  ],
]);
