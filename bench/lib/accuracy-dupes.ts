// `npm run bench -- accuracy dupes [--data DIR] [--out FILE]`: duplicate tickets by text
// (analysis/retrieval rankSimilarTickets). DIR holds one *_bugs.csv (columns Summary,
// Issue id, Description, Created, read by name) and one *_duplicates.csv (Issue id,
// Duplicate id; the latter may list several ids). Default:
// ../shared/datasets/duplicate-tickets-seamonkey.
//
// The first row is the standard protocol (REP, Sun et al.): the duplicate groups are the
// connected sets of linked reports (a master and its duplicates); each report with another
// member of its group filed strictly before it is a query, it ranks only the reports filed
// strictly before it, and it scores a hit when any earlier member of its group (the master
// among them when it came first) is in the top k.
//
// The two rows below it: every report in a duplicate pair whose two reports both exist is a
// query; its right answers are the reports linked to it in either direction. As a real system would, a
// query ranks only the reports that existed when it was looked at: those created before it
// or within WINDOW_DAYS after (a ticket is triaged within days, and duplicates filed
// meanwhile are visible then). Queries whose duplicates all came later have nothing to find
// and are left out of that row; the "any time" row ranks every other report.
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  SIMILAR_TICKETS_ALGORITHM,
  type TicketDocument,
  buildTicketIndex,
  rankSimilarTickets,
} from '../../src/analysis/retrieval/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { int, table } from './format.js';
import { datasetsRoot } from './loghub.js';
import { type RankedCase, hitAt } from './ranking.js';

const DEFAULT_DIR = 'duplicate-tickets-seamonkey';
const WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;
const WRITE_TOP = 20;

type Row = Record<string, string | undefined>;

function readCsv(file: string): Row[] {
  return parse(readFileSync(file), {
    columns: true,
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
  }) as Row[];
}

function oneFile(dir: string, suffix: string): string {
  const found = readdirSync(dir).filter((f) => f.endsWith(suffix));
  if (found.length !== 1) throw new Error(`${dir} must hold exactly one *${suffix} (found ${found.length})`);
  return join(dir, found[0]!);
}

function column(row: Row, name: string, file: string): string {
  const v = row[name];
  if (v === undefined) throw new Error(`${file} has no column "${name}"`);
  return v;
}

/** The duplicate groups: each linked report's connected set of reports, by id. */
function groups(links: ReadonlyMap<string, ReadonlySet<string>>): Map<string, string[]> {
  const groupOf = new Map<string, string[]>();
  for (const start of links.keys()) {
    if (groupOf.has(start)) continue;
    const members: string[] = [];
    const todo = [start];
    const seen = new Set([start]);
    while (todo.length > 0) {
      const id = todo.pop()!;
      members.push(id);
      for (const next of links.get(id) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(next);
      }
    }
    for (const id of members) groupOf.set(id, members);
  }
  return groupOf;
}

function recalls(cases: readonly RankedCase[]): string[] {
  return [int(cases.length), ...[1, 5, 10].map((k) => hitAt(cases, k).toFixed(3))];
}

export async function run(opts: AccuracyOptions): Promise<number> {
  const dir = opts.data ?? join(datasetsRoot(), DEFAULT_DIR);
  if (!existsSync(dir)) throw new Error(`no ${dir}: pass --data DIR or set ORRERY_DATASETS`);
  const bugsFile = oneFile(dir, '_bugs.csv');
  const dupesFile = oneFile(dir, '_duplicates.csv');
  const t0 = performance.now();
  const tickets: TicketDocument[] = readCsv(bugsFile).map((r) => {
    const created = Date.parse(column(r, 'Created', bugsFile));
    return {
      id: column(r, 'Issue id', bugsFile).trim(),
      title: column(r, 'Summary', bugsFile),
      body: column(r, 'Description', bugsFile),
      createdAt: Number.isNaN(created) ? null : created,
    };
  });
  const byId = new Map(tickets.map((t) => [t.id, t]));
  const links = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    const s = links.get(a);
    if (s) s.add(b);
    else links.set(a, new Set([b]));
  };
  for (const r of readCsv(dupesFile)) {
    const a = column(r, 'Issue id', dupesFile).trim();
    for (const b of column(r, 'Duplicate id', dupesFile).split(/[,;\s]+/)) {
      if (b === '' || b === a || !byId.has(a) || !byId.has(b)) continue;
      link(a, b);
      link(b, a);
    }
  }
  const tRead = performance.now();
  const index = buildTicketIndex(tickets);
  const tIndex = performance.now();

  const groupOf = groups(links);
  const standard: RankedCase[] = [];
  const timely: RankedCase[] = [];
  const anyTime: RankedCase[] = [];
  let unanswerable = 0;
  const queries = [...links.keys()].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : 1));
  for (const id of queries) {
    const q = byId.get(id)!;
    const truth = [...links.get(id)!];
    if (typeof q.createdAt === 'number') {
      const before = q.createdAt;
      const earlier = groupOf.get(id)!.filter((t) => {
        const c = byId.get(t)!.createdAt;
        return t !== id && typeof c === 'number' && c < before;
      });
      if (earlier.length > 0) {
        standard.push({
          case: id,
          truth: earlier,
          ranked: rankSimilarTickets(q, index, { limit: WRITE_TOP, createdUntil: before - 1 }).map((s) => s.id),
        });
      }
    }
    anyTime.push({ case: id, truth, ranked: rankSimilarTickets(q, index, { limit: WRITE_TOP }).map((s) => s.id) });
    const until = q.createdAt === null || q.createdAt === undefined ? undefined : q.createdAt + WINDOW_DAYS * DAY_MS;
    const visible = truth.filter((t) => {
      const c = byId.get(t)!.createdAt;
      return until === undefined || c === null || c === undefined || c <= until;
    });
    if (visible.length === 0) {
      unanswerable++;
      continue;
    }
    timely.push({
      case: id,
      truth: visible,
      ranked: rankSimilarTickets(q, index, { limit: WRITE_TOP, createdUntil: until }).map((s) => s.id),
    });
  }
  const tQuery = performance.now();

  const header = ['candidates', 'cases', 'Recall@1', 'Recall@5', 'Recall@10'];
  const rows = [
    ['filed before the query (standard)', ...recalls(standard)],
    [`created ≤ query + ${WINDOW_DAYS} d`, ...recalls(timely)],
    ['any time (every other report)', ...recalls(anyTime)],
  ];
  const named: [string, RankedCase[]][] = [
    ['standard', standard],
    [`within ${WINDOW_DAYS} d`, timely],
    ['any time', anyTime],
  ];
  const rowNames = named.map(([name]) => `"${name}"`).join(', ');
  process.stdout.write(
    `duplicate tickets (${SIMILAR_TICKETS_ALGORITHM}) on ${dir}\n` +
      `Standard protocol (REP, Sun et al.), first row: each report with a member of its duplicate group filed before it ranks only the reports filed before it, and scores a hit when its master or any earlier report of its group is in the top k.\n` +
      `${int(tickets.length)} reports, ${int(queries.length)} queries in duplicate pairs; ${unanswerable} left out of the ≤ ${WINDOW_DAYS} d row ` +
      `(every duplicate filed more than ${WINDOW_DAYS} days later)\n` +
      `read ${((tRead - t0) / 1000).toFixed(2)} s, index ${((tIndex - tRead) / 1000).toFixed(2)} s, ` +
      `${int(standard.length + timely.length + anyTime.length)} queries ${((tQuery - tIndex) / 1000).toFixed(2)} s\n\n` +
      `${table(header, rows, new Set([1, 2, 3, 4]))}\n`,
  );
  if (opts.out) {
    writeFileSync(opts.out, '');
    for (const [row, cases] of named) {
      for (const c of cases) appendFileSync(opts.out, `${JSON.stringify({ row, case: c.case, ranked: c.ranked })}\n`);
    }
    process.stdout.write(`\nrankings (every query of every row, "row" one of ${rowNames}): ${opts.out}\n`);
  }
  return standard.length > 0 ? 0 : 1;
}
