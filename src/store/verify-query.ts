// What deploy verification reads for one deploy: its service's minute rows with their versions
// (RED per endpoint, error groups, log patterns with their level), its calls to other services
// (edge_minute), its self time and calls' own time (span-time-query: rolled up or from the raw
// spans), the system's entry load per minute, the other deploys near it with their services'
// totals; and the stored verdict (deploy.verdict, deploy.verification).
import { DDSketch, calleesOf, downstreamOf } from '../analysis/index.js';
import type { VerifyFacts } from '../analysis/verify/index.js';
import type { DeployVerification } from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { listDeploys } from './deploy-store.js';
import { ms, sketchOf } from './signal-query.js';
import { spanTimeSignals } from './span-time-query.js';

const MINUTE = 60_000;

export interface VerifyRead {
  deploy: VerifyFacts['deploy'];
  baselineMinutes: number;
  /** Read up to here (exclusive): the minutes with complete data end here. */
  completeBeforeMs: number;
}

type Totals = VerifyFacts['otherDeploys'][number]['totals'];

/** A service's requests, errors and merged latency per minute in [since, until). */
export async function serviceTotals(q: Queryable, service: string, since: Date, until: Date): Promise<Totals> {
  const rows = await q.query(
    `SELECT m.minute, sum(m.requests)::int8 AS requests, sum(m.errors)::int8 AS errors,
            string_agg(encode(m.latency, 'base64'), ',') AS latency
       FROM red_minute m WHERE m.service = $1 AND m.minute >= $2::timestamptz AND m.minute < $3::timestamptz
      GROUP BY m.minute ORDER BY m.minute`,
    [service, since, until],
  );
  return rows.map((r: Row) => ({
    minuteMs: ms(r.minute),
    requests: Number(r.requests),
    errors: Number(r.errors),
    latency: sketchOf(r.latency),
  }));
}

/** The facts deploy-verify@2 judges a deploy on. */
export async function verifyFacts(q: Queryable, read: VerifyRead): Promise<VerifyFacts> {
  const d = read.deploy;
  const deployMinute = Math.floor(d.deployedAtMs / MINUTE) * MINUTE;
  const since = new Date(deployMinute - read.baselineMinutes * MINUTE);
  const until = new Date(Math.max(read.completeBeforeMs, since.getTime()));
  const p = [d.service, since, until];
  const window = 'm.service = $1 AND m.minute >= $2::timestamptz AND m.minute < $3::timestamptz';
  const [red, errors, patterns, edges, pairs, load, spans] = await Promise.all([
    q.query(
      `SELECT m.minute, m.endpoint, m.version, sum(m.requests)::int8 AS requests, sum(m.errors)::int8 AS errors,
              string_agg(encode(m.latency, 'base64'), ',') AS latency
         FROM red_minute m WHERE ${window} GROUP BY m.minute, m.endpoint, m.version`,
      p,
    ),
    q.query(
      `SELECT m.minute, m.fingerprint, m.version, sum(m.count)::int8 AS count, max(g.type) AS type, max(g.message) AS message
         FROM error_minute m LEFT JOIN error_group g ON g.service = m.service AND g.fingerprint = m.fingerprint
        WHERE ${window} GROUP BY m.minute, m.fingerprint, m.version`,
      p,
    ),
    // A merged pattern counts under the pattern it converged into.
    q.query(
      `SELECT m.minute, COALESCE(lp.merged_into, m.pattern_key) AS pattern_key, m.version, sum(m.count)::int8 AS count,
              max(COALESCE(into_p.level, lp.level)) AS level, max(COALESCE(into_p.template, lp.template)) AS template
         FROM pattern_minute m
         LEFT JOIN log_pattern lp ON lp.service = m.service AND lp.pattern_key = m.pattern_key
         LEFT JOIN log_pattern into_p ON into_p.service = m.service AND into_p.pattern_key = lp.merged_into
        WHERE ${window} GROUP BY 1, 2, 3`,
      p,
    ),
    q.query(
      `SELECT m.minute, m.callee, m.version, sum(m.calls)::int8 AS calls, sum(m.errors)::int8 AS errors
         FROM edge_minute m WHERE m.caller = $1 AND m.minute >= $2::timestamptz AND m.minute < $3::timestamptz
        GROUP BY m.minute, m.callee, m.version`,
      p,
    ),
    q.query<{ caller: string; callee: string }>(
      'SELECT DISTINCT caller, callee FROM edge_minute m WHERE m.minute >= $1::timestamptz AND m.minute < $2::timestamptz',
      [since, until],
    ),
    // Entries: services that no service called in the window.
    q.query(
      `SELECT m.minute, sum(m.requests)::int8 AS requests FROM red_minute m
        WHERE m.minute >= $1::timestamptz AND m.minute < $2::timestamptz
          AND m.service NOT IN (SELECT DISTINCT e.callee FROM edge_minute e
                                 WHERE e.minute >= $1::timestamptz AND e.minute < $2::timestamptz)
        GROUP BY m.minute ORDER BY m.minute`,
      [since, until],
    ),
    spanTimeSignals(q, since, until, { services: [d.service] }),
  ]);
  const downstream = downstreamOf(calleesOf(pairs), d.service);
  const others = (await listDeploys(q, { since, until, limit: 100 })).filter(
    (o) => o.id !== d.id && o.service !== d.service && o.attributes.baseline !== true,
  );
  const otherDeploys: VerifyFacts['otherDeploys'] = [];
  for (const o of others) {
    const at = Date.parse(o.deployedAt);
    const from = new Date(Math.floor(at / MINUTE) * MINUTE - read.baselineMinutes * MINUTE);
    otherDeploys.push({
      id: o.id,
      service: o.service,
      version: o.version,
      deployedAtMs: at,
      relation: downstream.has(o.service) ? 'callee' : 'other',
      totals: await serviceTotals(q, o.service, from, until),
    });
  }
  const label = (r: Row) => (r.type === null ? undefined : `${r.type}${r.message ? `: ${r.message}` : ''}`);
  return {
    deploy: d,
    baselineMinutes: read.baselineMinutes,
    completeBeforeMs: read.completeBeforeMs,
    red: red.map((r: Row) => ({
      minuteMs: ms(r.minute),
      endpoint: String(r.endpoint),
      version: String(r.version),
      requests: Number(r.requests),
      errors: Number(r.errors),
      latency: sketchOf(r.latency),
    })),
    errorGroups: errors.map((r: Row) => ({
      minuteMs: ms(r.minute),
      key: String(r.fingerprint),
      version: String(r.version),
      count: Number(r.count),
      ...(label(r) === undefined ? {} : { label: label(r) }),
    })),
    patterns: patterns.map((r: Row) => ({
      minuteMs: ms(r.minute),
      key: String(r.pattern_key),
      version: String(r.version),
      count: Number(r.count),
      level: r.level === null ? 'INFO' : String(r.level),
      ...(r.template === null ? {} : { label: String(r.template) }),
    })),
    selfTimes: spans.selfTimes
      .filter((s) => s.service === d.service)
      .map((s) => ({ minuteMs: s.minuteMs, visits: s.visits, latency: s.latency })),
    edges: edges.map((r: Row) => ({
      minuteMs: ms(r.minute),
      callee: String(r.callee),
      version: String(r.version),
      calls: Number(r.calls),
      errors: Number(r.errors),
    })),
    edgeTimes: spans.edgeTimes
      .filter((e) => e.caller === d.service)
      .map((e) => ({
        minuteMs: e.minuteMs,
        callee: e.callee,
        calls: e.calls,
        unanswered: e.unanswered,
        latency: e.latency ?? new DDSketch(),
      })),
    load: load.map((r: Row) => ({ minuteMs: ms(r.minute), requests: Number(r.requests) })),
    otherDeploys,
  };
}

/** The stored verification of a deploy, or null when its verdict is not decided yet. */
export async function storedVerification(q: Queryable, deployId: number): Promise<DeployVerification | null> {
  const rows = await q.query('SELECT verification FROM deploy WHERE id = $1 AND verdict IS NOT NULL', [deployId]);
  return rows[0] ? (rows[0].verification as DeployVerification) : null;
}

/** Stores a decided verification once (a verdict already stored is kept: the first decision stands). */
export async function storeVerification(q: Queryable, v: DeployVerification): Promise<boolean> {
  const rows = await q.query(
    `UPDATE deploy SET verdict = $2, verified_at = now(), verification = $3::jsonb
      WHERE id = $1 AND verdict IS NULL RETURNING id`,
    [v.deployId, v.verdict, JSON.stringify(v)],
  );
  return rows.length > 0;
}

/** Deploys still to verify: no verdict, deployed in [since, until), not a baseline. */
export async function unverifiedDeploys(q: Queryable, since: Date, until: Date, limit = 50): Promise<number[]> {
  const rows = await q.query(
    `SELECT id FROM deploy WHERE verdict IS NULL AND deployed_at >= $1 AND deployed_at < $2
        AND NOT COALESCE((attributes->>'baseline')::boolean, false)
      ORDER BY deployed_at LIMIT $3`,
    [since, until, limit],
  );
  return rows.map((r: Row) => Number(r.id));
}
