// `POST /api/simulations` kind failure and `orrery simulate failure` against a real `orrery up`:
// the queueing world's traces (with users and accounts) sent as OTLP, its manifests imported and
// two open tickets written; api down fails /checkout and leaves /home alone, with the people who
// used /checkout and the tickets naming it or one of them; stored with its algorithm and window,
// shown as Markdown and listed; a service the window did not see or a mode that is none answers
// 400, and the CLI exits 2 with the reason.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import type { FailureSimulationResult, Simulation } from '../src/model/index.js';
import { runCli } from './helpers/cli.js';
import { BASE_WORLD, otlpJsonBatches, runWorld, worldManifests } from './helpers/sim-world.js';
import { freshDataDir } from './helpers/stores.js';

const END = new Date(BASE_WORLD.startMs + BASE_WORLD.durationMs).toISOString();

describe('failure simulations over HTTP and the CLI', () => {
  let server: ServerProcess;
  let dataDir: string;
  async function api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${server.apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed as Record<string, unknown>, text };
  }
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl], {}, 120_000);

  before(async () => {
    dataDir = await freshDataDir();
    // RED minutes (the people counts) are written every 200 ms rather than every 5 s.
    server = await ServerProcess.start({ dataDir, logDir: dataDir, env: { ORRERY_ANALYSIS_FLUSH_MS: '200' } });
    const run = runWorld(BASE_WORLD);
    // Each trace's root carries one of 12 users in 3 accounts.
    const who = (s: { traceId: string; parentId: string | null }) => {
      if (s.parentId !== null) return null;
      const n = Number.parseInt(s.traceId.slice(-8), 16) % 12;
      return { user: `u${n}`, account: `acct-${n % 3}` };
    };
    for (const body of otlpJsonBatches(run.spans, 2000, who)) {
      const res = await fetch(`${server.otlpUrl}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(res.status, 200, await res.text());
    }
    // Wait for the RED minutes: the services' figures stop changing once every batch is counted.
    const since = new Date(BASE_WORLD.startMs).toISOString();
    let last = '';
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const now = (await api('GET', `/api/services?since=${since}&until=${END}`)).text;
      if (now === last && now.includes('"web"')) break;
      last = now;
    }
    const infra = await api('POST', '/api/infra/import', { source: 'sim-world', files: worldManifests(BASE_WORLD) });
    assert.equal(infra.status, 200, JSON.stringify(infra.body));
    for (const t of [
      { id: 't-route', title: 'Checkout spins forever', body: 'POST /checkout never answers for me' },
      { id: 't-user', title: 'Cannot pay', body: 'nothing works', userId: 'u3' },
      { id: 't-home', title: 'Home page typo', body: 'a typo on /home' },
      { id: 't-closed', title: 'Old checkout bug', body: '/checkout broke', status: 'closed' },
    ]) {
      const res = await api('POST', '/api/tickets', t);
      assert.equal(res.status, 200, res.text);
    }
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let id = 0;
  it('api down: /checkout fails, /home is unaffected; with its people and the open tickets naming it; stored', async () => {
    const res = await api('POST', '/api/simulations', {
      kind: 'failure',
      service: 'api',
      mode: 'down',
      window: '10m',
      until: END,
    });
    assert.equal(res.status, 201, res.text);
    const run = res.body.simulation as Simulation;
    id = run.id;
    assert.equal(run.kind, 'failure');
    assert.equal(run.algorithm, 'sim-failure@1');
    assert.deepEqual(run.window, { since: new Date(BASE_WORLD.startMs).toISOString(), until: END });
    assert.deepEqual(run.request, { kind: 'failure', service: 'api', mode: 'down', windowMs: 600_000 });
    const r = run.result as FailureSimulationResult;
    assert.equal(r.kind, 'failure');
    const checkout = r.endpoints.find((e) => e.endpoint === '/checkout')!;
    const home = r.endpoints.find((e) => e.endpoint === '/home')!;
    assert.equal(checkout.outcome, 'failed');
    assert.ok(checkout.errorRate.value! > 0.95);
    assert.deepEqual(checkout.paths, ['web → api']);
    assert.equal(home.outcome, 'unaffected');
    assert.equal(home.errorRate.value, 0);
    // People: /checkout's users from the RED sketches; the most active from the spans.
    assert.ok(
      checkout.people?.users !== null && Math.abs(checkout.people!.users! - 12) <= 1,
      JSON.stringify(checkout.people),
    );
    assert.equal(r.people?.users, checkout.people?.users);
    assert.ok(r.people!.topUsers.length > 0 && /^u\d+$/.test(r.people!.topUsers[0]!.id));
    // Tickets: the open one naming /checkout and the one naming u3 (who used it); not /home's, not the closed one.
    const titles = r.tickets.map((t) => t.title).sort();
    assert.deepEqual(titles, ['Cannot pay', 'Checkout spins forever']);
    assert.match(r.tickets.find((t) => t.title === 'Cannot pay')!.why, /names user u3, who used web \/checkout/);
    assert.deepEqual(checkout.tickets.length, 2);
    assert.deepEqual(home.tickets, []);
  });

  it('shows it as Markdown and lists it', async () => {
    const md = await fetch(`${server.apiUrl}/api/simulations/${id}?format=markdown`);
    const text = await md.text();
    assert.equal(md.status, 200);
    assert.match(text, /^# Failure simulation: api down/);
    assert.match(text, /\| web \/checkout \| failed \|/);
    assert.match(text, /## Open tickets/);
    const list = await api('GET', '/api/simulations?kind=failure');
    assert.equal((list.body.simulations as Array<{ id: number }>)[0]?.id, id);
  });

  it('answers a service the window did not see, or a mode that is none, with 400 and the reason', async () => {
    for (const [body, reason] of [
      [
        { kind: 'failure', service: 'payments', mode: 'down', window: '10m', until: END },
        /no service "payments" in the calibration window; services: api, web/,
      ],
      [{ kind: 'failure', service: 'api', mode: 'sideways' }, /"sideways" is not a failure mode/],
      [{ kind: 'failure', service: 'api', mode: 'errors=300%' }, /at most 100%/],
      [{ kind: 'failure', mode: 'down' }, /service/],
      [{ kind: 'failure', service: 'api', mode: 'down', colour: 'red' }, /colour|Unrecognized/i],
    ] as const) {
      const res = await api('POST', '/api/simulations', body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.match(String(res.body.message), reason, JSON.stringify(body));
    }
  });

  it('orrery simulate failure prints Markdown or JSON; bad input exits 2', async () => {
    const r = await cli(
      'simulate',
      'failure',
      '--service',
      'api',
      '--mode',
      'slow=2s',
      '--window',
      '10m',
      '--until',
      END,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# Failure simulation: api slow=2s/);
    assert.match(r.stdout, /\| web \/checkout \| degraded \|/);
    const json = await cli(
      'simulate',
      'failure',
      '--service',
      'api',
      '--mode',
      'errors=30%',
      '--window',
      '10m',
      '--until',
      END,
      '--json',
    );
    assert.equal(json.code, 0, json.stderr);
    const run = JSON.parse(json.stdout) as Simulation;
    assert.equal(run.result.kind, 'failure');
    const list = await cli('simulate', 'list');
    assert.match(list.stdout, /failure api errors=30%/);
    for (const [args, reason] of [
      [['simulate', 'failure', '--service', 'api', '--mode', 'sideways'], /--mode: "sideways" is not a failure mode/],
      [['simulate', 'failure', '--mode', 'down'], /required option '--service <name>' not specified/],
      [
        ['simulate', 'failure', '--service', 'payments', '--mode', 'down', '--window', '10m', '--until', END],
        /the server answered 400: no service "payments" in the calibration window/,
      ],
    ] as const) {
      const res = await cli(...args);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, reason, args.join(' '));
    }
  });
});
