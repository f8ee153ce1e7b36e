// One commit as a person reviews it: what the index knows of it (author, message, files
// with their line counts) and its patch from git, cut at MAX_PATCH_BYTES.
import { GitError, commitPatch } from '../ingest/sources/git/index.js';
import type { CommitDetail } from '../model/index.js';
import { codeStore } from '../store/index.js';
import type { Context } from './context.js';
import { RepoInputError, RepoNotFoundError, getRepository } from './repo-sync.js';

export const MAX_PATCH_BYTES = 512 * 1024;

export type { CommitDetail } from '../model/index.js';

export async function commitDetail(ctx: Context, repositoryName: string, sha: string): Promise<CommitDetail> {
  if (!/^[0-9a-f]{4,64}$/i.test(sha)) throw new RepoInputError(`"${sha}" is not a commit sha (4 to 64 hex digits)`);
  const repository = await getRepository(ctx, repositoryName);
  const commit = await codeStore.findCommit(ctx.store.db, repository.id, sha);
  if (!commit) throw new RepoNotFoundError(`no indexed commit ${sha} in repository "${repository.name}"`);
  try {
    const { patch, truncated } = await commitPatch(repository.path, commit.sha, { maxBytes: MAX_PATCH_BYTES });
    return { repository: repository.name, commit, patch, truncated };
  } catch (err) {
    // The index outlives the working tree (a force-push and gc, a moved checkout): say so.
    if (err instanceof GitError && err.kind !== 'git-missing')
      throw new RepoNotFoundError(
        `commit ${commit.sha.slice(0, 12)} is indexed but git cannot show it in ${repository.path}: ${err.message}`,
      );
    throw err;
  }
}
