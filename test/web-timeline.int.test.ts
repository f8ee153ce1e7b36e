// The investigation page's timeline in Debian's Chromium (playwright-core): eight deploys within
// two minutes of each other get their labels in lanes that never overlap, those that fit no lane
// counted, and every deploy is still listed in the caption, each with its verification verdict.
// Needs the built UI (npm run build).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/config/index.js';
import { type RunningOrrery, startOrrery } from '../src/server/index.js';
import { assertBrowserReady, launchChromium } from './helpers/browser.js';
import { freshDataDir } from './helpers/stores.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'web-timeline');
/** One service's eight deploys, as a busy service's timeline shows them. */
const SERVICES = ['web'];

interface Box {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

describe('the investigation timeline in Chromium', () => {
  let dir: string;
  let orrery: RunningOrrery;
  let browser: Browser;
  let page: Page;
  let id: number;
  let regressedId: number;

  before(async () => {
    assertBrowserReady();
    dir = await freshDataDir();
    const config = loadConfig(
      {},
      { dataDir: dir, port: 0, otlpPort: 0, otlpGrpcPort: 0, logLevel: 'silent', analysis: 'off' },
    );
    orrery = await startOrrery(config, { allowAnonymousLoopback: true, version: 'test' });
    const api = orrery.addresses.api;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const now = Date.now();
    for (let i = 0; i < 8; i++)
      await post('/api/deploys', {
        service: SERVICES[i % SERVICES.length],
        version: `3.${i}.0`,
        at: new Date(now - 6 * 60_000 + i * 15_000).toISOString(),
      });
    // One of them decided regressed (as the verification loop stores it): its label and caption say so.
    const listed = (await (await fetch(`${api}/api/deploys?limit=20`)).json()) as {
      deploys: Array<{ id: number; version: string }>;
    };
    regressedId = listed.deploys.find((d) => d.version === '3.2.0')!.id;
    await orrery.ctx.store.db.query(
      `UPDATE deploy SET verdict = 'regressed', verified_at = now(), verification = $2::jsonb WHERE id = $1`,
      [regressedId, JSON.stringify({ algorithm: 'deploy-verify@1', decidedAt: new Date(now).toISOString() })],
    );
    const run = (await post('/api/investigations', {
      subject: { kind: 'alert', service: 'web', since: new Date(now - 5 * 60_000).toISOString() },
    })) as { investigation: { id: number } };
    id = run.investigation.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    await orrery?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lays eight close deploy labels out in lanes without overlap, counting those left out', async () => {
    await page.goto(`${orrery.addresses.api}/investigations/${id}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    try {
      await page.locator('.timeline-marker-label').first().waitFor({ timeout: 60_000 });
    } catch (e) {
      await page.screenshot({ path: join(ARTIFACTS, 'no-labels.png'), fullPage: true });
      throw e;
    }
    await page.locator('figure.timeline').screenshot({ path: join(ARTIFACTS, 'deploy-lanes.png') });
    const boxes: Box[] = [];
    for (const label of await page.locator('.timeline-marker-label').all()) {
      const b = await label.boundingBox();
      assert.ok(b);
      boxes.push({ text: (await label.textContent()) ?? '', ...b });
    }
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i]!, boxes[j]!];
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `"${a.text}" and "${b.text}" overlap: ${JSON.stringify([a, b])}`);
      }
    assert.ok(new Set(boxes.map((b) => b.y)).size > 1, 'the labels take more than one lane');
    const more = await page
      .locator('.timeline-elided')
      .textContent()
      .catch(() => null);
    const elided = more ? Number(/\+(\d+)/.exec(more)?.[1]) : 0;
    assert.equal(boxes.length + elided, 8, `drawn ${boxes.length}, counted ${more ?? 'none'}`);
    const caption = (await page.locator('figure.timeline figcaption').textContent()) ?? '';
    for (let i = 0; i < 8; i++) assert.match(caption, new RegExp(`${SERVICES[i % SERVICES.length]} 3\\.${i}\\.0`));
  });

  it("shows each deploy's verification verdict: in its label, and as a tag in the caption that the API agrees with", async () => {
    const tags = page.locator('figure.timeline figcaption a.tag.verdict');
    await page.waitForFunction(`document.querySelectorAll('figure.timeline figcaption a.tag.verdict').length === 8`);
    for (const tag of await tags.all()) {
      const label = (await tag.getAttribute('aria-label')) ?? '';
      const m = /^verification: (\w+).*\(deploy (\d+)\)$/.exec(label);
      assert.ok(m, label);
      const api = (await (await fetch(`${orrery.addresses.api}/api/deploys/${m[2]}/verification`)).json()) as {
        verdict: string;
      };
      assert.equal(m[1], Number(m[2]) === regressedId ? 'regressed' : api.verdict, label);
      assert.equal(await tag.getAttribute('href'), `/deploys/${m[2]}#verification`);
    }
    const drawn = await page.locator('.timeline-marker-label', { hasText: 'web 3.2.0' }).allTextContents();
    for (const text of drawn) assert.match(text, /✗ regressed$/);
  });
});
