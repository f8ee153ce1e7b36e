// `orrery repo add|sync|list|blame`: git repositories in the world model. Add and sync stream
// the server's progress (NDJSON) and show it as one updating line on a terminal.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RepositoryRecord, RepositorySummary } from '../../store/index.js';
import type { BlameResult, Json } from '../../model/index.js';
import type { SyncProgress, SyncResult } from '../../workflows/index.js';
import { type ApiClient, CliError, EXIT, type GlobalOptions, exitForStatus } from '../client.js';
import { table } from '../table.js';

const MAX_SERVICES_SHOWN = 8;

interface SyncAnswer {
  repository: RepositoryRecord;
  created?: boolean;
  sync: SyncResult | null;
}

/** `--service cart` (whole repository) or `--service cart=services/cart/`, repeatable. */
export function parseServiceFlag(value: string, previous: Array<{ service: string; pathPrefix?: string }> = []) {
  const eq = value.indexOf('=');
  const service = (eq === -1 ? value : value.slice(0, eq)).trim();
  const pathPrefix = eq === -1 ? undefined : value.slice(eq + 1).trim();
  if (!service) throw new CliError(`--service "${value}": give NAME or NAME=path/`, EXIT.usage);
  return [...previous, pathPrefix === undefined ? { service } : { service, pathPrefix }];
}

/** `-L 10,20`, `-L 10,+5` or `-L 10` (one line). */
export function parseLineRange(value: string): { start: number; end: number } {
  const m = /^(\d+)(?:,(\+?)(\d+))?$/.exec(value.trim());
  if (!m) throw new CliError(`-L "${value}": give START,END (e.g. 10,20), START,+COUNT or START`, EXIT.usage);
  const start = Number(m[1]);
  const end = m[3] === undefined ? start : m[2] ? start + Number(m[3]) - 1 : Number(m[3]);
  if (start < 1 || end < start) throw new CliError(`-L "${value}": need 1 <= START <= END`, EXIT.usage);
  return { start, end };
}

/** Progress on stderr: one line rewritten in place on a terminal, a line every few seconds otherwise. */
class ProgressLine {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastPlain = 0;
  private shown = false;

  update(p: SyncProgress): void {
    if (p.phase === 'note' || p.phase === 'start') this.line(p.message);
    else if (p.phase === 'done') this.clear();
    else if (this.tty) {
      const width = process.stderr.columns || 100;
      process.stderr.write(`\r\x1b[2K${p.message.slice(0, width - 1)}`);
      this.shown = true;
    } else if (Date.now() - this.lastPlain >= 5000) {
      this.lastPlain = Date.now();
      process.stderr.write(`${p.message}\n`);
    }
  }

  line(message: string): void {
    this.clear();
    process.stderr.write(`${message}\n`);
  }

  clear(): void {
    if (this.tty && this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}

/**
 * POSTs to an add/sync route asking for NDJSON, passes each progress line to `onProgress`,
 * and returns the final result line.
 */
async function streamSync(
  api: ApiClient,
  path: string,
  body: unknown,
  onProgress: (p: SyncProgress) => void,
): Promise<SyncAnswer> {
  const lines = api.lines('POST', path, {
    body: JSON.stringify(body ?? {}),
    headers: { 'content-type': 'application/json' },
  });
  for await (const line of lines) {
    const msg = line as { type?: string; statusCode?: number; message?: string };
    if (msg.type === 'progress') onProgress(line as SyncProgress);
    else if (msg.type === 'error') {
      const code = msg.statusCode ?? 500;
      throw new CliError(`the server answered ${code}: ${msg.message}`, exitForStatus(code));
    } else if (msg.type === 'result' || msg.type === undefined) return line as SyncAnswer;
  }
  throw new CliError('the server ended the sync without a result; see its log', EXIT.failure);
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)}s` : `${(ms / 1000).toFixed(1)}s`;
}

function describeSync(name: string, s: SyncResult): string {
  const skipped = Object.entries(s.skipped)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const lines = [
    `${name} at ${s.head.slice(0, 12)}: ${s.commitsRead} commits read, ${s.filesRead} files read (${s.filesParsed} parsed), ` +
      `${s.filesUnchanged} unchanged, ${s.filesDeleted} deleted in ${seconds(s.durationMs)}`,
    `  ${s.symbols} symbols, ${s.callsites} log call sites, ${s.routes} routes` +
      `${s.rpcs ? `, ${s.rpcsLinked} of ${s.rpcs} gRPC rpcs linked to a handler` : ''}${skipped ? `; not parsed: ${skipped}` : ''}`,
  ];
  if (s.codeownersChanged) lines.push(`  CODEOWNERS changed: owners of ${s.ownersUpdated} other files updated`);
  if (s.services.length) {
    const shown = s.services
      .slice(0, MAX_SERVICES_SHOWN)
      .map(
        (p) => `${p.service} ← ${p.pathPrefix || '(whole repository)'}${p.source === 'given' ? '' : ` (${p.source})`}`,
      );
    const more = s.services.length - shown.length;
    lines.push(`  services: ${shown.join(', ')}${more > 0 ? `, and ${more} more (see --json)` : ''}`);
  }
  return lines.join('\n');
}

export function registerRepo(program: Command, client: (cmd: Command) => GlobalOptions): void {
  const repo = program
    .command('repo')
    .description('git repositories: commits, files, owners, symbols, log call sites and routes')
    .addHelpText(
      'after',
      `
Examples:
  orrery repo add ~/src/shop                           # index it; services are inferred
  orrery repo add ~/src/cart --service cart            # the whole repository is one service
  orrery repo add . --service cart=services/cart/ --service payments=services/payments/
  orrery repo sync                                     # read what changed in every repository
  orrery repo list
  orrery repo blame shop src/cart.ts -L 40,60

The server reads the repository from ITS filesystem: run it on the machine (or in the
container) where the checkout is.`,
    );

  repo
    .command('add <path>')
    .description('add a git working tree and index it (commits, files, owners, symbols, call sites, routes)')
    .option('--name <name>', 'the name to refer to it by (default: the folder name)')
    .option(
      '--service <NAME|NAME=path/>',
      'map the whole repository (NAME) or a folder (NAME=path/) to a service; repeatable. Without it the mapping is inferred from manifests (package.json, go.mod, pom.xml, …)',
      parseServiceFlag,
    )
    .option('--no-sync', 'only register it; `orrery repo sync` indexes it later')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  orrery repo add ~/src/shop
  orrery repo add ~/src/monorepo --name mono --service cart=services/cart/ --service web=apps/web/`,
    )
    .action(
      async (
        path: string,
        f: { name?: string; service?: Array<{ service: string; pathPrefix?: string }>; sync: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const progress = new ProgressLine();
        const body = { path: resolve(path), name: f.name, services: f.service, sync: f.sync };
        const res = await streamSync(client(cmd).api, 'api/repos', body, (p) => progress.update(p)).finally(() =>
          progress.clear(),
        );
        if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
        const verb = res.created ? 'Added' : 'Already added:';
        process.stdout.write(`${verb} repository "${res.repository.name}" (${res.repository.path})\n`);
        if (res.sync) process.stdout.write(`${describeSync(res.repository.name, res.sync)}\n`);
        else process.stdout.write(`Not indexed yet: run \`orrery repo sync ${res.repository.name}\`\n`);
      },
    );

  repo
    .command('sync [name]')
    .description('read new commits and changed files (all repositories when no name is given)')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `
Examples:
  orrery repo sync
  orrery repo sync shop --json`,
    )
    .action(async (name: string | undefined, f: { json?: boolean }, cmd: Command) => {
      const names = name
        ? [name]
        : (await client(cmd).api.request<{ repositories: RepositorySummary[] }>('GET', 'api/repos')).repositories.map(
            (r) => r.name,
          );
      if (names.length === 0) {
        process.stderr.write('No repositories yet; add one with `orrery repo add <path>`.\n');
        if (f.json) process.stdout.write('[]\n');
        return;
      }
      // With several repositories, one that fails does not stop the others.
      const results: SyncAnswer[] = [];
      const failed: CliError[] = [];
      for (const n of names) {
        const progress = new ProgressLine();
        try {
          const res = await streamSync(client(cmd).api, `api/repos/${encodeURIComponent(n)}/sync`, {}, (p) =>
            progress.update(p),
          ).finally(() => progress.clear());
          results.push(res);
          if (!f.json && res.sync) process.stdout.write(`${describeSync(res.repository.name, res.sync)}\n`);
        } catch (err) {
          if (name || !(err instanceof CliError) || err.exitCode === EXIT.unreachable || err.exitCode === EXIT.auth)
            throw err;
          process.stderr.write(`orrery: ${n}: ${err.message}\n`);
          failed.push(err);
        }
      }
      if (f.json) process.stdout.write(`${JSON.stringify(name ? results[0] : results, null, 2)}\n`);
      if (failed.length) {
        throw new CliError(
          `${failed.length} of ${names.length} repositories failed to sync`,
          Math.max(...failed.map((e) => e.exitCode)),
        );
      }
    });

  repo
    .command('list')
    .description('the repositories, with what was indexed and when')
    .option('--json', 'print JSON')
    .action(async (f: { json?: boolean }, cmd: Command) => {
      const res = await client(cmd).api.request<{ repositories: RepositorySummary[] }>('GET', 'api/repos');
      if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
      process.stdout.write(
        `${table(
          ['name', 'head', 'synced', 'commits', 'files', 'symbols', 'services', 'path'],
          res.repositories.map((r) => [
            r.name,
            r.headSha?.slice(0, 12) ?? '-',
            r.syncedAt ?? 'never',
            r.commits,
            r.files,
            r.symbols,
            r.services.join(',') || '-',
            r.path,
          ]),
        )}\n`,
      );
    });

  repo
    .command('blame <repo> <path>')
    .description('who last changed each line, at the synced head')
    .requiredOption('-L <range>', 'lines: START,END, START,+COUNT or START', parseLineRange)
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  orrery repo blame shop src/cart/checkout.ts -L 40,60
  orrery repo blame shop services/pay/main.go -L 120,+10 --json`,
    )
    .action(
      async (
        repoName: string,
        path: string,
        f: { L: { start: number; end: number }; json?: boolean },
        cmd: Command,
      ) => {
        const q = new URLSearchParams({ repo: repoName, path, start: String(f.L.start), end: String(f.L.end) });
        const res = await client(cmd).api.request<Json<BlameResult>>('GET', `api/blame?${q}`);
        if (f.json) return void process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
        process.stdout.write(
          `${table(
            ['line', 'commit', 'author', 'date', 'summary', 'text'],
            res.lines.map((l) => [
              l.line,
              l.sha.slice(0, 10),
              l.authorName,
              l.authorTime.slice(0, 10),
              l.summary.slice(0, 40),
              l.text,
            ]),
          )}\n`,
        );
      },
    );
}
