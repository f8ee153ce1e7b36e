// The ingest load generator, run as its own process: keeps N pre-encoded OTLP/HTTP protobuf
// requests in flight against the receiver for a fixed time, then prints one JSON report.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { distinctBody } from './otlp-batches.js';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export interface LoadConfig {
  /** http://127.0.0.1:<otlpPort>/v1/traces or /v1/logs */
  url: string;
  signal: 'traces' | 'logs';
  /** Encoded export requests and how many records each holds. */
  batches: { path: string; records: number }[];
  durationMs: number;
  concurrency: number;
}

export interface LoadReport {
  elapsedMs: number;
  requests: number;
  /** Records in 200 responses, less any the server reported as rejected (partial success). */
  acceptedRecords: number;
  rejectedRecords: number;
  /** Ack latency of each 200 response, ms. */
  latenciesMs: number[];
  /** Responses other than 200, by HTTP status. */
  non200: Record<string, number>;
  /** Requests that got no response at all, by error code. */
  errors: Record<string, number>;
  /** Total time spent backing off after 503/429. */
  backoffMs: number;
  firstError?: string;
}

const MAX_BACKOFF_MS = 1000;
const REQUEST_TIMEOUT_MS = 60_000;

interface Reply {
  status: number;
  retryAfter: string | undefined;
  body: Buffer;
}

function post(agent: http.Agent, url: URL, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const retry = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retry) ? retry[0] : retry,
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

function rejectedIn(signal: LoadConfig['signal'], body: Buffer): number {
  if (body.length === 0) return 0;
  try {
    if (signal === 'traces')
      return Number(ProtobufTraceSerializer.deserializeResponse(body).partialSuccess?.rejectedSpans ?? 0);
    return Number(ProtobufLogsSerializer.deserializeResponse(body).partialSuccess?.rejectedLogRecords ?? 0);
  } catch {
    return 0;
  }
}

function backoffMs(retryAfter: string | undefined): number {
  const s = Number(retryAfter);
  return Number.isFinite(s) && s > 0 ? Math.min(s * 1000, MAX_BACKOFF_MS) : MAX_BACKOFF_MS;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(config: LoadConfig): Promise<LoadReport> {
  const batches = config.batches.map((b) => ({ body: readFileSync(b.path), records: b.records }));
  if (batches.length === 0) throw new Error('no batches to send');
  const url = new URL(config.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  const report: LoadReport = {
    elapsedMs: 0,
    requests: 0,
    acceptedRecords: 0,
    rejectedRecords: 0,
    latenciesMs: [],
    non200: {},
    errors: {},
    backoffMs: 0,
  };
  let next = 0;
  let seq = 0;
  const start = performance.now();
  const deadline = start + config.durationMs;

  const worker = async () => {
    while (performance.now() < deadline) {
      const batch = batches[next++ % batches.length]!;
      const t0 = performance.now();
      report.requests++;
      try {
        const reply = await post(agent, url, distinctBody(batch.body, seq++));
        const ms = performance.now() - t0;
        if (reply.status === 200) {
          const rejected = rejectedIn(config.signal, reply.body);
          report.latenciesMs.push(Math.round(ms * 100) / 100);
          report.acceptedRecords += batch.records - rejected;
          report.rejectedRecords += rejected;
          continue;
        }
        report.non200[reply.status] = (report.non200[reply.status] ?? 0) + 1;
        report.firstError ??= `HTTP ${reply.status}: ${reply.body
          .toString('utf8', 0, 300)
          .replace(/[^\x20-\x7e]+/g, ' ')
          .trim()}`;
        if (reply.status === 503 || reply.status === 429) {
          const wait = Math.min(backoffMs(reply.retryAfter), Math.max(0, deadline - performance.now()));
          report.backoffMs += wait;
          await sleep(wait);
        }
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'ERROR';
        report.errors[code] = (report.errors[code] ?? 0) + 1;
        report.firstError ??= `${code}: ${(err as Error).message}`;
        await sleep(100);
      }
    }
  };

  await Promise.all(Array.from({ length: config.concurrency }, worker));
  report.elapsedMs = performance.now() - start;
  agent.destroy();
  return report;
}

async function cli(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) throw new Error('usage: ingest-load.ts <config JSON>');
  const report = await runLoad(JSON.parse(arg) as LoadConfig);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  cli().catch((err: Error) => {
    process.stderr.write(`ingest-load: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
