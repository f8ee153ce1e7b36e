// The Nezha TrainTicket archive, extracted once into the bench cache (patterns-speed and
// accuracy nezha share the extraction), and its CSVs as OTLP/JSON export requests, so the
// data enters Orrery the way a collector would send it.
//
// Conversion choices (the CSVs have no span kind, no status and no severity field):
//  - resource service.name = the pod name without its Kubernetes suffixes; k8s.pod.name = the pod;
//  - span kind = SERVER when the span has no parent or its parent is in another service (where a
//    request enters the service), INTERNAL otherwise; status UNSET (errors come from the logs);
//  - logs: the application line (the `log` field of the Docker JSON wrapper) is written by
//    logback's layout `%d{HH:mm:ss.SSS} %-5level %logger{1.}#%line TraceID: %X SpanID: %X %msg`;
//    the record is what OpenTelemetry's logback appender sends for that event instead of the
//    formatted line: body = the message, severity from the level, `code.namespace` = the logger
//    (the class) and `code.lineno` = the line (the appender's code attributes), trace and span
//    ids from the CSV. A line in another layout is sent whole, severity = the first level word
//    among its first tokens, as a collector's regex parser would set it;
//  - timestamps are kept as they are (nanosecond strings, unchanged).
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { extractOnce } from './archive-cache.js';
import { datasetsRoot } from './loghub.js';

export const NEZHA_ARCHIVE = 'trainticket-2023-01-29.tar.xz';

export function nezhaArchivePath(): string {
  return join(datasetsRoot(), 'nezha-trainticket', NEZHA_ARCHIVE);
}

/** Every day's archive in the dataset folder (trainticket-*.tar.xz), by name; none when the folder is missing. */
export function nezhaArchivePaths(): string[] {
  const dir = join(datasetsRoot(), 'nezha-trainticket');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^trainticket-.+\.tar\.xz$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The folder holding rca_data/ and construct_data/, extracting the archive the first time. */
export function extractNezhaOnce(archive: string, log: (s: string) => void): Promise<string> {
  return extractOnce(archive, 'nezha', 'rca_data', log);
}

/** Kubernetes pod name → its workload: drop "-<replicaset hash>-<pod id>" or "-<ordinal>". */
export function serviceOfPod(pod: string): string {
  return pod.replace(/-[a-z0-9]{6,10}-[a-z0-9]{5}$/, '').replace(/-[0-9]+$/, '');
}

const LEVEL_WORDS = /^(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|SEVERE|CRITICAL)$/i;

/** The first level word among the first few whitespace-separated tokens of a line. */
export function levelWord(line: string): string {
  const tokens = line.slice(0, 80).split(/\s+/, 4);
  for (const t of tokens) {
    const w = t.replace(/^\[|\]$/g, '');
    if (LEVEL_WORDS.test(w)) return w.toUpperCase();
  }
  return '';
}

const LOGBACK_LINE = /^\d\d:\d\d:\d\d\.\d+\s+([A-Za-z]+)\s+(\S+)#(\d+)\s+TraceID:\s*\S*\s+SpanID:\s*\S*\s?/;

/** A logback line (see the header) as the appender's fields; null for another layout. */
export function logbackFields(
  line: string,
): { level: string; namespace: string; lineno: number; message: string } | null {
  const m = LOGBACK_LINE.exec(line);
  if (m === null || !LEVEL_WORDS.test(m[1] as string)) return null;
  return {
    level: (m[1] as string).toUpperCase(),
    namespace: m[2] as string,
    lineno: Number(m[3]),
    message: line.slice(m[0].length).replace(/\s+$/, ''),
  };
}

/** OTLP SeverityNumber of a level word (the first number of each range). */
const SEVERITY: Record<string, number> = {
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  WARN: 13,
  WARNING: 13,
  ERROR: 17,
  SEVERE: 17,
  FATAL: 21,
  CRITICAL: 21,
};

export async function* csvRows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(
    parse({ bom: true, columns: true, relax_column_count: true, skip_records_with_error: true }),
  );
  for await (const row of parser as AsyncIterable<Record<string, string>>) yield row;
}

/** One minute's files of a day folder: `trace/HH_MM_trace.csv` and `log/HH_MM_log.csv`. */
export interface MinuteFiles {
  /** The minute the files are named for (UTC, as the telemetry's clock). */
  minuteMs: number;
  trace: string | null;
  log: string | null;
}

/** The minute files under `dayDir` (day = YYYY-MM-DD), in time order. */
export function minuteFilesOf(dayDir: string, day: string): MinuteFiles[] {
  const byName = new Map<string, MinuteFiles>();
  for (const sub of ['trace', 'log'] as const) {
    if (!existsSync(join(dayDir, sub))) continue;
    for (const f of readdirSync(join(dayDir, sub))) {
      const m = /^(\d\d)_(\d\d)_(trace|log)\.csv$/.exec(f);
      if (!m || m[3] !== sub) continue;
      const minuteMs = Date.parse(`${day}T${m[1]}:${m[2]}:00Z`);
      if (!Number.isFinite(minuteMs)) continue;
      const e = byName.get(`${m[1]}_${m[2]}`) ?? { minuteMs, trace: null, log: null };
      e[sub] = join(dayDir, sub, f);
      byName.set(`${m[1]}_${m[2]}`, e);
    }
  }
  return [...byName.values()].sort((a, b) => a.minuteMs - b.minuteMs);
}

/** A span row as the trace CSV has it. */
export interface TraceRow {
  traceId: string;
  spanId: string;
  /** Null for a root span ("root" in the CSV). */
  parentId: string | null;
  pod: string;
  service: string;
  name: string;
  start: string;
  end: string;
}

/** A log row: the application line and its ids. */
export interface LogRow {
  pod: string;
  container: string;
  service: string;
  time: string;
  traceId: string;
  spanId: string;
  line: string;
}

const HEX = /^(?:[0-9a-f]{2})+$/i;
const NANOS = /^\d{1,20}$/;

/** Nanoseconds (a decimal string) → milliseconds. */
export function nanosToMs(ns: string): number {
  return Number(ns) / 1e6;
}

/** The trace CSV's rows with timestamps in [fromMs, toMs]; malformed rows are skipped. */
export async function readTraceRows(file: string, fromMs: number, toMs: number): Promise<TraceRow[]> {
  const out: TraceRow[] = [];
  for await (const r of csvRows(file)) {
    const start = r.StartTimeUnixNano ?? '';
    const end = r.EndTimeUnixNano ?? '';
    const traceId = r.TraceID ?? '';
    const spanId = r.SpanID ?? '';
    if (!NANOS.test(start) || !NANOS.test(end) || !HEX.test(traceId) || !HEX.test(spanId)) continue;
    const t = nanosToMs(start);
    if (t < fromMs || t > toMs) continue;
    const parent = r.ParentID ?? '';
    const pod = r.PodName ?? '';
    out.push({
      traceId,
      spanId,
      parentId: HEX.test(parent) ? parent : null,
      pod,
      service: serviceOfPod(pod),
      name: r.OperationName ?? '',
      start,
      end,
    });
  }
  return out;
}

/** The log CSV's rows with timestamps in [fromMs, toMs]; lines that are not a Docker JSON wrapper are skipped. */
export async function readLogRows(file: string, fromMs: number, toMs: number): Promise<LogRow[]> {
  const out: LogRow[] = [];
  for await (const r of csvRows(file)) {
    const time = r.TimeUnixNano ?? '';
    if (!NANOS.test(time)) continue;
    const t = nanosToMs(time);
    if (t < fromMs || t > toMs) continue;
    let line: string;
    try {
      const log = (JSON.parse(r.Log ?? '') as { log?: unknown }).log;
      if (typeof log !== 'string') continue;
      line = log.replace(/\r?\n$/, '');
    } catch {
      continue;
    }
    const pod = r.PodName ?? '';
    out.push({
      pod,
      container: r.Container ?? '',
      service: serviceOfPod(pod),
      time,
      traceId: r.TraceID ?? '',
      spanId: r.SpanID ?? '',
      line,
    });
  }
  return out;
}

/** One OTLP/JSON export request body and how many records it holds. */
export interface OtlpJsonRequest {
  signal: 'traces' | 'logs' | 'metrics';
  records: number;
  body: string;
}

const SCOPE = { name: 'nezha-csv', version: '1' };
const str = (v: string) => ({ stringValue: v });

function resourceOf(pod: string, service: string, container?: string) {
  const attributes = [
    { key: 'service.name', value: str(service) },
    { key: 'k8s.pod.name', value: str(pod) },
  ];
  if (container) attributes.push({ key: 'k8s.container.name', value: str(container) });
  return { attributes };
}

/** Consecutive runs of at most `batch` items: one request each. */
function chunks<T>(items: readonly T[], batch: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += batch) out.push(items.slice(i, i + batch));
  return out;
}

function byPod<T extends { pod: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const list = m.get(it.pod) ?? [];
    list.push(it);
    m.set(it.pod, list);
  }
  return m;
}

/**
 * ExportTraceServiceRequest bodies for `rows`. `serviceOfSpan` resolves parents that are not in
 * `rows` (spans of an earlier request); a span whose parent is unknown is INTERNAL.
 */
export function traceRequests(
  rows: readonly TraceRow[],
  serviceOfSpan: ReadonlyMap<string, string>,
  batch = 2000,
): OtlpJsonRequest[] {
  return chunks(rows, batch).map((chunk) => {
    const resourceSpans = [...byPod(chunk)].map(([pod, spans]) => ({
      resource: resourceOf(pod, spans[0]?.service ?? ''),
      scopeSpans: [
        {
          scope: SCOPE,
          spans: spans.map((s) => {
            const parentService = s.parentId === null ? null : (serviceOfSpan.get(s.parentId) ?? null);
            const entry = s.parentId === null || (parentService !== null && parentService !== s.service);
            return {
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentId === null ? {} : { parentSpanId: s.parentId }),
              name: s.name,
              kind: entry ? 2 : 1,
              startTimeUnixNano: s.start,
              endTimeUnixNano: s.end,
              status: {},
            };
          }),
        },
      ],
    }));
    return { signal: 'traces', records: chunk.length, body: JSON.stringify({ resourceSpans }) };
  });
}

/** ExportLogsServiceRequest bodies for `rows`. */
export function logRequests(rows: readonly LogRow[], batch = 2000): OtlpJsonRequest[] {
  return chunks(rows, batch).map((chunk) => {
    const resourceLogs = [...byPod(chunk)].map(([pod, logs]) => ({
      resource: resourceOf(pod, logs[0]?.service ?? '', logs[0]?.container),
      scopeLogs: [
        {
          scope: SCOPE,
          logRecords: logs.map((l) => {
            const fields = logbackFields(l.line);
            const level = fields?.level ?? levelWord(l.line);
            return {
              timeUnixNano: l.time,
              observedTimeUnixNano: l.time,
              ...(level ? { severityText: level, severityNumber: SEVERITY[level] ?? 0 } : {}),
              body: str(fields?.message ?? l.line),
              ...(fields
                ? {
                    attributes: [
                      { key: 'code.namespace', value: { stringValue: fields.namespace } },
                      { key: 'code.lineno', value: { intValue: String(fields.lineno) } },
                    ],
                  }
                : {}),
              ...(HEX.test(l.traceId) ? { traceId: l.traceId } : {}),
              ...(HEX.test(l.spanId) ? { spanId: l.spanId } : {}),
            };
          }),
        },
      ],
    }));
    return { signal: 'logs', records: chunk.length, body: JSON.stringify({ resourceLogs }) };
  });
}

/** One sample of a pod's resource use (metric/<pod>_metric.csv, one row a minute). */
export interface MetricSample {
  pod: string;
  service: string;
  /** Nanoseconds, as a decimal string. */
  time: string;
  /** CPU in cores (the CSV's CpuUsage(m) / 1000). */
  cpu: number | null;
  /** Memory in bytes (the CSV's MemoryUsage(Mi) × 2²⁰). */
  memory: number | null;
  /** CPU as a share of the pod's limit (the CSV's CpuUsageRate(%) / 100). */
  cpuShare: number | null;
  /** Memory as a share of the pod's limit (the CSV's MemoryUsageRate(%) / 100). */
  memoryShare: number | null;
}

/**
 * The pods' resource samples of a day folder (metric/<pod>_metric.csv), in time order. Only CPU
 * and memory are kept, as the kubeletstats receiver would send them for pods with limits
 * (k8s.pod.cpu.usage, k8s.pod.memory.usage, and k8s.pod.cpu_limit_utilization,
 * k8s.pod.memory_limit_utilization from the CSV's usage rates); the other columns are traffic
 * (network, syscalls, workload) or the latency and success rate the spans already carry.
 */
export async function readMetricSamples(dayDir: string): Promise<MetricSample[]> {
  const dir = join(dayDir, 'metric');
  if (!existsSync(dir)) return [];
  const out: MetricSample[] = [];
  const num = (v: string | undefined) =>
    v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? null : Number(v);
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)_metric\.csv$/.exec(f);
    if (!m) continue;
    const pod = m[1] as string;
    for await (const r of csvRows(join(dir, f))) {
      const s = r.TimeStamp ?? '';
      if (!/^\d{1,12}$/.test(s)) continue;
      const cpuM = num(r['CpuUsage(m)']);
      const memMi = num(r['MemoryUsage(Mi)']);
      if (cpuM === null && memMi === null) continue;
      const pct = (v: number | null) => (v === null ? null : v / 100);
      out.push({
        pod,
        service: serviceOfPod(pod),
        time: `${s}000000000`,
        cpu: cpuM === null ? null : cpuM / 1000,
        memory: memMi === null ? null : memMi * 2 ** 20,
        cpuShare: pct(num(r['CpuUsageRate(%)'])),
        memoryShare: pct(num(r['MemoryUsageRate(%)'])),
      });
    }
  }
  return out.sort((a, b) => nanosToMs(a.time) - nanosToMs(b.time));
}

/** ExportMetricsServiceRequest bodies (the gauges of readMetricSamples) for `samples`. */
export function metricRequests(samples: readonly MetricSample[], batch = 2000): OtlpJsonRequest[] {
  return chunks(samples, batch).map((chunk) => {
    const resourceMetrics = [...byPod(chunk)].map(([pod, points]) => {
      const gauge = (name: string, unit: string, value: (p: MetricSample) => number | null) => ({
        name,
        unit,
        gauge: {
          dataPoints: points
            .filter((p) => value(p) !== null)
            .map((p) => ({ timeUnixNano: p.time, asDouble: value(p) })),
        },
      });
      return {
        resource: resourceOf(pod, points[0]?.service ?? ''),
        scopeMetrics: [
          {
            scope: SCOPE,
            metrics: [
              gauge('k8s.pod.cpu.usage', '{cpu}', (p) => p.cpu),
              gauge('k8s.pod.memory.usage', 'By', (p) => p.memory),
              gauge('k8s.pod.cpu_limit_utilization', '1', (p) => p.cpuShare),
              gauge('k8s.pod.memory_limit_utilization', '1', (p) => p.memoryShare),
            ],
          },
        ],
      };
    });
    return { signal: 'metrics', records: chunk.length, body: JSON.stringify({ resourceMetrics }) };
  });
}
