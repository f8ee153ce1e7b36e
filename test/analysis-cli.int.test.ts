// `orrery patterns`, `orrery errors` and `orrery services` against a running `orrery up`,
// whose store was seeded (before it started) with mined rows from the last hour: JSON and
// text tables, the show subcommands, the graph, and exit 2 for an unknown key or a bad time.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ServerProcess } from '../bench/lib/server-process.js';
import { openStore } from '../src/store/index.js';
import type { PatternList, ServiceGraph } from '../src/workflows/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { runCli } from './helpers/cli.js';
import { freshDataDir } from './helpers/stores.js';

/** The start of the minute `ago` minutes before now, ISO. */
const minute = (ago: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - ago * 60_000).toISOString();

describe('orrery patterns, errors and services', () => {
  let server: ServerProcess;
  let dataDir: string;
  const cli = (...args: string[]) => runCli([...args, '--server', server.apiUrl]);

  before(async () => {
    dataDir = await freshDataDir();
    const store = await openStore({ dataDir, retentionDays: 7 });
    await seedAnalysis(store.db, {
      log_pattern: [
        {
          service: 'cart',
          algorithm: 'patterns@3',
          pattern_key: 'k-timeout',
          template: 'payment timeout after <*> ms',
          level: 'ERROR',
          first_seen: minute(300),
          last_seen: minute(1),
          count: 40,
          slots: [{ index: 0, type: 'int' }],
          samples: [
            {
              time: minute(1),
              body: 'payment timeout after 3000 ms',
              traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
              spanId: '00f067aa0ba902b7',
            },
          ],
        },
        {
          service: 'cart',
          algorithm: 'patterns@3',
          pattern_key: 'k-new',
          template: 'cache warmed in <*> ms',
          level: 'INFO',
          first_seen: minute(2),
          last_seen: minute(2),
          count: 3,
        },
      ],
      pattern_minute: [
        { minute: minute(40), service: 'cart', pattern_key: 'k-timeout', count: 20, users: ['u1', 'u2'] },
        { minute: minute(40), service: 'cart', pattern_key: 'k-timeout', count: 10, users: ['u2', 'u3'] },
        { minute: minute(1), service: 'cart', pattern_key: 'k-timeout', count: 25 },
        { minute: minute(2), service: 'cart', pattern_key: 'k-new', count: 3 },
      ],
      error_group: [
        {
          service: 'cart',
          algorithm: 'errors@1',
          fingerprint: 'fp-gateway',
          type: 'GatewayTimeoutError',
          message: 'upstream timed out',
          frames: [
            {
              file: 'src/payments/gateway.ts',
              function: 'Gateway.charge',
              line: 88,
              column: 13,
              module: null,
              inApp: true,
            },
          ],
          first_seen: minute(50),
          first_release: '1.4.0',
          last_seen: minute(1),
          count: 12,
          runtime: 'v8',
        },
      ],
      error_minute: [{ minute: minute(30), service: 'cart', fingerprint: 'fp-gateway', count: 12, users: ['u1'] }],
      red_minute: [
        {
          minute: minute(10),
          service: 'cart',
          endpoint: 'GET /cart',
          requests: 60,
          errors: 6,
          latency: [[12, 60]],
          users: ['u1'],
        },
        { minute: minute(10), service: 'web', endpoint: 'GET /', requests: 30, errors: 0, latency: [[4, 30]] },
      ],
      edge_minute: [{ minute: minute(10), caller: 'web', callee: 'cart', calls: 30, errors: 3, latency: [[15, 30]] }],
    });
    await store.close();
    server = await ServerProcess.start({ dataDir, logDir: dataDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('orrery patterns --json lists the last hour, most lines first', async () => {
    const r = await cli('patterns', '--json');
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as PatternList;
    assert.deepEqual(
      res.patterns.map((p) => [p.key, p.count, p.users, p.trend]),
      [
        ['k-timeout', 55, 3, 'rising'],
        ['k-new', 3, null, 'new'],
      ],
    );
    assert.equal(res.window.buckets, 12);
  });

  it('orrery patterns prints a table with a sparkline and the trend', async () => {
    const r = await cli('patterns', '--level', 'error');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^key +service +level +lines +users +trend +series +template\n/);
    assert.match(r.stdout, /k-timeout +cart +ERROR +55 +3 +rising +[▁-█]{12} +payment timeout after <\*> ms/);
    assert.doesNotMatch(r.stdout, /k-new/);
    assert.match(r.stdout, /1 patterns in .*, 12 buckets of 5m\n$/);
  });

  it('orrery patterns show prints the template, slots and samples', async () => {
    const r = await cli('patterns', 'show', 'k-timeout', '--service', 'cart');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pattern k-timeout \(cart, patterns@3\)\ntemplate: payment timeout after <\*> ms\n/);
    assert.match(r.stdout, /55 lines, 3 users/);
    assert.match(r.stdout, /slots \(what each <\*> held, in order\): int\n/);
    assert.match(r.stdout, /4bf92f3577b34da6a3ce929d0e0e4736 +payment timeout after 3000 ms/);
    const missing = await cli('patterns', 'show', 'no-such-key');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /the server answered 404: no log pattern with key no-such-key/);
  });

  it('orrery errors prints a table with the type; errors show lists frames as file:function:line', async () => {
    const r = await cli('errors');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /fp-gateway +cart +GatewayTimeoutError +12 +1 +falling +[▁-█]{12} +1\.4\.0 +upstream timed out/,
    );
    const show = await cli('errors', 'show', 'fp-gateway');
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /GatewayTimeoutError: upstream timed out\nfirst seen: .* in release 1\.4\.0/);
    assert.match(show.stdout, /\* src\/payments\/gateway\.ts:Gateway\.charge:88/);
  });

  it('orrery services prints RED per service; --graph prints the edges', async () => {
    const r = await cli('services');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^service +req\/min +err % +p50 +p99 +users +trend +series\n/);
    assert.match(r.stdout, /cart +1 +10\.0% +12ms +12ms +1 /);
    const g = await cli('services', '--graph');
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stdout, /web → cart +30 +10\.0% +15ms +15ms/);
    assert.match(g.stdout, /1 edges between 2 services/);
    const json = JSON.parse((await cli('services', '--graph', '--json')).stdout) as ServiceGraph;
    assert.deepEqual(
      json.nodes.map((n) => n.service),
      ['cart', 'web'],
    );
  });

  it('a bad --since exits 2 with the reason', async () => {
    const r = await cli('services', '--since', 'last tuesday');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /since: "last tuesday" is not a time/);
  });
});
