// `orrery infra` (to be filled in).
import type { Command } from 'commander';
import type { GlobalOptions } from '../client.js';

export function registerInfra(_program: Command, _client: (cmd: Command) => GlobalOptions): void {}
