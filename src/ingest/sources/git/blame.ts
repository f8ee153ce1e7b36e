// `git blame --porcelain` for a line range: which commit last changed each line, by whom
// and when. Run on demand, never stored.
import type { BlameLine } from '../../../model/index.js';
import { GitError, git } from './git-cli.js';

// The shape is the API's (model/code-api.ts); re-exported for this folder's callers.
export type { BlameLine } from '../../../model/index.js';

interface CommitInfo {
  authorName: string;
  authorTime: Date;
  summary: string;
  path: string;
}

/** Parses porcelain output; commit details appear only the first time a commit is named. */
export function parseBlamePorcelain(out: string): BlameLine[] {
  const commits = new Map<string, CommitInfo>();
  const lines: BlameLine[] = [];
  let cur: { sha: string; orig: number; final: number; info: Partial<CommitInfo> } | null = null;
  for (const raw of out.split('\n')) {
    if (cur === null) {
      const m = /^([0-9a-f]{40,64}) (\d+) (\d+)/.exec(raw);
      if (m) cur = { sha: m[1]!, orig: Number(m[2]), final: Number(m[3]), info: { ...commits.get(m[1]!) } };
      continue;
    }
    if (raw.startsWith('\t')) {
      const known = commits.get(cur.sha);
      const info: CommitInfo = {
        authorName: cur.info.authorName ?? known?.authorName ?? '',
        authorTime: cur.info.authorTime ?? known?.authorTime ?? new Date(0),
        summary: cur.info.summary ?? known?.summary ?? '',
        path: cur.info.path ?? known?.path ?? '',
      };
      commits.set(cur.sha, info);
      lines.push({
        line: cur.final,
        originalLine: cur.orig,
        sha: cur.sha,
        authorName: info.authorName,
        authorTime: info.authorTime,
        summary: info.summary,
        originalPath: info.path,
        text: raw.slice(1),
      });
      cur = null;
      continue;
    }
    const sp = raw.indexOf(' ');
    const key = sp === -1 ? raw : raw.slice(0, sp);
    const value = sp === -1 ? '' : raw.slice(sp + 1);
    if (key === 'author') cur.info.authorName = value;
    else if (key === 'author-time') cur.info.authorTime = new Date(Number(value) * 1000);
    else if (key === 'summary') cur.info.summary = value;
    else if (key === 'filename') cur.info.path = value;
  }
  return lines;
}

export interface BlameOptions {
  /** The commit to blame at (the synced head, so line numbers match the stored symbols). */
  rev: string;
  startLine: number;
  endLine: number;
  /**
   * Blame only the commits after this one (`since..rev`): older lines are attributed to it (a
   * boundary) without walking further back, which in a long history is most of blame's work.
   */
  since?: string;
}

export async function blameRange(repo: string, path: string, opts: BlameOptions): Promise<BlameLine[]> {
  if (!/^[0-9a-f]{4,64}$/i.test(opts.rev)) throw new GitError(`not a commit id: ${JSON.stringify(opts.rev)}`, 'failed');
  if (opts.since !== undefined && !/^[0-9a-f]{4,64}$/i.test(opts.since))
    throw new GitError(`not a commit id: ${JSON.stringify(opts.since)}`, 'failed');
  const args = [
    'blame',
    '--porcelain',
    '-L',
    `${opts.startLine},${opts.endLine}`,
    opts.since ? `${opts.since}..${opts.rev}` : opts.rev,
    '--',
    path,
  ];
  try {
    return parseBlamePorcelain(await git(repo, args));
  } catch (err) {
    if (err instanceof GitError && err.kind === 'failed') {
      if (/no such path/i.test(err.message))
        throw new GitError(`${path} is not in commit ${opts.rev.slice(0, 12)}`, 'missing-path');
      const only = /has only (\d+) lines?/i.exec(err.message);
      if (only)
        throw new GitError(
          `${path} has only ${only[1]} lines; ${opts.startLine}-${opts.endLine} is outside it`,
          'bad-range',
        );
      if (/invalid -L|-L range/i.test(err.message))
        throw new GitError(`bad line range ${opts.startLine},${opts.endLine}`, 'bad-range');
    }
    throw err;
  }
}
