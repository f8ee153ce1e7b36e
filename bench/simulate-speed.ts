// `npm run bench -- simulate-speed`: how long `orrery simulate load` takes (the workflow: the
// calibration window's reads, the calibration, the model with its bootstrap replicates) on the
// investigate bench's generated world — 200 services at scale 1 (target under 30 s) and a small
// one — or on a world kept by `npm run bench -- investigate --keep DIR`, or on any store (the
// example world's: `orrery demo --dir D` leaves it in D/store).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Span } from '../src/model/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import { BatchWriter, type Store, openStore } from '../src/store/index.js';
import { type Context, SIMULATION_MAX_SPANS, simulateLoad } from '../src/workflows/index.js';
import { int, ms, percentile, table } from './lib/format.js';
import { parseOrExit } from './lib/options.js';
import { TelemetryGenerator, planWorld } from './lib/world-gen.js';

const MINUTE = 60_000;
const TARGET_200_MS = 30_000;
const TARGET_SMALL_MS = 5_000;
const WRITE_CHUNK = 20_000;

const USAGE = `usage: npm run bench -- simulate-speed [options]

Times \`orrery simulate load\` end to end through its workflow (the window's traces, infrastructure,
instances and CPU gauges read from the store, the calibration, the model and its bootstrap
replicates, the result stored) on the investigate bench's generated world: each --scale is
planned and generated in process (seed --seed, ending on a fixed minute), and the spans of its
last --window (plus 2 minutes) are written to a fresh PGlite store. Prints the times per run
and the p50 against the targets: under ${TARGET_200_MS / 1000} s for 200 services, under ${TARGET_SMALL_MS / 1000} s for a small world.

Options:
  --scale LIST      world scales, comma-separated (default 0.01,1: 20 and 200 services)
  --reuse DIR       instead, time on a world kept by \`npm run bench -- investigate --keep DIR\`
                    (its PGlite store, and PostgreSQL when it was kept; end from DIR/world.json)
  --store DIR       instead, time on this PGlite store (e.g. the example world's: \`orrery demo
                    --dir D --exit-when-ready\` leaves it in D/store), with the window ending at
                    --until (ISO; default the newest span's start). The store is migrated like
                    \`orrery up\` would, and the simulations are stored in it
  --runs N          simulations per world (default 3)
  --factor X        the load factor (default 3)
  --window LENGTH   the calibration window (default 30m)
  --replicates N    bootstrap replicates (default 30, the server's)
  --seed N          the world's seed (default 1)
  --help            this text`;

interface Options {
  scales: number[];
  reuse: string | null;
  store: string | null;
  until: string | null;
  runs: number;
  factor: number;
  windowMs: number;
  replicates: number;
  seed: number;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      scale: { type: 'string' },
      reuse: { type: 'string' },
      store: { type: 'string' },
      until: { type: 'string' },
      runs: { type: 'string' },
      factor: { type: 'string' },
      window: { type: 'string' },
      replicates: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const num = (name: string, v: string | undefined, dflt: number, ok: (n: number) => boolean) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!ok(n)) throw new Error(`--${name} "${v}" is out of range`);
    return n;
  };
  const scales = (values.scale ?? '0.01,1').split(',').map((s) => num('scale', s, 0, (n) => n > 0 && n <= 1));
  if (values.reuse !== undefined && values.store !== undefined)
    throw new Error('--reuse and --store exclude each other');
  if (values.until !== undefined && Number.isNaN(Date.parse(values.until)))
    throw new Error(`--until must be an ISO time, not "${values.until}"`);
  const w = /^(\d+)(m|h)$/.exec(values.window ?? '30m');
  if (!w) throw new Error(`--window must be minutes or hours (30m, 2h), not "${values.window}"`);
  return {
    scales,
    reuse: values.reuse === undefined ? null : resolve(values.reuse),
    store: values.store === undefined ? null : resolve(values.store),
    until: values.until ?? null,
    runs: num('runs', values.runs, 3, (n) => Number.isInteger(n) && n >= 1),
    factor: num('factor', values.factor, 3, (n) => n > 0 && n <= 1000),
    windowMs: Number(w[1]) * (w[2] === 'h' ? 60 : 1) * MINUTE,
    replicates: num('replicates', values.replicates, 30, (n) => Number.isInteger(n) && n >= 0),
    seed: num('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0),
  };
}

function contextOf(store: Store): Context {
  const writer = new BatchWriter((parts) => store.writeKeyedTelemetry(parts), {
    concurrency: store.db.concurrency,
    maxQueuedRecords: Number.MAX_SAFE_INTEGER,
    maxQueueWaitMs: Number.MAX_SAFE_INTEGER,
    maxBatchRecords: WRITE_CHUNK,
  });
  return { store, writer, metrics: new SelfMetrics() };
}

/** Generates the world at `scale` and writes the spans of its last window into `store`; its size. */
async function loadWorld(store: Store, scale: number, o: Options, endMs: number) {
  const t0 = performance.now();
  const plan = planWorld({ seed: o.seed, scale, endMs });
  const from = endMs - o.windowMs - 2 * MINUTE;
  let kept: Span[] = [];
  let written = 0;
  for (const slice of new TelemetryGenerator(plan, { sliceMs: MINUTE }).generate()) {
    if (slice.endMs <= from) continue;
    for (const s of slice.spans) if (s.startTimeUnixNano / 1e6 >= from) kept.push(s);
    if (kept.length >= WRITE_CHUNK) {
      await store.writeTelemetry({ logs: [], spans: kept, metrics: [] });
      written += kept.length;
      kept = [];
    }
  }
  if (kept.length) await store.writeTelemetry({ logs: [], spans: kept, metrics: [] });
  written += kept.length;
  return { services: plan.services.length, spans: written, loadMs: performance.now() - t0 };
}

async function windowSpans(store: Store, o: Options, endMs: number): Promise<number> {
  const [c] = await store.db.query('SELECT count(*) AS n FROM span WHERE start_time >= $1 AND start_time < $2', [
    new Date(endMs - o.windowMs),
    new Date(endMs),
  ]);
  return Number(c?.n ?? 0);
}

interface Timed {
  totalMs: number;
  /** CPU time of this process (user + system; the embedded store runs in it too). */
  cpuMs: number;
  readMs: number;
  calibrateMs: number;
  modelMs: number;
  spansRead: number;
  entries: number;
  bottleneck: string;
  knee: string;
}

async function timeRuns(ctx: Context, o: Options, endMs: number): Promise<Timed[]> {
  const out: Timed[] = [];
  for (let r = 0; r < o.runs; r++) {
    let t = { readMs: 0, calibrateMs: 0, modelMs: 0, spans: 0 };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const run = await simulateLoad(
      ctx,
      { factor: o.factor, windowMs: o.windowMs, until: new Date(endMs) },
      { replicates: o.replicates, onTimings: (x) => (t = x) },
    );
    const res = run.result;
    if (res.kind !== 'load') throw new Error(`simulate load answered a ${res.kind} simulation`);
    const c = process.cpuUsage(c0);
    out.push({
      totalMs: performance.now() - t0,
      cpuMs: (c.user + c.system) / 1000,
      readMs: t.readMs,
      calibrateMs: t.calibrateMs,
      modelMs: t.modelMs,
      spansRead: t.spans,
      entries: res.endpoints.length,
      bottleneck: res.bottleneck
        ? `${res.bottleneck.service} ${res.bottleneck.resource} at ${res.bottleneck.saturatesAt.value?.toFixed(2)}×`
        : `none below ${res.scannedTo}×`,
      knee: res.knee.value === null ? `none below ${res.scannedTo}×` : `${res.knee.value.toFixed(2)}×`,
    });
    process.stderr.write(`  run ${r + 1}: ${ms(out[out.length - 1]!.totalMs)}\n`);
  }
  return out;
}

function report(label: string, services: number, spans: number, runs: Timed[]): { ok: boolean; line: string } {
  const p50 = percentile(
    runs.map((r) => r.totalMs),
    50,
  ) as number;
  const target = services >= 200 ? TARGET_200_MS : TARGET_SMALL_MS;
  const ok = p50 < target;
  process.stdout.write(
    `\n${label}: ${services} services, ${int(spans)} spans in the window (${int(runs[0]!.spansRead)} read, the bound is ${int(SIMULATION_MAX_SPANS)}), ${runs[0]!.entries} entry endpoints\n`,
  );
  process.stdout.write(
    `${table(
      ['run', 'total', 'cpu', 'read', 'calibrate', 'model', 'bottleneck', 'knee'],
      runs.map((r, i) => [
        String(i + 1),
        ms(r.totalMs),
        ms(r.cpuMs),
        ms(r.readMs),
        ms(r.calibrateMs),
        ms(r.modelMs),
        r.bottleneck,
        r.knee,
      ]),
      new Set([1, 2, 3, 4, 5]),
    )}\n`,
  );
  return {
    ok,
    line: `${label}: p50 ${ms(p50)} ms wall (${ms(
      percentile(
        runs.map((r) => r.cpuMs),
        50,
      ) as number,
    )} ms CPU), max ${ms(Math.max(...runs.map((r) => r.totalMs)))} ms (target < ${target / 1000} s: ${ok ? 'met' : 'MISSED'}; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs)`,
  };
}

export async function main(args: string[]): Promise<number> {
  const o = parseOrExit(args, parseOptions, USAGE);
  if (typeof o === 'number') return o;
  process.stdout.write(
    `simulate load --factor ${o.factor} --window ${o.windowMs / MINUTE}m, ${o.replicates} replicates, ${o.runs} runs per world; ${os.cpus().length} CPUs\n`,
  );
  const lines: string[] = [];
  if (o.store) {
    const store = await openStore({ dataDir: o.store, retentionDays: 3650 });
    try {
      const [newest] = await store.db.query('SELECT max(start_time) AS t FROM span');
      const endMs = o.until
        ? Date.parse(o.until)
        : new Date(String((newest as { t: unknown } | undefined)?.t ?? Date.now())).getTime() + 1;
      const [svc] = await store.db.query(
        'SELECT count(DISTINCT service) AS n FROM span WHERE start_time >= $1 AND start_time < $2',
        [new Date(endMs - o.windowMs), new Date(endMs)],
      );
      const spans = await windowSpans(store, o, endMs);
      const runs = await timeRuns(contextOf(store), o, endMs);
      lines.push(
        report(`the store at ${o.store}, until ${new Date(endMs).toISOString()}`, Number(svc?.n ?? 0), spans, runs)
          .line,
      );
    } finally {
      await store.close();
    }
  } else if (o.reuse) {
    const kept = JSON.parse(readFileSync(join(o.reuse, 'world.json'), 'utf8')) as {
      scale: number;
      seed: number;
      endMs: number;
      backends: { pglite?: unknown; postgres?: { databaseUrl?: string } };
    };
    for (const backend of ['pglite', 'postgres'] as const) {
      const b = kept.backends[backend];
      if (!b) continue;
      const store = await openStore({
        dataDir: join(o.reuse, `pglite-data-${backend}`),
        databaseUrl: backend === 'postgres' ? (b as { databaseUrl?: string }).databaseUrl : undefined,
        retentionDays: 3650,
      });
      try {
        const services = planWorld({ seed: kept.seed, scale: kept.scale, endMs: kept.endMs }).services.length;
        const spans = await windowSpans(store, o, kept.endMs);
        const runs = await timeRuns(contextOf(store), o, kept.endMs);
        const r = report(`kept world (scale ${kept.scale}, ${backend})`, services, spans, runs);
        lines.push(r.line);
      } finally {
        await store.close();
      }
    }
  } else {
    // A fixed end on a minute boundary, so every run plans the same world.
    const endMs = Date.UTC(2026, 11, 7, 12, 0);
    for (const scale of o.scales) {
      const dir = mkdtempSync(join(os.tmpdir(), 'orrery-sim-speed-'));
      const store = await openStore({ dataDir: join(dir, 'pglite'), retentionDays: 3650 });
      try {
        process.stderr.write(`scale ${scale}: generating the world and writing its last window…\n`);
        const world = await loadWorld(store, scale, o, endMs);
        process.stderr.write(`  ${int(world.spans)} spans written in ${ms(world.loadMs)}\n`);
        const runs = await timeRuns(contextOf(store), o, endMs);
        const spans = await windowSpans(store, o, endMs);
        lines.push(report(`generated world, scale ${scale} (PGlite)`, world.services, spans, runs).line);
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  process.stdout.write(`\n${lines.join('\n')}\n`);
  return 0;
}
