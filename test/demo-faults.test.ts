// The demo's injected faults, without the shop: the proxy's network delay (each direction,
// on open keep-alive connections too, lifted again) and the fault agent's CPU work in a
// process's request path, switched on and off over IPC.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FAULT_AGENT } from '../src/demo/fault-agent.js';
import { ServiceProxy } from '../src/demo/proxy.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function timedGet(url: string): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ ms: performance.now() - t0, body }));
      })
      .on('error', reject);
  });
}

async function median(url: string, n = 5): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await timedGet(url)).ms);
  return ms.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

describe('demo faults', () => {
  let server: http.Server;
  let proxy: ServiceProxy;

  before(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    proxy = await ServiceProxy.listen('echo');
    proxy.setBackends([(server.address() as AddressInfo).port]);
  });

  after(async () => {
    agent.destroy();
    await proxy.close();
    await new Promise((r) => server.close(r));
  });

  it('delays each direction of a connection, open ones included, until the delay is lifted', async () => {
    const url = `${proxy.url}/`;
    const before = await median(url);
    proxy.setDelay(60);
    // The keep-alive socket opened before the fault carries it too: two directions, ≥ 120 ms.
    const during = await median(url);
    assert.ok(during >= 115, `round trip ${during.toFixed(0)} ms with 60 ms each way`);
    assert.equal((await timedGet(url)).body, 'ok');
    proxy.setDelay(0);
    const afterwards = await median(url);
    assert.ok(
      afterwards < before + 40,
      `round trip ${afterwards.toFixed(0)} ms after the delay, ${before.toFixed(0)} before`,
    );
  });

  it("adds CPU work to a process's requests while the fault agent is told to, and not to /healthz", async () => {
    const script = `
      import http from 'node:http';
      const s = http.createServer((req, res) => res.end(req.url));
      s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }));
      process.on('message', (m) => { if (m === 'exit') process.exit(0); });
    `;
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', FAULT_AGENT, '--input-type=module', '-e', script],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    try {
      const port = await new Promise<number>((resolve) =>
        child.once('message', (m) => resolve((m as { port: number }).port)),
      );
      const url = `http://127.0.0.1:${port}`;
      const base = await median(`${url}/a`);
      child.send({ fault: 'cpu', ms: 80 });
      await new Promise((r) => setTimeout(r, 100));
      const busy = await median(`${url}/a`);
      assert.ok(busy >= 75, `request took ${busy.toFixed(0)} ms with 80 ms of CPU work (${base.toFixed(0)} before)`);
      assert.ok((await median(`${url}/healthz`)) < 60, '/healthz is spared');
      child.send({ fault: 'cpu', ms: 0 });
      await new Promise((r) => setTimeout(r, 100));
      assert.ok((await median(`${url}/a`)) < base + 40, 'the fault is lifted');
    } finally {
      child.send('exit');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
