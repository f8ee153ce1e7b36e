// `npm run bench -- fuzz`: the long run of the fuzz suite (issue 24, item 4). Every decoder and
// parser on its own and every ingest route and GET route of an in-process Orrery on a fresh
// PGlite store, seeded first; prints the cases per target, the failures (a decoder throwing
// anything but its typed error, a route answering wrong), 5xx answers, uncaught errors, rows
// of the seeded data that changed, and the seed that reproduces the run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/index.js';
import { int, table } from './lib/format.js';
import { fuzzServer, healthy } from './lib/fuzz/harness.js';
import { type TargetReport, casesPerTarget, runTarget, seedStore } from './lib/fuzz/run.js';
import { changes, rowCounts, snapshot } from './lib/fuzz/snapshot.js';
import { allTargets, getRoutes } from './lib/fuzz/targets.js';
import { parseOrExit } from './lib/options.js';

const USAGE = `usage: npm run bench -- fuzz [options]

Generates hostile input for every decoder and parser (OTLP protobuf and JSON for traces, logs
and metrics; ticket webhooks and export files; Kubernetes and Terraform files; Sentry
envelopes) and for the server's routes (OTLP/HTTP, OTLP/gRPC, the webhooks, the ticket and
infra imports, the Sentry routes, and every query and route parameter of every GET route of
the API, read from its router). The server is seeded with telemetry, a ticket, a deploy, infra
and a Sentry project first; afterwards every stored row of the seed must be unchanged.

Options:
  --cases N        cases in total, split over the targets by weight (default 100000)
  --server-share F the share of the cases sent through the server (default 0.4)
  --seed S         fast-check seed (default: random; printed, so a run can be repeated)
  --only SUBSTR    run only the targets whose name contains SUBSTR
  --keep           keep the store's directory
Exit code 1 when any case failed, any answer was a 5xx, the process saw an uncaught error,
the server stopped answering, or seeded data changed.`;

interface Options {
  cases: number;
  serverShare: number;
  seed: number;
  only: string | null;
  keep: boolean;
}

function parse(args: string[]): Options | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      cases: { type: 'string', default: '100000' },
      'server-share': { type: 'string', default: '0.4' },
      seed: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const cases = Number(values.cases);
  if (!Number.isInteger(cases) || cases < 1)
    throw new Error(`--cases must be a positive integer, not "${values.cases}"`);
  const serverShare = Number(values['server-share']);
  if (!(serverShare >= 0 && serverShare <= 1)) throw new Error('--server-share must be between 0 and 1');
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not "${values.seed}"`);
  return { cases, serverShare, seed, only: values.only ?? null, keep: values.keep };
}

export async function main(args: string[]): Promise<number> {
  const opts = parseOrExit(args, parse, USAGE);
  if (typeof opts === 'number') return opts;

  const uncaught: string[] = [];
  const onUncaught = (err: unknown) => uncaught.push(String((err as Error)?.stack ?? err));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);

  const dir = mkdtempSync(join(os.tmpdir(), 'orrery-fuzz-'));
  const store = await openStore({ dataDir: dir, retentionDays: 7 });
  const s = await fuzzServer(store);
  const started = Date.now();
  try {
    const { sentryKey } = await seedStore(s);
    const before = await snapshot(store.db);
    process.stdout.write(
      `seed ${opts.seed}; ${getRoutes(s.routes).length} GET routes; seeded rows: ${JSON.stringify(rowCounts(before))}\n`,
    );
    let targets = allTargets({ sentryKey: () => sentryKey, routes: () => getRoutes(s.routes) });
    if (opts.only) targets = targets.filter((t) => t.name.includes(opts.only!));
    const split = casesPerTarget(targets, opts.cases, opts.only ? 0.5 : opts.serverShare);
    const reports: TargetReport[] = [];
    for (const t of targets) {
      const r = await runTarget(t, s, split.get(t.name)!, opts.seed);
      reports.push(r);
      process.stdout.write(
        `  ${t.name}: ${int(r.cases)} cases, ${int(r.accepted)} accepted, ${r.failures} failures, ${r.fiveXx} 5xx, ${(r.ms / 1000).toFixed(1)} s\n`,
      );
      for (const e of r.examples) process.stdout.write(`    ${e}\n`);
    }
    const alive = await healthy(s);
    const changed = changes(before, await snapshot(store.db));
    const total = (f: (r: TargetReport) => number) => reports.reduce((n, r) => n + f(r), 0);

    process.stdout.write(
      `\n${table(
        ['target', 'kind', 'cases', 'accepted', 'failures', '5xx', 'cases/s'],
        reports.map((r) => [
          r.name,
          r.kind,
          int(r.cases),
          int(r.accepted),
          String(r.failures),
          String(r.fiveXx),
          int(r.cases / Math.max(0.001, r.ms / 1000)),
        ]),
        new Set([2, 3, 4, 5, 6]),
      )}\n`,
    );
    process.stdout.write(
      [
        `cases:                ${int(total((r) => r.cases))} (${targets.length} targets) in ${((Date.now() - started) / 1000).toFixed(0)} s`,
        `failures:             ${total((r) => r.failures)}`,
        `5xx answers:          ${total((r) => r.fiveXx)}`,
        `crashes (uncaught):   ${uncaught.length}${uncaught.length ? `\n  ${uncaught.slice(0, 3).join('\n  ')}` : ''}`,
        `server still answers: ${alive ? 'yes' : 'NO'}`,
        `stored-data changes:  ${changed.length}${
          changed.length
            ? `\n  ${changed
                .slice(0, 5)
                .map((c) => `${c.table}: ${c.row.slice(0, 200)}`)
                .join('\n  ')}`
            : ''
        }`,
        `seed:                 ${opts.seed}   (repeat: npm run bench -- fuzz --cases ${opts.cases} --seed ${opts.seed}${opts.only ? ` --only ${opts.only}` : ''})`,
        '',
      ].join('\n'),
    );
    const bad = total((r) => r.failures) + total((r) => r.fiveXx) + uncaught.length + changed.length + (alive ? 0 : 1);
    return bad === 0 ? 0 : 1;
  } finally {
    await s.close();
    await store.close();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`store kept in ${dir}\n`);
  }
}
