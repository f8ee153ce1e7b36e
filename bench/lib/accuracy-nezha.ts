// `npm run bench -- accuracy nezha [--data DIR] [--out FILE]`: root-cause service ranking on
// Nezha TrainTicket, through Orrery's own pipeline, for each day (nezha-days.ts finds the days'
// archives and sums them up; one day is evaluated as follows):
//
//  1. one fresh Orrery (startOrrery on a new PGlite data directory: the group-commit writer,
//     redaction and streaming analysis as `orrery up` runs them, the OTLP receiver on a loopback
//     port);
//  2. the dataset replayed into it in time order as OTLP/JSON (nezha-archive.ts converts the
//     trace and log CSVs of rca_data/<day> and construct_data/<day> to ExportTraceServiceRequest
//     and ExportLogsServiceRequest, and the pods' CPU and memory columns (usage and share of the
//     limit) to ExportMetricsServiceRequest gauges), POSTed to /v1/traces, /v1/logs and /v1/metrics;
//  3. for each fault, in time order: the replay is brought up to now = inject_time + NOW_AFTER,
//     the analysis flushed, and the real `investigate` workflow run on the alert "front-end
//     success rate or latency degraded": {kind: 'alert', service: <the service whose spans are the
//     traces' roots>, since: now - ALERT_LOOK_BACK}, {now}. No bench hands Orrery the truth: the
//     alert does not carry the injection time, the onset is Orrery's to find;
//  4. the ranked services read from the stored investigation's findings: root_cause_service
//     findings in order, then the services they name as their symptoms, then any other service a
//     finding names. Scored service-level AC@1/3/5 against the injected pod's service, beside the
//     Nezha paper's table.
//
// So each investigation sees what an Orrery running through the day would have held at `now`:
// the 30-minute baseline investigate takes holds the earlier faults' data too, as it would in
// production. Timestamps are kept as they are (2023): raw events are partitioned by arrival, so
// retention does not drop them, and investigate is given `now`.
//
// More rows, on the same store and windows, say what investigate leaves out today or what a
// signal adds: rca's whole ranking (its findings name at most three root candidates and their
// symptoms), the ranking without the pods' gauges, and the one with the known-good reference
// too (the fault-free construct_data minutes; investigate takes no reference yet). The metric
// CSVs are sent as OTLP gauges: CPU and memory usage and their shares of the pods' limits.
// NEZHA_DEBUG=1 prints, per case, the ranker's top five with their evidence (gauges + reference);
// NEZHA_DEBUG=asIs or =gauges prints that input variant's instead. NEZHA_CASES=08:43,10:26 investigates
// only the faults whose case id holds one of those strings (the figures then cover only them).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FindingList,
  type MetricRow,
  RCA_ALGORITHM,
  type RcaInput,
  type RcaResult,
  type TimeWindow,
  rankRootCauses,
  rcaFindings,
} from '../../src/analysis/index.js';
import { loadConfig } from '../../src/config/index.js';
import { type Finding, INVESTIGATE_ALGORITHM, type Investigation, findingsOf } from '../../src/model/index.js';
import { type RunningOrrery, startOrrery } from '../../src/server/index.js';
import { type Queryable, minuteSignals, spanTimeSignals } from '../../src/store/index.js';
import { investigate } from '../../src/workflows/index.js';
import type { AccuracyOptions } from '../accuracy.js';
import { int, table } from './format.js';
import {
  type LogRow,
  type MetricSample,
  type MinuteFiles,
  type OtlpJsonRequest,
  type TraceRow,
  logRequests,
  metricRequests,
  minuteFilesOf,
  nanosToMs,
  readLogRows,
  readMetricSamples,
  readTraceRows,
  serviceOfPod,
  traceRequests,
} from './nezha-archive.js';
import { type NezhaDay, runNezhaDays } from './nezha-days.js';
import { type RankedCase, firstHit, hitAt } from './ranking.js';

const MINUTE = 60_000;
/** The investigation runs this long after the injection (and sees the data up to then). */
const NOW_AFTER_MS = 2 * MINUTE;
/** The alert's `since`: this long before `now` (not the injection time, which Orrery must find). */
const ALERT_LOOK_BACK_MS = 15 * MINUTE;
/** A minute file is read once the replay reaches this long before the minute it is named for. */
const FILE_LEAD_MS = 5 * MINUTE;

const PUBLISHED = [
  { method: 'Nezha', at: [0.867, 0.978, 0.978] },
  { method: 'MicroRCA', at: [0.2, 0.311, 0.444] },
  { method: 'MicroRank', at: [0.156, 0.244, 0.356] },
  { method: 'PDiagnose', at: [0.089, 0.133, 0.222] },
];

interface Fault {
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
      out.push({
        injectTime: f.inject_time ?? '',
        injectTimestamp: Number.isFinite(ts) ? ts : null,
        pod: f.inject_pod ?? '',
        type: f.inject_type ?? '?',
      });
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

/** One injected fault, placed on the telemetry's clock (NaN when it could not be). */
export interface PlacedFault {
  case: string;
  type: string;
  truth: string;
  injectMs: number;
}

/** The dataset: its faults, its minute files and its pods' gauges, all days together. */
export interface NezhaData {
  faults: PlacedFault[];
  files: MinuteFiles[];
  samples: MetricSample[];
  /**
   * Known-good windows: the minutes of fault-free reference data (construct_data) that no fault
   * data shares.
   */
  reference: TimeWindow[];
  notes: string[];
}

/**
 * Every fault under `root`/rca_data/<day>/, placed on the telemetry's clock, with the minute files
 * of rca_data/<day> and construct_data/<day> and the pods' gauges. inject_time (wall clock, no
 * zone) and inject_timestamp (epoch s) can each be off by a time-zone offset; each is placed by the
 * offset that lands it on minutes with data (the files' minutes). inject_time, the case id, wins
 * when both land.
 */
export async function readNezha(root: string): Promise<NezhaData> {
  const rca = join(root, 'rca_data');
  const out: NezhaData = { faults: [], files: [], samples: [], reference: [], notes: [] };
  const faultMinutes = new Set<number>();
  const referenceMinutes = new Set<number>();
  const seenSample = new Set<string>();
  for (const day of readdirSync(rca).sort()) {
    const dayDir = join(rca, day);
    const faults = readFaults(dayDir, day);
    if (faults.length === 0) continue;
    const refDir = join(root, 'construct_data', day);
    const files = [...minuteFilesOf(dayDir, day), ...(existsSync(refDir) ? minuteFilesOf(refDir, day) : [])];
    out.files.push(...files);
    for (const f of minuteFilesOf(dayDir, day))
      if (f.trace) for (const m of await spanMinutes(f.trace)) faultMinutes.add(m);
    if (existsSync(refDir))
      for (const f of minuteFilesOf(refDir, day))
        if (f.trace) for (const m of await spanMinutes(f.trace)) referenceMinutes.add(m);
    for (const dir of existsSync(refDir) ? [dayDir, refDir] : [dayDir]) {
      for (const s of await readMetricSamples(dir)) {
        const k = `${s.pod}\u0000${s.time}`;
        if (seenSample.has(k)) continue;
        seenSample.add(k);
        out.samples.push(s);
      }
    }
    const covered = new Set(files.map((f) => f.minuteMs));
    const offsets = new Map<string, number>();
    for (const f of faults) {
      const wall = Date.parse(`${f.injectTime.replace(' ', 'T')}Z`);
      const offWall = Number.isFinite(wall) ? offsetInto(wall, covered) : null;
      const epoch = f.injectTimestamp === null ? Number.NaN : f.injectTimestamp * 1000;
      const offEpoch = Number.isFinite(epoch) ? offsetInto(epoch, covered) : null;
      const at = offWall !== null ? wall + offWall : offEpoch !== null ? epoch + offEpoch : Number.NaN;
      const h = (o: number | null) => (o === null ? '?' : `${o / 3.6e6} h`);
      const k = `inject_time +${h(offWall)}, inject_timestamp +${h(offEpoch)}`;
      offsets.set(k, (offsets.get(k) ?? 0) + 1);
      if (Number.isNaN(at)) out.notes.push(`${f.injectTime}: no telemetry around the injection; scored as a miss`);
      out.faults.push({ case: f.injectTime, type: f.type, truth: serviceOfPod(f.pod), injectMs: at });
    }
    for (const [k, n] of offsets)
      out.notes.push(`${day}: time-zone offsets detected (${k}) for ${n} fault${n === 1 ? '' : 's'}`);
  }
  out.reference = windowsOf([...referenceMinutes].filter((m) => !faultMinutes.has(m)));
  for (const w of out.reference)
    out.notes.push(
      `known-good reference (construct_data): ${new Date(w.startMs).toISOString()} to ${new Date(w.endMs).toISOString()}`,
    );
  out.files.sort((a, b) => a.minuteMs - b.minuteMs);
  out.samples.sort((a, b) => nanosToMs(a.time) - nanosToMs(b.time));
  out.faults.sort(
    (a, b) => (Number.isNaN(a.injectMs) ? 1 : 0) - (Number.isNaN(b.injectMs) ? 1 : 0) || a.injectMs - b.injectMs,
  );
  return out;
}

/** Contiguous runs of minutes as windows. */
function windowsOf(minutes: readonly number[]): TimeWindow[] {
  const out: TimeWindow[] = [];
  for (const m of [...minutes].sort((x, y) => x - y)) {
    const last = out.at(-1);
    if (last !== undefined && last.endMs === m) last.endMs = m + MINUTE;
    else out.push({ startMs: m, endMs: m + MINUTE });
  }
  return out;
}

/** The minutes a trace file's spans start in. */
async function spanMinutes(file: string): Promise<Set<number>> {
  const out = new Set<number>();
  for (const s of await readTraceRows(file, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY))
    out.add(Math.floor(nanosToMs(s.start) / MINUTE) * MINUTE);
  return out;
}

/**
 * Sends the dataset to an OTLP endpoint in time order, up to any instant asked: the minute files
 * are read as the replay nears them, and rows wait until their time has come.
 */
export class Replay {
  private nextFile = 0;
  private nextSample = 0;
  private spans: TraceRow[] = [];
  private logs: LogRow[] = [];
  private readonly serviceOfSpan = new Map<string, string>();
  private readonly roots = new Map<string, number>();
  /**
   * Rows already queued: the dataset's adjacent minute files overlap (the same span or log row
   * in two files), and each event is sent once, as its exporter sent it.
   */
  private readonly queued = new Set<string>();
  readonly sent = { spans: 0, logs: 0, metrics: 0, duplicates: 0 };

  constructor(
    private readonly data: NezhaData,
    private readonly send: (r: OtlpJsonRequest) => Promise<void>,
  ) {}

  /** Sends everything timed at or before `tMs` not sent yet, one minute at a time. */
  async until(tMs: number): Promise<void> {
    const files = this.data.files;
    while (this.nextFile < files.length && (files[this.nextFile] as MinuteFiles).minuteMs - FILE_LEAD_MS <= tMs) {
      const f = files[this.nextFile++] as MinuteFiles;
      const all = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY] as const;
      const spans = (f.trace ? await readTraceRows(f.trace, ...all) : []).filter((s) =>
        this.once(`s\u0000${s.traceId}\u0000${s.spanId}`),
      );
      for (const s of spans) {
        this.serviceOfSpan.set(s.spanId, s.service);
        if (s.parentId === null) this.roots.set(s.service, (this.roots.get(s.service) ?? 0) + 1);
      }
      this.spans.push(...spans);
      if (f.log)
        this.logs.push(
          ...(await readLogRows(f.log, ...all)).filter((l) =>
            this.once(`l\u0000${l.time}\u0000${l.pod}\u0000${l.line}`),
          ),
        );
    }
    const due = <T>(rows: T[], time: (r: T) => string): [T[], T[]] => {
      const now: T[] = [];
      const later: T[] = [];
      for (const r of rows) (nanosToMs(time(r)) <= tMs ? now : later).push(r);
      return [now.sort((a, b) => nanosToMs(time(a)) - nanosToMs(time(b))), later];
    };
    const [spans, laterSpans] = due(this.spans, (s) => s.start);
    const [logs, laterLogs] = due(this.logs, (l) => l.time);
    this.spans = laterSpans;
    this.logs = laterLogs;
    const samples: MetricSample[] = [];
    while (
      this.nextSample < this.data.samples.length &&
      nanosToMs((this.data.samples[this.nextSample] as MetricSample).time) <= tMs
    ) {
      samples.push(this.data.samples[this.nextSample++] as MetricSample);
    }
    // Minute by minute, as a collector would export them.
    const minuteOf = (ns: string) => Math.floor(nanosToMs(ns) / MINUTE);
    const minutes = [
      ...new Set([
        ...spans.map((s) => minuteOf(s.start)),
        ...logs.map((l) => minuteOf(l.time)),
        ...samples.map((s) => minuteOf(s.time)),
      ]),
    ].sort((a, b) => a - b);
    let [si, li, mi] = [0, 0, 0];
    for (const m of minutes) {
      const from = (i: number, rows: readonly { time?: string; start?: string }[]) => {
        let j = i;
        while (j < rows.length && minuteOf((rows[j]?.start ?? rows[j]?.time) as string) <= m) j++;
        return j;
      };
      const [sj, lj, mj] = [from(si, spans), from(li, logs), from(mi, samples)];
      for (const r of [
        ...metricRequests(samples.slice(mi, mj)),
        ...traceRequests(spans.slice(si, sj), this.serviceOfSpan),
        ...logRequests(logs.slice(li, lj)),
      ])
        await this.send(r);
      [si, li, mi] = [sj, lj, mj];
    }
    this.sent.spans += spans.length;
    this.sent.logs += logs.length;
    this.sent.metrics += samples.length;
  }

  private once(key: string): boolean {
    if (this.queued.has(key)) {
      this.sent.duplicates++;
      return false;
    }
    this.queued.add(key);
    return true;
  }

  /** The service with the most root spans so far: where requests enter the system. */
  frontService(): string | null {
    return [...this.roots].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  }
}

/** POSTs one OTLP/JSON request; anything but a full success is an error. */
export async function postOtlp(otlp: string, r: OtlpJsonRequest): Promise<void> {
  const res = await fetch(`${otlp}/v1/${r.signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: r.body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST /v1/${r.signal} answered ${res.status}: ${text.slice(0, 300)}`);
  const partial = (JSON.parse(text || '{}') as { partialSuccess?: Record<string, unknown> }).partialSuccess ?? {};
  const rejected = Number(partial.rejectedSpans ?? partial.rejectedLogRecords ?? partial.rejectedDataPoints ?? 0);
  if (rejected > 0) throw new Error(`POST /v1/${r.signal}: ${rejected} records rejected: ${text.slice(0, 300)}`);
}

/**
 * The services an investigation's findings rank: the root_cause_service findings in order, then
 * the symptoms they name, then the ranker's whole order when a finding carries it
 * (`data.ranking`), then any other service a finding names (`data.service`).
 */
export function rankedServices(findings: readonly Finding[]): string[] {
  const out: string[] = [];
  const add = (s: string | undefined) => {
    if (s !== undefined && s !== '' && !out.includes(s)) out.push(s);
  };
  const roots = findingsOf(findings, 'root_cause_service');
  for (const f of roots) add(f.data.service);
  for (const f of roots) for (const s of f.data.symptoms) add(s);
  for (const f of roots) for (const r of f.data.ranking ?? []) add(r.service);
  for (const f of findings) add('service' in f.data ? f.data.service : undefined);
  return out;
}

/** The findings rcaFindings makes of a ranking, ranked as above (what investigate would report from it). */
function findingsRanking(rca: RcaResult, since: string): string[] {
  const list = new FindingList();
  rcaFindings(list, rca, since);
  return rankedServices(list.findings);
}

/** Per minute, service and name: the mean of the gauge points in [since, until). */
export async function minuteGauges(q: Queryable, since: Date, until: Date): Promise<MetricRow[]> {
  const rows = await q.query(
    `SELECT date_trunc('minute', time) AS minute, service, name, avg(value) AS value
       FROM metric_point
      WHERE time >= $1::timestamptz AND time < $2::timestamptz AND kind = 'gauge' AND value IS NOT NULL
      GROUP BY 1, service, name`,
    [since, until],
  );
  return rows.map((r) => ({
    minuteMs: new Date(r.minute as string | Date).getTime(),
    service: String(r.service),
    name: String(r.name),
    value: Number(r.value),
  }));
}

/**
 * The ranker's input for an investigation's windows, read from the store as investigate reads it;
 * optionally with the gauges and with known-good reference windows (those that end before the
 * incident starts), which investigate does not pass yet.
 */
export async function rcaInputOf(
  q: Queryable,
  inv: Investigation,
  extra: { gauges?: boolean; reference?: readonly TimeWindow[] } = {},
): Promise<RcaInput> {
  const w = inv.result.window;
  const incident = { startMs: Date.parse(w.since), endMs: Date.parse(w.until) };
  const baseline = { startMs: Date.parse(w.baselineSince), endMs: Date.parse(w.baselineUntil) };
  const reference = (extra.reference ?? []).filter((r) => r.endMs <= incident.startMs);
  const since = new Date(Math.min(baseline.startMs, ...reference.map((r) => r.startMs)));
  const until = new Date(incident.endMs);
  const { red, patterns, errorGroups, edges, flows } = await minuteSignals(q, since, until);
  const { selfTimes, edgeTimes } = await spanTimeSignals(q, new Date(baseline.startMs), until);
  return {
    selfTimes,
    edgeTimes,
    baseline,
    incident,
    red,
    patterns,
    errorGroups,
    edges,
    flows,
    ...(extra.gauges ? { metrics: await minuteGauges(q, new Date(baseline.startMs), until) } : {}),
    ...(reference.length > 0 ? { reference } : {}),
  };
}

/** The rankings compared for one fault. */
const VARIANTS = ['asIs', 'gauges', 'reference'] as const;
type Variant = (typeof VARIANTS)[number];

export interface CaseResult extends RankedCase {
  type: string;
  /**
   * Per input variant (as investigate reads the store today; with the pods' gauges; with the
   * gauges and the known-good reference), the ranking investigate's findings would give (today's
   * call, or the proposed one with weak candidates) and rca's whole ranking (weak candidates
   * included). `ranked` is the stored investigation's.
   */
  variants: Record<Variant, { findings: string[]; whole: string[] }>;
}

/** Investigates one fault on the Orrery the replay has brought up to the fault's `now`. */
async function investigateFault(
  running: RunningOrrery,
  front: string,
  f: PlacedFault,
  reference: readonly TimeWindow[],
  say: (s: string) => void,
): Promise<[CaseResult, Investigation]> {
  // The known-good reference goes along for an investigate that takes one (options it does not
  // know are ignored): an operator who marked a healthy period would pass it.
  const nowMs = f.injectMs + NOW_AFTER_MS;
  const options = {
    now: new Date(nowMs),
    reference: reference.map((w) => ({ since: new Date(w.startMs), until: new Date(w.endMs) })),
  };
  const inv = await investigate(
    running.ctx,
    { kind: 'alert', service: front, since: new Date(nowMs - ALERT_LOOK_BACK_MS).toISOString() },
    options,
  );
  const db = running.ctx.store.db;
  const variants = {} as CaseResult['variants'];
  for (const v of VARIANTS) {
    const input = await rcaInputOf(db, inv, { gauges: v !== 'asIs', reference: v === 'reference' ? reference : [] });
    const whole = rankRootCauses(input, { weakCandidates: true });
    // As investigate calls the ranker today; the proposed variants with the weak candidates too.
    const asFindings = v === 'asIs' ? rankRootCauses(input) : whole;
    variants[v] = {
      findings: findingsRanking(asFindings, inv.result.window.since),
      whole: whole.services.map((s) => s.service),
    };
    if (process.env.NEZHA_DEBUG && v === debugVariant(process.env.NEZHA_DEBUG)) say(debugCase(f, whole));
  }
  return [{ case: f.case, truth: [f.truth], type: f.type, ranked: rankedServices(inv.result.findings), variants }, inv];
}

/** The variant NEZHA_DEBUG names (1, or anything else, is the reference variant). */
function debugVariant(value: string): Variant {
  return (VARIANTS as readonly string[]).includes(value) ? (value as Variant) : 'reference';
}

/** A case's top five with their evidence (NEZHA_DEBUG). */
function debugCase(f: PlacedFault, result: RcaResult): string {
  const lines = [`\n${f.case} ${f.type} truth=${f.truth} tests=${result.tests} sig=${result.significant}`];
  for (const s of result.services.slice(0, 5))
    lines.push(
      `  ${s.service === f.truth ? '*' : ' '} ${s.service} ${s.score.toFixed(1)} own=${s.ownScore.toFixed(1)} ${s.hint}`,
    );
  const at = result.services.findIndex((s) => s.service === f.truth);
  if (at >= 5) lines.push(`  * ${f.truth} at ${at + 1}: ${result.services[at]?.hint}`);
  if (at < 0) lines.push(`  * ${f.truth} not ranked`);
  return `${lines.join('\n')}\n`;
}

export interface NezhaRun {
  cases: CaseResult[];
  front: string | null;
  sent: Replay['sent'];
  notes: string[];
}

/**
 * Replays the dataset under `root` into a fresh Orrery and investigates every fault. `onCase`
 * sees each investigation while its store is live (for debugging the ranker offline).
 */
export async function runNezha(
  root: string,
  say: (s: string) => void,
  onCase?: (f: PlacedFault, inv: Investigation, running: RunningOrrery, data: NezhaData) => Promise<void>,
): Promise<NezhaRun> {
  const data = await readNezha(root);
  const dataDir = mkdtempSync(join(tmpdir(), 'orrery-nezha-'));
  // No memory cap: this process's resident memory holds the whole day's data besides the node.
  const config = loadConfig({}, { dataDir, port: 0, otlpPort: 0, otlpGrpcPort: 0, logLevel: 'silent', maxRssMb: 0 });
  const running = await startOrrery(config, { allowAnonymousLoopback: true, version: 'bench' });
  const replay = new Replay(data, (r) => postOtlp(running.addresses.otlp, r));
  const cases: CaseResult[] = [];
  try {
    const only = process.env.NEZHA_CASES?.split(',').map((c) => c.trim());
    for (const f of data.faults) {
      if (only && !only.some((c) => c && f.case.includes(c))) continue;
      const t0 = performance.now();
      if (Number.isNaN(f.injectMs)) {
        const none = { findings: [], whole: [] };
        cases.push({
          case: f.case,
          truth: [f.truth],
          type: f.type,
          ranked: [],
          variants: { asIs: none, gauges: none, reference: none },
        });
        continue;
      }
      await replay.until(f.injectMs + NOW_AFTER_MS);
      await running.ctx.analysis?.flush();
      const front = replay.frontService();
      if (front === null) throw new Error(`no root spans before ${f.case}: no alert service to investigate`);
      const [c, inv] = await investigateFault(running, front, f, data.reference, say);
      cases.push(c);
      say(
        `${c.case} ${c.type.padEnd(14)} ${f.truth.padEnd(28)} ${firstHit(c) === 1 ? 'hit ' : 'miss'} ${c.ranked.slice(0, 3).join(', ') || '(none)'} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
      await onCase?.(f, inv, running, data);
    }
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { cases, front: replay.frontService(), sent: replay.sent, notes: data.notes };
}

/** Every day the dataset folders hold (nezha-days.ts), each evaluated by evaluateDay. */
export function run(opts: AccuracyOptions): Promise<number> {
  return runNezhaDays(opts, evaluateDay);
}

/**
 * One day's dataset folder (rca_data/ and construct_data/) replayed and investigated: its cases
 * and its report (AC@1/3/5 overall and per fault type, the variants, the misses).
 */
export async function evaluateDay(root: string, say: (s: string) => void): Promise<NezhaDay> {
  const t0 = performance.now();
  if (!existsSync(join(root, 'rca_data'))) throw new Error(`${root} has no rca_data/ folder`);
  const { cases, front, sent, notes } = await runNezha(root, say);
  if (cases.length === 0)
    throw new Error(`no faults found under ${join(root, 'rca_data')}/<day>/<day>-fault_list.json`);

  const types = [...new Set(cases.map((c) => c.type))].sort();
  const fmt = (x: number) => x.toFixed(3);
  const at = (cs: readonly RankedCase[]) => [1, 3, 5].map((k) => fmt(hitAt(cs, k)));
  const variant = (v: Variant, which: 'findings' | 'whole') =>
    at(cases.map((c) => ({ ...c, ranked: c.variants[v][which] })));
  const rows = [
    [`Orrery ${INVESTIGATE_ALGORITHM} (its findings)`, String(cases.length), ...at(cases)],
    ...types.map((t) => {
      const sub = cases.filter((c) => c.type === t);
      return [`  ${t}`, String(sub.length), ...at(sub)];
    }),
    [`  ${RCA_ALGORITHM}'s whole ranking (same signals)`, '', ...variant('gauges', 'whole')],
    ["  without the pods' gauges", '', ...variant('asIs', 'whole')],
    ['  with construct_data as known-good reference', '', ...variant('reference', 'findings')],
    ...PUBLISHED.map((p) => [`${p.method} (paper)`, '', ...p.at.map(fmt)]),
  ];
  const drift = cases.filter((c) => c.ranked.join() !== c.variants.gauges.findings.join()).length;
  const misses = cases
    .filter((c) => firstHit(c) !== 1)
    .map((c) => {
      const hit = firstHit(c);
      return `  ${c.case} ${c.type}: ${c.truth.join('|')} ${hit === null ? 'not ranked' : `ranked ${hit}`}; top: ${c.ranked.slice(0, 3).join(', ') || '(none)'}`;
    });
  const seconds = (performance.now() - t0) / 1000;
  const lines = [
    `Nezha TrainTicket, service-level root cause through OTLP ingest and investigate (${root})`,
    `${int(sent.spans)} spans, ${int(sent.logs)} log lines and ${int(sent.metrics)} pod samples replayed as OTLP/JSON into one Orrery (${int(sent.duplicates)} rows that two minute files share sent once); ${cases.length} alerts on ${front ?? '?'}, each investigated at injection + ${NOW_AFTER_MS / MINUTE} min with since = that − ${ALERT_LOOK_BACK_MS / MINUTE} min`,
    ...notes.map((n) => `note: ${n}`),
    ...(drift > 0
      ? [
          `note: ${drift} investigations ranked otherwise than ${RCA_ALGORITHM} + rcaFindings on the same signals (investigate changed?)`,
        ]
      : []),
    '',
    table(['method', 'faults', 'AC@1', 'AC@3', 'AC@5'], rows, new Set([1, 2, 3, 4])),
    '',
    `misses at 1 (${misses.length}):`,
    ...misses,
    '',
    `run time ${seconds.toFixed(1)} s`,
  ];
  return { cases, lines };
}
