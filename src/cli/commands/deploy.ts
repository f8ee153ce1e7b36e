// `orrery deploy record|list|show`: deploys, recorded from CI or a person, or inferred from
// telemetry, each with the commit range it shipped.
import type { Command } from 'commander';
import type { CommitRange, Deploy, DeployDetail } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';
import { timeFlag } from '../time-flag.js';

interface RecordFlags {
  service: string;
  version: string;
  commit?: string;
  env?: string;
  at?: string;
  source: string;
  json?: boolean;
}

interface ListFlags {
  service?: string;
  env?: string;
  since?: string;
  limit: string;
  json?: boolean;
}

const short = (sha: string | null) => (sha ? sha.slice(0, 12) : '');

function kindOf(d: Deploy): string {
  if (!d.inferred) return 'recorded';
  return d.attributes.baseline === true ? 'baseline' : 'inferred';
}

function rangeText(r: CommitRange): string {
  const lines: string[] = [];
  const span = r.base ? `${short(r.base)}..${short(r.head)}` : short(r.head);
  if (r.repository) {
    lines.push(
      `commits ${span} in ${r.repository.name}${r.pathPrefix ? ` (service path ${r.pathPrefix})` : ''}: ${r.commits.length}${r.truncated ? '+' : ''}`,
    );
  }
  if (r.commits.length) {
    lines.push(
      table(
        ['sha', 'committed', 'author', 'files', 'message'],
        r.commits.map((c) => [
          short(c.sha),
          c.committedAt ?? c.authoredAt,
          c.authorName,
          `${c.filesTotal}${c.touchesService === false ? ' (other paths)' : ''}`,
          c.message.split('\n')[0],
        ]),
      ),
    );
  }
  if (r.note) lines.push(`note: ${r.note}`);
  return lines.join('\n');
}

export function registerDeploy(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const deploy = program
    .command('deploy')
    .description('record, list and show deploys (recorded, or inferred from service.version in telemetry)')
    .addHelpText(
      'after',
      `
Examples:
  orrery deploy record --service cart --version 1.4.0 --commit 9f8e7d6 --env production
  orrery deploy record --service cart --version 1.4.1 --at 15m      # it went out 15 minutes ago
  orrery deploy list --service cart --since 7d
  orrery deploy show 42                                              # with the commits it shipped`,
    );

  deploy
    .command('record')
    .description('record a deploy; recording the same service, environment and version again updates it')
    .requiredOption('--service <name>', 'the service (service.name)')
    .requiredOption('--version <version>', 'the version deployed (service.version)')
    .option('--commit <sha>', 'the head commit it shipped (7 to 64 hex digits)')
    .option('--env <environment>', 'the environment (deployment.environment.name); default none')
    .option('--at <time>', 'when: ISO timestamp, epoch ms, or an age like 15m (default now)')
    .option('--source <name>', 'who records it, e.g. the CI system', 'cli')
    .option('--json', 'print JSON')
    .action(async (f: RecordFlags, cmd: Command) => {
      const body = {
        service: f.service,
        version: f.version,
        commit: f.commit,
        environment: f.env,
        at: f.at === undefined ? undefined : timeFlag('at', f.at),
        source: f.source,
      };
      const res = await client(cmd).api.request<DeployDetail & { created: boolean }>('POST', 'api/deploys', body);
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      const d = res.deploy;
      process.stdout.write(
        `${res.created ? 'Recorded' : 'Updated'} deploy ${d.id}: ${d.service} ${d.version}${d.environment ? ` (${d.environment})` : ''} at ${d.deployedAt}` +
          `${d.commitSha ? `, commit ${short(d.commitSha)}` : ''}\n${rangeText(res.range)}\n`,
      );
    });

  deploy
    .command('list')
    .description('deploys, newest first')
    .option('--service <name>', 'only this service')
    .option('--env <environment>', 'only this environment')
    .option('--since <time>', 'from this time: ISO timestamp, epoch ms, or an age like 7d')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (f: ListFlags, cmd: Command) => {
      const p = new URLSearchParams();
      if (f.service !== undefined) p.set('service', f.service);
      if (f.env !== undefined) p.set('env', f.env);
      if (f.since !== undefined) p.set('since', timeFlag('since', f.since));
      p.set('limit', f.limit);
      const res = await client(cmd).api.request<{ deploys: Deploy[] }>('GET', `api/deploys?${p}`);
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['id', 'deployed', 'service', 'env', 'version', 'commit', 'range base', 'how', 'source'],
          res.deploys.map((d) => [
            d.id,
            d.deployedAt,
            d.service,
            d.environment,
            d.version,
            short(d.commitSha),
            short(d.previousCommitSha),
            kindOf(d),
            d.source,
          ]),
        )}\n${res.deploys.length} deploys\n`,
      );
    });

  deploy
    .command('show <id>')
    .description('one deploy with the commit range it shipped (from the indexed repository)')
    .option('--service-paths', "only commits touching the service's folder in a monorepo")
    .option('--json', 'print JSON')
    .action(async (id: string, f: { servicePaths?: boolean; json?: boolean }, cmd: Command) => {
      if (!/^\d+$/.test(id))
        throw new CliError(`deploy id "${id}" must be a number (see orrery deploy list)`, EXIT.usage);
      const res = await client(cmd).api.request<DeployDetail>(
        'GET',
        `api/deploys/${id}${f.servicePaths ? '?paths=service' : ''}`,
      );
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      const d = res.deploy;
      const attrs = Object.entries(d.attributes)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(', ');
      process.stdout.write(
        `deploy ${d.id}: ${d.service} ${d.version}${d.environment ? ` (${d.environment})` : ''}\n` +
          `deployed: ${d.deployedAt} (${kindOf(d)}, source ${d.source})\n` +
          `commit: ${d.commitSha ?? '-'}   previous deploy's commit: ${d.previousCommitSha ?? '-'}\n` +
          `${attrs ? `attributes: ${attrs}\n` : ''}\n${rangeText(res.range)}\n`,
      );
    });
}
