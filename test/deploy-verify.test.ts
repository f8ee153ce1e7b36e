// deploy-verify@1's core on generated minute rows (test/helpers/verify-worlds): its false-alarm
// rate on no-change worlds, a clear regression called before the watch window ends, a change
// under way before the deploy not called, and the controls (load, a callee's deploy, traffic).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DDSketch } from '../src/analysis/index.js';
import { minuteRankRise, verifyDeploy } from '../src/analysis/verify/index.js';
import { DEPLOY_AT, MIN, verifyWorld } from './helpers/verify-worlds.js';

describe('minuteRankRise', () => {
  it('is exact: every after-minute above every baseline minute has p = 1 / C(n+k, k)', () => {
    assert.ok(Math.abs(minuteRankRise([1, 2, 3], [4, 5]) - 1 / 10) < 1e-12);
    assert.ok(Math.abs(minuteRankRise([1, 2, 3, 4, 5, 6], [7, 8, 9]) - 1 / 84) < 1e-12);
    // Ties count against a rise.
    assert.equal(minuteRankRise([5, 5, 5], [5]), 1);
    assert.ok(minuteRankRise([1, 2, 3], [0.5]) === 1);
  });
});

describe('verifyDeploy on no-change worlds', () => {
  it('calls at most 1% of 400 pseudo-deploys regressed at the default setting', () => {
    let regressed = 0;
    let healthy = 0;
    const calls: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const { verification: v } = verifyDeploy(verifyWorld({ seed }));
      if (v.verdict === 'regressed') {
        regressed++;
        calls.push(`${seed}: ${v.summary}`);
      }
      if (v.verdict === 'healthy') healthy++;
    }
    assert.ok(regressed <= 4, `false alarms ${regressed}/400:\n${calls.join('\n')}`);
    assert.ok(healthy >= 380, `healthy ${healthy}/400`);
  });

  it('is watching until the window ends, with decidedAt null', () => {
    const { verification: v } = verifyDeploy(verifyWorld({ seed: 3, minutesAfter: 4 }));
    assert.equal(v.verdict, 'watching');
    assert.equal(v.decidedAt, null);
    assert.equal(v.decided, 0);
    assert.equal(v.watch.looks, 5);
  });
});

describe('verifyDeploy on a regression', () => {
  it('calls an error-share rise at the deploy regressed within the first minutes', () => {
    const { verification: v } = verifyDeploy(verifyWorld({ seed: 11, change: { fromMinute: 0, errorShare: 0.1 } }));
    assert.equal(v.verdict, 'regressed');
    assert.equal(v.regressed, 1);
    const decided = Date.parse(v.decidedAt!);
    assert.ok(decided - DEPLOY_AT <= 3 * MIN, `decided ${(decided - DEPLOY_AT) / 1000} s after the deploy`);
    const f = v.findings.find((x) => x.kind === 'regression');
    assert.ok(f, JSON.stringify(v.findings.map((x) => x.title)));
    assert.equal(f.test?.family, 'error-rate');
    assert.ok(f.evidence[0]?.query?.startsWith('/api/services?service=cart'));
  });

  it('calls a new error group regressed, with the group as evidence', () => {
    const { verification: v } = verifyDeploy(
      verifyWorld({ seed: 12, change: { fromMinute: 0, newErrorsPerMinute: 8 } }),
    );
    assert.equal(v.verdict, 'regressed');
    const f = v.findings.find((x) => x.kind === 'new_error_group');
    assert.ok(f);
    assert.equal(f.evidence[0]?.kind, 'error_group');
    assert.equal(f.evidence[0]?.ref, 'new');
  });

  it('calls a new WARN pattern, more calls per request, and slower self time', () => {
    for (const change of [
      { fromMinute: 0, newWarnPerRequest: 0.05 },
      { fromMinute: 0, callsPerRequest: 3 },
      { fromMinute: 0, selfTimeFactor: 3 },
      { fromMinute: 0, latencyFactor: 3 },
    ]) {
      const { verification: v } = verifyDeploy(verifyWorld({ seed: 13, change }));
      assert.equal(v.verdict, 'regressed', `${JSON.stringify(change)}: ${v.summary}`);
      assert.ok(Date.parse(v.decidedAt!) < Date.parse(v.watch.endsAt), 'called before the window ends');
    }
  });

  it("splits calls per request by the calling version: the deploy's own minute counts, so the call comes a minute sooner", () => {
    let sooner = 0;
    for (const seed of [31, 32, 33, 34]) {
      const world = verifyWorld({ seed, change: { fromMinute: 0, callsPerRequest: 3 } });
      const byVersion = verifyDeploy(world).verification;
      const byTime = verifyDeploy({ ...world, edges: world.edges.map((e) => ({ ...e, version: '' })) }).verification;
      assert.equal(byVersion.verdict, 'regressed', byVersion.summary);
      assert.equal(byTime.verdict, 'regressed', byTime.summary);
      const [a, b] = [Date.parse(byVersion.decidedAt!), Date.parse(byTime.decidedAt!)];
      assert.ok(a <= b, `seed ${seed}: by version ${a - DEPLOY_AT} ms, by time ${b - DEPLOY_AT} ms`);
      if (a < b) sooner++;
    }
    assert.ok(sooner >= 3, `sooner on ${sooner} of 4 worlds`);
  });

  it('splits by time when the telemetry names no version', () => {
    const { verification: v } = verifyDeploy(
      verifyWorld({ seed: 14, versioned: false, change: { fromMinute: 0, errorShare: 0.1 } }),
    );
    assert.equal(v.verdict, 'regressed');
  });
});

describe('verifyDeploy controls', () => {
  it('does not call a rise that started before the deploy', () => {
    for (const seed of [21, 22, 23]) {
      const { verification: v } = verifyDeploy(verifyWorld({ seed, change: { fromMinute: -4, errorShare: 0.1 } }));
      assert.notEqual(v.verdict, 'regressed', v.summary);
      assert.ok(v.findings.some((f) => f.kind === 'pre_existing'));
      assert.ok(v.controls.preExisting.length > 0);
    }
  });

  it('hedges a rise that follows a load change: inconclusive, the load named', () => {
    const { verification: v } = verifyDeploy(
      verifyWorld({ seed: 31, change: { fromMinute: 0, trafficFactor: 3, errorShare: 0.1 } }),
    );
    assert.equal(v.verdict, 'inconclusive', v.summary);
    // A load change alone, with nothing rising, hedges too.
    const calm = verifyDeploy(verifyWorld({ seed: 33, change: { fromMinute: 0, trafficFactor: 3 } })).verification;
    assert.equal(calm.verdict, 'inconclusive', calm.summary);
    assert.equal(v.controls.load?.changed, true);
    assert.ok(v.findings.some((f) => f.kind === 'confounded'));
    assert.ok(v.findings.some((f) => f.kind === 'load_change' && /3\.0×|2\.\d×|3\.\d×/.test(f.title)));
  });

  it("puts a rise down to a callee's concurrent deploy that changed its own service", () => {
    const totals = [];
    const r = (i: number) => {
      const s = new DDSketch();
      for (let k = 0; k < 50; k++) s.add(i >= 0 ? 200 : 20);
      return s;
    };
    const m0 = Math.floor(DEPLOY_AT / MIN) * MIN;
    for (let i = -30; i <= 10; i++) totals.push({ minuteMs: m0 + i * MIN, requests: 50, errors: 0, latency: r(i) });
    const otherDeploys = [
      { id: 9, service: 'catalog', version: '3.0.0', deployedAtMs: m0 - 30_000, relation: 'callee' as const, totals },
    ];
    const { verification: v } = verifyDeploy(
      verifyWorld({ seed: 32, otherDeploys, change: { fromMinute: 0, latencyFactor: 3 } }),
    );
    assert.equal(v.verdict, 'inconclusive', v.summary);
    assert.equal(v.controls.otherDeploys[0]?.changed, true);
    assert.ok(v.findings.some((f) => f.kind === 'other_deploy'));
    // Its own self time is not a callee's doing: still regressed.
    const own = verifyDeploy(verifyWorld({ seed: 32, otherDeploys, change: { fromMinute: 0, selfTimeFactor: 3 } }));
    assert.equal(own.verification.verdict, 'regressed', own.verification.summary);
  });

  it('is inconclusive with too little traffic at the window end', () => {
    const { verification: v } = verifyDeploy(verifyWorld({ seed: 41, requestsPerMinute: 5 }));
    assert.equal(v.verdict, 'inconclusive');
    assert.ok(v.findings.some((f) => f.kind === 'traffic'));
  });
});
