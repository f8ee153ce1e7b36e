// The load judgement of investigate, on fixtures (test/helpers/load-worlds): a surge at the entry
// with a benign deploy names the load and no culprit; the same surge with a deploy already slower
// at the same load blames the deploy; an N+1 in the caller is not a load change. And the version
// comparison alone: matched load, no earlier version, too little to compare.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type VersionMinute,
  buildInvestigation,
  compareVersions,
  judgeLoadChange,
  rankRootCauses,
} from '../src/analysis/index.js';
import { findingsOf } from '../src/model/index.js';
import { loadAlertFacts, loadWorld } from './helpers/load-worlds.js';
import { MIN, T0, rng, sketch } from './helpers/rca-worlds.js';

describe('judgeLoadChange', () => {
  it('names the entry and its rise when a benign deploy ran like the one before at the same load', () => {
    const w = loadWorld('surge-benign-deploy');
    const lc = judgeLoadChange(w.load, rankRootCauses(w.input), w.windows, w.change, w.windows.incident.startMs);
    assert.ok(lc);
    assert.equal(lc.explains, true);
    assert.deepEqual(lc.entry, {
      service: 'web',
      endpoint: 'GET /products',
      baselinePerMinute: 100,
      incidentPerMinute: 300,
      ratio: 3,
    });
    assert.equal(lc.version?.verdict, 'same');
    assert.equal(lc.version?.previous, '3.2.0');
    // 3.2.1's minutes before the onset's.
    assert.deepEqual(lc.version?.matched, { previous: 200, deployed: 300 });
  });

  it('keeps the deploy when its version was slower at the same load', () => {
    const w = loadWorld('surge-slower-deploy');
    const lc = judgeLoadChange(w.load, rankRootCauses(w.input), w.windows, w.change, w.windows.incident.startMs);
    assert.ok(lc);
    assert.equal(lc.explains, false);
    assert.equal(lc.version?.verdict, 'worse');
    assert.ok(lc.version!.p50!.deployed > 1.5 * lc.version!.p50!.previous);
  });

  it('is no load change when a caller calls more per request (an N+1), for the callee or the caller', () => {
    const w = loadWorld('n-plus-one-caller');
    const rca = rankRootCauses(w.input);
    assert.equal(judgeLoadChange(w.load, rca, w.windows, w.change, w.windows.incident.startMs), null);
    assert.equal(
      judgeLoadChange({ ...w.load, service: 'web' }, rca, w.windows, null, w.windows.incident.startMs),
      null,
    );
  });

  it("reads a symptom caller's extra calls as retries of the service's failures, not an N+1", () => {
    const w = loadWorld('surge-benign-deploy');
    const rca = rankRootCauses(w.input);
    const web = rca.services.find((s) => s.service === 'web')!;
    assert.deepEqual(web.symptomOf, ['catalog']);
    const retries = {
      ...web.signals[0]!,
      kind: 'edge-fanout' as const,
      key: 'web→catalog',
      baseline: 1,
      incident: 1.3,
      unit: 'calls per request',
      q: 1e-4,
    };
    const withRetries = {
      ...rca,
      services: rca.services.map((s) => (s === web ? { ...s, signals: [...s.signals, retries] } : s)),
    };
    const at = w.windows.incident.startMs;
    assert.equal(judgeLoadChange(w.load, withRetries, w.windows, w.change, at)?.explains, true);
    const notSymptom = {
      ...withRetries,
      services: withRetries.services.map((s) => (s.service === 'web' ? { ...s, symptomOf: [] } : s)),
    };
    assert.equal(judgeLoadChange(w.load, notSymptom, w.windows, w.change, at), null, 'an N+1 of a caller of its own');
  });

  it('is no load change for a service the ranker did not score', () => {
    const w = loadWorld('surge-benign-deploy');
    const rca = rankRootCauses(w.input);
    assert.equal(
      judgeLoadChange({ ...w.load, service: 'payments' }, rca, w.windows, w.change, w.windows.incident.startMs),
      null,
    );
  });
});

describe('compareVersions', () => {
  const w = loadWorld('surge-benign-deploy');
  const before = { beforeMs: w.windows.incident.startMs, bucketSeconds: 60 };
  it('compares only minutes before the window, each at a load the other version also served', () => {
    // 3.2.1 also served 3× the load in the window, much slower: not compared with 3.2.0's lighter minutes.
    const v = compareVersions(w.load.versions, w.change, before);
    assert.equal(v.verdict, 'same');
    assert.deepEqual(v.matched, { previous: 200, deployed: 300 });
  });
  it('says `first` when no earlier version served in the read, and `unknown` with too few requests', () => {
    const mine = w.load.versions.filter((v) => v.version === '3.2.1');
    assert.equal(compareVersions(mine, { ...w.change, previous: null }, before).verdict, 'first');
    const r = rng(3);
    const few: VersionMinute[] = [
      { minuteMs: T0, version: '3.2.0', requests: 10, errors: 0, latency: sketch(10, 30, r) },
      { minuteMs: T0 + 3 * MIN, version: '3.2.1', requests: 10, errors: 0, latency: sketch(10, 30, r) },
    ];
    assert.equal(compareVersions(few, w.change, before).verdict, 'unknown');
  });
  it("leaves out the deployed version's cold start: the buckets mostly inside its first 30 s", () => {
    const r = rng(6);
    const deployMs = Date.parse(w.change.deploy.deployedAt);
    const at = (s: number) => deployMs + s * 1000;
    const rows: VersionMinute[] = [
      { minuteMs: at(-45), version: '3.2.0', requests: 60, errors: 0, latency: sketch(60, 30, r) },
      { minuteMs: at(-30), version: '3.2.0', requests: 60, errors: 0, latency: sketch(60, 30, r) },
      { minuteMs: at(-15), version: '3.2.0', requests: 60, errors: 0, latency: sketch(60, 30, r) },
      // Cold: ten times slower for its first half minute, then like 3.2.0.
      { minuteMs: at(0), version: '3.2.1', requests: 60, errors: 0, latency: sketch(60, 300, r) },
      { minuteMs: at(15), version: '3.2.1', requests: 60, errors: 0, latency: sketch(60, 300, r) },
      { minuteMs: at(30), version: '3.2.1', requests: 60, errors: 0, latency: sketch(60, 30, r) },
      { minuteMs: at(45), version: '3.2.1', requests: 60, errors: 0, latency: sketch(60, 31, r) },
    ];
    const v = compareVersions(rows, w.change, { beforeMs: at(60), bucketSeconds: 15 });
    assert.equal(v.verdict, 'same');
    assert.deepEqual(v.matched, { previous: 180, deployed: 120 });
    assert.equal(
      compareVersions(rows, w.change, { beforeMs: at(60), bucketSeconds: 15 }, { warmUpMs: 0 }).verdict,
      'worse',
    );
  });

  it('finds no match when the versions never served a comparable load', () => {
    const r = rng(4);
    const apart: VersionMinute[] = [
      { minuteMs: T0, version: '3.2.0', requests: 400, errors: 0, latency: sketch(400, 30, r) },
      { minuteMs: T0 + 3 * MIN, version: '3.2.1', requests: 100, errors: 0, latency: sketch(100, 30, r) },
    ];
    const v = compareVersions(apart, w.change, before);
    assert.equal(v.verdict, 'unknown');
    assert.deepEqual(v.matched, { previous: 0, deployed: 0 });
  });
});

describe('buildInvestigation with a load change', () => {
  it('names the load and no deploy or commit when the deploy ran like the one before', () => {
    const r = buildInvestigation(loadAlertFacts('surge-benign-deploy'));
    const [load] = findingsOf(r.findings, 'load_change');
    assert.ok(load);
    assert.deepEqual(load.data, {
      service: 'catalog',
      entry: 'web GET /products',
      baselinePerMinute: 100,
      incidentPerMinute: 300,
      ratio: 3,
    });
    assert.ok(
      load.evidence.some((e) => e.kind === 'deploy' && e.ref === '8'),
      'the deploy stays as context',
    );
    assert.deepEqual(findingsOf(r.findings, 'change'), []);
    assert.deepEqual(findingsOf(r.findings, 'next_step'), []);
    assert.match(
      r.summary,
      /^catalog is the likely root cause \[F\d+\], under more load: requests at web GET \/products rose 3\.0×/,
    );
    assert.doesNotMatch(r.summary, /deploy|commit/);
    assert.ok(r.gaps.some((g) => /deploy of catalog 3\.2\.1 is not named as the cause/.test(g)));
  });

  it('blames the deploy, saying the load rose too, when its version was slower at the same load', () => {
    const r = buildInvestigation(loadAlertFacts('surge-slower-deploy'));
    assert.deepEqual(findingsOf(r.findings, 'load_change'), []);
    assert.equal(findingsOf(r.findings, 'change')[0]?.data.version, '3.2.1');
    assert.match(r.summary, /after the deploy of catalog 3\.2\.1/);
    assert.ok(
      r.gaps.some((g) => /incoming requests rose 3\.0× too, but catalog 3\.2\.1 did worse than 3\.2\.0/.test(g)),
    );
  });

  it('names no load change for an N+1 in the caller', () => {
    const r = buildInvestigation(loadAlertFacts('n-plus-one-caller'));
    assert.deepEqual(findingsOf(r.findings, 'load_change'), []);
    assert.equal(findingsOf(r.findings, 'root_cause_service')[0]?.data.service, 'web');
  });
});
