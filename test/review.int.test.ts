// review@1 on the example shop's real history, indexed through the real sync path, with
// production minutes seeded before and after the inventory-timeout commit's deploy: the
// timeout commit rated high because its new timeout is below the reservation's measured p99
// (and only what came before its deploy is read); the tests that reach summarizeCart found
// through the call graph; hot code no test reaches; the API's JSON, Markdown and SARIF (the
// SARIF validated against the official 2.1.0 schema); the CLI's exit codes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { reviewSarif } from '../src/analysis/index.js';
import type { Review } from '../src/model/index.js';
import { reviewChange } from '../src/workflows/index.js';
import { runCli } from './helpers/cli.js';
import { type ReviewWorld, seedProduction, shopWorld } from './helpers/review-world.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const require = createRequire(import.meta.url);

/** The official SARIF 2.1.0 schema (draft-04) as @microsoft/jest-sarif ships it, compiled by Ajv. */
function sarifValidator(): ((data: unknown) => boolean) & { errors?: unknown } {
  const Ajv = require('ajv-draft-04');
  const addFormats = require('ajv-formats');
  const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  // The schema's language pattern is not valid in Unicode mode.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('review@1 on the example shop', () => {
  let o: InProcess;
  let w: ReviewWorld;
  let asOf: Date;
  const reviews: Record<string, Review> = {};
  const review = async (id: string) => {
    if (reviews[id]) return reviews[id]!;
    const c = w.commit(id);
    reviews[id] = await reviewChange(o.ctx, { range: `${c.parent}..${c.sha}`, asOf });
    return reviews[id]!;
  };

  before(async () => {
    o = await inProcessOrrery();
    w = await shopWorld(o.ctx);
    asOf = new Date(w.commit('20').at);
    await seedProduction(o.store, asOf);
  });
  after(async () => {
    await o.cleanup();
    w.cleanup();
  });

  it('rates the inventory-timeout commit high: its timeout is below the measured p99 of the call it governs', async () => {
    const r = await review('20');
    assert.equal(r.tier, 'high');
    assert.equal(r.asOf, asOf.toISOString());
    const reason = r.reasons.find((x) => x.rule === 'timeout-below-measured');
    assert.ok(reason, JSON.stringify(r.reasons));
    assert.equal(reason.tier, 'high');
    assert.deepEqual(reason.at, { path: 'deploy/k8s/cart.yaml', startLine: 27, endLine: 27 });
    const change = r.config.find((c) => c.setting === 'INVENTORY_RESERVE_TIMEOUT_MS')!;
    assert.equal(change.before, '800');
    assert.equal(change.after, '20');
    assert.equal(change.service, 'cart');
    assert.match(change.measured!.what, /cart → catalog \/inventory\/reserve/);
    // Only the minutes before the deploy: the 40× slower ones after it would say ~1,800 ms.
    assert.ok(change.measured!.value > 40 && change.measured!.value < 50, String(change.measured!.value));
    assert.ok(reason.evidence.some((e) => e.kind === 'config' && e.detail === '800 → 20'));
    assert.equal(r.rollout.strategy, 'staged');
    assert.ok(r.rollout.watch.some((e) => /inventory\/reserve/.test(e.ref)));
    assert.ok(
      r.annotations.some((a) => a.level === 'failure' && a.path === 'deploy/k8s/cart.yaml' && a.startLine === 27),
    );
    assert.ok(r.owners.some((x) => x.why === 'recent-author' && x.owner === 'Tomás Berg'));
    assert.deepEqual(
      r.commits.map((x) => x.author),
      ['Dana Ruiz'],
    );
  });

  it('finds the test that reaches summarizeCart and lineItems through the call graph', async () => {
    const r = await review('25');
    const summarize = r.symbols.find((s) => s.name === 'summarizeCart')!;
    assert.deepEqual(summarize.tests, ['services/cart/test/cart-summary.test.js']);
    assert.ok(summarize.hot);
    assert.equal(summarize.callsPerMinute, 90);
    assert.equal(summarize.p95Ms !== null && summarize.p95Ms > 8 && summarize.p95Ms < 10, true);
    const lineItems = r.symbols.find((s) => s.name === 'lineItems')!;
    // lineItems is new and the test file does not name it: summarizeCart calls it.
    assert.deepEqual(lineItems.tests, ['services/cart/test/cart-summary.test.js']);
    assert.deepEqual(r.untestedHot, []);
    assert.ok(!r.reasons.some((x) => x.rule === 'hot-code-untested'));
    // The discount is read through a key no service writes (catalog sends { code, percent }).
    assert.equal(r.tier, 'high');
    const read = r.reasons.find((x) => x.rule === 'read-path-nobody-writes')!;
    assert.match(
      read.finding,
      /summarizeCart reads discount\.rate\.percent where it read discount\.percent; no code outside tests writes "rate"/,
    );
    assert.equal(read.at?.path, 'services/cart/src/cart-summary.js');
  });

  it('rates high a loop that calls another service once per item, and not the commit that removed one', async () => {
    const r = await review('23');
    assert.equal(r.tier, 'high');
    const reason = r.reasons.find((x) => x.rule === 'remote-call-per-item')!;
    assert.ok(reason, JSON.stringify(r.reasons.map((x) => x.rule)));
    assert.match(
      reason.finding,
      /priceOrder calls catalog \/products\/:id\/price once per item .* \(through currentPrice\)/,
    );
    assert.equal(reason.at?.path, 'services/payments/src/pricing.js');
    const batch = await review('05');
    assert.notEqual(batch.tier, 'high');
    assert.ok(!batch.reasons.some((x) => x.rule === 'remote-call-per-item'));
  });

  it('names the hot changed code no test reaches', async () => {
    const r = await review('15');
    assert.ok(r.untestedHot.includes('services/cart/src/server.js POST /carts/:user/items'), r.untestedHot.join());
    assert.equal(r.tier, 'medium');
    const reason = r.reasons.find((x) => x.rule === 'hot-code-untested' && /POST \/carts/.test(x.finding))!;
    assert.ok(reason.evidence.some((e) => e.kind === 'endpoint' && e.ref === 'cart /carts/:user/items'));
  });

  it('answers the review over the API as JSON, Markdown and SARIF 2.1.0 that the official schema accepts', async () => {
    const c = w.commit('20');
    const body = { range: `${c.parent}..${c.sha}`, asOf: asOf.toISOString() };
    const json = await o.server.api.inject({ method: 'POST', url: '/api/reviews', payload: body });
    assert.equal(json.statusCode, 200, json.body);
    assert.equal(json.json().review.tier, 'high');
    const md = await o.server.api.inject({ method: 'POST', url: '/api/reviews?format=markdown', payload: body });
    assert.match(md.body, /## Orrery review: \*\*high\*\* risk/);
    assert.match(md.body, /INVENTORY_RESERVE_TIMEOUT_MS/);
    const sarif = await o.server.api.inject({ method: 'POST', url: '/api/reviews?format=sarif', payload: body });
    assert.equal(sarif.statusCode, 200);
    const log = sarif.json();
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors));
    const result = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === 'timeout-below-measured');
    assert.equal(result.level, 'error');
    assert.equal(result.locations[0].physicalLocation.region.startLine, 27);
    // Every review the shop's commits give is valid SARIF, notes and all.
    for (const id of ['15', '25']) assert.ok(validate(reviewSarif(await review(id))), JSON.stringify(validate.errors));
    // And the validator is not a rubber stamp.
    assert.equal(validate({ ...log, version: '2.0.0' }), false);
    assert.equal(validate({ ...log, runs: [{ ...log.runs[0], results: [{ level: 'fatal', message: {} }] }] }), false);
  });

  it('refuses bad input with 400 and an unknown repository with 404', async () => {
    const bad = await o.server.api.inject({ method: 'POST', url: '/api/reviews', payload: { range: 'main' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /<base>\.\.<head>/);
    const unknown = await o.server.api.inject({
      method: 'POST',
      url: '/api/reviews',
      payload: { range: 'HEAD~1..HEAD', repository: 'nope' },
    });
    assert.equal(unknown.statusCode, 404);
    const rev = await o.server.api.inject({ method: 'POST', url: '/api/reviews', payload: { range: 'nope..HEAD' } });
    assert.equal(rev.statusCode, 400, rev.body);
  });

  it('the CLI: exit 0 with the review, 1 when the tier reaches --fail-on, 2 for usage errors', async () => {
    await o.server.api.listen({ port: 0, host: '127.0.0.1' });
    const addr = o.server.api.server.address() as { port: number };
    const server = `http://127.0.0.1:${addr.port}`;
    const c = w.commit('20');
    const range = `${c.parent}..${c.sha}`;
    const at = asOf.toISOString();
    const md = await runCli(['review', range, '--as-of', at, '--server', server]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /\*\*high\*\* risk/);
    const sarif = await runCli(['review', range, '--as-of', at, '--format', 'sarif', '--server', server]);
    assert.equal(sarif.code, 0, sarif.stderr);
    assert.equal(JSON.parse(sarif.stdout).version, '2.1.0');
    const fail = await runCli(['review', range, '--as-of', at, '--fail-on', 'high', '--server', server]);
    assert.equal(fail.code, 1);
    assert.match(fail.stderr, /risk tier is high \(--fail-on high\)/);
    const c15 = w.commit('15');
    const pass = await runCli([
      'review',
      `${c15.parent}..${c15.sha}`,
      '--as-of',
      at,
      '--fail-on',
      'high',
      '--format',
      'json',
      '--server',
      server,
    ]);
    assert.equal(pass.code, 0, pass.stderr);
    assert.notEqual(JSON.parse(pass.stdout).tier, 'high');
    for (const args of [
      ['review', 'main'],
      ['review', range, '--format', 'xml'],
      ['review', range, '--fail-on', 'low'],
      ['review', range, '--as-of', 'yesterday-ish'],
    ]) {
      const r = await runCli([...args, '--server', server]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
    const missing = await runCli(['review', range, '--repo', 'nope', '--server', server]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /no repository "nope"/);
  });
});
