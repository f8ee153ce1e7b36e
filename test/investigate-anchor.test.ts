// The anchor decisions of investigate, on fixtures: an alert's subject refused or anchored; a
// ticket's failing services ordered downstream first, its service, its anonymity and gaps; a
// long problem clamped to its last 6 h; the windows and their bucket sizes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type TicketSubjectFacts,
  type UserActivity,
  alertAnchor,
  failingOrder,
  investigationWindows,
  problemAnchor,
  ticketAnchor,
} from '../src/analysis/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const CREATED = NOW - 10 * MIN;

function activity(service: string, errors: number, firstErrorMs: number | null = null): UserActivity {
  return {
    service,
    requests: 20,
    errors,
    firstError: firstErrorMs === null ? null : new Date(firstErrorMs),
    users: ['u-1'],
    traces: ['t1'],
    failures: firstErrorMs === null ? [] : [{ message: 'boom', errors, first: new Date(firstErrorMs) }],
  };
}

function ticketFacts(over: Partial<TicketSubjectFacts> = {}): TicketSubjectFacts {
  return {
    ticket: { id: 7, externalId: 'HD-7', title: 'Checkout broken', createdMs: CREATED },
    text: { title: 'Checkout broken', body: 'it fails' },
    related: [],
    pool: 0,
    users: [],
    accounts: [],
    linkedServices: [],
    stampsMs: [],
    mentionsTrace: false,
    activity: [],
    downstream: new Map(),
    failingGroups: null,
    linkedTopGroup: null,
    ...over,
  };
}

describe('alertAnchor', () => {
  it('refuses a since that is no time or not in the past, and anchors the rest at now', () => {
    assert.deepEqual(alertAnchor({ kind: 'alert', service: 'web', since: 'soon' }, NOW), {
      error: 'since "soon" is not a time',
    });
    assert.deepEqual(alertAnchor({ kind: 'alert', service: 'web', since: new Date(NOW).toISOString() }, NOW), {
      error: 'since must be in the past',
    });
    assert.deepEqual(
      alertAnchor({ kind: 'alert', service: 'web', since: new Date(NOW - HOUR).toISOString(), endpoint: 'GET /' }, NOW),
      { service: 'web', sinceMs: NOW - HOUR, untilMs: NOW, tickets: [], endpoint: 'GET /' },
    );
  });
});

describe('failingOrder', () => {
  it('puts a failing service that calls another failing one after it', () => {
    const web = activity('web', 5);
    const cart = activity('cart', 3);
    const down = new Map([
      ['web', ['web', 'cart']],
      ['cart', ['cart']],
    ]);
    assert.deepEqual(
      failingOrder([web, cart, activity('search', 0)], down).map((a) => a.service),
      ['cart', 'web'],
    );
    // Calling each other: neither is upstream of the other, the activity's order stays.
    const loop = new Map([
      ['web', ['web', 'cart']],
      ['cart', ['cart', 'web']],
    ]);
    assert.deepEqual(
      failingOrder([web, cart], loop).map((a) => a.service),
      ['web', 'cart'],
    );
  });
});

describe('ticketAnchor', () => {
  it("anchors on where the users failed, the onset at their main failure, the ticket's duplicates included", () => {
    const { anchor, gaps } = ticketAnchor(
      ticketFacts({
        users: ['u-1'],
        activity: [activity('web', 2, CREATED - 40 * MIN), activity('cart', 4, CREATED - 30 * MIN)],
        downstream: new Map([['web', ['web', 'cart']]]),
        failingGroups: [],
        related: [
          {
            id: 8,
            externalId: 'HD-8',
            title: 'same',
            score: 0.9,
            text: 0.9,
            sharedWords: ['checkout'],
            sharedEntities: [],
            hoursApart: 1,
            duplicate: true,
            hint: 'same words',
          },
        ],
      }),
      NOW,
    );
    assert.deepEqual(gaps, []);
    assert.equal(anchor.service, 'cart');
    assert.equal(anchor.prefer, 'cart');
    assert.equal(anchor.onsetMs, CREATED - 30 * MIN);
    assert.equal(anchor.sinceMs, CREATED - 30 * MIN);
    assert.equal(anchor.untilMs, NOW, 'the window closes at now, before the 30 min after the ticket');
    assert.deepEqual(anchor.tickets, [7, 8]);
    assert.equal(anchor.anonymous, false);
  });

  it('with no failure, takes the linked service and says the users did not fail', () => {
    const { anchor, gaps } = ticketAnchor(
      ticketFacts({
        users: ['u-1'],
        linkedServices: ['cart'],
        linkedTopGroup: { firstSeen: new Date(CREATED - 2 * HOUR).toISOString() },
      }),
      NOW,
    );
    assert.equal(anchor.service, 'cart');
    assert.equal(anchor.sinceMs, CREATED - 2 * HOUR, "the top group's first occurrence dates it");
    assert.equal(anchor.prefer, undefined);
    assert.deepEqual(gaps, ["no failed request of the ticket's users or accounts (1) in the 24 h before it"]);
  });

  it('names an anonymous ticket, and one that links to no service with telemetry', () => {
    const anon = ticketAnchor(ticketFacts(), NOW);
    assert.equal(anon.anchor.service, null);
    assert.equal(anon.anchor.anonymous, true);
    assert.equal(anon.anchor.sinceMs, CREATED - 30 * MIN);
    assert.match(anon.gaps.join(), /names no user, account, trace, route or service/);
    const traced = ticketAnchor(ticketFacts({ mentionsTrace: true }), NOW);
    assert.equal(traced.anchor.anonymous, false);
    assert.deepEqual(traced.gaps, ['the ticket links to no service with telemetry']);
  });
});

describe('problemAnchor', () => {
  const problem = {
    id: 3,
    service: 'cart',
    title: 'TypeError in cart',
    firstSeen: new Date(NOW - 10 * HOUR).toISOString(),
    lastSeen: new Date(NOW - 20 * MIN).toISOString(),
    ticketIds: [4, 5],
  };
  it('looks at a long problem over its last 6 h, said in a gap, focused on its service', () => {
    const { anchor, gaps } = problemAnchor({ problem, tickets: [] }, NOW);
    assert.equal(anchor.untilMs, NOW - 15 * MIN, 'five minutes past its last sighting');
    assert.equal(anchor.sinceMs, NOW - 15 * MIN - 6 * HOUR);
    assert.equal(anchor.prefer, 'cart');
    assert.deepEqual(anchor.text, { title: 'TypeError in cart', body: '' });
    assert.deepEqual(gaps, [
      `the problem began at ${problem.firstSeen}; only its last 6 h are compared with the baseline before them`,
    ]);
  });
  it("takes its tickets' words, and says when it names no service", () => {
    const { anchor, gaps } = problemAnchor(
      {
        problem: { ...problem, service: null, firstSeen: new Date(NOW - HOUR).toISOString() },
        tickets: [
          { id: 4, externalId: 'HD-4', title: 'a', body: 'x' },
          { id: 5, externalId: 'HD-5', title: 'b', body: 'y' },
        ],
      },
      NOW,
    );
    assert.deepEqual(anchor.text, { title: 'a\nb', body: 'x\ny' });
    assert.equal(anchor.prefer, undefined);
    assert.deepEqual(gaps, ['problem 3 names no service']);
  });
});

describe('investigationWindows', () => {
  it('floors to minutes, takes a baseline three times the window within [30 min, 6 h], in buckets', () => {
    const short = investigationWindows({ sinceMs: NOW - 5 * MIN + 30_000, untilMs: NOW + 10_000 });
    assert.deepEqual(short.incident, { startMs: NOW - 5 * MIN, endMs: NOW + MIN });
    assert.deepEqual(short.baseline, { startMs: NOW - 35 * MIN, endMs: NOW - 5 * MIN }, 'at least 30 min');
    assert.deepEqual(short.bucketMinutes, { baseline: 1, incident: 1 });
    const long = investigationWindows({ sinceMs: NOW - 4 * HOUR, untilMs: NOW });
    assert.equal(long.baseline.endMs - long.baseline.startMs, 6 * HOUR, 'at most 6 h');
    assert.deepEqual(long.bucketMinutes, { baseline: 12, incident: 17 });
    const mid = investigationWindows({ sinceMs: NOW - 59 * MIN, untilMs: NOW }, { baselineFactor: 2 });
    assert.equal(mid.baseline.endMs - mid.baseline.startMs, 2 * HOUR);
  });
});
