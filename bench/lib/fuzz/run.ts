// Seeding the store before a fuzz, and running targets case by case with counts (the bench's
// long run: a failure is counted and the run goes on, where a test stops at the first one and
// shrinks it). Cases come from fast-check's generators with a seed per target and chunk, so a
// run is reproduced by its seed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '../paths.js';
import { type FuzzServer, healthy } from './harness.js';
import { SENTRY_PROJECT, type Target } from './targets.js';

/** The service the seeded telemetry belongs to; no generator produces this name. */
export const SEEDED_SERVICE = 'seeded-checkout-7f3a';

function otlpJsonSeed(signal: 'traces' | 'logs' | 'metrics'): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: SEEDED_SERVICE } }] };
  if (signal === 'traces')
    return JSON.stringify({
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              spans: [1, 2, 3].map((i) => ({
                traceId: `0af7651916cd43dd8448eb211c8031${i}c`,
                spanId: `b7ad6b716920333${i}`,
                name: `GET /seeded/${i}`,
                kind: 2,
                startTimeUnixNano: String(now - 10_000_000n),
                endTimeUnixNano: String(now),
                attributes: [{ key: 'http.route', value: { stringValue: `/seeded/${i}` } }],
              })),
            },
          ],
        },
      ],
    });
  if (signal === 'logs')
    return JSON.stringify({
      resourceLogs: [
        {
          resource,
          scopeLogs: [
            {
              logRecords: [1, 2, 3].map((i) => ({
                timeUnixNano: String(now),
                severityText: 'INFO',
                body: { stringValue: `seeded line ${i}` },
              })),
            },
          ],
        },
      ],
    });
  return JSON.stringify({
    resourceMetrics: [
      {
        resource,
        scopeMetrics: [
          {
            metrics: [{ name: 'seeded.gauge', gauge: { dataPoints: [{ timeUnixNano: String(now), asDouble: 4.5 }] } }],
          },
        ],
      },
    ],
  });
}

/** A little of each kind of data, stored through the server; returns the Sentry project's key. */
export async function seedStore(s: FuzzServer): Promise<{ sentryKey: string }> {
  const ok = (what: string, r: { status: number; body: string }) => {
    if (r.status >= 300) throw new Error(`seeding ${what} failed: ${r.status} ${r.body}`);
  };
  for (const signal of ['traces', 'logs', 'metrics'] as const)
    ok(signal, await s.otlp('POST', `/v1/${signal}`, otlpJsonSeed(signal), { 'content-type': 'application/json' }));
  const json = { 'content-type': 'application/json' };
  ok(
    'ticket',
    await s.api(
      'POST',
      '/api/tickets',
      JSON.stringify({ id: 'seeded-7f3a', title: 'Seeded ticket', body: 'seeded' }),
      json,
    ),
  );
  ok(
    'deploy',
    await s.api('POST', '/api/deploys', JSON.stringify({ service: SEEDED_SERVICE, version: '1.0.0' }), json),
  );
  const manifests = readFileSync(join(REPO_ROOT, 'test/fixtures/infra/k8s/shop.yaml'), 'utf8');
  ok(
    'infra',
    await s.api(
      'POST',
      '/api/infra/import',
      JSON.stringify({ source: 'seeded-infra-7f3a', files: [{ path: 'shop.yaml', content: manifests }] }),
      json,
    ),
  );
  const { key } = await s.store.createSentryProject(SENTRY_PROJECT);
  await s.flushAnalysis();
  return { sentryKey: key };
}

export interface TargetReport {
  name: string;
  kind: 'pure' | 'server';
  cases: number;
  accepted: number;
  /** Failures: a pure decoder threw something but its typed error, or a route answered wrong. */
  failures: number;
  fiveXx: number;
  /** The first few failures, each with its input. */
  examples: string[];
  ms: number;
}

/** Splits `total` cases over the targets by weight (rounded up: at least `total` in all), pure and server kinds each taking `serverShare` of it or the rest. */
export function casesPerTarget(targets: readonly Target[], total: number, serverShare: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of ['pure', 'server'] as const) {
    const of = targets.filter((t) => t.kind === kind);
    const budget = Math.round(total * (kind === 'server' ? serverShare : 1 - serverShare));
    const w = of.reduce((n, t) => n + t.weight, 0);
    for (const t of of) out.set(t.name, Math.max(1, Math.ceil((budget * t.weight) / w)));
  }
  return out;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Runs `cases` of one target in chunks, counting rather than stopping; checks the server still answers after. */
export async function runTarget(t: Target, s: FuzzServer, cases: number, seed: number): Promise<TargetReport> {
  const started = Date.now();
  const r: TargetReport = {
    name: t.name,
    kind: t.kind,
    cases: 0,
    accepted: 0,
    failures: 0,
    fiveXx: 0,
    examples: [],
    ms: 0,
  };
  const CHUNK = 200;
  for (let chunk = 0; r.cases < cases; chunk++) {
    const n = Math.min(CHUNK, cases - r.cases);
    let inputs: unknown[];
    try {
      inputs = fc.sample(t.arbitrary, { seed: (seed + hash(t.name) + chunk) | 0, numRuns: n });
    } catch (err) {
      // A generator's own bug: counted, and the run goes on with the next chunk.
      r.cases += n;
      r.failures++;
      if (r.examples.length < 3) r.examples.push(`the generator failed: ${(err as Error)?.stack ?? String(err)}`);
      continue;
    }
    for (const input of inputs) {
      r.cases++;
      let why: string | undefined;
      try {
        const o = await t.run(input, s);
        if (o.accepted) r.accepted++;
        if (o.status !== undefined && o.status >= 500) r.fiveXx++;
        why = o.fail;
      } catch (err) {
        why = `threw ${(err as Error)?.stack ?? String(err)}`;
      }
      if (why !== undefined) {
        r.failures++;
        if (r.examples.length < 3) r.examples.push(`${why.slice(0, 800)}\n    input: ${t.show(input)}`);
      }
    }
  }
  if (t.kind === 'server') {
    const before = s.analysisErrors.length;
    await s.flushAnalysis();
    for (const e of s.analysisErrors.slice(before)) {
      r.failures++;
      if (r.examples.length < 6) r.examples.push(`streaming analysis failed: ${e.slice(0, 800)}`);
    }
    if (!(await healthy(s))) {
      r.failures++;
      r.examples.push('the server stopped answering /healthz');
    }
  }
  r.ms = Date.now() - started;
  return r;
}
