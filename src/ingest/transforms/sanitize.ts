// sanitize: text PostgreSQL can store. PostgreSQL's text and jsonb cannot hold NUL (U+0000),
// and jsonb rejects unpaired UTF-16 surrogates (`\ud800`), so one such character in one
// record used to fail every statement that carried it — and with it every other row of that
// statement. Sources call this where text enters (OTLP decoding, tickets, infra imports).
//
// Both become U+FFFD, the replacement character, rather than being dropped: a reader sees
// that something unrepresentable was there, token boundaries survive ("adm\0in" does not
// turn into "admin"), and it is what invalid UTF-8 already decodes to.

const REPLACEMENT = '\ufffd';

/** ES2024's well-formed-string methods (Node 20 has them; the ES2023 lib does not type them). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** True when `s` holds no NUL and no unpaired surrogate: what PostgreSQL's text and jsonb accept. */
export function isStorableText(s: string): boolean {
  return s.indexOf('\0') === -1 && (s as unknown as WellFormed).isWellFormed();
}

/** `s` with NUL and unpaired surrogates replaced by U+FFFD; `s` itself (no copy) when it has none. */
export function storableText(s: string): string {
  if (isStorableText(s)) return s;
  return (s as unknown as WellFormed).toWellFormed().replaceAll('\0', REPLACEMENT);
}

/**
 * A JSON-like value with every string, object keys included, made storable. Returns the
 * value itself when nothing needed changing, so clean input costs a walk and no copies.
 */
export function storableValue<T>(v: T): T {
  if (typeof v === 'string') return storableText(v) as T;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = storableValue(v[i] as unknown);
      if (x !== v[i] && out === null) out = v.slice(0, i);
      if (out !== null) out.push(x);
    }
    return (out ?? v) as T;
  }
  if (
    v !== null &&
    typeof v === 'object' &&
    (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)
  ) {
    let changed = false;
    const entries: Array<[string, unknown]> = [];
    for (const [k, x] of Object.entries(v)) {
      const k2 = storableText(k);
      const x2 = storableValue(x);
      if (k2 !== k || x2 !== x) changed = true;
      entries.push([k2, x2]);
    }
    if (!changed) return v;
    const out: Record<string, unknown> = {};
    // defineProperty, so that a key of "__proto__" stays an own property.
    for (const [k, x] of entries)
      Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    return out as T;
  }
  return v;
}

/** Where in a JSON-like value the first unstorable string is ("a.b[2]", "" for the value itself), and why; null when there is none. */
export function unstorableTextAt(v: unknown, path = ''): { path: string; problem: string } | null {
  if (typeof v === 'string') return isStorableText(v) ? null : { path, problem: textProblem(v) };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unstorableTextAt(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (!isStorableText(k)) return { path, problem: `a key ${textProblem(k)}` };
      const p = unstorableTextAt(x, path ? `${path}.${k}` : k);
      if (p) return p;
    }
  }
  return null;
}

function textProblem(s: string): string {
  return s.indexOf('\0') !== -1 ? 'contains NUL (\\u0000)' : 'contains an unpaired UTF-16 surrogate';
}
