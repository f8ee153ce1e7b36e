// `npm run bench -- remediate [--scenarios a,b] [--seed N]`: each fault scenario of the example
// world, in a fresh world of its own, from the fault to Orrery's proposal, two people's approval,
// the action on the world's supervisor and what followed (bench/lib/remediate-run.ts). Prints per
// scenario the proposal's kind, whether it is the right fix the truth file states, the predicted
// and the measured error rate and p95 after the action, and the time to recovery (both measured
// from the load driver's own timings); writes a JSON summary to bench/out/remediate-<time>.json
// and exits 1 when a target is missed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  SCENARIO_NAMES,
  type ScenarioName,
  parseDuration,
  parseScenariosFile,
  shopSourceDir,
} from '../src/demo/index.js';
import { table } from './lib/format.js';
import { fileStamp, parseOrExit, whole } from './lib/options.js';
import { OUT_DIR } from './lib/paths.js';
import {
  ERROR_TOLERANCE,
  MEASURE_MS,
  MIN_MEASURED_REQUESTS,
  MIN_WINDOW_REQUESTS,
  P95_FLOOR_MS,
  P95_TOLERANCE,
  RECOVERY_CONFIRM,
  RECOVERY_WINDOW_MS,
  SETTLE_MS,
  effectMet,
} from './lib/remediate-measure.js';
import { RECOVERY_TARGET_S, type ScenarioResult, runScenario } from './lib/remediate-run.js';

/** The scenarios whose definition states a right fix (scenarios.json `rightFix`). */
function remediable(): ScenarioName[] {
  const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
  return SCENARIO_NAMES.filter((s) => file.scenarios[s]?.rightFix !== undefined);
}

const USAGE = `usage: npm run bench -- remediate [--scenarios LIST] [--seed N] [options]

For each scenario, a fresh example world (the demo's, with that scenario alone: its fault two
minutes before the traffic phase ends, and held). When the world is ready its traffic resumes at
the fault's level; 30 s later the alert on the storefront (web) is investigated and proposals are
made from the investigation (POST /api/proposals, as \`orrery propose investigation <id>\`). The
first proposal is judged against the truth file's right fix, approved by the demo's approver
tokens until it counts as approved (two for high risk; the bench proposes anonymously, so no
proposer's vote), run on the world's supervisor (POST /api/proposals/:id/execute) and watched.

Measured by the load driver (the shoppers' own timings, not Orrery's), per storefront endpoint:
  baseline   requests sent from 20 s into the traffic phase to the fault's onset
  recovery   the first moment after the action's start from which ${RECOVERY_CONFIRM} windows of ${RECOVERY_WINDOW_MS / 1000} s in a row
             (10 s apart) are healthy: every endpoint with ≥ ${MIN_WINDOW_REQUESTS} requests has an error rate
             within ${ERROR_TOLERANCE * 100} points of its baseline and a p95 within ${P95_TOLERANCE * 100}% (or ${P95_FLOOR_MS} ms) of it
  after      requests sent from ${SETTLE_MS / 1000} s after the action ended, for ${MEASURE_MS / 1000} s, against the proposal's
             simulated effect (endpoints with ≥ ${MIN_MEASURED_REQUESTS} requests)

Targets: the right proposal first for every scenario; predicted error rate within ${ERROR_TOLERANCE * 100} points
and p95 within ${P95_TOLERANCE * 100}% of the measured; recovery under ${RECOVERY_TARGET_S} s.

Options:
  --scenarios LIST   scenarios to run (default: those whose definition states a right fix:
                     ${remediable().join(',')})
  --seed N           the shoppers' seed (default 42, the demo's)
  --duration D       each world's traffic phase before it is ready (default 4m: two minutes of
                     baseline, then two of the fault)
  --watch M          the worlds' Orrery's watch window for outcomes, in minutes (default 3)
  --keep             keep the worlds' folders
  --help             this text

Slow: about ten minutes a scenario. Timings on a busy host are noisy; the host's load average
is printed with each scenario.`;

interface Options {
  scenarios: ScenarioName[];
  seed: number;
  durationS: number;
  watchMinutes: number;
  keep: boolean;
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      scenarios: { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      watch: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const fixable = remediable();
  let scenarios = fixable;
  if (values.scenarios !== undefined) {
    const xs = values.scenarios.split(',').map((x) => x.trim());
    const bad = xs.filter((x) => !(fixable as string[]).includes(x));
    if (bad.length || xs.length === 0)
      throw new Error(
        `--scenarios: ${bad.join(', ') || '(none)'} states no right fix; choose from ${fixable.join(', ')}`,
      );
    scenarios = xs as ScenarioName[];
  }
  const durationS = parseDuration(values.duration ?? '4m');
  if (durationS < 150) throw new Error('--duration must leave the fault a baseline before it: at least 150s');
  return {
    scenarios,
    seed: whole('seed', values.seed, 42, 0, 2 ** 31 - 1),
    durationS,
    watchMinutes: whole('watch', values.watch, 3, 1, 30),
    keep: values.keep === true,
  };
}

const yes = (b: boolean | null) => (b === null ? 'n/a' : b ? 'yes' : 'NO');
const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const ms = (x: number | null) => (x === null ? 'n/a' : `${Math.round(x)} ms`);

function rows(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'first proposal',
      'right',
      'tier',
      'approvals',
      'executed',
      'fault seen',
      'recovery',
      '< 2 min',
      'prediction within',
      "Orrery's outcome",
      'host load',
    ],
    results.map((r) => {
      const p = r.proposals[0];
      return [
        r.scenario,
        p ? p.what : `none${r.notes.length ? ` (${r.notes[0]})` : ''}`,
        yes(r.verdict ? r.verdict.right : false),
        p?.tier ?? '-',
        `${r.approvals.given.length}/${r.approvals.needed}`,
        r.execution ? `${r.execution.status} in ${r.execution.seconds?.toFixed(1)} s` : '-',
        yes(r.execution ? r.faultSeen : null),
        r.recovery.afterS === null ? 'not seen' : `${r.recovery.afterS} s`,
        yes(r.recovery.afterS !== null && r.recovery.afterS < RECOVERY_TARGET_S),
        r.effect.length ? yes(effectMet(r.effect)) : `n/a${r.simulationNote ? ` (${r.simulationNote})` : ''}`,
        r.outcome ? `${r.outcome.verdict}${r.outcome.afterS !== null ? ` after ${r.outcome.afterS} s` : ''}` : '-',
        `${r.hostLoad.start.toFixed(1)} → ${r.hostLoad.end.toFixed(1)}`,
      ];
    }),
  );
}

function effects(results: readonly ScenarioResult[]): string {
  return table(
    [
      'scenario',
      'endpoint',
      'predicted errors',
      'measured',
      'within 5 pts',
      'predicted p95',
      'measured',
      'within 25%',
      'requests',
    ],
    results.flatMap((r) =>
      r.effect.map((e) => [
        r.scenario,
        e.endpoint,
        pct(e.predicted.errorRate),
        pct(e.measured.errorRate),
        yes(e.errorWithin),
        ms(e.predicted.p95Ms),
        ms(e.measured.p95Ms),
        yes(e.p95Within),
        String(e.measured.requests),
      ]),
    ),
  );
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const startedAt = new Date();
  const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  log(
    `remediate: ${opts.scenarios.join(', ')}; seed ${opts.seed}; ${opts.durationS} s of traffic a world; watch ${opts.watchMinutes} min`,
  );
  const results: ScenarioResult[] = [];
  for (const scenario of opts.scenarios) results.push(await runScenario({ ...opts, scenario, log }));

  process.stdout.write(`\n## remediation, scenario by scenario (seed ${opts.seed})\n\n${rows(results)}\n`);
  process.stdout.write(`\n## predicted vs measured after the action (the shoppers' timings)\n\n${effects(results)}\n`);
  for (const r of results) {
    if (r.verdict) process.stdout.write(`  ${r.scenario}: ${r.verdict.right ? 'right' : 'wrong'}: ${r.verdict.why}\n`);
    for (const p of r.proposals.slice(1))
      process.stdout.write(`  ${r.scenario}: also proposed ${p.what} (${p.tier})\n`);
    for (const n of r.notes) process.stdout.write(`  ${r.scenario}: note: ${n}\n`);
    if (r.recovery.unhealthy.length)
      process.stdout.write(`  ${r.scenario}: still out of bounds: ${r.recovery.unhealthy.join('; ')}\n`);
    if (r.outcome) process.stdout.write(`  ${r.scenario}: Orrery's outcome: ${r.outcome.summary}\n`);
    if (r.error) process.stdout.write(`  ${r.scenario}: ERROR ${r.error}\n`);
  }
  const right = results.every((r) => r.verdict?.right === true);
  const predicted = results.every((r) => effectMet(r.effect));
  const recovered = results.every((r) => r.recovery.afterS !== null && r.recovery.afterS < RECOVERY_TARGET_S);
  process.stdout.write(
    `\ntargets: right proposal first for every scenario: ${yes(right)}; predicted error rate within ${ERROR_TOLERANCE * 100} points and p95 within ${P95_TOLERANCE * 100}% of measured: ${yes(predicted)}; recovery under ${RECOVERY_TARGET_S} s: ${yes(recovered)}\n`,
  );
  process.stdout.write('timings come from a shared, busy host: read them as noisy.\n');
  mkdirSync(OUT_DIR, { recursive: true });
  const file = join(OUT_DIR, `remediate-${fileStamp(startedAt)}.json`);
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), options: opts, results }, null, 2)}\n`);
  process.stdout.write(`Wrote ${file}\n`);
  return right && predicted && recovered ? 0 : 1;
}
