// What review@1 reads from the code's text beside the parsed units: the loaded files at head
// (for the loops that call another service once per item), and the nested reads whose path the
// change altered, with whether the repository's own code (tests left out) writes each key.
import {
  type ReadPathChange,
  type ReviewChangedFacts,
  isTestPath,
  languageOf,
  readPathChanges,
  writesKey,
} from '../analysis/index.js';
import { type TreeEntry, grepFiles, readBlobs } from '../ingest/sources/git/index.js';
import type { FileDiff } from '../analysis/index.js';

/** The text of these paths at one revision's tree. */
export async function textsAt(
  root: string,
  tree: readonly TreeEntry[],
  paths: ReadonlySet<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = tree.filter((e) => paths.has(e.path));
  const bySha = new Map<string, string[]>();
  for (const e of entries) bySha.set(e.sha, [...(bySha.get(e.sha) ?? []), e.path]);
  for await (const b of readBlobs(root, [...bySha.keys()])) {
    for (const p of bySha.get(b.sha) ?? []) out.set(p, b.content.toString('utf8'));
  }
  return out;
}

export type UnwrittenRead = ReadPathChange & { unwritten: string[] };

/**
 * Per changed symbol id (`path name`), the reads whose path it changed to keys no code here
 * writes, while every key of the path it replaced is written here.
 */
export async function unwrittenReads(
  root: string,
  head: string,
  trees: { base: readonly TreeEntry[]; head: readonly TreeEntry[] },
  diff: readonly FileDiff[],
  changed: readonly ReviewChangedFacts[],
): Promise<Map<string, UnwrittenRead[]>> {
  const code = diff.filter((d) => d.oldPath && d.newPath && languageOf(d.newPath) && !isTestPath(d.newPath));
  if (code.length === 0) return new Map();
  const [before, after] = await Promise.all([
    textsAt(root, trees.base, new Set(code.map((d) => d.oldPath!))),
    textsAt(root, trees.head, new Set(code.map((d) => d.newPath!))),
  ]);
  const candidates = new Map<string, ReadPathChange[]>();
  for (const c of changed) {
    const d = code.find((x) => x.newPath === c.path);
    if (!d || !c.head) continue;
    const oldLines = before.get(d.oldPath!)?.split('\n') ?? [];
    const newLines = after.get(d.newPath!)?.split('\n') ?? [];
    const removed: Array<{ line: number; text: string }> = [];
    const added: Array<{ line: number; text: string }> = [];
    for (const h of d.hunks) {
      // What it replaced may have stood in another unit of the file (a helper the change removed).
      for (let n = h.oldStart; n < h.oldStart + h.oldCount; n++) removed.push({ line: n, text: oldLines[n - 1] ?? '' });
      for (let n = h.newStart; n < h.newStart + h.newCount; n++)
        if (n >= c.head.startLine && n <= c.head.endLine) added.push({ line: n, text: newLines[n - 1] ?? '' });
    }
    const found = readPathChanges({ removed, added });
    if (found.length) candidates.set(`${c.path} ${c.name}`, found);
  }
  if (candidates.size === 0) return new Map();

  // Which keys the repository's own code writes, outside tests.
  const keys = [...new Set([...candidates.values()].flat().flatMap((r) => [...r.newKeys, ...r.replaced.split('.')]))];
  const files = (await grepFiles(root, head, keys)).filter((p) => languageOf(p) && !isTestPath(p));
  const texts = await textsAt(root, trees.head, new Set(files));
  const lines = [...texts.values()].flatMap((t) => t.split('\n'));
  const written = new Map(keys.map((k) => [k, lines.some((l) => writesKey(l, k))]));
  const out = new Map<string, UnwrittenRead[]>();
  for (const [id, list] of candidates) {
    const kept = list
      .filter((r) => r.replaced.split('.').every((k) => written.get(k)))
      .map((r) => ({ ...r, unwritten: r.newKeys.filter((k) => !written.get(k)) }))
      .filter((r) => r.unwritten.length > 0);
    if (kept.length) out.set(id, kept);
  }
  return out;
}
