// Doctor's checks of the machine: Node, git, the tree-sitter grammars, free disk and memory.
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { loadCodeParsers } from '../../ingest/sources/git/index.js';
import type { DoctorCheck } from '../../model/index.js';

/** package.json's engines.node. */
export const MIN_NODE: readonly [number, number] = [20, 6];
const MIN_GIT: readonly [number, number] = [2, 25];
/** Below this free on the data directory's file system, ingest is at risk of failing writes. */
const MIN_FREE_DISK_BYTES = 1024 ** 3;
/** Below this available, the demo (a store, four services and their replicas) swaps or is killed. */
const MIN_FREE_MEMORY_BYTES = 512 * 1024 ** 2;

function atLeast(v: readonly number[], min: readonly number[]): boolean {
  for (let i = 0; i < min.length; i++) {
    if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) > min[i]!;
  }
  return true;
}

export function checkNode(version = process.versions.node): DoctorCheck {
  const parts = version.split('.').map(Number);
  const want = MIN_NODE.join('.');
  return atLeast(parts, MIN_NODE)
    ? { check: 'node', code: 'NODE_OK', status: 'ok', found: `Node ${version}`, fix: null }
    : {
        check: 'node',
        code: 'NODE_TOO_OLD',
        status: 'problem',
        found: `Node ${version} is older than ${want}`,
        fix: `install Node ${want} or newer (e.g. \`nvm install 20\`)`,
      };
}

export function checkGit(): Promise<DoctorCheck> {
  return new Promise((done) => {
    execFile('git', ['--version'], { timeout: 5_000 }, (err, stdout) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        done({
          check: 'git',
          code: missing ? 'GIT_MISSING' : 'GIT_FAILED',
          status: 'problem',
          found: missing ? 'git is not on the PATH' : `\`git --version\` failed: ${err.message}`,
          fix: 'install git 2.25 or newer (e.g. `apt-get install git`); `orrery repo` reads repositories with it',
        });
        return;
      }
      const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(stdout);
      const v = m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : [];
      if (m && atLeast(v, MIN_GIT)) {
        done({ check: 'git', code: 'GIT_OK', status: 'ok', found: `git ${v.join('.')}`, fix: null });
      } else {
        done({
          check: 'git',
          code: 'GIT_TOO_OLD',
          status: 'problem',
          found: `${stdout.trim() || 'an unknown git'} is older than ${MIN_GIT.join('.')}`,
          fix: 'install git 2.25 or newer',
        });
      }
    });
  });
}

/** Loads every grammar and parses a line with each of the first two languages. */
export async function checkGrammars(): Promise<DoctorCheck> {
  try {
    const parsers = await loadCodeParsers();
    const ts = parsers.parse('typescript', 'export function ok(): number { return 1; }');
    const py = parsers.parse('python', 'def ok():\n    return 1\n');
    if (ts.symbols.length === 0 || py.symbols.length === 0) {
      return {
        check: 'grammars',
        code: 'GRAMMARS_BROKEN',
        status: 'problem',
        found: 'the tree-sitter grammars loaded but found no function in a one-line file',
        fix: 'reinstall the dependencies: `npm ci` (the grammars come from @vscode/tree-sitter-wasm)',
      };
    }
    return {
      check: 'grammars',
      code: 'GRAMMARS_OK',
      status: 'ok',
      found: 'tree-sitter grammars load and parse',
      fix: null,
    };
  } catch (err) {
    return {
      check: 'grammars',
      code: 'GRAMMARS_MISSING',
      status: 'problem',
      found: `the tree-sitter grammars could not be loaded: ${(err as Error).message}`,
      fix: 'reinstall the dependencies: `npm ci` (the grammars come from @vscode/tree-sitter-wasm)',
    };
  }
}

/** Free space on the file system that holds `path` (or its nearest existing parent). */
export async function checkDisk(path: string): Promise<DoctorCheck> {
  let dir = resolve(path);
  for (;;) {
    try {
      const s = await statfs(dir);
      const free = s.bavail * s.bsize;
      const gib = (free / 1024 ** 3).toFixed(1);
      return free >= MIN_FREE_DISK_BYTES
        ? { check: 'disk', code: 'DISK_OK', status: 'ok', found: `${gib} GiB free at ${dir}`, fix: null }
        : {
            check: 'disk',
            code: 'DISK_LOW',
            status: 'problem',
            found: `only ${gib} GiB free at ${dir} (under 1 GiB)`,
            fix: 'free disk space, shorten the retention (ORRERY_RETENTION), or use another --data-dir',
          };
    } catch (err) {
      const parent = resolve(dir, '..');
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && parent !== dir) {
        dir = parent;
        continue;
      }
      return {
        check: 'disk',
        code: 'DISK_UNCHECKED',
        status: 'unchecked',
        found: `could not read the free space at ${dir}: ${(err as Error).message}`,
        fix: null,
      };
    }
  }
}

export function checkMemory(free = freemem(), total = totalmem()): DoctorCheck {
  const mib = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;
  return free >= MIN_FREE_MEMORY_BYTES
    ? { check: 'memory', code: 'MEMORY_OK', status: 'ok', found: `${mib(free)} free of ${mib(total)}`, fix: null }
    : {
        check: 'memory',
        code: 'MEMORY_LOW',
        status: 'problem',
        found: `only ${mib(free)} free of ${mib(total)} (under 512 MiB)`,
        fix: 'stop other programs, or give the machine more memory',
      };
}
