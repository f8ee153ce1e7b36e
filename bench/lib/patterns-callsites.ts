// `npm run bench -- patterns trainticket`: template mining scored against log call sites. Each
// Nezha TrainTicket day in the datasets folder is mined by a fresh miner on the messages alone
// (trainticket-sites.ts), and its grouping is compared with the statements that logged them:
// GA as template-metrics.ts computes it (a line is right when its template's lines are exactly
// its call site's lines), and the share of lines whose template holds one call site only.
import { PATTERNS_ALGORITHM, createPatternMiner } from '../../src/analysis/patterns/index.js';
import { int, table } from './format.js';
import { extractNezhaOnce, nezhaArchivePaths } from './nezha-archive.js';
import { evaluateParsing } from './template-metrics.js';
import { type CallSiteDay, dayDirs, readCallSiteDay } from './trainticket-sites.js';

/** Python Drain3 with its defaults on the same messages, grouping against call sites (issue 18). */
export const DRAIN3_CALLSITE_GA = 0.543;
/** Most lines mined per day; a larger day is sampled (every k-th line). Both days today are below it. */
export const MAX_LINES_PER_DAY = 250_000;

export interface CallSiteResult {
  day: string;
  lines: number;
  sampleEvery: number;
  sites: number;
  templates: number;
  /** GA against call sites, groups keyed by template string (as for Loghub). */
  GA: number;
  /** The same with groups keyed by pattern id. */
  gaById: number;
  /** Share of lines in a template that holds a single call site. */
  singleSite: number;
  /**
   * The GA no miner can pass: lines whose exact text another call site also logs (or that share
   * a call site with such a line) cannot be grouped right by anything that reads the text alone.
   */
  ceiling: number;
  /** The templates holding the most call sites' lines, with an example per site. */
  worst: Array<{ template: string; lines: number; sites: Array<{ site: string; example: string }> }>;
  ms: number;
}

/** GA of the best grouping that reads only the text: call sites that log an identical message joined. */
function ceilingGA(messages: readonly string[], sites: readonly string[]): number {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    parent.set(x, r);
    return r;
  };
  const siteOf = new Map<string, string>();
  for (let i = 0; i < messages.length; i++) {
    const s = sites[i] as string;
    const seen = siteOf.get(messages[i] as string);
    if (seen === undefined) siteOf.set(messages[i] as string, s);
    else {
      const a = find(seen);
      const b = find(s);
      if (a !== b) parent.set(a, b);
    }
  }
  const joined = new Map<string, Set<string>>();
  for (const s of sites) {
    const root = find(s);
    const set = joined.get(root) ?? new Set<string>();
    set.add(s);
    joined.set(root, set);
  }
  let alone = 0;
  for (const s of sites) if ((joined.get(find(s)) as Set<string>).size === 1) alone++;
  return sites.length === 0 ? 0 : alone / sites.length;
}

export function scoreCallSiteDay(data: CallSiteDay, worstN = 0): CallSiteResult {
  const { messages, sites } = data;
  const miner = createPatternMiner();
  const t0 = performance.now();
  const first = messages.map((m) => miner.add(m).id);
  const ms = performance.now() - t0;
  const ids = first.map((id) => miner.resolve(id));
  const templates = ids.map((id) => miner.template(id));
  // No `contents`: Loghub's empty-parameter alignment is for comparing template strings with a
  // true template, and its regular expressions backtrack for minutes on these long messages.
  const m = evaluateParsing(sites, ids, templates);
  const byTemplate = new Map<string, { lines: number; sites: Map<string, string> }>();
  for (let i = 0; i < templates.length; i++) {
    const t = templates[i] as string;
    let g = byTemplate.get(t);
    if (g === undefined) {
      g = { lines: 0, sites: new Map() };
      byTemplate.set(t, g);
    }
    g.lines++;
    if (!g.sites.has(sites[i] as string)) g.sites.set(sites[i] as string, messages[i] as string);
  }
  let single = 0;
  for (const g of byTemplate.values()) if (g.sites.size === 1) single += g.lines;
  const worst = [...byTemplate]
    .filter(([, g]) => g.sites.size > 1)
    .sort((a, b) => b[1].lines - a[1].lines)
    .slice(0, worstN)
    .map(([template, g]) => ({
      template,
      lines: g.lines,
      sites: [...g.sites].map(([site, example]) => ({ site, example })),
    }));
  return {
    day: data.day,
    lines: messages.length,
    sampleEvery: data.sampleEvery,
    sites: m.truthTemplates,
    templates: byTemplate.size,
    GA: m.GA,
    gaById: m.byId.GA,
    singleSite: messages.length === 0 ? 0 : single / messages.length,
    ceiling: ceilingGA(data.bodies, sites),
    worst,
    ms,
  };
}

/** Every day of every TrainTicket archive in the datasets folder; null when there is none. */
export async function runCallSites(opts: {
  showErrors: number;
  wholeLines: boolean;
  log: (s: string) => void;
}): Promise<CallSiteResult[] | null> {
  const archives = nezhaArchivePaths();
  if (archives.length === 0) return null;
  const results: CallSiteResult[] = [];
  for (const archive of archives) {
    const root = await extractNezhaOnce(archive, opts.log);
    for (const { dir } of dayDirs(root)) {
      const data = await readCallSiteDay(dir, { maxLines: MAX_LINES_PER_DAY, wholeLines: opts.wholeLines });
      results.push(scoreCallSiteDay(data, opts.showErrors));
    }
  }
  return results;
}

const f3 = (x: number) => x.toFixed(3);

/** Line-weighted over the days: the figure for all their lines, each day mined by its own miner. */
export function overall(results: readonly CallSiteResult[]): {
  lines: number;
  GA: number;
  gaById: number;
  singleSite: number;
  ceiling: number;
} {
  const lines = results.reduce((a, r) => a + r.lines, 0);
  const w = (f: (r: CallSiteResult) => number) =>
    lines === 0 ? 0 : results.reduce((a, r) => a + f(r) * r.lines, 0) / lines;
  return {
    lines,
    GA: w((r) => r.GA),
    gaById: w((r) => r.gaById),
    singleSite: w((r) => r.singleSite),
    ceiling: w((r) => r.ceiling),
  };
}

export function printCallSites(
  results: readonly CallSiteResult[],
  write: (s: string) => void,
  wholeLines = false,
): void {
  const all = overall(results);
  write(
    `patterns trainticket: ${PATTERNS_ALGORITHM}, default options, a fresh miner per day; input = ${
      wholeLines
        ? 'each whole logback line\n(time, level, class#line, ids and message)'
        : 'the message after\n`SpanID: <id> ` of each logback line'
    }, truth = its \`Class#line\` call site\n\n`,
  );
  const rows = results.map((r) => [
    r.day,
    int(r.lines),
    String(r.sites),
    String(r.templates),
    f3(r.GA),
    f3(r.gaById),
    f3(r.singleSite),
    f3(r.ceiling),
    r.ms.toFixed(0),
  ]);
  rows.push(['overall', int(all.lines), '', '', f3(all.GA), f3(all.gaById), f3(all.singleSite), f3(all.ceiling), '']);
  rows.push(['Drain3 (from the issue)', '', '', '', f3(DRAIN3_CALLSITE_GA), '', '', '', '']);
  write(
    `${table(['day', 'lines', 'sites', 'templates', 'GA', 'GA by id', 'single-site', 'ceiling', 'ms'], rows, new Set([1, 2, 3, 4, 5, 6, 7, 8]))}\n`,
  );
  const sampled = results.filter((r) => r.sampleEvery > 1);
  write(
    sampled.length === 0
      ? `  every line of each day mined (a day above ${int(MAX_LINES_PER_DAY)} lines would be sampled, every k-th line)\n`
      : `  sampled: ${sampled.map((r) => `${r.day} every ${r.sampleEvery}th line`).join(', ')} (a day above ${int(MAX_LINES_PER_DAY)} lines)\n`,
  );
  write(
    "  GA: lines whose template holds exactly their call site's lines; single-site: lines whose template holds one call site;\n" +
      '  ceiling: the GA of the best grouping that reads only the text (call sites that log an identical message cannot be told\n' +
      '  apart); overall: line-weighted over the days; Drain3: Python Drain3 with its defaults on the same messages (issue 18)\n',
  );
  for (const r of results) {
    if (r.worst.length === 0) continue;
    write(`\n${r.day}: the ${r.worst.length} templates with the most lines from several call sites\n`);
    for (const w of r.worst) {
      write(`  [${w.lines}× from ${w.sites.length} sites] ${w.template.slice(0, 160)}\n`);
      for (const s of w.sites.slice(0, 4)) write(`      ${s.site}: ${s.example.slice(0, 150)}\n`);
      if (w.sites.length > 4) write(`      … and ${w.sites.length - 4} more sites\n`);
    }
  }
}
