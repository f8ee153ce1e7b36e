// What a fuzz target is, and the checks the targets share: a pure decoder's verdict (accepted,
// or refused with its typed error; anything else is rethrown), text PostgreSQL cannot store,
// and inputs shown short in failure messages.
import type fc from 'fast-check';
import type { FuzzServer } from './harness.js';

/** How one case went: `fail` says what was wrong with the answer; `status` is the HTTP status (or gRPC code) when there was one. */
export interface Outcome {
  fail?: string;
  status?: number;
  accepted?: boolean;
}

export interface Target<T = unknown> {
  name: string;
  /** pure: a decoder on its own; server: through the running routes. */
  kind: 'pure' | 'server';
  /** Its share of the cases of its kind. */
  weight: number;
  arbitrary: fc.Arbitrary<T>;
  run(input: T, s: FuzzServer): Promise<Outcome> | Outcome;
  /** The input, short, for a failure message. */
  show(input: T): string;
}

/** Buffers and strings, cut to a readable length. */
export function preview(v: unknown): string {
  let s: string;
  try {
    s = Buffer.isBuffer(v)
      ? `base64:${v.toString('base64')}`
      : (JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)) ?? String(v));
  } catch (err) {
    s = `(not showable: ${(err as Error).message})`;
  }
  return s.length > 600 ? `${s.slice(0, 600)}… (${s.length} chars)` : s;
}

/** Runs a pure decoder: accepted (true), refused with its typed error (false); anything else is rethrown. */
export function verdict(fn: () => unknown, typed: (err: unknown) => boolean): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (typed(err)) return false;
    throw err;
  }
}

/** Text PostgreSQL cannot store: NUL, or a lone surrogate. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first string (value or key) anywhere in a value that PostgreSQL cannot store, or null. */
export function unstorableText(v: unknown): string | null {
  if (typeof v === 'string') return UNSTORABLE.test(v) ? v : null;
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    if (UNSTORABLE.test(k)) return k;
    const bad = unstorableText(x);
    if (bad !== null) return bad;
  }
  return null;
}
