// When a ticket's trouble began. The customer remembers "since about" a time minutes before the
// deploy that broke things; the user also failed once, earlier, for an unrelated reason; and the
// service's most frequent error is an older one. The onset follows the user's main failure and
// its error group, so the deploy just before it is found (and the remembered time only widens
// the window). The pure choice is checked on its own first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type OnsetGroup, groupOfMessage, ticketOnset } from '../src/analysis/index.js';
import type { Investigation } from '../src/model/index.js';
import { seedAnalysis } from './helpers/analysis-seed.js';
import { span } from './helpers/records.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

const MIN = 60_000;
const PERCENT = "Cannot read properties of undefined (reading 'percent')";
const TIMEOUT = 'inventory did not answer within 2000 ms';

describe('ticketOnset', () => {
  const groups: OnsetGroup[] = [
    { fingerprint: 'fp-timeout', type: 'TimeoutError', message: TIMEOUT, firstSeen: '2026-12-01T09:00:00.000Z' },
    { fingerprint: 'fp-percent', type: 'TypeError', message: PERCENT, firstSeen: '2026-12-01T10:00:20.000Z' },
  ];
  const lookBack = Date.parse('2026-12-01T04:00:00.000Z');

  it("follows the users' main failure to its own group, not the service's most frequent one", () => {
    const failures = [
      { message: TIMEOUT, errors: 1, firstMs: Date.parse('2026-12-01T09:45:00.000Z') },
      { message: `TypeError: ${PERCENT}`, errors: 6, firstMs: Date.parse('2026-12-01T10:01:00.000Z') },
    ];
    const onset = ticketOnset(failures, groups, lookBack);
    assert.equal(onset?.group?.fingerprint, 'fp-percent');
    assert.equal(new Date(onset!.onsetMs).toISOString(), '2026-12-01T10:00:20.000Z');
  });

  it('keeps the first failure when no group has its message, and takes the top group when the failure has none', () => {
    const at = Date.parse('2026-12-01T10:01:00.000Z');
    assert.equal(ticketOnset([{ message: 'disk full', errors: 3, firstMs: at }], groups, lookBack)?.onsetMs, at);
    assert.equal(groupOfMessage(groups, null)?.fingerprint, 'fp-timeout');
    // A group first seen before the look-back is not this trouble's start.
    assert.equal(
      ticketOnset([{ message: null, errors: 3, firstMs: at }], groups, Date.parse('2026-12-01T09:30:00.000Z'))?.onsetMs,
      at,
    );
    assert.equal(ticketOnset([], groups, lookBack), null);
  });
});

describe('a ticket investigation dates the trouble by telemetry', () => {
  let o: InProcess;
  const now = Math.floor(Date.now() / MIN) * MIN;
  const deployAt = now - 20 * MIN + 17_000;
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  let ticketId: number;
  before(async () => {
    o = await inProcessOrrery();
    const user = 'u-417';
    let n = 0;
    const call = (ms: number, message: string | null) => {
      n += 1;
      const ns = ms * 1e6;
      return span({
        traceId: n.toString(16).padStart(32, '0'),
        spanId: n.toString(16).padStart(16, '0'),
        userId: user,
        accountId: 'acct-3',
        startTimeUnixNano: ns,
        endTimeUnixNano: ns + 5e6,
        durationNano: 5e6,
        statusCode: message ? 2 : 0,
        statusMessage: message ?? '',
        events: [],
      });
    };
    await o.store.writeTelemetry({
      logs: [],
      metrics: [],
      spans: [
        ...[50, 40, 30, 25].map((m) => call(deployAt - m * MIN, null)),
        call(deployAt - 15 * MIN, TIMEOUT),
        ...[0, 1, 2, 3, 4, 5].map((k) => call(deployAt + 40_000 + k * MIN, `TypeError: ${PERCENT}`)),
      ],
    });
    const minute = (ms: number) => new Date(Math.floor(ms / MIN) * MIN).toISOString();
    await seedAnalysis(o.store.db, {
      service: [{ name: 'cart' }],
      error_group: [
        {
          service: 'cart',
          algorithm: 'errors@1',
          fingerprint: 'fp-timeout',
          type: 'TimeoutError',
          message: TIMEOUT,
          frames: [],
          first_seen: minute(deployAt - 60 * MIN),
          last_seen: minute(now - MIN),
          count: 600,
        },
        {
          service: 'cart',
          algorithm: 'errors@1',
          fingerprint: 'fp-percent',
          type: 'TypeError',
          message: PERCENT,
          frames: [],
          first_seen: new Date(deployAt + 20_000).toISOString(),
          last_seen: minute(now - MIN),
          count: 100,
        },
      ],
      error_minute: [
        ...Array.from({ length: 79 }, (_, i) => ({
          minute: minute(deployAt - 60 * MIN + i * MIN),
          service: 'cart',
          fingerprint: 'fp-timeout',
          count: 8,
          users: [`t${i}`],
        })),
        ...Array.from({ length: 19 }, (_, i) => ({
          minute: minute(deployAt + MIN + i * MIN),
          service: 'cart',
          fingerprint: 'fp-percent',
          count: 5,
          users: [user, `p${i}`],
        })),
      ],
    });
    for (const [service, version, at] of [
      ['cart', 'cart/v1.3.1', deployAt - 3 * 3_600_000],
      ['cart', 'cart/v1.4.0', deployAt],
    ] as const) {
      const res = await o.server.api.inject({
        method: 'POST',
        url: '/api/deploys',
        payload: { service, version, at: new Date(at).toISOString() },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    // Remembered as a little more than ten minutes before the deploy, as people do.
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/api/tickets',
      payload: {
        source: 'helpdesk',
        id: 'HD-9',
        title: 'Cart total shows NaN',
        body: `I am user u-417. The cart total has been broken since ${hhmm(deployAt - 11 * MIN)}Z, it says NaN.`,
        createdAt: new Date(now - 5 * MIN).toISOString(),
      },
    });
    assert.equal(res.statusCode, 200, res.body);
    ticketId = res.json().tickets[0].id;
  });
  after(() => o.cleanup());

  it("finds the deploy just before the user's main failure, and keeps the remembered time in the window", async () => {
    const res = await o.server.api.inject({
      method: 'POST',
      url: '/api/investigations',
      payload: { subject: { kind: 'ticket', ticketId } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const inv = res.json().investigation as Investigation;
    const said =
      inv.result.findings.map((f) => `${f.id} ${f.kind}: ${f.title}`).join('\n') +
      `\ngaps: ${inv.result.gaps.join('; ')}`;
    const change = inv.result.findings.find((f) => f.kind === 'change');
    assert.equal(change?.data.version, 'cart/v1.4.0', said);
    assert.equal(inv.result.window.onset, new Date(deployAt + 20_000).toISOString());
    assert.ok(
      Date.parse(inv.result.window.since) <= deployAt - 11 * MIN,
      `the window ${inv.result.window.since} starts by the remembered time`,
    );
  });
});
