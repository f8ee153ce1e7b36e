// Where a repository is and what its HEAD is: the checks `repo add` and every sync start with.
import { resolve } from 'node:path';
import { GitError, checkDirectory, git } from './git-cli.js';

export interface RepositoryHead {
  /** The top-level folder of the working tree (a sub-folder given by the user resolves to it). */
  root: string;
  /** The commit HEAD points at. */
  head: string;
  /** The checked-out branch, or null when HEAD is detached. */
  branch: string | null;
}

/** Validates `path` as a git working tree with at least one commit, and reads its HEAD. */
export async function openRepository(path: string): Promise<RepositoryHead> {
  const abs = resolve(path);
  checkDirectory(abs);
  const root = (await git(abs, ['rev-parse', '--show-toplevel'])).trim();
  if (!root)
    throw new GitError(`${abs} is a bare repository; Orrery reads a working tree (clone it first)`, 'not-a-repository');
  const head = await headCommit(root);
  const branch = (await git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return { root, head, branch: branch && branch !== 'HEAD' ? branch : null };
}

export async function headCommit(repo: string): Promise<string> {
  try {
    return (await git(repo, ['rev-parse', '--verify', '--end-of-options', 'HEAD^{commit}'])).trim();
  } catch (err) {
    if (err instanceof GitError && err.kind === 'failed')
      throw new GitError(`${repo} has no commits yet`, 'empty-repository');
    throw err;
  }
}

/** True when `sha` names a commit in the repository (a synced head can vanish after a force-push and gc). */
export async function commitExists(repo: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{4,64}$/i.test(sha)) return false;
  try {
    await git(repo, ['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch (err) {
    if (err instanceof GitError && err.kind === 'failed') return false;
    throw err;
  }
}
