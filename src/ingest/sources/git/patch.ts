// One commit's patch, straight from `git show` (against its first parent; renames found),
// cut at a size limit so a huge commit cannot fill memory or a page.
import { git } from './git-cli.js';

export interface CommitPatch {
  /** The unified diff, at most `maxBytes` of it. */
  patch: string;
  /** True when the diff was longer and was cut. */
  truncated: boolean;
}

export async function commitPatch(
  repo: string,
  sha: string,
  opts: { maxBytes: number; paths?: readonly string[] },
): Promise<CommitPatch> {
  const out = await git(repo, [
    'show',
    '--format=',
    '--patch',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '-M',
    '--first-parent',
    '--end-of-options',
    sha,
    '--',
    ...(opts.paths ?? []),
  ]);
  if (Buffer.byteLength(out) <= opts.maxBytes) return { patch: out, truncated: false };
  const cut = Buffer.from(out).subarray(0, opts.maxBytes).toString('utf8');
  return { patch: cut.slice(0, cut.lastIndexOf('\n') + 1), truncated: true };
}
