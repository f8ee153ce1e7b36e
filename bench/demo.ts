// `npm run bench -- demo`: wall time from starting `orrery demo` to a ready world, as a user
// sees it after `npm ci` (the built CLI in a fresh process), with the time of each step.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseOrExit } from './lib/options.js';
import { REPO_ROOT } from './lib/paths.js';
import { freePort } from './lib/server-process.js';

const TARGET_S = 240;

const USAGE = `usage: npm run bench -- demo [options]

Runs \`orrery demo --exit-when-ready\` (dist/cli/main.js, built by npm ci; else the sources
through tsx) in a fresh temp folder on free ports, and prints the wall time from the
process start to "The world is ready", with the time at which each step finished.
Target: a ready world in under ${TARGET_S} s.

Options:
  --scenario NAME    all (default) or one scenario
  --duration D       short, normal (default, what npm start runs) or e.g. 90s
  --help             this text`;

interface Options {
  scenario: string;
  duration: string;
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { scenario: { type: 'string' }, duration: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  return { scenario: values.scenario ?? 'all', duration: values.duration ?? 'normal' };
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-bench-demo-'));
  const built = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  const cli = existsSync(built) ? [built] : ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts')];
  const argv = [
    ...cli,
    'demo',
    '--scenario',
    opts.scenario,
    '--duration',
    opts.duration,
    '--dir',
    join(dir, 'demo'),
    '--port',
    String(await freePort()),
    '--otlp-port',
    String(await freePort()),
    '--otlp-grpc-port',
    String(await freePort()),
    '--exit-when-ready',
  ];
  process.stdout.write(
    `Orrery demo benchmark: ${os.cpus().length} CPU, Node ${process.version}; orrery demo --scenario ${opts.scenario} --duration ${opts.duration}\n`,
  );
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let readyS: number | null = null;
  let buffered = '';
  const steps: { s: number; line: string }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let i = buffered.indexOf('\n');
    while (i >= 0) {
      const line = buffered.slice(0, i).trim();
      buffered = buffered.slice(i + 1);
      const s = (performance.now() - t0) / 1000;
      if (line.includes('✓') || line.startsWith('The world is ready')) {
        steps.push({ s, line });
        process.stdout.write(`  ${s.toFixed(1).padStart(6)} s  ${line}\n`);
      }
      if (line.startsWith('The world is ready')) readyS = s;
      i = buffered.indexOf('\n');
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const totalS = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0 || readyS === null) {
    process.stdout.write(`FAILED: orrery demo exited with code ${code}\n${stderr.trim().slice(-2000)}\n`);
    return 1;
  }
  const ready: number = readyS;
  process.stdout.write(
    `\nstart → ready world: ${ready.toFixed(1)} s (target < ${TARGET_S} s: ${ready < TARGET_S ? 'met' : 'NOT MET'}); ` +
      `process exit after stopping everything: ${totalS.toFixed(1)} s\n`,
  );
  return 0;
}
