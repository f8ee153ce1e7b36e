// Real application messages with a true grouping: the Nezha TrainTicket log lines, written by
// logback as `HH:mm:ss.SSS LEVEL Class#line TraceID: <id> SpanID: <id> <message>`. The call
// site (`Class#line`) names the statement that logged each line, so it is a ground truth for
// template mining that nobody on this project wrote: lines of one statement should share a
// template, and lines of two statements should not.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { csvRows, logbackFields } from './nezha-archive.js';

/** One day's messages (the miner's input) and the call site of each (the truth). */
export interface CallSiteDay {
  /** The day folder's name, YYYY-MM-DD. */
  day: string;
  /**
   * The messages: the text after `SpanID: <id> `, without time, level, class or ids (or, with
   * `wholeLines`, the whole logback line).
   */
  messages: string[];
  /** The messages alone, also with `wholeLines` (what the text-only ceiling reads). */
  bodies: string[];
  /** The `Class#line` of each message. */
  sites: string[];
  /** Application lines read (before sampling), and those not in the logback layout (skipped). */
  read: number;
  skipped: number;
  /** Every `sampleEvery`-th logback line was kept (1: all of them). */
  sampleEvery: number;
}

/** The day folders under an extracted archive's `rca_data/`. */
export function dayDirs(root: string): Array<{ day: string; dir: string }> {
  const base = join(root, 'rca_data');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((d) => /^\d{4}-\d\d-\d\d$/.test(d) && statSync(join(base, d)).isDirectory())
    .sort()
    .map((day) => ({ day, dir: join(base, day) }));
}

/**
 * A day's logback lines as (message, call site), in file order (minute files sorted by name, rows
 * as written). With `maxLines`, every k-th logback line is kept, k the smallest that keeps at most
 * that many: a deterministic sample spread over the whole day.
 */
export async function readCallSiteDay(
  dayDir: string,
  opts: { maxLines?: number; wholeLines?: boolean } = {},
): Promise<CallSiteDay> {
  const logDir = join(dayDir, 'log');
  const files = existsSync(logDir)
    ? readdirSync(logDir)
        .filter((f) => f.endsWith('.csv'))
        .sort()
        .map((f) => join(logDir, f))
    : [];
  const messages: string[] = [];
  const bodies: string[] = [];
  const sites: string[] = [];
  let read = 0;
  let skipped = 0;
  for (const file of files) {
    for await (const row of csvRows(file)) {
      let line: unknown;
      try {
        line = (JSON.parse(row.Log ?? '') as { log?: unknown }).log;
      } catch {
        continue;
      }
      if (typeof line !== 'string') continue;
      read++;
      const whole = line.replace(/\r?\n$/, '');
      const f = logbackFields(whole);
      if (f === null) {
        skipped++;
        continue;
      }
      messages.push(opts.wholeLines ? whole : f.message);
      bodies.push(f.message);
      sites.push(`${f.namespace}#${f.lineno}`);
    }
  }
  const sampleEvery =
    opts.maxLines !== undefined && messages.length > opts.maxLines ? Math.ceil(messages.length / opts.maxLines) : 1;
  const keep = <T>(xs: T[]) => (sampleEvery === 1 ? xs : xs.filter((_, i) => i % sampleEvery === 0));
  return {
    day: basename(dayDir),
    messages: keep(messages),
    bodies: keep(bodies),
    sites: keep(sites),
    read,
    skipped,
    sampleEvery,
  };
}
