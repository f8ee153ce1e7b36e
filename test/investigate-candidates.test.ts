// The candidate decisions of investigate, on fixtures: which services' log flow is read, the
// endpoint's restriction and its gaps, the root candidates (the same list rcaFindings makes
// findings of), the candidates with the subject's own service, the focus, the impact order and
// each candidate's likely change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FindingList,
  type RankedService,
  type RcaResult,
  type RcaSignal,
  candidateServices,
  faultScope,
  changeFinding,
  firstRanking,
  focusOf,
  impactOrder,
  likelyChange,
  rcaFindings,
  restrictToEndpoint,
  rootCandidates,
} from '../src/analysis/index.js';
import type { Deploy } from '../src/model/index.js';

const sig = (service: string, kind: RcaSignal['kind']): RcaSignal => ({
  kind,
  service,
  key: 'k',
  baseline: 1,
  incident: 9,
  unit: 'per minute',
  test: 't',
  statistic: 3,
  p: 1e-6,
  q: 1e-5,
  weight: 5,
});
const ranked = (service: string, kinds: RcaSignal['kind'][], over: Partial<RankedService> = {}): RankedService => ({
  service,
  score: 5,
  ownScore: 5,
  confidence: 0.7,
  symptomOf: [],
  hint: `${service} changed`,
  signals: kinds.map((k) => sig(service, k)),
  ...over,
});
const rca = (services: RankedService[]): RcaResult => ({
  algorithm: 'rca@3',
  baseline: { startMs: 0, endMs: 60_000 },
  incident: { startMs: 60_000, endMs: 120_000 },
  services,
  tests: 20,
  significant: 4,
});

describe('firstRanking', () => {
  it("reads the flow of the anchor's service once, even with nothing ranked", () => {
    const input = {
      baseline: { startMs: 0, endMs: 60_000 },
      incident: { startMs: 60_000, endMs: 120_000 },
      red: [],
      patterns: [],
      errorGroups: [],
      edges: [],
      metrics: [],
    };
    assert.deepEqual(firstRanking(input, 'cart').flowFor, ['cart']);
    assert.deepEqual(firstRanking(input, null).flowFor, []);
  });
});

describe('restrictToEndpoint', () => {
  const all = rca([ranked('web', ['latency']), ranked('cart', ['error-group']), ranked('search', ['latency'])]);
  const where = { service: 'web', endpoint: 'GET /checkout' };
  it('keeps every service when no trace went through the endpoint, said in a gap', () => {
    const r = restrictToEndpoint(all, { traces: 0, services: new Map() }, where);
    assert.equal(r.rca, all);
    assert.deepEqual(r.gaps, ['no traces through web GET /checkout in the window, so every service was considered']);
  });
  it("keeps those on the endpoint's traces, naming those left out, without changing its input", () => {
    const r = restrictToEndpoint(
      all,
      {
        traces: 12,
        services: new Map([
          ['web', 12],
          ['cart', 7],
        ]),
      },
      where,
    );
    assert.deepEqual(
      r.rca.services.map((s) => s.service),
      ['web', 'cart'],
    );
    assert.deepEqual(r.gaps, ['left out search: not on the 12 traces through GET /checkout of web']);
    assert.equal(all.services.length, 3);
    assert.deepEqual(
      restrictToEndpoint(all, { traces: 3, services: new Set(['web', 'cart', 'search']) }, where).gaps,
      [],
    );
  });
});

describe('rootCandidates', () => {
  it('is the list rcaFindings makes findings of: no traffic-only service, no symptom without its own exceptions, three at most', () => {
    const r = rca([
      ranked('web', ['latency'], { symptomOf: ['cart'] }),
      ranked('api', ['traffic']),
      ranked('cart', ['latency']),
      ranked('edge', ['error-group'], { symptomOf: ['cart'] }),
      ranked('search', ['pattern']),
      ranked('mail', ['pattern']),
    ]);
    const roots = rootCandidates(r);
    assert.deepEqual(
      roots.map((s) => s.service),
      ['cart', 'edge', 'search'],
    );
    assert.deepEqual(rcaFindings(new FindingList(), r, '2026-12-01T00:00:00.000Z'), roots);
    assert.equal(rootCandidates(r, { maxServices: 1 }).length, 1);
  });
});

describe("a problem's fault (stayOn)", () => {
  const r = rca([
    ranked('catalog', ['latency', 'error-rate']),
    ranked('cart', ['latency', 'error-group'], { symptomOf: ['catalog'] }),
    ranked('web', ['latency'], { symptomOf: ['catalog'] }),
    ranked('payments', ['edge-fanout']),
    ranked('search', ['latency'], { symptomOf: ['payments'] }),
  ]);
  it('is the service alone when it has new exceptions of its own: a slow callee does not explain a TypeError', () => {
    assert.deepEqual([...faultScope(r, 'cart')], ['cart']);
    assert.deepEqual(
      rootCandidates(r, { stayOn: 'cart' }).map((s) => s.service),
      ['cart'],
    );
    assert.deepEqual(
      rcaFindings(new FindingList(), r, '2026-12-01T00:00:00.000Z', { stayOn: 'cart' }).map((s) => s.service),
      ['cart'],
    );
  });
  it('adds what its trouble is explained by otherwise (a callee, or a caller calling it more), and focuses there', () => {
    assert.deepEqual([...faultScope(r, 'web')], ['web', 'catalog']);
    assert.deepEqual([...faultScope(r, 'search')], ['search', 'payments']);
    const roots = rootCandidates(r, { stayOn: 'web' });
    assert.deepEqual(
      roots.map((s) => s.service),
      ['catalog'],
    );
    const anchor = { prefer: 'web', stayOn: 'web' };
    const c = candidateServices(roots, { service: 'web', ...anchor });
    assert.deepEqual(c, ['catalog', 'web']);
    assert.equal(focusOf(c, anchor, roots), 'catalog');
  });
  it('keeps the focus on the service when it is a root, or when nothing was ranked', () => {
    const roots = rootCandidates(r, { stayOn: 'cart' });
    assert.equal(focusOf(['cart'], { prefer: 'cart', stayOn: 'cart' }, roots), 'cart');
    assert.equal(focusOf(['mail'], { prefer: 'mail', stayOn: 'mail' }, []), 'mail');
    assert.deepEqual([...faultScope(r, 'mail')], ['mail']);
  });
});

describe('candidates, focus and impact order', () => {
  const roots = [ranked('cart', ['latency']), ranked('web', ['latency'], { score: 0 })];
  it("adds where the subject's users failed, and focuses on it", () => {
    const c = candidateServices(roots, { service: 'web', prefer: 'search' });
    assert.deepEqual(c, ['cart', 'web', 'search']);
    assert.equal(focusOf(c, { prefer: 'search' }), 'search');
    assert.equal(focusOf(c, {}), 'cart');
    assert.deepEqual(candidateServices([], { service: 'web' }), ['web']);
    assert.deepEqual(candidateServices([], { service: null }), []);
    assert.equal(focusOf([], {}), null);
  });
  it('counts the impact of the significant candidates, the focus first; of all when none is significant', () => {
    assert.deepEqual(impactOrder(roots, ['cart', 'web', 'search'], 'search'), ['cart']);
    assert.deepEqual(impactOrder(roots, ['web', 'cart'], 'cart'), ['cart']);
    const weak = roots.map((r) => ({ ...r, score: 0 }));
    assert.deepEqual(impactOrder(weak, ['cart', 'web', 'search'], 'search'), ['search', 'cart', 'web']);
  });
});

describe('likelyChange', () => {
  const deploy = (id: number, at: string, service = 'cart'): Deploy => ({
    id,
    service,
    environment: 'prod',
    version: `v${id}`,
    commitSha: null,
    previousCommitSha: null,
    deployedAt: at,
    inferred: false,
    source: 'api',
    attributes: {},
  });
  const onset = Date.parse('2026-11-22T17:30:00Z');
  const deploys = [
    deploy(1, '2026-11-22T10:00:00Z'),
    deploy(2, '2026-11-22T17:00:00Z'),
    deploy(3, '2026-11-22T17:30:40Z'),
    deploy(4, '2026-11-22T17:35:00Z'),
    deploy(5, '2026-11-22T17:29:00Z', 'web'),
  ];
  it('is the deploy changeFinding reports: the last at or before the onset, a minute of slack, within 6 h', () => {
    assert.equal(likelyChange('cart', deploys, onset)?.id, 3);
    assert.equal(changeFinding(new FindingList(), 'cart', deploys, onset, 6 * 3_600_000)?.data.deployId, 3);
    assert.equal(likelyChange('cart', deploys.slice(0, 2), onset)?.id, 2);
    assert.equal(likelyChange('cart', [deploys[0]!, deploys[3]!], onset), null);
    assert.equal(likelyChange('cart', deploys.slice(0, 1), onset, { lookBackMs: 8 * 3_600_000 })?.id, 1);
  });

  it('skips a baseline deploy (the first version telemetry showed is no change), in the finding too', () => {
    const first = { ...deploy(6, '2026-11-22T17:20:00Z'), inferred: true, attributes: { baseline: true } };
    assert.equal(likelyChange('cart', [deploys[1]!, first], onset)?.id, 2);
    assert.equal(likelyChange('cart', [first], onset), null);
    assert.equal(changeFinding(new FindingList(), 'cart', [first], onset, 6 * 3_600_000), null);
  });
});
