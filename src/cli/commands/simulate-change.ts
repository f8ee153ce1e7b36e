// `orrery simulate change <base>..<head> [--repo R] | --deploy ID`: a change's blast radius
// (sim-change@1) from the server, printed as Markdown or JSON.
import type { Command } from 'commander';
import type { BlastRadius } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { timeFlag } from '../time-flag.js';

const REVISION = /^(?!-)[\w./~^@{}:+-]{1,256}$/;

interface Flags {
  repo?: string;
  deploy?: string;
  format: string;
  since?: string;
}

export function registerSimulateChange(simulate: Command, client: (cmd: Command) => GlobalOptions): void {
  simulate
    .command('change [range]')
    .description(
      "a change's blast radius: the functions a diff changed, the code that calls them up to its routes, and the endpoints exposed — runtime-confirmed (traces ran that code) or static-only — with calls per minute, services, users and accounts, open problems and tickets, and owners",
    )
    .option('--repo <name>', 'the indexed repository of the range (needed when several are indexed)')
    .option(
      '--deploy <id>',
      "what a recorded deploy shipped: the previous deploy's commit..its commit (see orrery deploy list)",
    )
    .option('--format <format>', 'md (Markdown) or json', 'md')
    .option('--since <time>', 'start of the telemetry window read (ISO, epoch ms, or an age like 24h; default 7d)')
    .addHelpText(
      'after',
      `
Examples:
  orrery simulate change HEAD~1..HEAD
  orrery simulate change cart/v1.3.1..cart/v1.4.0 --repo shop
  orrery simulate change --deploy 12 --format json

A range is <base>..<head> in git's terms (SHAs, tags, branches, HEAD~2); the repository must
be added and synced (orrery repo add). Endpoints count as exposed when their route's code
reaches a changed function through static calls, when sampled traces ran the changed code,
or when they call such an endpoint of another service (the user-facing entry endpoints are
marked "entry").`,
    )
    .action(async (range: string | undefined, f: Flags, cmd: Command) => {
      if ((range === undefined) === (f.deploy === undefined))
        throw new CliError('give a range <base>..<head> or --deploy <id> (one of them)', EXIT.usage);
      if (f.format !== 'md' && f.format !== 'json')
        throw new CliError(`--format must be md or json, not "${f.format}"`, EXIT.usage);
      const body: Record<string, unknown> = {};
      if (range !== undefined) {
        const parts = range.split('..');
        if (parts.length !== 2 || range.includes('...') || !parts.every((p) => REVISION.test(p)))
          throw new CliError(`"${range}" is not a range: write <base>..<head>, e.g. HEAD~3..HEAD`, EXIT.usage);
        body.range = range;
        if (f.repo !== undefined) body.repository = f.repo;
      } else {
        if (f.repo !== undefined)
          throw new CliError('--repo is for a range; a deploy names its repository', EXIT.usage);
        if (!/^\d{1,15}$/.test(f.deploy!) || Number(f.deploy) < 1)
          throw new CliError(`--deploy must be a deploy id (a positive number), not "${f.deploy}"`, EXIT.usage);
        body.deploy = Number(f.deploy);
      }
      if (f.since !== undefined) body.since = timeFlag('since', f.since);
      const api = client(cmd).api;
      if (f.format === 'md') {
        const res = await api.send('POST', 'api/simulations/change?format=markdown', {
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json', accept: 'text/markdown' },
        });
        process.stdout.write(await res.text());
        return;
      }
      const res = await api.request<{ simulation: { result: BlastRadius } }>('POST', 'api/simulations/change', body);
      process.stdout.write(`${JSON.stringify(res.simulation, null, 2)}\n`);
    });
}
