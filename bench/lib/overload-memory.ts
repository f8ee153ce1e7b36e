// The overload bench's memory phase (issue 24, item 3): many clients send large gzip'd batches at
// once, over OTLP/HTTP and OTLP/gRPC (grpc-js gzips each message), to a node with a resident
// memory cap (ORRERY_MAX_RSS_MB). Prints the node's RSS and the share of refused requests each
// second, the peak against the cap, and, after the load stops, how soon a 1-span request is
// accepted again and how fast (recovery without a restart).
import * as grpc from '@grpc/grpc-js';
import { OTLP_GRPC_METHODS } from '../../src/ingest/sources/otlp-grpc/index.js';
import { int, percentile, table } from './format.js';
import { distinctBody, traceBatches } from './otlp-batches.js';
import { post, rssSampler } from './overload-clients.js';
import type { ServerProcess } from './server-process.js';
import { gzipSync } from 'node:zlib';

export interface MemoryPhaseOptions {
  durationS: number;
  capMib: number;
  httpClients: number;
  grpcClients: number;
  /** Spans per batch. */
  spans: number;
}

interface Second {
  answered: number;
  refused: number;
  failed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function memoryPhase(server: ServerProcess, opts: MemoryPhaseOptions): Promise<void> {
  const batches = await traceBatches(6, opts.spans, 7);
  const one = (await traceBatches(1, 1, 8))[0]!.bytes;
  const gzipped = batches.map((b) => gzipSync(b.bytes));
  const gz = gzipped[0]!;
  process.stdout.write(
    `memory: ${opts.httpClients} OTLP/HTTP and ${opts.grpcClients} OTLP/gRPC clients, gzip'd ${int(opts.spans)}-span batches ` +
      `(${int(batches[0]!.bytes.length)} bytes, ${int(gz.length)} gzip'd), ${opts.durationS} s; ORRERY_MAX_RSS_MB=${opts.capMib}\n`,
  );
  const rss = rssSampler(server.pid);
  const t0 = Date.now();
  const perSecond: Second[] = [];
  const tally = (status: 'ok' | 'refused' | 'failed') => {
    const i = Math.floor((Date.now() - t0) / 1000);
    for (let k = perSecond.length; k <= i; k++) perSecond.push({ answered: 0, refused: 0, failed: 0 });
    const s = perSecond[i]!;
    s.answered++;
    if (status === 'refused') s.refused++;
    if (status === 'failed') s.failed++;
  };
  const statuses: Record<string, number> = {};
  const count = (k: string) => {
    statuses[k] = (statuses[k] ?? 0) + 1;
  };
  const until = t0 + opts.durationS * 1000;
  let seq = 0;
  const url = `${server.otlpUrl}/v1/traces`;
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' };
  const httpClient = async (c: number) => {
    for (let i = c; Date.now() < until; i++) {
      const body = distinctBody(gzipped[i % gzipped.length]!, seq++, { gzip: true });
      const a = await post(url, body, headers, 15_000);
      count(`http ${a.status}`);
      const refused = a.status === '429' || a.status === '503';
      tally(a.status === '200' ? 'ok' : refused ? 'refused' : 'failed');
      // Hostile: back after 50 ms, whatever Retry-After said, so the pressure stays on.
      if (a.status !== '200') await sleep(50);
    }
  };
  const grpcClient = async (c: number) => {
    const client = new grpc.Client(server.otlpGrpcAddress, grpc.credentials.createInsecure(), {
      'grpc.default_compression_algorithm': 2,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    try {
      for (let i = c; Date.now() < until; i++) {
        const body = distinctBody(batches[i % batches.length]!.bytes, seq++);
        const code = await new Promise<number>((resolve) => {
          client.makeUnaryRequest(
            OTLP_GRPC_METHODS.traces.path,
            (b: Buffer) => b,
            (b: Buffer) => b,
            body,
            new grpc.Metadata(),
            { deadline: Date.now() + 15_000 },
            (err) => resolve(err ? err.code : 0),
          );
        });
        count(`grpc ${grpc.status[code] ?? code}`);
        const refused = code === grpc.status.UNAVAILABLE || code === grpc.status.RESOURCE_EXHAUSTED;
        tally(code === 0 ? 'ok' : refused ? 'refused' : 'failed');
        if (code !== 0) await sleep(50);
      }
    } finally {
      client.close();
    }
  };
  await Promise.all([
    ...Array.from({ length: opts.httpClients }, (_, c) => httpClient(c)),
    ...Array.from({ length: opts.grpcClients }, (_, c) => grpcClient(c)),
  ]);
  const loadEnd = (Date.now() - t0) / 1000;

  // Recovery: one 1-span request every 500 ms for 20 s after the load.
  const probes: Array<{ t: number; status: string; ms: number }> = [];
  for (let k = 0; k < 40; k++) {
    const start = performance.now();
    const a = await post(url, distinctBody(one, 1_000_000 + k), { 'content-type': 'application/x-protobuf' }, 10_000);
    probes.push({ t: (Date.now() - t0) / 1000 - loadEnd, status: a.status, ms: performance.now() - start });
    await sleep(500);
  }
  rss.stop();

  const capKib = opts.capMib * 1024;
  const rows = perSecond.map((s, i) => {
    const kib = rss.max(i, i + 1);
    return [
      `${i}`,
      `${Math.round(kib / 1024)}`,
      `${((kib / capKib) * 100).toFixed(0)}%`,
      int(s.answered),
      s.answered ? `${((s.refused / s.answered) * 100).toFixed(0)}%` : '-',
      int(s.failed),
    ];
  });
  process.stdout.write(
    `\n${table(['s', 'RSS MiB', 'of cap', 'answered', 'refused', 'other failures'], rows, new Set([0, 1, 2, 3, 4, 5]))}\n`,
  );
  const total = perSecond.reduce(
    (a, s) => ({ answered: a.answered + s.answered, refused: a.refused + s.refused, failed: a.failed + s.failed }),
    { answered: 0, refused: 0, failed: 0 },
  );
  const peak = rss.max(0, loadEnd + 0.5);
  const after = rss.samples.at(-1)?.kib ?? 0;
  const firstOk = probes.find((p) => p.status === '200');
  const okMs = probes.filter((p) => p.status === '200').map((p) => p.ms);
  process.stdout.write(
    `answers: ${Object.entries(statuses)
      .map(([k, v]) => `${k}×${v}`)
      .join(' ')}\n` +
      `refused share: ${total.answered ? ((total.refused / total.answered) * 100).toFixed(1) : '0'}% of ${int(total.answered)} ` +
      `(other failures ${int(total.failed)}: timeouts, resets, 4xx, 5xx but 503)\n` +
      `peak RSS under load: ${Math.round(peak / 1024)} MiB of the ${opts.capMib} MiB cap (target: under it: ${peak < capKib ? 'met' : 'NOT met'}); ` +
      `20 s after: ${Math.round(after / 1024)} MiB\n` +
      `recovery: the first 1-span request accepted ${firstOk ? `${firstOk.t.toFixed(1)} s` : 'never (NOT met)'} after the load stopped; ` +
      `1-span latency after it p50 ${(percentile(okMs, 50) ?? 0).toFixed(0)} ms, max ${Math.max(0, ...okMs).toFixed(0)} ms\n`,
  );
  const timeline = rss.samples
    .filter((_, i) => i % 4 === 0)
    .map((s) => `${s.t.toFixed(0)}s ${Math.round(s.kib / 1024)}`);
  process.stdout.write(`RSS (MiB) each second, load then recovery: ${timeline.join(', ')}\n`);
}
