// HMAC webhook signatures, compared in constant time. Each sender's scheme (header, hex or
// base64, what is signed) is a small WebhookSignature built from these.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { header } from './fields.js';
import type { Headers, SignatureCheck, SignedTime, WebhookSignature } from './format.js';

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

/** Longer delivery ids are not remembered (senders use UUIDs or numbers). */
const MAX_DELIVERY_ID = 200;

/** A TicketFormat.deliveryId that reads one header. */
export function deliveryHeader(name: string): (headers: Headers) => string | null {
  return (h) => {
    const v = header(h, name)?.trim();
    return v && v.length <= MAX_DELIVERY_ID ? v : null;
  };
}

export interface SignedTimeWindow {
  /** How far the signed time may be from now, either way. */
  toleranceSeconds: number;
  /** The setting that holds it, named in the refusal. */
  setting: string;
  now?: number;
}

/** Refuses a signed time that is missing, not a time, or further from now than the window (a replay or a long delay). */
export function checkSignedTime(t: SignedTime, w: SignedTimeWindow): SignatureCheck {
  if (t.value === null) return { ok: false, reason: `${t.name} is missing: it dates the signature` };
  if (t.ms === null) return { ok: false, reason: `${t.name} ${JSON.stringify(t.value)} is not a time` };
  const skew = Math.round(((w.now ?? Date.now()) - t.ms) / 1000);
  if (Math.abs(skew) <= w.toleranceSeconds) return { ok: true };
  const side = skew > 0 ? 'in the past' : 'in the future';
  return {
    ok: false,
    reason: `${t.name} ${t.value} is ${Math.abs(skew)} s ${side}, outside the ${w.toleranceSeconds} s window (${w.setting}): a replayed or delayed delivery`,
  };
}
