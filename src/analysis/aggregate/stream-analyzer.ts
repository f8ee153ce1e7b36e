// The streaming analyzer: everything issue-4 analysis derives from telemetry as it arrives,
// held in memory between flushes and handed out as a delta of per-minute rows.
//
//  - logs  → patterns@3 (one miner per service, lines kept apart by call site), per-minute counts per pattern and version,
//            level, first/last seen, a few samples, and a HyperLogLog of users and accounts;
//  - exceptions (span events, log records) → errors@1 groups, the same per-minute shape;
//  - spans → RED per minute, service, endpoint and version (count, errors, DDSketch of ms,
//            HLL of users), and service-graph edges from parent→child spans across services.
//
// Memory is bounded whatever arrives: services, patterns, error groups and endpoints per
// service have limits, and whatever passes a limit is counted as overflow (and the lines still
// count, under an overflow key). The pending rows between two flushes are bounded by
// `needsDrain`, which the caller checks after each batch. Pure: no I/O, no clock.
import type { LogRecord, Span } from '../../model/index.js';
import {
  ERRORS_ALGORITHM,
  type ExceptionOccurrence,
  type StackFrame,
  exceptionFromLog,
  exceptionsFromSpan,
} from '../errors/index.js';
import { groupException } from './group-exception.js';
import { logCallSite } from './log-call-site.js';
import { type FlowMinute, LogFlows } from './log-flow.js';
import { PATTERNS_ALGORITHM, type PatternMiner, type TemplateSlot, createPatternMiner } from '../patterns/index.js';
import { DDSketch, HyperLogLog } from '../sketch/index.js';

export const RED_ALGORITHM = 'red@1';
export const GRAPH_ALGORITHM = 'graph@1';
export { PATTERNS_ALGORITHM, ERRORS_ALGORITHM };

export interface AnalyzerLimits {
  /** Services analysed; telemetry of further services is stored but not analysed. */
  maxServices: number;
  maxPatternsPerService: number;
  maxErrorGroupsPerService: number;
  maxEndpointsPerService: number;
  /** Pending minute rows after which the caller should drain (flush) before the next batch. */
  maxPendingRows: number;
  /** Spans remembered to find a child's parent service for the service graph. */
  maxIndexedSpans: number;
}

export const DEFAULT_LIMITS: AnalyzerLimits = {
  maxServices: 500,
  maxPatternsPerService: 2000,
  maxErrorGroupsPerService: 1000,
  maxEndpointsPerService: 500,
  maxPendingRows: 50_000,
  maxIndexedSpans: 200_000,
};

/** What went past a limit (cumulative since start). */
export interface OverflowCounts {
  services: number;
  patterns: number;
  errorGroups: number;
  endpoints: number;
}

export const OVERFLOW_KEY = 'overflow';
export const OTHER_ENDPOINT = '<other>';
const SAMPLES_PER_FLUSH = 3;
const SAMPLE_CHARS = 2048;
/** Children waiting for their parent span are kept this many drains at most. */
const PENDING_CHILD_DRAINS = 2;
const MAX_PENDING_CHILDREN = 50_000;

export interface PatternSample {
  time: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
}

export interface ErrorSample {
  time: string;
  message: string | null;
  traceId: string | null;
  spanId: string | null;
}

export interface PatternUpdate {
  service: string;
  key: string;
  template: string;
  /** The log call site of its lines (code.* attributes), null when they named none. */
  site: string | null;
  slots: TemplateSlot[];
  level: string;
  firstSeenMs: number;
  lastSeenMs: number;
  firstVersion: string | null;
  count: number;
  samples: PatternSample[];
}

export interface PatternMerge {
  service: string;
  from: string;
  into: string;
}

export interface ErrorGroupUpdate {
  service: string;
  fingerprint: string;
  type: string;
  message: string;
  frames: StackFrame[];
  runtime: string;
  firstSeenMs: number;
  firstRelease: string | null;
  lastSeenMs: number;
  count: number;
  samples: ErrorSample[];
}

export interface KeyMinute {
  minuteMs: number;
  service: string;
  key: string;
  version: string;
  count: number;
  users: HyperLogLog | null;
  accounts: HyperLogLog | null;
}

export interface RedMinute {
  minuteMs: number;
  service: string;
  endpoint: string;
  version: string;
  requests: number;
  errors: number;
  latency: DDSketch;
  users: HyperLogLog | null;
  accounts: HyperLogLog | null;
}

export interface EdgeMinute {
  minuteMs: number;
  caller: string;
  /** The caller's version (service.version of its span; '' when unknown). */
  version: string;
  callee: string;
  calls: number;
  errors: number;
  latency: DDSketch;
}

/** Everything observed since the previous drain. */
export interface AnalysisDelta {
  patterns: PatternUpdate[];
  merges: PatternMerge[];
  patternMinutes: KeyMinute[];
  /** Which pattern's line followed which in the same span, per minute. */
  flows: FlowMinute[];
  errorGroups: ErrorGroupUpdate[];
  errorMinutes: KeyMinute[];
  red: RedMinute[];
  edges: EdgeMinute[];
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/** OTLP severity number (1–24) or text → one of LEVELS; '' when unknown. */
export function levelOf(severityNumber: number, severityText: string): string {
  if (severityNumber >= 1 && severityNumber <= 24) return LEVELS[Math.floor((severityNumber - 1) / 4)] as string;
  const t = severityText.trim().toUpperCase();
  if (t.startsWith('WARN')) return 'WARN';
  if (t === 'ERR' || t.startsWith('ERROR') || t === 'SEVERE') return 'ERROR';
  if (t.startsWith('FATAL') || t === 'CRITICAL' || t === 'PANIC') return 'FATAL';
  return (LEVELS as readonly string[]).includes(t) ? t : '';
}

function higherLevel(a: string, b: string): string {
  return (LEVELS as readonly string[]).indexOf(b) > (LEVELS as readonly string[]).indexOf(a) ? b : a;
}

function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000) * 60_000;
}

function isoOf(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function addTo(sketch: HyperLogLog | null, id: string | null): HyperLogLog | null {
  if (id === null || id === '') return sketch;
  const h = sketch ?? new HyperLogLog();
  h.add(id);
  return h;
}

interface PatternState {
  level: string;
  firstSeenMs: number;
  lastSeenMs: number;
  firstVersion: string | null;
  count: number;
  samples: PatternSample[];
}

interface ServiceState {
  miner: PatternMiner;
  /** Patterns touched since the last drain. */
  patterns: Map<string, PatternState>;
  groups: Map<string, ErrorGroupUpdate>;
  /** Error groups known (ever), for the per-service limit. */
  knownGroups: Set<string>;
  endpoints: Set<string>;
}

interface PendingChild {
  parentSpanId: string;
  span: Span;
  drains: number;
}

export class StreamAnalyzer {
  readonly limits: AnalyzerLimits;
  private readonly services = new Map<string, ServiceState>();
  private readonly overflowCounts: OverflowCounts = { services: 0, patterns: 0, errorGroups: 0, endpoints: 0 };
  private patternMinutes = new Map<string, KeyMinute>();
  private readonly flows = new LogFlows();
  private errorMinutes = new Map<string, KeyMinute>();
  private red = new Map<string, RedMinute>();
  private edges = new Map<string, EdgeMinute>();
  /** Span id → its service and version, joined by NUL (a caller's identity for the edge rows). */
  private readonly spanServices = new Map<string, string>();
  private pendingChildren: PendingChild[] = [];

  constructor(limits: Partial<AnalyzerLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get overflow(): OverflowCounts {
    return { ...this.overflowCounts };
  }

  /** Rows waiting for the next drain. */
  get pendingRows(): number {
    return this.patternMinutes.size + this.flows.size + this.errorMinutes.size + this.red.size + this.edges.size;
  }

  get needsDrain(): boolean {
    return this.pendingRows >= this.limits.maxPendingRows;
  }

  /** Live patterns over all services (for /metrics). */
  patternCount(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.miner.size;
    return n;
  }

  /** Restore a service's patterns mined earlier, so their ids and templates carry on. */
  seedPatterns(service: string, patterns: readonly { id: string; template: string; site?: string | null }[]): void {
    const s = this.service(service);
    s?.miner.seed(patterns);
  }

  private service(name: string): ServiceState | null {
    let s = this.services.get(name);
    if (s) return s;
    if (this.services.size >= this.limits.maxServices) {
      this.overflowCounts.services++;
      return null;
    }
    s = {
      miner: createPatternMiner({ maxPatterns: this.limits.maxPatternsPerService }),
      patterns: new Map(),
      groups: new Map(),
      knownGroups: new Set(),
      endpoints: new Set(),
    };
    this.services.set(name, s);
    return s;
  }

  observeLogs(logs: readonly LogRecord[]): void {
    for (const log of logs) {
      const s = this.service(log.service);
      if (s === null) continue;
      const timeMs = (log.timeUnixNano || log.observedTimeUnixNano) / 1e6;
      const version = log.serviceVersion ?? '';
      const site = logCallSite(log.attributes);
      const m = s.miner.add(log.body, site ?? '');
      if (m.overflow) this.overflowCounts.patterns++;
      const level = levelOf(log.severityNumber, log.severityText);
      let st = s.patterns.get(m.id);
      if (st === undefined) {
        st = {
          level,
          firstSeenMs: timeMs,
          lastSeenMs: timeMs,
          firstVersion: log.serviceVersion,
          count: 0,
          samples: [],
        };
        s.patterns.set(m.id, st);
      }
      st.count++;
      st.level = higherLevel(st.level, level);
      if (timeMs < st.firstSeenMs) {
        st.firstSeenMs = timeMs;
        st.firstVersion = log.serviceVersion;
      }
      if (timeMs > st.lastSeenMs) st.lastSeenMs = timeMs;
      if (st.samples.length < SAMPLES_PER_FLUSH) {
        st.samples.push({
          time: isoOf(timeMs),
          body: clip(log.body, SAMPLE_CHARS),
          traceId: log.traceId,
          spanId: log.spanId,
        });
      }
      this.countKey(this.patternMinutes, minuteOf(timeMs), log.service, m.id, version, log.userId, log.accountId);
      if (log.spanId !== null && log.spanId !== '' && !m.overflow)
        this.flows.add(log.service, log.spanId, timeMs, m.id);
      const exc = exceptionFromLog(log);
      if (exc !== null)
        this.observeException(s, log.service, version, exc, log.traceId, log.spanId, log.userId, log.accountId);
    }
    this.flows.flush();
  }

  observeSpans(spans: readonly Span[]): void {
    for (const span of spans) {
      const s = this.service(span.service);
      if (s !== null) {
        for (const exc of exceptionsFromSpan(span)) {
          this.observeException(
            s,
            span.service,
            span.serviceVersion ?? '',
            exc,
            span.traceId,
            span.spanId,
            span.userId,
            span.accountId,
          );
        }
        if (span.kind === 2 || span.kind === 5 || span.parentSpanId === null) this.observeRequest(s, span);
      }
      this.indexSpan(span);
    }
    for (const span of spans) {
      if (span.parentSpanId !== null) this.observeEdge(span, 0);
    }
  }

  private countKey(
    into: Map<string, KeyMinute>,
    minuteMs: number,
    service: string,
    key: string,
    version: string,
    user: string | null,
    account: string | null,
  ): void {
    // Ingest hot path: NUL-joined keys (one string per record), not TupleMap; decoding leaves no NUL in parts.
    const k = `${minuteMs}\u0000${service}\u0000${key}\u0000${version}`;
    let row = into.get(k);
    if (row === undefined) {
      row = { minuteMs, service, key, version, count: 0, users: null, accounts: null };
      into.set(k, row);
    }
    row.count++;
    row.users = addTo(row.users, user);
    row.accounts = addTo(row.accounts, account);
  }

  private observeException(
    s: ServiceState,
    service: string,
    version: string,
    exc: ExceptionOccurrence,
    traceId: string | null,
    spanId: string | null,
    user: string | null,
    account: string | null,
  ): void {
    const g = groupException(exc);
    let fp = g.fingerprint;
    if (!s.knownGroups.has(fp)) {
      if (s.knownGroups.size >= this.limits.maxErrorGroupsPerService) {
        this.overflowCounts.errorGroups++;
        fp = OVERFLOW_KEY;
      } else s.knownGroups.add(fp);
    }
    const timeMs = exc.timeUnixNano / 1e6;
    let u = s.groups.get(fp);
    if (u === undefined) {
      u = {
        service,
        fingerprint: fp,
        type: fp === OVERFLOW_KEY ? '(overflow)' : g.type,
        message: fp === OVERFLOW_KEY ? 'error groups past the per-service limit' : clip(g.message, 1024),
        frames: fp === OVERFLOW_KEY ? [] : g.frames,
        runtime: g.runtime,
        firstSeenMs: timeMs,
        firstRelease: version || null,
        lastSeenMs: timeMs,
        count: 0,
        samples: [],
      };
      s.groups.set(fp, u);
    }
    u.count++;
    if (timeMs < u.firstSeenMs) {
      u.firstSeenMs = timeMs;
      u.firstRelease = version || null;
    }
    if (timeMs > u.lastSeenMs) u.lastSeenMs = timeMs;
    if (u.samples.length < SAMPLES_PER_FLUSH) {
      u.samples.push({
        time: isoOf(timeMs),
        message: exc.message === null ? null : clip(exc.message, SAMPLE_CHARS),
        traceId,
        spanId,
      });
    }
    this.countKey(this.errorMinutes, minuteOf(timeMs), service, fp, version, user, account);
  }

  private observeRequest(s: ServiceState, span: Span): void {
    let endpoint = span.httpRoute ?? span.name;
    if (!s.endpoints.has(endpoint)) {
      if (s.endpoints.size >= this.limits.maxEndpointsPerService) {
        this.overflowCounts.endpoints++;
        endpoint = OTHER_ENDPOINT;
      } else s.endpoints.add(endpoint);
    }
    const minuteMs = minuteOf(span.startTimeUnixNano / 1e6);
    const version = span.serviceVersion ?? '';
    const k = `${minuteMs}\u0000${span.service}\u0000${endpoint}\u0000${version}`;
    let row = this.red.get(k);
    if (row === undefined) {
      row = {
        minuteMs,
        service: span.service,
        endpoint,
        version,
        requests: 0,
        errors: 0,
        latency: new DDSketch(),
        users: null,
        accounts: null,
      };
      this.red.set(k, row);
    }
    row.requests++;
    if (span.statusCode === 2) row.errors++;
    row.latency.add(Math.max(0, span.durationNano / 1e6));
    row.users = addTo(row.users, span.userId);
    row.accounts = addTo(row.accounts, span.accountId);
  }

  private indexSpan(span: Span): void {
    const map = this.spanServices;
    map.set(span.spanId, `${span.service}\u0000${span.serviceVersion ?? ''}`);
    if (map.size > this.limits.maxIndexedSpans) {
      // Maps iterate in insertion order: drop the oldest tenth.
      let drop = Math.ceil(this.limits.maxIndexedSpans / 10);
      for (const k of map.keys()) {
        map.delete(k);
        if (--drop <= 0) break;
      }
    }
  }

  /** Count the edge parent-service → span-service when they differ; park the span if its parent is not seen yet. */
  private observeEdge(span: Span, drains: number): boolean {
    const parentId = span.parentSpanId as string;
    const parent = this.spanServices.get(parentId);
    if (parent === undefined) {
      if (drains === 0 && this.pendingChildren.length < MAX_PENDING_CHILDREN) {
        this.pendingChildren.push({ parentSpanId: parentId, span, drains: 0 });
      }
      return false;
    }
    const cut = parent.indexOf('\u0000');
    const caller = parent.slice(0, cut);
    const version = parent.slice(cut + 1);
    if (caller === span.service) return true;
    const minuteMs = minuteOf(span.startTimeUnixNano / 1e6);
    const k = `${minuteMs}\u0000${caller}\u0000${version}\u0000${span.service}`;
    let row = this.edges.get(k);
    if (row === undefined) {
      row = { minuteMs, caller, version, callee: span.service, calls: 0, errors: 0, latency: new DDSketch() };
      this.edges.set(k, row);
    }
    row.calls++;
    if (span.statusCode === 2) row.errors++;
    row.latency.add(Math.max(0, span.durationNano / 1e6));
    return true;
  }

  /** Hand out everything pending and start afresh (the miners and known keys stay). */
  drain(): AnalysisDelta {
    // Children whose parent arrived in a later batch.
    const still: PendingChild[] = [];
    for (const p of this.pendingChildren) {
      if (this.spanServices.has(p.parentSpanId)) this.observeEdge(p.span, 1);
      else if (p.drains + 1 < PENDING_CHILD_DRAINS) still.push({ ...p, drains: p.drains + 1 });
    }
    this.pendingChildren = still;

    const patterns: PatternUpdate[] = [];
    const merges: PatternMerge[] = [];
    const errorGroups: ErrorGroupUpdate[] = [];
    for (const [service, s] of this.services) {
      const out = new Map<string, PatternUpdate>();
      for (const [id, st] of s.patterns) {
        const live = s.miner.resolve(id);
        if (live !== id) merges.push({ service, from: id, into: live });
        let u = out.get(live);
        if (u === undefined) {
          const info = s.miner.pattern(live);
          u = {
            service,
            key: live,
            template: info?.template ?? s.miner.template(live),
            site: info?.site ?? null,
            slots: info?.slots ?? [],
            level: st.level,
            firstSeenMs: st.firstSeenMs,
            lastSeenMs: st.lastSeenMs,
            firstVersion: st.firstVersion,
            count: 0,
            samples: [],
          };
          out.set(live, u);
        }
        u.count += st.count;
        u.level = higherLevel(u.level, st.level);
        if (st.firstSeenMs < u.firstSeenMs) {
          u.firstSeenMs = st.firstSeenMs;
          u.firstVersion = st.firstVersion;
        }
        u.lastSeenMs = Math.max(u.lastSeenMs, st.lastSeenMs);
        for (const sample of st.samples) if (u.samples.length < SAMPLES_PER_FLUSH) u.samples.push(sample);
      }
      patterns.push(...out.values());
      s.patterns = new Map();
      errorGroups.push(...s.groups.values());
      s.groups = new Map();
    }
    const patternMinutes = [...this.patternMinutes.values()];
    for (const row of patternMinutes) {
      const s = this.services.get(row.service);
      if (s) row.key = s.miner.resolve(row.key);
    }
    const delta: AnalysisDelta = {
      patterns,
      merges,
      patternMinutes,
      flows: this.flows.drain((service, key) => this.services.get(service)?.miner.resolve(key) ?? key),
      errorGroups,
      errorMinutes: [...this.errorMinutes.values()],
      red: [...this.red.values()],
      edges: [...this.edges.values()],
    };
    this.patternMinutes = new Map();
    this.errorMinutes = new Map();
    this.red = new Map();
    this.edges = new Map();
    return delta;
  }
}
