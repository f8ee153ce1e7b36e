// `npm run bench -- patterns-speed`: single-threaded template-mining throughput on ~170k real
// application log lines (Nezha TrainTicket: the `log` field of each Docker JSON in the `Log`
// column). All lines are loaded first; only the `miner.add` loop is timed. Target: 300,000
// lines/s, about 25× the ~12,000 lines/s the issue gives for Python Drain3 on this data.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { PATTERNS_ALGORITHM, createPatternMiner } from '../src/analysis/patterns/index.js';
import { int, table } from './lib/format.js';
import { NEZHA_ARCHIVE as ARCHIVE, extractNezhaOnce, nezhaArchivePath } from './lib/nezha-archive.js';
import { parseOrExit } from './lib/options.js';

const TARGET = 300_000;
const DRAIN3_REFERENCE = { linesPerSec: 12_000, templates: 1_393 };

const USAGE = `usage: npm run bench -- patterns-speed [options]

Mines the application log lines of Nezha TrainTicket (rca_data/*/log/*.csv: the \`log\` field of
the Docker JSON in each row's \`Log\` column, about 170k lines) with one fresh miner
(${PATTERNS_ALGORITHM}, default options) on one thread, and prints lines/s, the templates found
and the peak RSS. All lines are read into memory first; only \`for (const l of lines)
miner.add(l)\` is timed, with no warm-up: pass 1 is cold, later passes use a fresh miner in
the same (warmed) process. Target: ${int(TARGET)} lines/s.

Options:
  --passes N          timed passes, each with a fresh miner (default 2)
  --with-construct    also mine construct_data/*/log/*.csv (the fault-free reference day)
  --json              print the results as JSON
  --help              this text

Data: ${ARCHIVE} under ../shared/datasets/nezha-trainticket (or $ORRERY_DATASETS), extracted
once into $ORRERY_BENCH_CACHE or ~/.cache/orrery-bench/nezha.`;

class UsageError extends Error {}

interface Options {
  passes: number;
  withConstruct: boolean;
  json: boolean;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      passes: { type: 'string' },
      'with-construct': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const passes = values.passes ?? '2';
  if (!/^[1-9]\d*$/.test(passes)) throw new UsageError(`--passes must be a whole number ≥ 1, not "${passes}"`);
  return { passes: Number(passes), withConstruct: values['with-construct'] ?? false, json: values.json ?? false };
}

/** `<root>/<part>/<day>/log/*.csv`, sorted. */
function logFiles(root: string, part: string): string[] {
  const base = join(root, part);
  if (!existsSync(base)) return [];
  const out: string[] = [];
  for (const day of readdirSync(base).sort()) {
    const dir = join(base, day, 'log');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.csv')) out.push(join(dir, f));
  }
  return out;
}

/**
 * The application lines of one log CSV: the Docker JSON's `log` field, trailing newline
 * dropped. Streamed, so only the lines stay in memory.
 */
async function readLogCsv(file: string, into: string[] | null): Promise<{ lines: number; bad: number }> {
  // A few rows of the dataset are two records run together (a broken quote): skip and count them.
  let bad = 0;
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      relax_column_count: true,
      skip_records_with_error: true,
      on_skip: () => {
        bad++;
      },
    }),
  );
  let at = -1;
  let lines = 0;
  for await (const row of parser as AsyncIterable<string[]>) {
    if (at === -1) {
      at = row.indexOf('Log');
      if (at === -1) throw new Error(`${file} has no Log column`);
      continue;
    }
    try {
      const log = (JSON.parse(row[at] ?? '') as { log?: unknown }).log;
      if (typeof log !== 'string') {
        bad++;
        continue;
      }
      lines++;
      into?.push(log.replace(/\r?\n$/, ''));
    } catch {
      bad++;
    }
  }
  return { lines, bad };
}

interface Pass {
  seconds: number;
  linesPerSec: number;
  templates: number;
  overflowed: number;
}

function timePass(lines: readonly string[]): Pass {
  const miner = createPatternMiner();
  const t0 = performance.now();
  for (const l of lines) miner.add(l);
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    linesPerSec: lines.length / seconds,
    templates: miner.patterns().length,
    overflowed: miner.overflowed,
  };
}

/** Python Drain3 on the same lines, when it is importable here; null otherwise. */
function drain3Baseline(
  lines: readonly string[],
  dir: string,
): { linesPerSec: number; seconds: number; templates: number } | null {
  if (spawnSync('python3', ['-c', 'import drain3'], { stdio: 'ignore' }).status !== 0) return null;
  const input = join(dir, 'lines.json');
  writeFileSync(input, JSON.stringify(lines));
  const script = [
    'import json, sys, time, logging',
    'logging.disable(logging.CRITICAL)',
    'from drain3 import TemplateMiner',
    'lines = json.load(open(sys.argv[1]))',
    'tm = TemplateMiner()',
    't0 = time.perf_counter()',
    'for l in lines: tm.add_log_message(l)',
    's = time.perf_counter() - t0',
    'print(json.dumps({"seconds": s, "linesPerSec": len(lines) / s, "templates": len(tm.drain.clusters)}))',
  ].join('\n');
  try {
    const out = execFileSync('python3', ['-c', script, input], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop()!) as { linesPerSec: number; seconds: number; templates: number };
  } finally {
    rmSync(input, { force: true });
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parseOptions, USAGE);
  if (typeof opts === 'number') return opts;
  const say = (s: string) => (opts.json ? process.stderr.write(s) : process.stdout.write(s));

  const archive = nezhaArchivePath();
  if (!existsSync(archive)) {
    process.stdout.write(
      `skipping the patterns-speed benchmark: ${archive} not found.\n` +
        'Put the datasets at ../shared/datasets (beside the repository) or point ORRERY_DATASETS at the folder that holds nezha-trainticket.\n',
    );
    return 0;
  }
  let root: string;
  try {
    root = await extractNezhaOnce(archive, say);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }

  // Which log folders exist, and how many lines each holds; rca_data alone is the ~170k lines.
  const parts = [
    { part: 'rca_data', used: true },
    { part: 'construct_data', used: opts.withConstruct },
  ];
  const lines: string[] = [];
  const sources: Array<{ part: string; files: number; lines: number; unreadable: number; used: boolean }> = [];
  const tLoad = performance.now();
  for (const { part, used } of parts) {
    const files = logFiles(root, part);
    let n = 0;
    let bad = 0;
    for (const f of files) {
      const r = await readLogCsv(f, used ? lines : null);
      n += r.lines;
      bad += r.bad;
    }
    sources.push({ part, files: files.length, lines: n, unreadable: bad, used });
  }
  const loadSeconds = (performance.now() - tLoad) / 1000;
  if (lines.length === 0) {
    process.stderr.write(`no log lines found under ${root}/rca_data/*/log/*.csv\n`);
    return 1;
  }
  const rssAfterLoad = process.memoryUsage().rss / 1024;
  for (const s of sources) {
    say(
      `${s.part}/*/log/*.csv: ${s.files} file${s.files === 1 ? '' : 's'}, ${int(s.lines)} lines${s.unreadable ? ` (${s.unreadable} rows unreadable: broken CSV quoting or no log field)` : ''}${s.used ? '' : ' (not mined)'}\n`,
    );
  }
  say(`loaded ${int(lines.length)} lines in ${loadSeconds.toFixed(1)} s; RSS after loading ${mib(rssAfterLoad)}\n`);

  const passes: Pass[] = [];
  for (let i = 0; i < opts.passes; i++) passes.push(timePass(lines));
  const peakRss = process.resourceUsage().maxRSS;
  const cold = passes[0]!;
  const best = passes.reduce((a, b) => (b.linesPerSec > a.linesPerSec ? b : a));

  const drain3 = drain3Baseline(lines, root);
  const reference = drain3 ?? DRAIN3_REFERENCE;
  const referenceLabel = drain3
    ? 'Python Drain3, measured here on the same lines'
    : "Python Drain3's figure from the issue, a reference figure not measured here (drain3 is not importable)";

  if (opts.json) {
    const out = {
      benchmark: 'patterns-speed',
      algorithm: PATTERNS_ALGORITHM,
      data: root,
      sources,
      lines: lines.length,
      passes,
      peakRssMiB: peakRss / 1024,
      rssAfterLoadMiB: rssAfterLoad / 1024,
      target: { linesPerSec: TARGET, met: cold.linesPerSec >= TARGET },
      drain3: { ...reference, measured: drain3 !== null },
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? null,
        node: process.version,
        loadavg: os.loadavg(),
      },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }

  const rows = passes.map((p, i) => [
    `${i + 1}${i === 0 ? ' (cold)' : ''}`,
    int(lines.length),
    p.seconds.toFixed(3),
    int(p.linesPerSec),
    int(p.templates),
  ]);
  process.stdout.write(
    `\n${PATTERNS_ALGORITHM}, one thread, a fresh miner per pass\n${table(['pass', 'lines', 'seconds', 'lines/s', 'templates'], rows, new Set([1, 2, 3, 4]))}\n`,
  );
  const overflow = cold.overflowed ? ` (${int(cold.overflowed)} lines went to the overflow pattern)` : '';
  process.stdout.write(
    `templates found: ${int(cold.templates)}${overflow}; Drain3 with its defaults finds ${int(reference.templates)}` +
      `${drain3 ? ' (measured here)' : ' (from the issue)'}\n` +
      `peak RSS: ${mib(peakRss)} (the whole process: the loaded lines, the CSV parsing and the miner)\n` +
      `cold pass: ${int(cold.linesPerSec)} lines/s = ${(cold.linesPerSec / TARGET).toFixed(2)}× the target of ${int(TARGET)} lines/s ` +
      `(${cold.linesPerSec >= TARGET ? 'met' : 'NOT met'})` +
      `${passes.length > 1 ? `; best pass ${int(best.linesPerSec)} lines/s = ${(best.linesPerSec / TARGET).toFixed(2)}×` : ''}\n` +
      `vs ${int(reference.linesPerSec)} lines/s, ${referenceLabel}: ${(cold.linesPerSec / reference.linesPerSec).toFixed(1)}× cold\n` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${os.cpus().length} cores: throughput is only comparable on an otherwise idle machine\n`,
  );
  return 0;
}
