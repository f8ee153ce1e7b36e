// `orrery propose …` (from an investigation, a problem or a deploy, or an action written by hand)
// and `orrery proposals list|show|approve|reject|execute|undo`: HTTP clients of /api/proposals.
// Approving and rejecting send ORRERY_TOKEN, which must be an approver's: the approval names who
// approves.
import { type Command, Option } from 'commander';
import { ProposalInputError, parseTtl, proposalMarkdown } from '../../analysis/index.js';
import { PROPOSAL_STATUSES, type Proposal, type ProposalSummary } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';

type Format = 'md' | 'json';
const formatOption = () =>
  new Option('--format <format>', 'md (Markdown) or json').choices(['md', 'json']).default('md');

function print(p: Proposal, format: Format): void {
  if (format === 'json') return void process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
  process.stdout.write(proposalMarkdown(p));
}

function idOf(v: string, what = 'proposal'): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`${what} id "${v}" must be a positive number`, EXIT.usage);
  return Number(v);
}

function wholeOf(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new CliError(`${flag} must be a whole number, not "${v}"`, EXIT.usage);
  return Number(v);
}

interface Common {
  reason?: string;
  expires?: string;
  simulate: boolean;
  format: Format;
}

const common = (c: Command) =>
  c
    .option('--reason <text>', 'why (required for an action written by hand)')
    .option('--expires <duration>', 'how long it waits for approval and execution (30m, 4h, 2d; default 4h)')
    .option('--no-simulate', 'skip the simulation of its effect')
    .addOption(formatOption());

export function registerProposals(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const send = async (cmd: Command, f: Common, body: Record<string, unknown>) => {
    if (f.expires !== undefined) {
      try {
        parseTtl(f.expires);
      } catch (err) {
        if (err instanceof ProposalInputError) throw new CliError(`--expires: ${err.message}`, EXIT.usage);
        throw err;
      }
    }
    const res = await client(cmd).api.request<{ proposals: Proposal[]; notes: string[] }>('POST', 'api/proposals', {
      ...body,
      simulate: f.simulate,
      ...(f.expires !== undefined ? { expiresIn: f.expires } : {}),
    });
    if (f.format === 'json') return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    for (const p of res.proposals) process.stdout.write(`${proposalMarkdown(p)}\n`);
    for (const n of res.notes) process.stdout.write(`note: ${n}\n`);
    if (res.proposals.length === 0) process.stdout.write('nothing proposed\n');
    else
      process.stdout.write(
        `\n${res.proposals.map((p) => `proposal ${p.id}: ${p.risk.tier} risk, needs ${p.approval.required} approval${p.approval.required === 1 ? '' : 's'} (orrery proposals approve ${p.id})`).join('\n')}\n`,
      );
  };
  const manual = (cmd: Command, f: Common, action: Record<string, unknown>) => {
    if (!f.reason?.trim()) throw new CliError('--reason is required for a proposal written by hand', EXIT.usage);
    return send(cmd, f, { from: 'manual', action, reason: f.reason });
  };

  const propose = program
    .command('propose')
    .description('propose a remediation: from an investigation, a problem or a deploy, or written by hand');
  for (const from of ['investigation', 'problem', 'deploy'] as const)
    common(propose.command(`${from} <id>`).description(`the actions the proposal rules draw from ${from} <id>`)).action(
      async (id: string, f: Common, cmd: Command) =>
        send(cmd, f, { from, id: idOf(id, from), ...(from === 'deploy' && f.reason ? { reason: f.reason } : {}) }),
    );
  common(
    propose
      .command('verification <deployId>')
      .description('roll back a deploy its verification found regressed (its findings as evidence)'),
  ).action(async (id: string, f: Common, cmd: Command) =>
    send(cmd, f, { from: 'verification', deployId: idOf(id, 'deploy') }),
  );
  common(propose.command('rollback <service>').description('roll the service back to an earlier version'))
    .requiredOption('--to <version>', 'the version to roll back to')
    .option('--environment <env>', 'the deploys environment')
    .action(async (service: string, f: Common & { to: string; environment?: string }, cmd: Command) =>
      manual(cmd, f, {
        kind: 'rollback',
        service,
        toVersion: f.to,
        ...(f.environment ? { environment: f.environment } : {}),
      }),
    );
  common(propose.command('scale <service>').description('set the replicas and/or the HPA minimum'))
    .option('--replicas <n>', 'the Deployment replicas')
    .option('--hpa-min <n>', "the HorizontalPodAutoscaler's minimum")
    .action(async (service: string, f: Common & { replicas?: string; hpaMin?: string }, cmd: Command) =>
      manual(cmd, f, {
        kind: 'scale',
        service,
        ...(f.replicas !== undefined ? { replicas: wholeOf('--replicas', f.replicas) } : {}),
        ...(f.hpaMin !== undefined ? { hpaMin: wholeOf('--hpa-min', f.hpaMin) } : {}),
      }),
    );
  common(
    propose
      .command('config <service> <NAME=value>')
      .description('change a container env value (a timeout, a pool size)'),
  ).action(async (service: string, pair: string, f: Common, cmd: Command) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`"${pair}" must be NAME=value, e.g. DB_POOL_SIZE=4`, EXIT.usage);
    return manual(cmd, f, { kind: 'config', service, name: pair.slice(0, eq), value: pair.slice(eq + 1) });
  });
  common(propose.command('flag <service> <flag>').description('turn a feature flag off (or --on)'))
    .option('--on', 'turn it on instead')
    .action(async (service: string, flag: string, f: Common & { on?: boolean }, cmd: Command) =>
      manual(cmd, f, { kind: 'flag', service, flag, to: f.on ? 'on' : 'off' }),
    );
  common(propose.command('restart <services...>').description('restart the services')).action(
    async (services: string[], f: Common, cmd: Command) => manual(cmd, f, { kind: 'restart', services }),
  );
  common(
    propose
      .command('revert <repository> <sha>')
      .description('revert a commit as a pull request (git revert on a branch)'),
  ).action(async (repository: string, sha: string, f: Common, cmd: Command) =>
    manual(cmd, f, { kind: 'revert', repository, sha }),
  );

  const proposals = program
    .command('proposals')
    .description('remediation proposals: list, show, approve, reject, execute, undo');
  proposals
    .command('list')
    .description('proposals, newest first')
    .addOption(new Option('--status <status>', 'only this status').choices([...PROPOSAL_STATUSES]))
    .option('--limit <n>', 'at most this many', '50')
    .addOption(formatOption())
    .action(async (f: { status?: string; limit: string; format: Format }, cmd: Command) => {
      const q = new URLSearchParams({ limit: f.limit, ...(f.status ? { status: f.status } : {}) });
      const res = await client(cmd).api.request<{ proposals: ProposalSummary[] }>('GET', `api/proposals?${q}`);
      if (f.format === 'json') return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['id', 'status', 'risk', 'approvals', 'proposal', 'executor', 'expires'],
          res.proposals.map((p) => [
            p.id,
            p.status,
            p.tier,
            `${p.approvals.counted}/${p.approvals.required}`,
            p.title,
            p.executor ?? '—',
            p.expiresAt,
          ]),
        )}\n`,
      );
    });
  proposals
    .command('show <id>')
    .description(
      'a proposal: evidence, simulation, preconditions, blast radius, dry run, risk with its rules, approvals, execution',
    )
    .addOption(formatOption())
    .action(async (id: string, f: { format: Format }, cmd: Command) => {
      const res = await client(cmd).api.request<{ proposal: Proposal }>('GET', `api/proposals/${idOf(id)}`);
      print(res.proposal, f.format);
    });
  for (const verdict of ['approve', 'reject'] as const)
    proposals
      .command(`${verdict} <id>`)
      .description(`${verdict} as the approver whose token ORRERY_TOKEN holds`)
      .option('--comment <text>', 'kept with the decision')
      .addOption(formatOption())
      .action(async (id: string, f: { comment?: string; format: Format }, cmd: Command) => {
        const res = await client(cmd).api.request<{ proposal: Proposal }>(
          'POST',
          `api/proposals/${idOf(id)}/${verdict}`,
          f.comment ? { comment: f.comment } : {},
        );
        if (f.format === 'json') return print(res.proposal, 'json');
        const p = res.proposal;
        const mine = p.decisions[p.decisions.length - 1];
        process.stdout.write(
          `proposal ${p.id} is ${p.status}: ${p.approval.counted} of ${p.approval.required} approvals${mine && !mine.counted ? ` (yours does not count: ${mine.why})` : ''}\n`,
        );
      });
  proposals
    .command('execute <id>')
    .description('run an approved proposal on its executor (once; refused unless approved and unexpired)')
    .addOption(formatOption())
    .action(async (id: string, f: { format: Format }, cmd: Command) => {
      const res = await client(cmd).api.request<{ proposal: Proposal }>(
        'POST',
        `api/proposals/${idOf(id)}/execute`,
        {},
      );
      print(res.proposal, f.format);
      if (res.proposal.status !== 'executed') process.exitCode = EXIT.failure;
    });
  proposals
    .command('undo <id>')
    .description('propose the undo of an executed proposal (approved like any other)')
    .addOption(formatOption())
    .action(async (id: string, f: { format: Format }, cmd: Command) => {
      const res = await client(cmd).api.request<{ proposal: Proposal }>('POST', `api/proposals/${idOf(id)}/undo`, {});
      print(res.proposal, f.format);
    });
}
