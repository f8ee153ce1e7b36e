// What a change between two commits is: a revision resolved to its commit, the `-U0` diff
// (hunk headers are all the blast radius reads), and which files at a revision mention some
// names (`git grep -w`), so only those are parsed when walking up to callers.
import { GitError, git } from './git-cli.js';

/** Rejects what could be read as an option or is not a revision at all. */
const REVISION = /^(?!-)[\w./~^@{}:+-]{1,256}$/;

/** The commit a revision names (full SHA), or a GitError of kind `bad-range`. */
export async function resolveCommit(repo: string, rev: string): Promise<string> {
  if (!REVISION.test(rev) || rev.includes('..')) throw new GitError(`"${rev}" is not a revision`, 'bad-range');
  try {
    return (await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim();
  } catch (err) {
    if (err instanceof GitError && err.kind === 'failed')
      throw new GitError(`no commit "${rev}" in ${repo}`, 'bad-range');
    throw err;
  }
}

/** The first parent of a commit, or null for a root commit. */
export async function firstParent(repo: string, sha: string): Promise<string | null> {
  const out = (await git(repo, ['rev-list', '--parents', '-n', '1', '--end-of-options', sha])).trim().split(' ');
  return out[1] ?? null;
}

/** `git diff -U0 -M base head`: renames found, no context lines, no external diff or textconv. */
export async function diffZeroContext(repo: string, base: string, head: string): Promise<string> {
  return git(repo, [
    'diff',
    '-U0',
    '-M',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--submodule=short',
    '--end-of-options',
    base,
    head,
    '--',
  ]);
}

/**
 * The paths at `rev` (among `paths`, when given) that hold one of `names` as a whole word.
 * Names are fixed strings; an empty list finds nothing.
 */
export async function grepFiles(
  repo: string,
  rev: string,
  names: readonly string[],
  paths?: readonly string[],
): Promise<string[]> {
  const words = [...new Set(names.filter((n) => /^[\w$]{2,200}$/.test(n)))];
  if (words.length === 0) return [];
  const out = new Set<string>();
  // Many names at once go through -f (a pattern per line on stdin).
  if (!/^[0-9a-f]{4,64}$/i.test(rev)) throw new GitError(`not a commit id: ${JSON.stringify(rev)}`, 'failed');
  const args = ['grep', '-l', '-I', '-w', '-F', '-f', '-', rev, '--', ...(paths ?? [])];
  let text: string;
  try {
    text = await git(repo, args, { input: `${words.join('\n')}\n` });
  } catch (err) {
    // git grep exits 1 when nothing matched.
    if (err instanceof GitError && /exit 1\)/.test(err.message)) return [];
    throw err;
  }
  const prefix = `${rev}:`;
  for (const line of text.split('\n')) {
    if (!line) continue;
    out.add(line.startsWith(prefix) ? line.slice(prefix.length) : line);
  }
  return [...out];
}
