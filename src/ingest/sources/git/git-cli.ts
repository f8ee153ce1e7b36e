// Runs the git CLI on a repository: argument arrays and no shell, `git -C <path>`, output
// either collected (small) or streamed as chunks (logs, trees, blobs), and errors that say
// what went wrong ("not a git repository", a missing path, git not installed).
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';

export type GitErrorKind =
  | 'missing-path'
  | 'not-a-directory'
  | 'not-a-repository'
  | 'dubious-ownership'
  | 'git-missing'
  | 'empty-repository'
  | 'bad-range'
  | 'failed';

export class GitError extends Error {
  constructor(
    message: string,
    readonly kind: GitErrorKind,
  ) {
    super(message);
  }
}

// Settings that make the output machine-readable whatever the user's config says, and keep a
// repository's own config from running programs (none of the commands used needs one).
const FIXED_CONFIG = [
  '-c',
  'core.quotePath=false',
  '-c',
  'color.ui=false',
  '-c',
  'i18n.logOutputEncoding=UTF-8',
  '-c',
  'log.showSignature=false',
  '-c',
  'core.fsmonitor=false',
];

/** Environment for git: no prompts, no pager, C locale for messages we match on. */
function gitEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    LC_ALL: 'C',
    GIT_OPTIONAL_LOCKS: '0',
  };
}

/** Throws a GitError when `path` does not exist or is not a directory. */
export function checkDirectory(path: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new GitError(`${path} does not exist`, 'missing-path');
  }
  if (!isDir) throw new GitError(`${path} is not a directory`, 'not-a-directory');
}

function classify(repo: string, args: readonly string[], code: number | null, stderr: string): GitError {
  const msg = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
  if (/not a git repository/i.test(stderr))
    return new GitError(`${repo} is not a git repository (or any of its parents)`, 'not-a-repository');
  if (/dubious ownership/i.test(stderr)) {
    return new GitError(
      `git refuses to read ${repo}: it belongs to another user than the one running Orrery (allow it with \`git config --global --add safe.directory ${repo}\`)`,
      'dubious-ownership',
    );
  }
  if (
    /does not have any commits yet|ambiguous argument 'HEAD'|unknown revision.*HEAD|bad default revision 'HEAD'/i.test(
      stderr,
    )
  ) {
    return new GitError(`${repo} has no commits yet`, 'empty-repository');
  }
  return new GitError(
    `git ${args.slice(0, 2).join(' ')} failed in ${repo} (exit ${code}): ${msg || 'no message'}`,
    'failed',
  );
}

function spawnGit(repo: string, args: readonly string[]) {
  const child = spawn('git', [...FIXED_CONFIG, '-C', repo, ...args], {
    env: gitEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 64 * 1024) stderr += d;
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new GitError('git is not installed (or not on PATH); install it, e.g. apt-get install git', 'git-missing')
          : err,
      );
    });
    child.once('close', (code) => (code === 0 ? resolve() : reject(classify(repo, args, code, stderr))));
  });
  // A rejection nobody awaits yet (the caller is still reading stdout) must not crash the process.
  done.catch(() => {});
  return { child, done };
}

/** Runs git and returns its whole stdout (for small outputs). */
export async function git(repo: string, args: readonly string[], opts: { input?: string } = {}): Promise<string> {
  const { child, done } = spawnGit(repo, args);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stdin.on('error', () => {}); // git may exit before reading all input; the exit code tells
  child.stdin.end(opts.input ?? '');
  await done;
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs git and yields its stdout in chunks as they arrive, so that a large output (the log
 * of a big repository) is parsed while git is still writing it. Throws after the last chunk
 * when git failed.
 */
export async function* gitStream(repo: string, args: readonly string[]): AsyncGenerator<Buffer> {
  const { child, done } = spawnGit(repo, args);
  child.stdin.end();
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    await done;
  } finally {
    // The consumer stopped early (break or an error): don't leave git running.
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** A long-running git process fed on stdin (cat-file --batch); the caller drives both ends. */
export function gitProcess(repo: string, args: readonly string[]) {
  return spawnGit(repo, args);
}

/**
 * Splits a byte stream on a separator byte (NUL for -z output), yielding each complete
 * piece decoded as UTF-8. The last piece is yielded even without a trailing separator.
 */
export async function* splitOn(chunks: AsyncIterable<Buffer>, separator: number): AsyncGenerator<string> {
  let rest: Buffer | null = null;
  for await (const chunk of chunks) {
    let buf: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let i = buf.indexOf(separator, start); i !== -1; i = buf.indexOf(separator, start)) {
      yield buf.toString('utf8', start, i);
      start = i + 1;
    }
    buf = buf.subarray(start);
    rest = buf.length ? Buffer.from(buf) : null;
  }
  if (rest?.length) yield rest.toString('utf8');
}
