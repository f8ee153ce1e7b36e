// What the simulation's calibration reads besides the traces: how many instances of each service
// its telemetry showed (the median over the window's minutes of the distinct processes that sent
// spans: service.instance.id, else host and pid), and its CPU gauges (each series' mean over the
// window, summed over the series).
import type { TimeWindow } from '../analysis/index.js';
import type { Queryable } from './db.js';

/** Per service, the median per minute of its distinct instances that sent spans in the window. */
export async function instancesSeen(q: Queryable, w: TimeWindow): Promise<Map<string, number>> {
  const rows = await q.query(
    `WITH per_minute AS (
       SELECT s.service, date_trunc('minute', s.start_time) AS minute,
              count(DISTINCT coalesce(r.resource->>'service.instance.id',
                                      (r.resource->>'host.name') || '/' || (r.resource->>'process.pid'),
                                      s.resource_hash)) AS n
         FROM span s JOIN resource_set r ON r.hash = s.resource_hash
        WHERE s.start_time >= $1::timestamptz AND s.start_time < $2::timestamptz AND s.kind = 2
        GROUP BY 1, 2)
     SELECT service, percentile_disc(0.5) WITHIN GROUP (ORDER BY n) AS instances FROM per_minute GROUP BY service`,
    [new Date(w.startMs), new Date(w.endMs)],
  );
  return new Map(rows.map((r) => [String(r.service), Number(r.instances)]));
}

/** Gauges whose name speaks of CPU, per service and name: the series' means over the window, summed. */
export async function cpuGauges(
  q: Queryable,
  w: TimeWindow,
): Promise<Array<{ service: string; name: string; value: number; series: number }>> {
  const rows = await q.query(
    `SELECT service, name, count(*)::int8 AS series, sum(v) AS value FROM (
       SELECT m.service, m.name, m.resource_hash, m.attributes, avg(m.value) AS v
         FROM metric_point m
        WHERE m.time >= $1::timestamptz AND m.time < $2::timestamptz AND m.kind = 'gauge'
          AND m.value IS NOT NULL AND m.name ILIKE '%cpu%'
        GROUP BY 1, 2, 3, 4) x
      GROUP BY service, name ORDER BY service, name`,
    [new Date(w.startMs), new Date(w.endMs)],
  );
  return rows.map((r) => ({
    service: String(r.service),
    name: String(r.name),
    value: Number(r.value),
    series: Number(r.series),
  }));
}
