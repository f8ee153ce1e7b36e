// `orrery deploy record|list|show`: deploys, recorded from CI or a person, or inferred from
// telemetry, each with the commit range it shipped.
import type { Command } from 'commander';
import type { CommitRange, Deploy, DeployDetail, DeployVerification } from '../../model/index.js';
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
  orrery deploy show 42                                              # with the commits it shipped
  orrery deploy verify 42 --wait                                     # healthy 0, regressed 4, inconclusive 5`,
    );
  registerDeployVerify(deploy, client);

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
          ['id', 'deployed', 'service', 'env', 'version', 'commit', 'range base', 'how', 'source', 'verdict'],
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
            d.verdict?.verdict ?? '',
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

// ---------------------------------------------------------------------------------------
// deploy verify

interface VerifyFlags {
  wait?: boolean;
  json?: boolean;
  timeout: string;
  interval: string;
}

/** Seconds from `90s`, `10m`, `1h` or a bare number of seconds. */
export function durationSeconds(flag: string, arg: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(arg.trim());
  if (!m) throw new CliError(`--${flag} must be a time like 90s, 10m or 1h, not "${arg}"`, EXIT.usage);
  const s = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  if (!(s > 0)) throw new CliError(`--${flag} must be more than 0`, EXIT.usage);
  return s;
}

function verificationText(v: DeployVerification): string {
  const lines = [
    `deploy ${v.deployId}: ${v.service} ${v.version}${v.environment ? ` (${v.environment})` : ''}${v.previousVersion ? ` (was ${v.previousVersion})` : ''}, deployed ${v.deployedAt}`,
    `verdict: ${v.verdict}${v.decidedAt ? ` (decided at ${v.decidedAt})` : ` (watching: ${v.watch.looks} of ${v.watch.minutes} minutes, until ${v.watch.endsAt})`}`,
    v.summary,
    `traffic: ${v.traffic.before} before, ${v.traffic.after} after (${v.traffic.minimum} needed on each side); alpha ${v.alpha.overall}`,
  ];
  if (v.problemId !== null) lines.push(`problem: ${v.problemId} (orrery triage show ${v.problemId})`);
  if (v.findings.length) {
    lines.push('');
    for (const f of v.findings) {
      lines.push(`${f.id} [${f.kind}] ${f.title}`);
      for (const e of f.evidence) lines.push(`     ${e.summary}${e.query ? `  ${e.query}` : ''}`);
    }
  }
  return lines.join('\n');
}

export function registerDeployVerify(deploy: Command, client: (cmd: Command) => GlobalOptions): void {
  deploy
    .command('verify <id>')
    .description("a deploy's verdict: healthy, regressed or inconclusive (too little traffic, or a confound)")
    .option('--wait', 'wait until the verdict is decided (the watch window ends at most), polling')
    .option('--timeout <time>', 'with --wait, give up after this long (90s, 10m, 1h); exit 1', '15m')
    .option('--interval <time>', 'with --wait, ask this often', '15s')
    .option('--json', 'print the verification as JSON')
    .addHelpText(
      'after',
      `
The verdict comes from sequential tests of the deployed version against the one before it over
the 30 minutes before the deploy: error share and latency per endpoint, error groups, WARN/ERROR
log patterns, self time, and calls to each callee (per request, unanswered, own time). A clear
regression is called as soon as it shows (two looks running); healthy and inconclusive wait for
the watch window (ORRERY_VERIFY_WATCH_MINUTES, 10 by default). A rise that started before the
deploy, that follows a load change, or that a callee's own concurrent deploy explains is not
called the deploy's.

Exit codes (for a pipeline gating a rollout on it):
  0  healthy
  4  regressed
  5  inconclusive, or still watching without --wait
  1  the server failed, the token was refused, or --timeout passed first
  2  usage: a bad id or flag, or no such deploy
  3  the server could not be reached

Examples:
  orrery deploy verify 42
  orrery deploy verify 42 --wait --timeout 15m      # in CI, after the rollout
  orrery deploy verify 42 --json | jq .findings`,
    )
    .action(async (id: string, f: VerifyFlags, cmd: Command) => {
      if (!/^\d+$/.test(id))
        throw new CliError(`deploy id "${id}" must be a number (see orrery deploy list)`, EXIT.usage);
      const timeoutMs = durationSeconds('timeout', f.timeout) * 1000;
      const intervalMs = durationSeconds('interval', f.interval) * 1000;
      const api = client(cmd).api;
      const deadline = Date.now() + timeoutMs;
      let v: DeployVerification;
      for (;;) {
        try {
          v = await api.request<DeployVerification>('GET', `api/deploys/${id}/verification`);
        } catch (err) {
          // 4 is the regressed verdict here: a refused token is a failure to verify.
          if (err instanceof CliError && err.exitCode === EXIT.auth) throw new CliError(err.message, EXIT.failure);
          throw err;
        }
        if (!f.wait || v.verdict !== 'watching') break;
        if (Date.now() + intervalMs > deadline) {
          if (f.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
          throw new CliError(
            `deploy ${id} is still watched (${v.watch.looks} of ${v.watch.minutes} minutes) after --timeout ${f.timeout}`,
            EXIT.failure,
          );
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
      process.stdout.write(f.json ? `${JSON.stringify(v, null, 2)}\n` : `${verificationText(v)}\n`);
      if (v.verdict === 'healthy') return;
      throw new CliError(
        v.verdict === 'regressed'
          ? `deploy ${id} regressed`
          : v.verdict === 'watching'
            ? `deploy ${id} is still watched: no verdict yet (--wait waits for it)`
            : `deploy ${id} is inconclusive`,
        v.verdict === 'regressed' ? EXIT.regressed : EXIT.inconclusive,
      );
    });
}
