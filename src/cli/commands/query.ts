// `orrery query logs|spans`: search the raw event window.
import { type Command, Option } from 'commander';
import type { LogRow, SpanRow } from '../../model/index.js';
import type { GlobalOptions } from '../client.js';
import { table } from '../table.js';

interface QueryFlags {
  service?: string;
  since?: string;
  until?: string;
  trace?: string;
  user?: string;
  grep?: string;
  limit: string;
  json?: boolean;
}

function params(f: QueryFlags): string {
  const p = new URLSearchParams();
  for (const k of ['service', 'since', 'until', 'trace', 'user', 'grep', 'limit'] as const) {
    if (f[k] !== undefined) p.set(k, String(f[k]));
  }
  return p.toString();
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--service <name>', 'only this service (service.name)')
    .option('--since <time>', 'from this time: ISO timestamp, epoch ms, or an age like 15m, 2h, 7d', '1h')
    .option('--until <time>', 'up to this time (same forms as --since)')
    .option('--trace <id>', 'only this trace id (hex)')
    .option('--user <id>', 'only this user (enduser.id / user.id)')
    .option('--grep <text>', 'case-insensitive text in the log body, or in the span name and status')
    .addOption(new Option('--limit <n>', 'at most this many rows, newest first').default('100'))
    .option('--json', 'print JSON (one object with all fields)');
}

const SEVERITY = [
  '',
  'TRACE',
  'TRACE',
  'TRACE',
  'TRACE',
  'DEBUG',
  'DEBUG',
  'DEBUG',
  'DEBUG',
  'INFO',
  'INFO',
  'INFO',
  'INFO',
  'WARN',
  'WARN',
  'WARN',
  'WARN',
  'ERROR',
  'ERROR',
  'ERROR',
  'ERROR',
  'FATAL',
  'FATAL',
  'FATAL',
  'FATAL',
];

export function registerQuery(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const query = program
    .command('query')
    .description('search raw logs and spans in the retention window')
    .addHelpText(
      'after',
      `
Examples:
  orrery query logs --service cart --since 30m --grep "timeout"
  orrery query spans --trace 4bf92f3577b34da6a3ce929d0e0e4736
  orrery query spans --user u-1042 --since 1d --json`,
    );

  withFilters(query.command('logs').description('log records, newest first')).action(
    async (f: QueryFlags, cmd: Command) => {
      const res = await client(cmd).api.request<{ logs: LogRow[] }>('GET', `api/logs?${params(f)}`);
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['time', 'service', 'level', 'user', 'trace', 'body'],
          res.logs.map((l) => [
            l.time,
            l.service,
            l.severityText || SEVERITY[l.severityNumber] || '',
            l.userId,
            l.traceId,
            l.body,
          ]),
        )}\n${res.logs.length} log records\n`,
      );
    },
  );

  withFilters(query.command('spans').description('spans, newest first')).action(async (f: QueryFlags, cmd: Command) => {
    const res = await client(cmd).api.request<{ spans: SpanRow[] }>('GET', `api/spans?${params(f)}`);
    if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
    process.stdout.write(
      `${table(
        ['start', 'service', 'name', 'ms', 'status', 'user', 'trace'],
        res.spans.map((s) => [
          s.startTime,
          s.service,
          s.name,
          (s.durationNs / 1e6).toFixed(1),
          s.statusCode === 2 ? 'ERROR' : s.statusCode === 1 ? 'OK' : '',
          s.userId,
          s.traceId,
        ]),
      )}\n${res.spans.length} spans\n`,
    );
  });
}
