// The git the GitOps executor runs: reads at a commit, and changes made in a temporary worktree
// so the repository's own checkout is never touched. Every command is the git CLI.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ExecutorError } from '../../executor.js';

const run = promisify(execFile);

export const AUTHOR = { name: 'Orrery', email: 'orrery@localhost' };

export async function git(cwd: string, args: readonly string[], opts: { okCodes?: number[] } = {}): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
    });
    return stdout;
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.code === 'number' && opts.okCodes?.includes(e.code)) return e.stdout ?? '';
    throw new ExecutorError(`git ${args.join(' ')} failed in ${cwd}: ${(e.stderr || e.message).trim().slice(0, 500)}`);
  }
}

const identity = (a = AUTHOR) => ['-c', `user.name=${a.name}`, '-c', `user.email=${a.email}`];

export async function headBranch(repo: string): Promise<string> {
  return (await git(repo, ['symbolic-ref', '--short', 'HEAD'])).trim();
}

export async function revParse(repo: string, ref: string): Promise<string | null> {
  const out = await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okCodes: [1] });
  return out.trim() || null;
}

/** Manifest-like files at `ref` under `dir` ('' for the whole tree), with their text. */
export async function readManifests(
  repo: string,
  ref: string,
  dir: string,
  max = 500,
): Promise<Array<{ path: string; text: string }>> {
  const names = (await git(repo, ['ls-tree', '-r', '--name-only', ref, '--', ...(dir ? [dir] : [])]))
    .split('\n')
    .filter((p) => /\.(ya?ml|tfvars)$/.test(p))
    .slice(0, max);
  return Promise.all(names.map(async (path) => ({ path, text: await git(repo, ['show', `${ref}:${path}`]) })));
}

/** A unified diff of each file's before and after, as `git diff` prints it (paths a/… and b/…). */
export async function unifiedDiff(
  files: ReadonlyArray<{ path: string; before: string; after: string }>,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'orrery-diff-'));
  try {
    const parts: string[] = [];
    for (const f of files) {
      for (const [side, text] of [
        ['a', f.before],
        ['b', f.after],
      ] as const) {
        const p = join(dir, side, f.path);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, text);
      }
      parts.push(
        await git(dir, ['diff', '--no-index', '--no-color', '--no-prefix', '-U3', '--', `a/${f.path}`, `b/${f.path}`], {
          okCodes: [1],
        }),
      );
    }
    return parts.join('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` in a new worktree of `repo` at `ref` (on a new `branch` when given, else detached),
 * then removes the worktree; the branch and its commits stay in the repository.
 */
export async function inWorktree<T>(
  repo: string,
  ref: string,
  branch: string | null,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = join(mkdtempSync(join(tmpdir(), 'orrery-gitops-')), 'tree');
  await git(repo, ['worktree', 'add', '--quiet', ...(branch ? ['-b', branch] : ['--detach']), dir, ref]);
  try {
    return await fn(dir);
  } finally {
    await git(repo, ['worktree', 'remove', '--force', dir]).catch(() => {});
    rmSync(dirname(dir), { recursive: true, force: true });
  }
}

export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, ['add', '-A']);
  await git(dir, [...identity(), 'commit', '--quiet', '-m', message]);
  return (await git(dir, ['rev-parse', 'HEAD'])).trim();
}

/** `git revert` of `sha` in `dir` (committing unless `noCommit`); a conflict aborts and throws. */
export async function revert(
  dir: string,
  sha: string,
  opts: { noCommit?: boolean; trailer?: string } = {},
): Promise<void> {
  try {
    await git(dir, [...identity(), 'revert', '--no-edit', ...(opts.noCommit ? ['--no-commit'] : []), sha]);
  } catch (err) {
    await git(dir, ['revert', '--abort'], { okCodes: [128] }).catch(() => {});
    throw new ExecutorError(`git revert ${sha.slice(0, 10)} does not apply cleanly: ${(err as Error).message}`);
  }
  if (!opts.noCommit && opts.trailer) {
    const msg = (await git(dir, ['log', '-1', '--format=%B'])).trimEnd();
    await git(dir, [...identity(), 'commit', '--quiet', '--amend', '-m', `${msg}\n\n${opts.trailer}`]);
  }
}

/** The commit message of `ref`'s tip. */
export async function messageOf(repo: string, ref: string): Promise<string> {
  return git(repo, ['log', '-1', '--format=%B', ref]);
}

/** The sha `remote` has for `branch`, or null. */
export async function remoteHead(repo: string, remote: string, branch: string): Promise<string | null> {
  const out = await git(repo, ['ls-remote', remote, `refs/heads/${branch}`]);
  return out.split('\t')[0]?.trim() || null;
}

export async function push(repo: string, remote: string, branch: string): Promise<void> {
  await git(repo, ['push', '--quiet', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}
