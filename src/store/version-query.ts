// One service's requests, errors and latency per minute and version (red_minute by its version
// column), summed across nodes and endpoints: what an investigation compares a deployed version
// with the one before it by, at the same load.
import type { VersionMinute } from '../analysis/index.js';
import type { Queryable, Row } from './db.js';
import { sketchOf } from './signal-query.js';

/** `service`'s minutes in [since, until), one row per minute and version ('' when spans carried none). */
export async function versionMinutes(
  q: Queryable,
  service: string,
  since: Date,
  until: Date,
): Promise<VersionMinute[]> {
  const rows = await q.query(
    `SELECT m.minute, m.version, sum(m.requests)::int8 AS requests, sum(m.errors)::int8 AS errors,
            string_agg(encode(m.latency, 'base64'), ',') AS latency
       FROM red_minute m
      WHERE m.service = $1 AND m.minute >= $2::timestamptz AND m.minute < $3::timestamptz
      GROUP BY m.minute, m.version
      ORDER BY m.minute, m.version`,
    [service, since, until],
  );
  return rows.map((r: Row) => ({
    minuteMs: (r.minute instanceof Date ? r.minute : new Date(String(r.minute))).getTime(),
    version: String(r.version ?? ''),
    requests: Number(r.requests),
    errors: Number(r.errors),
    latency: sketchOf(r.latency),
  }));
}
