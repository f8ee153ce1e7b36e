// Generated minute rows of one deployed service for deploy verification: a service with
// overdispersed traffic (the rate itself moves minute to minute), an error share and a latency
// that wander, error groups and WARN patterns at steady rates, rare ones that come in bursts,
// self time, calls to a callee and the system's load; a deploy in the middle, optionally with a
// change starting at some minute (the deploy's, or earlier). Deterministic: a seeded LCG.
import { DDSketch } from '../../src/analysis/index.js';
import type { VerifyFacts } from '../../src/analysis/verify/index.js';
import { rng } from './rca-worlds.js';

export const MIN = 60_000;
export const DEPLOY_AT = Date.UTC(2026, 0, 5, 12, 0, 20);
const DEPLOY_MINUTE = Math.floor(DEPLOY_AT / MIN) * MIN;

export interface Change {
  /** Minutes from the deploy's minute (negative: before it). */
  fromMinute: number;
  errorShare?: number;
  latencyFactor?: number;
  /** A new error group at this many events per minute. */
  newErrorsPerMinute?: number;
  /** A new WARN pattern at this many lines per request. */
  newWarnPerRequest?: number;
  callsPerRequest?: number;
  trafficFactor?: number;
  selfTimeFactor?: number;
}

export interface WorldOptions {
  seed: number;
  requestsPerMinute?: number;
  errorShare?: number;
  latencyMs?: number;
  /** Minutes watched so far after the deploy's minute. */
  minutesAfter?: number;
  change?: Change;
  baselineMinutes?: number;
  otherDeploys?: VerifyFacts['otherDeploys'];
  /** The version the telemetry names after the deploy ('' = no versions in the telemetry). */
  versioned?: boolean;
}

function poisson(mean: number, r: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
}

/** A no-change (or changed) world's facts, with `minutesAfter` complete minutes after the deploy's minute. */
export function verifyWorld(o: WorldOptions): VerifyFacts {
  const r = rng(o.seed);
  const base = o.baselineMinutes ?? 30;
  const after = o.minutesAfter ?? 10;
  const rpm = o.requestsPerMinute ?? 200;
  const ch = o.change;
  const facts: VerifyFacts = {
    deploy: { id: 7, service: 'cart', environment: '', version: '2.0.0', deployedAtMs: DEPLOY_AT },
    baselineMinutes: base,
    completeBeforeMs: DEPLOY_MINUTE + (after + 1) * MIN,
    red: [],
    errorGroups: [],
    patterns: [],
    selfTimes: [],
    edges: [],
    edgeTimes: [],
    load: [],
    otherDeploys: o.otherDeploys ?? [],
  };
  // Slow wander of the latency level and the error share (an AR(1) in logs).
  let drift = 0;
  let errDrift = 0;
  const v = (m: number) => (o.versioned === false ? '' : m >= 0 ? '2.0.0' : '1.9.0');
  for (let i = -base - 5; i <= after; i++) {
    const m = DEPLOY_MINUTE + i * MIN;
    const on = ch !== undefined && i >= ch.fromMinute;
    drift = 0.7 * drift + 0.08 * gauss(r);
    errDrift = 0.6 * errDrift + 0.25 * gauss(r);
    const traffic = rpm * Math.exp(0.15 * gauss(r)) * (on && ch.trafficFactor ? ch.trafficFactor : 1);
    const requests = poisson(traffic, r);
    const share = Math.min(
      0.9,
      (on && ch.errorShare !== undefined ? ch.errorShare : (o.errorShare ?? 0.01)) * Math.exp(errDrift),
    );
    const errors = Math.min(requests, poisson(requests * share, r));
    const lat = new DDSketch();
    const med = (o.latencyMs ?? 40) * Math.exp(drift) * (on && ch.latencyFactor ? ch.latencyFactor : 1);
    for (let k = 0; k < requests; k++) lat.add(med * Math.exp(0.5 * gauss(r)));
    // The deploy's minute: the old version's rows and the new one's, split at the deploy's second.
    const parts: Array<[string, number]> =
      i === 0 && o.versioned !== false
        ? [
            ['1.9.0', 1 / 3],
            ['2.0.0', 2 / 3],
          ]
        : [[v(i), 1]];
    for (const [version, share2] of parts) {
      const rq = Math.round(requests * share2);
      facts.red.push({
        minuteMs: m,
        endpoint: 'GET /cart',
        version,
        requests: rq,
        errors: Math.min(rq, Math.round(errors * share2)),
        latency: lat,
      });
      // Error groups: a steady one; a rare bursty one (2% of minutes, bursts of 1 to 6).
      const steady = poisson(rq * 0.004, r);
      if (steady) facts.errorGroups.push({ minuteMs: m, key: 'steady', version, count: steady, label: 'TimeoutError' });
      if (r() < 0.02)
        facts.errorGroups.push({
          minuteMs: m,
          key: `rare-${Math.floor(r() * 5)}`,
          version,
          count: 1 + Math.floor(r() * 6),
        });
      if (on && ch.newErrorsPerMinute)
        facts.errorGroups.push({
          minuteMs: m,
          key: 'new',
          version,
          count: poisson(ch.newErrorsPerMinute * share2, r),
          label: 'TypeError: x is undefined',
        });
      const warn = poisson(rq * 0.02, r);
      if (warn) facts.patterns.push({ minuteMs: m, key: 'w-steady', version, count: warn, level: 'WARN' });
      if (r() < 0.02)
        facts.patterns.push({
          minuteMs: m,
          key: `w-rare-${Math.floor(r() * 5)}`,
          version,
          count: 1 + Math.floor(r() * 6),
          level: 'WARN',
        });
      facts.patterns.push({ minuteMs: m, key: 'info', version, count: poisson(rq, r), level: 'INFO' });
      if (on && ch.newWarnPerRequest)
        facts.patterns.push({
          minuteMs: m,
          key: 'w-new',
          version,
          count: poisson(rq * ch.newWarnPerRequest, r),
          level: 'WARN',
          label: 'retrying <*>',
        });
    }
    const self = new DDSketch();
    const selfMed = 10 * Math.exp(drift) * (on && ch.selfTimeFactor ? ch.selfTimeFactor : 1);
    for (let k = 0; k < requests; k++) self.add(selfMed * Math.exp(0.4 * gauss(r)));
    facts.selfTimes.push({ minuteMs: m, visits: requests, latency: self });
    // The calls by the version that made them: in the deploy minute's overlap the old version's
    // share calls at the old rate.
    const rate = (version: string) => (on && ch.callsPerRequest && version === v(i) ? ch.callsPerRequest : 1.2);
    const byVersion = parts.map(([version, share2]) => ({
      version,
      calls: poisson(requests * share2 * rate(version), r),
    }));
    const calls = byVersion.reduce((a, b) => a + b.calls, 0);
    for (const b of byVersion)
      facts.edges.push({ minuteMs: m, callee: 'catalog', version: b.version, calls: b.calls, errors: 0 });
    const own = new DDSketch();
    for (let k = 0; k < Math.min(calls, 400); k++) own.add(2 * Math.exp(0.3 * gauss(r)));
    facts.edgeTimes.push({
      minuteMs: m,
      callee: 'catalog',
      calls,
      unanswered: poisson(calls * 0.001, r),
      latency: own,
    });
    facts.load.push({ minuteMs: m, requests: poisson(traffic * 3, r) });
  }
  return facts;
}
