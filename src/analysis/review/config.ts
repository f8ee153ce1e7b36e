// Configuration changes in a range's manifests, and what production measured for each: the
// settings that bound a service's calls (timeouts, attempts, read by env-settings' names
// rules) and its capacity (replicas, the HPA's bounds, CPU and memory, pools and workers),
// compared between the two revisions and set beside the measured latency, errors or traffic.
import type { InfraResourceInput, WorkloadSpec } from '../../model/index.js';
import type { ConfigMeasure, ConfigRole, ReviewConfigChange } from '../../model/index.js';
import { durationMs, envRole, readEnv, wholeNumber, words } from '../simulate/index.js';

/** A parsed resource with the service it was linked to. */
export type LinkedResource = InfraResourceInput & { service: string | null };

/** One endpoint's traffic over the window. */
export interface EndpointStat {
  service: string;
  endpoint: string;
  requests: number;
  errors: number;
  p95Ms: number | null;
  p99Ms: number | null;
}

/** One service-graph edge over the window (client-side latency). */
export interface EdgeStat {
  caller: string;
  callee: string;
  calls: number;
  errors: number;
  p99Ms: number | null;
}

export interface Production {
  minutes: number;
  endpoints: readonly EndpointStat[];
  edges: readonly EdgeStat[];
}

interface Setting {
  setting: string;
  role: ConfigRole;
  value: string;
  amount: number | null;
  /** The text to look for at head to find its line. */
  find: RegExp;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function attempts(name: string, value: string): number | null {
  const n = wholeNumber(value, 0);
  if (n === null) return null;
  return /RETRIES|RETRY_COUNT/i.test(name) ? n + 1 : Math.max(1, n);
}

function settingsOf(r: LinkedResource): Setting[] {
  const out: Setting[] = [];
  const spec = r.spec;
  if (spec.type === 'workload') {
    if (spec.replicas !== null)
      out.push({
        setting: 'replicas',
        role: 'replicas',
        value: String(spec.replicas),
        amount: spec.replicas,
        find: /^\s*replicas\s*:/,
      });
    const pod = (spec as WorkloadSpec).perPod;
    const amounts: Array<[string, ConfigRole, number | null]> = [
      ['limits.cpu', 'cpu-limit', pod.limits.cpuMillicores],
      ['limits.memory', 'memory-limit', pod.limits.memoryBytes],
      ['requests.cpu', 'cpu-request', pod.requests.cpuMillicores],
      ['requests.memory', 'memory-request', pod.requests.memoryBytes],
    ];
    for (const [setting, role, amount] of amounts)
      if (amount !== null)
        out.push({
          setting,
          role,
          value: String(amount),
          amount,
          find: new RegExp(`^\\s*${setting.split('.')[0]}\\s*:`),
        });
    for (const c of spec.containers) {
      for (const [name, value] of Object.entries(c.env ?? {})) {
        const role = envRole(name);
        if (role === null) continue;
        const amount =
          role === 'timeout'
            ? durationMs(value, name)
            : role === 'attempts'
              ? attempts(name, value)
              : wholeNumber(value, 1);
        out.push({ setting: name, role, value, amount, find: new RegExp(`\\b${escapeRegExp(name)}\\b`) });
      }
    }
  } else if (spec.type === 'hpa') {
    out.push({
      setting: 'minReplicas',
      role: 'hpa-min',
      value: String(spec.minReplicas),
      amount: spec.minReplicas,
      find: /^\s*minReplicas\s*:/,
    });
    if (spec.maxReplicas !== null)
      out.push({
        setting: 'maxReplicas',
        role: 'hpa-max',
        value: String(spec.maxReplicas),
        amount: spec.maxReplicas,
        find: /^\s*maxReplicas\s*:/,
      });
  }
  return out;
}

/** `path:line` → its parts. */
function refOf(rawRef: string): { path: string; line: number | null } {
  const m = /^(.*):(\d+)$/.exec(rawRef);
  return m ? { path: m[1]!, line: Number(m[2]) } : { path: rawRef.replace(/#.*$/, ''), line: null };
}

/** The line at head that sets it: the first match at or after the resource's own line (an env var's `value:` line when it follows the name). */
function lineOf(text: string | undefined, from: number | null, find: RegExp): number | null {
  if (text === undefined) return from;
  const lines = text.split('\n');
  for (let i = Math.max(0, (from ?? 1) - 1); i < lines.length; i++) {
    if (!find.test(lines[i]!)) continue;
    if (/^\s*-?\s*name\s*:/.test(lines[i]!) && /^\s*value\s*:/.test(lines[i + 1] ?? '')) return i + 2;
    return i + 1;
  }
  return from;
}

const keyOf = (r: LinkedResource) => `${r.kind}\u0000${r.namespace}\u0000${r.name}`;

/**
 * The settings that differ between the two revisions' resources (added, removed or changed),
 * each without its measurement. `headText`: the manifests at head by path, for the lines.
 */
export function configChanges(
  base: readonly LinkedResource[],
  head: readonly LinkedResource[],
  headText: ReadonlyMap<string, string>,
): ReviewConfigChange[] {
  const before = new Map(base.map((r) => [keyOf(r), r]));
  const out: ReviewConfigChange[] = [];
  const seen = new Set<string>();
  /** One change of a resource's setting; `line` at head, null when the setting is gone. */
  const change = (r: LinkedResource, path: string, line: number | null, o: Setting | null, n: Setting | null) =>
    out.push({
      path,
      line,
      resource: `${r.kind}/${r.name}`,
      service: r.service,
      setting: (n ?? o)!.setting,
      role: (n ?? o)!.role,
      before: o?.value ?? null,
      after: n?.value ?? null,
      beforeValue: o?.amount ?? null,
      afterValue: n?.amount ?? null,
      measured: null,
    });
  for (const h of head) {
    seen.add(keyOf(h));
    const b = before.get(keyOf(h));
    const old = new Map((b ? settingsOf(b) : []).map((s) => [s.setting, s]));
    const ref = refOf(h.rawRef);
    for (const s of settingsOf(h)) {
      const o = old.get(s.setting) ?? null;
      old.delete(s.setting);
      if (o?.value !== s.value) change(h, ref.path, lineOf(headText.get(ref.path), ref.line, s.find), o, s);
    }
    for (const o of old.values()) change(h, ref.path, null, o, null);
  }
  for (const b of base) {
    if (seen.has(keyOf(b))) continue;
    for (const o of settingsOf(b)) change(b, refOf(b.rawRef).path, null, o, null);
  }
  return out;
}

const UNIT_AND_RETRY_WORDS = new Set([
  'timeout',
  'ms',
  'millis',
  'milliseconds',
  's',
  'sec',
  'secs',
  'seconds',
  'retries',
  'retry',
  'count',
  'attempts',
  'max',
]);

/** The callee endpoints whose route shares the most words with the setting's name (none when no word is shared). */
function namedEndpoints(setting: string, endpoints: readonly EndpointStat[]): EndpointStat[] {
  // A name says `CHARGE` where the route says `/charges`: words compared in the singular.
  const singular = (w: string) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  const own = words(setting)
    .filter((w) => !UNIT_AND_RETRY_WORDS.has(w))
    .map(singular);
  let best = 0;
  let hits: EndpointStat[] = [];
  for (const e of endpoints) {
    const theirs = new Set(words(e.endpoint).map(singular));
    const n = own.filter((w) => theirs.has(w)).length;
    if (n > best) {
      best = n;
      hits = [e];
    } else if (n === best && n > 0) hits.push(e);
  }
  return hits;
}

/** What production measured for the call a timeout or attempts setting governs; null when it governs no call production saw. */
function callMeasure(c: ReviewConfigChange, p: Production): ConfigMeasure | null {
  if (c.service === null || c.after === null) return null;
  const outgoing = p.edges.filter((e) => e.caller === c.service);
  const names = outgoing.map((e, i) => ({
    edge: i,
    callee: e.callee,
    endpoints: p.endpoints.filter((x) => x.service === e.callee).map((x) => x.endpoint),
  }));
  const env = readEnv({ [c.setting]: c.after }, names);
  const [index, matched] = [...env.edges.entries()][0] ?? [];
  if (index === undefined || matched === undefined) return null;
  const edge = outgoing[index]!;
  const why = (c.role === 'timeout' ? matched.timeout?.why : matched.attempts?.why) ?? '';
  const endpoints = namedEndpoints(
    c.setting,
    p.endpoints.filter((x) => x.service === edge.callee),
  );
  if (c.role === 'timeout') {
    // The callee's own p99 where the name picks its endpoint: what the call takes even before the network.
    const p99s = endpoints.flatMap((e) => (e.p99Ms === null ? [] : [{ e, v: e.p99Ms }]));
    if (p99s.length) {
      const top = p99s.reduce((a, b) => (b.v > a.v ? b : a));
      return {
        what: `p99 of ${edge.caller} → ${edge.callee} ${top.e.endpoint} (the callee's own time)`,
        value: top.v,
        unit: 'ms',
        why,
      };
    }
    if (edge.p99Ms === null) return null;
    return { what: `p99 of calls ${edge.caller} → ${edge.callee}`, value: edge.p99Ms, unit: 'ms', why };
  }
  const calls = endpoints.length ? endpoints.reduce((a, e) => a + e.requests, 0) : edge.calls;
  const errors = endpoints.length ? endpoints.reduce((a, e) => a + e.errors, 0) : edge.errors;
  if (calls === 0) return null;
  const target = endpoints.length ? `${edge.callee} ${endpoints.map((e) => e.endpoint).join(', ')}` : edge.callee;
  return { what: `error ratio of ${edge.caller} → ${target}`, value: errors / calls, unit: 'ratio', why };
}

/** The service's requests per minute, for a capacity setting. */
function loadMeasure(c: ReviewConfigChange, p: Production): ConfigMeasure | null {
  if (c.service === null || p.minutes <= 0) return null;
  const requests = p.endpoints.filter((e) => e.service === c.service).reduce((a, e) => a + e.requests, 0);
  if (requests === 0) return null;
  return {
    what: `${c.service}'s requests per minute`,
    value: requests / p.minutes,
    unit: 'per-minute',
    why: `${c.resource} runs ${c.service}`,
  };
}

/** Each change with what production measured for what it governs. */
export function measureConfig(changes: readonly ReviewConfigChange[], p: Production): ReviewConfigChange[] {
  return changes.map((c) => ({
    ...c,
    measured: c.role === 'timeout' || c.role === 'attempts' ? callMeasure(c, p) : loadMeasure(c, p),
  }));
}
