// Blame on demand: who last changed each line of a range, at the repository's synced head
// (so that line numbers agree with the stored symbols), straight from `git blame`.
import { GitError, blameRange, headCommit } from '../ingest/sources/git/index.js';
import type { BlameResult } from '../model/index.js';
import type { Context } from './context.js';
import { RepoInputError, RepoNotFoundError, getRepository } from './repo-sync.js';

/** The most lines one blame returns. */
export const MAX_BLAME_LINES = 5000;

export interface BlameInput {
  repository: string;
  path: string;
  startLine: number;
  endLine: number;
}

export type { BlameResult } from '../model/index.js';

export async function blame(ctx: Context, input: BlameInput): Promise<BlameResult> {
  const { startLine, endLine } = input;
  if (!Number.isInteger(startLine) || !Number.isInteger(endLine) || startLine < 1 || endLine < startLine) {
    throw new RepoInputError(`line range ${startLine},${endLine}: give 1 <= start <= end`);
  }
  if (endLine - startLine + 1 > MAX_BLAME_LINES) throw new RepoInputError(`at most ${MAX_BLAME_LINES} lines per blame`);
  const path = input.path.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (!path || path.split('/').includes('..'))
    throw new RepoInputError(`path "${input.path}" must be a file inside the repository`);
  const repository = await getRepository(ctx, input.repository);
  try {
    const rev = repository.headSha ?? (await headCommit(repository.path));
    const lines = await blameRange(repository.path, path, { rev, startLine, endLine });
    return { repository: repository.name, path, rev, lines };
  } catch (err) {
    if (err instanceof GitError) {
      if (err.kind === 'missing-path') throw new RepoNotFoundError(err.message);
      if (err.kind === 'bad-range') throw new RepoInputError(err.message);
      if (err.kind !== 'failed' && err.kind !== 'git-missing')
        throw new RepoInputError(`repository "${repository.name}" at ${repository.path}: ${err.message}`);
    }
    throw err;
  }
}
