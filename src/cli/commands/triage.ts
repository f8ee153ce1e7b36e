// `orrery triage [show <id> | list]`: run triage (triage@1) over a window and print the
// ranked queue of problems (one per fault, duplicates merged), show one problem with its
// members and tickets, or list the stored problems without a new run.
import type { Command } from 'commander';
import { identityLabel } from '../../analysis/index.js';
import type { Problem, QueuedProblem, QueuedProblemDetail } from '../../model/index.js';
import type { TriageRun } from '../../workflows/index.js';
import { CliError, EXIT, type GlobalOptions } from '../client.js';
import { table } from '../table.js';
import { timeFlag } from '../time-flag.js';
import { sparkline } from './analysis.js';

type Client = (cmd: Command) => GlobalOptions;

interface TriageFlags {
  since?: string;
  until?: string;
  limit?: string;
  status?: string;
  json?: boolean;
}

/** CODEOWNERS emails are stored as keyed hashes: shown short; teams and handles as written. */
function ownersText(owners: readonly string[] | null | undefined): string {
  return (owners ?? []).map(identityLabel).join(' ');
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** At most `n` bars: neighbouring buckets summed. */
function shortSparkline(series: readonly number[], n = 24): string {
  if (series.length <= n) return sparkline(series);
  const per = Math.ceil(series.length / n);
  const sums: number[] = [];
  for (let i = 0; i < series.length; i += per) sums.push(series.slice(i, i + per).reduce((a, b) => a + b, 0));
  return sparkline(sums);
}

function tickets(p: Problem): string {
  return p.tickets.length === 0
    ? ''
    : p.tickets.length <= 3
      ? p.tickets.map((t) => `#${t}`).join(' ')
      : `${p.tickets.length} (#${p.tickets[0]}…)`;
}

function queue(problems: readonly Problem[]): string {
  return table(
    ['rank', 'id', 'priority', 'title', 'service', 'users', 'trend', 'tickets', 'owner'],
    problems.map((p, i) => [
      i + 1,
      p.id,
      p.priority.score.toFixed(2),
      clip(p.title, 60),
      p.service ?? '',
      p.users ?? '-',
      p.trend,
      tickets(p),
      ownersText(p.owners),
    ]),
  );
}

function printRun(run: TriageRun): void {
  const lines = [
    queue(run.problems),
    `${run.problems.length} of ${run.total} problems in ${run.window.since} – ${run.window.until} (${run.algorithm})` +
      `${run.merged ? `; ${run.merged} merged into others` : ''}${run.resolved ? `; ${run.resolved} not seen any more, resolved` : ''}`,
  ];
  for (const g of run.gaps) lines.push(`note: ${g}`);
  if (run.problems.length) lines.push(`orrery triage show ${run.problems[0]!.id}   members, tickets and why`);
  out(lines.join('\n'));
}

function printProblem(d: QueuedProblemDetail): void {
  const p = d.problem;
  const lines = [
    `problem ${p.id} [${p.status}${p.mergedInto ? ` into ${p.mergedInto}` : ''}] ${p.key}`,
    p.title,
    `service: ${p.service ?? '-'}${p.services.length > 1 ? ` (also ${p.services.filter((s) => s !== p.service).join(', ')})` : ''}   owners: ${ownersText(p.owners) || '-'}${p.ownersFrom ? ` (from ${p.ownersFrom})` : ''}`,
    `users: ${p.users ?? '-'}   accounts: ${p.accounts ?? '-'}   events: ${p.events}   trend: ${p.trend}   first seen: ${p.firstSeen ?? '-'}   last seen: ${p.lastSeen ?? '-'}`,
    `series: ${shortSparkline(p.series)}${p.window ? `  (${p.window.since} – ${p.window.until})` : ''}`,
    `priority ${p.priority.score} = ${p.priority.formula}`,
    `  with ${Object.entries(p.priority.inputs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    `why: ${p.hint}`,
    '',
    'members:',
    table(
      ['role', 'kind', 'key', 'events', 'why'],
      p.members.map((m) => [m.role, m.kind, m.key, m.count, m.why]),
    ),
  ];
  if (d.tickets.length) {
    lines.push(
      '',
      'tickets:',
      table(
        ['id', 'source', 'external id', 'status', 'created', 'title'],
        d.tickets.map((t) => [t.id, t.source, t.externalId, t.status, t.createdAt, t.title]),
      ),
    );
  }
  if (d.merged.length) lines.push('', `merged into it: ${d.merged.map((m) => `${m.id} ${m.key}`).join(', ')}`);
  out(lines.join('\n'));
}

function limitFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new CliError(`--limit "${v}" must be a positive integer`, EXIT.usage);
  return Number(v);
}

export function registerTriage(program: Command, client: Client): Command {
  const tri = program
    .command('triage')
    .description(
      'rank the open problems across the world: one per fault (error group, log patterns, tickets), duplicates merged',
    )
    .option('--since <time>', 'window start: ISO timestamp, epoch ms, or an age like 6h (default 24h)')
    .option('--until <time>', 'window end (default now)')
    .option('--limit <n>', 'problems printed (all are stored; default 20)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Each run reads the window's error groups, WARN/ERROR log patterns, service graph and open
tickets, and builds one problem per fault:
  - every error group seeds a problem;
  - a log pattern joins the error group of its service it shares a sampled trace with,
    quotes, moves with (Pearson r >= 0.7 per minute) or began with; a new or rising
    pattern that joins none is its own problem;
  - a problem in a caller is merged into an error of the service it calls on the same
    evidence: the upstream symptom joins the downstream cause;
  - a ticket that quotes the error or names its type, its route or service, or whose user
    hit it joins it; other tickets are ticket-only problems, duplicates merged.
Priority = severity x reach (users, accounts) x growth x (1 + 0.2 x tickets), printed by
\`triage show\`. Problems keep their id across runs; a run up to now resolves the open
problems it no longer sees. The rules in full: docs/triage.md.

Examples:
  orrery triage                          the last 24 h, top 20
  orrery triage --since 2h --limit 50
  orrery triage --json | jq '.problems[0]'
  orrery triage show 12                  members, tickets, owners and the priority's inputs
  orrery triage list --status resolved   stored problems, no new run`,
    )
    .action(async (f: TriageFlags, cmd: Command) => {
      const body: Record<string, unknown> = {};
      if (f.since !== undefined) body.since = timeFlag('since', f.since);
      if (f.until !== undefined) body.until = timeFlag('until', f.until);
      const limit = limitFlag(f.limit);
      if (limit !== undefined) body.limit = limit;
      const run = await client(cmd).api.request<TriageRun>('POST', 'api/triage', body);
      if (f.json) return json(run);
      printRun(run);
    });

  tri
    .command('show <id>')
    .description('one problem: its members and why each joined, tickets, owners, priority inputs')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  orrery triage show 12 --json')
    .action(async (id: string, _f: unknown, cmd: Command) => {
      // The parent's options are read wherever they were typed: `triage show 3 --json`.
      const f = cmd.optsWithGlobals() as TriageFlags;
      if (!/^\d+$/.test(id)) throw new CliError(`problem id "${id}" must be a number (see orrery triage)`, EXIT.usage);
      const res = await client(cmd).api.request<QueuedProblemDetail>('GET', `api/problems/${id}`);
      if (f.json) return json(res);
      printProblem(res);
    });

  tri
    .command('list')
    .description('stored problems, highest priority first, without a new run')
    .option('--status <status>', 'open, resolved, merged or all (default open)')
    .option('--limit <n>', 'at most this many (default 50)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  orrery triage list\n  orrery triage list --status all --limit 200 --json')
    .action(async (_f: unknown, cmd: Command) => {
      const f = cmd.optsWithGlobals() as TriageFlags;
      const p = new URLSearchParams();
      if (f.status !== undefined) p.set('status', f.status);
      const limit = limitFlag(f.limit);
      if (limit !== undefined) p.set('limit', String(limit));
      const qs = p.toString();
      const res = await client(cmd).api.request<{ problems: QueuedProblem[] }>(
        'GET',
        `api/problems${qs ? `?${qs}` : ''}`,
      );
      if (f.json) return json(res);
      out(`${queue(res.problems)}\n${res.problems.length} ${f.status ?? 'open'} problems`);
    });
  return tri;
}
