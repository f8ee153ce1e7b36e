// `orrery simulate …`: what a change, more load or a failing dependency would do, answered
// from what the store holds. Each kind registers its own subcommand.
import type { Command } from 'commander';
import type { GlobalOptions } from '../client.js';
import { registerSimulateChange } from './simulate-change.js';

export function registerSimulate(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const simulate = program
    .command('simulate')
    .description("simulate instead of reproducing: a change's blast radius (more kinds to come)");
  registerSimulateChange(simulate, client);
}
