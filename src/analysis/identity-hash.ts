// Keyed hashes for personal identifiers (emails): the same value under the same per-install
// key gives the same hash in tickets and in telemetry, so they join, but the clear value is
// never stored. A keyed HMAC (not a bare SHA-256) so that a leaked database cannot be
// reversed by hashing a list of known emails.
import { createHmac } from 'node:crypto';

const PREFIX = 'h:';
const HASH = /^h:[0-9a-f]{64}$/;

/** Identifiers compare trimmed and lower-cased: `Jane@Example.com ` and `jane@example.com` are one person. */
export function normalizeIdentity(value: string): string {
  return value.trim().toLowerCase();
}

/** `h:` + hex HMAC-SHA256(key, normalized value). */
export function keyedHash(key: string, value: string): string {
  if (!key) throw new Error('keyedHash needs a non-empty key');
  return PREFIX + createHmac('sha256', key).update(normalizeIdentity(value), 'utf8').digest('hex');
}

export function isKeyedHash(value: string): boolean {
  return HASH.test(value);
}

/** How a stored identity is shown: a keyed hash (an email) short, as `email:ab2d3374`; anything else as written. */
export function identityLabel(value: string): string {
  return value.startsWith(PREFIX) ? `email:${value.slice(PREFIX.length, PREFIX.length + 8)}` : value;
}
