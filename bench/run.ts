// The benchmark dispatcher: `npm run bench -- <name> [args...]` imports bench/<name>.ts and
// runs its exported main(args); helpers live in bench/lib/ and are not benchmarks.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { BENCH_DIR } from './lib/paths.js';

interface Benchmark {
  main(args: string[]): Promise<number | undefined> | number | undefined;
}

function available(): string[] {
  return readdirSync(BENCH_DIR, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && e.name !== 'run.ts')
    .map((e) => e.name.slice(0, -'.ts'.length))
    .sort();
}

function usage(): string {
  return `usage: npm run bench -- <name> [args...]   (or: node --import tsx bench/run.ts <name> [args...])

Benchmarks: ${available().join(', ') || '(none)'}
Run \`npm run bench -- <name> --help\` for a benchmark's options.
`;
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (!available().includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(pathToFileURL(join(BENCH_DIR, `${name}.ts`)).href)) as Partial<Benchmark>;
  if (typeof mod.main !== 'function') {
    process.stderr.write(`bench/${name}.ts does not export main(args)\n`);
    return 2;
  }
  return (await mod.main(args)) ?? 0;
}

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    process.exitCode = 1;
  },
);
