// HMAC webhook signatures, compared in constant time. Each sender's scheme (header, hex or
// base64, what is signed) is a small WebhookSignature built from these.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { header } from './fields.js';
import type { Headers, SignatureCheck, WebhookSignature } from './format.js';

export function hmac(secret: string, data: Buffer | string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

/** Constant-time comparison of two signatures as sent (after any `sha256=` prefix is removed). */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `<header>: sha256=<hex HMAC of the raw body>`: GitHub's X-Hub-Signature-256 and Jira's X-Hub-Signature. */
export function hubSignature(name: string): WebhookSignature {
  return {
    header: name,
    missing: (h: Headers) => !header(h, name),
    verify(rawBody: Buffer, h: Headers, secret: string): SignatureCheck {
      const given = header(h, name)!.trim();
      const m = /^sha256=([0-9a-fA-F]{64})$/.exec(given);
      if (!m) return { ok: false, reason: `${name} must be "sha256=<64 hex digits>"` };
      return sameSignature(hmac(secret, rawBody, 'hex'), m[1]!.toLowerCase())
        ? { ok: true }
        : { ok: false, reason: `${name} does not match the body signed with the configured secret` };
    },
  };
}
