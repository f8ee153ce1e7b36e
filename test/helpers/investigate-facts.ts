// Fixed InvestigationFacts for the investigate version snapshot: what the workflow would have
// read for four subjects (an alert with a deploy, an error group and code; a ticket whose
// users failed, with related tickets; an anonymous ticket; a problem whose own service the
// ranker puts second). Rankings come from the rca worlds; nothing reads a clock.
import type { InvestigationFacts, RcaSignal, ServiceImpactFacts } from '../../src/analysis/index.js';
import { rankRootCauses } from '../../src/analysis/index.js';
import type { Deploy } from '../../src/model/index.js';
import type { EdgeRow, ErrorGroupRow, RedRow } from '../../src/analysis/index.js';
import { loadAlertFacts } from './load-worlds.js';
import { RCA_WORLDS } from './rca-world-cases.js';
import { BASE, INC, MIN, T0, rng, sketch } from './rca-worlds.js';

const iso = (ms: number) => new Date(ms).toISOString();
const windows = {
  incident: INC,
  baseline: { startMs: T0, endMs: INC.startMs },
  bucketMinutes: { baseline: 1, incident: 1 },
};

function ranking(world: string) {
  const w = RCA_WORLDS[world]!();
  return rankRootCauses(w.input, w.options);
}

function deploy(id: number, service: string, version: string, atMs: number): Deploy {
  return {
    id,
    service,
    environment: 'prod',
    version,
    commitSha: `${id}`.repeat(40).slice(0, 40),
    previousCommitSha: id > 1 ? `${id - 1}`.repeat(40).slice(0, 40) : null,
    deployedAt: iso(atMs),
    inferred: false,
    source: 'api',
    attributes: {},
  };
}

const series = (n: number, from: number, level: number) =>
  Array.from({ length: n }, (_, i) => (i >= from ? level + (i % 3) : 0));

function impactOf(service: string, over: Partial<ServiceImpactFacts> = {}): ServiceImpactFacts {
  return {
    service,
    active: { requests: 1600, users: 140, accounts: 30, series: series(8, 0, 200) },
    topGroup: {
      fingerprint: `${service}-fp`,
      type: 'TypeError',
      message: `Cannot read properties of undefined (reading 'price') in ${service}`,
      count: 240,
      users: 42,
      accounts: 9,
      series: series(8, 5, 80),
      trend: 'new',
      firstRelease: '2.4.0',
    },
    entry: { traces: 240, failed: 230, users: 40, accounts: 9, withUser: 200, entries: ['web'], capped: false },
    pattern: null,
    regression: null,
    ...over,
  };
}

const SUSPECT_SHA = '3'.repeat(40);

function alert(): InvestigationFacts {
  const payments = [
    deploy(2, 'payments', '2.3.0', T0 - 90 * MIN),
    deploy(3, 'payments', '2.4.0', INC.startMs - 2 * MIN),
  ];
  return {
    subject: { kind: 'alert', service: 'payments', since: iso(INC.startMs) },
    anchor: { service: 'payments', sinceMs: INC.startMs, untilMs: INC.endMs, tickets: [] },
    ticket: null,
    problem: null,
    subjectGaps: [],
    windows,
    signalGaps: [],
    rca: ranking('n-plus-one'),
    deploys: new Map([['payments', payments]]),
    changes: new Map([['payments', { deploy: payments[1]!, previous: payments[0]! }]]),
    code: {
      locations: [
        {
          repository: 'shop',
          path: 'services/payments/src/charge.js',
          symbol: 'chargeAll',
          startLine: 40,
          endLine: 58,
          owners: ['@shop/payments'],
          score: 1.3,
          sources: [
            { kind: 'loop_call', sha: SUSPECT_SHA, line: 47, edge: 'payments→catalog' },
            { kind: 'changed', sha: SUSPECT_SHA, lines: 6, share: 0.5 },
          ],
          hint: 'calls catalog inside a loop, changed by the deploy',
        },
        {
          repository: 'shop',
          path: 'services/payments/src/catalog-client.js',
          symbol: null,
          startLine: null,
          endLine: null,
          owners: [],
          score: 0.3,
          sources: [{ kind: 'changed', sha: SUSPECT_SHA, lines: 2, share: 0.2 }],
          hint: 'changed by the deploy',
        },
      ],
      suspects: [
        {
          sha: SUSPECT_SHA,
          repository: 'shop',
          authorName: 'Alice Liddell',
          committedAt: iso(T0 - 3 * 60 * MIN),
          subject: 'charge: price each item',
          score: 0.8,
          confidence: 0.7,
          hint: 'changed the localized lines',
          blame: [
            {
              repository: 'shop',
              path: 'services/payments/src/charge.js',
              line: 47,
              sha: SUSPECT_SHA,
              text: 'for (const i of items) await price(i)',
            },
          ],
          owners: ['@shop/payments'],
          files: ['services/payments/src/charge.js'],
        },
      ],
      range: null,
      gaps: [],
    },
    load: [],
    impact: [impactOf('payments'), impactOf('catalog', { topGroup: null, entry: null })],
  };
}

function ticket(): InvestigationFacts {
  const createdMs = INC.endMs + 10 * MIN;
  const fail = new Date(INC.startMs + MIN);
  return {
    subject: { kind: 'ticket', ticketId: 7 },
    anchor: {
      service: 'cart',
      sinceMs: INC.startMs,
      onsetMs: INC.startMs,
      untilMs: INC.endMs,
      tickets: [7, 9],
      text: { title: 'Cart is empty after login', body: 'my cart shows 0 items' },
      prefer: 'cart',
    },
    ticket: {
      ticket: { id: 7, externalId: 'SUP-7', title: 'Cart is empty after login', createdMs },
      text: { title: 'Cart is empty after login', body: 'my cart shows 0 items' },
      related: [
        {
          id: 9,
          externalId: 'SUP-9',
          title: 'Empty cart',
          score: 0.82,
          text: 0.9,
          sharedWords: ['cart', 'empty'],
          sharedEntities: ['user:u-1'],
          hoursApart: 0.5,
          duplicate: true,
          hint: 'same user, same words',
        },
      ],
      pool: 12,
      users: ['u-1', 'u-2'],
      accounts: [],
      linkedServices: ['cart'],
      stampsMs: [],
      mentionsTrace: false,
      activity: [
        {
          service: 'cart',
          requests: 14,
          errors: 9,
          firstError: fail,
          users: ['u-1', 'u-2'],
          traces: ['t1', 't2'],
          failures: [{ message: 'TypeError', errors: 9, first: fail }],
        },
      ],
      downstream: new Map([['cart', ['cart']]]),
      failingGroups: [
        { fingerprint: 'cart-fp', type: 'TypeError', message: 'TypeError', firstSeen: iso(fail.getTime()) },
      ],
      linkedTopGroup: null,
    },
    problem: null,
    subjectGaps: [],
    windows,
    signalGaps: [],
    rca: ranking('no-baseline-edge-errors'),
    deploys: new Map([['cart', []]]),
    changes: new Map(),
    code: null,
    load: [],
    impact: [impactOf('cart'), impactOf('web', { entry: null })],
  };
}

function anonymous(): InvestigationFacts {
  return {
    subject: { kind: 'ticket', ticketId: 11 },
    anchor: { service: null, sinceMs: INC.startMs, untilMs: INC.endMs, tickets: [11], anonymous: true },
    ticket: null,
    problem: null,
    subjectGaps: ['the ticket names no user, account, trace, route or service'],
    windows,
    signalGaps: ['no service to test: the ticket names none'],
    rca: null,
    deploys: new Map(),
    changes: new Map(),
    code: null,
    load: [],
    impact: [],
  };
}

/** The problem is catalog's; the ranker puts payments (the N+1's caller) first. */
function problem(): InvestigationFacts {
  const catalogDeploy = deploy(5, 'catalog', '1.1.0', INC.startMs - 20 * MIN);
  const slow: RcaSignal | undefined = ranking('n-plus-one').services.find((s) => s.service === 'catalog')?.signals[0];
  return {
    subject: { kind: 'problem', problemId: 4 },
    anchor: { service: 'catalog', sinceMs: INC.startMs, untilMs: INC.endMs, tickets: [21], prefer: 'catalog' },
    ticket: null,
    problem: {
      problem: {
        id: 4,
        service: 'catalog',
        title: 'catalog is slow',
        firstSeen: iso(INC.startMs),
        lastSeen: iso(INC.endMs),
        ticketIds: [21],
      },
      tickets: [{ id: 21, externalId: 'SUP-21', title: 'Product pages slow', body: 'takes seconds' }],
    },
    subjectGaps: [],
    windows,
    signalGaps: [],
    rca: ranking('n-plus-one'),
    deploys: new Map([
      ['catalog', [catalogDeploy]],
      ['payments', []],
    ]),
    changes: new Map([['catalog', { deploy: catalogDeploy, previous: null }]]),
    code: null,
    load: [],
    impact: [
      impactOf('catalog', {
        topGroup: null,
        entry: null,
        regression: slow
          ? {
              signal: slow,
              endpoint: 'GET /products/:id',
              thresholdMs: 21,
              hurt: { users: 90, accounts: 20, requests: 450, hurt: 300, withUser: 400 },
            }
          : null,
      }),
    ],
  };
}

/**
 * The problem is cart's new TypeError; in the same window catalog saturates (slower, failing)
 * after a deploy of its own, and cart's calls to catalog show it. The investigation stays on
 * cart: catalog's deploy and rank are another fault's.
 */
function problemAnotherFault(): InvestigationFacts {
  const r = rng(5);
  const red: RedRow[] = [];
  const edges: EdgeRow[] = [];
  const errorGroups: ErrorGroupRow[] = [];
  for (let m = 0; m < 8; m++) {
    const minuteMs = T0 + m * MIN;
    const inc = m >= 5;
    red.push({
      minuteMs,
      service: 'catalog',
      endpoint: 'GET /products',
      requests: 200,
      errors: inc ? 20 : 0,
      latency: sketch(200, inc ? 400 : 30, r),
    });
    red.push({
      minuteMs,
      service: 'cart',
      endpoint: 'GET /cart',
      requests: 100,
      errors: inc ? 30 : 0,
      latency: sketch(100, inc ? 60 : 20, r),
    });
    edges.push({
      minuteMs,
      caller: 'cart',
      callee: 'catalog',
      calls: 100,
      errors: inc ? 10 : 0,
      latency: sketch(100, inc ? 400 : 30, r),
    });
    if (inc)
      errorGroups.push({
        minuteMs,
        service: 'cart',
        key: 'cart-fp',
        count: 30,
        label: "TypeError: Cannot read properties of undefined (reading 'percent')",
      });
  }
  const rca = rankRootCauses({ baseline: BASE, incident: INC, red, patterns: [], errorGroups, edges });
  const catalogDeploy = deploy(6, 'catalog', '3.2.1', INC.startMs - 10 * MIN);
  const cartDeploy = deploy(7, 'cart', '1.4.0', INC.startMs - 3 * MIN);
  return {
    subject: { kind: 'problem', problemId: 2 },
    anchor: { service: 'cart', sinceMs: INC.startMs, untilMs: INC.endMs, tickets: [], prefer: 'cart', stayOn: 'cart' },
    ticket: null,
    problem: {
      problem: {
        id: 2,
        service: 'cart',
        title: "TypeError: Cannot read properties of undefined (reading 'percent')",
        firstSeen: iso(INC.startMs),
        lastSeen: iso(INC.endMs),
        ticketIds: [],
      },
      tickets: [],
    },
    subjectGaps: [],
    windows,
    signalGaps: [],
    rca,
    deploys: new Map([
      ['cart', [cartDeploy]],
      ['catalog', [catalogDeploy]],
    ]),
    changes: new Map([
      ['cart', { deploy: cartDeploy, previous: null }],
      ['catalog', { deploy: catalogDeploy, previous: null }],
    ]),
    code: null,
    load: [],
    impact: [impactOf('cart', { entry: null })],
  };
}

export const INVESTIGATE_FACTS: Record<string, () => InvestigationFacts> = {
  'alert-deploy-code': alert,
  'ticket-users-failed': ticket,
  'anonymous-ticket': anonymous,
  'problem-focus-second': problem,
  'problem-another-fault': problemAnotherFault,
  'alert-load-surge-benign-deploy': () => loadAlertFacts('surge-benign-deploy'),
  'alert-load-surge-slower-deploy': () => loadAlertFacts('surge-slower-deploy'),
  'alert-n-plus-one-caller': () => loadAlertFacts('n-plus-one-caller'),
};
