// The analysis read API in process on PGlite: the fixture matrix (patterns, error groups,
// services and the graph, from rows written straight into the minute tables), then the
// default window, the trend rule and bytea decoding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type MinuteWindow, bytesOf } from '../src/store/index.js';
import { listServices, resolveWindow, serviceActivity, trendOf } from '../src/workflows/index.js';
import { analysisCases, checkAnalysisCase } from './helpers/analysis-fixtures.js';
import { clearAnalysis, seedAnalysis } from './helpers/analysis-seed.js';
import { type InProcess, inProcessOrrery } from './helpers/server.js';

describe('analysis read API (PGlite)', () => {
  let o: InProcess;
  before(async () => {
    o = await inProcessOrrery();
  });
  after(() => o.cleanup());

  const get = async (url: string) => {
    const res = await o.server.api.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() as unknown };
  };

  for (const c of analysisCases()) {
    it(`fixture ${c.name}: ${c.why.split('.')[0]}`, () => checkAnalysisCase(c, o.store.db, get));
  }

  it("one service's activity (requests, users, accounts, series) is what the service list says of it", async () => {
    let compared = 0;
    for (const c of analysisCases()) {
      await clearAnalysis(o.store.db);
      await seedAnalysis(o.store.db, c.rows);
      // The windows the case's own requests ask for.
      const windows = c.requests
        .map((r) => new URL(r, 'http://x').searchParams)
        .filter((p) => p.get('since') !== null && p.get('until') !== null)
        .map((p) => ({
          since: new Date(p.get('since')!),
          until: new Date(p.get('until')!),
          ...(p.get('buckets') ? { buckets: Number(p.get('buckets')) } : {}),
        }))
        .filter((w) => w.since < w.until && (w.buckets === undefined || w.buckets >= 1));
      for (const window of windows) {
        const list = await listServices({ store: o.store }, window);
        for (const s of list.services) {
          const one = await serviceActivity({ store: o.store }, { ...window, service: s.service });
          assert.deepEqual(
            one,
            { requests: s.requests, users: s.users, accounts: s.accounts, series: s.series },
            `${c.name}: ${s.service}`,
          );
          compared++;
        }
      }
    }
    assert.ok(compared > 0, 'the fixtures have services');
    assert.equal(await serviceActivity({ store: o.store }, { service: 'no-such-service' }), null);
  });

  it('reads the last hour by default, in whole minutes', async () => {
    const minute = (agoMin: number) =>
      new Date(Math.floor(Date.now() / 60_000) * 60_000 - agoMin * 60_000).toISOString();
    await clearAnalysis(o.store.db);
    await seedAnalysis(o.store.db, {
      log_pattern: [
        {
          service: 'cart',
          algorithm: 'patterns@3',
          pattern_key: 'recent',
          template: 'recent <*>',
          first_seen: minute(30),
          count: 3,
        },
        {
          service: 'cart',
          algorithm: 'patterns@3',
          pattern_key: 'old',
          template: 'old <*>',
          first_seen: minute(200),
          count: 3,
        },
      ],
      pattern_minute: [
        { minute: minute(0), service: 'cart', pattern_key: 'recent', count: 2 },
        { minute: minute(30), service: 'cart', pattern_key: 'recent', count: 1 },
        { minute: minute(90), service: 'cart', pattern_key: 'old', count: 3 },
      ],
    });
    const { status, body } = await get('/api/patterns');
    assert.equal(status, 200);
    const b = body as {
      window: { since: string; until: string; buckets: number };
      patterns: Array<{ key: string; count: number; series: number[] }>;
    };
    assert.deepEqual(
      b.patterns.map((p) => [p.key, p.count]),
      [['recent', 3]],
    );
    const span = Date.parse(b.window.until) - Date.parse(b.window.since);
    assert.equal(span, 60 * 60_000);
    assert.equal(b.window.buckets, 12);
    assert.equal(b.patterns[0]!.series.at(-1), 2, 'the current minute is in the last bucket');
    const ages = await get('/api/patterns?since=3h&until=1h');
    assert.deepEqual(
      (ages.body as { patterns: Array<{ key: string }> }).patterns.map((p) => p.key),
      ['old'],
    );
  });

  it('states its trend rule: ×2 against the earlier rate, by at least 3 events', () => {
    const w: MinuteWindow = resolveWindow({
      since: new Date('2026-11-22T11:00:00Z'),
      until: new Date('2026-11-22T12:00:00Z'),
    });
    assert.equal(w.recentSince.toISOString(), '2026-11-22T11:45:00.000Z');
    const old = new Date('2026-11-01T00:00:00Z');
    assert.equal(trendOf(4, 4, new Date('2026-11-22T11:45:00Z'), w), 'new');
    assert.equal(trendOf(30, 10, old, w), 'steady', 'rate as before: 20 in 45 min, 10 in 15');
    assert.equal(trendOf(34, 14, old, w), 'rising', '14 ≥ 2 × 6.7, and 7.3 more');
    assert.equal(trendOf(33, 13, old, w), 'steady', '13 < 2 × 6.7');
    assert.equal(trendOf(3, 3, old, w), 'rising', 'back after silence, by 3');
    assert.equal(trendOf(2, 2, old, w), 'steady', 'back after silence, by 2 only');
    assert.equal(trendOf(45, 3, old, w), 'falling', '3 ≤ 14/2 and 11 fewer');
    assert.equal(trendOf(6, 0, old, w), 'steady', '0 against 2 expected is noise');
    assert.equal(trendOf(5, 5, null, w), 'rising', 'unknown first seen is never new');
    assert.equal(
      trendOf(0, 0, new Date('2026-11-22T12:10:00Z'), w),
      'steady',
      'first seen after the window is not new in it',
    );
  });

  it('rounds the window to whole minutes and refuses a bad one', () => {
    const w = resolveWindow({
      since: new Date('2026-11-22T11:00:30Z'),
      until: new Date('2026-11-22T11:02:10Z'),
      buckets: 12,
    });
    assert.deepEqual(
      [w.since.toISOString(), w.until.toISOString(), w.buckets],
      ['2026-11-22T11:01:00.000Z', '2026-11-22T11:03:00.000Z', 2],
    );
    const hour = resolveWindow({}, new Date('2026-11-22T11:59:30Z'));
    assert.deepEqual(
      [hour.since.toISOString(), hour.until.toISOString(), hour.bucketMs],
      ['2026-11-22T11:00:00.000Z', '2026-11-22T12:00:00.000Z', 300_000],
    );
    assert.throws(
      () => resolveWindow({ since: new Date(0), until: new Date('2026-11-22T11:00:00Z') }),
      /longer than 31 days/,
    );
    assert.throws(
      () => resolveWindow({ since: new Date('2026-11-22T11:00:00Z'), until: new Date('2026-11-22T11:00:00Z') }),
      /must be before/,
    );
  });

  it('reads bytea from either backend: Uint8Array, Buffer or hex text', () => {
    const buf = Buffer.from([0, 1, 2, 3, 4]).subarray(1, 4);
    assert.deepEqual([...bytesOf(buf)!], [1, 2, 3]);
    assert.ok(!Buffer.isBuffer(bytesOf(buf)));
    assert.deepEqual([...bytesOf('\\x0aff')!], [10, 255]);
    assert.equal(bytesOf(null), null);
  });
});
