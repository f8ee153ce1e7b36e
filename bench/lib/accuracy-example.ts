// `npm run bench -- accuracy example [--out FILE] [--duration 4m] [--scenario NAME] [--seed N]`:
// investigations of the example world, scored against its truth files. For each scenario the
// demo builds its own world (the shop, its history, its deploys, its fault, its tickets) with
// Orrery running on a fresh embedded store; the scenario's fault starts two minutes before the
// traffic phase ends and holds (scenarios.ts soloOnset). When the world is ready, over Orrery's
// HTTP API, it investigates the alert "the storefront (web) degraded", raised as the Nezha bench
// raises its alerts: at the injection + 2 minutes (the end of the traffic phase; the world is
// ready a few seconds later) with since = that − 15 minutes, minute-aligned. No input comes from
// the truth: the onset is Orrery's to find. Then each of the scenario's tickets (by id alone).
// Scored per scenario, from the alert's report:
//  - root @1: the first root-cause service is the one at fault;
//  - cause: for a bad deploy, the change found is that deploy and the top suspect commit is the
//    culprit; for a fault with no culprit, no deploy or commit is blamed, and for the load surge
//    a load_change finding names the entry whose traffic rose (demo-answer.ts);
//  - the top-1 code location is the culprit's file and function (when there is a culprit);
//  - the first impact finding's users are within ±10% of the users the fault's error hit;
//  - the tickets linked: of the scenario's other tickets, the share its tickets' reports list
//    as related (recall), and the share of listed ones that belong to it (precision).
// A scenario is right at top-1 when its root, its cause and (with a culprit) its location are.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, type ScenarioName, memoryOutput, parseDuration, runDemo } from '../../src/demo/index.js';
import type { ScenarioTruth } from '../../src/demo/truth.js';
import { type FindingKind, type Investigation, findingsOf } from '../../src/model/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { answerOf, judge } from './demo-answer.js';
import { table } from './format.js';
import { writeRankings } from './ranking.js';
import { freePort } from './server-process.js';

const USERS_BOUND = 0.1;
const MINUTE = 60_000;
/** The alert's `since`: this long before the moment it is investigated (as in accuracy nezha). */
const ALERT_LOOK_BACK_MS = 15 * MINUTE;

interface Score {
  scenario: string;
  root: boolean;
  cause: boolean;
  commit: boolean | null;
  location: boolean | null;
  deploy: boolean | null;
  users: { got: number | null; want: number; ok: boolean };
  tickets: { recall: number | null; precision: number | null };
  ranked: string[];
  /** Seconds from the onset to the alert's investigation. */
  alertAfterS: number;
  notes: string[];
}

async function post(api: string, subject: unknown): Promise<Investigation> {
  const res = await fetch(`${api}/api/investigations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject }),
  });
  const body = (await res.json()) as { investigation?: Investigation; message?: string };
  if (!res.ok || !body.investigation) throw new Error(`POST /api/investigations ${res.status}: ${body.message ?? ''}`);
  return body.investigation;
}

const first = <K extends FindingKind>(inv: Investigation, kind: K) => findingsOf(inv.result.findings, kind)[0];

function scoreAlert(truth: ScenarioTruth, inv: Investigation, s: Score): void {
  const suspect = first(inv, 'suspect_commit');
  const place = first(inv, 'code_location');
  const change = first(inv, 'change');
  const impact = first(inv, 'impact');
  const answer = answerOf(inv);
  const verdict = judge(truth, answer);
  s.root = verdict.root;
  s.cause = verdict.cause;
  s.notes.push(...verdict.why);
  s.ranked = answer.ranked;
  if (truth.culprit) {
    s.commit = suspect?.data.sha === truth.culprit.commit;
    const fn = truth.culprit.function;
    const symbol = place?.data.symbol?.split('.').pop() ?? null;
    s.location = place?.data.path === truth.culprit.file && (fn === null || symbol === fn);
    if (!s.location)
      s.notes.push(
        `top location ${place?.data.path ?? 'none'} ${place?.data.symbol ?? ''}, truth ${truth.culprit.file} ${fn ?? ''}`,
      );
  }
  if (truth.firstBadDeploy) {
    s.deploy =
      change?.data.service === truth.firstBadDeploy.service && change?.data.version === truth.firstBadDeploy.version;
  }
  const want = truth.affected.errored.length || truth.affected.users.length;
  const got = impact?.data.users ?? null;
  s.users = { got, want, ok: got !== null && want > 0 && Math.abs(got - want) <= USERS_BOUND * want };
}

async function runScenario(scenario: ScenarioName, durationS: number, seed: number, keep: boolean): Promise<Score> {
  const dir = mkdtempSync(join(os.tmpdir(), `orrery-accuracy-${scenario}-`));
  const out = memoryOutput();
  const t0 = Date.now();
  const world = await runDemo({
    scenarios: [scenario],
    durationS,
    seed,
    dir,
    port: await freePort(),
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    users: 400,
    accounts: 90,
    baseRps: 20,
    out,
  });
  const s: Score = {
    scenario,
    root: false,
    cause: false,
    commit: null,
    location: null,
    deploy: null,
    users: { got: null, want: 0, ok: false },
    tickets: { recall: null, precision: null },
    ranked: [],
    alertAfterS: 0,
    notes: [],
  };
  try {
    process.stderr.write(`  ${scenario}: world ready in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    const truth = world.truth.find((t) => t.scenario === scenario)!;
    // The alert as a pager raises it, two minutes into the fault (the world is ready just
    // after): it knows when it fired, not when the fault began.
    const now = Date.now();
    s.alertAfterS = Math.round((now - Date.parse(truth.onset)) / 1000);
    const since = new Date(Math.floor((now - ALERT_LOOK_BACK_MS) / MINUTE) * MINUTE).toISOString();
    const alert = await post(world.api, { kind: 'alert', service: 'web', since });
    scoreAlert(truth, alert, s);

    // The scenario's tickets: each one's report should list the others as related.
    const listed = (await (await fetch(`${world.api}/api/tickets?limit=1000`)).json()) as {
      tickets: Array<{ id: number; externalId: string }>;
    };
    const idOf = new Map(listed.tickets.map((t) => [t.externalId, t.id]));
    const mine = new Set(truth.tickets);
    let found = 0;
    let possible = 0;
    let listedMine = 0;
    let listedAll = 0;
    for (const ext of truth.tickets.slice(0, 5)) {
      const id = idOf.get(ext);
      if (id === undefined) continue;
      const inv = await post(world.api, { kind: 'ticket', ticketId: id });
      const related = first(inv, 'related_tickets')?.data.tickets ?? [];
      const others = truth.tickets.filter((t) => t !== ext);
      possible += Math.min(others.length, 10);
      found += related.filter((r) => mine.has(r.externalId)).length;
      listedMine += related.filter((r) => mine.has(r.externalId)).length;
      listedAll += related.length;
    }
    s.tickets = { recall: possible ? found / possible : null, precision: listedAll ? listedMine / listedAll : null };
  } finally {
    await world.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`  kept ${dir}\n`);
  }
  return s;
}

const topOne = (s: Score) => s.root && s.cause && s.location !== false;
const mark = (b: boolean | null) => (b === null ? 'n/a' : b ? 'yes' : 'NO');
const pct = (x: number | null) => (x === null ? 'n/a' : `${Math.round(100 * x)}%`);

export async function run(opts: AccuracyOptions): Promise<number> {
  const { values } = parseArgs({
    args: opts.rest,
    strict: true,
    options: {
      duration: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const durationS = parseDuration(values.duration ?? '4m');
  const scenarios = values.scenario ? [values.scenario as ScenarioName] : [...SCENARIO_NAMES];
  for (const s of scenarios)
    if (!SCENARIO_NAMES.includes(s)) throw new Error(`unknown scenario ${s}; one of ${SCENARIO_NAMES.join(', ')}`);
  const seed = Number(values.seed ?? 42);
  process.stderr.write(`example world: ${scenarios.length} scenarios, ${durationS} s of traffic each, seed ${seed}\n`);
  const scores: Score[] = [];
  for (const s of scenarios) scores.push(await runScenario(s, durationS, seed, values.keep === true));

  console.log(
    table(
      [
        'scenario',
        'top-1',
        'root @1',
        'cause',
        'culprit commit @1',
        'file+function @1',
        'first bad deploy',
        'users (got/truth)',
        'within ±10%',
        'tickets recall',
        'precision',
        'alert at onset +',
      ],
      scores.map((s) => [
        s.scenario,
        mark(topOne(s)),
        mark(s.root),
        mark(s.cause),
        mark(s.commit),
        mark(s.location),
        mark(s.deploy),
        `${s.users.got ?? '-'}/${s.users.want}`,
        mark(s.users.ok),
        pct(s.tickets.recall),
        pct(s.tickets.precision),
        `${s.alertAfterS} s`,
      ]),
    ),
  );
  for (const s of scores) for (const n of s.notes) console.log(`  ${s.scenario}: ${n}`);
  console.log(
    `\nscenarios right at top-1 (root, cause${scores.some((s) => s.location !== null) ? ', location' : ''}): ${scores.filter(topOne).length} of ${scores.length}; users within ±10%: ${scores.filter((s) => s.users.ok).length} of ${scores.length}`,
  );
  console.log(
    `each alert: on web, investigated when the world is ready (the fault began ~2 min before), since = that − ${ALERT_LOOK_BACK_MS / MINUTE} min, minute-aligned; seed ${seed}, ${durationS} s of traffic`,
  );
  console.log('target: every scenario right at top-1, and users within the bound');
  if (opts.out)
    writeRankings(
      opts.out,
      scores.map((s) => ({ case: s.scenario, ranked: s.ranked })),
    );
  return 0;
}
