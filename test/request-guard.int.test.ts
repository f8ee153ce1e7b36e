// The probe of issue 16 item 4, in Debian's Chromium (playwright-core): a page served from
// another loopback port tries to create a ticket (POST /api/tickets, /api/tickets/import with
// text/plain), deliver a Linear webhook, create a token and send telemetry, with no-cors
// fetches and a form post, against an `orrery up`-like server (loopback, no token needed).
// Nothing may be created. A page on Orrery's own origin still writes, and a rebound name
// (attacker.test resolving to 127.0.0.1) gets 421.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import { loadConfig } from '../src/config/index.js';
import { type RunningOrrery, startOrrery } from '../src/server/index.js';
import { findWebRoot } from '../src/server/web-routes.js';
import { freshDataDir } from './helpers/stores.js';

const CHROMIUM = process.env.ORRERY_CHROMIUM ?? '/usr/bin/chromium';
const TICKET = JSON.stringify({ id: 'X-1', title: 'made by another page' });
const CSV = 'id,title\nX-2,imported by another page\n';
const LINEAR = JSON.stringify({
  action: 'create',
  type: 'Issue',
  data: { id: 'lin-1', identifier: 'ENG-1', title: 'from another page', createdAt: '2026-01-01T00:00:00Z' },
});
const LOGS = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'from-a-page' } }] },
      scopeLogs: [{ logRecords: [{ body: { stringValue: 'hello' } }] }],
    },
  ],
});

/** The attacker's page: no-cors fetches with the bodies a browser sends without a preflight. */
function attackPage(api: string, otlp: string): string {
  const attempts = [
    [`${api}/api/tickets`, 'text/plain', TICKET],
    [`${api}/api/tickets/import?format=generic-csv`, 'text/plain', CSV],
    [`${api}/webhooks/linear`, 'text/plain', LINEAR],
    [`${api}/api/tokens`, 'text/plain', JSON.stringify({ name: 'evil', role: 'admin' })],
    [`${otlp}/v1/logs`, 'text/plain', LOGS],
    [`${api}/v1/logs`, 'text/plain', LOGS],
  ];
  return `<!doctype html><html><body>
<form id="f" method="POST" enctype="text/plain" action="${api}/api/tickets/import?format=generic-csv" target="sink">
  <input name="id,title&#10;X-3,posted by a form&#10;x" value="">
</form>
<iframe name="sink"></iframe>
<script>
  window.attempts = ${JSON.stringify(attempts)};
  window.run = async () => {
    const out = [];
    for (const [url, type, body] of window.attempts) {
      try {
        await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': type }, body });
        out.push('sent');
      } catch (e) {
        out.push(String(e));
      }
    }
    // A CORS request with JSON needs a preflight, which CORS-off Orrery does not answer.
    try {
      await fetch('${api}/api/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(TICKET)} });
      out.push('cors: read');
    } catch (e) {
      out.push('cors: ' + String(e));
    }
    return out;
  };
</script></body></html>`;
}

describe('request guard in Chromium: another loopback page cannot write', () => {
  let dir: string;
  let orrery: RunningOrrery;
  let attacker: Server;
  let attackerUrl: string;
  let browser: Browser;
  let page: Page;
  let api: string;
  let apiPort: number;

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or set ORRERY_CHROMIUM`,
    );
    dir = await freshDataDir();
    const config = loadConfig(
      {},
      { dataDir: dir, port: 0, otlpPort: 0, otlpGrpcPort: 0, logLevel: 'silent', analysis: 'off' },
    );
    orrery = await startOrrery(config, { allowAnonymousLoopback: true, version: 'test' });
    api = orrery.addresses.api;
    apiPort = Number(new URL(api).port);
    const html = attackPage(api, orrery.addresses.otlp);
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A rebound name: attacker.test resolves to this machine, as after DNS rebinding.
        '--host-resolver-rules=MAP attacker.test 127.0.0.1',
      ],
    });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await orrery?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every write from a page on another loopback port, and stores nothing', async () => {
    const statuses: Array<{ url: string; status: number }> = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST') statuses.push({ url: r.url(), status: r.status() });
    });
    await page.goto(attackerUrl);
    const outcome = (await page.evaluate('window.run()')) as string[];
    assert.equal(outcome.at(-1)!.startsWith('cors: TypeError'), true, `the CORS request was readable: ${outcome}`);
    await page.evaluate(`document.getElementById('f').submit()`);
    await page.waitForTimeout(500);

    // Each attempt reached Orrery and was refused there (not merely blocked by the browser).
    for (const path of ['/api/tickets', '/api/tickets/import', '/webhooks/linear', '/api/tokens', '/v1/logs']) {
      const seen = statuses.filter((s) => new URL(s.url).pathname === path);
      assert.ok(seen.length > 0, `no POST to ${path} reached the network: ${JSON.stringify(statuses)}`);
      for (const s of seen) assert.ok([403, 415].includes(s.status), `${s.url} answered ${s.status}`);
    }
    const status = await orrery.ctx.store.status();
    assert.equal(status.entities.ticket, 0, 'no ticket was created');
    assert.equal(status.raw.log_record.count, 0, 'no telemetry was stored');
    assert.deepEqual(await orrery.ctx.store.listTokens(), [], 'no token was created');
  });

  it("lets a page on Orrery's own origin (the web UI) write", async () => {
    await page.goto(findWebRoot() ? `${api}/` : `${api}/healthz`);
    const res = (await page.evaluate(`(async () => {
      const t = await fetch('/api/tickets', { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(TICKET)} });
      const k = await fetch('/api/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'from-ui' }) });
      return [t.status, k.status, (await k.json()).record.role];
    })()`)) as [number, number, string];
    assert.deepEqual(res, [200, 201, 'viewer']);
    assert.equal((await orrery.ctx.store.status()).entities.ticket, 1);
  });

  it('answers a rebound name with 421, so a page under it cannot read the API', async () => {
    const res = await page.goto(`http://attacker.test:${apiPort}/api/tokens`);
    assert.equal(res?.status(), 421);
    assert.match((await res?.text()) ?? '', /does not answer to the host name \\"attacker\.test\\"/);
  });
});
