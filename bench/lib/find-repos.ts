// Finds git working trees on this machine (a few likely roots, limited depth, no
// node_modules) and counts their tracked files, for benchmarks that need a real repository.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export interface FoundRepo {
  path: string;
  trackedFiles: number;
}

export const SEARCH_ROOTS = ['/work', '/usr/src', '/opt', '/root', '/srv', '/home', os.homedir()];
const SKIP = new Set(['node_modules', '.cache', '.npm', 'proc', 'sys', '.orrery', 'dist', 'build']);

function findWorkTrees(root: string, depth: number, out: Set<string>): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  if (entries.some((e) => e.name === '.git')) out.add(root);
  if (depth === 0) return;
  for (const e of entries) {
    if (!e.isDirectory() || e.name === '.git' || SKIP.has(e.name)) continue;
    findWorkTrees(join(root, e.name), depth - 1, out);
  }
}

/** Tracked files at HEAD, or -1 when git cannot read the repository. */
export function trackedFiles(path: string): number {
  try {
    const out = execFileSync('git', ['-C', path, 'ls-tree', '-r', '-z', '--name-only', 'HEAD'], {
      maxBuffer: 512 * 1024 * 1024,
    });
    let n = 0;
    for (const b of out) if (b === 0) n++;
    return n;
  } catch {
    return -1;
  }
}

/** Work trees under the roots (depth ≤ `maxDepth`), largest first. */
export function findRepos(opts: { roots?: string[]; maxDepth?: number } = {}): FoundRepo[] {
  const found = new Set<string>();
  for (const root of new Set(opts.roots ?? SEARCH_ROOTS))
    if (existsSync(root)) findWorkTrees(root, opts.maxDepth ?? 4, found);
  return [...found]
    .map((path) => ({ path, trackedFiles: trackedFiles(path) }))
    .filter((r) => r.trackedFiles > 0)
    .sort((a, b) => b.trackedFiles - a.trackedFiles);
}
