// deploy-verify@2 whole: the series from the rows, the judgement, and the verification with its
// findings, each citing the API request that shows its rows again.
import type { DeployVerification, Evidence, VerifyFinding, VerifyFindingKind, VerifyTest } from '../../model/index.js';
import { type JudgedTest, type Judgement, fmt, judge } from './judge.js';
import { type VerifyFacts, seriesOf } from './series.js';
import { DEPLOY_VERIFY_ALGORITHM, VERIFY_DEFAULTS, type VerifyOptions, type VerifySeries } from './types.js';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function evidenceOf(t: JudgedTest, service: string, since: string): Evidence {
  const at = `since=${encodeURIComponent(since)}`;
  const svc = `service=${encodeURIComponent(service)}`;
  const row = { before: t.before, after: t.after, p: t.p, level: t.level };
  const summary = `${t.measure} of ${t.key}: ${fmt(t.before)} before → ${fmt(t.after)} after (p ${t.p.toExponential(1)}, level ${t.level.toExponential(1)})`;
  if (t.family === 'error-groups')
    return {
      kind: 'error_group',
      summary,
      ref: t.key,
      query: `/api/errors/${encodeURIComponent(t.key)}?${svc}&${at}`,
      rows: [row],
    };
  if (t.family === 'log-patterns')
    return {
      kind: 'log_pattern',
      summary,
      ref: t.key,
      query: `/api/patterns/${encodeURIComponent(t.key)}?${svc}&${at}`,
      rows: [row],
    };
  if (t.family === 'edges')
    return { kind: 'edge', summary, ref: `${service}→${t.key}`, query: `/api/graph?${at}`, rows: [row] };
  if (t.family === 'self-time')
    return { kind: 'span', summary, ref: service, query: `/api/services?${svc}&${at}`, rows: [row] };
  return { kind: 'endpoint', summary, ref: t.key, query: `/api/services?${svc}&${at}`, rows: [row] };
}

function publicTest(t: JudgedTest): VerifyTest {
  const { preExisting: _p, explainedBy: _e, isNew: _n, ...v } = t;
  return v;
}

/** The findings of a judgement, in order: regressions, new errors and patterns, explained and earlier rises, controls, traffic. */
function findingsOf(s: VerifySeries, j: Judgement, deployQuery: string): VerifyFinding[] {
  const out: VerifyFinding[] = [];
  const since = iso(s.baseline.startMs);
  const add = (f: Omit<VerifyFinding, 'id'>) => out.push({ id: `V${out.length + 1}`, ...f });
  const name = (t: JudgedTest) => `${t.measure} of ${t.key}${t.label ? ` (${t.label})` : ''}`;
  const kindOf = (t: JudgedTest): VerifyFindingKind =>
    t.isNew ? (t.family === 'error-groups' ? 'new_error_group' : 'new_log_pattern') : 'regression';
  const svc = s.deploy.service;

  for (const t of j.tests.filter((x) => x.passed && !x.preExisting && x.explainedBy.length === 0))
    add({
      kind: kindOf(t),
      title: `${t.isNew ? 'new with the deploy: ' : ''}${name(t)} rose ${fmt(t.before)} → ${fmt(t.after)}`,
      hint: `${t.test}: p ${t.p.toExponential(1)} below its level ${t.level.toExponential(1)} (alpha ${j.alpha.overall} split over ${j.alpha.families} families, the watch window's looks and the family's tests), not under way before the deploy, and no load change or other deploy explains it`,
      confidence: Math.min(0.95, 0.6 + 0.05 * Math.log10(t.level / Math.max(t.p, 1e-300))),
      evidence: [evidenceOf(t, svc, since)],
      test: publicTest(t),
    });
  // New errors and patterns that did not (yet) pass: still news about the deployed version.
  for (const t of j.tests.filter((x) => x.isNew && !x.passed))
    add({
      kind: kindOf(t),
      title: `seen only after the deploy: ${t.label ?? t.key} (${fmt(t.after)} ${t.measure})`,
      hint: `the deployed version shows it and the baseline's ${Math.round((s.baseline.endMs - s.baseline.startMs) / MINUTE)} minutes did not; its test has not passed (p ${t.p.toExponential(1)}, level ${t.level.toExponential(1)}), so it does not decide the verdict`,
      confidence: 0.4,
      evidence: [evidenceOf(t, svc, since)],
      test: publicTest(t),
    });
  for (const t of j.tests.filter((x) => x.passed && !x.preExisting && x.explainedBy.length > 0)) {
    const why = t.explainedBy.map((e) =>
      e.kind === 'load'
        ? `the system's entry load changed ${fmt(e.ratio)}×`
        : `${e.deploy.service} ${e.deploy.version} (deploy ${e.deploy.id}), which this service calls, was deployed too and its own errors or latency rose`,
    );
    const evidence: Evidence[] = [evidenceOf(t, svc, since)];
    for (const e of t.explainedBy)
      if (e.kind === 'deploy')
        evidence.push({
          kind: 'deploy',
          summary: `${e.deploy.service} ${e.deploy.version} deployed at ${iso(e.deploy.deployedAtMs)}`,
          ref: String(e.deploy.id),
          query: `/api/deploys/${e.deploy.id}/verification`,
        });
    add({
      kind: 'confounded',
      title: `${name(t)} rose ${fmt(t.before)} → ${fmt(t.after)}, but ${why.join(' and ')}`,
      hint: 'a rise that follows a load change or a deploy of a service this one depends on is not counted against this deploy; the verdict hedges (inconclusive) unless another rise decides it',
      confidence: 0.5,
      evidence,
      test: publicTest(t),
    });
  }
  for (const t of j.tests.filter((x) => x.preExisting))
    add({
      kind: 'pre_existing',
      title: `${name(t)} was already rising before the deploy (${fmt(t.before)} → ${fmt(t.after)})`,
      hint: `the same test on the baseline's last minutes against its earlier ones passed at the pre-existing level (default p < 0.05): the change started before the deploy, so it is not counted as the deploy's`,
      confidence: 0.6,
      evidence: [evidenceOf(t, svc, since)],
      test: publicTest(t),
    });
  if (j.load)
    add({
      kind: 'load_change',
      title: j.load.changed
        ? `the system's entry load changed ${fmt(j.load.before)} → ${fmt(j.load.after)} requests per minute (${fmt(j.load.ratio)}×)`
        : `the system's entry load held (${fmt(j.load.before)} → ${fmt(j.load.after)} requests per minute)`,
      hint: `requests per minute at the services no other service calls, after against before, with the baseline's minute-to-minute dispersion (p ${j.load.p.toExponential(1)}); a change counts past 1.5× either way at p < 0.01`,
      confidence: j.load.changed ? 0.7 : 0.5,
      evidence: [
        {
          kind: 'endpoint',
          summary: `entry requests per minute ${fmt(j.load.before)} before, ${fmt(j.load.after)} after`,
          query: `/api/services?since=${encodeURIComponent(since)}`,
          rows: [j.load],
        },
      ],
      test: null,
    });
  for (const o of j.otherDeploys)
    add({
      kind: 'other_deploy',
      title: `${o.service} ${o.version} was deployed at ${iso(o.deployedAtMs)} (${o.relation === 'callee' ? 'a service this one calls' : 'not called by this service'}${o.changed ? ', and its own errors or latency rose' : ''})`,
      hint:
        o.relation === 'callee' && o.changed
          ? 'a rise this service shows in what a callee can cause (endpoint latency and errors, error groups, log patterns, its calls to others) is put down to that deploy'
          : "named as a control: it cannot explain this service's own rises, or its service did not change",
      confidence: 0.5,
      evidence: [
        {
          kind: 'deploy',
          summary: `${o.service} ${o.version} at ${iso(o.deployedAtMs)}`,
          ref: String(o.id),
          query: `/api/deploys/${o.id}`,
        },
      ],
      test: null,
    });
  if (j.verdict === 'inconclusive' && !j.traffic.enough)
    add({
      kind: 'traffic',
      title: `too little traffic: ${j.traffic.before} ${j.traffic.unit} before, ${j.traffic.after} after`,
      hint: `a healthy verdict needs ${j.traffic.minimum} ${j.traffic.unit} on each side, or the tests could miss a regression`,
      confidence: 0.8,
      evidence: [{ kind: 'deploy', summary: `deploy ${s.deploy.id}`, ref: String(s.deploy.id), query: deployQuery }],
      test: null,
    });
  return out;
}

export interface VerifyOutcome {
  verification: Omit<DeployVerification, 'evaluatedAt' | 'problemId'>;
  judgement: Judgement;
  series: VerifySeries;
}

/** Verifies a deploy from its facts (pure). */
export function verifyDeploy(facts: VerifyFacts, opts: VerifyOptions = {}): VerifyOutcome {
  const o = { ...VERIFY_DEFAULTS, ...opts };
  const series = seriesOf(facts);
  const j = judge(series, o);
  const d = facts.deploy;
  const controlsPre = j.tests.filter((t) => t.preExisting).map((t) => `${t.family}:${t.key}:${t.measure}`);
  const findings = findingsOf(series, j, `/api/deploys/${d.id}`);
  const lookEnd = series.afterStartMs + j.looks * MINUTE;
  const verification: VerifyOutcome['verification'] = {
    algorithm: DEPLOY_VERIFY_ALGORITHM,
    deployId: d.id,
    service: d.service,
    environment: d.environment,
    version: d.version,
    previousVersion: series.previousVersion,
    deployedAt: iso(d.deployedAtMs),
    verdict: j.verdict,
    regressed: j.verdict === 'regressed' ? 1 : 0,
    decided: j.verdict === 'watching' ? 0 : 1,
    decidedAt: j.decidedAtMs === null ? null : iso(j.decidedAtMs),
    summary: `${d.service} ${d.version}: ${j.verdict}: ${j.reason}`,
    watch: { minutes: o.watchMinutes, endsAt: iso(series.afterStartMs + o.watchMinutes * MINUTE), looks: j.looks },
    baseline: {
      since: iso(series.baseline.startMs),
      until: iso(series.baseline.endMs),
      minutes: facts.baselineMinutes,
    },
    after: { since: iso(series.afterStartMs), until: iso(lookEnd) },
    traffic: { before: j.traffic.before, after: j.traffic.after, minimum: j.traffic.minimum },
    alpha: j.alpha,
    findings,
    controls: {
      load: j.load,
      otherDeploys: j.otherDeploys.map((x) => ({
        id: x.id,
        service: x.service,
        version: x.version,
        deployedAt: iso(x.deployedAtMs),
        relation: x.relation,
        changed: x.changed,
      })),
      preExisting: controlsPre,
    },
    tests: j.tests.map(publicTest),
  };
  return { verification, judgement: j, series };
}
