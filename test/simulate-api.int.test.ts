// `POST /api/simulations`, `GET /api/simulations[/:id]` and `orrery simulate` against a real
// `orrery up` over HTTP: the queueing world's traces sent as OTLP, its manifests imported, a load
// simulation calibrated on them and checked against the world run at that load; stored, shown as
// JSON and Markdown, listed; bad input answered 400 (the CLI exits 2) with the reason, unknown ids
// 404, and a viewer token refused.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { Simulation, SimulationSummary } from '../src/model/index.js';
import { runCli } from './helpers/cli.js';
import {
  BASE_WORLD,
  otlpJsonBatches,
  otlpJsonGauges,
  quantile,
  runWorld,
  worldManifests,
} from './helpers/sim-world.js';
import { freshDataDir } from './helpers/stores.js';

const END = new Date(BASE_WORLD.startMs + BASE_WORLD.durationMs).toISOString();

describe('simulations over HTTP and the CLI', () => {
  let server: ServerProcess;
  let dataDir: string;
  before(async () => {
    dataDir = await freshDataDir();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
    const run = runWorld(BASE_WORLD);
    const gauges = await fetch(`${server.otlpUrl}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJsonGauges(BASE_WORLD, run),
    });
    assert.equal(gauges.status, 200, await gauges.text());
    for (const body of otlpJsonBatches(run.spans)) {
      const res = await fetch(`${server.otlpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 200, await res.text());
    }
    const infra = await api('POST', '/api/infra/import', { source: 'sim-world', files: worldManifests(BASE_WORLD) });
    assert.equal(infra.status, 200, JSON.stringify(infra.body));
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function api(method: string, path: string, body?: unknown, token?: string) {
    const res = await fetch(`${server.apiUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as Record<string, unknown>, text, type: res.headers.get('content-type') };
  }
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl], {}, 120_000);
  let id = 0;

  it('simulates 2× the load: stored with its algorithm and window, close to the world run at 2×', async () => {
    const res = await api('POST', '/api/simulations', { kind: 'load', factor: 2, window: '10m', until: END });
    assert.equal(res.status, 201, res.text);
    const run = res.body.simulation as Simulation;
    id = run.id;
    assert.equal(run.kind, 'load');
    assert.equal(run.algorithm, 'sim-load@2');
    assert.deepEqual(run.window, { since: new Date(BASE_WORLD.startMs).toISOString(), until: END });
    assert.deepEqual(run.request, { kind: 'load', factor: 2, endpoint: null, set: [], windowMs: 600_000 });
    assert.equal(run.result.kind, 'load');
    if (run.result.kind !== 'load') return;
    const checkout = run.result.endpoints.find((e) => e.endpoint === '/checkout')!;
    const real = runWorld({ ...BASE_WORLD, seed: 99, checkoutRate: 16, homeRate: 8 }).measured.get(
      '/checkout',
    )!.durations;
    const p95 = quantile(real, 0.95);
    assert.ok(
      Math.abs(checkout.predicted.p95.value! - p95) <= 0.25 * p95,
      `p95 ${checkout.predicted.p95.value} vs ${p95}`,
    );
    // The manifests were read: api's pool from its env, measured; and its CPU from the gauge.
    const pool = run.result.inputs.find((i) => i.name === 'api pool size per replica (DB_POOL_SIZE)');
    assert.deepEqual([pool?.value, pool?.validity], ['2', 'measured']);
    const cpu = run.result.inputs.find((i) => i.name === 'api CPU per visit');
    assert.equal(cpu?.validity, 'measured');
    assert.match(cpu?.source ?? '', /gauge container\.cpu\.usage/);
    assert.equal(run.result.bottleneck?.service, 'api');
  });

  it('shows a stored simulation as JSON and Markdown, lists them, and answers 404 for an unknown id', async () => {
    const shown = await api('GET', `/api/simulations/${id}`);
    assert.equal(shown.status, 200);
    assert.equal((shown.body.simulation as Simulation).id, id);
    const md = await api('GET', `/api/simulations/${id}?format=markdown`);
    assert.equal(md.status, 200);
    assert.match(md.type ?? '', /text\/markdown/);
    assert.match(md.text, /^# Load simulation: 2× the traffic/);
    assert.match(md.text, /## Validity: \d+ inputs measured, \d+ assumed/);
    assert.match(md.text, /\| web \/checkout \|/);
    const list = await api('GET', '/api/simulations?kind=load');
    const listed = (list.body.simulations as SimulationSummary[])[0];
    assert.equal(listed?.id, id);
    // The list's headline is the stored result's verdict.
    const stored = (shown.body.simulation as Simulation).result;
    if (stored.kind !== 'load') throw new Error('not a load simulation');
    assert.deepEqual(listed?.headline, {
      kind: 'load',
      bottleneck: {
        service: 'api',
        resource: stored.bottleneck!.resource,
        saturatesAt: stored.bottleneck!.saturatesAt.value,
      },
      knee: stored.knee.value,
      scannedTo: stored.scannedTo,
    });
    const missing = await api('GET', '/api/simulations/424242');
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.message), /no simulation with id 424242/);
  });

  it('a window that began before the first telemetry is calibrated from it: the rates are not diluted by the empty minutes', async () => {
    // The first test's run: 10 minutes, from the world's first span.
    const short = await api('GET', `/api/simulations/${id}`);
    const long = await api('POST', '/api/simulations', { kind: 'load', factor: 2, window: '30m', until: END });
    assert.equal(long.status, 201, long.text);
    const [a, b] = [short.body.simulation as Simulation, long.body.simulation as Simulation];
    assert.deepEqual(b.window, { since: new Date(BASE_WORLD.startMs).toISOString(), until: END });
    if (a.result.kind !== 'load' || b.result.kind !== 'load') throw new Error('not a load simulation');
    const rate = (r: typeof a.result, e: string) =>
      r.kind === 'load' ? r.endpoints.find((x) => x.endpoint === e)?.rate.baseline : undefined;
    assert.ok((rate(a.result, '/checkout') ?? 0) > 0);
    assert.equal(rate(b.result, '/checkout'), rate(a.result, '/checkout'));
    assert.ok(
      b.result.warnings.some((w) => /before Orrery's first telemetry/.test(w)),
      b.result.warnings.join('; '),
    );
    assert.ok(!a.result.warnings.some((w) => /first telemetry/.test(w)));
  });

  it('answers bad requests with 400 and the reason', async () => {
    for (const [body, reason] of [
      [{ kind: 'weather' }, /kind/],
      [{ kind: 'load' }, /factor/],
      [{ kind: 'load', factor: -1 }, /factor/],
      [{ kind: 'load', factor: 2, set: ['api.replicas'] }, /no "=".*service\.setting=value/],
      [
        { kind: 'load', factor: 2, set: ['payments.replicas=2'], until: END, window: '10m' },
        /no service "payments" in the calibration window/,
      ],
      [
        { kind: 'load', factor: 2, set: ['api.env.LOG_LEVEL=debug'], until: END, window: '10m' },
        /reads no setting from LOG_LEVEL/,
      ],
      [{ kind: 'load', factor: 2, window: '5 years' }, /not a length of time/],
      [{ kind: 'load', factor: 2, window: '30s' }, /between 1 minute and 24 hours/],
      [
        { kind: 'load', factor: 2, endpoint: '/nope', until: END, window: '10m' },
        /--endpoint "\/nope" is not an entry endpoint/,
      ],
      [{ kind: 'load', factor: 2, until: '2020-01-01T00:00:00Z' }, /no trace began between .* nothing to calibrate on/],
      [{ kind: 'load', factor: 2, colour: 'red' }, /colour|Unrecognized/i],
      [{ kind: 'change', range: 'a' }, /range must be <base>\.\.<head>/],
      [{ kind: 'change', range: 'a..b', deploy: 3 }, /give either range \(base\.\.head\) or deploy/],
    ] as const) {
      const res = await api('POST', '/api/simulations', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(String(res.body.message), reason, JSON.stringify(body));
    }
  });

  it('needs an operator token to run one; a viewer may read', async () => {
    const made = await api('POST', '/api/tokens', { name: 'sim-viewer', role: 'viewer' });
    assert.equal(made.status, 201, made.text);
    const token = String(made.body.token);
    const refused = await api('POST', '/api/simulations', { kind: 'load', factor: 2 }, token);
    assert.equal(refused.status, 403);
    assert.match(String(refused.body.message), /"operator" role/);
    assert.equal((await api('GET', `/api/simulations/${id}`, undefined, token)).status, 200);
  });

  it('orrery simulate load prints Markdown (or JSON) with intervals and validity; show and list', async () => {
    const r = await cli(
      'simulate',
      'load',
      '--factor',
      '1.5',
      '--window',
      '10m',
      '--until',
      END,
      '--set',
      'api.replicas=2',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Load simulation: 1\.5× the traffic/);
    assert.match(r.stdout, /- api replicas: 1 → 2 \(`--set api\.replicas=2`\)/);
    assert.match(r.stdout, /10th–90th percentile over 30 bootstrap replicates/);
    assert.match(r.stdout, /\| api CPU per visit \| \d+ ms \| measured \| gauge container\.cpu\.usage/);
    assert.match(r.stdout, /\| api workers per replica \| 1 \| assumed \|/);
    const shownId = Number(/simulation (\d+) \(orrery simulate show/.exec(r.stdout)![1]);
    const json = await cli('simulate', 'show', String(shownId), '--format', 'json');
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual((JSON.parse(json.stdout) as Simulation).request, {
      kind: 'load',
      factor: 1.5,
      endpoint: null,
      set: ['api.replicas=2'],
      windowMs: 600_000,
    });
    const list = await cli('simulate', 'list');
    assert.match(list.stdout, new RegExp(`${shownId}\\s+\\S+\\s+load 1\\.5× --set api\\.replicas=2`));
  });

  it('exits 2 on usage errors, with the reason', async () => {
    for (const [args, reason] of [
      [['simulate', 'load'], /required option '--factor <x>' not specified/],
      [['simulate', 'load', '--factor', 'lots'], /--factor must be a number above 0/],
      [['simulate', 'load', '--factor', '2', '--set', 'api.replicas'], /--set: --set "api\.replicas": no "="/],
      [
        ['simulate', 'load', '--factor', '2', '--window', 'forever'],
        /--window: the window "forever" is not a length of time/,
      ],
      [['simulate', 'load', '--factor', '2', '--format', 'xml'], /--format.*xml.*is invalid/],
      [
        ['simulate', 'load', '--factor', '2', '--until', END, '--window', '10m', '--set', 'payments.replicas=2'],
        /the server answered 400: --set "payments\.replicas=2": no service "payments"/,
      ],
      [['simulate', 'show', 'abc'], /simulation id "abc" must be a positive number/],
      [['simulate', 'show', '424242'], /no simulation with id 424242/],
    ] as const) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, reason, args.join(' '));
    }
  });
});
