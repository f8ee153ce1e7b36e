// `npm run bench -- accuracy nezha [--data DIR] [--out FILE]`: root-cause service ranking on
// Nezha TrainTicket. The CSVs (logs, traces) are converted to Orrery's model records and run
// through the real StreamAnalyzer, in memory, exactly as ingest would; its per-minute rows
// (patterns, error groups, RED, service-graph edges) plus the pods' resource gauges go to
// rankRootCauses for each injected fault, baseline = the minutes before the injection,
// incident = the minutes after. Scored service-level AC@1/3/5 against the injected pod's
// service, beside the Nezha paper's table.
//
// construct_data/<day> (fault-free) goes through the same analyzer (so pattern keys match) and
// its minutes, less any minute the fault files also cover, are passed as the ranker's
// known-good `reference` (a product would pass last week's same hour). The ranker is asked for
// weak candidates too (services with no significant signal, after the others), so a case with
// thin evidence still yields a ranked list. NEZHA_NO_REFERENCE=1 leaves the reference out.
//
// Conversion choices (the data has no span kind and no status):
//  - service = the pod name without its Kubernetes suffixes (-<replicaset hash>-<5 chars>);
//  - span kind = SERVER when the parent span is absent ("root") or in another service (the
//    span is where a request enters the service), INTERNAL otherwise; so RED counts requests
//    entering each service, and edges come from the analyzer's parent→child walk;
//  - span status = UNSET: errors come from the logs (ERROR/WARN patterns, error groups);
//  - log level = the first level word among the application line's first tokens;
//  - resource gauges = the metric CSV columns about the pod's CPU and memory (saturation of the
//    service itself); node-wide columns, network and syscall counts (which follow traffic) and
//    the latency/success columns (which the spans already give) are left out.
import { createReadStream, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { StreamAnalyzer } from '../../src/analysis/aggregate/index.js';
import type { EdgeRow, ErrorGroupRow, MetricRow, PatternRow, RcaInput, RcaResult, RedRow, TimeWindow } from '../../src/analysis/rca/index.js';
import { RCA_ALGORITHM, rankRootCauses } from '../../src/analysis/rca/index.js';
import type { LogRecord, Span } from '../../src/model/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { int, table } from './format.js';
import { extractNezhaOnce, nezhaArchivePath } from './nezha-archive.js';
import { type RankedCase, hitAt, writeRankings } from './ranking.js';

const MINUTE = 60_000;
/** Minutes after the injection scored as the incident. */
const INCIDENT_MINUTES = 3;
/** Minutes before the injection used as the baseline, at most. */
const BASELINE_MINUTES = 5;
/** Resource gauges are steadier over a longer look back. */
const METRIC_BASELINE_MINUTES = 15;

const PUBLISHED = [
  { method: 'Nezha', at: [0.867, 0.978, 0.978] },
  { method: 'MicroRCA', at: [0.2, 0.311, 0.444] },
  { method: 'MicroRank', at: [0.156, 0.244, 0.356] },
  { method: 'PDiagnose', at: [0.089, 0.133, 0.222] },
];

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

async function* csvRows(file: string): AsyncGenerator<Record<string, string>> {
  const parser = createReadStream(file).pipe(parse({ bom: true, columns: true, relax_column_count: true, skip_records_with_error: true }));
  for await (const row of parser as AsyncIterable<Record<string, string>>) yield row;
}

const SCOPE = { name: 'nezha-csv', version: '1', attributes: {} };

async function readSpans(file: string, earlier: Map<string, string>): Promise<Span[]> {
  const rows: Array<Record<string, string>> = [];
  for await (const r of csvRows(file)) rows.push(r);
  const serviceOfSpan = new Map<string, string>();
  for (const r of rows) serviceOfSpan.set(r.SpanID ?? '', serviceOfPod(r.PodName ?? ''));
  const spans: Span[] = [];
  for (const r of rows) {
    const service = serviceOfPod(r.PodName ?? '');
    const parent = r.ParentID && r.ParentID !== 'root' ? r.ParentID : null;
    const parentService = parent === null ? null : (serviceOfSpan.get(parent) ?? earlier.get(parent) ?? null);
    const start = Number(r.StartTimeUnixNano);
    const end = Number(r.EndTimeUnixNano);
    if (!Number.isFinite(start) || !Number.isFinite(end)) continue;
    spans.push({
      service,
      serviceVersion: null,
      environment: null,
      userId: null,
      accountId: null,
      traceId: r.TraceID ?? '',
      spanId: r.SpanID ?? '',
      parentSpanId: parent,
      traceState: '',
      name: r.OperationName ?? '',
      kind: parent === null || (parentService !== null && parentService !== service) ? 2 : 1,
      startTimeUnixNano: start,
      endTimeUnixNano: end,
      durationNano: end - start,
      statusCode: 0,
      statusMessage: '',
      httpRoute: null,
      attributes: {},
      events: [],
      links: [],
      resource: { 'service.name': service, 'k8s.pod.name': r.PodName ?? '' },
      scope: SCOPE,
    });
  }
  earlier.clear();
  for (const [k, v] of serviceOfSpan) earlier.set(k, v);
  return spans;
}

async function readLogs(file: string): Promise<LogRecord[]> {
  const logs: LogRecord[] = [];
  for await (const r of csvRows(file)) {
    let body: string;
    try {
      const log = (JSON.parse(r.Log ?? '') as { log?: unknown }).log;
      if (typeof log !== 'string') continue;
      body = log.replace(/\r?\n$/, '');
    } catch {
      continue;
    }
    const t = Number(r.TimeUnixNano);
    if (!Number.isFinite(t)) continue;
    const service = serviceOfPod(r.PodName ?? '');
    logs.push({
      service,
      serviceVersion: null,
      environment: null,
      userId: null,
      accountId: null,
      timeUnixNano: t,
      observedTimeUnixNano: t,
      severityNumber: 0,
      severityText: levelWord(body),
      body,
      eventName: '',
      traceId: r.TraceID || null,
      spanId: r.SpanID || null,
      flags: 0,
      attributes: {},
      resource: { 'service.name': service, 'k8s.pod.name': r.PodName ?? '' },
      scope: SCOPE,
    });
  }
  return logs;
}

const LEVEL_ORDER = ['', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** The analyzer's minute rows of one day, accumulated over all drains. */
interface DaySignals {
  red: RedRow[];
  edges: EdgeRow[];
  patterns: PatternRow[];
  errorGroups: ErrorGroupRow[];
  /** Minutes with any span: the data's coverage. */
  covered: Set<number>;
  /** Minutes with spans of the fault-free reference data (construct_data). */
  reference: Set<number>;
  spans: number;
  logs: number;
}

/**
 * Runs the day's telemetry through one StreamAnalyzer, minute file by minute file in time
 * order. `referenceDir` (construct_data/<day>, fault-free) is fed into the same analyzer so
 * that its patterns share keys with the fault data; the minutes it covers are returned as
 * `reference`.
 */
async function analyzeDay(dayDir: string, referenceDir: string | null): Promise<DaySignals> {
  const analyzer = new StreamAnalyzer();
  const minuteFiles = new Map<string, string[]>();
  for (const dir of referenceDir === null ? [dayDir] : [dayDir, referenceDir]) {
    for (const sub of ['log', 'trace']) {
      if (!existsSync(join(dir, sub))) continue;
      for (const f of readdirSync(join(dir, sub))) {
        const m = /^(.+)_(log|trace)\.csv$/.exec(f);
        if (!m) continue;
        const list = minuteFiles.get(m[1] as string) ?? [];
        if (!list.includes(dir)) list.push(dir);
        minuteFiles.set(m[1] as string, list);
      }
    }
  }
  const out: DaySignals = { red: [], edges: [], patterns: [], errorGroups: [], covered: new Set(), reference: new Set(), spans: 0, logs: 0 };
  // Minutes holding fault-period data too are no reference (the rca files overlap in time).
  const faultMinutes = new Set<number>();
  const patternInfo = new Map<string, { level: string; label: string }>();
  const merged = new Map<string, string>();
  const groupLabel = new Map<string, string>();
  const rawPatterns: Array<{ minuteMs: number; service: string; key: string; count: number }> = [];
  const earlier = new Map<string, string>();
  for (const [name, dirs] of [...minuteFiles].sort((a, b) => a[0].localeCompare(b[0]))) {
    for (const dir of dirs) {
      const traceFile = join(dir, 'trace', `${name}_trace.csv`);
      const logFile = join(dir, 'log', `${name}_log.csv`);
      if (existsSync(traceFile)) {
        const spans = await readSpans(traceFile, earlier);
        out.spans += spans.length;
        for (const s of spans) {
          const minute = Math.floor(s.startTimeUnixNano / 1e6 / MINUTE) * MINUTE;
          out.covered.add(minute);
          (dir === referenceDir ? out.reference : faultMinutes).add(minute);
        }
        analyzer.observeSpans(spans);
      }
      if (existsSync(logFile)) {
        const logs = await readLogs(logFile);
        out.logs += logs.length;
        analyzer.observeLogs(logs);
      }
    }
    const d = analyzer.drain();
    for (const p of d.patterns) {
      const k = `${p.service}\u0000${p.key}`;
      const prev = patternInfo.get(k);
      const level = prev && LEVEL_ORDER.indexOf(prev.level) > LEVEL_ORDER.indexOf(p.level) ? prev.level : p.level;
      patternInfo.set(k, { level, label: p.template });
    }
    for (const m of d.merges) merged.set(`${m.service}\u0000${m.from}`, m.into);
    for (const g of d.errorGroups) groupLabel.set(`${g.service}\u0000${g.fingerprint}`, `${g.type}: ${g.message}`.slice(0, 200));
    for (const r of d.patternMinutes) rawPatterns.push({ minuteMs: r.minuteMs, service: r.service, key: r.key, count: r.count });
    for (const r of d.errorMinutes) {
      const label = groupLabel.get(`${r.service}\u0000${r.key}`);
      out.errorGroups.push({ minuteMs: r.minuteMs, service: r.service, key: r.key, count: r.count, ...(label ? { label } : {}) });
    }
    for (const r of d.red) out.red.push({ minuteMs: r.minuteMs, service: r.service, endpoint: r.endpoint, requests: r.requests, errors: r.errors, latency: r.latency });
    for (const r of d.edges) out.edges.push({ minuteMs: r.minuteMs, caller: r.caller, callee: r.callee, calls: r.calls, errors: r.errors, latency: r.latency });
  }
  for (const m of faultMinutes) out.reference.delete(m);
  // Patterns merged in a later drain: count their earlier minutes under the surviving key.
  const resolve = (service: string, key: string): string => {
    let k = key;
    for (let i = 0; i < 32; i++) {
      const next = merged.get(`${service}\u0000${k}`);
      if (next === undefined || next === k) break;
      k = next;
    }
    return k;
  };
  for (const r of rawPatterns) {
    const key = resolve(r.service, r.key);
    const info = patternInfo.get(`${r.service}\u0000${key}`) ?? patternInfo.get(`${r.service}\u0000${r.key}`);
    out.patterns.push({ minuteMs: r.minuteMs, service: r.service, key, level: info?.level ?? '', count: r.count, ...(info ? { label: info.label } : {}) });
  }
  return out;
}

const RESOURCE_COLUMN = /cpu|memory/i;

/** The pods' resource gauges of one day, per service and minute. */
async function readMetrics(dayDir: string): Promise<MetricRow[]> {
  const dir = join(dayDir, 'metric');
  if (!existsSync(dir)) return [];
  const out: MetricRow[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)_metric\.csv$/.exec(f);
    if (!m) continue;
    const service = serviceOfPod(m[1] as string);
    for await (const r of csvRows(join(dir, f))) {
      const ts = Number(r.TimeStamp);
      if (!Number.isFinite(ts)) continue;
      const minuteMs = Math.floor((ts * 1000) / MINUTE) * MINUTE;
      for (const [col, v] of Object.entries(r)) {
        if (!RESOURCE_COLUMN.test(col) || /^node/i.test(col)) continue;
        const value = Number(v);
        if (v !== '' && Number.isFinite(value)) out.push({ minuteMs, service, name: col, value });
      }
    }
  }
  return out;
}

interface Fault {
  day: string;
  injectTime: string;
  injectTimestamp: number | null;
  pod: string;
  type: string;
}

function readFaults(dayDir: string, day: string): Fault[] {
  const file = join(dayDir, `${day}-fault_list.json`);
  if (!existsSync(file)) return [];
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Array<Record<string, string>>>;
  const out: Fault[] = [];
  for (const list of Object.values(raw)) {
    for (const f of list) {
      const ts = Number(f.inject_timestamp);
      out.push({ day, injectTime: f.inject_time ?? '', injectTimestamp: Number.isFinite(ts) ? ts : null, pod: f.inject_pod ?? '', type: f.inject_type ?? '?' });
    }
  }
  return out;
}

/**
 * The time-zone offset (ms, whole hours within ±14 h) that puts an instant into the
 * telemetry: the one whose minute and the next have data, smallest |offset| first. Null when
 * none does.
 */
export function offsetInto(instantMs: number, covered: ReadonlySet<number>): number | null {
  const candidates: number[] = [];
  for (let h = -14; h <= 14; h++) candidates.push(h * 60 * MINUTE);
  candidates.sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  for (const off of candidates) {
    const m = Math.floor((instantMs + off) / MINUTE) * MINUTE;
    if (covered.has(m) && covered.has(m + MINUTE)) return off;
  }
  return null;
}

interface Case extends RankedCase {
  type: string;
  injectMs: number;
}

/** A case's top five with their evidence (NEZHA_DEBUG=1). */
export function debugCase(p: PreparedCase, result: RcaResult): string {
  const input = p.input as RcaInput;
  const mins = (w: TimeWindow) => (w.endMs - w.startMs) / MINUTE;
  const lines = [`\n${p.case} ${p.type} truth=${p.truth} base=${mins(input.baseline)}m inc=${mins(input.incident)}m tests=${result.tests} sig=${result.significant}`];
  for (const s of result.services.slice(0, 5)) lines.push(`  ${s.service === p.truth ? '*' : ' '} ${s.service} ${s.score.toFixed(1)} own=${s.ownScore.toFixed(1)} ${s.hint}`);
  const at = result.services.findIndex((s) => s.service === p.truth);
  if (at >= 5) lines.push(`  * ${p.truth} at ${at + 1}: ${result.services[at]?.hint}`);
  if (at < 0) lines.push(`  * ${p.truth} not ranked`);
  return `${lines.join('\n')}\n`;
}

/** One injected fault with the ranker's input around it (null: no data to rank from). */
export interface PreparedCase {
  case: string;
  type: string;
  truth: string;
  injectMs: number;
  input: RcaInput | null;
}

export interface PreparedNezha {
  cases: PreparedCase[];
  notes: string[];
  spans: number;
  logs: number;
  analyzeSeconds: number;
}

/** Contiguous runs of minutes as windows. */
function windowsOf(minutes: ReadonlySet<number>): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const m of [...minutes].sort((x, y) => x - y)) {
    const last = out.at(-1);
    if (last !== undefined && last.endMs === m) last.endMs = m + MINUTE;
    else out.push({ startMs: m, endMs: m + MINUTE });
  }
  return out;
}

/**
 * Reads and analyzes every day under `root`/rca_data (with its construct_data reference when
 * present and `useReference`), and places each fault's baseline, incident and reference windows.
 */
export async function prepareNezha(root: string, options: { useReference?: boolean } = {}): Promise<PreparedNezha> {
  const rca = join(root, 'rca_data');
  const cases: PreparedCase[] = [];
  const notes: string[] = [];
  let spans = 0;
  let logs = 0;
  let analyzeSeconds = 0;
  for (const day of readdirSync(rca).sort()) {
    const dayDir = join(rca, day);
    const faults = readFaults(dayDir, day);
    if (faults.length === 0) continue;
    const ta = performance.now();
    const refDir = join(root, 'construct_data', day);
    const signals = await analyzeDay(dayDir, options.useReference !== false && existsSync(refDir) ? refDir : null);
    const metrics = await readMetrics(dayDir);
    analyzeSeconds += (performance.now() - ta) / 1000;
    spans += signals.spans;
    logs += signals.logs;
    const reference = windowsOf(signals.reference);
    if (reference.length > 0) notes.push(`${day}: fault-free reference from construct_data, ${signals.reference.size} minutes`);
    // Inject instants: inject_time (wall clock, no zone) and inject_timestamp (epoch s) can each
    // be off by a time-zone offset; each is placed into the telemetry by the offset that makes
    // it land on covered minutes. inject_time, the case id, wins when both land but disagree.
    const placed = faults.map((f) => {
      const wall = Date.parse(`${f.injectTime.replace(' ', 'T')}Z`);
      const offWall = Number.isFinite(wall) ? offsetInto(wall, signals.covered) : null;
      const epoch = f.injectTimestamp === null ? Number.NaN : f.injectTimestamp * 1000;
      const offEpoch = Number.isFinite(epoch) ? offsetInto(epoch, signals.covered) : null;
      const fromWall = offWall === null ? null : wall + offWall;
      const fromEpoch = offEpoch === null ? null : epoch + offEpoch;
      if (fromWall !== null && fromEpoch !== null && Math.abs(fromWall - fromEpoch) > MINUTE / 2) {
        notes.push(`${f.injectTime}: inject_timestamp lands ${((fromEpoch - fromWall) / 1000).toFixed(0)} s from inject_time; inject_time used`);
      }
      const offsets = `inject_time +${offWall === null ? '?' : `${offWall / 3.6e6} h`}, inject_timestamp +${offEpoch === null ? '?' : `${offEpoch / 3.6e6} h`}`;
      return { f, at: fromWall ?? fromEpoch, offsets };
    });
    const offsetSummary = new Map<string, number>();
    for (const p of placed) offsetSummary.set(p.offsets, (offsetSummary.get(p.offsets) ?? 0) + 1);
    for (const [k, n] of offsetSummary) notes.push(`${day}: time-zone offsets detected (${k}) for ${n} fault${n === 1 ? '' : 's'}`);

    const sorted = placed.filter((p) => p.at !== null).sort((a, b) => (a.at as number) - (b.at as number));
    for (const p of placed) if (p.at === null) notes.push(`${p.f.injectTime}: no telemetry around the injection; skipped`);
    let prevIncidentEnd = Number.NEGATIVE_INFINITY;
    for (const { f, at } of sorted) {
      const injectMs = at as number;
      const injectMinute = Math.floor(injectMs / MINUTE) * MINUTE;
      // The injection's own minute counts as incident when most of it is after the injection.
      const incidentStart = injectMs - injectMinute <= MINUTE / 2 ? injectMinute : injectMinute + MINUTE;
      let incidentEnd = incidentStart;
      while (incidentEnd < incidentStart + INCIDENT_MINUTES * MINUTE && signals.covered.has(incidentEnd)) incidentEnd += MINUTE;
      const baselineEnd = injectMinute;
      let baselineStart = baselineEnd;
      while (baselineStart > baselineEnd - BASELINE_MINUTES * MINUTE && baselineStart - MINUTE >= prevIncidentEnd && signals.covered.has(baselineStart - MINUTE)) {
        baselineStart -= MINUTE;
      }
      const metricStart = Math.min(baselineStart, Math.max(baselineEnd - METRIC_BASELINE_MINUTES * MINUTE, prevIncidentEnd));
      if (baselineStart === baselineEnd && signals.covered.has(baselineEnd - MINUTE)) {
        // The previous fault's window runs up to this injection: its last minute is the only baseline.
        baselineStart = baselineEnd - MINUTE;
        notes.push(`${f.injectTime}: baseline overlaps the previous fault's incident window`);
      }
      prevIncidentEnd = Math.max(prevIncidentEnd, incidentEnd);
      const truth = serviceOfPod(f.pod);
      if (baselineStart === baselineEnd || incidentEnd === incidentStart) {
        notes.push(`${f.injectTime}: no baseline or no incident minutes with data; scored as a miss`);
        cases.push({ case: f.injectTime, type: f.type, truth, injectMs, input: null });
        continue;
      }
      cases.push({
        case: f.injectTime,
        type: f.type,
        truth,
        injectMs,
        input: {
          baseline: { startMs: baselineStart, endMs: baselineEnd },
          incident: { startMs: incidentStart, endMs: incidentEnd },
          ...(reference.length > 0 ? { reference } : {}),
          red: signals.red,
          edges: signals.edges,
          patterns: signals.patterns,
          errorGroups: signals.errorGroups,
          metrics,
          // Gauges get a longer look back (back to the previous fault's window at most).
          metricBaseline: { startMs: metricStart, endMs: baselineEnd },
        },
      });
    }
  }
  return { cases, notes, spans, logs, analyzeSeconds };
}

export async function run(opts: AccuracyOptions): Promise<number> {
  const say = (s: string) => process.stderr.write(s);
  const t0 = performance.now();
  let root: string;
  try {
    root = opts.data ?? (await extractNezhaOnce(nezhaArchivePath(), say));
  } catch (err) {
    say(`${(err as Error).message}\n`);
    return 1;
  }
  if (!existsSync(join(root, 'rca_data'))) {
    say(`${root} has no rca_data/ folder\n`);
    return 1;
  }
  const prepared = await prepareNezha(root, { useReference: process.env.NEZHA_NO_REFERENCE === undefined });
  const { notes, spans, logs, analyzeSeconds } = prepared;
  const cases: Case[] = [];
  let rankSeconds = 0;
  for (const p of prepared.cases) {
    if (p.input === null) {
      cases.push({ case: p.case, ranked: [], truth: [p.truth], type: p.type, injectMs: p.injectMs });
      continue;
    }
    const tr = performance.now();
    const result = rankRootCauses(p.input, { weakCandidates: true });
    rankSeconds += (performance.now() - tr) / 1000;
    const ranked = result.services.map((s) => s.service);
    cases.push({ case: p.case, ranked, truth: [p.truth], type: p.type, injectMs: p.injectMs });
    if (process.env.NEZHA_DEBUG) say(debugCase(p, result));
  }
  if (cases.length === 0) {
    say(`no faults found under ${join(root, 'rca_data')}/<day>/<day>-fault_list.json\n`);
    return 1;
  }
  if (opts.out) writeRankings(opts.out, cases);

  const types = [...new Set(cases.map((c) => c.type))].sort();
  const fmt = (x: number) => x.toFixed(3);
  const rows = [
    [`Orrery ${RCA_ALGORITHM}`, String(cases.length), ...[1, 3, 5].map((k) => fmt(hitAt(cases, k)))],
    ...types.map((t) => {
      const sub = cases.filter((c) => c.type === t);
      return [`  ${t}`, String(sub.length), ...[1, 3, 5].map((k) => fmt(hitAt(sub, k)))];
    }),
    ...PUBLISHED.map((p) => [`${p.method} (paper)`, '', ...p.at.map(fmt)]),
  ];
  const seconds = (performance.now() - t0) / 1000;
  const lines = [
    `Nezha TrainTicket, service-level root cause (${root})`,
    `${int(spans)} spans and ${int(logs)} log lines through StreamAnalyzer in ${analyzeSeconds.toFixed(1)} s; ${cases.length} faults ranked in ${rankSeconds.toFixed(2)} s`,
    ...notes.map((n) => `note: ${n}`),
    '',
    table(['method', 'faults', 'AC@1', 'AC@3', 'AC@5'], rows, new Set([1, 2, 3, 4])),
    '',
    `target AC@1 ≥ 0.87 (beats Nezha's 0.867): ${hitAt(cases, 1) >= 0.87 ? 'met' : 'not met'}`,
    `run time ${seconds.toFixed(1)} s${opts.out ? `; rankings written to ${opts.out}` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
