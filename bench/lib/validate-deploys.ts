// `validate`'s deploys part: deploy verification against the example world (issue 20). Two
// worlds, one after the other: the demo's (every scenario; each scenario's first bad deploy must
// be called regressed within the watch window, its benign deploys healthy or inconclusive) and a
// world with only benign deploys (none may be called regressed). Prints every figure; the truth
// files are read here only, after the verdicts are in.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DEMO_VERIFY_WATCH_MINUTES, type ScenarioName, busyShare, hostCpuTimes } from '../../src/demo/index.js';
import { table } from './format.js';
import { type BenignRun, runBenign } from './validate-benign.js';
import { type ExampleRun, runExample } from './validate-example.js';
import type { ReadVerdict } from './validate-verdicts.js';

/** The issue's bound on the time from a bad deploy to its verdict at the demo's traffic. */
export const BAD_VERDICT_WITHIN_S = 180;
/** The issue's floor on the benign-only run's deploys, and the share of them on the hot path. */
export const MIN_BENIGN = 10;

export interface DeploysOptions {
  seed: number;
  quick: boolean;
  keep: boolean;
  scenarios: ScenarioName[];
  /** The example world's traffic phase (seconds). */
  durationS: number;
  watchMinutes: number;
  benign: number;
  /** Which worlds to run. */
  worlds: Array<'example' | 'benign'>;
  log: (line: string) => void;
}

export interface HostLoad {
  loadavg: string;
  busy: number | null;
}

export interface DeploysResult {
  example: ExampleRun | null;
  benign: BenignRun | null;
  host: { example: HostLoad | null; benign: HostLoad | null };
  /** pass null: not scored in this run (fewer deploys asked for than the check needs). */
  checks: Array<{ check: string; pass: boolean | null; figure: string }>;
  pass: boolean;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function measured<T>(f: () => Promise<T>): Promise<{ value: T; host: HostLoad }> {
  const c0 = hostCpuTimes();
  const value = await f();
  return { value, host: { loadavg: loadavg(), busy: busyShare(c0, hostCpuTimes()) } };
}

const s = (x: number | null) => (x === null ? '–' : `${x.toFixed(0)} s`);

function checksOf(r: Omit<DeploysResult, 'checks' | 'pass'>): DeploysResult['checks'] {
  const out: DeploysResult['checks'] = [];
  if (r.example) {
    const bad = r.example.deploys.filter((d) => d.badFor);
    const benign = r.example.deploys.filter((d) => !d.badFor);
    const called = bad.filter((d) => d.read.verdict === 'regressed');
    out.push({
      check: 'example world: every bad deploy called regressed',
      pass: bad.length > 0 && called.length === bad.length,
      figure: `${called.length} of ${bad.length}`,
    });
    const slow = called.filter((d) => d.read.seenAfterS === null || d.read.seenAfterS > BAD_VERDICT_WITHIN_S);
    out.push({
      check: `example world: bad deploys' verdict within ${BAD_VERDICT_WITHIN_S} s of go-live`,
      pass: called.length > 0 && slow.length === 0,
      figure: `max ${s(Math.max(...called.map((d) => d.read.seenAfterS ?? Number.POSITIVE_INFINITY)))}`,
    });
    const falseAlarms = benign.filter((d) => d.read.verdict === 'regressed').length;
    out.push({
      check: 'example world: benign deploys healthy or inconclusive',
      pass: benign.every((d) => d.ok),
      figure: `${benign.filter((d) => d.ok).length} of ${benign.length} (${falseAlarms} regressed)`,
    });
  }
  if (r.benign) {
    const ds = r.benign.deploys;
    const regressed = ds.filter((d) => d.read.verdict === 'regressed').length;
    const hot = ds.filter((d) => d.reached === true).length;
    out.push({
      check: 'benign-only run: no deploy called regressed',
      pass: regressed === 0 && ds.every((d) => d.read.verdict !== 'missing'),
      figure: `${regressed} regressed of ${ds.length}`,
    });
    out.push({
      check: `benign-only run: at least ${MIN_BENIGN} deploys, half of them touching hot-path code`,
      pass:
        ds.length < MIN_BENIGN && r.benign.asked < MIN_BENIGN ? null : ds.length >= MIN_BENIGN && hot * 2 >= ds.length,
      figure: `${ds.length} deploys, ${hot} on the hot path (their changed function ran)`,
    });
  }
  return out;
}

function verdictCells(r: ReadVerdict): string[] {
  return [r.verdict, s(r.seenAfterS), s(r.decidedAfterS), r.looks === null ? '–' : String(r.looks)];
}

export function deploysReport(r: DeploysResult): string {
  const parts: string[] = [];
  const host = (h: HostLoad | null) =>
    h
      ? `host: load average ${h.loadavg} at the end, CPU ${h.busy === null ? '–' : `${Math.round(h.busy * 100)}%`} busy over the run`
      : '';
  if (r.example) {
    const e = r.example;
    parts.push(
      `### Example world (seed ${e.seed}; ${e.scenarios.length} scenarios; ${e.durationS} s of traffic, then 1× on; watch ${e.watchMinutes} min)\n${host(r.host.example)}\n`,
      table(
        ['deploy', 'truth', 'verdict', 'seen after', 'decided after', 'looks', 'ok', 'why'],
        e.deploys.map((d) => [
          `${d.service} ${d.version}`,
          d.badFor ? `bad (${d.badFor})` : 'benign',
          ...verdictCells(d.read),
          d.ok ? 'yes' : 'NO',
          d.read.findings[0] ?? '',
        ]),
      ),
    );
  }
  if (r.benign) {
    const b = r.benign;
    parts.push(
      `\n### Benign deploys only (seed ${b.seed}; first after ${b.warmS} s of traffic, one every ${b.gapS} s; watch ${b.watchMinutes} min)\n${host(r.host.benign)}\n`,
      table(
        ['deploy', 'change', 'ran', 'verdict', 'seen after', 'decided after', 'looks', 'ok', 'why'],
        b.deploys.map((d) => [
          `${d.service} ${d.version}`,
          d.what,
          d.reached === null ? '–' : d.reached ? 'yes' : 'no',
          ...verdictCells(d.read),
          d.ok ? 'yes' : 'NO',
          d.read.findings[0] ?? '',
        ]),
      ),
    );
  }
  parts.push(
    '\n### Checks\n',
    table(
      ['check', 'figure', 'pass'],
      r.checks.map((c) => [
        c.check,
        c.figure,
        c.pass === null ? 'not scored (fewer deploys asked for)' : c.pass ? 'yes' : 'NO',
      ]),
    ),
  );
  return parts.join('\n');
}

export async function validateDeploys(opts: DeploysOptions): Promise<DeploysResult> {
  const root = mkdtempSync(join(os.tmpdir(), 'orrery-validate-deploys-'));
  const result: Omit<DeploysResult, 'checks' | 'pass'> = {
    example: null,
    benign: null,
    host: { example: null, benign: null },
  };
  try {
    if (opts.worlds.includes('example')) {
      const m = await measured(() =>
        runExample({
          dir: join(root, 'example'),
          scenarios: opts.scenarios,
          durationS: opts.durationS,
          seed: opts.seed,
          watchMinutes: opts.watchMinutes,
          graceMs: 90_000,
          log: opts.log,
        }),
      );
      result.example = m.value;
      result.host.example = m.host;
    }
    if (opts.worlds.includes('benign')) {
      const m = await measured(() =>
        runBenign({
          dir: join(root, 'benign'),
          seed: opts.seed,
          count: opts.benign,
          watchMinutes: opts.watchMinutes,
          warmS: opts.quick ? 120 : 180,
          gapS: opts.quick ? 60 : 75,
          graceMs: 90_000,
          log: opts.log,
        }),
      );
      result.benign = m.value;
      result.host.benign = m.host;
    }
  } finally {
    if (opts.keep) opts.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  const checks = checksOf(result);
  return { ...result, checks, pass: checks.every((c) => c.pass !== false) };
}

export const DEPLOYS_DEFAULTS = {
  watchMinutes: DEMO_VERIFY_WATCH_MINUTES,
  benign: MIN_BENIGN,
  quickBenign: 5,
  duration: '8m',
};
