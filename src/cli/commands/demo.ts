// `orrery demo`: build the example world (the instrumented shop, its history, deploys, faults
// and tickets) on an embedded store and leave it running. `npm start` runs this.
import type { Command } from 'commander';
import {
  DemoError,
  type DemoWorld,
  SCENARIO_NAMES,
  ScenarioError,
  SettingError,
  nextSteps,
  parseDuration,
  parseSettings,
  runDemo,
  selectScenarios,
  settableServices,
  streamOutput,
} from '../../demo/index.js';
import { loadConfig } from '../../config/index.js';
import { CliError, EXIT } from '../client.js';
import { renderDoctor, runDoctor } from '../doctor/index.js';

export interface DemoFlags {
  scenario: string;
  duration: string;
  seed: string;
  dir: string;
  port: string;
  otlpPort: string;
  otlpGrpcPort: string;
  users: string;
  accounts: string;
  rps: string;
  set: string[];
  exitWhenReady?: boolean;
}

const collect = (v: string, all: string[]) => [...all, v];

function whole(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} must be a whole number from ${min} to ${max}, not "${v}"`, EXIT.usage);
  return n;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'build the example world (an instrumented shop with history, deploys, faults and tickets) and leave it running',
    )
    .option('--scenario <name>', `all, none (steady traffic), or one of: ${SCENARIO_NAMES.join(', ')}`, 'all')
    .option('--duration <d>', 'traffic phase: short (45 s, for CI), normal (150 s), or a time like 90s or 5m', 'normal')
    .option('--seed <n>', 'seed for users, shopping and tickets (same seed, same world)', '42')
    .option('--dir <dir>', 'demo folder: store, shop repository, logs, truth files (wiped at start)', '.orrery-demo')
    .option('--port <port>', 'Orrery API port', '8470')
    .option('--otlp-port <port>', 'Orrery OTLP/HTTP port', '4318')
    .option('--otlp-grpc-port <port>', 'Orrery OTLP/gRPC port', '4317')
    .option('--users <n>', 'shoppers', '400')
    .option('--accounts <n>', 'customer accounts the shoppers belong to', '90')
    .option('--rps <n>', 'storefront requests per second at 1× traffic', '20')
    .option(
      '--set <service.setting=value>',
      'override a manifest for every deploy (repeatable): replicas, cpu, hpa.min, hpa.max, env.<NAME>',
      collect,
      [],
    )
    .option('--exit-when-ready', 'stop everything once the world is built (the store stays in --dir)')
    .addHelpText(
      'after',
      `
Scenarios (each reproducible from --seed, each with its own deploys):
  cart-badge         a cart refactor miscounts items and throws for discounted items;
                     the header's cart badge shows 0, customers file tickets
  slow-dependency    a payments deploy adds an N+1 call; checkout p95 regresses, no errors
  inventory-timeout  a config change makes "retrying inventory reservation" warnings spike
  capacity           three times the traffic saturates catalog at its replica count
  network-delay      40 ms each way on every call into and out of cart (no deploy)
  cpu-saturation     payments burns CPU in every request and queues (no deploy)
  none               steady traffic at --rps: no deploy, fault or surge (to measure)
Background noise runs in all: other tickets, benign warnings, deploys of other services.
With one scenario, its fault starts two minutes before the traffic phase ends and holds.

The shop runs as its manifests (deploy/k8s/*.yaml) say: each service's replicas behind a
balancer, each replica held to its CPU limit (CFS-style: stopped for the rest of a 100 ms
period once it used its share), catalog scaled by its HPA on CPU, and the env values the
code reads (catalog's DB_POOL_SIZE is a real pool of connections). --set overrides that:
  catalog.replicas=3            3 replicas (an HPA on the service is pinned to 3)
  cart.cpu=500m                 the CPU limit per replica (millicores, or cores: 0.5)
  catalog.hpa.min=2             the HPA's bounds (catalog.hpa.max=6)
  catalog.env.DB_POOL_SIZE=2    an env value the service's manifest declares
An unknown service, setting or env name exits 2. Orrery still imports the manifests as the
repository has them: --set is a change to the running world, not to the repository.

The world's Orrery runs on an embedded store in <dir>/store; the shop's repository, service
logs and each scenario's ground truth (<dir>/world/truth/*.json) are in <dir>/world.
While it runs, every other command works against it (default --server).
Later, look at the same store again with: orrery up --data-dir <dir>/store

Examples:
  orrery demo
  orrery demo --scenario cart-badge --duration 3m
  orrery demo --scenario all --duration short --exit-when-ready
  orrery demo --scenario none --rps 40 --set catalog.replicas=3 --set catalog.env.DB_POOL_SIZE=2`,
    )
    .action(async (flags: DemoFlags) => {
      let world: DemoWorld;
      try {
        const settings = parseSettings(flags.set, settableServices());
        const ports = {
          port: whole('port', flags.port, 1, 65535),
          otlpPort: whole('otlp-port', flags.otlpPort, 1, 65535),
          otlpGrpcPort: whole('otlp-grpc-port', flags.otlpGrpcPort, 1, 65535),
        };
        // Every flag is checked before the preflight, so a usage error answers at once.
        const options = {
          scenarios: selectScenarios(flags.scenario),
          durationS: parseDuration(flags.duration),
          seed: whole('seed', flags.seed, 0, 2 ** 31 - 1),
          dir: flags.dir,
          ...ports,
          users: whole('users', flags.users, 10, 100_000),
          accounts: whole('accounts', flags.accounts, 1, 100_000),
          baseRps: whole('rps', flags.rps, 1, 1000),
          settings,
          out: streamOutput(process.stdout),
        };
        await preflight(ports);
        world = await runDemo(options);
      } catch (err) {
        if (err instanceof ScenarioError || err instanceof SettingError) throw new CliError(err.message, EXIT.usage);
        if (err instanceof DemoError) throw new CliError(err.message, EXIT.failure);
        throw err;
      }
      if (flags.exitWhenReady) {
        process.stdout.write(
          `\nThe world is ready (${(world.readyMs / 1000).toFixed(0)} s); stopping. Truth files: ${world.truthDir}\n`,
        );
        await world.stop();
        return;
      }
      world.keepDriving();
      process.stdout.write(nextSteps(world));
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stdout.write(`\n${signal}: stopping the shop and Orrery…\n`);
          world.stop().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

/**
 * `orrery doctor`'s checks of this machine and the demo's ports, before anything starts; only
 * the problems are printed (the demo makes its own store, so the store's checks are left out).
 * A problem does not stop the demo here: the step it breaks fails with its own message.
 */
async function preflight(ports: { port: number; otlpPort: number; otlpGrpcPort: number }): Promise<void> {
  const config = loadConfig({}, { host: '127.0.0.1', ...ports });
  const report = await runDoctor(config, { skipStore: true });
  const failures = renderDoctor(report, { onlyFailures: true });
  if (failures) process.stderr.write(`orrery doctor found:\n${failures}\n`);
}
