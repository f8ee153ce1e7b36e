// The runtime view of a change: in a sample of real traces, which endpoints ran one of the
// affected units (a span's code.* attributes or an internal span named after it, a stack frame
// of an exception, a log line from one of its log statements), and which endpoint called which
// across services. Evidence in a trace confirms the endpoint that ran the code and every
// endpoint above it in that trace, up to the one the request entered by.
import { parseStackTrace } from '../../errors/index.js';

/** A span as the runtime view reads it. `code` holds its code.* attributes, when it has any. */
export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  route: string | null;
  method: string | null;
  code: CodeAttributes | null;
  /** exception.stacktrace of the span's exception events. */
  stacks: string[];
}

export interface TraceLog {
  traceId: string;
  spanId: string | null;
  service: string;
  body: string;
  code: CodeAttributes | null;
  stack: string | null;
}

export interface CodeAttributes {
  function: string | null;
  namespace: string | null;
  filepath: string | null;
  line: number | null;
}

/** An affected unit (changed, or reaching a changed one), as runtime evidence can name it. */
export interface RuntimeUnit {
  id: string;
  /** The service whose process runs it; null for shared code (any service may). */
  service: string | null;
  path: string;
  name: string;
  bare: string;
  /** Lines at head; null for a unit the change removed. */
  startLine: number | null;
  endLine: number | null;
  kind: 'symbol' | 'route' | 'variable' | 'module';
  /** Templates of its log statements. */
  logTemplates: string[];
}

export type EvidenceKind = 'span-code' | 'span-name' | 'frame' | 'log';

export interface RuntimeEvidence {
  kind: EvidenceKind;
  unit: string;
  /** What matched, in words: `span "summarizeCart"`, `frame cart-summary.js:18`, a log line. */
  detail: string;
  traceId: string;
  /** The endpoint ran the unit itself (false: a request it made, further down the trace, did). */
  direct: boolean;
}

/** An endpoint as telemetry names it: the service and `http.route` (else the span name), with
 *  the HTTP method of its spans (null when they name none). RED minutes key endpoints without
 *  the method, so one route serving GET and DELETE is one RED endpoint and two of these. */
export interface RuntimeEndpoint {
  service: string;
  endpoint: string;
  method: string | null;
  /** The first span of at least half of its sampled traces: requests enter the system here
   *  (a span whose parent never arrived makes a stray root now and then; that is not enough). */
  entry: boolean;
  roots: number;
  /** Sampled traces through it, and its local root spans in them (for the method's share of the route). */
  traces: number;
  spans: number;
}

export interface RuntimeView {
  endpoints: Map<string, RuntimeEndpoint>;
  /** Caller endpoint key → callee endpoint key → calls seen in the sample. */
  calls: Map<string, Map<string, number>>;
  /** Endpoint key → the evidence that its requests ran an affected unit. */
  confirmed: Map<string, RuntimeEvidence[]>;
  /** Unit ids seen at runtime. */
  unitsSeen: Set<string>;
  traces: number;
}

/** The key of an endpoint as RED minutes count it (service and route). */
export function endpointKey(service: string, endpoint: string): string {
  return `${service}\u0000${endpoint}`;
}

/** The key of a runtime endpoint: service, method and route. */
export function runtimeKey(service: string, method: string | null, endpoint: string): string {
  return `${service}\u0000${endpoint}\u0000${method ?? ''}`;
}

const INTERNAL = 1;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const MAX_EVIDENCE_PER_ENDPOINT = 5;

function pathMatches(file: string, path: string): boolean {
  const f = file.replace(/\\/g, '/').replace(/^file:\/\//, '');
  return f === path || f.endsWith(`/${path}`) || path.endsWith(`/${f}`);
}

function lineIn(u: RuntimeUnit, line: number | null): boolean {
  return line !== null && u.startLine !== null && u.endLine !== null && line >= u.startLine && line <= u.endLine;
}

function nameMatches(u: RuntimeUnit, fn: string | null): boolean {
  if (!fn) return false;
  const f = fn.replace(/^(?:async |new )/, '').replace(/ \[as .*\]$/, '');
  return f === u.name || f === u.bare || f.endsWith(`.${u.name}`);
}

function servesUnit(u: RuntimeUnit, service: string): boolean {
  return u.service === null || u.service === service;
}

function templateRegex(template: string): RegExp | null {
  const literal = template.replace(/<\*>/g, '').replace(/\s+/g, '');
  if (literal.length < 4) return null;
  const parts = template.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^\\s*${parts.join('[\\s\\S]*?')}\\s*$`);
}

interface Matchers {
  units: RuntimeUnit[];
  byBare: Map<string, RuntimeUnit[]>;
  logs: Array<{ unit: RuntimeUnit; re: RegExp }>;
}

function matchers(units: readonly RuntimeUnit[]): Matchers {
  const byBare = new Map<string, RuntimeUnit[]>();
  for (const u of units) {
    if (u.kind === 'module') continue;
    for (const n of new Set([u.bare, u.name])) {
      const list = byBare.get(n);
      if (list) list.push(u);
      else byBare.set(n, [u]);
    }
  }
  const logs: Matchers['logs'] = [];
  for (const u of units) {
    for (const t of u.logTemplates) {
      const re = templateRegex(t);
      if (re) logs.push({ unit: u, re });
    }
  }
  return { units: [...units], byBare, logs };
}

function codeMatch(m: Matchers, service: string, code: CodeAttributes): RuntimeUnit | null {
  for (const u of m.units) {
    if (!servesUnit(u, service)) continue;
    if (code.filepath && pathMatches(code.filepath, u.path)) {
      if (lineIn(u, code.line) || nameMatches(u, code.function)) return u;
    } else if (
      !code.filepath &&
      code.function &&
      nameMatches(u, code.namespace ? `${code.namespace}.${code.function}` : code.function)
    ) {
      return u;
    }
  }
  return null;
}

function frameMatches(m: Matchers, service: string, stack: string): Array<{ unit: RuntimeUnit; detail: string }> {
  const out: Array<{ unit: RuntimeUnit; detail: string }> = [];
  for (const f of parseStackTrace(stack).frames) {
    for (const u of m.units) {
      if (!servesUnit(u, service) || !pathMatches(f.file, u.path)) continue;
      if (lineIn(u, f.line) || (u.kind === 'symbol' && nameMatches(u, f.function))) {
        out.push({ unit: u, detail: `frame ${f.function} (${u.path}:${f.line ?? '?'})` });
      }
    }
  }
  return out;
}

/** Reads the sampled traces: endpoints, cross-service calls, and the evidence. */
export function runtimeView(
  spans: readonly TraceSpan[],
  logs: readonly TraceLog[],
  units: readonly RuntimeUnit[],
): RuntimeView {
  const m = matchers(units);
  const byTrace = new Map<string, Map<string, TraceSpan>>();
  for (const s of spans) {
    let t = byTrace.get(s.traceId);
    if (!t) {
      t = new Map();
      byTrace.set(s.traceId, t);
    }
    t.set(s.spanId, s);
  }
  const view: RuntimeView = {
    endpoints: new Map(),
    calls: new Map(),
    confirmed: new Map(),
    unitsSeen: new Set(),
    traces: byTrace.size,
  };
  const logsBySpan = new Map<string, TraceLog[]>();
  for (const l of logs) {
    const k = `${l.traceId}\u0000${l.spanId ?? ''}`;
    const list = logsBySpan.get(k);
    if (list) list.push(l);
    else logsBySpan.set(k, [l]);
  }

  for (const [traceId, trace] of byTrace) {
    const parentOf = (s: TraceSpan) => (s.parentId ? trace.get(s.parentId) : undefined);
    // The endpoint a span serves: the nearest server span of its service above it (itself
    // included), else the highest span of its service in that stretch of the trace.
    const localRoot = new Map<string, TraceSpan>();
    const rootOf = (s: TraceSpan): TraceSpan => {
      const hit = localRoot.get(s.spanId);
      if (hit) return hit;
      let cur = s;
      let top = s;
      for (let i = 0; i < 64; i++) {
        if (cur.kind === SERVER || cur.route) {
          top = cur;
          break;
        }
        const p = parentOf(cur);
        if (!p || p.service !== s.service) {
          top = cur;
          break;
        }
        cur = p;
        top = cur;
      }
      localRoot.set(s.spanId, top);
      return top;
    };
    /** The endpoint a span serves; null when its stretch starts with an outgoing call (a
     *  client or producer span whose parent is missing): no request of this service. */
    const endpointOf = (s: TraceSpan): string | null => {
      const r = rootOf(s);
      if (r.kind === CLIENT || r.kind === PRODUCER) return null;
      const name = r.route ?? r.name;
      const method = r.method ? r.method.toUpperCase() : null;
      const key = runtimeKey(r.service, method, name);
      if (!view.endpoints.has(key))
        view.endpoints.set(key, {
          service: r.service,
          endpoint: name,
          method,
          entry: false,
          roots: 0,
          traces: 0,
          spans: 0,
        });
      return key;
    };
    /** The endpoints above a span in this trace, nearest first, each service's once per stretch. */
    const chain = (s: TraceSpan): string[] => {
      const out: string[] = [];
      let cur: TraceSpan | undefined = rootOf(s);
      for (let i = 0; cur && i < 64; i++) {
        const k = endpointOf(cur);
        if (k !== null && out.at(-1) !== k) out.push(k);
        const p = parentOf(cur);
        cur = p ? rootOf(p) : undefined;
      }
      return out;
    };
    const seenHere = new Set<string>();
    for (const s of trace.values()) {
      const k = endpointOf(s);
      if (k === null) continue;
      if (!seenHere.has(k)) {
        seenHere.add(k);
        view.endpoints.get(k)!.traces++;
      }
      if (rootOf(s) === s) view.endpoints.get(k)!.spans++;
      const p = parentOf(s);
      if (!p) view.endpoints.get(k)!.roots++;
      else if (rootOf(s) === s && p.service !== s.service) {
        const caller = endpointOf(p);
        if (caller === null) continue;
        let row = view.calls.get(caller);
        if (!row) {
          row = new Map();
          view.calls.set(caller, row);
        }
        row.set(k, (row.get(k) ?? 0) + 1);
      }
    }
    const confirm = (s: TraceSpan, unit: RuntimeUnit, kind: EvidenceKind, detail: string) => {
      view.unitsSeen.add(unit.id);
      const own = endpointOf(s);
      chain(s).forEach((k) => {
        let list = view.confirmed.get(k);
        if (!list) {
          list = [];
          view.confirmed.set(k, list);
        }
        const direct = k === own;
        if (list.length >= MAX_EVIDENCE_PER_ENDPOINT && !(direct && !list.some((e) => e.direct))) return;
        if (list.some((e) => e.unit === unit.id && e.kind === kind && e.direct === direct)) return;
        list.push({ kind, unit: unit.id, detail, traceId, direct });
      });
    };
    for (const s of trace.values()) {
      if (s.code) {
        const u = codeMatch(m, s.service, s.code);
        if (u) confirm(s, u, 'span-code', `span "${s.name}" (code.function ${s.code.function ?? '?'})`);
      }
      if (s.kind === INTERNAL) {
        for (const u of m.byBare.get(s.name) ?? []) {
          if (servesUnit(u, s.service) && u.kind === 'symbol') confirm(s, u, 'span-name', `span "${s.name}"`);
        }
      }
      for (const stack of s.stacks)
        for (const f of frameMatches(m, s.service, stack)) confirm(s, f.unit, 'frame', f.detail);
      for (const l of logsBySpan.get(`${traceId}\u0000${s.spanId}`) ?? []) {
        if (l.code) {
          const u = codeMatch(m, l.service, l.code);
          if (u) confirm(s, u, 'log', `log "${clip(l.body)}"`);
        }
        if (l.stack) for (const f of frameMatches(m, l.service, l.stack)) confirm(s, f.unit, 'frame', f.detail);
        for (const { unit, re } of m.logs) {
          if (servesUnit(unit, l.service) && re.test(l.body)) confirm(s, unit, 'log', `log "${clip(l.body)}"`);
        }
      }
    }
  }
  for (const e of view.endpoints.values()) e.entry = e.roots > 0 && e.roots * 2 >= e.traces;
  return view;
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}
