// `npm run bench -- validate [--parts deploys,review] [--seed N] [--quick]`: Orrery's judgements
// of changes checked against the example world's truth, one part per judgement, each in
// bench/lib/validate-<part>.ts: `deploys` deploy verification, `review` change review. Prints
// every figure, writes a JSON summary to bench/out/validate-<timestamp>.json and exits 1 when a
// check fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName, parseDuration, selectScenarios } from '../src/demo/index.js';
import { fileStamp, parseOrExit, whole } from './lib/options.js';
import { OUT_DIR } from './lib/paths.js';
import { DEPLOYS_DEFAULTS, MIN_BENIGN, deploysReport, validateDeploys } from './lib/validate-deploys.js';
import { reviewTable, validateReview } from './lib/validate-review.js';

const PARTS = ['deploys', 'review'] as const;
/** The review part's own defaults (its world: the three bad-deploy scenarios). */
const REVIEW_DEFAULTS = { duration: '4m', seed: 1 };
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- validate [--parts ${PARTS.join(',')}] [--quick] [options]

Parts:
  deploys   deploy verification (deploy-verify) in the example world, read through the API as a
            rollout gate reads it (GET /api/deploys/:id/verification every 10 s):
            1. the demo's world (every scenario, --duration of traffic, then traffic on at 1×,
               the demo's watch window): each scenario's first bad deploy (its truth file's
               firstBadDeploy) must be called regressed, and within ${180} s of going live;
               every other deploy (the history's harmless ones) healthy or inconclusive;
            2. a world with only benign deploys (${MIN_BENIGN} by default: the history's harmless
               deploys, documentation-only commits and commits touching a function on the hot
               path without changing it, each service's deploys a watch window apart): none
               may be called regressed, and at least half must touch hot-path code (the bench
               checks that the traffic ran the changed function).
            The truth is read by the bench only; Orrery gets the shop's telemetry, deploys and
            repository as in the demo.
  review    the example world runs once with its three bad-deploy scenarios (--duration,
            default 4m; --seed, default 1); every commit of the shop's history is reviewed
            (POST /api/reviews) as of its own deploy and scored against the culprits: each rated
            high with a reason in its file, at most 20% of the benign commits rated high

Options:
  --parts LIST        parts to run (default all: ${PARTS.join(',')}); or name them: validate review
  --seed N            the shoppers' seed (deploys: default 42, the demo's; review: 1); other
                      seeds are worlds the bench was not tuned on
  --scenarios LIST    the example world's scenarios (default all: ${SCENARIO_NAMES.join(',')})
  --duration D        the example world's traffic phase (deploys: default 8m, each bad deploy then has
                      minutes of the version before it; the demo's normal 150 s leaves its
                      first deploys under a minute of it)
  --watch M           the watch window of the worlds' Orrery (default ${DEPLOYS_DEFAULTS.watchMinutes}, the demo's)
  --benign N          benign deploys in the benign-only world (default ${DEPLOYS_DEFAULTS.benign}; quick ${DEPLOYS_DEFAULTS.quickBenign})
  --worlds LIST       example,benign (default both)
  --quick             ${DEPLOYS_DEFAULTS.quickBenign} benign deploys a minute apart (about 20 minutes in all instead of 35)
  --keep              keep the worlds' folders (stores, repositories, logs)
  --help              this text`;

interface Options {
  parts: Part[];
  /** Null: each part's own default. */
  seed: number | null;
  durationS: number | null;
  quick: boolean;
  keep: boolean;
  scenarios: ScenarioName[];
  watchMinutes: number;
  benign: number;
  worlds: Array<'example' | 'benign'>;
}

function list<T extends string>(name: string, v: string | undefined, all: readonly T[]): T[] {
  if (v === undefined) return [...all];
  const xs = v.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !(all as readonly string[]).includes(x));
  if (bad.length || xs.length === 0)
    throw new Error(`--${name}: unknown ${bad.join(', ')}; choose from ${all.join(', ')}`);
  return xs as T[];
}

function parse(args: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      parts: { type: 'string' },
      seed: { type: 'string' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      watch: { type: 'string' },
      benign: { type: 'string' },
      worlds: { type: 'string' },
      quick: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const partsArg = values.parts ?? (positionals.length ? positionals.join(',') : undefined);
  const scenarios =
    values.scenarios === undefined ? [...SCENARIO_NAMES] : values.scenarios.split(',').flatMap(selectScenarios);
  return {
    parts: list('parts', partsArg, PARTS),
    seed: values.seed === undefined ? null : whole('seed', values.seed, 0, 0, 2 ** 31 - 1),
    quick,
    keep: values.keep === true,
    scenarios,
    durationS: values.duration === undefined ? null : parseDuration(values.duration),
    watchMinutes: whole('watch', values.watch, DEPLOYS_DEFAULTS.watchMinutes, 1, 60),
    benign: whole('benign', values.benign, quick ? DEPLOYS_DEFAULTS.quickBenign : DEPLOYS_DEFAULTS.benign, 1, 10),
    worlds: list('worlds', values.worlds, ['example', 'benign'] as const),
  };
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const startedAt = new Date();
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  const summary: Record<string, unknown> = { startedAt: startedAt.toISOString(), options: opts };
  let pass = true;
  if (opts.parts.includes('deploys')) {
    const r = await validateDeploys({
      ...opts,
      seed: opts.seed ?? 42,
      durationS: opts.durationS ?? parseDuration(DEPLOYS_DEFAULTS.duration),
      log,
    });
    process.stdout.write(`\n## deploys: deploy verification\n\n${deploysReport(r)}\n`);
    summary.deploys = r;
    pass &&= r.pass;
  }
  if (opts.parts.includes('review')) {
    const v = await validateReview({
      durationS: opts.durationS ?? parseDuration(REVIEW_DEFAULTS.duration),
      seed: opts.seed ?? REVIEW_DEFAULTS.seed,
      keep: opts.keep,
      log,
    });
    process.stdout.write(`\n## review\n\n${reviewTable(v)}\n`);
    summary.review = v;
    pass &&= v.pass;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `validate-${fileStamp(startedAt)}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\nWrote ${file}\n`);
  return pass ? 0 : 1;
}
