// `npm run bench -- ingest`: OTLP ingest throughput of a real `orrery up` child process, fed
// SDK-encoded protobuf batches by a separate load process, per backend, signal and protocol
// (OTLP/HTTP and OTLP/gRPC side by side in the same run).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeOtlp } from '../src/ingest/sources/otlp/index.js';
import { counts, int, mib, ms, percentile, table } from './lib/format.js';
import type { LoadConfig, LoadReport } from './lib/ingest-load.js';
import { type BenchSignal, type EncodedBatch, logBatches, traceBatches } from './lib/otlp-batches.js';
import { OUT_DIR, REPO_ROOT } from './lib/paths.js';
import { type BenchDatabase, PostgresUnavailableError, createBenchDatabase } from './lib/postgres.js';
import { type ServerExit, type ServerProblem, ServerProcess } from './lib/server-process.js';

type Backend = 'pglite' | 'postgres';
type Protocol = 'http' | 'grpc';
const PROTOCOL_LABEL: Record<Protocol, string> = { http: 'OTLP/HTTP', grpc: 'OTLP/gRPC' };

const LOAD_SCRIPT = join(REPO_ROOT, 'bench/lib/ingest-load.ts');
const LABEL: Record<BenchSignal, string> = { traces: 'spans', logs: 'logs' };
const RAW_KIND: Record<BenchSignal, 'span' | 'log_record'> = { traces: 'span', logs: 'log_record' };
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/';

const USAGE = `usage: npm run bench -- ingest [options]

Measures OTLP protobuf ingest into \`orrery up\` (run as a child process) from a separate
load-generator process over loopback, for spans and log records, per store backend, over
OTLP/HTTP and OTLP/gRPC (the same batches, each protocol against its own fresh server).

Options:
  --duration SECONDS     how long each (backend, signal) run sends for (default 30)
  --only spans|logs      one signal only (default both)
  --protocol http|grpc|both
                         which OTLP transport (default both, printed side by side)
  --backend pglite|postgres|all
                         which store (default all); PostgreSQL gets a fresh database per run
  --concurrency N        requests in flight (default 4)
  --batches N            distinct pre-encoded batches per signal (default 20)
  --batch-size N         records per batch (default 1000)
  --postgres-url URL     PostgreSQL server (default ${DEFAULT_PG_URL}; databases are
                         created and dropped from its "test" database)
  --analysis on|off|both streaming analysis (patterns, errors, RED, graph) in the server:
                         both (default) runs each case twice and prints the on÷off ratio
  --keep                 keep the temp dir (batches, server logs, PGlite data)
  --help                 this text

Prints accepted records/s, p50/p99 ack latency, server peak RSS, non-200 responses and the
stored row count per run, beside the decode-only rate and the targets; writes a JSON summary
to bench/out/ingest-<timestamp>.json. Missing a target is reported, not an error.`;

interface Options {
  durationS: number;
  signals: BenchSignal[];
  protocols: Protocol[];
  backends: Backend[];
  concurrency: number;
  batchCount: number;
  batchSize: number;
  postgresUrl: string;
  analysis: Analysis[];
  keep: boolean;
}

type Analysis = 'on' | 'off';

interface Target {
  minPerSec: number;
  maxP99Ms: number | null;
}

const TARGETS: Record<Backend, Record<BenchSignal, Target>> = {
  postgres: { traces: { minPerSec: 30_000, maxP99Ms: 250 }, logs: { minPerSec: 50_000, maxP99Ms: 250 } },
  pglite: { traces: { minPerSec: 10_000, maxP99Ms: null }, logs: { minPerSec: 10_000, maxP99Ms: null } },
};

function targetLabel(t: Target): string {
  return `≥${int(t.minPerSec)}/s${t.maxP99Ms === null ? '' : `, p99<${t.maxP99Ms}ms`}`;
}

interface RunResult {
  backend: Backend;
  signal: BenchSignal;
  protocol: Protocol;
  analysis: Analysis;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  elapsedS?: number;
  requests?: number;
  acceptedRecords?: number;
  rejectedRecords?: number;
  recordsPerSec?: number;
  ratioToDecode?: number;
  latencyMs?: { count: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  peakRssKib?: number | null;
  non200?: Record<string, number>;
  connectionErrors?: Record<string, number>;
  backoffMs?: number;
  firstError?: string;
  storedRecords?: number | null;
  storedMatchesAccepted?: boolean;
  target: Target;
  targetMet?: boolean;
  missed?: string[];
  serverProblems?: ServerProblem[];
  serverExit?: ServerExit;
}

class UsageError extends Error {}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, not "${v}"`);
  return n;
}

function parseOptions(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      duration: { type: 'string' },
      only: { type: 'string' },
      protocol: { type: 'string' },
      backend: { type: 'string' },
      concurrency: { type: 'string' },
      batches: { type: 'string' },
      'batch-size': { type: 'string' },
      'postgres-url': { type: 'string' },
      analysis: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const durationS = values.duration === undefined ? 30 : Number(values.duration);
  if (!Number.isFinite(durationS) || durationS <= 0)
    throw new UsageError(`--duration must be a number of seconds, not "${values.duration}"`);
  const only = values.only;
  if (only !== undefined && only !== 'spans' && only !== 'logs')
    throw new UsageError(`--only must be spans or logs, not "${only}"`);
  const backend = values.backend ?? 'all';
  if (backend !== 'all' && backend !== 'pglite' && backend !== 'postgres') {
    throw new UsageError(`--backend must be pglite, postgres or all, not "${backend}"`);
  }
  const protocol = values.protocol ?? 'both';
  if (protocol !== 'http' && protocol !== 'grpc' && protocol !== 'both')
    throw new UsageError(`--protocol must be http, grpc or both, not "${protocol}"`);
  const analysis = values.analysis ?? 'both';
  if (analysis !== 'on' && analysis !== 'off' && analysis !== 'both')
    throw new UsageError(`--analysis must be on, off or both, not "${analysis}"`);
  return {
    durationS,
    signals: only === 'spans' ? ['traces'] : only === 'logs' ? ['logs'] : ['traces', 'logs'],
    protocols: protocol === 'both' ? ['http', 'grpc'] : [protocol],
    backends: backend === 'all' ? ['pglite', 'postgres'] : [backend],
    concurrency: positiveInt('concurrency', values.concurrency, 4),
    batchCount: positiveInt('batches', values.batches, 20),
    batchSize: positiveInt('batch-size', values['batch-size'], 1000),
    postgresUrl: values['postgres-url'] ?? DEFAULT_PG_URL,
    analysis: analysis === 'both' ? ['on', 'off'] : [analysis],
    keep: values.keep ?? false,
  };
}

// ---------------------------------------------------------------------------------------
// Decode-only upper bound

/** Records/s of decodeOtlp over the batches, in this process, on one thread. */
function decodeRate(signal: BenchSignal, batches: EncodedBatch[], seconds: number): number {
  const bufs = batches.map((b) => Buffer.from(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength));
  // One checked pass first: it warms the decoder up and proves the batches are what we think.
  bufs.forEach((buf, i) => {
    const d = decodeOtlp(signal, 'protobuf', buf);
    if (d.records.length !== batches[i]!.records || d.rejected !== 0) {
      throw new Error(
        `batch ${i} decodes to ${d.records.length} ${LABEL[signal]} (${d.rejected} rejected: ${d.rejectReasons.join('; ')}), expected ${batches[i]!.records}`,
      );
    }
  });
  let records = 0;
  let i = 0;
  let elapsed = 0;
  const t0 = performance.now();
  do {
    records += decodeOtlp(signal, 'protobuf', bufs[i++ % bufs.length]!).records.length;
    elapsed = performance.now() - t0;
  } while (elapsed < seconds * 1000);
  return records / (elapsed / 1000);
}

// ---------------------------------------------------------------------------------------
// Child processes

/** Cleanup for whatever is running, so Ctrl-C does not leave servers or databases behind. */
const active = new Set<() => Promise<unknown>>();
let interrupted = false;

function runLoadProcess(config: LoadConfig): Promise<LoadReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(config)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const kill = async () => {
      child.kill('SIGKILL');
    };
    active.add(kill);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // Requests time out after 60 s, so the generator always ends shortly after its duration.
    const timer = setTimeout(() => child.kill('SIGKILL'), config.durationMs + 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      active.delete(kill);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) {
        try {
          resolve(JSON.parse(last) as LoadReport);
          return;
        } catch {
          // fall through to the error below
        }
      }
      reject(
        new Error(
          `the load generator failed (code ${code}, signal ${signal}): ${stderr.trim().slice(-2000) || stdout.slice(-500)}`,
        ),
      );
    });
  });
}

interface StatusResponse {
  store: { raw: Record<'span' | 'log_record', { count: number }> };
}

interface RunInput {
  opts: Options;
  backend: Backend;
  signal: BenchSignal;
  protocol: Protocol;
  analysis: Analysis;
  files: { path: string; records: number }[];
  decodeRate: number;
  runDir: string;
}

async function runOne(input: RunInput): Promise<RunResult> {
  const { opts, backend, signal, protocol, analysis, runDir } = input;
  const target = TARGETS[backend][signal];
  mkdirSync(runDir, { recursive: true });
  let db: BenchDatabase | undefined;
  let server: ServerProcess | undefined;
  const cleanup = async () => {
    await server?.stop();
    await db?.drop();
  };
  active.add(cleanup);
  try {
    if (backend === 'postgres') {
      try {
        db = await createBenchDatabase(opts.postgresUrl);
      } catch (err) {
        if (err instanceof PostgresUnavailableError)
          return { backend, signal, protocol, analysis, status: 'skipped', reason: err.message, target };
        throw err;
      }
    }
    server = await ServerProcess.start({
      dataDir: join(runDir, 'data'),
      databaseUrl: db?.url,
      logDir: runDir,
      env: { ORRERY_ANALYSIS: analysis },
    });
    const load = await runLoadProcess({
      url: protocol === 'grpc' ? server.otlpGrpcAddress : `${server.otlpUrl}/v1/${signal}`,
      protocol,
      signal,
      batches: input.files,
      durationMs: opts.durationS * 1000,
      concurrency: opts.concurrency,
    });
    const crashed = server.exit;
    let statusError: string | undefined;
    const status = crashed
      ? null
      : await server.getJson<StatusResponse>('/api/status').catch((err: Error) => {
          statusError = err.message;
          return null;
        });
    const peakRssKib = server.peakRssKib();
    const serverExit = await server.stop();
    const stored = status ? status.store.raw[RAW_KIND[signal]].count : null;
    const recordsPerSec = load.acceptedRecords / (load.elapsedMs / 1000);
    const p99 = percentile(load.latenciesMs, 99);
    const missed: string[] = [];
    if (recordsPerSec < target.minPerSec) missed.push('rate');
    if (target.maxP99Ms !== null && (p99 === null || p99 >= target.maxP99Ms)) missed.push('p99');
    const result: RunResult = {
      backend,
      signal,
      protocol,
      analysis,
      status: 'ok',
      elapsedS: load.elapsedMs / 1000,
      requests: load.requests,
      acceptedRecords: load.acceptedRecords,
      rejectedRecords: load.rejectedRecords,
      recordsPerSec,
      ratioToDecode: recordsPerSec / input.decodeRate,
      latencyMs: {
        count: load.latenciesMs.length,
        p50: percentile(load.latenciesMs, 50),
        p90: percentile(load.latenciesMs, 90),
        p99,
        max: percentile(load.latenciesMs, 100),
      },
      peakRssKib,
      non200: load.non200,
      connectionErrors: load.errors,
      backoffMs: load.backoffMs,
      firstError: load.firstError,
      storedRecords: stored,
      storedMatchesAccepted: stored === load.acceptedRecords,
      target,
      targetMet: missed.length === 0,
      missed,
      serverProblems: server.problems(),
      serverExit,
    };
    if (crashed) {
      result.status = 'failed';
      result.reason = `the server exited during the run (code ${crashed.code}, signal ${crashed.signal})`;
    } else if (statusError) {
      result.status = 'failed';
      result.reason = `could not read the stored counts from /api/status: ${statusError}`;
    } else if (stored !== null && stored < load.acceptedRecords) {
      result.status = 'failed';
      result.reason = `acknowledged ${load.acceptedRecords} records but the store holds ${stored}`;
    }
    return result;
  } catch (err) {
    return {
      backend,
      signal,
      protocol,
      analysis,
      status: 'failed',
      reason: (err as Error).message,
      target,
      serverProblems: server?.problems(),
    };
  } finally {
    active.delete(cleanup);
    await server?.stop();
    await db
      ?.drop()
      .catch((err: Error) =>
        process.stderr.write(`warning: could not drop the database ${db?.name}: ${err.message}\n`),
      );
    if (!opts.keep) rmSync(join(runDir, 'data'), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// Output

function resultCell(r: RunResult): string {
  if (r.status === 'failed') return 'FAILED';
  return r.targetMet ? 'met' : `NOT MET (${r.missed?.join(', ')})`;
}

function non200Cell(r: RunResult): string {
  const all = { ...r.non200, ...r.connectionErrors };
  return counts(all);
}

function storedCell(r: RunResult): string {
  if (r.storedRecords === null || r.storedRecords === undefined) return 'n/a';
  return `${int(r.storedRecords)} ${r.storedMatchesAccepted ? '(=)' : '(≠)'}`;
}

function progressLine(r: RunResult): string {
  if (r.status === 'skipped') return `skipped: ${r.reason}`;
  if (r.recordsPerSec === undefined) return `FAILED: ${r.reason}`;
  const refused = Object.values({ ...r.non200, ...r.connectionErrors }).reduce((a, b) => a + b, 0);
  return `${int(r.recordsPerSec)} ${LABEL[r.signal]}/s accepted, p99 ${ms(r.latencyMs!.p99)} ms, ${refused} refused${r.status === 'failed' ? ` — FAILED: ${r.reason}` : ''}`;
}

/** The table of completed runs. */
function render(results: RunResult[]): string {
  const header = [
    'backend',
    'signal',
    'protocol',
    'analysis',
    'accepted/s',
    '÷decode',
    'p50 ms',
    'p99 ms',
    'peak RSS',
    'non-200',
    'accepted',
    'stored',
    'target',
    'result',
  ];
  const rows = results.map((r) => [
    r.backend,
    LABEL[r.signal],
    PROTOCOL_LABEL[r.protocol],
    r.analysis,
    int(r.recordsPerSec!),
    `${r.ratioToDecode!.toFixed(2)}×`,
    ms(r.latencyMs!.p50),
    ms(r.latencyMs!.p99),
    mib(r.peakRssKib ?? null),
    non200Cell(r),
    int(r.acceptedRecords!),
    storedCell(r),
    targetLabel(r.target),
    resultCell(r),
  ]);
  return table(header, rows, new Set([4, 5, 6, 7, 8, 10, 11]));
}

/** Throughput with the analysis on over the same case with it off, where both completed. */
function analysisRatios(
  results: RunResult[],
): { backend: Backend; signal: BenchSignal; protocol: Protocol; on: number; off: number; ratio: number }[] {
  const ok = results.filter((r) => r.status === 'ok' && r.recordsPerSec !== undefined);
  return ok
    .filter((r) => r.analysis === 'on')
    .flatMap((on) => {
      const off = ok.find(
        (r) => r.analysis === 'off' && r.backend === on.backend && r.signal === on.signal && r.protocol === on.protocol,
      );
      return off
        ? [
            {
              backend: on.backend,
              signal: on.signal,
              protocol: on.protocol,
              on: on.recordsPerSec!,
              off: off.recordsPerSec!,
              ratio: on.recordsPerSec! / off.recordsPerSec!,
            },
          ]
        : [];
    });
}

/** The same case over gRPC and over HTTP, where both completed. */
function protocolRatios(results: RunResult[]): {
  backend: Backend;
  signal: BenchSignal;
  analysis: Analysis;
  grpc: number;
  http: number;
  ratio: number;
  grpcP99: number | null;
  httpP99: number | null;
}[] {
  const ok = results.filter((r) => r.status === 'ok' && r.recordsPerSec !== undefined);
  return ok
    .filter((r) => r.protocol === 'grpc')
    .flatMap((g) => {
      const h = ok.find(
        (r) => r.protocol === 'http' && r.backend === g.backend && r.signal === g.signal && r.analysis === g.analysis,
      );
      return h
        ? [
            {
              backend: g.backend,
              signal: g.signal,
              analysis: g.analysis,
              grpc: g.recordsPerSec!,
              http: h.recordsPerSec!,
              ratio: g.recordsPerSec! / h.recordsPerSec!,
              grpcP99: g.latencyMs?.p99 ?? null,
              httpP99: h.latencyMs?.p99 ?? null,
            },
          ]
        : [];
    });
}

function redactPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}

function timestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------

export async function main(args: string[]): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseOptions(args);
  } catch (err) {
    process.stderr.write(`bench ingest: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const startedAt = new Date();
  const tmp = mkdtempSync(join(os.tmpdir(), 'orrery-bench-ingest-'));
  const onSigint = () => {
    interrupted = true;
    process.stderr.write('\ninterrupted: stopping the server and dropping bench databases…\n');
    void Promise.allSettled([...active].map((f) => f())).finally(() => {
      if (!(opts as Options).keep) rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', onSigint);
  try {
    return await run(opts, tmp, startedAt);
  } finally {
    process.off('SIGINT', onSigint);
    if (opts.keep) process.stdout.write(`kept ${tmp}\n`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

async function run(opts: Options, tmp: string, startedAt: Date): Promise<number> {
  const cpus = os.cpus();
  process.stdout.write(
    `Orrery ingest benchmark: ${cpus.length} CPU (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ` +
      `${opts.durationS} s per run, ${opts.concurrency} requests in flight\n`,
  );

  // Encode the batches once with the OpenTelemetry SDK and write them for the load process.
  const batchDir = join(tmp, 'batches');
  mkdirSync(batchDir);
  const batches = {} as Record<BenchSignal, EncodedBatch[]>;
  const files = {} as Record<BenchSignal, { path: string; records: number }[]>;
  const batchInfo = {} as Record<BenchSignal, { count: number; recordsPerBatch: number; avgBytes: number }>;
  for (const signal of opts.signals) {
    const encoded =
      signal === 'traces'
        ? await traceBatches(opts.batchCount, opts.batchSize)
        : await logBatches(opts.batchCount, opts.batchSize);
    batches[signal] = encoded;
    files[signal] = encoded.map((b, i) => {
      const path = join(batchDir, `${signal}-${String(i).padStart(3, '0')}.pb`);
      writeFileSync(path, b.bytes);
      return { path, records: b.records };
    });
    const avgBytes = encoded.reduce((n, b) => n + b.bytes.length, 0) / encoded.length;
    batchInfo[signal] = { count: encoded.length, recordsPerBatch: opts.batchSize, avgBytes };
    process.stdout.write(
      `batches: ${encoded.length} × ${int(opts.batchSize)} ${LABEL[signal]}, ${(avgBytes / 1024).toFixed(0)} KiB protobuf each (OpenTelemetry SDK serializer)\n`,
    );
  }

  const decodeSeconds = Math.min(3, opts.durationS);
  const decode = {} as Record<BenchSignal, number>;
  for (const signal of opts.signals) decode[signal] = decodeRate(signal, batches[signal], decodeSeconds);
  process.stdout.write(
    `decode-only (in-process, one thread, ${decodeSeconds} s): ${opts.signals.map((s) => `${LABEL[s]} ${int(decode[s])}/s`).join(', ')}\n\n`,
  );

  const results: RunResult[] = [];
  for (const backend of opts.backends) {
    let skipReason: string | undefined;
    for (const signal of opts.signals) {
      for (const analysis of opts.analysis) {
        for (const protocol of opts.protocols) {
          if (skipReason) {
            results.push({
              backend,
              signal,
              protocol,
              analysis,
              status: 'skipped',
              reason: skipReason,
              target: TARGETS[backend][signal],
            });
            continue;
          }
          process.stdout.write(
            `running ${backend} / ${LABEL[signal]} / ${PROTOCOL_LABEL[protocol]} / analysis ${analysis} for ${opts.durationS} s…\n`,
          );
          const runDir = join(tmp, `${backend}-${LABEL[signal]}-${protocol}-analysis-${analysis}`);
          const r = await runOne({
            opts,
            backend,
            signal,
            protocol,
            analysis,
            files: files[signal],
            decodeRate: decode[signal],
            runDir,
          });
          if (interrupted) return 130;
          if (r.status === 'skipped') skipReason = r.reason;
          process.stdout.write(`  ${progressLine(r)}\n`);
          results.push(r);
        }
      }
    }
  }

  const completed = results.filter((r) => r.recordsPerSec !== undefined);
  process.stdout.write(completed.length ? `\n${render(completed)}\n\n` : '\nno run completed\n\n');
  const ratios = analysisRatios(results);
  for (const r of ratios) {
    process.stdout.write(
      `analysis on ÷ off, ${r.backend}/${LABEL[r.signal]}/${PROTOCOL_LABEL[r.protocol]}: ${int(r.on)} ÷ ${int(r.off)} = ${r.ratio.toFixed(2)}×\n`,
    );
  }
  if (ratios.length) process.stdout.write('\n');
  const versus = protocolRatios(results);
  for (const r of versus) {
    process.stdout.write(
      `OTLP/gRPC ÷ OTLP/HTTP, ${r.backend}/${LABEL[r.signal]}/analysis ${r.analysis}: ${int(r.grpc)} ÷ ${int(r.http)} ${LABEL[r.signal]}/s = ${r.ratio.toFixed(2)}×; p99 ${ms(r.grpcP99)} vs ${ms(r.httpP99)} ms\n`,
    );
  }
  if (versus.length) process.stdout.write('\n');
  const skipped = new Map<Backend, string>();
  for (const r of results) if (r.status === 'skipped') skipped.set(r.backend, r.reason ?? '');
  for (const [backend, reason] of skipped) process.stdout.write(`skipped: ${backend}: ${reason}\n`);
  for (const r of results) {
    const where = `${r.backend}/${LABEL[r.signal]}/${PROTOCOL_LABEL[r.protocol]}/analysis ${r.analysis}`;
    if (r.status === 'failed') process.stdout.write(`FAILED: ${where}: ${r.reason}\n`);
    if (r.firstError) process.stdout.write(`${where}: first refused request: ${r.firstError}\n`);
    if (r.backoffMs)
      process.stdout.write(`${where}: backed off ${(r.backoffMs / 1000).toFixed(1)} s in total after 503/429\n`);
    if (r.rejectedRecords)
      process.stdout.write(
        `${where}: the server reported ${int(r.rejectedRecords)} records rejected (partial success)\n`,
      );
    if (r.serverExit && (r.serverExit.killed || r.serverExit.code !== 0)) {
      const how = r.serverExit.killed
        ? 'did not stop within 10 s of SIGTERM and was killed'
        : `exited with code ${r.serverExit.code}`;
      process.stdout.write(`${where}: the server ${how}\n`);
    }
    for (const p of r.serverProblems ?? [])
      process.stdout.write(`${where}: server ${p.level} ×${p.count}: ${p.message}\n`);
  }
  process.stdout.write(
    'accepted/s: records in 200 responses per second; ÷decode: that over the decode-only rate; ' +
      'stored: rows in the store after the run ((=) when it equals the acknowledged count).\n',
  );

  mkdirSync(OUT_DIR, { recursive: true });
  const outFile = join(OUT_DIR, `ingest-${timestamp(startedAt)}.json`);
  const summary = {
    benchmark: 'ingest',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? null,
      totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    options: { ...opts, postgresUrl: redactPassword(opts.postgresUrl) },
    batches: batchInfo,
    decodeOnlyRecordsPerSec: decode,
    runs: results,
    analysisOnOverOff: ratios,
    grpcOverHttp: versus,
  };
  writeFileSync(outFile, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`JSON summary: ${relative(REPO_ROOT, outFile)}\n`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}
