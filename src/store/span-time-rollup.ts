// The roll-up of closed minutes' span trees into self time per service and own time per call
// edge (014-span-time-minute), so that investigations read minute rows rather than every trace
// of their windows. The analysis pipeline calls it with the minutes that closed since its last
// call; it runs once per minute across all nodes.
//
// A minute's rows are those of the visits and calls that started in it, from the whole traces
// that had a span starting in it (spans of a trace may have come in any batch, on any node:
// they are read from the span table, after the minute closed). Past MAX_MINUTE_SPANS spans a
// minute on average, a share of the traces is read, chosen by a hash of the trace id, as the
// query-time read does. The minutes are claimed (span_time_rollup) in the transaction that
// writes their rows, with ON CONFLICT DO NOTHING: a node that rolled up the same minutes at the
// same time writes none of them twice. Spans that arrive after their minute was rolled up are
// not in its rows (like minute rows, a minute is final once closed).
import { type EdgeTimeRow, type SelfTimeRow, spanTimes } from '../analysis/index.js';
import { base64Of as b64 } from './analysis-query.js';
import type { Db, Row } from './db.js';
import { ms } from './signal-query.js';
import { readWholeTraces } from './span-time-query.js';

/** Spans (all services) a minute rolled up reads on average before its traces are sampled. */
export const MAX_MINUTE_SPANS = 20_000;
const MINUTE = 60_000;

export interface RollupStats {
  /** Minutes rolled up by this call (claimed here, not by another node). */
  minutes: number;
  /** Spans read. */
  spans: number;
  selfRows: number;
  edgeRows: number;
}

/** Rolls up the minutes in [from, to) that have spans and are not rolled up yet. */
export async function rollUpSpanTimes(
  db: Db,
  from: Date,
  to: Date,
  opts: { maxSpansPerMinute?: number } = {},
): Promise<RollupStats> {
  const none: RollupStats = { minutes: 0, spans: 0, selfRows: 0, edgeRows: 0 };
  const todo = await db.query(
    `SELECT m.minute, m.n FROM (
       SELECT date_trunc('minute', start_time) AS minute, count(*)::int8 AS n FROM span
        WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz GROUP BY 1) m
      WHERE NOT EXISTS (SELECT 1 FROM span_time_rollup r WHERE r.minute = m.minute)
      ORDER BY m.minute`,
    [from, to],
  );
  if (todo.length === 0) return none;
  const minutes = new Map<number, number>(todo.map((r: Row) => [ms(r.minute), Number(r.n)]));
  const first = Math.min(...minutes.keys());
  const last = Math.max(...minutes.keys()) + MINUTE;
  const max = (opts.maxSpansPerMinute ?? MAX_MINUTE_SPANS) * Math.round((last - first) / MINUTE);
  const { spans, share } = await readWholeTraces(db, new Date(first), new Date(last), { maxSpans: max });
  const t = spanTimes(spans);
  const self = t.self.filter((r) => minutes.has(r.minuteMs));
  const edges = t.edges.filter((r) => minutes.has(r.minuteMs));
  return db.transaction(async (tx) => {
    const claimed = await tx.query(
      `INSERT INTO span_time_rollup (minute, spans, share)
       SELECT x.minute, x.spans, x.share FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, spans bigint, share float8)
       ON CONFLICT (minute) DO NOTHING RETURNING minute`,
      [JSON.stringify([...minutes].map(([m, n]) => ({ minute: new Date(m).toISOString(), spans: n, share })))],
    );
    const mine = new Set(claimed.map((r: Row) => ms(r.minute)));
    const selfRows = self.filter((r) => mine.has(r.minuteMs));
    const edgeRows = edges.filter((r) => mine.has(r.minuteMs));
    await insertSelf(tx, selfRows);
    await insertEdges(tx, edgeRows);
    return { minutes: mine.size, spans: spans.length, selfRows: selfRows.length, edgeRows: edgeRows.length };
  });
}

async function insertSelf(tx: Pick<Db, 'query'>, rows: readonly SelfTimeRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = rows.map((r) => ({
    minute: new Date(r.minuteMs).toISOString(),
    service: r.service,
    visits: r.visits,
    latency: b64(r.latency.toBytes()),
  }));
  await tx.query(
    `INSERT INTO self_time_minute (minute, service, visits, latency)
     SELECT x.minute, x.service, x.visits, decode(x.latency, 'base64')
       FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, service text, visits bigint, latency text)`,
    [JSON.stringify(json)],
  );
}

async function insertEdges(tx: Pick<Db, 'query'>, rows: readonly EdgeTimeRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = rows.map((r) => ({
    minute: new Date(r.minuteMs).toISOString(),
    caller: r.caller,
    callee: r.callee,
    calls: r.calls,
    unanswered: r.unanswered,
    latency: b64(r.latency.toBytes()),
  }));
  await tx.query(
    `INSERT INTO edge_time_minute (minute, caller, callee, calls, unanswered, latency)
     SELECT x.minute, x.caller, x.callee, x.calls, x.unanswered, decode(x.latency, 'base64')
       FROM jsonb_to_recordset($1::jsonb) AS x(minute timestamptz, caller text, callee text, calls bigint,
            unanswered bigint, latency text)`,
    [JSON.stringify(json)],
  );
}
