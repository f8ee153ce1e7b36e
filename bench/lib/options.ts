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
