// Reads many blobs through one `git cat-file --batch` process: the contents of the synced
// commit's files as committed (not the working tree, which may hold uncommitted edits).
import { GitError, gitProcess } from './git-cli.js';

export interface Blob {
  sha: string;
  content: Buffer;
}

/**
 * Parses `cat-file --batch` output: for each requested id, "<id> blob <size>\n<bytes>\n", or
 * "<id> missing\n" (yielded with a null content).
 */
export async function* parseBatch(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<{ sha: string; content: Buffer | null }> {
  let buf: Buffer = Buffer.alloc(0);
  let want: { sha: string; size: number } | null = null;
  for await (const chunk of chunks) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (!want) {
        const nl = buf.indexOf(10);
        if (nl === -1) break;
        const header = buf.toString('utf8', 0, nl);
        buf = buf.subarray(nl + 1);
        const [sha, type, size] = header.split(' ');
        if (!sha) continue;
        if (type === 'missing' || type === 'ambiguous' || size === undefined) {
          yield { sha, content: null };
          continue;
        }
        want = { sha, size: Number(size) };
      }
      if (buf.length < want.size + 1) break;
      // Copy out, so that a kept blob does not pin the whole chunk it arrived in.
      const content = Buffer.from(buf.subarray(0, want.size));
      buf = buf.subarray(want.size + 1);
      const sha = want.sha;
      want = null;
      yield { sha, content };
    }
  }
  if (want) throw new GitError(`git cat-file ended in the middle of blob ${want.sha}`, 'failed');
}

/** Yields the contents of `shas`, in order; an id git does not have is an error. */
export async function* readBlobs(repo: string, shas: readonly string[]): AsyncGenerator<Blob> {
  if (shas.length === 0) return;
  const { child, done } = gitProcess(repo, ['cat-file', '--batch']);
  child.stdin.on('error', () => {}); // EPIPE when git dies; `done` reports why
  // One write per batch of ids; cat-file answers in order and keeps reading while we read.
  const BATCH = 2000;
  let i = 0;
  const feed = () => {
    while (i < shas.length) {
      const part = shas.slice(i, i + BATCH);
      i += part.length;
      if (!child.stdin.write(`${part.join('\n')}\n`)) return void child.stdin.once('drain', feed);
    }
    child.stdin.end();
  };
  feed();
  try {
    for await (const b of parseBatch(child.stdout as AsyncIterable<Buffer>)) {
      if (b.content === null) throw new GitError(`blob ${b.sha} is missing from the repository ${repo}`, 'failed');
      yield { sha: b.sha, content: b.content };
    }
    await done;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
