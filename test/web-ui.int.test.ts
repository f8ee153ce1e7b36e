// The web UI end to end, in Debian's Chromium driven by playwright-core, against a short demo
// world (the example shop with every scenario): the problem queue ranks the broken cart first;
// its investigation names the culprit commit, file and the users hurt as the truth file says;
// an evidence item expands; the service map draws; a ticket's user is searched and their
// failing trace opens; the queue works by keyboard, and text keeps WCAG AA contrast. Screenshots go to test-artifacts/web/, and the pages' navigation timing
// to test-artifacts/web/timing.json (reported, not asserted: speed is measured, not a test).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { DemoWorld, ScenarioTruth } from '../src/demo/index.js';
import type { TicketDetail } from '../src/model/index.js';
import { findWebRoot } from '../src/server/web-routes.js';
import { freshDataDir } from './helpers/stores.js';
import { shortDemoWorld } from './helpers/demo-world.js';

const CHROMIUM = process.env.ORRERY_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts', 'web');
/** The users an investigation counts may differ from the truth's by this share (the bound). */
const USERS_BOUND = 0.1;

describe('web UI (Chromium) on a demo world', () => {
  let world: DemoWorld;
  let dir: string;
  let browser: Browser;
  let page: Page;
  const timing: Record<string, { domContentLoadedMs: number; loadMs: number; readyMs: number }> = {};
  const truth = (name: string): ScenarioTruth => world.truth.find((t) => t.scenario === name)!;
  let shot = 0;
  const screenshot = async (name: string) => {
    shot += 1;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  /** Navigation timing of the current page, and the time until `ready` was visible. */
  const measure = async (name: string, readyMs: number) => {
    // Runs in the page (DOM types are not in the tests' lib): the navigation entry's own times.
    const nav = (await page.evaluate(
      `(() => { const e = performance.getEntriesByType('navigation')[0]; return e ? { domContentLoadedMs: e.domContentLoadedEventEnd - e.startTime, loadMs: e.loadEventEnd - e.startTime } : { domContentLoadedMs: -1, loadMs: -1 }; })()`,
    )) as { domContentLoadedMs: number; loadMs: number };
    timing[name] = { ...nav, readyMs };
  };
  const open = async (name: string, url: string, ready: string) => {
    const t0 = Date.now();
    await page.goto(url);
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await measure(name, Date.now() - t0);
  };

  before(async () => {
    assert.ok(
      existsSync(CHROMIUM),
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set ORRERY_CHROMIUM`,
    );
    assert.ok(findWebRoot(), 'the web UI is not built: run npm run build');
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = await freshDataDir();
    world = await shortDemoWorld(dir);
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
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  });

  after(async () => {
    writeFileSync(join(ARTIFACTS, 'timing.json'), `${JSON.stringify(timing, null, 2)}\n`);
    await browser?.close();
    await world?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the problem queue with the broken cart first', async () => {
    await open('problems', `${world.api}/problems`, 'table.problems tbody tr');
    await screenshot('problems');
    const first = page.locator('table.problems tbody tr').first();
    const services = await first.locator('td').nth(1).locator('.muted').textContent();
    const title = await first.locator('td').nth(1).locator('a').textContent();
    assert.match(services ?? '', /\bcart\b/, `first problem: ${title} (${services})`);
    assert.match(title ?? '', /TypeError|percent|cart/i, `first problem: ${title}`);
  });

  it('opens it: the investigation names the culprit commit, the file and the users hurt, as the truth file says', async () => {
    const t = truth('cart-badge');
    await page.locator('table.problems tbody tr').first().locator('a').first().click();
    await page.locator('h1').first().waitFor();
    await screenshot('problem');
    const t0 = Date.now();
    const button = page.getByRole('button', { name: /^Investigate/ });
    await button.click();
    await page.locator('#summary-head').waitFor({ timeout: 120_000 });
    await page.locator('#suspect-head').waitFor({ timeout: 60_000 });
    timing['investigate (POST and render)'] = { domContentLoadedMs: -1, loadMs: -1, readyMs: Date.now() - t0 };
    const suspect = await page.locator('#suspect-head .sha').textContent();
    const section = page.locator('section[aria-labelledby="suspect-head"]');
    // The diff, or the error or note that stands in its place: a failure says which.
    await section.locator('pre.diff, .state.error, p.muted').first().waitFor({ timeout: 60_000 });
    await page.locator('table.code').first().waitFor({ timeout: 60_000 });
    await screenshot('investigation');
    assert.equal(
      suspect,
      t.culprit!.commit.slice(0, 10),
      `the suspect commit is the culprit: ${await section.textContent()}`,
    );
    assert.equal(
      await section.locator('pre.diff').count(),
      1,
      `the suspect commit's diff is shown: ${await section.textContent()}`,
    );
    const code = await page.locator('section.code-location h3').first().textContent();
    assert.ok(code?.includes(t.culprit!.file), `code location ${code} names ${t.culprit!.file}`);
    assert.ok(code?.includes(t.culprit!.function ?? ''), `code location ${code} names ${t.culprit!.function}`);
    const users = Number((await page.locator('td.impact-users').first().textContent())?.replace(/,/g, ''));
    const want = t.affected.errored.length;
    assert.ok(Math.abs(users - want) <= USERS_BOUND * want, `users ${users}, truth ${want}`);
    // A deep link to the same investigation renders it again (and is timed as a page load).
    const url = page.url();
    await open('investigation', url, '#suspect-head');
  });

  it('expands an evidence item', async () => {
    const item = page.locator('details.evidence').first();
    await item.locator('summary').click();
    assert.equal(await item.getAttribute('open'), '');
    await item.locator('.evidence-body').waitFor();
    await screenshot('evidence');
  });

  it('opens the service map with the cart highlighted', async () => {
    await page.getByRole('link', { name: 'Service map' }).click();
    await page.locator('.graph canvas').first().waitFor({ timeout: 30_000 });
    await page.locator('table.edges tbody tr').first().waitFor();
    const edges = await page.locator('table.edges').textContent();
    assert.match(edges ?? '', /web[\s\S]*cart|cart[\s\S]*web/);
    await screenshot('service-map');
    await open('service map', `${world.api}/map?highlight=web,cart`, 'table.edges tbody tr.hot');
    await screenshot('service-map-highlighted');
  });

  it("searches for a ticket's user and finds that user's failing trace", async () => {
    const t = truth('cart-badge');
    const listed = (await (await fetch(`${world.api}/api/tickets?limit=1000`)).json()) as {
      tickets: Array<{ id: number; externalId: string }>;
    };
    // A reporter whose request raised the error (one who only saw a wrong badge has no failed span).
    const errored = new Set(t.affected.errored);
    const writers = new Map(world.tickets.map((x) => [x.id, x.aboutUser]));
    let user: string | undefined;
    for (const ext of t.tickets.filter((x) => errored.has(writers.get(x) ?? ''))) {
      const id = listed.tickets.find((x) => x.externalId === ext)?.id;
      const d = (await (await fetch(`${world.api}/api/tickets/${id}`)).json()) as TicketDetail;
      user = d.links.find((l) => l.dstKind === 'end_user' && l.attributes.observed === true)?.dstId;
      if (user) break;
    }
    assert.ok(user, 'a cart-badge ticket from a user seen in telemetry whose request raised the error');
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByLabel('User').fill(user);
    await page.getByLabel('failed only').check();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('table.spans tbody tr.failed').first().waitFor({ timeout: 30_000 });
    await screenshot('search');
    const row = page.locator('table.spans tbody tr.failed').filter({ hasText: 'cart' }).first();
    await row.locator('a').click();
    await page.locator('table.waterfall tbody tr').first().waitFor();
    await screenshot('trace');
    const failed = await page.locator('table.waterfall tr.failed').allTextContents();
    assert.ok(
      failed.some((x) => /\bcart\b/.test(x)),
      `a failed cart span in the trace: ${failed.join(' | ')}`,
    );
    await open('trace', page.url(), 'table.waterfall tbody tr');
    for (const [name, v] of Object.entries(timing))
      console.log(
        `# page ${name}: DOMContentLoaded ${v.domContentLoadedMs.toFixed(0)} ms, load ${v.loadMs.toFixed(0)} ms, content shown ${v.readyMs} ms`,
      );
  });

  it('is usable by keyboard, with a visible focus and readable contrast', async () => {
    await open('problems (keyboard)', `${world.api}/problems`, 'table.problems tbody tr');
    // Tab from the top of the page to the first problem's link, and open it with Enter.
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(
        `(() => { const a = document.activeElement; return !!a && !!a.closest('table.problems tbody tr') && a.tagName === 'A'; })()`,
      )) as boolean;
    }
    assert.ok(reached, 'a problem link is reachable with Tab');
    const focus = (await page.evaluate(
      `(() => { const s = getComputedStyle(document.activeElement); return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow }; })()`,
    )) as { outline: string; width: number; shadow: string };
    assert.ok(
      (focus.outline !== 'none' && focus.width > 0) || focus.shadow !== 'none',
      `the focused link shows it: ${JSON.stringify(focus)}`,
    );
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/problems\/\d+/, { timeout: 30_000 });
    await page.getByRole('button', { name: /^Investigate/ }).waitFor();
    // WCAG contrast of the text against its effective background, for every visible text element.
    const low = (await page.evaluate(`(() => {
      const rgb = (c) => { const m = c.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 1]; };
      const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
      const bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if ((c[3] ?? 1) > 0.5) return c; } return [255, 255, 255]; };
      const out = [];
      for (const el of document.querySelectorAll('body *')) {
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.getClientRects().length) continue;
        const s = getComputedStyle(el);
        if (s.visibility === 'hidden' || Number(s.opacity) === 0) continue;
        const a = lum(rgb(s.color)); const b = lum(bg(el));
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) out.push(el.tagName + '.' + el.className + ' ' + ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
      }
      return out;
    })()`)) as string[];
    assert.deepEqual(low, [], 'text below WCAG AA contrast');
  });
});
