// `npm run bench -- accuracy demo-commands [--seed N] [--duration D] [--keep]`: the default
// all-scenario demo, as `npm start` runs it (the built CLI when dist/ exists, else the sources
// through tsx), then every `npx orrery …` command its "Try:" block prints, run as printed
// against that world while it keeps running, each answer checked against the truth files:
//  - `investigate alert|problem`: run with --json added. The window it reports holds the
//    scenarios whose onset falls in it (with a minute of slack before); for a problem, only
//    those whose faulty service is the problem's (a problem's investigation stays on its
//    fault). The answer is right when it names one of them at the first root with that
//    scenario's cause (demo-answer.ts: the bad deploy and culprit commit, or no deploy or
//    commit blamed, and for the load surge the load named). With several faults in one
//    window, naming any of them rightly counts;
//  - `errors`, `patterns`, `deploy list`, `tickets list`, `services --graph`, `triage list`:
//    their output names what the truth says they hold (the cart exception, the retry warning,
//    every bad deploy's version, every scenario ticket, the four services, and the service of
//    each fault that raised an error or a new warning).
// Prints per command right or wrong, and the time from start to the ready world.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScenarioTruth } from '../../src/demo/truth.js';
import type { Investigation, ProblemDetail } from '../../src/model/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { answerOf, judge } from './demo-answer.js';
import { table } from './format.js';
import { REPO_ROOT } from './paths.js';
import { freePort } from './server-process.js';

const MINUTE = 60_000;
const READY_TARGET_S = 240;

interface Outcome {
  command: string;
  ok: boolean;
  detail: string;
}

function cliArgv(): string[] {
  const built = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  return existsSync(built) ? [built] : ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts')];
}

/** The `npx orrery …` lines of the demo's "Try:" block, as argv (comments dropped). */
export function suggestedCommands(printed: string): string[][] {
  return printed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('npx orrery '))
    .map((l) =>
      l
        .replace(/\s+#.*$/, '')
        .slice('npx orrery '.length)
        .split(/\s+/),
    );
}

/** The scenarios whose onset is inside [since − 1 min, until]. */
function faultsIn(truth: readonly ScenarioTruth[], since: string, until: string): ScenarioTruth[] {
  const from = Date.parse(since) - MINUTE;
  const to = Date.parse(until);
  return truth.filter((t) => {
    const at = Date.parse(t.onset);
    return at >= from && at <= to;
  });
}

function checkInvestigation(
  truth: readonly ScenarioTruth[],
  inv: Investigation,
  problemService: string | null,
): { ok: boolean; detail: string } {
  const { since, until } = inv.result.window;
  const candidates = faultsIn(truth, since, until).filter(
    (t) => problemService === null || t.fault.service === problemService,
  );
  const answer = answerOf(inv);
  const said = `root ${answer.ranked[0] ?? 'none'}${answer.change ? `, deploy ${answer.change.service} ${answer.change.version}` : ''}${answer.loadChanges.length ? ', load change' : ''}`;
  if (candidates.length === 0)
    return {
      ok: false,
      detail: `${said}; no scenario${problemService ? ` of ${problemService}` : ''} began in ${since} → ${until}`,
    };
  const verdicts = candidates.map((t) => ({ t, v: judge(t, answer) }));
  const hit = verdicts.find(({ v }) => v.root && v.cause);
  if (hit) return { ok: true, detail: `${said}: ${hit.t.scenario}` };
  const near = verdicts.find(({ v }) => v.root) ?? verdicts[0]!;
  return {
    ok: false,
    detail: `${said}; in the window: ${candidates.map((t) => t.scenario).join(', ')} (${near.t.scenario}: ${near.v.why.join('; ')})`,
  };
}

/** What a listing command's output must name, from the truth. */
function expectedIn(args: readonly string[], truth: readonly ScenarioTruth[]): string[] {
  const cmd = args.filter((a) => !a.startsWith('--') && !/^https?:/.test(a)).join(' ');
  const of = (name: string) => truth.find((t) => t.scenario === name);
  switch (cmd) {
    case 'errors':
      return of('cart-badge') ? ['TypeError'] : [];
    case 'patterns':
      return of('inventory-timeout') ? ['retrying inventory reservation'] : [];
    case 'deploy list':
      return truth.flatMap((t) => (t.firstBadDeploy ? [t.firstBadDeploy.version] : []));
    case 'tickets list':
      return truth.flatMap((t) => t.tickets);
    case 'services':
      return ['web', 'cart', 'catalog', 'payments'];
    case 'triage list':
      // A problem on each service whose fault raised an error (or, the config change, a new warning).
      return [
        ...new Set(
          truth
            .filter((t) => t.affected.errored.length > 0 || t.fault.type === 'config-change')
            .map((t) => t.fault.service),
        ),
      ];
    default:
      return [];
  }
}

function runCli(args: readonly string[], cwd: string): { code: number | null; out: string; err: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [...cliArgv(), ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '', ms: Date.now() - t0 };
}

/** The service of a problem in the queue (null when it names none). */
async function problemService(port: number, id: string): Promise<string | null> {
  const res = await fetch(`http://127.0.0.1:${port}/api/problems/${encodeURIComponent(id)}`);
  if (!res.ok) return null;
  return ((await res.json()) as ProblemDetail).problem.service;
}

export async function run(opts: AccuracyOptions): Promise<number> {
  const { values } = parseArgs({
    args: opts.rest,
    strict: true,
    options: { seed: { type: 'string' }, duration: { type: 'string' }, keep: { type: 'boolean' } },
  });
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-demo-commands-'));
  const port = await freePort();
  const argv = [
    ...cliArgv(),
    'demo',
    '--dir',
    join(dir, 'demo'),
    '--port',
    String(port),
    '--otlp-port',
    String(await freePort()),
    '--otlp-grpc-port',
    String(await freePort()),
    ...(values.seed ? ['--seed', values.seed] : []),
    ...(values.duration ? ['--duration', values.duration] : []),
  ];
  process.stderr.write(`orrery demo (all scenarios${values.duration ? `, --duration ${values.duration}` : ''})…\n`);
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let printed = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const readyS = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      printed += s;
      if (printed.includes('npx orrery tickets list')) resolve((performance.now() - t0) / 1000);
    });
    child.once('exit', (code) =>
      reject(new Error(`orrery demo exited (${code}) before it was ready:\n${stderr.slice(-2000)}`)),
    );
  });
  const outcomes: Outcome[] = [];
  try {
    const truthDir = join(dir, 'demo', 'world', 'truth');
    const truth = readdirSync(truthDir).map(
      (f) => JSON.parse(readFileSync(join(truthDir, f), 'utf8')) as ScenarioTruth,
    );
    process.stderr.write(`ready in ${readyS.toFixed(0)} s; ${truth.length} truth files\n`);
    for (const args of suggestedCommands(printed.slice(printed.indexOf('Try:')))) {
      const command = `orrery ${args.join(' ')}`;
      const investigates = args[0] === 'investigate';
      const r = runCli(investigates ? [...args, '--json'] : args, REPO_ROOT);
      let ok = r.code === 0;
      let detail = ok ? '' : `exit ${r.code}: ${r.err.trim().split('\n').slice(-2).join(' ')}`;
      if (ok && investigates) {
        const problem = args[1] === 'problem' ? await problemService(port, args[2]!) : null;
        ({ ok, detail } = checkInvestigation(truth, JSON.parse(r.out) as Investigation, problem));
      } else if (ok) {
        const missing = expectedIn(args, truth).filter((x) => !r.out.includes(x));
        ok = missing.length === 0;
        detail = ok ? 'names what the truth says it holds' : `does not name ${missing.join(', ')}`;
      }
      outcomes.push({ command, ok, detail: `${detail} (${(r.ms / 1000).toFixed(1)} s)` });
      process.stderr.write(`  ${ok ? 'right' : 'WRONG'}  ${command}\n`);
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`kept ${dir}\n`);
  }
  console.log(
    table(
      ['command', 'answer', 'detail'],
      outcomes.map((o) => [o.command.replace(/ --server \S+/, ''), o.ok ? 'right' : 'WRONG', o.detail]),
    ),
  );
  console.log(
    `\n${outcomes.filter((o) => o.ok).length} of ${outcomes.length} suggested commands right; start → ready world ${readyS.toFixed(0)} s (target < ${READY_TARGET_S} s: ${readyS < READY_TARGET_S ? 'met' : 'NOT MET'})`,
  );
  return 0;
}
