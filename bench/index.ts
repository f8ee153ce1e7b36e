// `npm run bench -- index`: Orrery's full index of a real git repository (commits, files,
// owners, symbols, log call sites, routes) into a fresh store, timed against universal-ctags
// on the same tree. Target: Orrery takes at most 3× ctags' time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SelfMetrics } from '../src/observe/index.js';
import { BatchWriter, openStore, rpcStore } from '../src/store/index.js';
import { type Context, type SyncResult, addRepository, syncRepository } from '../src/workflows/index.js';
import { SEARCH_ROOTS, findRepos, trackedFiles } from './lib/find-repos.js';
import { int, table } from './lib/format.js';
import { OUT_DIR, REPO_ROOT } from './lib/paths.js';
import { PostgresUnavailableError, createBenchDatabase } from './lib/postgres.js';
import { parseOrExit } from './lib/options.js';
import { type TruthScore, readTruth, renderTruth, scoreTruth } from './lib/proto-truth.js';

const CTAGS = '/usr/bin/ctags';
const CTAGS_LANGUAGES = 'TypeScript,JavaScript,Python,Go,Java,C#,Rust,Ruby,PHP,C++';
// The folders Orrery lists without parsing (vendored code); ctags is told to skip them too,
// so both parse the same files.
const CTAGS_EXCLUDES = [
  'node_modules',
  'vendor',
  'third_party',
  'third-party',
  'bower_components',
  'jspm_packages',
  '.yarn',
  'site-packages',
  'Pods',
  '*.min.js',
];
const TARGET_RATIO = 3;
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/';

const USAGE = `usage: npm run bench -- index [options]

Indexes a git repository with Orrery (add + full sync into a fresh store, in this process:
commits with numstat, files, CODEOWNERS, symbols, log call sites and routes) and prints
files/s and LOC/s; then times universal-ctags (ctags -R) on the same tree (HEAD, exported with
git archive, so neither sees untracked files) and prints the ratio Orrery/ctags against the
target (≤ ${TARGET_RATIO}×), in wall time and in CPU time.

Options:
  --path DIR             the repository (any folder in a git working tree). Default: the
                         repository with the most tracked files under ${SEARCH_ROOTS.join(', ')}
                         (depth ≤ 4, node_modules skipped)
  --backend pglite|postgres
                         the store (default pglite: embedded, a temp data directory)
  --postgres-url URL     with --backend postgres (default ${DEFAULT_PG_URL}; a database is
                         created and dropped from its "test" database)
  --ctags-languages all|LIST
                         languages ctags parses (default ${CTAGS_LANGUAGES}: the ones Orrery
                         parses; "all" lets ctags parse every language it knows)
  --parse-workers N      parse worker threads (default: by core count; 0 parses on the
                         main thread)
  --proto-truth FILE     compare each gRPC rpc's linked handler with FILE ({ rpcs: [{ rpc:
                         "pkg.Service/Method", language, file, line, symbol }] }, paths
                         relative to the repository) and print, per language, the rpcs
                         linked right, linked wrong and not linked
  --keep                 keep the temp dir (store, tags file)
  --help                 this text

Writes a JSON summary to bench/out/index-<timestamp>.json. Missing the target is reported,
not an error.`;

class UsageError extends Error {}

interface Options {
  path: string | null;
  backend: 'pglite' | 'postgres';
  postgresUrl: string;
  ctagsLanguages: string;
  parseWorkers: number | undefined;
  keep: boolean;
  protoTruth: string | null;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      path: { type: 'string' },
      backend: { type: 'string' },
      'postgres-url': { type: 'string' },
      'ctags-languages': { type: 'string' },
      'parse-workers': { type: 'string' },
      keep: { type: 'boolean' },
      'proto-truth': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const backend = values.backend ?? 'pglite';
  if (backend !== 'pglite' && backend !== 'postgres')
    throw new UsageError(`--backend must be pglite or postgres, not "${backend}"`);
  const workers = values['parse-workers'];
  if (workers !== undefined && !/^\d+$/.test(workers))
    throw new UsageError(`--parse-workers must be a whole number, not "${workers}"`);
  return {
    parseWorkers: workers === undefined ? undefined : Number(workers),
    path: values.path ? resolve(values.path) : null,
    backend,
    postgresUrl: values['postgres-url'] ?? DEFAULT_PG_URL,
    ctagsLanguages: values['ctags-languages'] ?? CTAGS_LANGUAGES,
    keep: values.keep ?? false,
    protoTruth: values['proto-truth'] ? resolve(values['proto-truth']) : null,
  };
}

function pickRepository(opts: Options): { path: string; why: string } {
  if (opts.path) {
    if (!existsSync(opts.path) || !statSync(opts.path).isDirectory())
      throw new UsageError(`--path ${opts.path} is not a directory`);
    const root = execFileSync('git', ['-C', opts.path, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
    return { path: root, why: `given with --path (${int(trackedFiles(root))} tracked files)` };
  }
  process.stdout.write(`looking for git repositories under ${SEARCH_ROOTS.join(', ')} (depth ≤ 4)…\n`);
  const found = findRepos();
  if (found.length === 0) throw new UsageError('no git repository found; give one with --path DIR');
  for (const r of found.slice(0, 5)) process.stdout.write(`  ${int(r.trackedFiles).padStart(9)} files  ${r.path}\n`);
  return {
    path: found[0]!.path,
    why: `the most tracked files of ${found.length} repositories found (${int(found[0]!.trackedFiles)})`,
  };
}

/**
 * CPU seconds of this process (all threads) and of its children that have exited, from
 * /proc/self/stat; null where there is no /proc. Unlike wall time it barely moves when other
 * work shares the machine, so it is printed beside it.
 */
function cpuSeconds(): { self: number; children: number } | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const tick = 100; // USER_HZ on Linux
    return { self: (Number(f[11]) + Number(f[12])) / tick, children: (Number(f[13]) + Number(f[14])) / tick };
  } catch {
    return null;
  }
}

function cpuSince(start: ReturnType<typeof cpuSeconds>, which: 'all' | 'children'): number | null {
  const end = cpuSeconds();
  if (!start || !end) return null;
  const children = end.children - start.children;
  return which === 'children' ? children : end.self - start.self + children;
}

function progressLine(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${message.slice(0, (process.stderr.columns || 100) - 1)}`);
}

interface OrreryRun {
  seconds: number;
  /** CPU seconds: this process's threads plus git's child processes. */
  cpuSeconds: number | null;
  resyncSeconds: number;
  sync: SyncResult;
  rpcs: Awaited<ReturnType<typeof rpcStore.findRpcs>>;
}

async function runOrrery(
  repo: string,
  dataDir: string,
  databaseUrl: string | undefined,
  parseWorkers: number | undefined,
): Promise<OrreryRun> {
  const store = await openStore({ dataDir, databaseUrl, retentionDays: 7 });
  const metrics = new SelfMetrics();
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: 1,
    maxQueuedRecords: 1000,
    maxQueueWaitMs: 1000,
    maxBatchRecords: 1000,
  });
  const ctx: Context = { store, writer, metrics };
  try {
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const { repository } = await addRepository(ctx, { path: repo });
    let lastNote = '';
    const sync = await syncRepository(ctx, repository.id, {
      parseWorkers,
      onProgress: (p) => {
        if (p.phase === 'note' && p.message !== lastNote) {
          lastNote = p.message;
          progressLine('');
          process.stderr.write(`${p.message}\n`);
        } else progressLine(p.message);
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuSince(cpu0, 'all');
    progressLine('');
    // A second sync with nothing new: what an incremental sync costs when nothing changed.
    const t1 = performance.now();
    await syncRepository(ctx, repository.id);
    const resyncSeconds = (performance.now() - t1) / 1000;
    const rpcs = await rpcStore.findRpcs(store.db, { repository: repository.name, limit: 100_000 });
    return { seconds, cpuSeconds: cpu, resyncSeconds, sync, rpcs };
  } finally {
    await store.close();
  }
}

/**
 * Writes HEAD's tree into `dest` (git archive | tar): the files Orrery indexes, with their
 * committed contents, and nothing untracked or ignored that the working tree may also hold.
 */
function exportHead(repo: string, dest: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  return new Promise((resolvePromise, reject) => {
    const archive = spawn('git', ['-C', repo, 'archive', '--format=tar', 'HEAD'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tar = spawn('tar', ['-x', '-C', dest], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    for (const c of [archive, tar]) c.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    archive.stdout.pipe(tar.stdin);
    let pending = 2;
    const done = (code: number | null) => {
      if (code !== 0) return reject(new Error(`git archive | tar failed: ${stderr.trim()}`));
      if (--pending === 0) resolvePromise();
    };
    archive.on('error', reject).on('exit', done);
    tar.on('error', reject).on('exit', done);
  });
}

function ctagsVersion(): string | null {
  try {
    const v = execFileSync(CTAGS, ['--version'], { encoding: 'utf8' });
    return v.includes('Universal Ctags') ? v.split('\n')[0]!.trim() : null;
  } catch {
    return null;
  }
}

function runCtags(
  repo: string,
  tagsFile: string,
  languages: string,
): Promise<{ seconds: number; cpuSeconds: number | null; tags: number }> {
  const args = ['-R', '-f', tagsFile, ...CTAGS_EXCLUDES.map((e) => `--exclude=${e}`)];
  if (languages !== 'all') args.push(`--languages=${languages}`);
  args.push('.');
  return new Promise((resolvePromise, reject) => {
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    const child = spawn(CTAGS, args, { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4000) stderr += s;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuSince(cpu0, 'children');
      if (code !== 0) return reject(new Error(`ctags exited with ${code}: ${stderr.trim()}`));
      const tags = readFileSync(tagsFile, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('!_TAG_')).length;
      resolvePromise({ seconds, cpuSeconds: cpu, tags });
    });
  });
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function timestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parseOptions, USAGE);
  if (typeof opts === 'number') return opts;
  const startedAt = new Date();
  let repo: { path: string; why: string };
  let truth: ReturnType<typeof readTruth> | null = null;
  try {
    if (opts.protoTruth) truth = readTruth(opts.protoTruth);
    repo = pickRepository(opts);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`repository: ${repo.path}\n  chosen: ${repo.why}\n`);

  const tmp = mkdtempSync(join(os.tmpdir(), 'orrery-bench-index-'));
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | null = null;
  try {
    if (opts.backend === 'postgres') {
      try {
        database = await createBenchDatabase(opts.postgresUrl);
      } catch (err) {
        if (err instanceof PostgresUnavailableError) {
          process.stderr.write(`${err.message}\n`);
          return 1;
        }
        throw err;
      }
    }
    process.stdout.write(`\nOrrery: add + full sync into a fresh ${opts.backend} store…\n`);
    const orrery = await runOrrery(repo.path, join(tmp, 'store'), database?.url, opts.parseWorkers);
    const s = orrery.sync;
    const filesPerSec = s.filesRead / orrery.seconds;
    const locPerSec = s.linesRead / orrery.seconds;
    process.stdout.write(
      `${table(
        ['what', 'count', 'per second'],
        [
          ['files in tree', int(s.filesInTree), ''],
          ['files read', int(s.filesRead), int(filesPerSec)],
          ['files parsed', int(s.filesParsed), int(s.filesParsed / orrery.seconds)],
          ['files listed, not read', int(s.filesListed), ''],
          ['lines read (LOC)', int(s.linesRead), int(locPerSec)],
          ['lines parsed', int(s.linesParsed), int(s.linesParsed / orrery.seconds)],
          ['commits', int(s.commitsRead), int(s.commitsRead / orrery.seconds)],
          ['symbols', int(s.symbols), ''],
          ['log call sites', int(s.callsites), ''],
          ['routes', int(s.routes), ''],
        ],
        new Set([1, 2]),
      )}\n`,
    );
    const skipped = Object.entries(s.skipped).map(([k, v]) => `${v} ${k}`);
    if (skipped.length) process.stdout.write(`not parsed: ${skipped.join(', ')}\n`);
    if (s.rpcs || truth)
      process.stdout.write(`gRPC: ${s.rpcsLinked} of ${s.rpcs} rpcs of the .proto files linked to a handler\n`);
    let truthScore: TruthScore | null = null;
    if (truth) {
      truthScore = scoreTruth(truth, orrery.rpcs);
      process.stdout.write(`\nrpc handlers against ${opts.protoTruth}:\n${renderTruth(truthScore)}`);
    }
    const t = s.timings;
    process.stdout.write(
      `Orrery full index: ${orrery.seconds.toFixed(2)} s wall, ${orrery.cpuSeconds?.toFixed(2) ?? '?'} s CPU (with git); ` +
        `a second sync with nothing new: ${orrery.resyncSeconds.toFixed(2)} s\n` +
        `  phases (overlapping): commits ${sec(t.commitsMs)}, tree ${sec(t.treeMs)}, files ${sec(t.filesMs)} ` +
        `(parse ${sec(t.parseMs)} CPU over the parse threads, store writes ${sec(t.writeMs)})\n`,
    );

    const version = ctagsVersion();
    let ctags: { seconds: number; cpuSeconds: number | null; tags: number } | null = null;
    let ratio: number | null = null;
    let cpuRatio: number | null = null;
    if (!version) {
      process.stdout.write(
        `\nctags: universal-ctags is not at ${CTAGS}; install it with \`apt-get install universal-ctags\`. Skipping the ratio.\n`,
      );
    } else {
      const langs = opts.ctagsLanguages === 'all' ? 'all languages' : opts.ctagsLanguages;
      const tree = join(tmp, 'head');
      await exportHead(repo.path, tree);
      process.stdout.write(
        `\nctags: ${version}; ctags -R on HEAD's tree (git archive), ${langs}, excluding ${CTAGS_EXCLUDES.join(' ')}…\n`,
      );
      ctags = await runCtags(tree, join(tmp, 'tags'), opts.ctagsLanguages);
      ratio = orrery.seconds / ctags.seconds;
      cpuRatio = orrery.cpuSeconds !== null && ctags.cpuSeconds ? orrery.cpuSeconds / ctags.cpuSeconds : null;
      const met = ratio <= TARGET_RATIO;
      process.stdout.write(
        `${table(
          ['indexer', 'wall s', 'CPU s', 'output'],
          [
            [
              'orrery (add + sync)',
              orrery.seconds.toFixed(2),
              orrery.cpuSeconds?.toFixed(2) ?? '?',
              `${int(s.symbols)} symbols, ${int(s.callsites)} call sites, ${int(s.routes)} routes, ${int(s.commitsRead)} commits`,
            ],
            ['ctags -R', ctags.seconds.toFixed(2), ctags.cpuSeconds?.toFixed(2) ?? '?', `${int(ctags.tags)} tags`],
          ],
          new Set([1, 2]),
        )}\n` +
          `ratio orrery/ctags: ${ratio.toFixed(2)}× wall (target ≤ ${TARGET_RATIO}×: ${met ? 'met' : 'NOT met'})` +
          `${cpuRatio === null ? '' : `, ${cpuRatio.toFixed(2)}× CPU`}\n` +
          `load average ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')} on ${os.cpus().length} cores: wall times are only comparable on an otherwise idle machine\n`,
      );
    }

    mkdirSync(OUT_DIR, { recursive: true });
    const outFile = join(OUT_DIR, `index-${timestamp(startedAt)}.json`);
    const cpus = os.cpus();
    const summary = {
      benchmark: 'index',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? null,
        totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
        node: process.version,
      },
      repository: repo,
      backend: opts.backend,
      orrery: {
        seconds: orrery.seconds,
        cpuSeconds: orrery.cpuSeconds,
        resyncSeconds: orrery.resyncSeconds,
        filesPerSec,
        locPerSec,
        sync: s,
      },
      ctags: ctags ? { version, languages: opts.ctagsLanguages, excludes: CTAGS_EXCLUDES, ...ctags } : null,
      rpcs: orrery.rpcs,
      protoTruth: truthScore,
      ratio,
      cpuRatio,
      target: TARGET_RATIO,
      targetMet: ratio === null ? null : ratio <= TARGET_RATIO,
    };
    writeFileSync(outFile, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`JSON summary: ${relative(REPO_ROOT, outFile)}\n`);
    return 0;
  } finally {
    await database?.drop().catch(() => {});
    if (opts.keep) process.stdout.write(`kept ${tmp}\n`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}
