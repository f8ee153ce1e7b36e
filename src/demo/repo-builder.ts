// Builds the example shop's git repository from its history: one directory per commit
// (commit.json + the full new content of each file it adds or changes), applied in order
// with the author and date each one names, and tagged as it says.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

const culprit = z.object({
  scenario: z.string().min(1),
  file: z.string().min(1),
  function: z.string().min(1).nullable(),
});

const commitSchema = z.object({
  author: z.string().regex(/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/, 'must look like "Name <email>"'),
  message: z.string().trim().min(1),
  hoursAgo: z.number().nonnegative(),
  delete: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().regex(/^[\w.-]+\/v\d+\.\d+\.\d+$/, 'must look like <service>/v1.2.3')).optional(),
  culprit: culprit.optional(),
});

export type Culprit = z.output<typeof culprit>;

export interface HistoryCommit {
  /** The directory name, e.g. "07-cart-line-items". */
  id: string;
  authorName: string;
  authorEmail: string;
  message: string;
  hoursAgo: number;
  /** Repository paths this commit writes (full content under files/). */
  files: string[];
  delete: string[];
  tags: string[];
  culprit: Culprit | null;
}

export interface BuiltCommit extends HistoryCommit {
  sha: string;
  at: string;
}

export interface BuiltRepo {
  dir: string;
  commits: BuiltCommit[];
  /** Tag → commit SHA. */
  tags: Map<string, string>;
  head: string;
}

export class HistoryError extends Error {}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}

/** Reads and checks the history: commit order, dates that only move forward, unique tags. */
export function readHistory(historyDir: string): HistoryCommit[] {
  if (!existsSync(historyDir)) throw new HistoryError(`no shop history at ${historyDir}`);
  const dirs = readdirSync(historyDir)
    .filter((d) => /^\d+-/.test(d) && statSync(join(historyDir, d)).isDirectory())
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  if (dirs.length === 0) throw new HistoryError(`${historyDir} holds no commit directories (NN-name/commit.json)`);
  const seenTags = new Set<string>();
  const commits = dirs.map((id) => {
    const file = join(historyDir, id, 'commit.json');
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new HistoryError(`${file}: ${(err as Error).message}`);
    }
    const parsed = commitSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HistoryError(`${file}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
    }
    const c = parsed.data;
    const [, name, email] = /^(.+?) <(.+)>$/.exec(c.author)!;
    for (const t of c.tags ?? []) {
      if (seenTags.has(t)) throw new HistoryError(`${file}: tag ${t} is used twice`);
      seenTags.add(t);
    }
    return {
      id,
      authorName: name!,
      authorEmail: email!,
      message: c.message,
      hoursAgo: c.hoursAgo,
      files: listFiles(join(historyDir, id, 'files')),
      delete: c.delete ?? [],
      tags: c.tags ?? [],
      culprit: c.culprit ?? null,
    };
  });
  for (let i = 1; i < commits.length; i++) {
    if (commits[i]!.hoursAgo > commits[i - 1]!.hoursAgo) {
      throw new HistoryError(
        `${commits[i]!.id}: hoursAgo ${commits[i]!.hoursAgo} is earlier than the commit before it`,
      );
    }
  }
  return commits;
}

async function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run('git', args, {
      cwd: dir,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('git is not installed (or not on PATH); install it, e.g. apt-get install git');
    throw new Error(`git ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export interface BuildOptions {
  /** Commit dates are `now − hoursAgo`. */
  now: Date;
  onCommit?: (done: number, total: number) => void;
}

/** Builds the repository into `outDir` (which must not exist or be empty). */
export async function buildShopRepo(historyDir: string, outDir: string, opts: BuildOptions): Promise<BuiltRepo> {
  const history = readHistory(historyDir);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty`);
  mkdirSync(outDir, { recursive: true });
  // A fixed identity and no user config: the repository is the same on every machine.
  const base = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  await git(outDir, ['init', '--quiet', '--initial-branch=main'], base);
  const commits: BuiltCommit[] = [];
  const tags = new Map<string, string>();
  for (const c of history) {
    for (const p of c.delete) rmSync(join(outDir, p), { force: true });
    for (const p of c.files) {
      mkdirSync(join(outDir, p, '..'), { recursive: true });
      cpSync(join(historyDir, c.id, 'files', p), join(outDir, p));
    }
    await git(outDir, ['add', '--all'], base);
    const at = new Date(opts.now.getTime() - c.hoursAgo * 3_600_000).toISOString();
    const who = {
      ...base,
      GIT_AUTHOR_NAME: c.authorName,
      GIT_AUTHOR_EMAIL: c.authorEmail,
      GIT_AUTHOR_DATE: at,
      GIT_COMMITTER_NAME: c.authorName,
      GIT_COMMITTER_EMAIL: c.authorEmail,
      GIT_COMMITTER_DATE: at,
    };
    await git(outDir, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', c.message], who);
    const sha = (await git(outDir, ['rev-parse', 'HEAD'], base)).trim();
    for (const t of c.tags) {
      await git(outDir, ['tag', '-a', t, '-m', t], who);
      tags.set(t, sha);
    }
    commits.push({ ...c, sha, at });
    opts.onCommit?.(commits.length, history.length);
  }
  return { dir: outDir, commits, tags, head: commits[commits.length - 1]!.sha };
}

/** A file's content at the history's last commit (null when no commit writes it, or one deleted it since). */
export function latestHistoryFile(historyDir: string, path: string): string | null {
  let latest: string | null = null;
  for (const c of readHistory(historyDir)) {
    if (c.delete.includes(path)) latest = null;
    if (c.files.includes(path)) latest = join(historyDir, c.id, 'files', path);
  }
  return latest === null ? null : readFileSync(latest, 'utf8');
}
