// A signed JSON POST, as the webhook executor and the approver webhook send theirs: HMAC-SHA256
// over `<timestamp>.<body>` with the shared secret, and an idempotency key the same on every
// attempt, in the headers the receiver checks (X-Orrery-Timestamp, X-Orrery-Signature,
// Idempotency-Key).
import { createHmac } from 'node:crypto';

/** The signature header for `body` (also what a receiver recomputes). */
export function webhookSignature(secret: string, body: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedPost {
  url: string;
  secret: string;
  body: string;
  idempotencyKey: string;
  userAgent: string;
  timeoutMs: number;
}

/** The POST did not land: no answer within the timeout, or a non-2xx answer. */
export class SignedPostError extends Error {
  override name = 'SignedPostError';
}

/** The most of a refusing answer's text an error message quotes. */
const QUOTED_CHARS = 300;

/** POSTs the signed body; the 2xx answer's status and text ('' when unreadable), else throws SignedPostError. */
export async function postSigned(p: SignedPost): Promise<{ status: number; text: string }> {
  const ts = Math.floor(Date.now() / 1000);
  let res: Response;
  try {
    res = await fetch(p.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-orrery-timestamp': String(ts),
        'x-orrery-signature': webhookSignature(p.secret, p.body, ts),
        'idempotency-key': p.idempotencyKey,
        'user-agent': p.userAgent,
      },
      body: p.body,
      signal: AbortSignal.timeout(p.timeoutMs),
    });
  } catch (err) {
    throw new SignedPostError(`POST ${p.url} failed: ${(err as Error).message}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new SignedPostError(`POST ${p.url} answered ${res.status}: ${text.slice(0, QUOTED_CHARS)}`);
  return { status: res.status, text };
}
