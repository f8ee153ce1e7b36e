// The front of every benchmark's main(): parse its options, print the usage for --help (exit
// 0) or with the error for a bad option (exit 2).

/** The parsed options, or the exit code when main should stop here. */
export function parseOrExit<T>(args: string[], parse: (args: string[]) => T | 'help', usage: string): T | number {
  try {
    const parsed = parse(args);
    if (parsed === 'help') {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    return parsed;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return 2;
  }
}

/** A whole-number option: `fallback` when absent, else an integer in [min, max] (throws naming the option). */
export function whole(name: string, v: string | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

/** A time for an output file's name: 2026-12-07T23-18-56. */
export function fileStamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-').slice(0, 19);
}
