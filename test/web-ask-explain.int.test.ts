// The Ask box and the Explain panel in Debian's Chromium (playwright-core), on the example
// shop's history indexed through the real sync path and shop-shaped traffic from the real
// OpenTelemetry SDK (web → cart, cart's internal spans and log lines): a question typed in the
// header's Ask box is answered step by step and a `file:line` citation opens the code view at
// that line; the code view's Explain panel shows the routes and callers the API answers; an
// unknown target shows the nearest names, each explaining on a click, and an ambiguous one its
// candidates; a question nothing answers says so with the first gap, and a refused one shows the
// server's message. Needs the built UI (npm run build). Screenshots go to test-artifacts/web-ask/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../src/config/index.js';
import { buildShopRepo } from '../src/demo/repo-builder.js';
import type { AskResult, ExplainResult } from '../src/model/index.js';
import { type RunningOrrery, startOrrery } from '../src/server/index.js';
import { addRepository, syncRepository } from '../src/workflows/index.js';
import { assertBrowserReady, launchChromium, lowContrast } from './helpers/browser.js';
import { HISTORY, SHOP_NOW } from './helpers/review-world.js';
import { sendShopTraffic } from './helpers/shop-traffic.js';
import { freshDataDir } from './helpers/stores.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'web-ask');
const SUMMARY = 'services/cart/src/cart-summary.js';

describe('the Ask box and the Explain panel in Chromium', () => {
  let dir: string;
  let repoDir: string;
  let orrery: RunningOrrery;
  let browser: Browser;
  let page: Page;
  let api: string;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const explainApi = async (target: string): Promise<ExplainResult> => {
    const res = await fetch(`${api}/api/explain?target=${encodeURIComponent(target)}`);
    assert.equal(res.status, 200, `explain ${target}`);
    return ((await res.json()) as { explain: ExplainResult }).explain;
  };

  before(async () => {
    assertBrowserReady();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = await freshDataDir();
    const config = loadConfig(
      {},
      { dataDir: dir, port: 0, otlpPort: 0, otlpGrpcPort: 0, logLevel: 'silent', analysis: 'off' },
    );
    orrery = await startOrrery(config, { allowAnonymousLoopback: true, version: 'test' });
    api = orrery.addresses.api;
    repoDir = mkdtempSync(join(tmpdir(), 'orrery-web-ask-'));
    const shop = (await buildShopRepo(HISTORY, join(repoDir, 'shop'), { now: SHOP_NOW })).dir;
    const { repository } = await addRepository(orrery.ctx, { path: shop });
    await syncRepository(orrery.ctx, repository.name);
    await sendShopTraffic(orrery.ctx, [
      {
        method: 'GET',
        route: '/api/cart',
        calls: [{ method: 'GET', route: '/carts/:user', internal: ['summarizeCart'] }],
        count: 6,
      },
      {
        method: 'POST',
        route: '/api/cart/items',
        calls: [{ method: 'POST', route: '/carts/:user/items', log: 'added 2 x p-17 to the cart of u3' }],
        count: 4,
      },
    ]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    await browser?.close();
    await orrery?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (repoDir) rmSync(repoDir, { recursive: true, force: true });
  });

  it('answers a question typed in the Ask box, and a file:line citation opens the code view at that line', async () => {
    const question = 'how does GET /api/cart reach summarizeCart?';
    await page.goto(`${api}/problems`);
    await page.getByRole('searchbox', { name: 'Question' }).fill(question);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/ask\?q=/);
    assert.equal(new URL(page.url()).searchParams.get('q'), question, 'the question is in the address');
    const steps = page.locator('ol.path-steps > li');
    await steps.first().waitFor({ timeout: 60_000 });
    await shot('ask-path');
    const res = await fetch(`${api}/api/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
    });
    const want = ((await res.json()) as { ask: AskResult }).ask;
    assert.ok(want.path, 'the API answers with a path');
    assert.equal(await steps.count(), want.path.length, 'one list item per step');
    for (const [i, s] of want.path.entries())
      assert.ok(((await steps.nth(i).textContent()) ?? '').includes(s.line.text), `step ${i + 1}: ${s.line.text}`);
    assert.match((await steps.last().textContent()) ?? '', /summarizeCart/);
    // The cart handler's step cites its file:line; the link opens the code view there.
    const cite = page.locator('ol.path-steps a.cite', { hasText: /^services\/cart\/src\/server\.js:\d+$/ }).first();
    const ref = (await cite.textContent()) ?? '';
    const line = Number(ref.slice(ref.lastIndexOf(':') + 1));
    await cite.click();
    await page.waitForURL(/\/code\?/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('path'), 'services/cart/src/server.js');
    assert.equal(url.searchParams.get('line'), String(line));
    await page.locator('table.code tr.focus').first().waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('table.code tr.focus td.ln').first().textContent(), String(line));
    assert.ok(
      ((await page.locator('table.code tr.focus td.src').first().textContent()) ?? '').trim().length > 0,
      'the focused line has its source',
    );
    // The code view's Explain panel is open beside it, on that line.
    await page.locator('.explain-aside .explain-summary').waitFor({ timeout: 60_000 });
    assert.equal(
      await page.locator('.explain-aside .explain-target code').textContent(),
      `services/cart/src/server.js:${line}`,
    );
    await shot('code-view');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the code view');
    // The answer is a deep link: opened again, it asks again and shows the same steps.
    await page.goBack();
    await page.waitForURL(/\/ask\?q=/);
    await steps.first().waitFor({ timeout: 60_000 });
    assert.equal(await steps.count(), want.path.length);
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the answer');
  });

  it("shows the code view's Explain panel with the routes and callers the API answers", async () => {
    const sym = (await (await fetch(`${api}/api/symbols?name=summarizeCart`)).json()) as {
      symbols: Array<{ path: string; startLine: number }>;
    };
    const at = sym.symbols.find((s) => s.path === SUMMARY);
    assert.ok(at, JSON.stringify(sym));
    await page.goto(`${api}/code?path=${encodeURIComponent(SUMMARY)}&line=${at.startLine}`);
    const aside = page.locator('.explain-aside');
    await aside.locator('.explain-summary').waitFor({ timeout: 60_000 });
    const want = await explainApi(`${SUMMARY}:${at.startLine}`);
    assert.match(want.summary.text, /summarizeCart/);
    const routes = aside.locator('section[aria-label="Routes that reach it"] li');
    const callers = aside.locator('section[aria-label="Callers"] li');
    const wantRoutes = want.sections.find((s) => s.title === 'Routes that reach it')!.lines;
    const wantCallers = want.sections.find((s) => s.title === 'Callers')!.lines;
    assert.ok(wantRoutes.length > 0 && wantCallers.length > 0, 'the API finds routes and callers');
    assert.deepEqual(
      await routes.evaluateAll((els) => els.map((e) => e.querySelector('.answer-text')?.textContent)),
      wantRoutes.map((l) => l.text),
    );
    assert.deepEqual(
      await callers.evaluateAll((els) => els.map((e) => e.querySelector('.answer-text')?.textContent)),
      wantCallers.map((l) => l.text),
    );
    assert.match((await routes.allTextContents()).join('\n'), /GET \/carts\/:user.*runtime/);
    // Every section the API answers is drawn, in its order.
    assert.deepEqual(
      await aside.locator('.explain-section h3').allTextContents(),
      want.sections.map((s) => s.title),
    );
    // Each line's citations are links: code to the code view, a trace to its page.
    const hrefs = await aside.locator('a.cite').evaluateAll((els) => els.map((e) => e.getAttribute('href') ?? ''));
    assert.ok(
      hrefs.some((h) => h.startsWith('/code?')),
      hrefs.join(' '),
    );
    assert.ok(
      hrefs.some((h) => h.startsWith('/traces/')),
      hrefs.join(' '),
    );
    await shot('explain-code');
    // Collapsing hides the panel; opening it asks again.
    await aside.getByRole('button', { name: 'Hide explain' }).click();
    assert.equal(await aside.locator('.explain').count(), 0);
    await aside.getByRole('button', { name: 'Explain' }).click();
    await aside.locator('.explain-summary').waitFor({ timeout: 60_000 });
  });

  it('shows the nearest names for an unknown target, and explains one on a click', async () => {
    await page.goto(`${api}/problems?explain=summariseCart`);
    const drawer = page.getByRole('complementary', { name: 'Explain' });
    const suggestions = drawer.getByRole('list', { name: 'Suggestions' });
    await suggestions.waitFor({ timeout: 60_000 });
    assert.match((await drawer.getByRole('alert').textContent()) ?? '', /Nothing is named like this/);
    await shot('explain-unknown');
    await suggestions.getByRole('button', { name: 'summarizeCart', exact: true }).click();
    await page.waitForURL(/explain=summarizeCart/);
    await drawer.locator('.explain-summary').waitFor({ timeout: 60_000 });
    assert.match((await drawer.locator('.explain-summary').textContent()) ?? '', /summarizeCart/);
    await drawer.locator('section[aria-label="Routes that reach it"] li').first().waitFor();
    assert.ok(page.url().includes('/problems?'), 'the page under the drawer stays');
    await drawer.getByRole('button', { name: 'Close explain' }).click();
    await page.waitForURL((u) => !u.search.includes('explain='));
    assert.equal(await page.getByRole('complementary', { name: 'Explain' }).count(), 0);
  });

  it('lists the candidates of an ambiguous target', async () => {
    await page.goto(`${api}/problems?explain=${encodeURIComponent('/carts/:user')}`);
    const drawer = page.getByRole('complementary', { name: 'Explain' });
    const candidates = drawer.getByRole('list', { name: 'Candidates' });
    await candidates.waitFor({ timeout: 60_000 });
    const names = await candidates.getByRole('button').allTextContents();
    assert.ok(
      names.some((n) => /GET \/carts\/:user$/.test(n)),
      names.join(', '),
    );
    assert.ok(
      names.some((n) => /DELETE \/carts\/:user$/.test(n)),
      names.join(', '),
    );
    await candidates.getByRole('button', { name: /GET \/carts\/:user$/ }).click();
    await drawer.locator('.explain-summary').waitFor({ timeout: 60_000 });
    assert.match((await drawer.locator('.explain-summary .tag').textContent()) ?? '', /route/);
  });

  it('says when nothing answers (with the first gap), and shows a refused question', async () => {
    const question = 'how does zzqxv reach wwkjq';
    await page.goto(`${api}/ask?q=${encodeURIComponent(question)}`);
    const nothing = page.locator('.nothing[role="status"]');
    await nothing.waitFor({ timeout: 60_000 });
    const res = await fetch(`${api}/api/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question }),
    });
    const want = ((await res.json()) as { ask: AskResult }).ask;
    assert.equal(want.lines.length, 0);
    assert.equal(await nothing.textContent(), want.answer.text);
    assert.match(want.answer.text, /^Nothing in the indexed code or the telemetry answers this: \S/);
    await shot('ask-nothing');
    await page.goto(`${api}/ask?q=${'x'.repeat(2100)}`);
    const refused = page.getByRole('alert');
    await refused.waitFor({ timeout: 60_000 });
    assert.match((await refused.textContent()) ?? '', /Could not load this\..*2000|question/i);
  });
});
