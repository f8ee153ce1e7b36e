// A fast, well-mixed 64-bit hash of a string for the HyperLogLog: two MurmurHash3-style
// 32-bit lanes over the UTF-16 code units (two units a block), cross-mixed and finished
// with MurmurHash3's fmix32. Not cryptographic and not byte-compatible with other
// implementations; stable across JS runtimes because it reads code units, not bytes.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const C3 = 0x85ebca6b;
const C4 = 0xc2b2ae35;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes `s` and writes the high and low 32 bits (unsigned) into out[0] and out[1], so the
 * hot path allocates nothing.
 */
export function hash64(s: string, out: Uint32Array): void {
  let h1 = 0x9747b28c;
  let h2 = 0x5bd1e995;
  const len = s.length;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    let k1 = Math.imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(k, C3);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C4);
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (Math.imul(h2, 5) + 0x38495ab5) | 0;
  }
  if (i < len) {
    const k = s.charCodeAt(i);
    let k1 = Math.imul(k, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    h1 ^= Math.imul(k1, C2);
    let k2 = Math.imul(k, C3);
    k2 = (k2 << 16) | (k2 >>> 16);
    h2 ^= Math.imul(k2, C4);
  }
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}
