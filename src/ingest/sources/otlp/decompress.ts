// Request-body decoding for Content-Encoding, with a hard cap on the inflated size so that
// a gzip bomb costs at most `maxBytes` of memory before it is refused.
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

export class BodyTooLargeError extends Error {}
export class UnsupportedEncodingError extends Error {}
export class CorruptBodyError extends Error {}

export async function decodeContentEncoding(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') {
    if (body.length > maxBytes)
      throw new BodyTooLargeError(`body is ${body.length} bytes, over the limit of ${maxBytes}`);
    return body;
  }
  if (enc !== 'gzip' && enc !== 'deflate') {
    throw new UnsupportedEncodingError(`Content-Encoding "${encoding}" is not supported; use gzip, deflate or none`);
  }
  try {
    return await (enc === 'gzip' ? gunzipAsync : inflateAsync)(body, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new BodyTooLargeError(`${enc} body inflates past the limit of ${maxBytes} bytes`);
    }
    throw new CorruptBodyError(`${enc} body could not be decompressed: ${(err as Error).message}`);
  }
}
