// `orrery tickets` (to be filled in).
import type { Command } from 'commander';
import type { GlobalOptions } from '../client.js';

export function registerTickets(_program: Command, _client: (cmd: Command) => GlobalOptions): void {}
