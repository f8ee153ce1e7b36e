// `npm run bench -- simulate`: Orrery's simulations checked against the running shop, not
// against the model's own arithmetic (issue 19). The example world runs at 1× with no fault
// while Orrery ingests it (the calibration); then every prediction is asked for; then the
// shop really runs each case with Orrery's ingest cut, measured by the load driver's own
// client-side timings, and each prediction is scored against what happened.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ENTRY_ENDPOINTS,
  FLUSH_MS,
  type InjectedFailure,
  SHOP_SERVICES,
  type ShopService,
  memoryOutput,
  parseSettings,
  settableServices,
  streamOutput,
} from '../src/demo/index.js';
import { parseOrExit, whole } from './lib/options.js';
import { OUT_DIR } from './lib/paths.js';
import { freePort } from './lib/server-process.js';
import { type Mutant, REACHED_MARKER, commitMutant, findMutants } from './lib/sim-mutants.js';
import { type Predicted, type Window, predictChange, predictFailure, predictLoad } from './lib/sim-predict.js';
import {
  type FailureRow,
  type LadderRow,
  type MutantRow,
  failureReport,
  ladderReport,
  mutationReport,
  stepLine,
} from './lib/sim-report.js';
import {
  type ChangePrediction,
  type FailurePrediction,
  type LoadPrediction,
  type MeasuredStep,
  type Tally,
  binaryScore,
  classify,
  meanOf,
  saturatedResources,
  scoreLadder,
  setScore,
} from './lib/sim-score.js';
import { BenchWorld, type StepWindow, countLogLines } from './lib/sim-world.js';

const PARTS = ['ladder', 'failure', 'mutation'] as const;
type Part = (typeof PARTS)[number];
const MODES = ['down', 'slow=2s', 'errors=30%'] as const;

const USAGE = `usage: npm run bench -- simulate [--quick] [options]

Checks Orrery's simulations (load, failure, change) against the
example world running for real, and prints every measured figure. The shop runs as its
manifests say (replicas behind a balancer, CPU limits enforced, catalog's HPA, catalog's
DB pool of DB_POOL_SIZE connections); the shoppers are \`orrery demo\`'s load driver, and
every measured figure is its own client-side timing per entry endpoint (web's routes).

  1. Calibration: the shop at 1× (--rps) with no fault while Orrery ingests it.
  2. Predictions: every simulation below is asked for now, on the calibration window:
     POST /api/simulations kind load (with the ladder's --set lines) and kind failure,
     POST /api/simulations/change for each mutant's commit range. A kind the server does
     not answer yet prints "no prediction (…)", and the part still measures. The load
     simulations' own time is printed (target < 5 s).
  3. Load ladder: the shop really runs at 2×, 3× and 4×, then with two --set changes
     (catalog.replicas=3; catalog.env.DB_POOL_SIZE=4) at 1×–4×. Per step and endpoint:
     p50/p95 and error rate; the host's CPU (from /proc/stat; a step over 80% busy is
     invalid and not scored); each service's CPU against its limit, and pool timeouts from
     its logs. The measured knee is the first step where an endpoint's p95 doubled (and
     rose 200 ms) or its errors rose 5 points; the first bottleneck is the first resource
     at its limit (CPU at ≥ 85% of its limit or held back in ≥ 25% of its periods, or a
     pool that made requests give up). The base ladder is pool-bound (catalog), the
     bigger pool's is CPU-bound (cart).
     Scored: p95 within 25% (where the measured p95 is under the driver's timeout), error
     rate within 5 points, the first bottleneck, the knee within one step, and how often
     the measured value is inside the predicted interval.
  4. Failure oracle: each service × down (its balancer refuses), slow=2s (its answers held
     back 2 s) and errors=30% (the shop's own fault flag fails 30% with a 500), at 1×.
     Each endpoint is failed (≥ 50% errors), degraded (errors +5 points, p95 doubled and
     +250 ms, or wrong badges +5 points) or unaffected. Scored: F1 over affected
     endpoints (target ≥ 0.9), error rate within 10 points. Scored whatever the host's
     load (each case's host CPU is shown): outcomes are failures and 2 s delays, not
     the fine timings a busy host blurs.
  5. Mutation oracle: the shop at its head; for every exported function (and exported
     class method) of services/*/src, a commit on top of the head in which it throws;
     that service runs it while the ordinary traffic runs. Affected endpoints as above (a
     fallback counts when it changes the answer: web's badge falls back to 0); services
     logging errors well beyond the baseline are listed beside each function. Functions
     the traffic never reached (the mutant logs a marker when first called; a service
     that cannot start counts as reached) are listed apart. Scored per function: recall and
     precision of \`simulate change head..mutant\`; the worst ten are printed.

Between measurements the shoppers' sessions are let finish (and for the failure and
mutation oracles every cart is emptied), so one case does not spill into the next.

Options:
  --quick           one point of each part (ladder 2×, one failure, one mutant): < 10 min
  --parts LIST      ladder,failure,mutation (default all three)
  --rps N           storefront requests per second at 1× (default 20, as orrery demo)
  --seed N          shoppers' seed (default 42)
  --calibrate S     seconds of 1× traffic Orrery calibrates on (default 120; quick 60)
  --step S          seconds measured per ladder step, after --warm (default 40; quick 30)
  --warm S          seconds at a new load before measuring (default 10)
  --fault-s S       seconds measured per failure and per mutant (default 20)
  --failure S:M     only this service and mode (repeatable), e.g. catalog:errors=30%
                    (quick default: catalog:errors=30%)
  --mutant TEXT     only mutants whose id contains TEXT (repeatable), e.g. summarizeCart
                    (quick default: cart:cart-summary.js#summarizeCart)
  --timeout-ms N    the load driver's request timeout (default 10000)
  --keep            keep the world's folder (logs, store, repository)
  --help            this text

The whole run takes about 40 minutes (the target is 45); --quick about 6. Writes a JSON
summary to bench/out/simulate-<timestamp>.json.`;

interface Options {
  quick: boolean;
  parts: Part[];
  rps: number;
  seed: number;
  calibrateS: number;
  stepS: number;
  warmS: number;
  faultS: number;
  failures: { service: ShopService; mode: string }[];
  mutants: string[];
  timeoutMs: number;
  keep: boolean;
}

/** A mode as `--failure` and `simulate failure` write it, read into the injection. */
export function failureOf(mode: string): InjectedFailure {
  if (mode === 'down') return { mode: 'down' };
  const slow = /^slow=(\d+)(ms|s)$/.exec(mode);
  if (slow) return { mode: 'slow', ms: Number(slow[1]) * (slow[2] === 's' ? 1000 : 1) };
  const errors = /^errors=(\d+)%$/.exec(mode);
  if (errors && Number(errors[1]) <= 100) return { mode: 'errors', rate: Number(errors[1]) / 100 };
  throw new Error(`a failure mode is down, slow=<n>s or errors=<n>%, not "${mode}"`);
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean' },
      parts: { type: 'string' },
      rps: { type: 'string' },
      seed: { type: 'string' },
      calibrate: { type: 'string' },
      step: { type: 'string' },
      warm: { type: 'string' },
      'fault-s': { type: 'string' },
      failure: { type: 'string', multiple: true },
      mutant: { type: 'string', multiple: true },
      'timeout-ms': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  const parts = (values.parts ?? PARTS.join(',')).split(',').map((p) => p.trim());
  for (const p of parts)
    if (!(PARTS as readonly string[]).includes(p))
      throw new Error(`--parts: unknown part "${p}"; use ${PARTS.join(', ')}`);
  const failures = (values.failure ?? (quick ? ['catalog:errors=30%'] : [])).map((f) => {
    const [service, mode] = f.split(':');
    if (!service || !(SHOP_SERVICES as readonly string[]).includes(service) || !mode)
      throw new Error(`--failure ${f}: expected <service>:<mode> with a service of ${SHOP_SERVICES.join(', ')}`);
    failureOf(mode);
    return { service: service as ShopService, mode };
  });
  return {
    quick,
    parts: parts as Part[],
    rps: whole('rps', values.rps, 20, 1, 200),
    seed: whole('seed', values.seed, 42, 0, 2 ** 31 - 1),
    calibrateS: whole('calibrate', values.calibrate, quick ? 60 : 120, 20, 3600),
    stepS: whole('step', values.step, quick ? 30 : 40, 5, 600),
    warmS: whole('warm', values.warm, 10, 0, 120),
    faultS: whole('fault-s', values['fault-s'], 20, 5, 600),
    failures,
    mutants: values.mutant ?? (quick ? ['cart:cart-summary.js#summarizeCart'] : []),
    timeoutMs: whole('timeout-ms', values['timeout-ms'], 10_000, 1000, 60_000),
    keep: values.keep === true,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timestamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
const say = (line: string) => process.stdout.write(`${line}\n`);
let benchStart = Date.now();
/** A line while the bench runs, stamped with the minutes and seconds since it started. */
const progress = (line: string) => {
  const s = Math.round((Date.now() - benchStart) / 1000);
  say(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]${line}`);
};

interface LadderSpec {
  name: string;
  set: string[];
  factors: number[];
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const startedAt = new Date();
  benchStart = startedAt.getTime();
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-bench-simulate-'));
  const out = process.stdout.isTTY ? streamOutput(process.stdout) : memoryOutput();
  say(
    `Simulation bench${opts.quick ? ' (quick)' : ''}: ${os.cpus().length} CPU, Node ${process.version}; ` +
      `${opts.rps} requests/s at 1×, seed ${opts.seed}; parts ${opts.parts.join(', ')}`,
  );
  const ladders: LadderSpec[] = opts.quick
    ? [{ name: 'base', set: [], factors: [2] }]
    : [
        { name: 'base', set: [], factors: [2, 3, 4] },
        { name: 'more catalog replicas', set: ['catalog.replicas=3'], factors: [1, 2, 3, 4] },
        { name: 'bigger pool', set: ['catalog.env.DB_POOL_SIZE=4'], factors: [1, 2, 3, 4] },
      ];
  const known = settableServices();
  for (const l of ladders) parseSettings(l.set, known);
  const failureCases = opts.failures.length
    ? opts.failures
    : SHOP_SERVICES.flatMap((service) => MODES.map((mode) => ({ service, mode: mode as string })));

  const bw = await BenchWorld.start({
    dir: join(dir, 'demo'),
    port: await freePort(),
    otlpPort: await freePort(),
    otlpGrpcPort: await freePort(),
    seed: opts.seed,
    baseRps: opts.rps,
    users: 400,
    accounts: 90,
    requestTimeoutMs: opts.timeoutMs,
    out,
  });
  const summary: Record<string, unknown> = {
    startedAt: startedAt.toISOString(),
    options: opts,
    cpus: os.cpus().length,
  };
  try {
    // 1. Calibration.
    const cal = await bw.step('calibration 1×', 1, opts.warmS, opts.calibrateS);
    progress(stepLine(cal));
    const window: Window = { from: cal.from, to: cal.to };
    await sleep(FLUSH_MS + 2_000); // the SDKs' last batches and Orrery's analysis flush

    // 2. Predictions, all before anything else runs.
    const repo = bw.world.repo;
    let mutants: (Mutant & { sha: string })[] = [];
    if (opts.parts.includes('mutation')) {
      const all = findMutants(repo.dir, SHOP_SERVICES);
      const picked = opts.mutants.length ? all.filter((m) => opts.mutants.some((t) => m.id.includes(t))) : all;
      if (picked.length === 0)
        throw new Error(`no mutant matches ${opts.mutants.join(', ')}; ids look like ${all[0]?.id}`);
      mutants = [];
      for (const [i, m] of picked.entries())
        mutants.push({ ...m, sha: await commitMutant(repo.dir, repo.head, m, i + 1) });
      await bw.world.api.call('POST', '/api/repos/shop/sync', {});
      progress(`  ${mutants.length} mutants committed on top of the head (of ${all.length} exported functions)`);
    }
    const loadPred = new Map<string, Map<number, Predicted<LoadPrediction>>>();
    if (opts.parts.includes('ladder'))
      for (const l of ladders) {
        const m = new Map<number, Predicted<LoadPrediction>>();
        for (const f of l.factors) m.set(f, await predictLoad(bw.api, { factor: f, set: l.set, window }));
        loadPred.set(l.name, m);
      }
    const failPred = new Map<string, Predicted<FailurePrediction>>();
    if (opts.parts.includes('failure'))
      for (const c of failureCases)
        failPred.set(
          `${c.service} ${c.mode}`,
          await predictFailure(bw.api, { service: c.service, mode: c.mode, window }),
        );
    const changePred = new Map<string, Predicted<ChangePrediction>>();
    for (const m of mutants)
      changePred.set(m.id, await predictChange(bw.api, { repo: 'shop', base: repo.head, head: m.sha }));
    const simMs = [...loadPred.values()]
      .flatMap((m) => [...m.values()])
      .filter((p) => p.prediction)
      .map((p) => p.ms);
    if (simMs.length) say(`  load simulations took ${Math.max(...simMs)} ms at most (target < 5,000 ms)`);
    bw.world.setIngest(false);

    const calEndpoints = await bw.endpoints(cal);
    summary.calibration = { window: cal, endpoints: calEndpoints };

    // 3. Load ladders.
    if (opts.parts.includes('ladder')) {
      const results = [];
      for (const l of ladders) {
        const settings = parseSettings(l.set, known);
        if (l.set.length) await bw.applySettings(settings);
        const windows: StepWindow[] = [];
        for (const f of l.factors) {
          const w = await bw.step(`${l.name} ${f}×`, f, opts.warmS, opts.stepS);
          progress(stepLine(w));
          windows.push(w);
        }
        await bw.settle();
        if (l.set.length) await bw.applySettings({});
        const rows: LadderRow[] = [];
        for (const w of windows)
          rows.push({
            window: w,
            endpoints: await bw.endpoints(w),
            predicted: loadPred.get(l.name)?.get(w.factor) ?? null,
          });
        const base = l.set.length && rows[0]?.window.factor === 1 ? rows[0].endpoints : calEndpoints;
        const steps: MeasuredStep[] = [
          ...(l.set.length
            ? []
            : [{ factor: 1, valid: cal.valid, endpoints: calEndpoints, saturated: saturatedResources(cal.uses) }]),
          ...rows.map((r) => ({
            factor: r.window.factor,
            valid: r.window.valid,
            endpoints: r.endpoints,
            saturated: saturatedResources(r.window.uses),
          })),
        ];
        const predictions = new Map(
          [...(loadPred.get(l.name) ?? new Map()).entries()].flatMap(([f, p]) =>
            p.prediction ? [[f, p.prediction] as const] : [],
          ),
        );
        const scoring = { timeoutMs: opts.timeoutMs, factors: [1, ...l.factors] };
        const score = scoreLadder(base, steps, predictions, scoring);
        // For information only: the same scores had the busy steps counted.
        const anyway = score.invalidSteps.length
          ? scoreLadder(
              base,
              steps.map((x) => ({ ...x, valid: true })),
              predictions,
              scoring,
            )
          : null;
        say(ladderReport(l.name, l.set, rows, score, anyway));
        results.push({ name: l.name, set: l.set, rows, score, scoreCountingInvalidSteps: anyway });
      }
      summary.ladders = results;
    }

    // 4. Failure oracle.
    if (opts.parts.includes('failure')) {
      await bw.settle({ freshCarts: true });
      const base = await bw.step('no fault 1×', 1, 5, opts.faultS);
      progress(stepLine(base));
      const rows: FailureRow[] = [];
      for (const c of failureCases) {
        await bw.settle({ freshCarts: true });
        bw.world.supervisor.setFailure(c.service, failureOf(c.mode));
        const w = await bw.step(`${c.service} ${c.mode}`, 1, 5, opts.faultS);
        bw.world.supervisor.setFailure(c.service, null);
        progress(stepLine(w));
        rows.push({
          service: c.service,
          mode: c.mode,
          window: w,
          endpoints: [],
          outcomes: [],
          predicted: failPred.get(`${c.service} ${c.mode}`)!,
        });
      }
      const baseEndpoints = await bw.endpoints(base);
      const pairs: { predicted: boolean; measured: boolean }[] = [];
      const errors: Tally = { hits: 0, scored: 0 };
      for (const r of rows) {
        r.endpoints = await bw.endpoints(r.window);
        r.outcomes = r.endpoints.map((e, i) => classify(baseEndpoints[i]!, e));
        const p = r.predicted.prediction;
        if (!p) continue;
        r.endpoints.forEach((e, i) => {
          const pe = p.endpoints.find((x) => x.endpoint === e.endpoint);
          const o = r.outcomes[i];
          if (!pe || !o) return;
          pairs.push({ predicted: pe.outcome !== 'unaffected', measured: o !== 'unaffected' });
          if (pe.errorRate !== null && e.errorRate !== null) {
            errors.scored++;
            if (Math.abs(pe.errorRate - e.errorRate) <= 0.1) errors.hits++;
          }
        });
      }
      const score = binaryScore(pairs);
      say(failureReport(ENTRY_ENDPOINTS, rows, score, errors));
      summary.failure = { baseline: { window: base, endpoints: baseEndpoints }, rows, score, errors };
    }

    // 5. Mutation oracle, at the shop's head.
    if (opts.parts.includes('mutation') && mutants.length) {
      const sup = bw.world.supervisor;
      const atHead = (s: ShopService) => sup.deploy(s, repo.head, repo.head, { version: 'head' });
      await Promise.all(SHOP_SERVICES.map(atHead));
      await bw.settle({ freshCarts: true });
      const base = await bw.step('head, no mutant', 1, opts.warmS, opts.faultS);
      progress(stepLine(base));
      const runs: { m: (typeof mutants)[number]; w: StepWindow; startFailed: boolean; since: number }[] = [];
      for (const service of SHOP_SERVICES) {
        const mine = mutants.filter((m) => m.service === service);
        for (const [i, m] of mine.entries()) {
          const since = Date.now();
          let startFailed = false;
          try {
            await sup.deploy(service, m.sha, m.sha, { version: `head-m${i + 1}` });
          } catch {
            // The copy of the shop in which it throws cannot run this service at all.
            startFailed = true;
            sup.setFailure(service, { mode: 'down' });
          }
          await bw.settle({ freshCarts: true });
          const w = await bw.step(m.id, 1, 3, opts.faultS);
          if (startFailed) sup.setFailure(service, null);
          progress(stepLine(w));
          runs.push({ m, w, startFailed, since });
        }
        if (mine.length) await atHead(service);
      }
      const baseEndpoints = await bw.endpoints(base);
      const baseLogs = new Map(
        SHOP_SERVICES.map((service) => [service, countLogLines(bw.logDir, service, base.from, base.to, PROBLEM_LINE)]),
      );
      const rows: MutantRow[] = [];
      for (const r of runs) {
        const endpoints = await bw.endpoints(r.w);
        const affected = endpoints
          .filter((e, i) => {
            const o = classify(baseEndpoints[i]!, e);
            return o !== null && o !== 'unaffected';
          })
          .map((e) => e.endpoint);
        const reached =
          r.startFailed ||
          countLogLines(
            bw.logDir,
            r.m.service,
            r.since,
            r.w.to,
            new RegExp(`${REACHED_MARKER} ${regexEscape(r.m.id)}`),
          ) > 0;
        // Errors and warnings the services logged beyond the baseline's rate: a fallback that
        // changed nothing the shopper saw still shows here (not attributed to an endpoint).
        const logged = SHOP_SERVICES.flatMap((service) => {
          const during = countLogLines(bw.logDir, service, r.w.from, r.w.to, PROBLEM_LINE);
          const usual = (baseLogs.get(service) ?? 0) * ((r.w.to - r.w.from) / (base.to - base.from));
          const extra = Math.round(during - usual);
          return extra >= 5 && during >= 2 * usual ? [`${service} +${extra}`] : [];
        });
        const predicted = changePred.get(r.m.id)!;
        const s = predicted.prediction
          ? setScore(new Set(predicted.prediction.endpoints), new Set(affected))
          : { recall: null, precision: null };
        rows.push({ id: r.m.id, reached, startFailed: r.startFailed, affected, logged, predicted, ...s });
      }
      const reached = rows.filter((r) => r.reached);
      const recall = meanOf(reached.map((r) => r.recall));
      const precision = meanOf(reached.map((r) => r.precision));
      say(mutationReport(rows, recall, precision));
      summary.mutation = { baseline: { endpoints: baseEndpoints }, rows, recall, precision };
    }
  } finally {
    await bw.stop();
    summary.wallS = Math.round((Date.now() - startedAt.getTime()) / 1000);
    mkdirSync(OUT_DIR, { recursive: true });
    const file = join(OUT_DIR, `simulate-${timestamp(startedAt)}.json`);
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    say(`\nwall time ${summary.wallS} s; summary in ${file}`);
    if (opts.keep) say(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

/** A service's error or warning line (lib/log.js writes `<ISO time> <LEVEL> <service>: …`). */
const PROBLEM_LINE = /^\S+ (ERROR|WARN) /;
const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
