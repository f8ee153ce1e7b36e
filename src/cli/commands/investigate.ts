// `orrery investigate alert|show|list`: start an investigation (investigate@5) and print it
// as Markdown (or JSON), show a stored one, list the runs.
import type { Command } from 'commander';
import { investigationMarkdown } from '../../analysis/index.js';
import type { Investigation, InvestigationSummary } from '../../model/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';
import { timeFlag } from '../time-flag.js';

function print(run: Investigation, json: boolean | undefined): void {
  if (json) return void process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  process.stdout.write(investigationMarkdown(run.result));
  const d = run.diff;
  if (d && !d.added.length && !d.removed.length && !d.changed.length)
    process.stdout.write(`\nSince run ${run.previousId}: nothing changed\n`);
  else if (d) {
    process.stdout.write(
      `\nSince run ${run.previousId}: ${d.added.length} new, ${d.removed.length} gone, ${d.changed.length} changed in confidence` +
        `${d.added.length ? `\n  + ${d.added.join('\n  + ')}` : ''}${d.removed.length ? `\n  - ${d.removed.join('\n  - ')}` : ''}\n`,
    );
  }
  process.stdout.write(`\ninvestigation ${run.id} (orrery investigate show ${run.id} --json for the evidence rows)\n`);
}

function positiveId(what: string, id: string, listWith: string): number {
  if (!/^\d+$/.test(id) || Number(id) < 1 || !Number.isSafeInteger(Number(id)))
    throw new CliError(`${what} id "${id}" must be a positive number (see ${listWith})`, EXIT.usage);
  return Number(id);
}

export function registerInvestigate(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const start = async (cmd: Command, subject: Record<string, unknown>, json: boolean | undefined) => {
    const res = await client(cmd).api.request<{ investigation: Investigation }>('POST', 'api/investigations', {
      subject,
    });
    print(res.investigation, json);
  };
  const inv = program
    .command('investigate')
    .description(
      'investigate a ticket, an alert or a problem: what changed, where in the code, since when, who is hurt, with the evidence',
    )
    .addHelpText(
      'after',
      `
Examples:
  orrery investigate ticket 12
  orrery investigate alert --service web --since 30m
  orrery investigate alert --service cart --since 2026-11-22T17:29:00Z --json
  orrery investigate problem 4
  orrery investigate show 3
  orrery investigate list

Running the same alert again stores a new run and prints what changed since the last one.`,
    );

  inv
    .command('alert')
    .description('from an alert on a service: the window from --since to now, compared with the baseline before it')
    .requiredOption('--service <name>', 'the alerting service')
    .option(
      '--endpoint <route>',
      'the alerting endpoint (http.route or span name): only services on its traces stay candidates',
    )
    .requiredOption('--since <time>', 'when the alert started: ISO timestamp, epoch ms, or an age like 30m')
    .option('--json', 'print JSON')
    .action(async (f: { service: string; endpoint?: string; since: string; json?: boolean }, cmd: Command) => {
      await start(
        cmd,
        { kind: 'alert', service: f.service, endpoint: f.endpoint, since: timeFlag('since', f.since) },
        f.json,
      );
    });

  inv
    .command('ticket <id>')
    .description(
      "from a support ticket: related tickets and duplicates, where its users' requests failed, then the same steps as an alert",
    )
    .option('--json', 'print JSON')
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      await start(cmd, { kind: 'ticket', ticketId: positiveId('ticket', id, 'orrery tickets list') }, f.json);
    });

  inv
    .command('problem <id>')
    .description('from a problem in the triage queue: its service, since it began, with its tickets')
    .option('--json', 'print JSON')
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      await start(cmd, { kind: 'problem', problemId: positiveId('problem', id, 'orrery triage') }, f.json);
    });

  inv
    .command('show <id>')
    .description('a stored investigation')
    .option('--json', 'print JSON')
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      if (!/^\d+$/.test(id))
        throw new CliError(`investigation id "${id}" must be a number (see orrery investigate list)`, EXIT.usage);
      const res = await client(cmd).api.request<{ investigation: Investigation }>('GET', `api/investigations/${id}`);
      print(res.investigation, f.json);
    });

  inv
    .command('list')
    .description('investigations, newest first')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(async (f: { limit: string; json?: boolean }, cmd: Command) => {
      const res = await client(cmd).api.request<{ investigations: InvestigationSummary[] }>(
        'GET',
        `api/investigations?limit=${encodeURIComponent(f.limit)}`,
      );
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      const subject = (s: InvestigationSummary['subject']) =>
        s.kind === 'alert'
          ? `alert ${s.service}${s.endpoint ? ` ${s.endpoint}` : ''} since ${s.since}`
          : s.kind === 'ticket'
            ? `ticket ${s.ticketId}`
            : `problem ${s.problemId}`;
      process.stdout.write(
        `${table(
          ['id', 'created', 'subject', 'findings', 'priority', 're-run of'],
          res.investigations.map((r) => [
            r.id,
            r.createdAt,
            subject(r.subject),
            r.findings,
            r.priority === null ? '' : r.priority.toFixed(2),
            r.previousId ?? '',
          ]),
        )}\n`,
      );
    });
}
