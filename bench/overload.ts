// `npm run bench -- overload`: a real `orrery up` child process (PGlite by default) under the
// two overloads the hostile probe found (issue 16, items 3 and 5):
//   bombs  10 well-behaved clients send gzip'd SDK span batches, alone and then while 40
//          clients send 510 KB gzip bombs back to back; prints their throughput alone and
//          under attack (the ratio), the server's RSS over the run, and how the bombs were answered.
//   flood  200 clients send 2,000-span batches with the SDK's 10 s timeout, waiting out a
//          refusal's Retry-After as the SDK exporters do; prints how many
//          were acknowledged, refused (429/503) and timed out, and how many spans were stored
//          without an acknowledgement (a client's retry would store them twice).
//   memory 48 OTLP/HTTP and 16 OTLP/gRPC clients send large gzip'd batches at once to a node
//          with a resident memory cap (issue 24, item 3); prints RSS and the refused share each
//          second, the peak against the cap, and the recovery after the load.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { counts, int, mib, table } from './lib/format.js';
import { distinctBody, traceBatches } from './lib/otlp-batches.js';
import { type ClientTally, post, rssSampler } from './lib/overload-clients.js';
import { memoryPhase } from './lib/overload-memory.js';
import { type BenchDatabase, createBenchDatabase } from './lib/postgres.js';
import { ServerProcess } from './lib/server-process.js';

const USAGE = `usage: npm run bench -- overload [bombs|flood|memory|all] [options]

  --duration SECONDS   length of each phase (default 20)
  --backend pglite|postgres   the store (default pglite)
  --max-rss-mb MIB     memory: the node's ORRERY_MAX_RSS_MB (default 1024)
  --http-clients N     memory: OTLP/HTTP clients (default 48)
  --grpc-clients N     memory: OTLP/gRPC clients (default 16)
  --spans N            memory: spans per batch (default 20000)
  --keep               keep the temp dir
Bomb clients wait 50 ms after a refusal (hostile); flood clients wait the Retry-After the
server sent, as the OpenTelemetry SDK exporters do.
Targets (issue 16): bombs: peak RSS under 1 GiB and the good clients at >= 80% of their
throughput alone; flood: refusals (429/503) instead of timeouts, and no span stored without
an acknowledgement; memory: peak RSS under ORRERY_MAX_RSS_MB, refusals (429/503, UNAVAILABLE)
rather than other failures, and a 1-span request accepted again soon after the load stops.`;

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `n` closed-loop clients sending `bodies` round-robin until `until`. After a refusal a
 * client waits 50 ms, or, when it `honorsRetryAfter` as the OpenTelemetry SDKs' exporters
 * do, the Retry-After the server sent.
 */
async function clients(
  n: number,
  url: string,
  bodies: Array<{ bytes: Uint8Array; records: number }>,
  headers: Record<string, string>,
  until: number,
  opts: { timeoutMs?: number; honorsRetryAfter?: boolean } = {},
): Promise<ClientTally> {
  const tally: ClientTally = { records: 0, status: {} };
  let seq = 0;
  await Promise.all(
    Array.from({ length: n }, async (_, c) => {
      for (let i = c; Date.now() < until; i++) {
        const b = bodies[i % bodies.length]!;
        const { status: s, retryAfter } = await post(
          url,
          distinctBody(b.bytes, seq++, { gzip: headers['content-encoding'] === 'gzip' }),
          headers,
          opts.timeoutMs ?? 10_000,
        );
        tally.status[s] = (tally.status[s] ?? 0) + 1;
        if (s === '200') tally.records += b.records;
        else await sleep(opts.honorsRetryAfter && retryAfter !== null ? retryAfter * 1000 : 50);
      }
    }),
  );
  return tally;
}

async function withServer<T>(
  backend: 'pglite' | 'postgres',
  keep: boolean,
  fn: (s: ServerProcess) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-overload-'));
  let db: BenchDatabase | undefined;
  if (backend === 'postgres') db = await createBenchDatabase('postgres://postgres@127.0.0.1:5432/');
  const server = await ServerProcess.start({ dataDir: join(dir, 'data'), logDir: dir, databaseUrl: db?.url, env });
  try {
    return await fn(server);
  } finally {
    await server.stop();
    await db?.drop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function bombs(durationS: number, backend: 'pglite' | 'postgres', keep: boolean): Promise<void> {
  const good = (await traceBatches(20, 500)).map((b) => ({ bytes: gzipSync(b.bytes), records: b.records }));
  const bomb = gzipSync(Buffer.alloc(512 * MiB));
  process.stdout.write(
    `bombs: 10 clients with gzip'd 500-span batches (${int(good[0]!.bytes.length)} bytes each), ` +
      `40 clients with a ${int(bomb.length)}-byte gzip bomb (inflates to 512 MiB); ${durationS} s per phase, ${backend}\n`,
  );
  await withServer(backend, keep, async (server) => {
    const url = `${server.otlpUrl}/v1/traces`;
    const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' };
    const rss = rssSampler(server.pid);
    // Warm up (JIT, the store's first partitions), then measure alone.
    await clients(10, url, good, headers, Date.now() + 3_000);
    const tA = (Date.now() - 0) / 1000;
    const alone = await clients(10, url, good, headers, Date.now() + durationS * 1000);
    const rssAlone = rss.samples.at(-1)?.kib ?? 0;
    const start = rss.samples.at(-1)?.t ?? 0;
    const until = Date.now() + durationS * 1000;
    const [attacked, bombTally] = await Promise.all([
      clients(10, url, good, headers, until),
      clients(40, url, [{ bytes: bomb, records: 0 }], headers, until),
    ]);
    const end = rss.samples.at(-1)?.t ?? 0;
    await sleep(25_000);
    rss.stop();
    void tA;
    const peakUnder = rss.max(start, end + 0.5);
    const after = rss.samples.at(-1)?.kib ?? 0;
    const rateAlone = alone.records / durationS;
    const rateAttacked = attacked.records / durationS;
    process.stdout.write(
      `\n${table(
        ['phase', 'good spans/s', 'good answers', 'bomb answers', 'peak RSS'],
        [
          ['alone', int(Math.round(rateAlone)), counts(alone.status), '', mib(rss.max(0, start))],
          [
            '40 bombs',
            int(Math.round(rateAttacked)),
            counts(attacked.status),
            counts(bombTally.status),
            mib(peakUnder),
          ],
        ],
        new Set([1, 4]),
      )}\n`,
    );
    const ratio = rateAlone > 0 ? rateAttacked / rateAlone : 0;
    process.stdout.write(
      `good throughput under attack: ${(ratio * 100).toFixed(1)}% of alone (target >= 80%: ${ratio >= 0.8 ? 'met' : 'NOT met'})\n` +
        `peak RSS during the attack: ${mib(peakUnder)} (target < 1 GiB: ${peakUnder < 1024 * 1024 ? 'met' : 'NOT met'}); ` +
        `before it ${mib(rssAlone)}; 25 s after it ${mib(after)}\n`,
    );
    const timeline = rss.samples
      .filter((_, i) => i % 8 === 0)
      .map((s) => `${s.t.toFixed(0)}s ${Math.round(s.kib / 1024)}`);
    process.stdout.write(`RSS (MiB) every 2 s: ${timeline.join(', ')}\n`);
  });
}

async function flood(durationS: number, backend: 'pglite' | 'postgres', keep: boolean): Promise<void> {
  const batches = await traceBatches(40, 2_000);
  process.stdout.write(
    `flood: 200 clients with 2,000-span batches (${int(batches[0]!.bytes.length)} bytes each), 10 s client timeout, ${durationS} s, ${backend}\n`,
  );
  await withServer(backend, keep, async (server) => {
    const url = `${server.otlpUrl}/v1/traces`;
    const headers = { 'content-type': 'application/x-protobuf' };
    const rss = rssSampler(server.pid);
    const debug = process.env.OVERLOAD_DEBUG
      ? setInterval(async () => {
          const m = await (await fetch(`${server.apiUrl}/metrics`)).text().catch(() => '');
          const g = m.match(/^orrery_ingest_(requests_\w+|queued_records|slot_seconds) [\d.e-]+/gm) ?? [];
          process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${g.join(' ')}\n`);
        }, 1000)
      : undefined;
    const t0 = Date.now();
    const tally = await clients(200, url, batches, headers, Date.now() + durationS * 1000, {
      timeoutMs: 10_000,
      honorsRetryAfter: true,
    });
    const took = (Date.now() - t0) / 1000;
    clearInterval(debug);
    rss.stop();
    // Let anything still being written land before counting.
    await sleep(5_000);
    const status = await server.getJson<{ store: { raw: { span: { count: number } } } }>('/api/status');
    const stored = status.store.raw.span.count;
    const unacked = stored - tally.records;
    process.stdout.write(
      `\n${table(
        ['answers', 'acknowledged spans', 'stored spans', 'stored without an ack', 'spans/s acked', 'peak RSS'],
        [
          [
            counts(tally.status),
            int(tally.records),
            int(stored),
            int(unacked),
            int(Math.round(tally.records / took)),
            mib(rss.max()),
          ],
        ],
        new Set([1, 2, 3, 4, 5]),
      )}\n`,
    );
    const refused = (tally.status['503'] ?? 0) + (tally.status['429'] ?? 0);
    const timeouts = tally.status.timeout ?? 0;
    process.stdout.write(
      `refused early: ${refused}; client timeouts: ${timeouts} (target: refusals, not timeouts); ` +
        `stored without an ack: ${unacked} (target 0: each would be stored twice by the SDK's retry)\n`,
    );
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '20' },
      backend: { type: 'string', default: 'pglite' },
      keep: { type: 'boolean', default: false },
      'max-rss-mb': { type: 'string', default: '1024' },
      'http-clients': { type: 'string', default: '48' },
      'grpc-clients': { type: 'string', default: '16' },
      spans: { type: 'string', default: '20000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const mode = positionals[0] ?? 'all';
  const backend = values.backend === 'postgres' ? 'postgres' : 'pglite';
  const duration = Number(values.duration);
  const memory = {
    durationS: duration,
    capMib: Number(values['max-rss-mb']),
    httpClients: Number(values['http-clients']),
    grpcClients: Number(values['grpc-clients']),
    spans: Number(values.spans),
  };
  const counted = [memory.capMib, memory.httpClients, memory.grpcClients, memory.spans];
  if (
    !['bombs', 'flood', 'memory', 'all'].includes(mode) ||
    !(duration > 0) ||
    !counted.every((n) => Number.isInteger(n) && n >= 0)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (mode === 'bombs' || mode === 'all') await bombs(duration, backend, values.keep);
  if (mode === 'flood' || mode === 'all') await flood(duration, backend, values.keep);
  if (mode === 'memory' || mode === 'all')
    await withServer(backend, values.keep, (server) => memoryPhase(server, memory), {
      ORRERY_MAX_RSS_MB: String(memory.capMib),
    });
  return 0;
}
