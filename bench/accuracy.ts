// `npm run bench -- accuracy <example|demo-commands|nezha|bugloc|dupes> [--data DIR] [--out FILE]`: how
// often Orrery's analysis ranks the right answer first, on datasets with ground truth. Each
// mode lives in bench/lib/accuracy-<mode>.ts and exports run(opts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parseOrExit } from './lib/options.js';
import { BENCH_DIR } from './lib/paths.js';

const MODES = ['example', 'demo-commands', 'nezha', 'bugloc', 'dupes'] as const;
type Mode = (typeof MODES)[number];

const USAGE = `usage: npm run bench -- accuracy <${MODES.join('|')}> [--data DIR] [--out FILE]

  example   investigations of the demo world, scored against its truth files: one world per
            scenario [--scenario NAME] [--seed N] [--duration 4m] [--keep]
  demo-commands
            the default all-scenario demo; every command its "Try:" block prints, run and
            checked against the truth files [--seed N] [--duration D] [--keep]
  nezha     root-cause service ranking on Nezha TrainTicket (AC@1/3/5) per day, per fault type
            and over all days; DIR holds one day's rca_data/<day>/ and construct_data/ (default:
            every nezha-trainticket/trainticket-*.tar.xz in ../shared/datasets, each extracted once
            into the bench cache)
  bugloc    ticket text → source files (Hit@1/5/10, MRR@10, MAP@10); DIR holds source/,
            reports/ and goldset/ (default: ../shared/datasets/bug-localization-ecf)
  dupes     duplicate tickets (Recall@1/5/10); DIR holds one *_bugs.csv and one
            *_duplicates.csv, columns read by name (default: ../shared/datasets/duplicate-tickets-seamonkey)

Options:
  --data DIR    the dataset folder (already unpacked), laid out as above
  --out FILE    write one JSON line per case: {"case": "<id>", "ranked": ["<answer>", …]}
  --help        this text`;

export interface AccuracyOptions {
  data?: string;
  out?: string;
  /** Extra mode-specific arguments. */
  rest: string[];
}

interface Parsed extends AccuracyOptions {
  mode: Mode;
}

function parse(args: string[]): Parsed | 'help' {
  const { values, positionals } = parseArgs({
    args,
    strict: false,
    allowPositionals: true,
    options: { data: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  const [mode] = positionals;
  if (!mode) throw new Error('name a mode');
  // Everything but the mode, --data and --out goes to the mode (e.g. example's --duration 3m).
  const rest: string[] = [];
  let modeSeen = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!modeSeen && a === mode) {
      modeSeen = true;
      continue;
    }
    if (a === '--data' || a === '--out') i++;
    else if (!a.startsWith('--data=') && !a.startsWith('--out=')) rest.push(a);
  }
  if (!(MODES as readonly string[]).includes(mode)) throw new Error(`unknown mode "${mode}"`);
  if (values.data !== undefined && (typeof values.data !== 'string' || !existsSync(values.data))) {
    throw new Error(`--data ${String(values.data)}: no such folder`);
  }
  return { mode: mode as Mode, data: values.data as string | undefined, out: values.out as string | undefined, rest };
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const file = join(BENCH_DIR, 'lib', `accuracy-${opts.mode}.ts`);
  if (!existsSync(file)) {
    process.stderr.write(`accuracy ${opts.mode}: not built yet (${file} is missing)\n`);
    return 1;
  }
  const mod = (await import(pathToFileURL(file).href)) as { run(o: AccuracyOptions): Promise<number> };
  return mod.run({ data: opts.data, out: opts.out, rest: opts.rest });
}
