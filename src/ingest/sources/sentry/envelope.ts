// Sentry envelopes (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line,
// then items, each a JSON header line and a payload. A payload is `length` bytes when the item
// header gives one (then it may hold newlines and any bytes), else it runs to the next newline.
// Lines may end in CRLF and the last newline may be missing. Pure: bytes in, items out; any
// structural problem is an EnvelopeError (the route answers 400).

/** The envelope is not one this parser can read: a bad header, a length past the end, too many items. */
export class EnvelopeError extends Error {}

/** What the envelope header may carry that ingest uses; the rest is ignored. */
export interface EnvelopeHeader {
  eventId: string | null;
  /** The DSN the SDK was configured with: it carries the key for SDKs that send no other. */
  dsn: string | null;
  sentAt: string | null;
}

export interface EnvelopeItem {
  /** `event`, `transaction`, `log`, `attachment`, `session`, … as sent (unknown types are kept). */
  type: string;
  /** The declared length, or null when the payload ran to the end of its line. */
  length: number | null;
  contentType: string | null;
  filename: string | null;
  payload: Buffer;
}

export interface Envelope {
  header: EnvelopeHeader;
  items: EnvelopeItem[];
}

export interface EnvelopeLimits {
  /** Items in one envelope at most (Sentry's own relay caps envelopes far below this). */
  maxItems: number;
}

export const DEFAULT_ENVELOPE_LIMITS: EnvelopeLimits = { maxItems: 1000 };

const NL = 0x0a;
const CR = 0x0d;

/** The bytes from `start` up to the next newline (without it, and without a CR before it). */
function lineAt(buf: Buffer, start: number): { line: Buffer; next: number } {
  let end = buf.indexOf(NL, start);
  const next = end === -1 ? buf.length : end + 1;
  if (end === -1) end = buf.length;
  const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
  return { line: buf.subarray(start, stop), next };
}

function jsonObject(line: Buffer, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch (err) {
    throw new EnvelopeError(`${what} is not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new EnvelopeError(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** True when the rest of the buffer from `at` is only whitespace (trailing newlines). */
function onlyWhitespace(buf: Buffer, at: number): boolean {
  for (let i = at; i < buf.length; i++) {
    const c = buf[i];
    if (c !== NL && c !== CR && c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Parses a whole (already inflated) envelope. */
export function parseEnvelope(buf: Buffer, limits: EnvelopeLimits = DEFAULT_ENVELOPE_LIMITS): Envelope {
  if (buf.length === 0) throw new EnvelopeError('the envelope is empty');
  const first = lineAt(buf, 0);
  const h = jsonObject(first.line, 'the envelope header');
  const header: EnvelopeHeader = { eventId: str(h.event_id), dsn: str(h.dsn), sentAt: str(h.sent_at) };
  const items: EnvelopeItem[] = [];
  let at = first.next;
  while (at < buf.length) {
    if (onlyWhitespace(buf, at)) break;
    const { line, next } = lineAt(buf, at);
    const ih = jsonObject(line, `the header of item ${items.length + 1}`);
    const type = str(ih.type);
    if (type === null) throw new EnvelopeError(`item ${items.length + 1} has no type`);
    if (items.length >= limits.maxItems) throw new EnvelopeError(`the envelope has more than ${limits.maxItems} items`);
    let payload: Buffer;
    let length: number | null = null;
    if (ih.length !== undefined && ih.length !== null) {
      const n = ih.length;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
        throw new EnvelopeError(`item ${items.length + 1} (${type}) has an invalid length`);
      if (next + n > buf.length)
        throw new EnvelopeError(
          `item ${items.length + 1} (${type}) declares ${n} bytes but only ${buf.length - next} follow`,
        );
      length = n;
      payload = buf.subarray(next, next + n);
      at = next + n;
      // The newline after a payload of known length is optional (and may be CRLF).
      if (buf[at] === CR && buf[at + 1] === NL) at += 2;
      else if (buf[at] === NL) at += 1;
      else if (at < buf.length)
        throw new EnvelopeError(`item ${items.length + 1} (${type}) is not followed by a newline after its length`);
    } else {
      // No length: the payload is the next line (it may be empty, or missing at the very end).
      const p = next < buf.length || buf[next - 1] === NL ? lineAt(buf, next) : { line: Buffer.alloc(0), next };
      payload = p.line;
      at = p.next;
    }
    items.push({ type, length, contentType: str(ih.content_type), filename: str(ih.filename), payload });
  }
  return { header, items };
}
