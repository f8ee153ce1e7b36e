// What each versioned algorithm produces on fixed fixtures, for the version snapshot
// (test/algorithm-versions.test.ts): one runner per algorithm name of src/analysis/versions.ts,
// each returning its outputs by fixture name. The fixtures are the ones the algorithm's own
// tests use; nothing reads a clock.
import { readFileSync, readdirSync } from 'node:fs';
import {
  FindingList,
  analyzeChange,
  buildBlastRadius,
  buildInvestigation,
  buildCodeIndex,
  buildTicketIndex,
  changeFinding,
  fingerprintOccurrence,
  fromInvestigation,
  replicasFor,
  riskOf,
  localizeText,
  parseStackTrace,
  parseUnifiedDiff,
  priorityScore,
  rankRootCauses,
  rankSimilarTickets,
  rcaFindings,
  runtimeView,
  ticketMentions,
  triageProblems,
} from '../../src/analysis/index.js';
import type {
  EndpointTraffic,
  FileCode,
  RcaResult,
  ReviewFacts,
  TraceLog,
  TraceSpan,
} from '../../src/analysis/index.js';
import { buildAsk, buildExplain, buildReview, linkRpcs, resolveTarget } from '../../src/analysis/index.js';
import { fixtureWorld } from './answer-world.js';
import { createPatternMiner } from '../../src/analysis/patterns/index.js';
import { calibrate, simulateFailure, simulateLoad } from '../../src/analysis/simulate/index.js';
import { type EntrySpec, failureWorld } from './failure-world.js';
import type { Deploy } from '../../src/model/index.js';
import { INVESTIGATE_FACTS } from './investigate-facts.js';
import { RCA_WORLDS } from './rca-world-cases.js';
import { BASE_WORLD, type QueueWorld, runWorld, worldInfra } from './sim-world.js';
import { TRIAGE_CASES } from './triage-inputs.js';
import { verifyDeploy } from '../../src/analysis/verify/index.js';
import { type OutcomeMinute, judgeOutcome } from '../../src/analysis/remediate/index.js';
import { verifyWorld } from './verify-worlds.js';
import { DAY, FILES, TICKETS } from './retrieval-fixtures.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, FIXTURES), 'utf8');
const list = (dir: string, ext: string) =>
  readdirSync(new URL(dir, FIXTURES))
    .filter((f) => f.endsWith(ext))
    .sort();

export type Outputs = Record<string, unknown>;

function patterns(): Outputs {
  const out: Outputs = {};
  const files = [...list('patterns/miner/', '.txt').map((f) => `patterns/miner/${f}`), 'patterns/mine-input.txt'];
  for (const file of files) {
    const body = read(file)
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    const li = body.indexOf('== lines');
    const ti = body.indexOf('== templates');
    const lines = (li < 0 ? body : body.slice(li + 1, ti)).filter((l) => l !== '');
    const miner = createPatternMiner();
    const added = lines.map((line) => {
      const r = miner.add(line);
      return { line, id: r.id, template: r.template };
    });
    out[file] = { added, patterns: miner.patterns() };
  }
  return out;
}

function errors(): Outputs {
  const out: Outputs = {};
  for (const runtime of ['go', 'java', 'python', 'v8'])
    for (const f of list(`stacktraces/${runtime}/`, '.txt'))
      out[`parse/${runtime}/${f}`] = parseStackTrace(read(`stacktraces/${runtime}/${f}`));
  for (const f of list('fingerprints/', '.json')) {
    const c = JSON.parse(read(`fingerprints/${f}`)) as Record<
      'a' | 'b',
      { type: string | null; message: string | null; stack: string | null }
    >;
    out[`fingerprint/${f}`] = (['a', 'b'] as const).map(
      (side) =>
        fingerprintOccurrence({
          type: c[side].type,
          message: c[side].message,
          stacktrace: c[side].stack,
          runtime: 'unknown',
        }).fingerprint,
    );
  }
  return out;
}

/** A ranking without its id (the snapshot's header holds that). */
function rca(): Outputs {
  const out: Outputs = {};
  for (const [name, build] of Object.entries(RCA_WORLDS)) {
    const w = build();
    const { algorithm: _, ...rest } = rankRootCauses(w.input, w.options);
    out[name] = rest;
  }
  return out;
}

const DEPLOY_ONSET = Date.parse('2026-11-22T17:30:00Z');
function deploy(id: number, at: string, version: string, previous: string | null = null): Deploy {
  return {
    id,
    service: 'cart',
    environment: 'prod',
    version,
    commitSha: `${id}`.repeat(40).slice(0, 40),
    previousCommitSha: previous,
    deployedAt: at,
    inferred: id % 2 === 0,
    source: 'api',
    attributes: {},
  };
}

/**
 * investigate: root-cause findings from the rca worlds' rankings, the change finding for
 * deploys around an onset, the priority, and whole results (buildInvestigation) from the facts
 * of test/helpers/investigate-facts.ts.
 */
function investigate(): Outputs {
  const out: Outputs = {};
  for (const name of ['n-plus-one', 'downstream-latency', 'no-baseline-edge-errors', 'weak-candidates', 'flow-cut']) {
    const w = RCA_WORLDS[name]!();
    const ranking: RcaResult = rankRootCauses(w.input, w.options);
    const findings = new FindingList();
    const roots = rcaFindings(findings, ranking, '2026-01-05T10:00:00.000Z');
    out[`rca-findings/${name}`] = { roots: roots.map((r) => r.service), findings: findings.findings };
  }
  const deploys = [
    deploy(1, '2026-11-22T10:00:00Z', '1.2.0'),
    deploy(2, '2026-11-22T17:00:00Z', '1.3.0', '1'.repeat(40)),
    deploy(3, '2026-11-22T17:30:40Z', '1.4.0', '2'.repeat(40)),
    deploy(4, '2026-11-22T17:35:00Z', '1.5.0'),
  ];
  const cases: Record<string, Deploy[]> = {
    'within-slack': deploys,
    'half-hour-before': deploys.slice(0, 2),
    'none-in-look-back': [deploys[0]!, deploys[3]!],
  };
  for (const [name, ds] of Object.entries(cases)) {
    const findings = new FindingList();
    out[`change/${name}`] = changeFinding(findings, 'cart', ds, DEPLOY_ONSET, 6 * 3_600_000);
  }
  const impacts = {
    'printed-formula': { users: 99, accounts: 9, activeUsers: 500, tickets: 5, growth: 4, severity: 0.5 },
    'falling-trend': { users: 99, accounts: 9, activeUsers: 500, tickets: 0, growth: 0.01, severity: 1 },
    'no-reach': { users: null, accounts: null, activeUsers: null, tickets: 2, growth: 1, severity: 0.6 },
    latency: { users: 1234, accounts: 56, activeUsers: 4000, tickets: 1, growth: 1.7, severity: 0.6 },
  };
  for (const [name, i] of Object.entries(impacts)) out[`priority/${name}`] = priorityScore(i);
  for (const [name, facts] of Object.entries(INVESTIGATE_FACTS)) {
    const { narrative: _, ...result } = buildInvestigation(facts());
    out[`build/${name}`] = result;
  }
  return out;
}

function triage(): Outputs {
  const out: Outputs = {};
  for (const [name, build] of Object.entries(TRIAGE_CASES)) {
    const { algorithm: _, ...rest } = triageProblems(build());
    out[name] = rest;
  }
  return out;
}

function deployVerify(): Outputs {
  const cases = {
    'no-change': verifyWorld({ seed: 5 }),
    'error-share': verifyWorld({ seed: 11, change: { fromMinute: 0, errorShare: 0.1 } }),
    'new-error-group': verifyWorld({ seed: 12, change: { fromMinute: 0, newErrorsPerMinute: 8 } }),
    'before-the-deploy': verifyWorld({ seed: 21, change: { fromMinute: -4, errorShare: 0.1 } }),
    'load-change': verifyWorld({ seed: 31, change: { fromMinute: 0, trafficFactor: 3, errorShare: 0.1 } }),
    watching: verifyWorld({ seed: 3, minutesAfter: 4 }),
  };
  const out: Outputs = {};
  for (const [name, facts] of Object.entries(cases)) {
    const { verification: v } = verifyDeploy(facts);
    out[name] = {
      verdict: v.verdict,
      decidedAt: v.decidedAt,
      looks: v.watch.looks,
      summary: v.summary,
      findings: v.findings.map((f) => `${f.kind}: ${f.title}`),
      tests: v.tests.map((t) => ({ family: t.family, key: t.key, measure: t.measure, p: t.p, passed: t.passed })),
    };
  }
  return out;
}

function similarTickets(): Outputs {
  const index = buildTicketIndex(TICKETS);
  const out: Outputs = {};
  for (const t of TICKETS) out[t.id] = rankSimilarTickets(t, index);
  out['T5-created-until-T4'] = rankSimilarTickets(TICKETS[4]!, index, { createdUntil: 4 * DAY });
  return out;
}

function localize(): Outputs {
  const index = buildCodeIndex(FILES);
  const java = [
    'Checkout checkout cart cart page render checkout.',
    'java.lang.ArithmeticException: / by zero',
    '\tat com.acme.payment.Util.round(Util.java:12)',
    '\tat com.acme.payment.PaymentClient.charge(PaymentClient.java:40)',
    '\tat java.base/java.lang.Thread.run(Thread.java:833)',
  ].join('\n');
  const python = [
    'Traceback (most recent call last):',
    '  File "/srv/app/web/src/checkout/checkout_page.py", line 2, in render_checkout',
    'KeyError: total',
  ].join('\n');
  return {
    words: localizeText('Charging the card fails at the payment provider', index),
    'split-identifiers': localizeText({ title: 'Cannot remove item' }, index),
    'java-frames': localizeText({ title: 'Checkout of the cart page crashes', body: java }, index),
    'text-only': localizeText(
      { title: 'Checkout of the cart page crashes', body: 'Checkout checkout cart cart page render checkout.' },
      index,
    ),
    'python-frames': localizeText({ title: 'Payment provider charge card', body: python }, index),
    limit: localizeText('checkout cart', FILES, { limit: 2 }),
    'no-match': localizeText('zzz qqq', index),
  };
}

function mentions(): Outputs {
  const fixture = JSON.parse(read('tickets/mentions/cases.json')) as {
    reference: string;
    services: string[];
    cases: Array<{ name: string; text: string; services?: string[] }>;
  };
  const out: Outputs = {};
  for (const c of fixture.cases) {
    const opts = {
      emailKey: 'test-key-0123456789',
      services: c.services ?? fixture.services,
      reference: new Date(fixture.reference),
    };
    out[c.name] = ticketMentions({ title: '', body: c.text, comments: [] }, opts);
  }
  return out;
}

/** sim-load: the queueing world's calibration, predicted at 2× and with a --set, the pool-bound world at 3×, and a saturated world relieved. */
function simLoad(): Outputs {
  const window = { startMs: BASE_WORLD.startMs, endMs: BASE_WORLD.startMs + BASE_WORLD.durationMs };
  const out: Outputs = {};
  const poolWorld: QueueWorld = {
    ...BASE_WORLD,
    seed: 21,
    apiMs: 8,
    dbMs: 100,
    checkoutRate: 6,
    homeRate: 2,
    poolTimeoutMs: 300,
  };
  const saturated: QueueWorld = {
    ...BASE_WORLD,
    checkoutRate: BASE_WORLD.checkoutRate * 1.8,
    homeRate: BASE_WORLD.homeRate * 1.8,
  };
  const cases: Array<[string, QueueWorld, Record<string, string>, number, string[]]> = [
    ['cpu-bound 2x', BASE_WORLD, {}, 2, []],
    ['cpu-bound 2x api.replicas=2', BASE_WORLD, {}, 2, ['api.replicas=2']],
    ['pool-bound 3x', poolWorld, { DB_QUEUE_TIMEOUT_MS: '300' }, 3, []],
    // Calibrated near saturation, then relieved: the window's long waits are taken off.
    ['cpu-saturated 1x api.replicas=3', saturated, {}, 1, ['api.replicas=3']],
  ];
  for (const [name, w, env, factor, set] of cases) {
    const cal = calibrate(
      { spans: runWorld(w).spans, window, sampled: 1, infra: worldInfra(w, env), gauges: [], instances: new Map() },
      { seed: 3 },
    );
    const r = simulateLoad(cal, { factor, endpoint: null, set }, { replicates: 4 });
    out[name] = {
      endpoints: r.endpoints.map((e) => ({ endpoint: e.endpoint, predicted: e.predicted, knee: e.knee })),
      services: r.services,
      bottleneck: r.bottleneck,
      knee: r.knee,
      validity: r.validity,
    };
  }
  return out;
}

/** sim-failure: hand-built request trees with a timeout, a retried edge and a fallback, each service failed each way. */
function simFailure(): Outputs {
  const out: Outputs = {};
  const entries: EntrySpec[] = [
    {
      route: '/a',
      rate: 3,
      ms: 10,
      calls: [{ callee: 'cart', route: '/cart', ms: 10, calls: [{ callee: 'catalog', route: '/products', ms: 20 }] }],
    },
    { route: '/b', rate: 3, ms: 10 },
    {
      route: '/c',
      rate: 3,
      ms: 10,
      calls: [{ callee: 'payments', route: '/charge', ms: 30, failShare: 0.05, propagates: false }],
    },
  ];
  const cal = failureWorld(entries, { cart: { CATALOG_TIMEOUT_MS: '500', CATALOG_RETRIES: '1' } });
  for (const service of ['web', 'cart', 'catalog', 'payments'])
    for (const mode of ['down', 'slow=2s', 'errors=30%']) {
      const r = simulateFailure(cal, { service, mode }, { replicates: 4, draws: 200, replicateDraws: 100 });
      out[`${service} ${mode}`] = {
        endpoints: r.endpoints.map((e) => ({
          endpoint: e.endpoint,
          outcome: e.outcome,
          errorRate: e.errorRate,
          p95: e.p95,
          reach: e.reach,
          paths: e.paths,
        })),
        validity: r.validity,
      };
    }
  return out;
}

/** sim-change: the shop's files as parsed (fixtures), a diff, and hand-made traces → the blast radius. */
function simChange(): Outputs {
  const out: Outputs = {};
  for (const file of list('simulate-change/', '.json')) {
    const fx = JSON.parse(read(`simulate-change/${file}`)) as {
      diff: string;
      base: Record<string, FileCode>;
      head: Record<string, FileCode>;
      paths: string[];
      servicePaths: Array<{ pathPrefix: string; service: string }>;
      spans: TraceSpan[];
      logs: TraceLog[];
      traffic: EndpointTraffic[];
      edges: Array<{ caller: string; callee: string }>;
    };
    const diff = parseUnifiedDiff(fx.diff);
    const code = analyzeChange({
      diff,
      base: new Map(Object.entries(fx.base)),
      head: new Map(Object.entries(fx.head)),
      paths: new Set(fx.paths),
      servicePaths: fx.servicePaths,
      rules: [{ line: 1, pattern: '/services/cart/', owners: ['@cart-team'] }],
      service: null,
      defaultService: 'shop',
    });
    const runtime = runtimeView(fx.spans, fx.logs, code.runtimeUnits);
    out[file] = buildBlastRadius({
      repository: 'shop',
      base: 'base',
      head: 'head',
      deploy: null,
      service: null,
      window: { since: '2026-12-01T00:00:00.000Z', until: '2026-12-01T01:00:00.000Z', minutes: 60 },
      diff,
      changed: code.changed,
      walked: code.walked,
      walkTruncated: code.truncated,
      runtimeUnits: code.runtimeUnits,
      runtime,
      endpointsSampled: fx.traffic.length,
      traffic: fx.traffic,
      serviceEdges: fx.edges,
      serviceOwners: new Map([['cart', ['@cart-team']]]),
      problems: [],
      tickets: [],
      errorGroups: [],
      patterns: [],
      notes: [],
    });
  }
  return out;
}

/** review: the facts read for three of the shop's commits (test/fixtures/review/, written from the real workflow) → the review. */
function review(): Outputs {
  const out: Outputs = {};
  for (const file of list('review/', '.json')) {
    const facts = JSON.parse(read(`review/${file}`)) as ReviewFacts;
    const r = buildReview(facts);
    out[file.replace(/\.json$/, '')] = {
      tier: r.tier,
      reasons: r.reasons.map((x) => ({ rule: x.rule, finding: x.finding, at: x.at })),
      rollout: r.rollout.text,
      symbols: r.symbols.map((x) => ({ id: x.id, calls: x.callsPerMinute, p95: x.p95Ms, tests: x.tests, hot: x.hot })),
      untestedHot: r.untestedHot,
      config: r.config.map((c) => ({ setting: c.setting, line: c.line, measured: c.measured })),
      owners: r.owners,
      annotations: r.annotations.length,
    };
  }
  return out;
}

/** propose@1: the rules on the investigate fixtures (with a later deploy, the revert instead), the tiers, the replica counts. */
function propose(): Outputs {
  const out: Outputs = {};
  for (const [name, build] of Object.entries(INVESTIGATE_FACTS)) {
    const facts = build();
    const result = buildInvestigation(facts);
    const deploys = [...facts.deploys.values()].flat();
    out[`rules/${name}`] = fromInvestigation(result, deploys);
    const newest = [...deploys].sort((a, b) => Date.parse(b.deployedAt) - Date.parse(a.deployedAt))[0];
    if (newest) {
      const later: Deploy = {
        ...newest,
        id: 99,
        version: `${newest.version}-hotfix`,
        deployedAt: new Date(Date.parse(newest.deployedAt) + 600_000).toISOString(),
      };
      out[`rules/${name}+later-deploy`] = fromInvestigation(result, [...deploys, later]);
    }
  }
  const none = { changed: ['cart'], exposed: [], requestsPerMinute: null, window: null, note: null };
  const called = { ...none, exposed: [{ service: 'web', via: 'web → cart', callsPerMinute: 10 }] };
  const rb = {
    kind: 'rollback',
    service: 'cart',
    environment: '',
    fromVersion: '2',
    toVersion: '1',
    toDeployId: 1,
    toCommit: null,
  } as const;
  const risks: Record<string, Parameters<typeof riskOf>> = {
    'rollback-at-fault': [rb, ['cart'], called],
    'rollback-not-at-fault': [rb, ['payments'], called],
    'scale-up-called': [{ kind: 'scale', service: 'cart', replicas: { from: 2, to: 4 }, hpaMin: null }, [], called],
    'scale-up-alone': [{ kind: 'scale', service: 'cart', replicas: { from: 2, to: 4 }, hpaMin: null }, [], none],
    'scale-down': [{ kind: 'scale', service: 'cart', replicas: { from: 4, to: 2 }, hpaMin: null }, [], none],
    'restart-two': [{ kind: 'restart', services: ['cart', 'web'] }, [], none],
    config: [{ kind: 'config', service: 'cart', name: 'TIMEOUT_MS', from: '800', to: '2000' }, ['cart'], called],
  };
  for (const [name, args] of Object.entries(risks)) out[`risk/${name}`] = riskOf(...args);
  const needs = {
    'cpu-at-95': { current: 2, utilization: 0.95, resource: 'cpu', saturated: false },
    saturated: { current: 3, utilization: Number.POSITIVE_INFINITY, resource: 'pool', saturated: true },
    'under-target': { current: 2, utilization: 0.4, resource: 'cpu', saturated: false },
  };
  for (const [name, n] of Object.entries(needs)) out[`replicas/${name}`] = { to: replicasFor(n, 0.7) };
  return out;
}

/** proposal-outcome@1: fixed before/after minutes — errors down, errors up, slower, unchanged at and before the window's end. */
function proposalOutcome(): Outputs {
  const minutes = (n: number, errors: (i: number) => number, p95: (i: number) => number | null): OutcomeMinute[] =>
    Array.from({ length: n }, (_, i) => ({
      minuteMs: i * 60_000,
      requests: 150 + (i % 7) * 10,
      errors: errors(i),
      p95: p95(i),
    }));
  const before = minutes(
    30,
    (i) => 6 + (i % 3),
    (i) => 80 + (i % 5) * 4,
  );
  return {
    'errors-down': judgeOutcome(
      before,
      minutes(
        10,
        (i) => i % 2,
        (i) => 78 + (i % 5) * 4,
      ),
    ),
    'errors-up': judgeOutcome(
      before,
      minutes(
        3,
        (i) => 30 + i,
        (i) => 82 + i,
      ),
    ),
    slower: judgeOutcome(
      before,
      minutes(
        10,
        (i) => 6 + (i % 3),
        (i) => 160 + i * 3,
      ),
    ),
    unchanged: judgeOutcome(
      before,
      minutes(
        10,
        (i) => 7 + (i % 2),
        (i) => 84 + (i % 3) * 4,
      ),
    ),
    'unchanged-early': judgeOutcome(
      before,
      minutes(
        4,
        (i) => 7 + (i % 2),
        (i) => 84 + (i % 3) * 4,
      ),
    ),
    'no-latency': judgeOutcome(
      minutes(
        30,
        () => 5,
        () => null,
      ),
      minutes(
        10,
        () => 5,
        () => null,
      ),
    ),
  };
}

/** grpc-link: rpcs of two packages linked through a Go server type, a registration whose
 *  function is named unlike its rpc, a C# base class and a Rust trait impl. */
function grpcLink(): Outputs {
  const rpcs = [
    { id: 1, service: 'shop.CartService', method: 'GetCart' },
    { id: 2, service: 'shop.PaymentService', method: 'Charge' },
    { id: 3, service: 'shop.AdService', method: 'GetAds' },
    { id: 4, service: 'other.CartService', method: 'GetCart' },
    { id: 5, service: 'shop.ShippingService', method: 'GetQuote' },
    { id: 6, service: 'shop.CartService', method: 'EmptyCart' },
  ];
  const sym = (id: number, name: string, parent: string | null, startLine: number, kind = 'method') => ({
    id,
    name,
    kind,
    parent,
    startLine,
    endLine: startLine + 5,
  });
  const impl = (service: string, qualifier: string | null, line: number, extra: Record<string, string | null>) => ({
    kind: (extra.handler ? 'handler' : 'type') as 'handler' | 'type',
    service,
    qualifier,
    line,
    typeName: extra.typeName ?? null,
    method: extra.method ?? null,
    handler: extra.handler ?? null,
  });
  const files = [
    {
      id: 10,
      path: 'cart/server.go',
      language: 'go',
      symbols: [sym(100, 'GetCart', 'cartServer', 20)],
      impls: [impl('CartService', 'pb', 5, { typeName: 'cartServer' })],
    },
    { id: 11, path: 'cart/empty.go', language: 'go', symbols: [sym(110, 'EmptyCart', 'cartServer', 3)], impls: [] },
    {
      id: 12,
      path: 'payment/index.js',
      language: 'javascript',
      symbols: [sym(120, 'chargeHandler', null, 4, 'function')],
      impls: [impl('PaymentService', 'pkg.shop', 30, { method: 'charge', handler: 'chargeHandler' })],
    },
    {
      id: 13,
      path: 'ad/Ads.cs',
      language: 'csharp',
      symbols: [sym(130, 'GetAds', 'AdService', 12)],
      impls: [impl('AdService', 'Shop.AdService', 10, { typeName: 'AdService' })],
    },
    {
      id: 14,
      path: 'other/cart.rs',
      language: 'rust',
      symbols: [sym(140, 'get_cart', 'OtherCart', 8)],
      impls: [impl('CartService', 'other', 7, { typeName: 'OtherCart' })],
    },
  ];
  return { links: linkRpcs(rpcs, files) };
}

/**
 * Runners by algorithm name. redact and code-extract have no runner here: their own tests
 * are snapshot tests already (test/redact.test.ts over test/fixtures/redact/cases.txt,
 * test/code-extract.test.ts over test/fixtures/code/**).
 */
/** explain and ask: the hand-made three-service world (test/helpers/answer-world.ts). */
function explainRunner(): Outputs {
  const world = fixtureWorld();
  const out: Outputs = {};
  for (const target of ['placeOrder', 'POST /orders', 'orders', 'orders/place.js:19', '/orders', 'placeOrdr']) {
    const r = resolveTarget(world, target);
    out[target] = r.kind === 'found' ? buildExplain(world, target, r) : r;
  }
  return out;
}

function askRunner(): Outputs {
  const world = fixtureWorld();
  const out: Outputs = {};
  for (const q of [
    'how does POST /checkout reach payments?',
    'what calls placeOrder?',
    'where is "charged card for order o-1 (3 lines)" logged?',
    'who owns the code behind endpoint POST /orders?',
    'where is the basket validated?',
  ])
    out[q] = buildAsk({ question: q, world });
  return out;
}

export const RUNNERS: Record<string, () => Outputs> = {
  explain: explainRunner,
  ask: askRunner,
  patterns,
  errors,
  rca,
  investigate,
  triage,
  'similar-tickets': similarTickets,
  'localize-text': localize,
  'ticket-mentions': mentions,
  'sim-load': simLoad,
  'sim-failure': simFailure,
  'sim-change': simChange,
  review,
  'deploy-verify': deployVerify,
  propose,
  'proposal-outcome': proposalOutcome,
  'grpc-link': grpcLink,
};
