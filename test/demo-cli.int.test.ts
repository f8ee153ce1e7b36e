// `orrery demo`'s refusals (each caught before anything starts, with its exit code and a
// message that says what to do), and no process left behind when the demo is killed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { fileURLToPath } from 'node:url';
import { freshDataDir } from './helpers/stores.js';
import { freePort } from '../bench/lib/server-process.js';

describe('orrery demo: refusals, and no orphans', () => {
  let dir: string;
  before(async () => {
    dir = await freshDataDir();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an unknown scenario exits 2 and lists the scenarios', async () => {
    const r = await runCli(['demo', '--scenario', 'meltdown', '--dir', join(dir, 'a')]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /unknown scenario "meltdown"; choose one of: all, cart-badge, slow-dependency, inventory-timeout, capacity/,
    );
  });

  it('a bad duration or seed exits 2', async () => {
    const d = await runCli(['demo', '--duration', '5', '--dir', join(dir, 'a')]);
    assert.equal(d.code, 2);
    assert.match(d.stderr, /--duration must be between 20s and 60m/);
    const s = await runCli(['demo', '--seed', '-1', '--dir', join(dir, 'a')]);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--seed must be a whole number/);
  });

  it('an unknown --set service, setting or env name exits 2 and says what exists, before anything starts', async () => {
    const svc = await runCli(['demo', '--dir', join(dir, 'c'), '--set', 'shop.replicas=2']);
    assert.equal(svc.code, 2);
    assert.match(
      svc.stderr,
      /--set shop\.replicas=2: unknown service "shop"; the shop has web, cart, catalog, payments/,
    );
    const setting = await runCli([
      'demo',
      '--dir',
      join(dir, 'c'),
      '--set',
      'catalog.replicas=3',
      '--set',
      'catalog.pool=2',
    ]);
    assert.equal(setting.code, 2);
    assert.match(
      setting.stderr,
      /unknown setting "pool" for catalog; use replicas, cpu, hpa\.min, hpa\.max or env\.<NAME>/,
    );
    const env = await runCli(['demo', '--dir', join(dir, 'c'), '--set', 'catalog.env.POOL=2']);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /catalog's manifest declares no env POOL \(it declares .*DB_POOL_SIZE/);
    assert.equal(existsSync(join(dir, 'c')), false, 'nothing was created');
  });

  it('will not wipe a folder that is not a demo folder', async () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    const r = await runCli(['demo', '--dir', mine]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a demo folder/);
    assert.deepEqual(readdirSync(mine), ['notes.txt']);
  });

  it('a taken port is named before anything starts', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { port } = srv.address() as net.AddressInfo;
    try {
      const r = await runCli(['demo', '--dir', join(dir, 'b'), '--port', String(port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`port ${port} is in use .*pass --port`));
    } finally {
      srv.close();
    }
  });

  it('leaves nothing running when the demo process is killed outright', async () => {
    const demoDir = join(dir, 'killed');
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'demo',
        '--dir',
        demoDir,
        '--port',
        String(await freePort()),
        '--otlp-port',
        String(await freePort()),
        '--otlp-grpc-port',
        String(await freePort()),
        '--duration',
        '60s',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the shop never started:\n${out}`)), 150_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('started the shop')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    const survivors = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(demoDir);
          } catch {
            return false;
          }
        });
    const deadline = Date.now() + 30_000;
    while (survivors().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(survivors(), [], 'Orrery and the shop stop themselves once the demo is gone');
  });
});
