// `orrery simulate load|show|list`: run a load simulation on the server (calibrated on a window
// of its telemetry and infrastructure) and print it as Markdown or JSON, show a stored
// simulation (of any kind), list them.
import { type Command, Option } from 'commander';
import {
  MAX_FACTOR,
  SimulationInputError,
  parseSetLine,
  parseWindow,
  simulationMarkdown,
} from '../../analysis/index.js';
import type { Simulation, SimulationSummary } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';
import { timeFlag } from '../time-flag.js';

export type Format = 'md' | 'json';

/** A simulation as Markdown (with how to see every figure) or as JSON. */
export function print(run: Simulation, format: Format): void {
  if (format === 'json') return void process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(simulationMarkdown(run.result, { id: run.id }));
  process.stdout.write(`\nsimulation ${run.id} (orrery simulate show ${run.id} --format json for every figure)\n`);
}

export const formatOption = () =>
  new Option('--format <format>', 'md (Markdown) or json').choices(['md', 'json']).default('md');

/** A usage error (exit 2) from a bad flag value, with the flag's name. */
export function usage(flag: string, err: unknown): never {
  if (err instanceof SimulationInputError) throw new CliError(`${flag}: ${err.message}`, EXIT.usage);
  throw err;
}

function factorOf(v: string): number {
  const n = Number(v);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(v) || !(n > 0) || n > MAX_FACTOR)
    throw new CliError(
      `--factor must be a number above 0 and at most ${MAX_FACTOR} (e.g. 3 or 1.5), not "${v}"`,
      EXIT.usage,
    );
  return n;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerSimulateLoad(sim: Command, client: (cmd: Command) => GlobalOptions): void {
  sim
    .command('load')
    .description(
      'p50/p95 latency and error rate per entry endpoint, utilization and queueing per service, the first bottleneck and the load factor at which latency takes off',
    )
    .requiredOption('--factor <x>', 'multiply the calibrated traffic by this (e.g. 3, or 1.5)')
    .option(
      '--endpoint <endpoint>',
      'scale only this entry endpoint ("service endpoint", or an endpoint one service serves)',
    )
    .option(
      '--set <service.setting=value>',
      'what if: replicas, workers, cpu (limit: 500m, 2), pool, timeout (800ms), retries, or env.NAME (e.g. catalog.env.DB_POOL_SIZE=4); repeatable',
      collect,
      [] as string[],
    )
    .option('--window <length>', 'calibrate on this much telemetry before --until (30m, 2h; 1 min to 24 h)', '30m')
    .option('--until <time>', 'the calibration window ends here (ISO, epoch ms, or an age like 1h; default now)')
    .addOption(formatOption())
    .action(
      async (
        f: { factor: string; endpoint?: string; set: string[]; window: string; until?: string; format: Format },
        cmd: Command,
      ) => {
        const factor = factorOf(f.factor);
        for (const s of f.set) {
          try {
            parseSetLine(s);
          } catch (err) {
            usage('--set', err);
          }
        }
        try {
          parseWindow(f.window);
        } catch (err) {
          usage('--window', err);
        }
        const body = {
          kind: 'load',
          factor,
          ...(f.endpoint ? { endpoint: f.endpoint } : {}),
          set: f.set,
          window: f.window,
          ...(f.until ? { until: timeFlag('until', f.until) } : {}),
        };
        const res = await client(cmd).api.request<{ simulation: Simulation }>('POST', 'api/simulations', body);
        print(res.simulation, f.format);
      },
    );

  sim
    .command('show <id>')
    .description('a stored simulation')
    .addOption(formatOption())
    .action(async (id: string, f: { format: Format }, cmd: Command) => {
      if (!/^\d+$/.test(id) || Number(id) < 1)
        throw new CliError(`simulation id "${id}" must be a positive number (see orrery simulate list)`, EXIT.usage);
      const res = await client(cmd).api.request<{ simulation: Simulation }>('GET', `api/simulations/${id}`);
      print(res.simulation, f.format);
    });

  sim
    .command('list')
    .description('simulations, newest first')
    .option('--limit <n>', 'at most this many', '50')
    .addOption(formatOption())
    .action(async (f: { limit: string; format: Format }, cmd: Command) => {
      const res = await client(cmd).api.request<{ simulations: SimulationSummary[] }>(
        'GET',
        `api/simulations?limit=${encodeURIComponent(f.limit)}`,
      );
      if (f.format === 'json') return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      const what = (s: SimulationSummary) =>
        s.request.kind === 'load'
          ? `load ${s.request.factor}×${s.request.endpoint ? ` ${s.request.endpoint}` : ''}${s.request.set.length ? ` ${s.request.set.map((x) => `--set ${x}`).join(' ')}` : ''}`
          : s.request.kind === 'failure'
            ? `failure ${s.request.service} ${s.request.mode}`
            : s.request.deploy !== null
              ? `change: deploy ${s.request.deploy}`
              : `change ${s.request.range}${s.request.repository ? ` --repo ${s.request.repository}` : ''}`;
      process.stdout.write(
        `${table(
          ['id', 'created', 'simulation', 'window', 'algorithm'],
          res.simulations.map((s) => [
            s.id,
            s.createdAt,
            what(s),
            s.window ? `${s.window.since} – ${s.window.until}` : '',
            s.algorithm,
          ]),
        )}\n`,
      );
    });
}
