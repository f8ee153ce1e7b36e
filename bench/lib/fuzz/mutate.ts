// Structure-aware mutation: a real document (a webhook payload, an export record, a manifest)
// with a few of its fields replaced by hostile values, deleted, wrapped, duplicated or joined
// by prototype-pollution keys. Mutating realistic seeds reaches far deeper into a parser than
// random bytes, which mostly fail at the first brace.
import fc from 'fast-check';
import { POLLUTING_KEYS, hostileString, hostileValue } from './hostile.js';

type Path = Array<string | number>;

type Mutation =
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'delete'; at: number }
  | { op: 'wrap'; at: number }
  | { op: 'unwrap'; at: number }
  | { op: 'addKey'; at: number; key: string; value: unknown }
  | { op: 'repeat'; at: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('wrap' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unwrap' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('addKey' as const),
      at: fc.nat(),
      key: fc.oneof(fc.constantFrom(...POLLUTING_KEYS), hostileString),
      value: hostileValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 8 }) }),
  },
);

/** Every path in a JSON document, the root first. */
function paths(doc: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(doc)) {
    for (let i = 0; i < doc.length; i++) paths(doc[i], [...at, i], out);
  } else if (doc !== null && typeof doc === 'object')
    for (const k of Object.keys(doc)) paths((doc as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

function get(doc: unknown, path: Path): unknown {
  let v = doc;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** Sets (or with `undefined`, deletes) the value at a path; the root is replaced by returning it. */
function set(doc: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = get(doc, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (last === '__proto__') {
    Object.defineProperty(parent, last, { value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = value;
  return doc;
}

function apply(doc: unknown, m: Mutation): unknown {
  const all = paths(doc);
  const path = all[m.at % all.length]!;
  const current = get(doc, path);
  switch (m.op) {
    case 'replace':
      return set(doc, path, m.value);
    case 'delete':
      return path.length === 0 ? doc : set(doc, path, undefined);
    case 'wrap':
      return set(doc, path, [current]);
    case 'unwrap':
      return Array.isArray(current)
        ? set(doc, path, current[0] ?? null)
        : set(doc, path, typeof current === 'object' ? (JSON.stringify(current) ?? '') : String(current));
    case 'repeat':
      return Array.isArray(current)
        ? set(
            doc,
            path,
            Array.from({ length: m.times }, (_, i) => current[i % Math.max(1, current.length)] ?? null),
          )
        : set(doc, path, typeof current === 'string' ? current.repeat(m.times) : current);
    case 'addKey': {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return doc;
      // A key named __proto__ must be an own property, as JSON.parse makes it.
      Object.defineProperty(current, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return doc;
    }
  }
}

/** Mutated copies of the seeds: 0–4 mutations each (0 keeps some valid input in the mix). */
export function mutated(seeds: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 0, maxLength: 4 }))
    .map(([i, ms]) => ms.reduce<unknown>((doc, m) => apply(doc, m), structuredClone(seeds[i])));
}

/**
 * Text-level damage to a serialised document: cut short, a byte range replaced, NUL or invalid
 * UTF-8 spliced in. Returned as bytes, since invalid UTF-8 has no string form.
 */
export function damagedBytes(text: fc.Arbitrary<string>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      text,
      fc.constantFrom('none', 'truncate', 'splice', 'nul', 'badUtf8', 'bom'),
      fc.nat(),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([t, how, at, junk]) => {
      const b = Buffer.from(t, 'utf8');
      const i = b.length === 0 ? 0 : at % b.length;
      switch (how) {
        case 'none':
          return b;
        case 'truncate':
          return b.subarray(0, i);
        case 'splice':
          return Buffer.concat([b.subarray(0, i), Buffer.from(junk), b.subarray(i + junk.length)]);
        case 'nul':
          return Buffer.concat([b.subarray(0, i), Buffer.from([0]), b.subarray(i)]);
        case 'badUtf8':
          return Buffer.concat([b.subarray(0, i), Buffer.from([0xc3, 0x28, 0xff, 0xed, 0xa0, 0x80]), b.subarray(i)]);
        default:
          return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]);
      }
    });
}
