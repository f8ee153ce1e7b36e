// Who owns a set of files (their CODEOWNERS owners, most files first) and the commits that
// touched them, newest first: what explain and ask say about the people behind some code.
import type { AnswerLine } from '../../model/index.js';
import { identityLabel } from '../identity-hash.js';
import type { AnswerWorld, CommitFact } from './facts.js';

const enc = encodeURIComponent;

/** The folder every path is in (`services/cart/`), or the one path itself. */
function commonPrefix(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0]!;
  let prefix = paths[0] ?? '';
  for (const p of paths) while (!p.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

/** Owners by the number of the files they own, then by name; as stored (emails are keyed hashes). */
export function ownersOf(world: AnswerWorld, paths: readonly string[]): string[] {
  const count = new Map<string, number>();
  for (const p of paths)
    for (const o of world.files.find((f) => f.path === p)?.owners ?? []) count.set(o, (count.get(o) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([o]) => o);
}

/** The owners as one line citing the files API, or null when no rule names the files. */
export function ownersLine(world: AnswerWorld, paths: readonly string[], what: string): AnswerLine | null {
  const owners = ownersOf(world, paths);
  const repo = world.files.find((f) => paths.includes(f.path))?.repository ?? null;
  if (owners.length === 0 || repo === null) return null;
  const p = commonPrefix(paths);
  return {
    text: `owners (CODEOWNERS)${what ? ` of ${what}` : ''}: ${owners.map(identityLabel).join(', ')}`,
    evidence: [
      {
        kind: 'code',
        summary: 'the files with their owners',
        ref: p,
        query: `/api/repos/${enc(repo)}/files?path=${enc(p)}`,
      },
    ],
  };
}

export function commitsTouching(world: AnswerWorld, paths: readonly string[]): CommitFact[] {
  const set = new Set(paths);
  return world.commits.filter((c) => c.files.some((f) => set.has(f))).sort((a, b) => b.at.localeCompare(a.at));
}
