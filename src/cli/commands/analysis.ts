// `orrery patterns`, `orrery errors` and `orrery services`: what streaming analysis mined at
// ingest, over a window (default the last hour), as text tables with a sparkline and a trend
// word, or JSON with --json. `orrery patterns mine` (offline) is registered here too.
import type { Command } from 'commander';
import { ERRORS_ALGORITHM } from '../../analysis/errors/index.js';
import { PATTERNS_ALGORITHM } from '../../analysis/patterns/index.js';
import type {
  AnalysisWindow,
  EdgeSummary,
  ErrorGroupList,
  ErrorGroupShow,
  PatternList,
  PatternShow,
  ServiceGraph,
  ServiceList,
  TemplateSlot,
} from '../../model/index.js';
import type { GlobalOptions } from '../client.js';
import { table } from '../table.js';
import { registerPatternsMine } from './patterns-mine.js';

type Client = (cmd: Command) => GlobalOptions;

interface WindowFlags {
  service?: string;
  since?: string;
  until?: string;
  buckets?: string;
  json?: boolean;
}

interface ListFlags extends WindowFlags {
  level?: string;
  grep?: string;
  q?: string;
  limit?: string;
  graph?: boolean;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A sparkline: ▁ for zero, ▂ to █ for the rest in proportion to the largest bucket. */
export function sparkline(series: readonly number[]): string {
  const max = Math.max(0, ...series);
  return series
    .map((v) => (v <= 0 || max === 0 ? BARS[0] : BARS[1 + Math.min(6, Math.floor((v / max) * 6.999))]))
    .join('');
}

function ms(v: number | null): string {
  if (v === null) return '-';
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 10_000 ? 1 : 2)}s`;
  return `${v.toFixed(v < 10 ? 1 : 0)}ms`;
}

function pct(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

function num(v: number | null): string {
  return v === null ? '-' : String(v);
}

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Math.round(seconds)}s`;
}

/** `35 lines, 5 users, 2 accounts`, leaving out what no event carried. */
function reach(count: number, noun: string, users: number | null, accounts: number | null): string {
  return [`${count} ${noun}`, users === null ? '' : `${users} users`, accounts === null ? '' : `${accounts} accounts`]
    .filter(Boolean)
    .join(', ');
}

function spanText(w: AnalysisWindow): string {
  return `${w.since} – ${w.until}`;
}

function windowText(w: AnalysisWindow): string {
  return `${spanText(w)}, ${w.buckets} buckets of ${duration(w.bucketSeconds)}`;
}

function params(f: ListFlags, keys: ReadonlyArray<keyof ListFlags>): string {
  const p = new URLSearchParams();
  for (const k of keys) {
    const v = f[k];
    if (v !== undefined && typeof v !== 'boolean') p.set(k, v);
  }
  if (keys.includes('q') && f.grep !== undefined) p.set('q', f.grep);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const WINDOW_KEYS = ['service', 'since', 'until', 'buckets'] as const;

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** The options every analysis command shares; subcommands read them with optsWithGlobals(). */
function windowOptions(cmd: Command): Command {
  return cmd
    .option('--service <name>', 'only this service (service.name)')
    .option('--since <time>', 'window start: ISO timestamp, epoch ms, or an age like 15m, 2h, 7d (default 1h)')
    .option('--until <time>', 'window end (same forms; default now)')
    .option('--buckets <n>', 'buckets in the series (default 12)')
    .option('--json', 'print JSON');
}

const TIME_HELP = `The window is whole minutes: --since rounds down and --until up. The trend compares the
window's last quarter with the rest: new (first seen in the last quarter), rising (at least
twice the earlier rate and 3 more events than it predicts), falling (at most half, 3 fewer),
steady otherwise.`;

// ---------------------------------------------------------------------------------------
// patterns

function printPatterns(res: PatternList): void {
  out(
    `${table(
      ['key', 'service', 'level', 'lines', 'users', 'trend', 'series', 'template'],
      res.patterns.map((p) => [
        p.key,
        p.service,
        p.level ?? '',
        p.count,
        num(p.users),
        p.trend,
        sparkline(p.series),
        p.template,
      ]),
    )}\n${res.patterns.length} patterns in ${windowText(res.window)}`,
  );
}

function printPattern(res: PatternShow): void {
  const p = res.pattern;
  const lines = [
    `pattern ${p.key} (${p.service}, ${p.algorithm})${res.resolvedFrom ? `: ${res.resolvedFrom} merged into it` : ''}`,
    `template: ${p.template}`,
    ...(p.site ? [`logged at: ${p.site}`] : []),
    `level: ${p.level ?? '-'}   first seen: ${p.firstSeen ?? '-'}${p.firstVersion ? ` (version ${p.firstVersion})` : ''}   last seen: ${p.lastSeen ?? '-'}`,
    `in ${windowText(res.window)}: ${reach(p.count, 'lines', p.users, p.accounts)}, ${p.trend}`,
    `series: ${sparkline(p.series)}  [${p.series.join(' ')}]`,
    `all time: ${p.totalCount} lines`,
  ];
  // Slots are read back from stored JSON: a missing field prints as '?' rather than failing.
  const slots: ReadonlyArray<Partial<TemplateSlot>> = p.slots;
  if (slots.length) {
    const types = [...slots].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((s) => s.type ?? '?');
    lines.push(`slots (what each <*> held, in order): ${types.join(', ')}`);
  }
  if (p.mergedKeys.length) lines.push(`merged into it: ${p.mergedKeys.join(', ')}`);
  if (p.versions.length)
    lines.push(`by version: ${p.versions.map((v) => `${v.version || '(none)'} ${v.count}`).join(', ')}`);
  if (p.samples.length) {
    lines.push(
      '',
      'samples:',
      table(
        ['time', 'trace', 'body'],
        p.samples.map((s) => [s.time, s.traceId ?? '', s.body]),
      ),
    );
  }
  out(lines.join('\n'));
}

export function registerPatterns(program: Command, client: Client): Command {
  const patterns = windowOptions(
    program
      .command('patterns')
      .description(`log patterns mined at ingest (${PATTERNS_ALGORITHM}), most lines first, with users and a trend`),
  )
    .option('--level <levels>', 'only these severities, comma separated (e.g. warn,error)')
    .option('--grep <text>', 'case-insensitive text in the template (also --q)')
    .option('--q <text>', 'the same as --grep')
    .option('--limit <n>', 'at most this many (default 50)')
    .addHelpText(
      'after',
      `
The window options (--service --since --until --buckets --json) also apply to \`patterns show\`.
${TIME_HELP}

Examples:
  orrery patterns --since 2h --level error
  orrery patterns --service cart --grep timeout --json
  orrery patterns show 3f9a2c41d0b7e855 --service cart
  orrery patterns mine app.log --summary                 # offline, no server`,
    )
    .action(async (f: ListFlags, cmd: Command) => {
      const res = await client(cmd).api.request<PatternList>(
        'GET',
        `api/patterns${params(f, [...WINDOW_KEYS, 'level', 'q', 'limit'])}`,
      );
      if (f.json) return json(res);
      printPatterns(res);
    });

  patterns
    .command('show <key>')
    .description(
      'one pattern: template, slots, samples, series and versions (a merged key shows the pattern it merged into)',
    )
    .addHelpText(
      'after',
      `
Takes the options of \`orrery patterns\`: --service (needed when several services have the
key), --since, --until, --buckets and --json.

Example:
  orrery patterns show 3f9a2c41d0b7e855 --service cart --since 6h`,
    )
    .action(async (key: string, _f: unknown, cmd: Command) => {
      const f = cmd.optsWithGlobals() as ListFlags;
      const res = await client(cmd).api.request<PatternShow>(
        'GET',
        `api/patterns/${encodeURIComponent(key)}${params(f, WINDOW_KEYS)}`,
      );
      if (f.json) return json(res);
      printPattern(res);
    });

  registerPatternsMine(patterns);
  return patterns;
}

// ---------------------------------------------------------------------------------------
// errors

function printErrors(res: ErrorGroupList): void {
  out(
    `${table(
      ['fingerprint', 'service', 'type', 'count', 'users', 'trend', 'series', 'first release', 'message'],
      res.errors.map((e) => [
        e.fingerprint.slice(0, 16),
        e.service,
        e.type ?? '',
        e.count,
        num(e.users),
        e.trend,
        sparkline(e.series),
        e.firstRelease ?? '',
        e.message ?? '',
      ]),
    )}\n${res.errors.length} error groups in ${windowText(res.window)}`,
  );
}

function printError(res: ErrorGroupShow): void {
  const e = res.error;
  const lines = [
    `error group ${e.fingerprint} (${e.service}, ${e.algorithm}${e.runtime ? `, ${e.runtime}` : ''})`,
    `${e.type ?? '(no type)'}${e.message ? `: ${e.message}` : ''}`,
    `first seen: ${e.firstSeen ?? '-'}${e.firstRelease ? ` in release ${e.firstRelease}` : ''}   last seen: ${e.lastSeen ?? '-'}`,
    `in ${windowText(res.window)}: ${reach(e.count, 'occurrences', e.users, e.accounts)}, ${e.trend}`,
    `series: ${sparkline(e.series)}  [${e.series.join(' ')}]`,
    `all time: ${e.totalCount} occurrences`,
  ];
  if (e.frames.length) {
    lines.push('', 'frames, innermost first (* in app):');
    for (const f of e.frames) lines.push(`  ${f.inApp ? '*' : ' '} ${f.file}:${f.function}:${f.line ?? '?'}`);
  }
  if (e.versions.length)
    lines.push('', `by version: ${e.versions.map((v) => `${v.version || '(none)'} ${v.count}`).join(', ')}`);
  if (e.samples.length) {
    lines.push('', 'samples:');
    for (const s of e.samples) {
      lines.push(`  ${s.time}${s.traceId ? ` trace ${s.traceId}` : ''}: ${s.message}`);
      if (s.stacktrace) lines.push(...s.stacktrace.split('\n').map((l) => `      ${l}`));
    }
  }
  out(lines.join('\n'));
}

export function registerErrors(program: Command, client: Client): Command {
  const errors = windowOptions(
    program
      .command('errors')
      .description(
        `error groups (${ERRORS_ALGORITHM}) with occurrences in the window, most first, with users and a trend`,
      ),
  )
    .option('--grep <text>', 'case-insensitive text in the type or message (also --q)')
    .option('--q <text>', 'the same as --grep')
    .option('--limit <n>', 'at most this many (default 50)')
    .addHelpText(
      'after',
      `
The window options (--service --since --until --buckets --json) also apply to \`errors show\`.
${TIME_HELP}

Examples:
  orrery errors --since 24h
  orrery errors --service cart --grep timeout
  orrery errors show 9c1f0e7a2b3d4c5e --json`,
    )
    .action(async (f: ListFlags, cmd: Command) => {
      const res = await client(cmd).api.request<ErrorGroupList>(
        'GET',
        `api/errors${params(f, [...WINDOW_KEYS, 'q', 'limit'])}`,
      );
      if (f.json) return json(res);
      printErrors(res);
    });

  errors
    .command('show <fingerprint>')
    .description('one error group: type, message, frames (file:function:line), first seen and release, samples')
    .addHelpText(
      'after',
      `
Takes the options of \`orrery errors\`: --service (needed when several services have the
fingerprint), --since, --until, --buckets and --json.

Example:
  orrery errors show 9c1f0e7a2b3d4c5e --service cart --since 24h`,
    )
    .action(async (fingerprint: string, _f: unknown, cmd: Command) => {
      const f = cmd.optsWithGlobals() as ListFlags;
      const res = await client(cmd).api.request<ErrorGroupShow>(
        'GET',
        `api/errors/${encodeURIComponent(fingerprint)}${params(f, WINDOW_KEYS)}`,
      );
      if (f.json) return json(res);
      printError(res);
    });
  return errors;
}

// ---------------------------------------------------------------------------------------
// services

function edgeRows(edges: readonly EdgeSummary[]): unknown[][] {
  return edges.map((e) => [`${e.caller} → ${e.callee}`, e.calls, pct(e.errorRate), ms(e.p50Ms), ms(e.p99Ms)]);
}

function printServices(res: ServiceList): void {
  out(
    `${table(
      ['service', 'req/min', 'err %', 'p50', 'p99', 'users', 'trend', 'series'],
      res.services.map((s) => [
        s.service,
        s.requestsPerMinute,
        pct(s.errorRate),
        ms(s.p50Ms),
        ms(s.p99Ms),
        num(s.users),
        s.trend,
        sparkline(s.series),
      ]),
    )}\n${res.services.length} services in ${windowText(res.window)}`,
  );
}

function printGraph(res: ServiceGraph): void {
  const edgeOnly = res.nodes.filter((n) => n.edgeOnly).map((n) => n.service);
  out(
    `${table(['caller → callee', 'calls', 'err %', 'p50', 'p99'], edgeRows(res.edges))}\n` +
      `${res.edges.length} edges between ${res.nodes.length} services in ${spanText(res.window)}` +
      (edgeOnly.length ? `\nknown only from calls (no spans of their own): ${edgeOnly.join(', ')}` : ''),
  );
}

export function registerServices(program: Command, client: Client): Command {
  return windowOptions(
    program
      .command('services')
      .description(
        'RED per service in the window: requests, errors, latency, users, trend; --graph for the call graph',
      ),
  )
    .option('--graph', 'print the service graph instead: caller → callee, calls, error rate, p50, p99')
    .option('--limit <n>', 'at most this many services (default 200)')
    .addHelpText(
      'after',
      `
Latency quantiles come from merged DDSketches (within 1% of the true value); users are a
HyperLogLog estimate. With --json, each service also lists its endpoints, callers and callees.
${TIME_HELP}

Examples:
  orrery services
  orrery services --since 24h --service cart --json
  orrery services --graph --since 15m`,
    )
    .action(async (f: ListFlags, cmd: Command) => {
      const api = client(cmd).api;
      if (f.graph) {
        const res = await api.request<ServiceGraph>(
          'GET',
          `api/services/graph${params(f, ['service', 'since', 'until'])}`,
        );
        if (f.json) return json(res);
        return printGraph(res);
      }
      const res = await api.request<ServiceList>('GET', `api/services${params(f, [...WINDOW_KEYS, 'limit'])}`);
      if (f.json) return json(res);
      printServices(res);
    });
}
