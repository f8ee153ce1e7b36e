// `orrery sentry project create|list`: Sentry projects and their DSN keys. A DSN's key is public
// (it ships in browser bundles), so it is a `sentry-ingest` key that may only post events to its
// own project; only its hash is stored, and it is printed once, inside the DSN.
import type { Command } from 'commander';
import type { SentryProject, SentryProjectCreated } from '../../model/index.js';
import { sentryProjectNameProblem } from '../../store/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';

export function registerSentry(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const sentry = program
    .command('sentry')
    .description('Sentry SDK ingest: projects and the DSNs their SDKs send to (docs/sentry.md)');
  const project = sentry.command('project').description('create and list Sentry projects');

  project
    .command('create <name>')
    .description(
      'create a project and its DSN key, and print the DSN once; events go to the service NAME unless they name their own',
    )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
The DSN is http://<key>@<host>:<port>/<project id>, with the host and port this command reached
the server at (--server). Point an SDK at it, e.g. Sentry.init({ dsn }) in @sentry/node.
The key can only post events to this project (POST /api/<id>/envelope/ and /store/). To replace
it, revoke it (orrery token revoke sentry:NAME) and run create again: the project keeps its id.

Examples:
  orrery sentry project create checkout
  orrery --server https://orrery.internal sentry project create web-frontend`,
    )
    .action(async (name: string, f: { json?: boolean }, cmd: Command) => {
      const problem = sentryProjectNameProblem(name);
      if (problem) throw new CliError(`project name "${name}": ${problem}`, EXIT.usage);
      const made = await client(cmd).api.request<SentryProjectCreated>('POST', 'api/sentry/projects', { name });
      if (f.json) return void process.stdout.write(`${JSON.stringify(made, null, 2)}\n`);
      process.stdout.write(
        `Created the Sentry project "${made.project.name}" (id ${made.project.id}). Its DSN is shown only this once:\n\n  ${made.dsn}\n\n` +
          `Events go to the service "${made.project.name}" unless they carry a service tag or a server_name.\n`,
      );
    });

  project
    .command('list')
    .description('list Sentry projects (never their keys)')
    .option('--json', 'print JSON')
    .action(async (f: { json?: boolean }, cmd: Command) => {
      const res = await client(cmd).api.request<{ projects: SentryProject[] }>('GET', 'api/sentry/projects');
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['id', 'name', 'live keys', 'created'],
          res.projects.map((p) => [p.id, p.name, p.keys, String(p.createdAt)]),
        )}\n`,
      );
    });
}
