// The real browser the web tests drive: Debian's Chromium (`/usr/bin/chromium`, or
// ORRERY_CHROMIUM) through playwright-core, launched headless with what a CI container needs,
// after checking that it exists and that the UI is built (the server serves dist/web); and
// the WCAG AA contrast check every page's test can run.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { findWebRoot } from '../../src/server/web-routes.js';

export const CHROMIUM = process.env.ORRERY_CHROMIUM ?? '/usr/bin/chromium';

/** Fails with how to fix it when Chromium is missing or the UI was never built. */
export function assertBrowserReady(): void {
  assert.ok(
    existsSync(CHROMIUM),
    `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does, or set ORRERY_CHROMIUM`,
  );
  assert.ok(findWebRoot(), 'the web UI is not built: run npm run build');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/** Visible text below WCAG AA contrast against its effective background (4.5:1, 3:1 for large text). */
export async function lowContrast(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
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
}
