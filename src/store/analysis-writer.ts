// Writes one analysis delta (analysis/aggregate) in one transaction: patterns and error
// groups are upserted (counts add, first seen takes the earliest, last seen the latest, the
// template its latest form, samples keep the newest few), pattern merges forward the old key
// and move its minute rows, and minute rows are appended with their sketches as bytea.
// Rows travel as one JSON parameter per statement (jsonb_to_recordset), so a flush is a
// handful of statements whatever its size, on PGlite and PostgreSQL alike.
import type { AnalysisDelta, KeyMinute } from '../analysis/aggregate/index.js';
import { ERRORS_ALGORITHM, PATTERNS_ALGORITHM } from '../analysis/aggregate/index.js';
import type { Db, Queryable } from './db.js';
import { base64Of } from './analysis-query.js';

const SAMPLES_KEPT = 10;

function b64(bytes: Uint8Array | null | undefined): string | null {
  return bytes ? base64Of(bytes) : null;
}

function ts(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

const LEVEL_RANK = `array_position(ARRAY['TRACE','DEBUG','INFO','WARN','ERROR','FATAL'], `;

async function writePatterns(q: Queryable, delta: AnalysisDelta): Promise<void> {
  if (delta.patterns.length > 0) {
    const rows = delta.patterns.map((p) => ({
      service: p.service,
      pattern_key: p.key,
      template: p.template,
      site: p.site,
      slots: p.slots,
      level: p.level || null,
      first_seen: ts(p.firstSeenMs),
      last_seen: ts(p.lastSeenMs),
      first_version: p.firstVersion,
      count: p.count,
      samples: p.samples,
    }));
    await q.query(
      `INSERT INTO log_pattern (service, algorithm, pattern_key, template, site, slots, level, first_seen, last_seen, first_version, count, samples)
       SELECT x.service, $2, x.pattern_key, x.template, x.site, x.slots, x.level, x.first_seen, x.last_seen, x.first_version, x.count, x.samples
       FROM jsonb_to_recordset($1::jsonb) AS x(service text, pattern_key text, template text, site text, slots jsonb, level text,
            first_seen timestamptz, last_seen timestamptz, first_version text, count bigint, samples jsonb)
       ON CONFLICT (service, algorithm, pattern_key) DO UPDATE SET
         template = EXCLUDED.template,
         slots = EXCLUDED.slots,
         level = CASE WHEN coalesce(${LEVEL_RANK}EXCLUDED.level), 0) > coalesce(${LEVEL_RANK}log_pattern.level), 0)
                      THEN EXCLUDED.level ELSE log_pattern.level END,
         first_version = CASE WHEN EXCLUDED.first_seen < log_pattern.first_seen THEN EXCLUDED.first_version ELSE log_pattern.first_version END,
         first_seen = LEAST(log_pattern.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(log_pattern.last_seen, EXCLUDED.last_seen),
         count = log_pattern.count + EXCLUDED.count,
         merged_into = NULL,
         samples = (SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM (
                      SELECT e FROM jsonb_array_elements(EXCLUDED.samples || log_pattern.samples) WITH ORDINALITY AS t(e, i)
                      ORDER BY i LIMIT ${SAMPLES_KEPT}) s)`,
      [JSON.stringify(rows), PATTERNS_ALGORITHM],
    );
  }
  for (const m of delta.merges) {
    await q.query(
      `UPDATE log_pattern SET merged_into = $3 WHERE service = $1 AND algorithm = $4 AND pattern_key = $2 AND pattern_key <> $3`,
      [m.service, m.from, m.into, PATTERNS_ALGORITHM],
    );
    await q.query('UPDATE pattern_minute SET pattern_key = $3 WHERE service = $1 AND pattern_key = $2', [
      m.service,
      m.from,
      m.into,
    ]);
    await q.query('UPDATE flow_minute SET from_key = $3 WHERE service = $1 AND from_key = $2', [
      m.service,
      m.from,
      m.into,
    ]);
    await q.query('UPDATE flow_minute SET to_key = $3 WHERE service = $1 AND to_key = $2', [m.service, m.from, m.into]);
  }
}

async function writeErrorGroups(q: Queryable, delta: AnalysisDelta): Promise<void> {
  if (delta.errorGroups.length === 0) return;
  const rows = delta.errorGroups.map((g) => ({
    service: g.service,
    fingerprint: g.fingerprint,
    type: g.type,
    message: g.message,
    frames: g.frames,
    runtime: g.runtime,
    first_seen: ts(g.firstSeenMs),
    first_release: g.firstRelease,
    last_seen: ts(g.lastSeenMs),
    count: g.count,
    samples: g.samples,
  }));
  await q.query(
    `INSERT INTO error_group (service, algorithm, fingerprint, type, message, frames, runtime, first_seen, first_release, last_seen, count, samples)
     SELECT x.service, $2, x.fingerprint, x.type, x.message, x.frames, x.runtime, x.first_seen, x.first_release, x.last_seen, x.count, x.samples
     FROM jsonb_to_recordset($1::jsonb) AS x(service text, fingerprint text, type text, message text, frames jsonb, runtime text,
          first_seen timestamptz, first_release text, last_seen timestamptz, count bigint, samples jsonb)
     ON CONFLICT (service, algorithm, fingerprint) DO UPDATE SET
       first_release = CASE WHEN EXCLUDED.first_seen < error_group.first_seen THEN EXCLUDED.first_release ELSE error_group.first_release END,
       first_seen = LEAST(error_group.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(error_group.last_seen, EXCLUDED.last_seen),
       count = error_group.count + EXCLUDED.count,
       frames = CASE WHEN jsonb_array_length(error_group.frames) = 0 THEN EXCLUDED.frames ELSE error_group.frames END,
       samples = (SELECT coalesce(jsonb_agg(e), '[]'::jsonb) FROM (
                    SELECT e FROM jsonb_array_elements(EXCLUDED.samples || error_group.samples) WITH ORDINALITY AS t(e, i)
                    ORDER BY i LIMIT ${SAMPLES_KEPT}) s)`,
    [JSON.stringify(rows), ERRORS_ALGORITHM],
  );
}

async function appendKeyMinutes(
  q: Queryable,
  table: 'pattern_minute' | 'error_minute',
  keyCol: string,
  rows: KeyMinute[],
): Promise<void> {
  if (rows.length === 0) return;
  const json = rows.map((r) => ({
    minute: ts(r.minuteMs),
    service: r.service,
    key: r.key,
    version: r.version,
    count: r.count,
    users: b64(r.users?.toBytes()),
    accounts: b64(r.accounts?.toBytes()),
  }));
  await q.query(
    `INSERT INTO ${table} (minute, service, ${keyCol}, version, count, users, accounts)
     SELECT x.minute, x.service, x.key, x.version, x.count, decode(x.users, 'base64'), decode(x.accounts, 'base64')
     FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, service text, key text, version text, count bigint, users text, accounts text)`,
    [JSON.stringify(json)],
  );
}

async function appendFlows(q: Queryable, delta: AnalysisDelta): Promise<void> {
  if (delta.flows.length === 0) return;
  const json = delta.flows.map((f) => ({
    minute: ts(f.minuteMs),
    service: f.service,
    from_key: f.from,
    to_key: f.to,
    count: f.count,
  }));
  await q.query(
    `INSERT INTO flow_minute (minute, service, from_key, to_key, count)
     SELECT x.minute, x.service, x.from_key, x.to_key, x.count
     FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, service text, from_key text, to_key text, count bigint)`,
    [JSON.stringify(json)],
  );
}

async function appendRed(q: Queryable, delta: AnalysisDelta): Promise<void> {
  if (delta.red.length === 0) return;
  const json = delta.red.map((r) => ({
    minute: ts(r.minuteMs),
    service: r.service,
    endpoint: r.endpoint,
    version: r.version,
    requests: r.requests,
    errors: r.errors,
    latency: b64(r.latency.toBytes()),
    users: b64(r.users?.toBytes()),
    accounts: b64(r.accounts?.toBytes()),
  }));
  await q.query(
    `INSERT INTO red_minute (minute, service, endpoint, version, requests, errors, latency, users, accounts)
     SELECT x.minute, x.service, x.endpoint, x.version, x.requests, x.errors, decode(x.latency, 'base64'),
            decode(x.users, 'base64'), decode(x.accounts, 'base64')
     FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, service text, endpoint text, version text,
          requests bigint, errors bigint, latency text, users text, accounts text)`,
    [JSON.stringify(json)],
  );
}

async function appendEdges(q: Queryable, delta: AnalysisDelta): Promise<void> {
  if (delta.edges.length === 0) return;
  const json = delta.edges.map((e) => ({
    minute: ts(e.minuteMs),
    caller: e.caller,
    version: e.version,
    callee: e.callee,
    calls: e.calls,
    errors: e.errors,
    latency: b64(e.latency.toBytes()),
  }));
  await q.query(
    `INSERT INTO edge_minute (minute, caller, version, callee, calls, errors, latency)
     SELECT x.minute, x.caller, x.version, x.callee, x.calls, x.errors, decode(x.latency, 'base64')
     FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, caller text, version text, callee text, calls bigint,
          errors bigint, latency text)`,
    [JSON.stringify(json)],
  );
}

function isEmptyDelta(d: AnalysisDelta): boolean {
  return (
    d.patterns.length +
      d.merges.length +
      d.patternMinutes.length +
      d.flows.length +
      d.errorGroups.length +
      d.errorMinutes.length +
      d.red.length +
      d.edges.length ===
    0
  );
}

/** Writes the delta in one transaction: all of it or none of it. */
export async function writeAnalysisDelta(db: Db, delta: AnalysisDelta): Promise<void> {
  if (isEmptyDelta(delta)) return;
  await db.transaction(async (tx) => {
    await writePatterns(tx, delta);
    await writeErrorGroups(tx, delta);
    await appendKeyMinutes(tx, 'pattern_minute', 'pattern_key', delta.patternMinutes);
    await appendFlows(tx, delta);
    await appendKeyMinutes(tx, 'error_minute', 'fingerprint', delta.errorMinutes);
    await appendRed(tx, delta);
    await appendEdges(tx, delta);
  });
}

/** Live (not merged) patterns per service, newest first, for seeding the miners at start. */
export async function loadPatternSeeds(
  q: Queryable,
  perService: number,
): Promise<Map<string, { id: string; template: string; site: string | null }[]>> {
  const rows = await q.query<{ service: string; pattern_key: string; template: string; site: string | null }>(
    `SELECT service, pattern_key, template, site FROM (
       SELECT service, pattern_key, template, site,
              row_number() OVER (PARTITION BY service ORDER BY last_seen DESC NULLS LAST) AS rn
       FROM log_pattern WHERE algorithm = $1 AND merged_into IS NULL AND pattern_key <> '' AND pattern_key <> 'overflow') t
     WHERE rn <= $2`,
    [PATTERNS_ALGORITHM, perService],
  );
  const out = new Map<string, { id: string; template: string; site: string | null }[]>();
  for (const r of rows) {
    let list = out.get(r.service);
    if (!list) {
      list = [];
      out.set(r.service, list);
    }
    list.push({ id: r.pattern_key, template: r.template, site: r.site });
  }
  return out;
}
