// One service's requests, errors and latency per minute and version (red_minute by its version
// column, summed across nodes and endpoints), or per bucket of seconds from the raw spans: what an
// investigation compares a deployed version with the one before it by, at the same load.
import { DDSketch, type VersionMinute } from '../analysis/index.js';
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

/** Latency bins of the raw read: a span's milliseconds fall in bin round(ln(ms) / ln(BIN_BASE)). */
const BIN_BASE = 1.04;

/**
 * `service`'s requests (server and consumer spans, and roots) in [since, until) per bucket of
 * `bucketSeconds` (aligned to whole multiples since 2000-01-01 UTC) and version, from the raw spans: finer than a minute, for a deploy and a load
 * change a minute apart. Latency comes back as a histogram (4% bins) made into a sketch.
 */
export async function versionBuckets(
  q: Queryable,
  service: string,
  since: Date,
  until: Date,
  bucketSeconds: number,
): Promise<VersionMinute[]> {
  const rows = await q.query(
    `SELECT bucket, version, bin, count(*)::int8 AS n, count(*) FILTER (WHERE status_code = 2)::int8 AS errors
       FROM (SELECT date_bin($4::interval, s.start_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
                    COALESCE(s.service_version, '') AS version,
                    round(ln(greatest(s.duration_ns, 1000)::float8 / 1e6) / ln(${BIN_BASE}))::int AS bin,
                    s.status_code
               FROM span s
              WHERE s.service = $1 AND s.start_time >= $2::timestamptz AND s.start_time < $3::timestamptz
                AND (s.kind IN (2, 5) OR s.parent_span_id IS NULL)) x
      GROUP BY bucket, version, bin
      ORDER BY bucket, version, bin`,
    [service, since, until, `${Math.max(1, Math.round(bucketSeconds))} seconds`],
  );
  const out = new Map<string, VersionMinute>();
  for (const r of rows) {
    const minuteMs = (r.bucket instanceof Date ? r.bucket : new Date(String(r.bucket))).getTime();
    const version = String(r.version ?? '');
    const key = `${minuteMs}\u0000${version}`;
    let v = out.get(key);
    if (!v) {
      v = { minuteMs, version, requests: 0, errors: 0, latency: new DDSketch() };
      out.set(key, v);
    }
    const n = Number(r.n);
    v.requests += n;
    v.errors += Number(r.errors);
    v.latency.add(BIN_BASE ** Number(r.bin), n);
  }
  return [...out.values()];
}
