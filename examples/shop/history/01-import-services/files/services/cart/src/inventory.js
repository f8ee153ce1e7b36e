// Reserving stock before an item goes into the cart. Reservations are quick, so the first
// attempt gets a tight timeout; a slow one is retried with more room, and the last
// attempt waits as long as it takes (an add should not fail because catalog is busy).
import { TimeoutError } from '../../../lib/http.js';
import { log } from '../../../lib/log.js';
import { reserve } from './catalog.js';

const ATTEMPTS = 3;
const BACKOFF = 4;

export async function reserveStock(productId, quantity, { timeoutMs }) {
  for (let attempt = 1; ; attempt++) {
    const last = attempt === ATTEMPTS;
    try {
      return await reserve(productId, quantity, { timeoutMs: last ? undefined : timeoutMs * BACKOFF ** (attempt - 1) });
    } catch (err) {
      if (last || !(err instanceof TimeoutError)) throw err;
      log.warn('retrying inventory reservation for product %s (attempt %d of %d)', productId, attempt + 1, ATTEMPTS);
    }
  }
}
