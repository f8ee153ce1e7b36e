// Reads the loghub-2k datasets (Loghub-2.0's corrected labels): for one system, the message
// bodies (`Content`) and their true templates (`EventTemplate`), line by line.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT } from './paths.js';

/** The 8 systems of ../shared/datasets/loghub-2k. */
export const LOGHUB_SYSTEMS = ['Android', 'Apache', 'BGL', 'HDFS', 'Hadoop', 'Linux', 'Spark', 'Zookeeper'] as const;
export type LoghubSystem = (typeof LOGHUB_SYSTEMS)[number];

export interface LoghubSystemData {
  /** The parser input: the message body of each line. */
  contents: string[];
  /** The true template of each line, `<*>` for parameters. */
  truth: string[];
}

/** The shared datasets folder: $ORRERY_DATASETS, or ../shared/datasets beside the repository. */
export function datasetsRoot(): string {
  const env = process.env.ORRERY_DATASETS;
  return env ? resolve(env) : resolve(REPO_ROOT, '..', 'shared', 'datasets');
}

export function loghubDir(root = datasetsRoot()): string {
  return join(root, 'loghub-2k');
}

export function structuredFile(system: string, root = datasetsRoot()): string {
  return join(loghubDir(root), system, `${system}_2k.log_structured_corrected.csv`);
}

/**
 * Why the loghub-2k data cannot be used (a message for a skip), or null when every system's
 * structured CSV is there.
 */
export function loghubMissing(systems: readonly string[] = LOGHUB_SYSTEMS, root = datasetsRoot()): string | null {
  const hint =
    'Put the datasets at ../shared/datasets (beside the repository) or point ORRERY_DATASETS at the folder that holds loghub-2k.';
  if (!existsSync(loghubDir(root))) return `loghub-2k data not found: there is no ${loghubDir(root)}.\n${hint}`;
  const missing = systems.filter((s) => !existsSync(structuredFile(s, root)));
  if (missing.length === 0) return null;
  return `loghub-2k data incomplete: no ${missing.map((s) => `${s}/${s}_2k.log_structured_corrected.csv`).join(', ')} under ${loghubDir(root)}.\n${hint}`;
}

/** Reads one system's `<Sys>_2k.log_structured_corrected.csv`. */
export function readLoghubSystem(system: string, root = datasetsRoot()): LoghubSystemData {
  const file = structuredFile(system, root);
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, bom: true, skip_empty_lines: true }) as Array<
    Record<string, string | undefined>
  >;
  const contents: string[] = [];
  const truth: string[] = [];
  for (const [i, row] of rows.entries()) {
    const content = row.Content;
    const template = row.EventTemplate;
    if (content === undefined || template === undefined)
      throw new Error(`${file}: row ${i + 2} has no Content or EventTemplate column`);
    contents.push(content);
    truth.push(template);
  }
  return { contents, truth };
}
