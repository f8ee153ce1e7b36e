// `orrery tickets import|list|show`: import export files (with a progress bar), list tickets
// and show one with what it mentions and links to.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { IMPORT_FORMATS, ImportError, type ImportFormat, parseImport } from '../../ingest/sources/tickets/index.js';
import type { TicketDetail, TicketSummary } from '../../model/index.js';
import type { ImportProgress, ImportTicketsResult } from '../../workflows/index.js';
import { type ApiClient, CliError, EXIT, type GlobalOptions, exitForStatus } from '../client.js';
import { table } from '../table.js';

const CONTENT_TYPE: Record<string, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json' };
const CHUNK = 64 * 1024;

/** Progress on stderr: a redrawn bar on a terminal, a line every 10% (or 2 s) otherwise. */
class Progress {
  private lastPct = -1;
  private lastAt = 0;
  private drawn = false;
  constructor(private readonly tty: boolean) {}

  update(label: string, done: number, total: number, unit: (n: number) => string = String): void {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const now = Date.now();
    if (this.tty) {
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(
        `\r${label.padEnd(10)} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}% ${unit(done)}/${unit(total)}\u001b[K`,
      );
      this.drawn = true;
      return;
    }
    const step = Math.floor(pct / 10);
    if (step === this.lastPct && now - this.lastAt < 2000) return;
    this.lastPct = step;
    this.lastAt = now;
    process.stderr.write(`${label}: ${unit(done)}/${unit(total)} (${pct}%)\n`);
  }

  /** Starts a new phase: the next update prints even if the percentage is where the last phase ended. */
  phase(): void {
    if (this.tty && this.drawn) process.stderr.write('\n');
    this.drawn = false;
    this.lastPct = -1;
  }

  done(): void {
    if (this.tty && this.drawn) process.stderr.write('\n');
    this.drawn = false;
  }
}

const kib = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;

interface ImportFlags {
  format: ImportFormat | 'auto';
  source?: string;
  json?: boolean;
}

/** The server's last NDJSON line when the import failed; `written` > 0 when chunks were committed before it. */
interface ImportFailure {
  statusCode: number;
  message: string;
  written?: number;
  total?: number;
}

async function importFile(api: ApiClient, file: string, f: ImportFlags): Promise<void> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new CliError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      EXIT.usage,
    );
  }
  // Read it here first: a bad file is reported at once, with its row, and never sent.
  let format: ImportFormat;
  let count: number;
  try {
    const parsed = parseImport(f.format, data.toString('utf8'), { filename: file, source: f.source });
    format = parsed.format;
    count = parsed.tickets.length;
  } catch (err) {
    if (err instanceof ImportError) throw new CliError(`${file}: ${err.message}\nNothing was imported.`, EXIT.usage);
    throw err;
  }

  const query = new URLSearchParams({ format, filename: basename(file) });
  if (f.source) query.set('source', f.source);
  const progress = new Progress(Boolean(process.stderr.isTTY) && !f.json);
  if (!f.json) process.stderr.write(`${basename(file)}: ${count} tickets (${format}), ${kib(data.length)}\n`);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= data.length) return controller.close();
      const chunk = data.subarray(sent, sent + CHUNK);
      sent += chunk.length;
      if (!f.json) progress.update('uploading', sent, data.length, kib);
      controller.enqueue(chunk);
    },
  });

  let result: ImportTicketsResult | null = null;
  let failure: ImportFailure | null = null;
  try {
    const lines = api.lines('POST', `api/tickets/import?${query}`, {
      body,
      headers: { 'content-type': CONTENT_TYPE[format.endsWith('csv') ? 'csv' : 'json']! },
    });
    for await (const line of lines) {
      const msg = line as {
        progress?: ImportProgress;
        result?: ImportTicketsResult;
        error?: ImportFailure;
      };
      if (msg.progress && !f.json) {
        if (msg.progress.phase === 'parsed') progress.phase();
        progress.update('importing', msg.progress.done, msg.progress.total);
      }
      if (msg.result) result = msg.result;
      if (msg.error) failure = msg.error;
    }
  } catch (err) {
    if (err instanceof CliError && err.exitCode !== EXIT.unreachable)
      throw new CliError(`${err.message}\nNothing was imported.`, err.exitCode);
    throw err;
  } finally {
    progress.done();
  }
  const failed = failure as ImportFailure | null;
  if (failed) {
    // A store failure mid-import keeps the chunks written before it (the server says how many).
    const kept = failed.written
      ? `${failed.written} of ${failed.total} tickets were imported; run the same import again to complete it.`
      : 'Nothing was imported.';
    throw new CliError(`import failed: ${failed.message}\n${kept}`, exitForStatus(failed.statusCode));
  }
  const r = result as ImportTicketsResult | null;
  if (!r)
    throw new CliError('the server ended the import without a result; nothing is known to be imported', EXIT.failure);
  if (f.json) return void process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.stdout.write(
    `Imported ${r.total} tickets from ${basename(file)} (${r.format}): ${r.created} new, ${r.updated} updated; ${r.mentions} mentions, ${r.links} links.\n`,
  );
}

function printDetail(d: TicketDetail): void {
  const t = d.ticket;
  const lines = [
    `Ticket ${t.id}: ${t.source} ${t.externalId}  [${t.status}${t.sourceStatus ? ` / ${t.sourceStatus}` : ''}]`,
    `Title:    ${t.title}`,
    `Created:  ${t.createdAt}${t.updatedAt ? `   updated ${t.updatedAt}` : ''}`,
  ];
  if (t.url) lines.push(`URL:      ${t.url}`);
  if (t.priority) lines.push(`Priority: ${t.priority}`);
  if (t.labels.length) lines.push(`Labels:   ${t.labels.join(', ')}`);
  if (t.reporterHash) lines.push(`Reporter: ${t.reporterHash.slice(0, 18)}… (keyed hash)`);
  if (t.body)
    lines.push(
      '',
      ...t.body
        .split('\n')
        .slice(0, 30)
        .map((l) => `  ${l}`),
    );
  if (t.comments.length) lines.push('', `${t.comments.length} comment(s)`);
  lines.push('', 'Mentions:');
  lines.push(
    d.mentions.length
      ? table(
          ['kind', 'value', 'template / at', 'found in'],
          d.mentions.map((m) => [
            m.kind,
            m.value,
            m.template ?? m.at ?? '',
            `${m.fields.join(', ')}${m.count > 1 ? ` (×${m.count})` : ''}`,
          ]),
        )
      : '  (none)',
  );
  lines.push('', 'Links:');
  lines.push(
    d.links.length
      ? table(
          ['to', 'id', 'why'],
          d.links.map((l) => [
            l.dstKind,
            l.dstId,
            Object.entries(l.attributes)
              .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
              .join(' '),
          ]),
        )
      : '  (none)',
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerTickets(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const tickets = program
    .command('tickets')
    .description('support tickets: import export files, list them, show what one mentions and links to')
    .addHelpText(
      'after',
      `
Tickets also arrive through POST /api/tickets and the webhooks /webhooks/{github,jira,zendesk,linear}
(docs/api.md). Emails are stored only as keyed hashes.

Examples:
  orrery tickets import zendesk-export.json
  orrery tickets import issues.csv --format jira-csv
  orrery tickets list --status open
  orrery tickets show 12`,
    );

  tickets
    .command('import <file>')
    .description('import a ticket export (CSV or JSON) in one transaction: all of it or nothing')
    .addOption(
      new Option('--format <format>', 'the export shape; auto guesses it from the extension and the header or keys')
        .choices(['auto', ...IMPORT_FORMATS])
        .default('auto'),
    )
    .option('--source <name>', 'the source of generic imports (default "generic"); tickets upsert by source + id')
    .option('--json', 'print the result as JSON (and no progress)')
    .addHelpText(
      'after',
      `
Formats:
  generic-csv   columns by name: id, title|subject|summary, body|description, status, created|created_at,
                email|requester, name, account, user id, labels|tags, priority, url
  generic-json  an array of tickets or {"tickets": […]} with the same field names
  zendesk-json  Zendesk tickets: {"tickets": […]} as the API returns them, or one ticket per line
  zendesk-csv   Zendesk's CSV export columns: Id, Subject, Description, Requester, Requester email, Status, Created at, …
  jira-json     {"issues": […]} as Jira's REST search returns it
  jira-csv      Jira's CSV export columns: Issue key, Summary, Description, Status, Created, Reporter, Labels, Comment…

A file that cannot be read, or a row without a required field, exits 2 and imports nothing.

Examples:
  orrery tickets import tickets.csv
  orrery tickets import export.json --format zendesk-json`,
    )
    .action((file: string, f: ImportFlags, cmd: Command) => importFile(client(cmd).api, file, f));

  tickets
    .command('list')
    .description('tickets, newest first')
    .option('--source <name>', 'only this source (github, jira, zendesk, linear, generic, …)')
    .addOption(new Option('--status <status>', 'only this status').choices(['open', 'pending', 'closed']))
    .option(
      '--mention <kind:value>',
      'only tickets that mention this, e.g. user:u-1042, trace:4bf9…, route:/cart/items',
    )
    .option('--email <email>', 'only tickets that mention or were filed by this email (matched by its hash)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        f: { source?: string; status?: string; mention?: string; email?: string; limit: string; json?: boolean },
        cmd: Command,
      ) => {
        const p = new URLSearchParams();
        for (const k of ['source', 'status', 'mention', 'email', 'limit'] as const)
          if (f[k] !== undefined) p.set(k, f[k]!);
        const res = await client(cmd).api.request<{ tickets: TicketSummary[] }>('GET', `api/tickets?${p}`);
        if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
        process.stdout.write(
          `${table(
            ['id', 'source', 'external id', 'status', 'created', 'mentions', 'links', 'title'],
            res.tickets.map((t) => [
              t.id,
              t.source,
              t.externalId,
              t.status,
              t.createdAt,
              t.mentionCount,
              t.linkCount,
              t.title,
            ]),
          )}\n${res.tickets.length} tickets\n`,
        );
      },
    );

  tickets
    .command('show <id>')
    .description('one ticket with its mentions (users, accounts, errors, routes, traces, …) and links')
    .option('--json', 'print JSON')
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      if (!/^\d+$/.test(id))
        throw new CliError(`"${id}" is not a ticket id (a number, as \`orrery tickets list\` shows)`, EXIT.usage);
      const res = await client(cmd).api.request<TicketDetail>('GET', `api/tickets/${id}`);
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      printDetail(res);
    });
}
