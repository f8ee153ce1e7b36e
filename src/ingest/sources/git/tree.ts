// The files of a commit with their blob ids and sizes (`git ls-tree -r -l`): how a sync
// tells changed files from unchanged ones without reading them.
//
// This reads the committed tree of the synced commit rather than the index (`ls-files -s`):
// the index can hold staged, uncommitted changes, and what Orrery stores must match the
// commit it records as synced (blame, deploys and commit ranges all refer to commits).
import { GitError, gitStream, splitOn } from './git-cli.js';

export interface TreeEntry {
  path: string;
  /** The blob id: equal ids mean equal contents. */
  sha: string;
  size: number;
  /** '100644', '100755' or '120000' (a symbolic link, whose blob is the link target). */
  mode: string;
}

/** Parses one NUL-terminated `ls-tree -l` record; submodules (type commit) give null. */
export function parseTreeEntry(record: string): TreeEntry | null {
  const tab = record.indexOf('\t');
  if (tab === -1) return null;
  const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
  if (type !== 'blob' || !mode || !sha) return null;
  return { path: record.slice(tab + 1), sha, size: Number(size) || 0, mode };
}

/** Every blob in the tree of `rev`, in git's path order. */
export async function listTree(repo: string, rev: string): Promise<TreeEntry[]> {
  if (!/^[0-9a-f]{4,64}$/i.test(rev)) throw new GitError(`not a commit id: ${JSON.stringify(rev)}`, 'failed');
  const out: TreeEntry[] = [];
  for await (const record of splitOn(gitStream(repo, ['ls-tree', '-r', '-z', '-l', '--full-tree', rev]), 0)) {
    const e = parseTreeEntry(record);
    if (e) out.push(e);
  }
  return out;
}
