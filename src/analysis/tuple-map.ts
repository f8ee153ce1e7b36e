// Maps and sets keyed by a tuple of strings and numbers, compared by value. They replace
// keys joined with a separator character ("service\u0000key"), which collide as soon as a
// part holds the separator and must be split again to be read. Keys come back as the tuples
// that were given, never re-split.

export type KeyPart = string | number;

/**
 * The encoding behind both classes: each part is length-prefixed, and numbers are marked,
 * so no two different tuples share a key ("1" and 1, ["a|b","c"] and ["a","b|c"] differ).
 */
export function tupleKey(parts: readonly KeyPart[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `#${p};` : `${p.length}:${p}`;
  return out;
}

/** A Map keyed by a tuple, in insertion order. */
export class TupleMap<K extends readonly KeyPart[], V> implements Iterable<[K, V]> {
  private readonly map = new Map<string, [K, V]>();

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(tupleKey(key))?.[1];
  }

  has(key: K): boolean {
    return this.map.has(tupleKey(key));
  }

  set(key: K, value: V): this {
    const k = tupleKey(key);
    const had = this.map.get(k);
    if (had) had[1] = value;
    else this.map.set(k, [key, value]);
    return this;
  }

  delete(key: K): boolean {
    return this.map.delete(tupleKey(key));
  }

  clear(): void {
    this.map.clear();
  }

  /** The value under `key`, made by `make` and stored first when missing. */
  upsert(key: K, make: () => V): V {
    const k = tupleKey(key);
    const had = this.map.get(k);
    if (had) return had[1];
    const v = make();
    this.map.set(k, [key, v]);
    return v;
  }

  *keys(): IterableIterator<K> {
    for (const [k] of this.map.values()) yield k;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.map.values()) yield v;
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.map.values();
  }
}

/** A Set of tuples, in insertion order. */
export class TupleSet<K extends readonly KeyPart[]> implements Iterable<K> {
  private readonly map = new Map<string, K>();

  constructor(keys: Iterable<K> = []) {
    for (const k of keys) this.add(k);
  }

  get size(): number {
    return this.map.size;
  }

  add(key: K): this {
    const k = tupleKey(key);
    if (!this.map.has(k)) this.map.set(k, key);
    return this;
  }

  has(key: K): boolean {
    return this.map.has(tupleKey(key));
  }

  delete(key: K): boolean {
    return this.map.delete(tupleKey(key));
  }

  clear(): void {
    this.map.clear();
  }

  [Symbol.iterator](): IterableIterator<K> {
    return this.map.values();
  }
}
