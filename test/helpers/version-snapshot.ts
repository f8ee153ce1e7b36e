// Version snapshots: each algorithm's outputs on fixed fixtures, stored with the id that made
// them (test/fixtures/versions/<name>.snapshot.json). The contract of an algorithm id: while
// the id stays the same, every output stays the same; a change of output needs a new id and a
// changelog line in src/analysis/versions.ts, then UPDATE_FIXTURES=1 to record it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Snapshot {
  /** The algorithm's name in the registry (`rca`). */
  name: string;
  /** The id that produced these outputs (`rca@3`). */
  id: string;
  /** One output per fixture, normalized by `normalize`. */
  outputs: Record<string, unknown>;
}

export const UPDATE = process.env.UPDATE_FIXTURES === '1';

export function snapshotPath(name: string): string {
  return new URL(`../fixtures/versions/${name}.snapshot.json`, import.meta.url).pathname;
}

export function readSnapshot(name: string): Snapshot | null {
  const path = snapshotPath(name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Snapshot) : null;
}

export function writeSnapshot(snap: Snapshot): void {
  writeFileSync(snapshotPath(snap.name), `${JSON.stringify(snap, null, 2)}\n`);
}

/**
 * Plain JSON of an output: non-integers rounded to 6 significant digits (so a last-bit change
 * across Node versions or a reordered sum does not fail the test), integers kept exact,
 * non-finite numbers as strings, Maps and Sets as arrays, undefined properties dropped.
 */
export function normalize(value: unknown): unknown {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (Number.isInteger(value)) return value === 0 ? 0 : value;
    return Number(value.toPrecision(6));
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Map) return [...value.entries()].map(normalize);
  if (value instanceof Set || Array.isArray(value)) return [...value].map(normalize);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = normalize(v);
  return out;
}

/** The first JSON path at which `actual` differs from `expected`, with both values; null when equal. */
export function firstDifference(
  expected: unknown,
  actual: unknown,
  path = '$',
): { path: string; expected: unknown; actual: unknown } | null {
  if (Object.is(expected, actual)) return null;
  const bothObjects =
    typeof expected === 'object' && typeof actual === 'object' && expected !== null && actual !== null;
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) return { path, expected, actual };
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const d = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
    const d = firstDifference(e[k], a[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

export class VersionSnapshotError extends Error {}

/** What a check found: nothing to do, or outputs to write under UPDATE_FIXTURES=1 (and which fixtures changed). */
export type SnapshotVerdict = { write: false } | { write: true; changed: string[] };

const short = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/**
 * Compares normalized outputs with the stored snapshot. Same id and a changed output: always
 * throws, UPDATE_FIXTURES or not (an id's outputs never change). A new id, a first snapshot,
 * or fixtures added or removed: throws unless `update`, and then says what to write.
 */
export function checkSnapshot(
  name: string,
  id: string,
  outputs: Record<string, unknown>,
  snap: Snapshot | null,
  options: { update?: boolean } = {},
): SnapshotVerdict {
  const update = options.update ?? false;
  if (snap === null) {
    if (update) return { write: true, changed: Object.keys(outputs) };
    throw new VersionSnapshotError(`${name} has no snapshot: run with UPDATE_FIXTURES=1 to record ${id}'s outputs`);
  }
  const changed: string[] = [];
  for (const fixture of Object.keys(outputs)) {
    if (!(fixture in snap.outputs)) continue;
    const d = firstDifference(snap.outputs[fixture], outputs[fixture]);
    if (d === null) continue;
    if (snap.id === id)
      throw new VersionSnapshotError(
        `${name} output changed on fixture ${fixture} while its id stayed ${id}: bump the id in src/analysis/versions.ts, add a changelog line, then UPDATE_FIXTURES=1\n` +
          `  at ${d.path}: ${short(d.expected)} (${snap.id}) → ${short(d.actual)} (now)`,
      );
    changed.push(fixture);
  }
  const added = Object.keys(outputs).filter((f) => !(f in snap.outputs));
  const removed = Object.keys(snap.outputs).filter((f) => !(f in outputs));
  if (snap.id !== id && !update)
    throw new VersionSnapshotError(
      `${name} is now ${id} but its snapshot was made by ${snap.id}: run with UPDATE_FIXTURES=1 to record ${id}'s outputs (review the diff)`,
    );
  if ((added.length > 0 || removed.length > 0) && !update)
    throw new VersionSnapshotError(
      `${name}'s fixtures changed (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}): run with UPDATE_FIXTURES=1`,
    );
  if (snap.id !== id || added.length > 0 || removed.length > 0) return { write: true, changed };
  return { write: false };
}
