// What a service's env vars say about its capacity and its calls, by name: a connection pool's
// size (`*_POOL_SIZE`), workers per replica (`WEB_CONCURRENCY`, `*_WORKERS`, `*_THREADS`), how
// long a caller waits for a pool connection (`*_QUEUE_TIMEOUT_MS` beside a pool) and, per call
// edge, a timeout or a number of attempts (`INVENTORY_RESERVE_TIMEOUT_MS` names the edge whose
// callee or endpoint shares its words: catalog's `/inventory/reserve`; a name with only generic
// words, `HTTP_TIMEOUT_MS`, applies to every call the service makes).

export type EnvRole = 'pool' | 'workers' | 'timeout' | 'attempts';

const POOL = /(^|_)(POOL_SIZE|POOL_MAX|MAX_POOL_SIZE|MAX_CONNECTIONS|CONNECTION_LIMIT|CONNECTIONS)$/;
const WORKERS = /^(WEB_CONCURRENCY|WORKERS|THREADS|CONCURRENCY)$|_(WORKERS|THREADS|WORKER_COUNT|CONCURRENCY)$/;
const TIMEOUT = /(^|_)TIMEOUT(_MS|_MILLIS|_MILLISECONDS|_S|_SEC|_SECS|_SECONDS)?$/;
const ATTEMPTS = /(^|_)(RETRIES|MAX_RETRIES|RETRY_COUNT|ATTEMPTS|MAX_ATTEMPTS)$/;
const POOL_WAIT_WORDS = new Set(['queue', 'acquire', 'pool', 'wait', 'checkout', 'connection', 'connect']);
const GENERIC_WORDS = new Set([
  'http',
  'https',
  'request',
  'requests',
  'client',
  'upstream',
  'downstream',
  'call',
  'calls',
  'rpc',
  'grpc',
  'outbound',
  'default',
  'read',
  'response',
  'socket',
  'max',
]);
const UNIT_WORDS = new Set(['timeout', 'ms', 'millis', 'milliseconds', 's', 'sec', 'secs', 'seconds']);
const RETRY_WORDS = new Set(['retries', 'retry', 'count', 'attempts', 'max']);

/** What the simulation reads an env var as; null: nothing (its value changes no prediction). */
export function envRole(name: string): EnvRole | null {
  const n = name.toUpperCase();
  if (POOL.test(n)) return 'pool';
  if (WORKERS.test(n)) return 'workers';
  if (TIMEOUT.test(n)) return 'timeout';
  if (ATTEMPTS.test(n)) return 'attempts';
  return null;
}

/** The words of a name or route, lower case (`INVENTORY_RESERVE_TIMEOUT_MS` → inventory, reserve, timeout, ms). */
export function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '' && !/^\d+$/.test(w));
}

/**
 * A duration in milliseconds: `800`, `800ms`, `2s`, `1.5m`. A bare number is in the unit the name
 * states (`_MS`, `_S`/`_SECONDS`), else milliseconds. null when it is not a duration.
 */
export function durationMs(value: string, name = ''): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  if (unit === 'ms') return n;
  if (unit === 's') return n * 1000;
  if (unit === 'm') return n * 60_000;
  if (unit === 'h') return n * 3_600_000;
  return /(_S|_SEC|_SECS|_SECONDS)$/i.test(name) ? n * 1000 : n;
}

/** A whole number ≥ min, or null. */
export function wholeNumber(value: string, min: number): number | null {
  if (!/^\s*\d+\s*$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= min ? n : null;
}

/** An outgoing call edge as env matching sees it. */
export interface EdgeNames {
  edge: number;
  callee: string;
  endpoints: readonly string[];
}

/** An edge's timeout and attempts from env, with the var's name and why it matched. */
export interface EdgeEnv {
  timeout?: { name: string; ms: number; why: string };
  attempts?: { name: string; value: number; why: string };
}

export interface EnvSettings {
  pool: { name: string; size: number; queueTimeout: { name: string; ms: number } | null } | null;
  workers: { name: string; value: number } | null;
  /** Per edge index. */
  edges: Map<number, EdgeEnv>;
  /** Vars whose role is known but that could not be used: a bad value, no edge to tie a timeout to. */
  unused: string[];
}

/** The edges a timeout or attempts var is about, and why; empty when none or ambiguous. */
function edgesNamed(name: string, outgoing: readonly EdgeNames[], drop: Set<string>): { edges: number[]; why: string } {
  const own = words(name).filter((w) => !drop.has(w));
  if (own.every((w) => GENERIC_WORDS.has(w)))
    return { edges: outgoing.map((e) => e.edge), why: 'a generic name: every call the service makes' };
  let best = 0;
  let hits: EdgeNames[] = [];
  let matched: string[] = [];
  for (const e of outgoing) {
    const theirs = new Set([...words(e.callee), ...e.endpoints.flatMap(words)]);
    const shared = own.filter((w) => theirs.has(w));
    if (shared.length > best) {
      best = shared.length;
      hits = [e];
      matched = shared;
    } else if (shared.length === best && best > 0) hits.push(e);
  }
  if (best === 0) return { edges: [], why: `no call of the service shares a word with ${name}` };
  if (hits.length > 1)
    return { edges: [], why: `${name} matches calls to ${hits.map((h) => h.callee).join(', ')} alike` };
  return {
    edges: [(hits[0] as EdgeNames).edge],
    why: `shares "${matched.join('", "')}" with the call to ${(hits[0] as EdgeNames).callee}`,
  };
}

/** Reads a service's env for the simulation. `outgoing`: its call edges; `hasLeafCalls`: whether it calls something uninstrumented (a pool's work). */
export function readEnv(env: Readonly<Record<string, string>>, outgoing: readonly EdgeNames[]): EnvSettings {
  const out: EnvSettings = { pool: null, workers: null, edges: new Map(), unused: [] };
  const names = Object.keys(env).sort();
  for (const name of names) {
    const role = envRole(name);
    const value = env[name] as string;
    if (role === 'pool') {
      const size = wholeNumber(value, 1);
      if (size === null) out.unused.push(`${name}="${value}" is not a pool size (a whole number ≥ 1)`);
      else if (out.pool === null) out.pool = { name, size, queueTimeout: null };
      else out.unused.push(`${name}: a second pool setting (${out.pool.name} is read)`);
    } else if (role === 'workers') {
      const n = wholeNumber(value, 1);
      if (n === null) out.unused.push(`${name}="${value}" is not a worker count (a whole number ≥ 1)`);
      else if (out.workers === null) out.workers = { name, value: n };
    }
  }
  for (const name of names) {
    const role = envRole(name);
    const value = env[name] as string;
    if (role === 'timeout') {
      const ms = durationMs(value, name);
      if (ms === null || ms <= 0) {
        out.unused.push(`${name}="${value}" is not a duration`);
        continue;
      }
      const own = words(name).filter((w) => !UNIT_WORDS.has(w));
      if (out.pool && own.some((w) => POOL_WAIT_WORDS.has(w))) {
        if (out.pool.queueTimeout === null) out.pool.queueTimeout = { name, ms };
        continue;
      }
      const { edges, why } = edgesNamed(name, outgoing, UNIT_WORDS);
      if (edges.length === 0) out.unused.push(`${name}: ${why}`);
      for (const e of edges) {
        const cur = out.edges.get(e) ?? {};
        if (!cur.timeout) cur.timeout = { name, ms, why };
        out.edges.set(e, cur);
      }
    } else if (role === 'attempts') {
      const n = wholeNumber(value, 0);
      if (n === null) {
        out.unused.push(`${name}="${value}" is not a whole number`);
        continue;
      }
      const attempts = /RETRIES|RETRY_COUNT/i.test(name) ? n + 1 : Math.max(1, n);
      const { edges, why } = edgesNamed(name, outgoing, RETRY_WORDS);
      if (edges.length === 0) out.unused.push(`${name}: ${why}`);
      for (const e of edges) {
        const cur = out.edges.get(e) ?? {};
        if (!cur.attempts) cur.attempts = { name, value: attempts, why };
        out.edges.set(e, cur);
      }
    }
  }
  return out;
}
