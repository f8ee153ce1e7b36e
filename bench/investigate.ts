// `npm run bench -- investigate`: investigation latency on a generated world (1M spans, 5M log
// records, 10k tickets, 20k commits, 200 services at scale 1), loaded through Orrery's own
// ingest path into a fresh store per backend. Prints p50/p95/max per backend and subject kind
// against the target (p95 under 2 s), the load time, the stored sizes, and which queries the
// investigations spent their time in (with the slowest one's plan).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compileRedactor } from '../src/ingest/transforms/index.js';
import {
  type InvestigationSubject,
  type LogRecord,
  type Span,
  type TicketInput,
  findingsOf,
} from '../src/model/index.js';
import { SelfMetrics } from '../src/observe/index.js';
import {
  BatchWriter,
  type Db,
  EMAIL_HASH_KEY,
  type Queryable,
  type Row,
  Store,
  type TelemetryBatch,
  instanceSecret,
  openStore,
} from '../src/store/index.js';
import {
  AnalysisPipeline,
  type Context,
  InvestigationInputError,
  addRepository,
  deployInference,
  ingestTickets,
  investigate,
  recordDeploy,
  syncRepository,
} from '../src/workflows/index.js';
import { int, percentile, table } from './lib/format.js';
import { parseOrExit } from './lib/options.js';
import { OUT_DIR, REPO_ROOT } from './lib/paths.js';
import { PostgresUnavailableError, createBenchDatabase } from './lib/postgres.js';
import {
  type AlertPlan,
  type RepoBuild,
  TelemetryGenerator,
  type WorldPlan,
  alertPlans,
  buildRepository,
  planWorld,
  ticketInputs,
} from './lib/world-gen.js';

type Backend = 'pglite' | 'postgres';

const TARGET_P95_MS = 2000;
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/';
const MINUTE = 60_000;
/** Records waiting for a store transaction before the loader waits (the server's default limit). */
const MAX_QUEUED = 100_000;
const TICKET_CHUNK = 250;

const USAGE = `usage: npm run bench -- investigate [options]

Generates a world (services with a call graph, endpoints, log templates, errors with stack
traces, users; injected faults: a deploy, then errors or latency rising in one service; a git
history; support tickets), loads it into a fresh store through Orrery's ingest path (redaction,
group-commit writer, streaming analysis flushed every --flush-ms of event time, inferred and
recorded deploys, repository sync, ticket ingest), then times --runs investigations per backend:
alerts on different services with since 5–120 minutes back, and tickets once investigate takes
them. Prints p50/p95/max per backend and subject kind against the target (p95 < ${TARGET_P95_MS / 1000} s).

Options:
  --scale X              0 < X ≤ 1 (default 1: 200 services, 1M spans, 5M log records, 10k
                         tickets, 20k commits over 8 hours). Spans, logs, tickets and commits
                         scale linearly, services with √X; 0.01 is a quick run
  --backend pglite|postgres|both
                         the store (default both; PostgreSQL gets a scratch database)
  --runs N               investigations per backend (default 30)
  --seed N               the world's seed (default 1)
  --flush-ms N           analysis flush interval in event time (default 5000, the server's)
  --postgres-url URL     PostgreSQL server (default ${DEFAULT_PG_URL}; the scratch database is
                         created and dropped from its "test" database)
  --vacuum               after the investigations, run VACUUM ANALYZE and time the same
                         investigations again (Orrery does not vacuum; PGlite has no autovacuum)
  --keep DIR             build the world in DIR and keep it (git repository, PGlite data,
                         DIR/world.json); the PostgreSQL database is kept too and named in the output
  --reuse DIR            time investigations on a world kept with --keep DIR, without loading it
                         again (the world's seed, scale and end come from DIR/world.json)
  --help                 this text

Writes a JSON summary to bench/out/investigate-<timestamp>.json. Missing the target is reported,
not an error.`;

class UsageError extends Error {}

/** What to undo if the run is interrupted (Ctrl-C): scratch databases and directories. */
const cleanups = new Set<() => Promise<unknown> | unknown>();

interface Options {
  scale: number;
  backends: Backend[];
  runs: number;
  seed: number;
  flushMs: number;
  postgresUrl: string;
  keep: string | null;
  reuse: string | null;
  vacuum: boolean;
}

/** What --keep writes to DIR/world.json so that --reuse DIR can time the same world again. */
interface KeptWorld {
  seed: number;
  scale: number;
  endMs: number;
  repo?: RepoBuild;
  backends: Partial<Record<Backend, { recentTickets: number[]; databaseUrl?: string }>>;
}

function wholeNumber(name: string, v: string | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${v}"`);
  return n;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      scale: { type: 'string' },
      backend: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      'flush-ms': { type: 'string' },
      'postgres-url': { type: 'string' },
      keep: { type: 'string' },
      reuse: { type: 'string' },
      vacuum: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.keep !== undefined && values.reuse !== undefined)
    throw new UsageError('--keep and --reuse exclude each other');
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1)
    throw new UsageError(`--scale must be a number in (0, 1], not "${values.scale}"`);
  const backend = values.backend ?? 'both';
  if (backend !== 'both' && backend !== 'pglite' && backend !== 'postgres')
    throw new UsageError(`--backend must be pglite, postgres or both, not "${backend}"`);
  return {
    scale,
    backends: backend === 'both' ? ['pglite', 'postgres'] : [backend],
    runs: wholeNumber('runs', values.runs, 30),
    seed: wholeNumber('seed', values.seed, 1, 0),
    flushMs: wholeNumber('flush-ms', values['flush-ms'], 5000, 100),
    postgresUrl: values['postgres-url'] ?? DEFAULT_PG_URL,
    keep: values.keep === undefined ? null : resolve(values.keep),
    reuse: values.reuse === undefined ? null : resolve(values.reuse),
    vacuum: values.vacuum ?? false,
  };
}

// ---------------------------------------------------------------------------------------
// Progress on stderr

class Progress {
  private last = 0;
  constructor(private readonly label: string) {}

  /** Rewrites one line on a terminal; elsewhere prints a line every 15 s. */
  update(message: string, force = false): void {
    const now = performance.now();
    const tty = process.stderr.isTTY;
    if (!force && now - this.last < (tty ? 500 : 15_000)) return;
    this.last = now;
    if (tty)
      process.stderr.write(`\r\x1b[2K${`${this.label}: ${message}`.slice(0, (process.stderr.columns || 120) - 1)}`);
    else process.stderr.write(`${this.label}: ${message}\n`);
  }

  done(message: string): void {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${this.label}: ${message}\n`);
  }
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------
// Query timing: a Db that records every statement an investigation runs

interface QueryTime {
  sql: string;
  params: unknown[] | undefined;
  ms: number;
}

type OnQuery = (q: QueryTime) => void;

function timedQueryable(q: Queryable, on: OnQuery): Queryable {
  return {
    async query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> {
      const t0 = performance.now();
      try {
        return await q.query<T>(sql, params);
      } finally {
        on({ sql, params, ms: performance.now() - t0 });
      }
    },
    exec: (sql) => q.exec(sql),
    copyFrom: (t, c, text) => q.copyFrom(t, c, text),
  };
}

function timedDb(db: Db, on: OnQuery): Db {
  return {
    ...timedQueryable(db, on),
    backend: db.backend,
    location: db.location,
    concurrency: db.concurrency,
    transaction: (fn) => db.transaction((tx) => fn(timedQueryable(tx, on))),
    close: () => db.close(),
  };
}

/** A statement's identity for the profile: its first 110 characters, whitespace folded. */
function statementKey(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  return s.length > 110 ? `${s.slice(0, 107)}...` : s;
}

interface StatementStats {
  sql: string;
  count: number;
  totalMs: number;
  maxMs: number;
}

/** Count, total and max time per statement. */
class Profile {
  private readonly stats = new Map<string, StatementStats>();

  add(q: QueryTime): void {
    const key = statementKey(q.sql);
    let s = this.stats.get(key);
    if (!s) {
      s = { sql: key, count: 0, totalMs: 0, maxMs: 0 };
      this.stats.set(key, s);
    }
    s.count++;
    s.totalMs += q.ms;
    s.maxMs = Math.max(s.maxMs, q.ms);
  }

  top(n: number): StatementStats[] {
    return [...this.stats.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, n);
  }
}

// ---------------------------------------------------------------------------------------
// Loading the world

interface LoadResult {
  codeMs: number;
  telemetryMs: number;
  ticketsMs: number;
  totalMs: number;
  spans: number;
  logs: number;
  flushes: number;
  deploysRecorded: number;
  sync: { commitsRead: number; filesRead: number; filesParsed: number };
  /** Ticket ids written during the window (what a ticket investigation would start from). */
  recentTickets: number[];
  tickets: number;
  /** The analysis flushes' statements by total time. */
  flushProfile: StatementStats[];
  /** Where the telemetry phase's wall time went, in ms (the rest: store writes not overlapped). */
  breakdown: Record<'generate' | 'redact' | 'analyse' | 'flush' | 'deploys' | 'writeWait', number>;
}

async function loadWorld(
  ctx: Context,
  plan: WorldPlan,
  repo: RepoBuild,
  opts: Options,
  label: string,
  flushProfile: Profile,
): Promise<LoadResult> {
  const t0 = performance.now();
  const progress = new Progress(label);

  // Code first: deploys name commits, and tickets and investigations join on services.
  const { repository } = await addRepository(ctx, {
    path: repo.dir,
    name: 'acme-services',
    services: plan.services.map((s) => ({ service: s.name, pathPrefix: `services/${s.name}` })),
  });
  const sync = await syncRepository(ctx, repository.id, { onProgress: (p) => progress.update(`code: ${p.message}`) });
  const codeMs = performance.now() - t0;
  progress.done(
    `code: ${int(sync.commitsRead)} commits, ${int(sync.filesRead)} files read, ${int(sync.filesParsed)} parsed in ${secs(codeMs)}`,
  );

  let deploysRecorded = 0;
  const deploy = async (d: WorldPlan['deploys'][number]) => {
    const s = plan.services[d.service]!;
    await recordDeploy(ctx, {
      service: s.name,
      version: d.version,
      commit: repo.shas[d.commit],
      environment: 'production',
      at: new Date(d.atMs),
      source: 'ci',
    });
    deploysRecorded++;
  };
  for (const d of plan.deploys) if (d.atMs <= plan.startMs) await deploy(d);

  // Telemetry, slice by slice in event time, through what ingestOtlp does after decoding:
  // redact, group-commit, infer deploys after the commit, analyse; the analysis is flushed at
  // every slice boundary, as a live node flushes every ORRERY_ANALYSIS_FLUSH_MS.
  const t1 = performance.now();
  const gen = new TelemetryGenerator(plan, { sliceMs: opts.flushMs });
  const inference = deployInference(ctx);
  const pending: Promise<void>[] = [];
  const failures: Error[] = [];
  let spans = 0;
  let logs = 0;
  let flushes = 0;
  const breakdown: LoadResult['breakdown'] = { generate: 0, redact: 0, analyse: 0, flush: 0, deploys: 0, writeWait: 0 };
  let mark = performance.now();
  const lap = (k: keyof LoadResult['breakdown']) => {
    const now = performance.now();
    breakdown[k] += now - mark;
    mark = now;
  };
  const submit = (batch: TelemetryBatch) => {
    const p = ctx.writer.submit(batch).then(
      () => inference.observe(batch),
      (err: Error) => {
        failures.push(err);
      },
    );
    pending.push(p);
  };
  for (const slice of gen.generate()) {
    lap('generate');
    for (const d of slice.deploys) await deploy(d);
    lap('deploys');
    const parts: Array<['spans', Span[]] | ['logs', LogRecord[]]> = [
      ['spans', slice.spans],
      ['logs', slice.logs],
    ];
    for (const [kind, records] of parts) {
      if (records.length === 0) continue;
      const batch: TelemetryBatch = { logs: [], spans: [], metrics: [] };
      if (kind === 'spans') {
        batch.spans = records as Span[];
        ctx.redactor?.spans(batch.spans);
        spans += records.length;
      } else {
        batch.logs = records as LogRecord[];
        ctx.redactor?.logs(batch.logs);
        logs += records.length;
      }
      lap('redact');
      submit(batch);
      await ctx.analysis?.observe(batch);
      lap('analyse');
    }
    await ctx.analysis?.flush();
    flushes++;
    lap('flush');
    while (pending.length > 0 && ctx.writer.queuedRecords > MAX_QUEUED) await pending.shift();
    lap('writeWait');
    if (failures.length) throw new Error(`a telemetry write failed: ${failures[0]!.message}`);
    const elapsed = performance.now() - t1;
    const done = (slice.index + 1) / gen.slices;
    mark = performance.now();
    progress.update(
      `telemetry ${(100 * done).toFixed(1)}% of ${(plan.endMs - plan.startMs) / 3_600_000} h: ${int(spans)} spans, ${int(logs)} logs, ` +
        `${int((spans + logs) / (elapsed / 1000))} records/s, ETA ${secs((elapsed / done) * (1 - done))}`,
    );
  }
  mark = performance.now();
  await Promise.all(pending);
  await ctx.writer.drain();
  lap('writeWait');
  await ctx.analysis?.flush();
  lap('flush');
  if (failures.length) throw new Error(`a telemetry write failed: ${failures[0]!.message}`);
  if (inference.failures > 0)
    progress.done(`warning: ${inference.failures} deploy inference writes failed: ${inference.lastError}`);
  const telemetryMs = performance.now() - t1;
  progress.done(
    `telemetry: ${int(spans)} spans and ${int(logs)} logs in ${secs(telemetryMs)} (${int((spans + logs) / (telemetryMs / 1000))} records/s, ${int(flushes)} analysis flushes)`,
  );
  progress.done(
    `  wall time: ${Object.entries(breakdown)
      .map(([k, v]) => `${k} ${secs(v)}`)
      .join(', ')}`,
  );

  const t2 = performance.now();
  const recentTickets: number[] = [];
  let tickets = 0;
  let chunk: TicketInput[] = [];
  const write = async () => {
    const res = await ingestTickets(ctx, chunk);
    res.tickets.forEach((t, i) => {
      const created = Date.parse(chunk[i]!.createdAt ?? '');
      if (created >= plan.startMs) recentTickets.push(t.id);
    });
    tickets += chunk.length;
    chunk = [];
    progress.update(`tickets ${int(tickets)} of ${int(plan.targets.tickets)}`);
  };
  for (const t of ticketInputs(plan, gen.sightings)) {
    chunk.push(t);
    if (chunk.length >= TICKET_CHUNK) await write();
  }
  if (chunk.length) await write();
  const ticketsMs = performance.now() - t2;
  progress.done(`tickets: ${int(tickets)} in ${secs(ticketsMs)} (${recentTickets.length} written during the window)`);
  return {
    codeMs,
    telemetryMs,
    ticketsMs,
    totalMs: performance.now() - t0,
    spans,
    logs,
    flushes,
    deploysRecorded,
    sync: { commitsRead: sync.commitsRead, filesRead: sync.filesRead, filesParsed: sync.filesParsed },
    recentTickets,
    tickets,
    breakdown,
    flushProfile: flushProfile.top(8),
  };
}

const SIZE_TABLES = [
  'span',
  'log_record',
  'ticket',
  'ticket_mention',
  'commit',
  'file',
  'symbol',
  'deploy',
  'service',
  'log_pattern',
  'error_group',
  'pattern_minute',
  'error_minute',
  'red_minute',
  'edge_minute',
] as const;

async function worldSizes(
  db: Db,
): Promise<{ rows: Record<string, number>; bytes: Record<string, number>; databaseBytes: number | null }> {
  const rows: Record<string, number> = {};
  const bytes: Record<string, number> = {};
  for (const t of SIZE_TABLES) {
    // A partitioned table's size is its partitions'.
    const r = await db.query<{ n: number; b: number }>(
      `SELECT (SELECT count(*) FROM "${t}")::int8 AS n,
              (pg_total_relation_size('"${t}"') + coalesce((SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = '"${t}"'::regclass), 0))::int8 AS b`,
    );
    rows[t] = Number(r[0]?.n ?? 0);
    bytes[t] = Number(r[0]?.b ?? 0);
  }
  const size = await db.query<{ b: number }>('SELECT pg_database_size(current_database())::int8 AS b').catch(() => []);
  return { rows, bytes, databaseBytes: size[0] ? Number(size[0].b) : null };
}

// ---------------------------------------------------------------------------------------
// Investigations

interface Run {
  kind: InvestigationSubject['kind'];
  why: string;
  subject: InvestigationSubject;
  /** Minutes between since and the end of the world (alerts). */
  ageMin: number | null;
  ms: number;
  dbMs: number;
  queries: number;
  slowest: { sql: string; ms: number } | null;
  findings: number;
  rootCause: string | null;
  expectedRoot: string | null;
  error?: string;
}

interface RunSet {
  runs: Run[];
  ticketSupport: 'yes' | 'no' | 'untried';
  ticketRefusal: string | null;
  /** Statement → count, total and max ms over all runs. */
  profile: Array<{ sql: string; count: number; totalMs: number; maxMs: number; share: number }>;
  /** The slowest run's slowest statement, for EXPLAIN. */
  slowestQuery: QueryTime | null;
}

function alertSubject(a: AlertPlan): InvestigationSubject {
  return {
    kind: 'alert',
    service: a.service,
    since: new Date(a.sinceMs).toISOString(),
    ...(a.endpoint ? { endpoint: a.endpoint } : {}),
  };
}

async function runInvestigations(
  ctx: Context,
  plan: WorldPlan,
  recentTickets: number[],
  n: number,
  label: string,
): Promise<RunSet> {
  const progress = new Progress(label);
  const log: QueryTime[] = [];
  const timed: Context = {
    ...ctx,
    store: new Store(
      timedDb(ctx.store.db, (q) => log.push(q)),
      ctx.store.retentionDays,
    ),
  };
  const alerts = alertPlans(plan, n);
  const errorsFault = plan.faults.find((f) => f.kind === 'errors');
  const latencyFault = plan.faults.find((f) => f.kind === 'latency');
  const expected: Record<string, string | null> = {
    'fault service (errors)': errorsFault ? plan.services[errorsFault.service]!.name : null,
    'upstream of the failing service': errorsFault ? plan.services[errorsFault.service]!.name : null,
    'fault service (latency)': latencyFault ? plan.services[latencyFault.service]!.name : null,
  };
  let ticketSupport: RunSet['ticketSupport'] = 'untried';
  let ticketRefusal: string | null = null;
  const runs: Run[] = [];
  const stats = new Profile();
  let slowestQuery: QueryTime | null = null;
  let slowestRun = -1;
  let ticketTurn = 0;
  for (let i = 0; i < n; i++) {
    let why = alerts[i]!.why;
    let subject = alertSubject(alerts[i]!);
    let ageMin: number | null = Math.round((plan.endMs - alerts[i]!.sinceMs) / MINUTE);
    if (i % 4 === 3 && ticketSupport !== 'no' && recentTickets.length > 0) {
      subject = { kind: 'ticket', ticketId: recentTickets[(ticketTurn++ * 7919) % recentTickets.length]! };
      why = 'ticket written during the window';
      ageMin = null;
    }
    log.length = 0;
    const t0 = performance.now();
    let run: Run;
    try {
      const inv = await investigate(timed, subject, { now: new Date(plan.endMs) });
      const ms = performance.now() - t0;
      const root = findingsOf(inv.result.findings, 'root_cause_service')[0];
      run = {
        kind: subject.kind,
        why,
        subject,
        ageMin,
        ms,
        dbMs: log.reduce((a, q) => a + q.ms, 0),
        queries: log.length,
        slowest: null,
        findings: inv.result.findings.length,
        rootCause: root ? root.data.service : null,
        expectedRoot: expected[why] ?? null,
      };
      if (subject.kind === 'ticket') ticketSupport = 'yes';
    } catch (err) {
      if (err instanceof InvestigationInputError && subject.kind === 'ticket' && /not supported/i.test(err.message)) {
        // Tickets are not an entry point yet: this slot investigates its alert instead.
        ticketSupport = 'no';
        ticketRefusal = err.message;
        i--;
        continue;
      }
      throw err;
    }
    for (const q of log) {
      stats.add(q);
      if (!run.slowest || q.ms > run.slowest.ms) run.slowest = { sql: statementKey(q.sql), ms: q.ms };
    }
    if (slowestRun < 0 || run.ms > runs[slowestRun]!.ms) {
      slowestRun = runs.length;
      slowestQuery = log.reduce<QueryTime | null>((a, q) => (a === null || q.ms > a.ms ? q : a), null);
    }
    runs.push(run);
    progress.update(
      `investigation ${runs.length}/${n}: ${run.kind} ${subject.kind === 'alert' ? `${subject.service} since -${ageMin} min` : `#${(subject as { ticketId: number }).ticketId}`} in ${Math.round(run.ms)} ms`,
      true,
    );
  }
  progress.done(
    `${runs.length} investigations, p95 ${Math.round(
      percentile(
        runs.map((r) => r.ms),
        95,
      ) ?? 0,
    )} ms`,
  );
  const total = runs.reduce((a, r) => a + r.ms, 0);
  const profile = stats.top(20).map((s) => ({ ...s, share: total > 0 ? s.totalMs / total : 0 }));
  return { runs, ticketSupport, ticketRefusal, profile, slowestQuery };
}

async function explain(db: Db, q: QueryTime): Promise<string[]> {
  const rows = await db.query<Row>(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
  return rows.map((r) => String(Object.values(r)[0]));
}

// ---------------------------------------------------------------------------------------
// One backend

interface BackendResult {
  backend: Backend;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  load?: LoadResult;
  vacuumMs?: number | null;
  autovacuum?: string;
  sizes?: Awaited<ReturnType<typeof worldSizes>>;
  /** The investigations as loaded, and again after VACUUM ANALYZE with --vacuum. */
  measured?: Measured[];
  database?: string;
}

interface Measured {
  label: string;
  investigations: RunSet;
  explain: { sql: string; ms: number; plan: string[] } | null;
}

async function runBackend(
  backend: Backend,
  plan: WorldPlan,
  repo: RepoBuild,
  opts: Options,
  dir: string,
  kept: KeptWorld,
): Promise<BackendResult> {
  const reused = opts.reuse ? kept.backends[backend] : undefined;
  if (opts.reuse && !reused) return { backend, status: 'skipped', reason: `${opts.reuse} holds no ${backend} world` };
  let database: Awaited<ReturnType<typeof createBenchDatabase>> | null = null;
  if (backend === 'postgres' && !reused) {
    try {
      database = await createBenchDatabase(opts.postgresUrl);
    } catch (err) {
      if (err instanceof PostgresUnavailableError) return { backend, status: 'skipped', reason: err.message };
      throw err;
    }
  }
  const dataDir = join(dir, `pglite-data-${backend}`);
  if (!reused) rmSync(dataDir, { recursive: true, force: true });
  let store: Store | null = null;
  const drop = () => database?.drop();
  if (!opts.keep && !reused) cleanups.add(drop);
  try {
    store = await openStore({
      dataDir,
      databaseUrl: reused ? reused.databaseUrl : database?.url,
      retentionDays: 7,
      poolSize: 6,
    });
    const metrics = new SelfMetrics();
    const s = store;
    const writer = new BatchWriter((parts) => s.writeKeyedTelemetry(parts), {
      concurrency: store.db.concurrency,
      // The loader waits itself once MAX_QUEUED records are queued; the writer never refuses.
      maxQueuedRecords: Number.MAX_SAFE_INTEGER,
      maxQueueWaitMs: Number.MAX_SAFE_INTEGER,
      maxBatchRecords: 20_000,
    });
    const ctx: Context = { store, writer, metrics };
    ctx.redactor = compileRedactor({ hashKey: await instanceSecret(store.db, EMAIL_HASH_KEY) });
    const analysisErrors: string[] = [];
    // The bench flushes at slice boundaries itself; the timer is never due. The flushes'
    // statements are timed.
    const flushProfile = new Profile();
    ctx.analysis = new AnalysisPipeline(
      timedDb(store.db, (q) => flushProfile.add(q)),
      metrics,
      {
        flushIntervalMs: 2 ** 30,
        onError: (err, what) => analysisErrors.push(`${what}: ${err.message}`),
      },
    );
    await ctx.analysis.start();
    const load = reused ? null : await loadWorld(ctx, plan, repo, opts, backend, flushProfile);
    kept.backends[backend] = {
      recentTickets: load?.recentTickets ?? reused!.recentTickets,
      ...(database ? { databaseUrl: database.url } : reused?.databaseUrl ? { databaseUrl: reused.databaseUrl } : {}),
    };
    if (analysisErrors.length)
      throw new Error(`the analysis failed ${analysisErrors.length} times; first: ${analysisErrors[0]}`);
    const sizes = await worldSizes(store.db);
    const autovacuum =
      backend === 'postgres'
        ? String((await store.db.query<{ autovacuum: string }>('SHOW autovacuum'))[0]?.autovacuum)
        : 'none (PGlite has no autovacuum)';
    const db = store.db;
    const measure = async (label: string): Promise<Measured> => {
      const investigations = await runInvestigations(
        ctx,
        plan,
        kept.backends[backend]!.recentTickets,
        opts.runs,
        label,
      );
      const q = investigations.slowestQuery;
      return {
        label,
        investigations,
        explain: q ? { sql: q.sql.replace(/\s+/g, ' ').trim(), ms: q.ms, plan: await explain(db, q) } : null,
      };
    };
    const measured = [await measure(backend)];
    let vacuumMs: number | null = null;
    if (opts.vacuum) {
      const t0 = performance.now();
      await store.db.exec('VACUUM ANALYZE');
      vacuumMs = performance.now() - t0;
      process.stderr.write(`${backend}: VACUUM ANALYZE in ${secs(vacuumMs)}\n`);
      measured.push(await measure(`${backend} after VACUUM ANALYZE`));
    }
    await ctx.analysis.stop();
    return {
      backend,
      status: 'ok',
      ...(load ? { load } : {}),
      vacuumMs,
      autovacuum,
      sizes,
      measured,
      database: database?.name,
    };
  } catch (err) {
    return { backend, status: 'failed', reason: (err as Error).stack ?? (err as Error).message };
  } finally {
    cleanups.delete(drop);
    await store?.close().catch(() => {});
    if (!opts.keep && !reused) {
      rmSync(dataDir, { recursive: true, force: true });
      await database
        ?.drop()
        .catch((err: Error) => process.stderr.write(`warning: could not drop ${database?.name}: ${err.message}\n`));
    }
  }
}

// ---------------------------------------------------------------------------------------
// Output

function mibOf(bytes: number): string {
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MiB`;
}

function msCell(v: number | null): string {
  return v === null ? '-' : v >= 100 ? int(v) : v.toFixed(1);
}

function latencyRows(backend: string, runs: Run[]): string[][] {
  const groups = new Map<string, Run[]>([['all', runs]]);
  for (const r of runs) groups.set(r.kind, [...(groups.get(r.kind) ?? []), r]);
  return [...groups.entries()].map(([kind, rs]) => {
    const ms = rs.map((r) => r.ms);
    const p95 = percentile(ms, 95);
    return [
      backend,
      kind,
      String(rs.length),
      msCell(percentile(ms, 50)),
      msCell(p95),
      msCell(percentile(ms, 100)),
      msCell(
        percentile(
          rs.map((r) => r.dbMs),
          50,
        ),
      ),
      p95 === null ? '-' : `${(p95 / TARGET_P95_MS).toFixed(2)}×`,
      p95 === null ? '-' : p95 < TARGET_P95_MS ? 'met' : 'NOT MET',
    ];
  });
}

function describeWorld(plan: WorldPlan, repo: RepoBuild): string {
  const s = plan.services;
  const tiers = [0, 1, 2, 3, 4].map((t) => s.filter((x) => x.tier === t).length);
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  const ago = (ms: number) => `${Math.round((plan.endMs - ms) / MINUTE)} min before the end`;
  return [
    `world: seed ${plan.seed}, scale ${plan.scale}: ${s.length} services (tiers ${tiers.join('/')}, ${s.reduce((a, x) => a + x.endpoints.length, 0)} endpoints, ` +
      `${s.reduce((a, x) => a + x.templates.length + x.errorTemplates.length, 0)} log templates, ${s.reduce((a, x) => a + x.errors.length + 1, 0)} error types), ` +
      `${int(plan.users)} users, ${int(plan.accounts)} accounts`,
    `  ${int(plan.targets.spans)} spans and ${int(plan.targets.logs)} log records from ${iso(plan.startMs)} to ${iso(plan.endMs)} UTC; ${int(plan.targets.tickets)} tickets; ` +
      `${int(plan.commits.length)} commits (repository built in ${repo.seconds.toFixed(1)} s, ${int(repo.files)} files); ${plan.deploys.length} deploys`,
    ...plan.faults.map((f) => {
      const svc = s[f.service]!;
      return f.kind === 'errors'
        ? `  fault: ${svc.name} (tier ${svc.tier}) deployed ${f.deploy.version} ${ago(f.deploy.atMs)}; from ${ago(f.onsetMs)}, ${Math.round(100 * f.errorRate)}% of its requests raise ${f.error?.type} and its callers see upstream errors`
        : `  fault: ${svc.name} (tier ${svc.tier}) deployed ${f.deploy.version} ${ago(f.deploy.atMs)}; from ${ago(f.onsetMs)}, ${svc.endpoints[f.endpoint]!.name} is ${f.latencyFactor}× slower with a new pool warning`;
    }),
  ].join('\n');
}

function timestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parseOptions, USAGE);
  if (typeof opts === 'number') return opts;
  const startedAt = new Date();
  let kept: KeptWorld = {
    seed: opts.seed,
    scale: opts.scale,
    endMs: Math.floor(Date.now() / MINUTE) * MINUTE,
    backends: {},
  };
  if (opts.reuse) {
    try {
      kept = JSON.parse(readFileSync(join(opts.reuse, 'world.json'), 'utf8')) as KeptWorld;
    } catch (err) {
      process.stderr.write(`--reuse ${opts.reuse}: no world kept there (${(err as Error).message})\n`);
      return 2;
    }
  }
  const plan = planWorld({ seed: kept.seed, scale: kept.scale, endMs: kept.endMs });

  let dir: string;
  if (opts.reuse) dir = opts.reuse;
  else if (opts.keep) {
    mkdirSync(opts.keep, { recursive: true });
    if (readdirSync(opts.keep).length > 0) {
      process.stderr.write(`--keep ${opts.keep}: the directory is not empty\n`);
      return 2;
    }
    dir = opts.keep;
  } else dir = mkdtempSync(join(os.tmpdir(), 'orrery-bench-investigate-'));
  const owned = !opts.keep && !opts.reuse;
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  if (owned) cleanups.add(removeDir);
  const interrupted = () => {
    process.stderr.write('\ninterrupted: removing the scratch database and directory\n');
    // The forced DROP DATABASE ends the store's open connections; their errors no longer matter.
    process.on('uncaughtException', () => {});
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);

  const results: BackendResult[] = [];
  try {
    const progress = new Progress('repository');
    let repo: RepoBuild;
    if (kept.repo) repo = kept.repo;
    else {
      repo = await buildRepository(plan, join(dir, 'repo'), (d, t) =>
        progress.update(`git fast-import: ${int(d)} of ${int(t)} commits`),
      );
      progress.done(`${int(plan.commits.length)} commits written with git fast-import in ${repo.seconds.toFixed(1)} s`);
      kept.repo = repo;
    }
    process.stdout.write(`${describeWorld(plan, repo)}\n\n`);

    for (const backend of opts.backends) {
      process.stderr.write(`\n== ${backend}\n`);
      const r = await runBackend(backend, plan, repo, opts, dir, kept);
      if (opts.keep) writeFileSync(join(dir, 'world.json'), `${JSON.stringify(kept)}\n`);
      results.push(r);
      if (r.status !== 'ok') process.stdout.write(`${backend}: ${r.status.toUpperCase()}: ${r.reason}\n`);
    }

    const ok = results.filter((r) => r.status === 'ok');
    if (ok.length) {
      process.stdout.write(
        `\nload (through the ingest path: redaction, group commit, streaming analysis, deploy inference)\n${table(
          ['backend', 'code sync', 'telemetry', 'records/s', 'tickets', 'total', 'flushes', 'DB size'],
          ok
            .filter((r) => r.load)
            .map((r) => {
              const l = r.load!;
              return [
                r.backend,
                secs(l.codeMs),
                secs(l.telemetryMs),
                int((l.spans + l.logs) / (l.telemetryMs / 1000)),
                secs(l.ticketsMs),
                secs(l.totalMs),
                int(l.flushes),
                r.sizes!.databaseBytes === null ? '-' : mibOf(r.sizes!.databaseBytes),
              ];
            }),
          new Set([1, 2, 3, 4, 5, 6, 7]),
        )}\n`,
      );
      for (const r of ok.filter((x) => x.load)) {
        const l = r.load!;
        process.stdout.write(
          `\n${r.backend}: telemetry wall time: ${Object.entries(l.breakdown)
            .map(([k, v]) => `${k} ${secs(v)}`)
            .join(', ')}; analysis flush statements by total time\n${table(
            ['count', 'total s', 'max ms', 'statement'],
            l.flushProfile.slice(0, 5).map((p) => [int(p.count), (p.totalMs / 1000).toFixed(1), int(p.maxMs), p.sql]),
            new Set([0, 1, 2]),
          )}\n`,
        );
      }
      process.stdout.write(
        `\nstored rows (and size on disk, indexes included)\n${table(
          ['table', ...ok.map((r) => r.backend)],
          SIZE_TABLES.map((t) => [
            t,
            ...ok.map((r) => `${int(r.sizes!.rows[t] ?? 0)} (${mibOf(r.sizes!.bytes[t] ?? 0)})`),
          ]),
          new Set(ok.map((_, i) => i + 1)),
        )}\n`,
      );
      const sets = ok.flatMap((r) => r.measured!);
      process.stdout.write(
        `\ninvestigation latency (ms; --runs ${opts.runs}; target p95 < ${TARGET_P95_MS} ms)\n${table(
          ['backend', 'subject', 'runs', 'p50', 'p95', 'max', 'p50 in SQL', 'p95/target', 'target'],
          sets.flatMap((m) => latencyRows(m.label, m.investigations.runs)),
          new Set([2, 3, 4, 5, 6, 7]),
        )}\n`,
      );
      for (const r of ok) {
        process.stdout.write(
          `${r.backend}: autovacuum ${r.autovacuum}${r.vacuumMs != null ? `; VACUUM ANALYZE took ${secs(r.vacuumMs)}` : ''}\n`,
        );
      }
      for (const m of sets) {
        const inv = m.investigations;
        if (inv.ticketSupport === 'no')
          process.stdout.write(`${m.label}: ticket subjects skipped: ${inv.ticketRefusal}\n`);
        const first = inv.runs[0];
        if (first) process.stdout.write(`${m.label}: first run ${Math.round(first.ms)} ms\n`);
        const checked = inv.runs.filter((x) => x.expectedRoot !== null);
        const hit = checked.filter((x) => x.rootCause === x.expectedRoot).length;
        process.stdout.write(
          `${m.label}: the injected fault's service was the top root-cause candidate in ${hit} of ${checked.length} fault-related alerts\n`,
        );
        const total = inv.runs.reduce((a, x) => a + x.ms, 0);
        const sql = inv.runs.reduce((a, x) => a + x.dbMs, 0);
        process.stdout.write(
          `\n${m.label}: where the time went (${Math.round((100 * sql) / Math.max(1, total))}% in SQL); statements by total time\n${table(
            ['share', 'count', 'total ms', 'max ms', 'statement'],
            inv.profile
              .slice(0, 6)
              .map((p) => [`${(100 * p.share).toFixed(1)}%`, int(p.count), int(p.totalMs), int(p.maxMs), p.sql]),
            new Set([0, 1, 2, 3]),
          )}\n`,
        );
        if (m.explain) {
          process.stdout.write(
            `\n${m.label}: EXPLAIN ANALYZE of the slowest run's slowest statement (${Math.round(m.explain.ms)} ms in the run)\n`,
          );
          process.stdout.write(
            `${m.explain.plan
              .slice(0, 40)
              .map((l) => `  ${l}`)
              .join('\n')}\n`,
          );
        }
      }
    }

    mkdirSync(OUT_DIR, { recursive: true });
    const outFile = join(OUT_DIR, `investigate-${timestamp(startedAt)}.json`);
    const cpus = os.cpus();
    const summary = {
      benchmark: 'investigate',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model.trim() ?? null,
        totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
        node: process.version,
        loadavg: os.loadavg(),
      },
      options: { ...opts, keep: opts.keep },
      world: {
        seed: plan.seed,
        scale: plan.scale,
        startMs: plan.startMs,
        endMs: plan.endMs,
        targets: plan.targets,
        faults: plan.faults.map((f) => ({
          kind: f.kind,
          service: plan.services[f.service]!.name,
          deployAt: new Date(f.deploy.atMs).toISOString(),
          onset: new Date(f.onsetMs).toISOString(),
        })),
      },
      targetP95Ms: TARGET_P95_MS,
      results: results.map((r) => ({
        ...r,
        latency: r.measured?.map((m) => ({
          label: m.label,
          bySubject: Object.fromEntries(
            latencyRows(m.label, m.investigations.runs).map((row) => [
              row[1],
              { runs: Number(row[2]), p50: row[3], p95: row[4], max: row[5], ratio: row[7] },
            ]),
          ),
        })),
      })),
      kept: opts.keep ? { dir, databases: results.map((r) => r.database).filter(Boolean) } : null,
    };
    writeFileSync(outFile, `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(`\nJSON summary: ${relative(REPO_ROOT, outFile)}\n`);
    if (opts.keep)
      process.stdout.write(
        `kept ${dir}${summary.kept?.databases.length ? ` and PostgreSQL database(s) ${summary.kept.databases.join(', ')}` : ''}\n`,
      );
    return results.some((r) => r.status === 'failed') ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupted);
    cleanups.delete(removeDir);
    if (owned) removeDir();
  }
}
