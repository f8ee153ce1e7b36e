// Self time and call-edge own time at query time, from the raw spans (rca@5's span-tree input):
// the traces that touched the services asked about in a window, read whole, turned into per-minute
// rows by the analysis' spanTimes. The work is bounded and the same on one node or several: when
// a window holds more spans than the bound, a fixed share of its traces is kept, chosen by a hash
// of the trace id (a trace is kept or left out whole, whatever batch or node its spans came in).
// The same read (windowTraces) gives the simulation its calibration window.
import { type EdgeTimeRow, type SelfTimeRow, type TimeWindow, type TimedSpan, spanTimes } from '../analysis/index.js';
import type { Queryable } from './db.js';

/** Spans of the services asked about read per window, at most (about): beyond it, traces are sampled. */
export const MAX_WINDOW_SPANS = 40_000;
/** The trace-id hash's resolution: a window keeps the traces whose hash falls below its share of this. */
const HASH_BUCKETS = 65_536;

export interface SpanTimeSignals {
  selfTimes: SelfTimeRow[];
  edgeTimes: EdgeTimeRow[];
  /** Per window, the share of its traces read (1: all). */
  sampled: number[];
}

/** One span of a window's traces, as span-times and the simulation read it. */
export interface WindowSpan extends TimedSpan {
  route: string | null;
  /** Status code ERROR. */
  error: boolean;
}

/**
 * The whole traces that had a span (of `services`, when given) starting in `w`: past `maxSpans`
 * such spans, the traces whose trace-id hash falls in a share of the buckets, that share returned.
 */
export async function windowTraces(
  q: Queryable,
  w: TimeWindow,
  opts: { services?: readonly string[]; maxSpans?: number } = {},
): Promise<{ spans: WindowSpan[]; share: number }> {
  const max = opts.maxSpans ?? MAX_WINDOW_SPANS;
  const only = opts.services ? ' AND service = ANY($3::text[])' : '';
  const params: unknown[] = [new Date(w.startMs), new Date(w.endMs)];
  if (opts.services) params.push([...opts.services]);
  const [c] = await q.query(
    `SELECT count(*) AS n FROM span WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz${only}`,
    params,
  );
  const n = Number(c?.n ?? 0);
  if (n === 0) return { spans: [], share: 1 };
  const keep = n <= max ? HASH_BUCKETS : Math.max(1, Math.floor((HASH_BUCKETS * max) / n));
  const sample = keep >= HASH_BUCKETS ? '' : ` AND (hashtext(trace_id) & ${HASH_BUCKETS - 1}) < ${keep}`;
  // The traces' ids as an array, so their spans are looked up on the trace_id index: joined
  // to the ids, the planner (misjudging how few they are) read the whole span table.
  const rows = await q.query(
    `SELECT s.trace_id, s.span_id, s.parent_span_id, s.service, s.name, s.kind, s.http_route, s.status_code,
            extract(epoch FROM s.start_time)::float8 * 1000 AS start_ms, s.duration_ns::float8 AS ns
       FROM span s
      WHERE s.trace_id = ANY(ARRAY(
        SELECT DISTINCT trace_id FROM span
         WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz${only}${sample}))`,
    params,
  );
  const spans: WindowSpan[] = rows.map((r) => {
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
      route: r.http_route === null ? null : String(r.http_route),
      error: Number(r.status_code) === 2,
    };
  });
  return { spans, share: keep / HASH_BUCKETS };
}

/**
 * Self time per service and own time per call edge in each window, per minute: rows of the
 * services in `services` (edges touching them; all without), from the whole traces that had a
 * span of theirs starting in the window.
 */
export async function spanTimeSignals(
  q: Queryable,
  windows: readonly TimeWindow[],
  opts: { services?: readonly string[]; maxSpans?: number } = {},
): Promise<SpanTimeSignals> {
  const read = await Promise.all(windows.map((w) => windowTraces(q, w, opts)));
  const scope = opts.services ? new Set(opts.services) : null;
  const selfTimes: SelfTimeRow[] = [];
  const edgeTimes: EdgeTimeRow[] = [];
  read.forEach(({ spans }, i) => {
    const w = windows[i] as TimeWindow;
    const inW = (ms: number) => ms >= w.startMs && ms < w.endMs;
    const t = spanTimes(spans);
    for (const r of t.self) if (inW(r.minuteMs) && (!scope || scope.has(r.service))) selfTimes.push(r);
    for (const r of t.edges)
      if (inW(r.minuteMs) && (!scope || scope.has(r.caller) || scope.has(r.callee))) edgeTimes.push(r);
  });
  return { selfTimes, edgeTimes, sampled: read.map((r) => r.share) };
}
