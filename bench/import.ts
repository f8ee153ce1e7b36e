// `npm run bench -- import`: does a large ticket import stall telemetry ingest? Starts `orrery up`
// on PGlite (one connection), measures small OTLP requests sent every ~100 ms with no import
// running (the baseline), then again while a 50k-row CSV is imported through the API.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { int, ms, percentile, table } from './lib/format.js';
import { parseOrExit } from './lib/options.js';
import { ServerProcess } from './lib/server-process.js';

const USAGE = `usage: npm run bench -- import [options]

Starts Orrery on PGlite, sends a small OTLP/JSON logs request every --interval-ms for
--baseline-seconds with nothing else running, then starts a --rows ticket CSV import through
POST /api/tickets/import and keeps sending until it ends. Prints the import time and the
p50/p95/max latency of the OTLP requests in both phases, and the ratio.

Options:
  --rows N               tickets in the CSV (default 50000)
  --interval-ms N        time between OTLP requests (default 100)
  --baseline-seconds N   length of the no-import phase (default 5)
  --keep                 keep the temp dir (server logs, PGlite data)
  --help                 this text

Target: every OTLP request during the import answers within 1 s.`;

interface Options {
  rows: number;
  intervalMs: number;
  baselineS: number;
  keep: boolean;
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      rows: { type: 'string', default: '50000' },
      'interval-ms': { type: 'string', default: '100' },
      'baseline-seconds': { type: 'string', default: '5' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const num = (name: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  return {
    rows: num('rows', values.rows, 1),
    intervalMs: num('interval-ms', values['interval-ms'], 10),
    baselineS: num('baseline-seconds', values['baseline-seconds'], 1),
    keep: values.keep,
  };
}

/** A support-desk export: ids, titles, bodies that mention users, routes, errors and traces, as in real tickets. */
export function ticketCsv(rows: number): string {
  const lines = ['id,title,body,status,created,email,account'];
  for (let i = 0; i < rows; i++) {
    const trace = (i * 2654435761).toString(16).padStart(32, '0').slice(-32);
    lines.push(
      `T-${i},Checkout fails for order ${i},"user u-${i % 5000} gets HTTP 502 on /api/orders/${i}; trace ${trace}",${i % 4 ? 'open' : 'solved'},2026-11-22T10:00:00Z,c${i % 900}@example.com,acct-${i % 300}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function logsRequest(n: number): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'import-bench' } }] },
        scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: `probe ${n}` } }] }],
      },
    ],
  });
}

interface Probe {
  /** When it was sent, ms after the phase began. */
  at: number;
  ms: number;
  status: number;
}

/** Sends one OTLP request every `intervalMs` (not waiting for the previous one) until `stop` resolves. */
async function probe(otlpUrl: string, intervalMs: number, stop: Promise<unknown>): Promise<Probe[]> {
  const sent: Array<Promise<Probe>> = [];
  let n = 0;
  const start = performance.now();
  const send = () => {
    const t0 = performance.now();
    const at = t0 - start;
    sent.push(
      fetch(`${otlpUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: logsRequest(n++),
        signal: AbortSignal.timeout(600_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return { at, ms: performance.now() - t0, status: res.status };
        },
        () => ({ at, ms: performance.now() - t0, status: 0 }),
      ),
    );
  };
  send();
  const timer = setInterval(send, intervalMs);
  await stop;
  clearInterval(timer);
  return Promise.all(sent);
}

function summary(name: string, probes: Probe[]): string[] {
  const lat = probes.map((p) => p.ms);
  const bad = probes.filter((p) => p.status !== 200).length;
  return [
    name,
    int(probes.length),
    ms(percentile(lat, 50)),
    ms(percentile(lat, 95)),
    ms(lat.length ? Math.max(...lat) : null),
    int(bad),
  ];
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;
  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-bench-import-'));
  const csv = ticketCsv(opts.rows);
  process.stdout.write(
    `${int(opts.rows)} tickets, ${(csv.length / 1024).toFixed(0)} KiB of CSV; starting Orrery on PGlite…\n`,
  );
  const server = await ServerProcess.start({ dataDir: join(dir, 'data'), logDir: dir });
  try {
    const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));
    const baseline = await probe(server.otlpUrl, opts.intervalMs, sleep(opts.baselineS));

    const t0 = performance.now();
    let parsedAt: number | null = null;
    const imported = fetch(`${server.apiUrl}/api/tickets/import?format=generic-csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: csv,
      signal: AbortSignal.timeout(3_600_000),
    }).then(async (res) => {
      // NDJSON progress: the time the file was read tells the parse apart from the writes.
      let body = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body ?? []) {
        body += decoder.decode(chunk as Uint8Array, { stream: true });
        if (parsedAt === null && body.includes('"phase":"parsed"')) parsedAt = performance.now() - t0;
      }
      const last = body.trim().split('\n').at(-1) ?? '';
      const status = res.status === 200 && !last.includes('"result"') ? 500 : res.status;
      return { status, body: last, seconds: (performance.now() - t0) / 1000 };
    });
    const during = await probe(server.otlpUrl, opts.intervalMs, imported);
    const imp = await imported;
    if (imp.status !== 200) throw new Error(`the import answered ${imp.status}: ${imp.body.slice(0, 500)}`);

    process.stdout.write(
      `\nimport: ${int(opts.rows)} tickets in ${imp.seconds.toFixed(1)} s (${int(opts.rows / imp.seconds)} tickets/s; the file was read after ${((parsedAt ?? 0) / 1000).toFixed(1)} s): ${imp.body}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['OTLP requests', 'n', 'p50 ms', 'p95 ms', 'max ms', 'non-200'],
        [summary('no import (baseline)', baseline), summary('during the import', during)],
        new Set([1, 2, 3, 4, 5]),
      )}\n`,
    );
    const ratio = (p: number) => {
      const a = percentile(
        during.map((x) => x.ms),
        p,
      );
      const b = percentile(
        baseline.map((x) => x.ms),
        p,
      );
      return a !== null && b ? (a / b).toFixed(1) : '-';
    };
    const maxDuring = Math.max(...during.map((p) => p.ms));
    const maxBase = Math.max(...baseline.map((p) => p.ms));
    process.stdout.write(
      `\nduring ÷ baseline: p50 ${ratio(50)}×, p95 ${ratio(95)}×, max ${(maxDuring / maxBase).toFixed(1)}×\n`,
    );
    const slowest = [...during].sort((a, b) => b.ms - a.ms).slice(0, 3);
    process.stdout.write(
      `slowest during the import: ${slowest.map((p) => `${ms(p.ms)} ms (sent at +${(p.at / 1000).toFixed(1)} s)`).join(', ')}\n`,
    );
    process.stdout.write(
      `target (every OTLP request during the import within 1 s): ${maxDuring <= 1000 ? 'met' : `missed (max ${ms(maxDuring)} ms)`}\n`,
    );
    return 0;
  } finally {
    const exit = await server.stop();
    for (const p of server.problems()) process.stderr.write(`server ${p.level}: ${p.message} (×${p.count})\n`);
    if (exit.killed) process.stderr.write('the server did not stop on SIGTERM and was killed\n');
    if (opts.keep) process.stdout.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
