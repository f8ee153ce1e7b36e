// `orrery patterns mine <file>`: offline template mining of a file, in this process (no server).
// Prints each line's final pattern id and template as JSON lines, or a table of templates.
import { type Command, Option } from 'commander';
import { MineInputError, type MineSummary, mineFile } from '../../workflows/index.js';
import { CliError, EXIT } from '../client.js';
import { table } from '../table.js';

interface MineFlags {
  column?: string;
  jsonl?: boolean;
  summary?: boolean;
}

const FLUSH_AT = 64 * 1024;

/** Batches stdout writes and waits for 'drain' when the pipe is full, so memory stays flat. */
class Output {
  private buffered = '';

  write(s: string): Promise<void> | undefined {
    this.buffered += s;
    return this.buffered.length >= FLUSH_AT ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.buffered === '') return undefined;
    const ok = process.stdout.write(this.buffered);
    this.buffered = '';
    return ok ? undefined : new Promise((resolve) => process.stdout.once('drain', () => resolve()));
  }
}

function progress(): ((mined: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (mined) => process.stderr.write(`\rmined ${mined.toLocaleString('en-US')} lines…\u001b[K`);
}

function printSummary(file: string, s: MineSummary): void {
  const rows = [...s.patterns]
    .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
    .map((p) => [p.id, p.count, p.template]);
  const overflow =
    s.overflowed > 0 ? `; ${s.overflowed} lines over the pattern limit went to the overflow pattern` : '';
  process.stdout.write(
    `${table(['id', 'lines', 'template'], rows)}\n${s.lines} lines of ${file}, ${s.patterns.length} patterns (${s.algorithm})${overflow}\n`,
  );
}

async function mine(file: string, f: MineFlags): Promise<void> {
  if (f.column === undefined && /\.csv$/i.test(file)) {
    process.stderr.write(
      `note: ${file} is read as plain text, one body per line; give --column NAME to read one column of a CSV\n`,
    );
  }
  // `orrery patterns mine big.log | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });
  const onProgress = progress();
  const out = new Output();
  let summary: MineSummary;
  try {
    summary = await mineFile(
      file,
      { column: f.column, onProgress },
      f.summary
        ? undefined
        : (row) =>
            out.write(
              `{"line":${row.line},"id":${JSON.stringify(row.id)},"template":${JSON.stringify(row.template)}}\n`,
            ),
    );
  } catch (err) {
    if (err instanceof MineInputError) throw new CliError(err.message, EXIT.usage);
    throw err;
  } finally {
    if (onProgress) process.stderr.write('\n');
  }
  await out.flush();
  if (f.summary) printSummary(file, summary);
}

export function registerPatternsMine(patterns: Command): void {
  patterns
    .command('mine')
    .argument('<file>', 'a text file with one log body per line (LF or CRLF), or a CSV with --column')
    .description(
      "mine log templates from a file offline, in this process (no server): each line's template id and template",
    )
    .option('--column <name>', 'read the file as a CSV with a header row and mine this column (e.g. Content)')
    .addOption(
      new Option(
        '--jsonl',
        'one JSON object per input line, in input order (the default): {"line":1,"id":"…","template":"…"}',
      ).conflicts('summary'),
    )
    .option('--summary', 'print a table of the templates found, most lines first, instead of one row per line')
    .addHelpText(
      'after',
      `
Every line is mined first, then printed with its FINAL pattern: templates grow more general
and patterns merge as lines arrive, so the id and template printed for line 1 are the ones it
has after the whole file. Lines of the same shape get the same id. Empty lines are kept (as
empty bodies) so that output line N is input line N; a CSV's header row is not counted.

Examples:
  orrery patterns mine app.log > templates.jsonl
  orrery patterns mine export.csv --column Content --summary
  orrery patterns mine app.log | jq -r .template | sort | uniq -c | sort -rn | head

Exit codes: 0 done, 2 a missing file or a CSV without that column (nothing is printed).`,
    )
    .action((file: string, f: MineFlags) => mine(file, f));
}
