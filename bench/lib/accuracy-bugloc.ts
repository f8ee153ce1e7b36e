// `npm run bench -- accuracy bugloc [--data DIR] [--out FILE]`: ticket text → source files
// (analysis/retrieval localizeText) on a bug-localization dataset laid out as source/ (the
// code, one snapshot), reports/<bug>.txt (first line the title, then the body),
// goldset/<bug>.txt (the files the fix changed, source-relative) and optionally
// classes/BR-{ST,PE,NL}.txt (reports with stack traces, program entities, natural language
// only). Default: ../shared/datasets/bug-localization-ecf/ecf.tar.xz, extracted once.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type CodeLanguage, languageOf } from '../../src/analysis/index.js';
import {
  type CodeDocument,
  type CodeIndex,
  LOCALIZE_ALGORITHM,
  buildCodeIndex,
  localizeText,
} from '../../src/analysis/retrieval/index.js';
import { loadCodeParsers } from '../../src/ingest/sources/git/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { extractOnce } from './archive-cache.js';
import { int, table } from './format.js';
import { datasetsRoot } from './loghub.js';
import { type RankedCase, hitAt, mapAt, mrrAt, writeRankings } from './ranking.js';

const ARCHIVE = join('bug-localization-ecf', 'ecf.tar.xz');
/** BLIZZARD (ESEC/FSE'18) over 6 systems and 5,139 reports. */
const BLIZZARD = { hit1: 0.39, hit10: 0.75, mrr10: 0.51 };
const CLASSES = ['BR-ST', 'BR-PE', 'BR-NL'] as const;
const MAX_SOURCE_BYTES = 1024 * 1024;
const WRITE_TOP = 20;

async function dataDir(opts: AccuracyOptions): Promise<string> {
  if (opts.data) return opts.data;
  const archive = join(datasetsRoot(), ARCHIVE);
  if (!existsSync(archive)) throw new Error(`no ${archive}: pass --data DIR or set ORRERY_DATASETS`);
  const dir = await extractOnce(archive, 'bugloc', join('ecf', 'goldset'), (s) => process.stderr.write(s));
  return join(dir, 'ecf');
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile() && st.size <= MAX_SOURCE_BYTES) out.push(p);
  }
  return out;
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function scores(cases: readonly RankedCase[]): string[] {
  return [
    int(cases.length),
    ...[hitAt(cases, 1), hitAt(cases, 5), hitAt(cases, 10), mrrAt(cases, 10), mapAt(cases, 10)].map((x) =>
      x.toFixed(3),
    ),
  ];
}

/** One bug report with the files its fix changed (those in source/). */
export interface BugReport {
  id: string;
  title: string;
  body: string;
  truth: string[];
}

export interface BuglocCorpus {
  root: string;
  docs: CodeDocument[];
  parseFailures: number;
  index: CodeIndex;
  reports: BugReport[];
  /** Reports with no gold file in source/. */
  skipped: number;
  classOf: Map<string, string>;
  readMs: number;
  indexMs: number;
}

/** The dataset's source files indexed (path, symbols, text) and its reports with their gold files. */
export async function loadBugloc(opts: Pick<AccuracyOptions, 'data'>): Promise<BuglocCorpus> {
  const root = await dataDir(opts as AccuracyOptions);
  for (const part of ['source', 'reports', 'goldset']) {
    if (!existsSync(join(root, part))) throw new Error(`${root} has no ${part}/ folder`);
  }
  const t0 = performance.now();
  const sourceRoot = join(root, 'source');
  const parsers = await loadCodeParsers();
  const docs: CodeDocument[] = [];
  let parseFailures = 0;
  for (const file of walk(sourceRoot)) {
    const path = relative(sourceRoot, file).split(sep).join('/');
    const content = readFileSync(file, 'utf8');
    if (content.includes('\u0000')) continue; // binary
    // Files in a language we have no grammar for are indexed by path and text alone.
    const language: CodeLanguage | null = languageOf(path);
    let symbols: string[] = [];
    if (language !== null) {
      try {
        symbols = parsers.parse(language, content).symbols.map((s) => s.name);
      } catch {
        parseFailures++;
      }
    }
    docs.push({ path, symbols, content });
  }
  const tRead = performance.now();
  const index = buildCodeIndex(docs);
  const tIndex = performance.now();
  const known = new Set(index.paths);

  const classOf = new Map<string, string>();
  for (const c of CLASSES) {
    const f = join(root, 'classes', `${c}.txt`);
    if (existsSync(f)) for (const id of lines(f)) classOf.set(id, c);
  }
  const reports: BugReport[] = [];
  let skipped = 0;
  const reportFiles = readdirSync(join(root, 'reports'))
    .filter((f) => f.endsWith('.txt'))
    .sort();
  for (const f of reportFiles) {
    const id = f.replace(/\.txt$/, '');
    const goldFile = join(root, 'goldset', f);
    const truth = existsSync(goldFile) ? lines(goldFile).filter((p) => known.has(p)) : [];
    if (truth.length === 0) {
      skipped++;
      continue;
    }
    const text = readFileSync(join(root, 'reports', f), 'utf8');
    const nl = text.indexOf('\n');
    reports.push({ id, title: nl < 0 ? text : text.slice(0, nl), body: nl < 0 ? '' : text.slice(nl + 1), truth });
  }
  return { root, docs, parseFailures, index, reports, skipped, classOf, readMs: tRead - t0, indexMs: tIndex - tRead };
}

export async function run(opts: AccuracyOptions): Promise<number> {
  const { root, docs, parseFailures, index, reports, skipped, classOf, readMs, indexMs } = await loadBugloc(opts);
  const tIndex = performance.now();
  const cases: RankedCase[] = [];
  for (const r of reports) {
    const ranked = localizeText({ title: r.title, body: r.body }, index, { limit: WRITE_TOP }).map((c) => c.path);
    cases.push({ case: r.id, ranked, truth: r.truth });
  }
  const tQuery = performance.now();

  const header = ['reports', 'cases', 'Hit@1', 'Hit@5', 'Hit@10', 'MRR@10', 'MAP@10'];
  const rows = [['all', ...scores(cases)]];
  for (const c of CLASSES) {
    const sub = cases.filter((x) => classOf.get(x.case) === c);
    if (sub.length > 0) rows.push([c, ...scores(sub)]);
  }
  rows.push([
    'BLIZZARD (published)',
    '5,139',
    BLIZZARD.hit1.toFixed(2),
    '-',
    BLIZZARD.hit10.toFixed(2),
    BLIZZARD.mrr10.toFixed(2),
    '-',
  ]);
  process.stdout.write(
    `bug localization (${LOCALIZE_ALGORITHM}) on ${root}\n` +
      `${int(docs.length)} source files indexed (${parseFailures} without symbols), ${int(cases.length)} reports scored, ` +
      `${skipped} skipped (no gold file in source/)\n` +
      `read + parse ${(readMs / 1000).toFixed(1)} s, index ${(indexMs / 1000).toFixed(1)} s, ` +
      `queries ${((tQuery - tIndex) / 1000).toFixed(1)} s\n\n` +
      `${table(header, rows, new Set([1, 2, 3, 4, 5, 6]))}\n`,
  );
  if (opts.out) {
    writeRankings(opts.out, cases);
    process.stdout.write(`\nrankings: ${opts.out}\n`);
  }
  return cases.length > 0 ? 0 : 1;
}
