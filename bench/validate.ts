// `npm run bench -- validate [review] [--duration 4m] [--seed N] [--keep]`: checks of Orrery's
// judgements against the example world's truth. `review` (the default, for now the only part):
// every commit of the shop's history reviewed as of its own deploy (bench/lib/validate-review.ts),
// each culprit rated high with a reason in its file, at most 20% of benign commits rated high.
// Exits 1 when a check fails.
import { parseArgs } from 'node:util';
import { parseDuration } from '../src/demo/index.js';
import { parseOrExit } from './lib/options.js';
import { reviewTable, validateReview } from './lib/validate-review.js';

const PARTS = ['review'] as const;

const USAGE = `usage: npm run bench -- validate [${PARTS.join('|')}] [--duration 4m] [--seed N] [--keep]

  review   the example world runs once with its three bad-deploy scenarios; every commit of the
           shop's history is reviewed (POST /api/reviews) as of its own deploy and scored
           against the culprits: each rated high with a reason in its file, at most 20% of the
           benign commits rated high

Options:
  --duration D   the world's load phase (default 4m)
  --seed N       the load's seed (default 1)
  --keep         keep the world's folder (store, repository, logs, truth)
`;

interface Options {
  parts: string[];
  durationS: number;
  seed: number;
  keep: boolean;
}

function parse(args: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '4m' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const parts = positionals.length ? positionals : [...PARTS];
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown part ${unknown.join(', ')}`);
  if (!/^\d+$/.test(values.seed!)) throw new Error(`--seed must be a whole number, not "${values.seed}"`);
  return { parts, durationS: parseDuration(values.duration!), seed: Number(values.seed), keep: values.keep! };
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  let ok = true;
  if (opts.parts.includes('review')) {
    const v = await validateReview({
      durationS: opts.durationS,
      seed: opts.seed,
      keep: opts.keep,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`\n## review\n\n${reviewTable(v)}\n`);
    ok &&= v.pass;
  }
  return ok ? 0 : 1;
}
