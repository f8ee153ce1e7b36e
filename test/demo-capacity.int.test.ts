// The example world's capacity controls and failure faults on real processes: the CPU
// governor holds a busy process to its limit and lets it go again, the autoscaler starts
// replicas when the measured CPU is over its target, and the balancer can be down (every
// connection reset, open ones too) or slow (answers held back).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Autoscaler } from '../src/demo/autoscaler.js';
import { CpuGovernor, ServiceProxy, processCpuMs } from '../src/demo/index.js';
import type { Manifest } from '../src/demo/manifest.js';
import type { Replica, Running } from '../src/demo/workload.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const busy = (): ChildProcess => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const idle = (): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const kill = async (c: ChildProcess) => {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
};
/** The process state letter from /proc (R running, S sleeping, T stopped). */
const state = (pid: number) => {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3);
};

async function cpuOver(pid: number, ms: number): Promise<number> {
  const c0 = processCpuMs(pid)!;
  const t0 = Date.now();
  await sleep(ms);
  return ((processCpuMs(pid)! - c0) / (Date.now() - t0)) * 1000;
}

describe('the CPU governor', () => {
  it('holds a busy process to its limit, counts the throttled periods, and lets it go', async () => {
    const gov = CpuGovernor.start();
    assert.ok(gov, 'this Linux host has /proc schedstat');
    const child = busy();
    try {
      await sleep(300);
      gov.limit(child.pid!, 200);
      await sleep(500);
      const used = await cpuOver(child.pid!, 3000);
      assert.ok(used <= 250, `limited to 200m, it used ${used.toFixed(0)}m`);
      assert.ok(used >= 100, `it still runs its share: ${used.toFixed(0)}m`);
      const [stats] = await gov.stats();
      assert.equal(stats?.pid, child.pid);
      assert.ok(
        stats!.throttledPeriods > 0.8 * stats!.periods,
        `throttled ${stats!.throttledPeriods}/${stats!.periods}`,
      );
      // Stopping the governor continues every process it stopped.
      await gov.stop();
      await sleep(50);
      assert.notEqual(state(child.pid!), 'T', 'the process is not left stopped');
      const free = await cpuOver(child.pid!, 1500);
      assert.ok(free > used, `without the limit it used ${free.toFixed(0)}m, limited ${used.toFixed(0)}m`);
    } finally {
      await kill(child);
      await gov?.stop();
    }
  });
});

describe('the autoscaler', () => {
  it('adds replicas when their CPU is over the target, up to max, and routes to them', async () => {
    const manifest: Manifest = {
      replicas: 1,
      env: {},
      cpuRequestM: 100,
      cpuLimitM: null,
      hpa: { min: 1, max: 3, targetPercent: 50, scaleDownStabilizationS: 300 },
    };
    const first: Replica = { child: busy(), port: 1001 };
    const running: Running = {
      service: 'catalog',
      tag: 't',
      version: '1',
      sha: 'x',
      manifest,
      tree: '/nowhere',
      replicas: [first],
      liveAt: new Date(),
    };
    const started: ChildProcess[] = [];
    const routes: number[][] = [];
    const events: string[] = [];
    let port = 2000;
    const scaler = new Autoscaler(
      {
        running: () => running,
        startReplica: async () => {
          const child = idle();
          started.push(child);
          return { child, port: ++port };
        },
        routeTo: (_s, ports) => routes.push(ports),
        retire: (rs) => {
          for (const r of rs) void kill(r.child);
        },
        adopt: () => {},
      },
      (line) => events.push(line),
      400,
    );
    try {
      scaler.track(running);
      for (let i = 0; i < 30 && running.replicas.length < 3; i++) await sleep(200);
      assert.equal(running.replicas.length, 3, events.join('; '));
      assert.deepEqual(routes.at(-1), [1001, 2001, 2002]);
      assert.match(events[0]!, /^autoscaler: catalog 1 → 3 replicas \(CPU \d+% of request, target 50%\)$/);
    } finally {
      scaler.stop();
      await Promise.all([first.child, ...started].map(kill));
    }
  });
});

describe('the balancer as a failure fault', () => {
  let server: http.Server;
  let proxy: ServiceProxy;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (): Promise<{ ok: boolean; ms: number }> => {
    const t0 = performance.now();
    return new Promise((resolve) => {
      http
        .get(`${proxy.url}/`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ ok: res.statusCode === 200, ms: performance.now() - t0 }));
        })
        .on('error', () => resolve({ ok: false, ms: performance.now() - t0 }));
    });
  };

  before(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = await ServiceProxy.listen('svc');
    proxy.setBackends([(server.address() as AddressInfo).port]);
  });
  after(async () => {
    agent.destroy();
    await proxy.close();
    await new Promise((r) => server.close(r));
  });

  it('down: the open keep-alive connection is cut and new ones are refused; up again serves', async () => {
    assert.equal((await get()).ok, true);
    proxy.setDown(true);
    assert.equal((await get()).ok, false);
    assert.equal((await get()).ok, false);
    proxy.setDown(false);
    assert.equal((await get()).ok, true);
  });

  it('slow: every answer is held back, on the open connection too, until lifted', async () => {
    const before = await get();
    proxy.setResponseDelay(400);
    const slow = await get();
    assert.ok(slow.ok && slow.ms >= 390, `answered in ${slow.ms.toFixed(0)} ms with 400 ms held back`);
    proxy.setResponseDelay(0);
    const fast = await get();
    assert.ok(fast.ms < before.ms + 150, `${fast.ms.toFixed(0)} ms after, ${before.ms.toFixed(0)} ms before`);
  });
});
