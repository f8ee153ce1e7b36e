// The card processor. Sandbox timings: most authorisations come back in 15–40 ms, a few
// percent take several hundred (their side, nothing we can do but log it).
import { randomUUID } from 'node:crypto';
import { log } from '../../../lib/log.js';
import { inSpan } from '../../../lib/tracing.js';

const SLOW_SHARE = 0.03;
const SLOW_LOG_MS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function authorize({ orderId, amount }) {
  return inSpan('card.authorize', { 'payment.amount': amount, 'payment.order_id': orderId }, async () => {
    const ms = Math.random() < SLOW_SHARE ? 150 + Math.random() * 250 : 15 + Math.random() * 25;
    await sleep(ms);
    if (ms > SLOW_LOG_MS) log.warn('card network slow: authorization for order %s took %d ms', orderId, Math.round(ms));
    return { chargeId: `ch_${randomUUID().replaceAll('-', '').slice(0, 16)}` };
  });
}
