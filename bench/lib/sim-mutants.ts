// Mutants of the shop for the mutation oracle: every exported function of a service's
// source (services/<service>/src/*.js at the repository's head), and every method of an
// exported class, made to throw on entry. Each mutant is a real commit on top of the head
// (a branch `mutant/<n>` built with git plumbing, the working tree untouched), so the same
// diff can be given to `simulate change`. The thrown statement first writes one marker line
// to the process's stderr (the service's log file, not its telemetry), so the bench can tell
// a function the traffic reached from one it never called.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Mutant {
  /** e.g. "cart:cart-store.js#CartStore.get". */
  id: string;
  service: string;
  /** Repository path of the file. */
  path: string;
  /** The symbol as Orrery names it: `fn`, or `Class.method`. */
  symbol: string;
  /** Offset just after the body's opening brace, in the file at the head. */
  bodyAt: number;
}

export const REACHED_MARKER = 'MUTANT-REACHED';

/** The offset just after the `{` that opens the body whose parameter list opens at `paren`. */
function bodyStart(src: string, paren: number): number | null {
  let depth = 0;
  let i = paren;
  for (; i < src.length; i++) {
    const c = src[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) break;
  }
  const brace = src.indexOf('{', i);
  // Only whitespace (or an arrow) may stand between the parameters and the body.
  if (brace < 0 || !/^\s*(=>\s*)?$/.test(src.slice(i + 1, brace))) return null;
  return brace + 1;
}

/** The exported functions and exported classes' methods of one file (the shop's plain ES modules). */
export function exportedFunctions(service: string, path: string, src: string): Mutant[] {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const out: Mutant[] = [];
  const add = (symbol: string, paren: number) => {
    const bodyAt = bodyStart(src, paren);
    if (bodyAt !== null) out.push({ id: `${service}:${file}#${symbol}`, service, path, symbol, bodyAt });
  };
  for (const m of src.matchAll(/^export (?:async )?function\*? *(\w+) *\(/gm)) add(m[1]!, m.index + m[0].length - 1);
  for (const m of src.matchAll(/^export const (\w+) = (?:async )?\(/gm)) add(m[1]!, m.index + m[0].length - 1);
  for (const m of src.matchAll(/^export class (\w+)[^{]*\{\n/gm)) {
    const start = m.index + m[0].length;
    const end = src.indexOf('\n}', start);
    const body = src.slice(start, end < 0 ? src.length : end);
    for (const k of body.matchAll(/^ {2}(?:static )?(?:async )?(\w+) *\(/gm)) {
      if (['if', 'for', 'while', 'switch', 'catch', 'return'].includes(k[1]!)) continue;
      add(`${m[1]}.${k[1]}`, start + k.index + k[0].length - 1);
    }
  }
  return out.sort((a, b) => a.bodyAt - b.bodyAt);
}

/** Every mutant of the services' sources in a working tree, by service then file then position. */
export function findMutants(tree: string, services: readonly string[]): Mutant[] {
  const out: Mutant[] = [];
  for (const service of services) {
    const dir = join(tree, 'services', service, 'src');
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.js'))
      .sort()) {
      const path = `services/${service}/src/${f}`;
      out.push(...exportedFunctions(service, path, readFileSync(join(tree, path), 'utf8')));
    }
  }
  return out;
}

/** The file with the mutant's throw at the start of its body. */
export function mutate(src: string, m: Mutant): string {
  const stmt =
    ` if (!globalThis.__mutantReached) { globalThis.__mutantReached = true; process.stderr.write(\`\${new Date().toISOString()} ${REACHED_MARKER} ${m.id}\\n\`); }` +
    ` throw new Error('mutant: ${m.symbol} throws');`;
  return src.slice(0, m.bodyAt) + stmt + src.slice(m.bodyAt);
}

async function git(repo: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd: repo,
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...env },
  });
  return stdout.trim();
}

/**
 * Commits the mutant on top of `head` as branch `mutant/<n>` without touching the working
 * tree (hash-object, a scratch index, write-tree, commit-tree), and returns its SHA.
 */
export async function commitMutant(repo: string, head: string, m: Mutant, n: number): Promise<string> {
  const src = await git(repo, ['show', `${head}:${m.path}`]);
  const tmp = join(os.tmpdir(), `orrery-mutant-${process.pid}-${n}`);
  writeFileSync(tmp, `${mutate(src, m)}\n`);
  const blob = await git(repo, ['hash-object', '-w', tmp]);
  const index = { GIT_INDEX_FILE: `${tmp}.index` };
  await git(repo, ['read-tree', head], index);
  await git(repo, ['update-index', '--cacheinfo', `100644,${blob},${m.path}`], index);
  const tree = await git(repo, ['write-tree'], index);
  const who = {
    GIT_AUTHOR_NAME: 'Mutation Bench',
    GIT_AUTHOR_EMAIL: 'bench@orrery.invalid',
    GIT_COMMITTER_NAME: 'Mutation Bench',
    GIT_COMMITTER_EMAIL: 'bench@orrery.invalid',
  };
  const sha = await git(repo, ['commit-tree', tree, '-p', head, '-m', `mutant: ${m.symbol} throws (${m.path})`], who);
  await git(repo, ['update-ref', `refs/heads/mutant/${n}`, sha]);
  return sha;
}
