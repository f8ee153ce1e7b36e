// Offline template mining (`orrery patterns mine`): mine every line of a file or a sequence of
// log bodies with one fresh miner, then report each line's FINAL pattern id and template in
// input order. Templates change and patterns merge while lines arrive, so nothing is reported
// until the last line is mined; between the two passes only a small id per line is kept.
import { createReadStream, statSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse';
import {
  PATTERNS_ALGORITHM,
  type MinerOptions,
  type PatternInfo,
  type PatternMiner,
  createPatternMiner,
} from '../analysis/patterns/index.js';

/** A bad input: a file that cannot be read, or a CSV without the named column. */
export class MineInputError extends Error {}

export interface MinedLine {
  /** 1-based position of the body in the input (a CSV's header is not counted). */
  line: number;
  /** The line's pattern id after all lines were mined (merges followed). */
  id: string;
  template: string;
}

export interface MineOptions {
  /** Options of the miner (one fresh miner per call). */
  miner?: MinerOptions;
  /** Called with the number of lines mined so far, every `progressEvery` lines and at the end. */
  onProgress?: (mined: number) => void;
  /** Default 100,000. */
  progressEvery?: number;
}

export interface MineFileOptions extends MineOptions {
  /** The CSV column that holds the bodies; giving it makes the file a CSV. */
  column?: string;
  /** `lines` (one body per line) unless a column is given. */
  format?: 'lines' | 'csv';
}

export interface MineSummary {
  algorithm: typeof PATTERNS_ALGORITHM;
  lines: number;
  /** The live patterns after the last line, as the miner reports them. */
  patterns: PatternInfo[];
  /** Lines that went to the overflow pattern. */
  overflowed: number;
}

/** Receives each line's result in input order; may return a promise to apply backpressure. */
export type MineEmit = (row: MinedLine) => void | Promise<void>;

/** The per-line pattern ids of the first pass, as small integers into a table of id strings. */
class IdColumn {
  private codes = new Uint32Array(1024);
  private count = 0;
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();

  push(id: string): void {
    let code = this.index.get(id);
    if (code === undefined) {
      code = this.ids.length;
      this.ids.push(id);
      this.index.set(id, code);
    }
    if (this.count === this.codes.length) {
      const grown = new Uint32Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.count++] = code;
  }

  get length(): number {
    return this.count;
  }

  code(i: number): number {
    return this.codes[i]!;
  }
}

/**
 * Mines every body with a fresh miner, then calls `emit` once per body in input order with its
 * final id and template.
 */
export async function mineLines(
  lines: AsyncIterable<string> | Iterable<string>,
  opts: MineOptions = {},
  emit?: MineEmit,
): Promise<MineSummary> {
  const miner: PatternMiner = createPatternMiner(opts.miner);
  const every = opts.progressEvery ?? 100_000;
  const column = new IdColumn();
  for await (const body of lines) {
    column.push(miner.add(body).id);
    if (opts.onProgress && column.length % every === 0) opts.onProgress(column.length);
  }
  if (opts.onProgress && column.length % every !== 0) opts.onProgress(column.length);

  if (emit) {
    // Resolve each distinct first-pass id once: after the last line, merges are final.
    const finalIds = column.ids.map((id) => miner.resolve(id));
    const templates = new Map<string, string>();
    const templateOf = finalIds.map((id) => {
      let t = templates.get(id);
      if (t === undefined) {
        t = miner.template(id);
        templates.set(id, t);
      }
      return t;
    });
    for (let i = 0; i < column.length; i++) {
      const code = column.code(i);
      const pending = emit({ line: i + 1, id: finalIds[code]!, template: templateOf[code]! });
      if (pending) await pending;
    }
  }
  return {
    algorithm: PATTERNS_ALGORITHM,
    lines: column.length,
    patterns: miner.patterns(),
    overflowed: miner.overflowed,
  };
}

/** The lines of a text file: split on LF, a CR before it dropped, empty lines kept. */
async function* textLines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = rest + (chunk as string);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      yield nl > start && text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** The named column of each record of a CSV file with a header row. */
async function* csvColumn(path: string, name: string): AsyncGenerator<string> {
  const parser = createReadStream(path).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  let at = -1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (at === -1) {
        at = record.indexOf(name);
        if (at === -1) {
          const trimmed = record.findIndex((c) => c.trim() === name);
          if (trimmed === -1) {
            throw new MineInputError(
              `${path} has no column "${name}"; its columns are: ${record.map((c) => JSON.stringify(c)).join(', ')}`,
            );
          }
          at = trimmed;
        }
        continue;
      }
      yield record[at] ?? '';
    }
  } finally {
    parser.destroy();
  }
  if (at === -1) throw new MineInputError(`${path} is empty: a CSV needs a header row naming the column "${name}"`);
}

function checkReadable(path: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MineInputError(
      code === 'ENOENT' ? `${path}: no such file` : `cannot read ${path}: ${code ?? (err as Error).message}`,
    );
  }
  if (!isFile) throw new MineInputError(`${path} is not a file`);
}

/**
 * Mines a file offline: plain text (one body per line, CRLF or LF) or a CSV read by its column.
 * Throws MineInputError for a missing file or column, before anything is emitted.
 */
export async function mineFile(path: string, opts: MineFileOptions, emit?: MineEmit): Promise<MineSummary> {
  const format = opts.format ?? (opts.column !== undefined ? 'csv' : 'lines');
  if (format === 'csv' && opts.column === undefined)
    throw new MineInputError('a CSV is read by one column: name it (--column NAME)');
  checkReadable(path);
  const bodies = format === 'csv' ? csvColumn(path, opts.column!) : textLines(path);
  try {
    return await mineLines(bodies, opts, emit);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EISDIR' || code === 'ENOENT')
      throw new MineInputError(`cannot read ${path}: ${code}`);
    if (typeof code === 'string' && code.startsWith('CSV_'))
      throw new MineInputError(`${path} is not a valid CSV: ${(err as Error).message}`);
    throw err;
  }
}
