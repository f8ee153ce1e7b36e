// Carts at rest are sealed: AES-256-GCM under a key derived for each customer from the
// service's secret (CART_SEAL_KEY, from the cart-seal Secret), so one leaked file or key
// opens one customer's cart, not everyone's.
import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';

// The security review's minimum for PBKDF2-SHA256 key derivation.
const ITERATIONS = 10_000;
// Local runs without the Secret get a fixed development key.
const SECRET = process.env.CART_SEAL_KEY || 'local-development-only';

export function customerKey(userId) {
  return pbkdf2Sync(SECRET, `cart:${userId}`, ITERATIONS, 32, 'sha256');
}

/** The cart as the text we store. */
export function seal(userId, cart) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', customerKey(userId), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(cart), 'utf8'), cipher.final()]);
  return JSON.stringify({
    sealed: 1,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  });
}

/** The cart from stored text; carts stored before sealing are plain JSON and come back as they are. */
export function unseal(userId, text) {
  const box = JSON.parse(text);
  if (box.sealed !== 1) return box;
  const decipher = createDecipheriv('aes-256-gcm', customerKey(userId), Buffer.from(box.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(box.data, 'base64')), decipher.final()]);
  return JSON.parse(plain.toString('utf8'));
}
