// The web UI end to end, in Debian's Chromium driven by playwright-core, against a short demo
// world (the example shop with every scenario): the problem queue ranks the broken cart first;
// its investigation names the culprit commit, file and the users hurt as the truth file says;
// an evidence item expands; the service map draws; a ticket's user is searched and their
// failing trace opens; the queue works by keyboard, and text keeps WCAG AA contrast; a load
// simulation run from its form shows the API's numbers and the map coloured by utilization (its
// bottleneck saturated past its knee), a 400 shows in the form, and the bad deploy's blast radius
// confirms the cart's endpoints; every deploy shows its verification verdict as the API answers
// it, and the bad deploy's page its findings; a rollback proposed for the cart's problem is listed on the
// problem's page and under Proposals, its page refuses an approval without an approver token and
// says so, and the demo's approver tokens approve it. Screenshots go to test-artifacts/web/, and the pages' navigation timing
// to test-artifacts/web/timing.json (reported, not asserted: speed is measured, not a test).
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_VERIFY_WATCH_MINUTES, type DemoWorld, type ScenarioTruth } from '../src/demo/index.js';
import type {
  DeployVerification,
  FailureSimulationResult,
  LoadSimulationRequest,
  ProposalSummary,
  LoadSimulationResult,
  Simulation,
  TicketDetail,
} from '../src/model/index.js';
import { failurePaint, loadPaint } from '../src/web/components/sim-paint.js';
import { shouldAsk } from '../src/web/components/verdict-ask.js';
import { figure, ms, msOrInf, share } from '../src/web/format.js';
import { assertBrowserReady, launchChromium, lowContrast } from './helpers/browser.js';
import { freshDataDir } from './helpers/stores.js';
import { shortDemoWorld } from './helpers/demo-world.js';

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
  /** The stored load simulation a run page shows, as the API answers it. */
  const simulation = async (
    url: string,
  ): Promise<Simulation & { request: LoadSimulationRequest; result: LoadSimulationResult }> => {
    const id = /\/simulations\/(\d+)$/.exec(new URL(url).pathname)?.[1];
    const res = await fetch(`${world.api}/api/simulations/${id}`);
    assert.equal(res.status, 200, `simulation ${id}`);
    const sim = ((await res.json()) as { simulation: Simulation }).simulation;
    if (sim.request.kind !== 'load' || sim.result.kind !== 'load')
      throw new Error(`simulation ${id} is not a load simulation`);
    return { ...sim, request: sim.request, result: sim.result };
  };
  const open = async (name: string, url: string, ready: string) => {
    const t0 = Date.now();
    await page.goto(url);
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await measure(name, Date.now() - t0);
  };

  before(async () => {
    assertBrowserReady();
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = await freshDataDir();
    world = await shortDemoWorld(dir);
    browser = await launchChromium();
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
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast');
  });
  it("runs a load simulation from the form: the map coloured by utilization, the endpoints with the API's numbers", async () => {
    await page.getByRole('link', { name: 'Simulations' }).click();
    await page.getByLabel('Load factor').fill('2');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.waitForURL(/\/simulations\/\d+$/, { timeout: 120_000 });
    await page.locator('table.sim-endpoints tbody tr').first().waitFor({ timeout: 60_000 });
    await page.locator('.sim-map .graph canvas').first().waitFor({ timeout: 30_000 });
    timing['simulate load (POST and render)'] = { domContentLoadedMs: -1, loadMs: -1, readyMs: Date.now() - t0 };
    await screenshot('simulation');
    const sim = await simulation(page.url());
    assert.deepEqual([sim.request.factor, sim.algorithm], [2, 'sim-load@2']);
    const r = sim.result;
    assert.equal(
      await page.locator('#validity-head').textContent(),
      `Validity: ${r.validity.measured} inputs measured, ${r.validity.assumed} assumed`,
    );
    assert.match((await page.locator('.sim-meta').textContent()) ?? '', /^sim-load@2, run .* calibrated on .* traces/);
    // Every entry endpoint's row says what the API predicted, with its interval, and has its chart.
    assert.ok(r.endpoints.length >= 3, `entry endpoints: ${r.endpoints.map((e) => e.endpoint).join(', ')}`);
    for (const e of r.endpoints) {
      const row = page.locator(`table.sim-endpoints tr[data-endpoint="${e.service} ${e.endpoint}"]`);
      assert.equal(
        await row.locator('td.p50').textContent(),
        `${ms(e.baseline.p50)} → ${figure(e.predicted.p50, msOrInf)}`,
      );
      assert.equal(
        await row.locator('td.p95').textContent(),
        `${ms(e.baseline.p95)} → ${figure(e.predicted.p95, msOrInf)}`,
      );
      assert.equal(
        await row.locator('td.errors').textContent(),
        `${share(e.baseline.errorRate)} → ${figure(e.predicted.errorRate, share)}`,
      );
      assert.equal(await row.locator('svg.interval-chart rect.predicted').count(), 2);
    }
    assert.ok(
      r.endpoints.some((e) => e.predicted.p95.value !== null && e.predicted.p95.value > 0),
      'real latencies, not empty figures',
    );
    // The map paints each modelled service by its busiest resource; the graph's name says how.
    const painted = [...loadPaint(r)];
    assert.ok(painted.length >= 3, `painted: ${painted.map(([s]) => s).join(', ')}`);
    const label = (await page.locator('.sim-map .graph').getAttribute('aria-label')) ?? '';
    for (const [service, paint] of painted) {
      assert.ok(label.includes(`${service} ${paint.note}`), `${service} ${paint.note} in "${label}"`);
      assert.ok(
        (await page.locator(`table.sim-services tr[data-service="${service}"][data-band="${paint.band.id}"]`).count()) >
          0,
        `${service}'s row is in band ${paint.band.id}`,
      );
    }
    assert.equal(await page.locator('.sim-map ul.legend li').count(), 5);
    const verdict = (await page.locator('ul.verdict').textContent()) ?? '';
    if (r.bottleneck) assert.match(verdict, new RegExp(`first bottleneck is ${r.bottleneck.service}'s`));
    else assert.match(verdict, /Nothing saturates below/);
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the simulation page');
  });

  it("past the bottleneck's saturation the map paints it saturated, and the list states the verdict", async () => {
    const first = await simulation(page.url());
    const b = first.result.bottleneck;
    assert.ok(b && b.saturatesAt.value !== null, "the demo shop saturates something below the scan's end");
    const beyond = Math.min(1000, Math.ceil(b.saturatesAt.value! * 1.5));
    await page.getByRole('link', { name: 'All simulations' }).click();
    await page.getByLabel('Load factor').fill(String(beyond));
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.waitForURL((u) => /\/simulations\/\d+$/.test(u.pathname) && !u.pathname.endsWith(`/${first.id}`), {
      timeout: 120_000,
    });
    await page.locator('table.sim-services tbody tr').first().waitFor({ timeout: 60_000 });
    const r = (await simulation(page.url())).result;
    const resource = b.resource === 'cpu' ? 'CPU' : 'pool';
    assert.ok(
      (await page.locator(`table.sim-services tr[data-service="${b.service}"][data-band="saturated"]`).count()) > 0,
      `${b.service} saturated at ${beyond}×`,
    );
    const label = (await page.locator('.sim-map .graph').getAttribute('aria-label')) ?? '';
    // Its busiest resource at 100% or more (∞: a queue that only grows).
    const busy = new RegExp(`${b.service} ${resource} (\\d+|∞)%?`).exec(label)?.[1];
    assert.ok(busy === '∞' || Number(busy) >= 100, `${b.service} ${resource} at ${busy} in "${label}"`);
    assert.equal(loadPaint(r).get(b.service)?.band.id, 'saturated');
    await screenshot('simulation-saturated');
    await page.getByRole('link', { name: 'All simulations' }).click();
    const top = page.locator('table.simulations tbody tr').first();
    await top.waitFor();
    assert.match(
      (await top.textContent()) ?? '',
      new RegExp(`${beyond}× the traffic.*${b.service} ${resource} saturates at`),
    );
    await screenshot('simulations');
  });

  it("shows the server's refusal (400) in the form", async () => {
    await open('simulations', `${world.api}/simulations`, 'form.sim-form');
    await page.getByLabel('Settings (optional)').fill('nosuch.replicas=2');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    const alert = page.locator('form.sim-form ~ [role="alert"]');
    await alert.waitFor({ timeout: 60_000 });
    assert.match(
      (await alert.textContent()) ?? '',
      /did not run it: --set "nosuch\.replicas=2": no service "nosuch" in the calibration window/,
    );
    assert.match(page.url(), /\/simulations$/, 'the form stays open');
    assert.equal(await page.getByRole('button', { name: 'Run simulation' }).isEnabled(), true);
    await screenshot('simulation-refused');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the simulations page');
  });

  it("runs a failure simulation from its form: each endpoint's outcome and figures as the API predicted, the failed service marked on the map", async () => {
    await open('simulations', `${world.api}/simulations`, 'form.sim-form');
    await page.getByLabel('Service', { exact: true }).fill('catalog');
    await page.getByRole('textbox', { name: /^Mode/ }).fill('down');
    await page.getByRole('button', { name: 'Run failure simulation' }).click();
    await page.waitForURL(/\/simulations\/\d+$/, { timeout: 120_000 });
    await page.locator('table.sim-endpoints tbody tr').first().waitFor({ timeout: 60_000 });
    const id = /\/simulations\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1];
    const res = await fetch(`${world.api}/api/simulations/${id}`);
    const sim = ((await res.json()) as { simulation: Simulation }).simulation;
    assert.equal(sim.algorithm, 'sim-failure@1');
    const r = sim.result as FailureSimulationResult;
    assert.equal(r.kind, 'failure');
    assert.ok(r.summary.failed > 0, 'catalog down fails the endpoints that list products');
    for (const e of r.endpoints) {
      const row = page.locator(`table.sim-endpoints tr[data-endpoint="${e.service} ${e.endpoint}"]`);
      assert.equal(await row.getAttribute('data-outcome'), e.outcome);
      assert.equal(
        await row.locator('td.errors').textContent(),
        `${share(e.baseline.errorRate)} → ${figure(e.errorRate, share)}`,
      );
      assert.equal(await row.locator('td.p95').textContent(), `${ms(e.baseline.p95)} → ${figure(e.p95, msOrInf)}`);
    }
    const verdict = (await page.locator('ul.verdict').textContent()) ?? '';
    assert.match(verdict, new RegExp(`${r.summary.failed} fail, ${r.summary.degraded} degrade`));
    await page.locator('.sim-map .graph canvas').first().waitFor({ timeout: 30_000 });
    const label = (await page.locator('.sim-map .graph').getAttribute('aria-label')) ?? '';
    const paint = failurePaint(r);
    assert.equal(paint.get('catalog')?.band.id, 'injected');
    for (const [service, p] of paint)
      assert.ok(label.includes(`${service} ${p.note}`), `${service} ${p.note} in "${label}"`);
    await screenshot('simulation-failure');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the failure simulation page');
    await page.getByRole('link', { name: 'All simulations' }).click();
    const top = page.locator('table.simulations tbody tr').first();
    await top.waitFor();
    assert.match((await top.textContent()) ?? '', new RegExp(`catalog down.*${r.summary.failed} endpoints fail`));
  });

  it("shows the bad deploy's blast radius: the cart's endpoints confirmed by traces, the culprit function changed", async () => {
    const t = truth('cart-badge');
    const { deploys } = (await (await fetch(`${world.api}/api/deploys?limit=100`)).json()) as {
      deploys: Array<{ id: number; service: string; version: string }>;
    };
    const deploy = deploys.find(
      (d) => d.service === t.firstBadDeploy?.service && d.version === t.firstBadDeploy?.version,
    );
    assert.ok(deploy, `the deploy of ${JSON.stringify(t.firstBadDeploy)}`);
    await page.getByRole('link', { name: 'Blast radius of a change' }).click();
    await page.getByLabel('Deploy id').fill(String(deploy.id));
    await page.getByRole('button', { name: 'Show blast radius' }).click();
    await page.locator('table.blast-endpoints tbody tr').first().waitFor({ timeout: 120_000 });
    await screenshot('blast-radius');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the blast radius');
    const confirmed = await page
      .locator('table.blast-endpoints tr[data-mark="runtime-confirmed"] th')
      .allTextContents();
    assert.ok(
      confirmed.some((x) => /^cart /.test(x)),
      `runtime-confirmed: ${confirmed.join(' | ')}`,
    );
    await page.getByText(/^What changed:/).click();
    assert.match(
      (await page.locator('details', { hasText: 'What changed' }).textContent()) ?? '',
      new RegExp(t.culprit!.function!),
    );
    assert.match(page.url(), new RegExp(`/simulations/change\\?deploy=${deploy.id}$`), 'the answer is a link');
  });

  it("shows every deploy's verification verdict, and the bad deploy's findings as the API has them", async () => {
    type Listed = {
      id: number;
      service: string;
      version: string;
      deployedAt: string;
      attributes: { baseline?: boolean };
      verdict: { verdict: string } | null;
    };
    const verdictOf = async (id: number) =>
      ((await (await fetch(`${world.api}/api/deploys/${id}/verification`)).json()) as DeployVerification).verdict;
    const { deploys } = (await (await fetch(`${world.api}/api/deploys?limit=200`)).json()) as { deploys: Listed[] };
    const verified = deploys.filter((d) => shouldAsk({ ...d, verdict: null }, Date.now()));
    assert.ok(verified.length >= 5, `deploys after the baselines: ${verified.length}`);
    const before = new Map(await Promise.all(verified.map(async (d) => [d.id, await verdictOf(d.id)] as const)));
    await open('deploys', `${world.api}/deploys`, 'table.list tbody tr a.tag.verdict');
    // Every asked-for verdict has arrived (none still loading).
    await page.waitForFunction(
      `![...document.querySelectorAll('table.list tbody td')].some((td) => td.textContent === '…')`,
    );
    await screenshot('deploys');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the deploys list');
    for (const d of deploys) {
      const row = page.locator('table.list tbody tr', { has: page.locator(`a[href="/deploys/${d.id}"]`) });
      const cell = row.locator('td').last();
      if (d.attributes.baseline === true) {
        assert.equal(await cell.textContent(), 'not verified (baseline)', `${d.service} ${d.version}`);
        continue;
      }
      // A recorded deploy from before the world (its release, days ago) was never verified.
      if (d.verdict === null && !shouldAsk({ ...d, verdict: null }, Date.now())) {
        assert.equal(await cell.textContent(), 'not verified', `${d.service} ${d.version}`);
        continue;
      }
      const label = (await cell.locator('a.tag.verdict').getAttribute('aria-label')) ?? '';
      const shown = /^verification: (\w+)/.exec(label)?.[1];
      // The verdict may be decided between the API's answer and the page's: either is right.
      const after = d.verdict?.verdict ?? (await verdictOf(d.id));
      assert.ok(
        shown === before.get(d.id) || shown === after,
        `${d.service} ${d.version}: page "${label}", API ${before.get(d.id)} then ${after}`,
      );
    }
    const t = truth('cart-badge');
    const bad = deploys.find(
      (d) => d.service === t.firstBadDeploy?.service && d.version === t.firstBadDeploy?.version,
    )!;
    await page.locator(`a.tag.verdict[href="/deploys/${bad.id}#verification"]`).click();
    await page
      .locator('section.verification .finding, section.verification p.muted')
      .first()
      .waitFor({ timeout: 60_000 });
    await screenshot('deploy-verification');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the deploy page');
    const api = (await (await fetch(`${world.api}/api/deploys/${bad.id}/verification`)).json()) as DeployVerification;
    const section = page.locator('section.verification');
    if ((await section.locator('.tag.verdict').first().textContent()) !== api.verdict) await page.reload();
    await section.locator('.tag.verdict').first().waitFor();
    assert.equal(await section.locator('.tag.verdict').first().textContent(), api.verdict);
    assert.equal(api.watch.minutes, DEMO_VERIFY_WATCH_MINUTES, "the demo's Orrery has the demo's watch window");
    assert.deepEqual(
      await section.locator('.finding strong').allTextContents(),
      api.findings.map((f) => f.title),
      "the findings, in the API's order",
    );
  });

  it("shows a proposal for the cart's problem: approving is refused without an approver token, then approved with them", async () => {
    const problem = world.problems[0]!;
    const made = await fetch(`${world.api}/api/proposals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'problem', id: problem.id }),
    });
    const body = (await made.json()) as { proposals: Array<{ id: number; title: string }>; notes: string[] };
    assert.equal(made.status, 201, `proposals for problem ${problem.id}: ${JSON.stringify(body.notes)}`);
    const proposal = body.proposals[0]!;
    // The problem's page lists it; the proposal page opens from there (with no token in this browser).
    await open('problem with proposals', `${world.api}/problems/${problem.id}`, '#proposals-head');
    await page.evaluate(`localStorage.removeItem('orrery.token')`);
    await page.locator(`table.proposals tr[data-proposal="${proposal.id}"] a`).click();
    await page.locator('[data-status]').waitFor();
    assert.equal(await page.locator('[data-status]').textContent(), 'proposed');
    for (const head of ['Evidence', 'Simulated effect', 'Preconditions', 'Blast radius', 'Dry run'])
      await page.getByRole('heading', { name: head }).waitFor();
    await page.getByRole('heading', { name: /^Risk tier: (low|medium|high)$/ }).waitFor();
    await screenshot('proposal');
    assert.deepEqual(await lowContrast(page), [], 'text below WCAG AA contrast on the proposal');

    // No token: the server refuses (401) and the page says what is needed.
    await page.getByRole('button', { name: 'Approve' }).click();
    const alert = page.locator('section.decide [role="alert"]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /Approving needs an approver token/);
    assert.equal(await page.locator('[data-status]').textContent(), 'proposed');

    // A token of another role: refused (403), and the page says this token is not an approver's.
    const viewer = await fetch(`${world.api}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'viewer-vic', role: 'viewer' }),
    });
    assert.equal(viewer.status, 201, await viewer.clone().text());
    await page.evaluate(
      `localStorage.setItem('orrery.token', ${JSON.stringify(((await viewer.json()) as { token: string }).token)})`,
    );
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('section.decide [role="alert"]', { hasText: 'this one is not' }).waitFor();
    assert.match((await alert.textContent()) ?? '', /"approver" role/);
    assert.equal(await page.locator('[data-status]').textContent(), 'proposed');

    // Each of the demo's approvers approves with their own token until enough count.
    const required = Number(/of (\d+)/.exec((await page.locator('dd.approvals').textContent()) ?? '')?.[1]);
    assert.ok(required >= 1 && required <= world.approvers.length, `approvals required: ${required}`);
    for (const [i, approver] of world.approvers.slice(0, required).entries()) {
      const tokenForm = page.locator('form.token');
      if (!(await tokenForm.isVisible())) await page.getByRole('button', { name: /^Token/ }).click();
      await page.getByLabel('API token').fill(approver.token);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('[data-status]').waitFor();
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.locator('ol.trail li[data-verdict="approve"]', { hasText: approver.name }).waitFor();
      assert.match((await page.locator('dd.approvals').textContent()) ?? '', new RegExp(`^${i + 1} of ${required}`));
    }
    await page.locator('[data-status="approved"]').waitFor();
    await screenshot('proposal-approved');

    // The list, from the navigation, shows it approved with its approvals.
    await page.getByRole('link', { name: 'Proposals', exact: true }).click();
    const row = page.locator(`table.proposals tr[data-proposal="${proposal.id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`approved.*${required} of ${required}`));
    const listed = (await (await fetch(`${world.api}/api/proposals?problem=${problem.id}`)).json()) as {
      proposals: ProposalSummary[];
    };
    assert.ok(listed.proposals.some((p) => p.id === proposal.id && p.source.kind === 'problem'));
    await page.evaluate(`localStorage.removeItem('orrery.token')`);
  });
});
