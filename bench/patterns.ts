// `npm run bench -- patterns`: template-mining accuracy on loghub-2k (8 systems, Loghub-2.0's
// corrected labels). Each system's Content column is mined by a fresh miner through the same
// workflow as `orrery patterns mine`, with one configuration for all systems, and scored with
// Loghub-2.0's GA, PA, FGA and FTA. Target: average GA ≥ 0.95 and PA ≥ 0.85.
import { parseArgs } from 'node:util';
import { PATTERNS_ALGORITHM } from '../src/analysis/patterns/index.js';
import { mineLines } from '../src/workflows/index.js';
import { table } from './lib/format.js';
import { DRAIN3_CALLSITE_GA, overall, printCallSites, runCallSites } from './lib/patterns-callsites.js';
import { LOGHUB_SYSTEMS, datasetsRoot, loghubDir, loghubMissing, readLoghubSystem } from './lib/loghub.js';
import { type ParsingMetrics, type TemplateError, evaluateParsing, parsingErrors } from './lib/template-metrics.js';
import { parseOrExit } from './lib/options.js';

const TARGET = { GA: 0.95, PA: 0.85 };
const PUBLISHED = [
  {
    parser: 'Drain',
    GA: 0.85,
    PA: 0.32,
    note: "average over 14 systems, corrected Loghub-2k (Jiang et al., ISSTA'24)",
  },
  { parser: 'LILAC (GPT-3.5)', GA: 0.93, PA: 0.84, note: 'full Loghub-2.0' },
];

const USAGE = `usage: npm run bench -- patterns [trainticket] [options]

Mines each loghub-2k system's Content column with a fresh miner (${PATTERNS_ALGORITHM}, default
options, the same for every system) through the workflow behind \`orrery patterns mine\`, and
scores it against the corrected EventTemplate labels with Loghub-2.0's metrics:
  GA   grouping accuracy: lines whose predicted group is exactly their true group
  PA   parsing accuracy: lines whose template equals the true template
  FGA  F1 over groups (a group is correct when its lines are exactly a true group's)
  FTA  F1 over templates (a template is correct when all its lines have it as truth)
Templates are compared after Loghub-2.0's normalisation (empty parameters dropped, spaces
collapsed, consecutive <*> merged). Target: average GA ≥ ${TARGET.GA}, PA ≥ ${TARGET.PA}.

With \`trainticket\`: mines the Nezha TrainTicket application messages instead (every day
archive in nezha-trainticket/, a fresh miner per day; the input is the message after
\`SpanID: <id> \` of each logback line) and scores the grouping against the line's
\`Class#line\` call site: GA, GA by id, the share of lines in single-call-site templates,
the text-only ceiling, and Python Drain3's GA of ${DRAIN3_CALLSITE_GA} for reference.
--show-errors N then lists the N templates with the most lines from several call sites;
--whole-lines mines each whole logback line (time, level, class#line, ids and message).

Options:
  --system NAME      only this system (repeatable, or comma-separated): ${LOGHUB_SYSTEMS.join(', ')}
  --show-errors N    for each system, the N true templates that cost the most lines, with
                     what the miner made of them (templates, split, merged) and an example
  --group-by template|id
                     what a mined group is for --show-errors: its template string, as
                     Loghub-2.0 groups (default), or its pattern id, as the "GA by id"
                     column does (Loghub-2.0 aligns each line's template with its content
                     before grouping, which can split an over-general pattern for free)
  --whole-lines      trainticket only: mine whole logback lines, not the messages alone
  --json             print the results as JSON instead of tables
  --help             this text

Data: ../shared/datasets/loghub-2k beside the repository, or $ORRERY_DATASETS/loghub-2k.`;

class UsageError extends Error {}

interface Options {
  mode: 'loghub' | 'trainticket';
  wholeLines: boolean;
  systems: string[];
  showErrors: number;
  groupBy: 'template' | 'id';
  json: boolean;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      system: { type: 'string', multiple: true },
      'show-errors': { type: 'string' },
      'group-by': { type: 'string' },
      json: { type: 'boolean' },
      'whole-lines': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'trainticket'))
    throw new UsageError(`unknown mode "${positionals.join(' ')}"; the only mode is trainticket`);
  const known = new Map(LOGHUB_SYSTEMS.map((s) => [s.toLowerCase(), s as string]));
  const systems = (values.system ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const resolved = systems.map((s) => {
    const name = known.get(s.toLowerCase());
    if (!name) throw new UsageError(`unknown system "${s}"; the systems are ${LOGHUB_SYSTEMS.join(', ')}`);
    return name;
  });
  const n = values['show-errors'];
  if (n !== undefined && !/^\d+$/.test(n)) throw new UsageError(`--show-errors must be a whole number, not "${n}"`);
  const groupBy = values['group-by'] ?? 'template';
  if (groupBy !== 'template' && groupBy !== 'id')
    throw new UsageError(`--group-by must be template or id, not "${groupBy}"`);
  return {
    mode: positionals[0] === 'trainticket' ? 'trainticket' : 'loghub',
    wholeLines: values['whole-lines'] ?? false,
    systems: resolved.length ? [...new Set(resolved)] : [...LOGHUB_SYSTEMS],
    showErrors: n === undefined ? 0 : Number(n),
    groupBy,
    json: values.json ?? false,
  };
}

interface SystemResult {
  system: string;
  lines: number;
  /** Live patterns the miner reports after the last line. */
  patterns: number;
  overflowed: number;
  ms: number;
  metrics: ParsingMetrics;
  errors: TemplateError[];
}

async function runSystem(system: string, opts: Options): Promise<SystemResult> {
  const { contents, truth } = readLoghubSystem(system);
  const ids: string[] = new Array(contents.length);
  const templates: string[] = new Array(contents.length);
  const t0 = performance.now();
  const summary = await mineLines(contents, {}, (row) => {
    ids[row.line - 1] = row.id;
    templates[row.line - 1] = row.template;
  });
  const ms = performance.now() - t0;
  const metrics = evaluateParsing(truth, ids, templates, { contents });
  const errors =
    opts.showErrors > 0
      ? parsingErrors(truth, ids, templates, { contents, groupBy: opts.groupBy }).slice(0, opts.showErrors)
      : [];
  return {
    system,
    lines: summary.lines,
    patterns: summary.patterns.length,
    overflowed: summary.overflowed,
    ms,
    metrics,
    errors,
  };
}

const f3 = (x: number) => x.toFixed(3);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function averages(results: SystemResult[]) {
  const m = results.map((r) => r.metrics);
  return {
    GA: mean(m.map((x) => x.GA)),
    PA: mean(m.map((x) => x.PA)),
    FGA: mean(m.map((x) => x.FGA)),
    FTA: mean(m.map((x) => x.FTA)),
    byIdGA: mean(m.map((x) => x.byId.GA)),
  };
}

function clip(s: string, n = 160): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function printErrors(r: SystemResult, groupBy: Options['groupBy']): void {
  if (r.errors.length === 0) {
    process.stdout.write(`\n${r.system}: no mis-parsed or mis-grouped true templates\n`);
    return;
  }
  process.stdout.write(
    `\n${r.system}: the ${r.errors.length} true templates that cost the most lines (groups by ${groupBy === 'id' ? 'pattern id' : 'template string'})\n`,
  );
  for (const e of r.errors) {
    const what: string[] = [];
    if (e.wrongTemplate > 0) what.push(`wrong template on ${e.wrongTemplate}`);
    if (e.splitInto > 1) what.push(`split into ${e.splitInto} ${groupBy === 'id' ? 'patterns' : 'groups'}`);
    if (e.mergedWith.length > 0)
      what.push(`merged with ${e.mergedWith.length} other true template${e.mergedWith.length > 1 ? 's' : ''}`);
    process.stdout.write(
      `  [${e.lines} line${e.lines > 1 ? 's' : ''}] truth: ${clip(e.truth)}\n      ${what.join('; ')}\n`,
    );
    const shown = e.predicted.slice(0, 4);
    shown.forEach((p, i) => {
      const mark = p.template === e.truth ? '  (= truth)' : '';
      process.stdout.write(
        `      ${i === 0 ? 'mined: ' : '       '}${String(p.lines).padStart(5)}× ${clip(p.template)}${mark}\n`,
      );
    });
    if (e.predicted.length > shown.length)
      process.stdout.write(`             … and ${e.predicted.length - shown.length} more templates\n`);
    for (const other of e.mergedWith.slice(0, 3)) process.stdout.write(`      with:  ${clip(other)}\n`);
    if (e.mergedWith.length > 3) process.stdout.write(`             … and ${e.mergedWith.length - 3} more\n`);
    if (e.example !== null) process.stdout.write(`      e.g. line ${e.exampleLine}: ${clip(e.example, 200)}\n`);
  }
}

async function mainCallSites(opts: Options): Promise<number> {
  const log = (s: string) => process.stderr.write(s);
  const results = await runCallSites({ showErrors: opts.showErrors, wholeLines: opts.wholeLines, log });
  if (results === null) {
    process.stdout.write(
      `skipping the patterns trainticket benchmark: no trainticket-*.tar.xz under ${datasetsRoot()}/nezha-trainticket.\n`,
    );
    return 0;
  }
  if (opts.json) {
    const out = {
      benchmark: 'patterns trainticket',
      input: opts.wholeLines ? 'whole logback lines' : 'messages',
      algorithm: PATTERNS_ALGORITHM,
      days: results,
      overall: overall(results),
      drain3: { GA: DRAIN3_CALLSITE_GA, measured: false },
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  printCallSites(results, (s) => process.stdout.write(s), opts.wholeLines);
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parseOptions, USAGE);
  if (typeof opts === 'number') return opts;
  if (opts.mode === 'trainticket') return mainCallSites(opts);
  const missing = loghubMissing(opts.systems);
  if (missing) {
    process.stdout.write(`skipping the patterns benchmark: ${missing}\n`);
    return 0;
  }

  const results: SystemResult[] = [];
  for (const system of opts.systems) {
    if (!opts.json && process.stderr.isTTY) process.stderr.write(`\rmining ${system}…\u001b[K`);
    results.push(await runSystem(system, opts));
  }
  if (!opts.json && process.stderr.isTTY) process.stderr.write('\r\u001b[K');
  const avg = averages(results);
  const all = results.length === LOGHUB_SYSTEMS.length;
  const met = avg.GA >= TARGET.GA && avg.PA >= TARGET.PA;

  if (opts.json) {
    const out = {
      benchmark: 'patterns',
      algorithm: PATTERNS_ALGORITHM,
      data: loghubDir(),
      systems: results.map(({ errors, ...r }) => (opts.showErrors > 0 ? { ...r, errors } : r)),
      average: { systems: results.length, ...avg },
      target: { ...TARGET, met: all ? met : null },
      published: PUBLISHED,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }

  process.stdout.write(`patterns: ${PATTERNS_ALGORITHM}, default options, on ${loghubDir()}\n\n`);
  const rows = results.map((r) => [
    r.system,
    String(r.lines),
    String(r.metrics.truthTemplates),
    String(r.patterns),
    f3(r.metrics.GA),
    f3(r.metrics.PA),
    f3(r.metrics.FGA),
    f3(r.metrics.FTA),
    f3(r.metrics.byId.GA),
    r.ms.toFixed(0),
  ]);
  rows.push([
    `average (${results.length})`,
    String(results.reduce((a, r) => a + r.lines, 0)),
    '',
    '',
    f3(avg.GA),
    f3(avg.PA),
    f3(avg.FGA),
    f3(avg.FTA),
    f3(avg.byIdGA),
    results.reduce((a, r) => a + r.ms, 0).toFixed(0),
  ]);
  for (const p of PUBLISHED) rows.push([`${p.parser} (published)`, '', '', '', f3(p.GA), f3(p.PA), '', '', '', '']);
  process.stdout.write(
    `${table(['system', 'lines', 'true tpl', 'found', 'GA', 'PA', 'FGA', 'FTA', 'GA by id', 'ms'], rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]))}\n`,
  );
  for (const p of PUBLISHED) process.stdout.write(`  ${p.parser}: ${p.note}\n`);
  process.stdout.write(
    '  found: live patterns after the last line; GA by id: grouping by pattern id rather than by template string\n' +
      `target: average GA ≥ ${TARGET.GA} and PA ≥ ${TARGET.PA}: ` +
      (all ? (met ? 'met' : 'NOT met') : `not judged (${results.length} of ${LOGHUB_SYSTEMS.length} systems run)`) +
      '\n',
  );
  const overflowed = results.filter((r) => r.overflowed > 0);
  if (overflowed.length)
    process.stdout.write(`overflow: ${overflowed.map((r) => `${r.system} ${r.overflowed} lines`).join(', ')}\n`);
  for (const r of results) if (opts.showErrors > 0) printErrors(r, opts.groupBy);
  return 0;
}
