// `orrery doctor`: what a new setup needs, each check with a stable code, what it found and
// the fix; `--fix` applies the safe fixes (create the data directory, apply migrations), and a
// second run changes nothing. `orrery demo` (npm start) runs the machine's checks first and
// prints only the problems.
import type { Config } from '../../config/index.js';
import type { DoctorCheck, DoctorReport } from '../../model/index.js';
import { checkLlm, checkPort, checkWebhookSecrets, portsOf } from './network.js';
import { checkStore } from './store.js';
import { checkDisk, checkGit, checkGrammars, checkMemory, checkNode } from './system.js';

export interface DoctorOptions {
  /** Apply the safe fixes. */
  fix?: boolean;
  /** Leave out the store's checks (the demo makes its own store each run). */
  skipStore?: boolean;
}

export async function runDoctor(config: Config, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [checkNode()];
  if (!opts.skipStore) checks.push(...(await guard('data-dir', () => checkStore(config, { fix: opts.fix ?? false }))));
  for (const spec of portsOf(config)) checks.push(await checkPort(spec));
  const [git, grammars, llm, disk] = await Promise.all([
    checkGit(),
    checkGrammars(),
    checkLlm(config),
    checkDisk(config.databaseUrl ? process.cwd() : config.dataDir),
  ]);
  checks.push(git, grammars, llm, checkWebhookSecrets(config), disk, checkMemory());
  return { checks, exitCode: exitCodeOf(checks) };
}

/** A check that threw is a check that could not run, never a crash of doctor. */
async function guard(check: string, run: () => Promise<DoctorCheck[]>): Promise<DoctorCheck[]> {
  try {
    return await run();
  } catch (err) {
    return [
      {
        check,
        code: `${check.toUpperCase().replace(/-/g, '_')}_UNCHECKED`,
        status: 'unchecked',
        found: `the check failed: ${(err as Error).message}`,
        fix: null,
      },
    ];
  }
}

export function exitCodeOf(checks: readonly DoctorCheck[]): 0 | 1 | 2 {
  if (checks.some((c) => c.status === 'problem')) return 1;
  if (checks.some((c) => c.status === 'unchecked')) return 2;
  return 0;
}

const MARK: Record<DoctorCheck['status'], string> = {
  ok: 'ok',
  problem: 'PROBLEM',
  unchecked: 'UNCHECKED',
  skipped: '-',
};

/** One line per check; with `onlyFailures`, only problems and checks that could not run. */
export function renderDoctor(report: DoctorReport, opts: { onlyFailures?: boolean } = {}): string {
  const shown = opts.onlyFailures
    ? report.checks.filter((c) => c.status === 'problem' || c.status === 'unchecked')
    : report.checks;
  const width = Math.max(0, ...shown.map((c) => MARK[c.status].length));
  const lines = shown.map((c) => {
    const head = `${MARK[c.status].padEnd(width)}  ${c.code}: ${c.found}${c.fixed ? ' [fixed]' : ''}`;
    return c.fix && c.status !== 'ok' ? `${head}\n${' '.repeat(width + 2)}fix: ${c.fix}` : head;
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}
