// How many commits a sync will read (`git rev-list --count`), so progress can show a total.
import { GitError, git } from './git-cli.js';

export async function countCommits(repo: string, range: { head: string; exclude?: string | null }): Promise<number> {
  for (const rev of [range.head, range.exclude]) {
    if (rev && !/^[0-9a-f]{4,64}$/i.test(rev)) throw new GitError(`not a commit id: ${JSON.stringify(rev)}`, 'failed');
  }
  const revs = range.exclude ? [range.head, `^${range.exclude}`] : [range.head];
  return Number((await git(repo, ['rev-list', '--count', '--end-of-options', ...revs, '--'])).trim()) || 0;
}
