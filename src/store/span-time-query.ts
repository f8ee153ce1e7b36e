// Self time and call-edge own time (rca's span-tree signals) over an investigation's windows.
// Closed minutes come from the roll-up (span-time-rollup.ts: self_time_minute and
// edge_time_minute, a few rows per service and minute); the minutes not rolled up yet (the last
// few, or ones no pipeline rolled up) from the raw spans, as the traces that touched the services
// asked about, read whole and turned into rows by the analysis' spanTimes. Either way the work
// is bounded and the answer is the same on one node or several: past a bound, a fixed share of
// the traces is kept, chosen by a hash of the trace id, so a trace is kept or left out whole,
// whatever batch or node its spans came in.
import { type EdgeTimeRow, type SelfTimeRow, type TimedSpan, spanTimes } from '../analysis/index.js';
import type { Queryable, Row } from './db.js';
import { type SignalBuckets, ms, readOf, sketchOf } from './signal-query.js';

/** Spans of the services asked about read from the raw table per run of minutes not rolled up, at most (about). */
export const MAX_WINDOW_SPANS = 40_000;
/** The trace-id hash's resolution: a read keeps the traces whose hash falls below its share of this. */
const HASH_BUCKETS = 65_536;
const MINUTE = 60_000;

export interface SpanTimeSignals {
  selfTimes: SelfTimeRow[];
  edgeTimes: EdgeTimeRow[];
  /** The smallest share of the traces read in any minute (1: all). */
  sampled: number;
  /** Minutes read from the roll-up and from the raw spans. */
  minutes: { rolled: number; raw: number };
}

/**
 * Whole traces with a span starting in [from, to) (a span of `services`, when given), all of
 * them when there are at most `maxSpans` such spans, else the share whose trace-id hash falls
 * below `maxSpans / n` of the hash's range.
 */
export async function readWholeTraces(
  q: Queryable,
  from: Date,
  to: Date,
  opts: { services?: readonly string[]; maxSpans: number },
): Promise<{ spans: TimedSpan[]; share: number; started: number }> {
  const only = opts.services ? ' AND service = ANY($3::text[])' : '';
  const params: unknown[] = [from, to];
  if (opts.services) params.push([...opts.services]);
  const [c] = await q.query(
    `SELECT count(*) AS n FROM span WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz${only}`,
    params,
  );
  const n = Number(c?.n ?? 0);
  if (n === 0) return { spans: [], share: 1, started: 0 };
  const keep = n <= opts.maxSpans ? HASH_BUCKETS : Math.max(1, Math.floor((HASH_BUCKETS * opts.maxSpans) / n));
  const sample = keep >= HASH_BUCKETS ? '' : ` AND (hashtext(trace_id) & ${HASH_BUCKETS - 1}) < ${keep}`;
  // The traces' ids as an array, so their spans are looked up on the trace_id index: joined
  // to the ids, the planner (misjudging how few they are) read the whole span table.
  const rows = await q.query(
    `SELECT s.trace_id, s.span_id, s.parent_span_id, s.service, s.name, s.kind,
            extract(epoch FROM s.start_time)::float8 * 1000 AS start_ms, s.duration_ns::float8 AS ns
       FROM span s
      WHERE s.trace_id = ANY(ARRAY(
        SELECT DISTINCT trace_id FROM span
         WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz${only}${sample}))`,
    params,
  );
  const spans: TimedSpan[] = rows.map((r) => {
    const startMs = Number(r.start_ms);
    return {
      traceId: String(r.trace_id),
      spanId: String(r.span_id),
      parentId: r.parent_span_id === null ? null : String(r.parent_span_id),
      service: String(r.service),
      name: String(r.name),
      kind: Number(r.kind),
      startMs,
      endMs: startMs + Number(r.ns) / 1e6,
    };
  });
  return { spans, share: keep / HASH_BUCKETS, started: n };
}

/** The bucket a minute falls in, as readOf's SQL puts it (date_bin from the split; the first baseline bucket cut at `since`). */
function bucketOf(minuteMs: number, sinceMs: number, buckets: SignalBuckets | undefined): number {
  if (!buckets || (buckets.baselineMinutes <= 1 && buckets.incidentMinutes <= 1)) return minuteMs;
  const split = buckets.split.getTime();
  const bin = (minutes: number) => {
    const stride = Math.max(1, Math.round(minutes)) * MINUTE;
    return split + Math.floor((minuteMs - split) / stride) * stride;
  };
  return minuteMs < split ? Math.max(sinceMs, bin(buckets.baselineMinutes)) : bin(buckets.incidentMinutes);
}

/** Runs of whole minutes in [since, until) that are not in `rolled`, as [start, end) ms. */
function unrolledRuns(sinceMs: number, untilMs: number, rolled: ReadonlySet<number>): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (let m = Math.ceil(sinceMs / MINUTE) * MINUTE; m < untilMs; m += MINUTE) {
    if (rolled.has(m)) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === m) last[1] = Math.min(m + MINUTE, untilMs);
    else runs.push([m, Math.min(m + MINUTE, untilMs)]);
  }
  return runs;
}

/**
 * Self time per service and own time per call edge in [since, until), in the buckets of the
 * other minute signals (per minute without): rows of the services in `services` (edges touching
 * them; all without).
 */
export async function spanTimeSignals(
  q: Queryable,
  since: Date,
  until: Date,
  opts: { services?: readonly string[]; buckets?: SignalBuckets; maxSpans?: number } = {},
): Promise<SpanTimeSignals> {
  const read = readOf(since, until, opts.services, opts.buckets);
  const { params, window, only, bucket } = read;
  const edgeFilter = opts.services ? ' AND (m.caller = ANY($3::text[]) OR m.callee = ANY($3::text[]))' : '';
  const [rolled, selfRows, edgeRows] = await Promise.all([
    q.query('SELECT minute, share FROM span_time_rollup WHERE minute >= $1::timestamptz AND minute < $2::timestamptz', [
      since,
      until,
    ]),
    q.query(
      `SELECT ${bucket} AS minute, m.service, sum(m.visits)::int8 AS visits, string_agg(encode(m.latency, 'base64'), ',') AS latency
         FROM self_time_minute m WHERE ${window}${only('m.service')}
        GROUP BY 1, m.service`,
      params,
    ),
    q.query(
      `SELECT ${bucket} AS minute, m.caller, m.callee, sum(m.calls)::int8 AS calls, sum(m.unanswered)::int8 AS unanswered,
              string_agg(encode(m.latency, 'base64'), ',') AS latency
         FROM edge_time_minute m WHERE ${window}${edgeFilter}
        GROUP BY 1, m.caller, m.callee`,
      params,
    ),
  ]);
  const selfTimes: SelfTimeRow[] = selfRows.map((r: Row) => ({
    minuteMs: ms(r.minute),
    service: String(r.service),
    visits: Number(r.visits),
    latency: sketchOf(r.latency),
  }));
  const edgeTimes: EdgeTimeRow[] = edgeRows.map((r: Row) => ({
    minuteMs: ms(r.minute),
    caller: String(r.caller),
    callee: String(r.callee),
    calls: Number(r.calls),
    unanswered: Number(r.unanswered),
    latency: sketchOf(r.latency),
  }));
  let sampled = 1;
  for (const r of rolled) sampled = Math.min(sampled, Number(r.share));

  // The minutes not rolled up: from the raw spans, one read per run of them.
  const runs = unrolledRuns(since.getTime(), until.getTime(), new Set(rolled.map((r) => ms(r.minute))));
  const scope = opts.services ? new Set(opts.services) : null;
  const raws = await Promise.all(
    runs.map(([a, b]) =>
      readWholeTraces(q, new Date(a), new Date(b), {
        ...(opts.services ? { services: opts.services } : {}),
        maxSpans: opts.maxSpans ?? MAX_WINDOW_SPANS,
      }),
    ),
  );
  raws.forEach(({ spans, share }, i) => {
    const [a, b] = runs[i] as [number, number];
    if (spans.length === 0) return;
    sampled = Math.min(sampled, share);
    const inRun = (m: number) => m >= a && m < b;
    const t = spanTimes(spans);
    for (const r of t.self)
      if (inRun(r.minuteMs) && (!scope || scope.has(r.service)))
        selfTimes.push({ ...r, minuteMs: bucketOf(r.minuteMs, since.getTime(), opts.buckets) });
    for (const r of t.edges)
      if (inRun(r.minuteMs) && (!scope || scope.has(r.caller) || scope.has(r.callee)))
        edgeTimes.push({ ...r, minuteMs: bucketOf(r.minuteMs, since.getTime(), opts.buckets) });
  });
  return {
    selfTimes,
    edgeTimes,
    sampled,
    minutes: { rolled: rolled.length, raw: runs.reduce((n, [a, b]) => n + Math.ceil((b - a) / MINUTE), 0) },
  };
}
