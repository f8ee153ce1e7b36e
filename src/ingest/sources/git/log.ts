// Commits from `git log --numstat`: author, times, full message, parents and the files each
// commit changed, streamed and parsed as git writes them.
import { GitError, gitStream, splitOn } from './git-cli.js';

export interface GitFileChange {
  path: string;
  /** Null for a binary file (numstat prints "-"). */
  additions: number | null;
  deletions: number | null;
}

export interface GitCommit {
  sha: string;
  parents: string[];
  authorName: string;
  /** As git has it; callers hash it before storing (emails are personal data). */
  authorEmail: string;
  authoredAt: Date;
  committedAt: Date;
  message: string;
  /** Empty for merges: like `git log`, the diff of a merge is not counted. */
  files: GitFileChange[];
}

// Each commit is RS, then the fields separated by US, then a final US. With -z the format is
// NUL-terminated and every numstat entry ("add<TAB>del<TAB>path") ends in NUL; the first entry
// of a commit starts with a newline. Commit messages cannot contain NUL, paths neither, so NUL
// splits the stream unambiguously; the message is the last field, so a US inside it is harmless.
const RS = '\x1e';
const US = '\x1f';
export const LOG_FORMAT = `--format=${RS}%H${US}%P${US}%an${US}%ae${US}%aI${US}%cI${US}%B${US}`;
const HEADER_FIELDS = 6;

function parseHeader(token: string): GitCommit {
  const fields: string[] = [];
  let start = 1;
  for (let i = 0; i < HEADER_FIELDS; i++) {
    const end = token.indexOf(US, start);
    if (end === -1)
      throw new GitError(`unexpected git log output near ${JSON.stringify(token.slice(0, 80))}`, 'failed');
    fields.push(token.slice(start, end));
    start = end + 1;
  }
  const [sha, parents, authorName, authorEmail, authoredAt, committedAt] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const message = token.endsWith(US) ? token.slice(start, -1) : token.slice(start);
  return {
    sha,
    parents: parents ? parents.split(' ') : [],
    authorName,
    authorEmail,
    authoredAt: new Date(authoredAt),
    committedAt: new Date(committedAt),
    message: message.replace(/\n+$/, ''),
    files: [],
  };
}

function parseNumstat(token: string): GitFileChange | null {
  const entry = token.startsWith('\n') ? token.slice(1) : token;
  const t1 = entry.indexOf('\t');
  const t2 = t1 === -1 ? -1 : entry.indexOf('\t', t1 + 1);
  if (t2 === -1) return null;
  const add = entry.slice(0, t1);
  const del = entry.slice(t1 + 1, t2);
  return {
    path: entry.slice(t2 + 1),
    additions: add === '-' ? null : Number(add),
    deletions: del === '-' ? null : Number(del),
  };
}

/** Parses the NUL-separated tokens of `git log -z --numstat` run with LOG_FORMAT. */
export async function* parseLog(tokens: AsyncIterable<string> | Iterable<string>): AsyncGenerator<GitCommit> {
  let current: GitCommit | null = null;
  for await (const token of tokens) {
    if (token.startsWith(RS)) {
      if (current) yield current;
      current = parseHeader(token);
    } else if (current && token !== '' && token !== '\n') {
      const change = parseNumstat(token);
      if (change) current.files.push(change);
    }
  }
  if (current) yield current;
}

export interface LogRange {
  /** The newest commit to read (the HEAD being synced). */
  head: string;
  /** Commits reachable from this one are left out (the previously synced head). */
  exclude?: string | null;
}

function checkRev(rev: string): string {
  if (!/^[0-9a-f]{4,64}$/i.test(rev)) throw new GitError(`not a commit id: ${JSON.stringify(rev)}`, 'failed');
  return rev;
}

/** Streams the commits of `exclude..head`, newest first. */
export function readLog(repo: string, range: LogRange): AsyncGenerator<GitCommit> {
  const revs = range.exclude ? [`^${checkRev(range.exclude)}`, checkRev(range.head)] : [checkRev(range.head)];
  const args = [
    'log',
    '--numstat',
    '-z',
    '--no-renames',
    '--no-ext-diff',
    '--no-textconv',
    '--no-color',
    LOG_FORMAT,
    '--end-of-options',
    ...revs,
    '--',
  ];
  return parseLog(splitOn(gitStream(repo, args), 0));
}
