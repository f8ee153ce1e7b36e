// `orrery simulate …`: what more load, a change or a failing dependency would do, answered from
// what the store holds. Each kind registers its own subcommand; show and list read stored runs.
import type { Command } from 'commander';
import type { GlobalOptions } from '../client.js';
import { registerSimulateChange } from './simulate-change.js';
import { registerSimulateFailure } from './simulate-failure.js';
import { registerSimulateLoad } from './simulate-load.js';

export function registerSimulate(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const simulate = program
    .command('simulate')
    .description(
      "predict instead of reproducing: what more load does to each endpoint and service (calibrated on the traces and the infrastructure Orrery holds), what fails when a service fails, and a change's blast radius",
    )
    .addHelpText(
      'after',
      `
Examples:
  orrery simulate load --factor 3
  orrery simulate load --factor 2 --endpoint "web /checkout"
  orrery simulate load --factor 3 --set catalog.replicas=3 --set catalog.env.DB_POOL_SIZE=4
  orrery simulate load --factor 3 --window 2h --format json
  orrery simulate failure --service payments --mode down
  orrery simulate failure --service catalog --mode slow=2s
  orrery simulate show 4
  orrery simulate list
  orrery simulate change HEAD~1..HEAD

A load or failure simulation's every predicted figure carries an interval (10th–90th percentile over the
model's uncertain inputs), and the result lists each input as measured (traces, manifests,
gauges) or assumed. What is modelled, and its limits: docs/simulate.md.`,
    );
  registerSimulateLoad(simulate, client);
  registerSimulateFailure(simulate, client);
  registerSimulateChange(simulate, client);
}
