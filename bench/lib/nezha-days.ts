// `accuracy nezha` over every day: each trainticket-*.tar.xz of the dataset folder
// (ORRERY_DATASETS or ../shared/datasets, nezha-trainticket/) is extracted once into the bench
// cache and evaluated on its own (a fresh Orrery per day, accuracy-nezha.ts); then AC@1/3/5 per
// day, per fault type per day and over all faults of all days. --data DIR is one day's folder.
import { basename } from 'node:path';
import type { AccuracyOptions } from '../accuracy.js';
import type { CaseResult } from './accuracy-nezha.js';
import { table } from './format.js';
import { extractNezhaOnce, nezhaArchivePaths } from './nezha-archive.js';
import { type RankedCase, hitAt, writeRankings } from './ranking.js';

/** One day evaluated: its cases and its report. */
export interface NezhaDay {
  cases: CaseResult[];
  lines: string[];
}

/** The target over all faults of all days (beats Nezha's published 0.867). */
const TARGET_AC1 = 0.87;

/** The days to evaluate: [label, folder holding rca_data/ and construct_data/]. */
async function dayFolders(opts: AccuracyOptions, say: (s: string) => void): Promise<[string, string][]> {
  if (opts.data !== undefined) return [[basename(opts.data), opts.data]];
  const archives = nezhaArchivePaths();
  if (archives.length === 0) throw new Error('no nezha-trainticket/trainticket-*.tar.xz in the datasets folder');
  const out: [string, string][] = [];
  for (const a of archives) out.push([basename(a).replace(/\.tar\.xz$/, ''), await extractNezhaOnce(a, say)]);
  return out;
}

const ac = (cases: readonly RankedCase[]) => [1, 3, 5].map((k) => hitAt(cases, k).toFixed(3));

/** Rows: the cases overall, then per fault type. */
function rowsOf(label: string, cases: readonly CaseResult[]): string[][] {
  const types = [...new Set(cases.map((c) => c.type))].sort();
  return [
    [label, String(cases.length), ...ac(cases)],
    ...types.map((t) => {
      const sub = cases.filter((c) => c.type === t);
      return [`  ${t}`, String(sub.length), ...ac(sub)];
    }),
  ];
}

export async function runNezhaDays(
  opts: AccuracyOptions,
  evaluateDay: (root: string, say: (s: string) => void) => Promise<NezhaDay>,
): Promise<number> {
  const say = (s: string) => process.stderr.write(s);
  const t0 = performance.now();
  const days: [string, NezhaDay][] = [];
  try {
    for (const [label, root] of await dayFolders(opts, say)) {
      say(`${label}: ${root}\n`);
      const day = await evaluateDay(root, say);
      process.stdout.write(`\n== ${label}\n${day.lines.join('\n')}\n`);
      days.push([label, day]);
    }
  } catch (err) {
    say(`${(err as Error).message}\n`);
    return 1;
  }
  const all = days.flatMap(([, d]) => d.cases);
  if (opts.out) writeRankings(opts.out, all);
  const rows = [...days.flatMap(([label, d]) => rowsOf(label, d.cases)), ...rowsOf('all days', all)];
  const seconds = (performance.now() - t0) / 1000;
  const lines = [
    '',
    `== Nezha TrainTicket, ${days.length} day${days.length === 1 ? '' : 's'}: Orrery's findings per day, per fault type and over all faults`,
    table(['day', 'faults', 'AC@1', 'AC@3', 'AC@5'], rows, new Set([1, 2, 3, 4])),
    '',
    `target AC@1 ≥ ${TARGET_AC1} over all faults (beats Nezha's 0.867): ${hitAt(all, 1) >= TARGET_AC1 ? 'met' : 'not met'}`,
    `run time ${seconds.toFixed(1)} s${opts.out ? `; rankings written to ${opts.out}` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
