// Request trees as OpenTelemetry would record them, for the failure simulation's tests: each entry
// endpoint of `web` is a tree of calls (a client span in the caller, a server span in the callee,
// the callee's own calls nested inside), repeated at a steady rate over the window with jittered
// durations; a call may fail in the window, and its failure may or may not fail the request (a
// fallback), so the calibration sees measured propagation where the test wants it.
import { Random, type SimSpan, calibrate } from '../../src/analysis/simulate/index.js';
import type { Calibration } from '../../src/analysis/simulate/index.js';
import type { InfraResource } from '../../src/model/index.js';
import { deployment } from './sim-world.js';

export interface CallSpec {
  callee: string;
  route: string;
  /** The callee's own time (ms) around its calls. */
  ms: number;
  calls?: CallSpec[];
  /** Share of these calls that fail in the window (status ERROR on both sides). */
  failShare?: number;
  /** Whether such a failure fails the request (default true); false: the caller falls back. */
  propagates?: boolean;
  /** Calls the caller makes at once (in parallel) with the next sibling. */
  parallel?: boolean;
  /** In this share of calls the caller gave up on a first attempt after `afterMs` (it still ran) and tried again. */
  timedOutRetry?: { share: number; afterMs: number };
  /** The caller does not wait for it (make it outlast the caller's visit). */
  detached?: boolean;
}

export interface EntrySpec {
  route: string;
  /** Requests per second. */
  rate: number;
  ms: number;
  calls?: CallSpec[];
}

export const FAILURE_WORLD_START = Date.UTC(2026, 11, 7, 10, 0);
export const FAILURE_WORLD_MS = 10 * 60_000;

/** The spans of `entries` over the window, seeded. */
export function failureWorldSpans(entries: readonly EntrySpec[], seed = 5): SimSpan[] {
  const r = new Random(seed);
  const spans: SimSpan[] = [];
  let ids = 0;
  let traces = 0;
  const id = () => (++ids).toString(16).padStart(16, '0');
  const jitter = (ms: number) => ms * (0.8 + 0.4 * r.next());
  /** Emits a call's spans starting at `t`; returns its end and whether the request fails by it. */
  const emit = (
    traceId: string,
    parent: string,
    caller: string,
    c: CallSpec,
    t: number,
  ): { end: number; fails: boolean } => {
    if (c.timedOutRetry && r.next() < c.timedOutRetry.share) {
      // The first attempt, given up on while it still ran: same caller, same operation.
      const end = t + c.timedOutRetry.afterMs + 50;
      const [a, b] = [id(), id()];
      const base = { traceId, error: false };
      spans.push({
        ...base,
        spanId: a,
        parentId: parent,
        service: caller,
        name: `GET ${c.route}`,
        route: null,
        kind: 3,
        startMs: t,
        endMs: end,
      });
      spans.push({
        ...base,
        spanId: b,
        parentId: a,
        service: c.callee,
        name: `GET ${c.route}`,
        route: c.route,
        kind: 2,
        startMs: t + 0.5,
        endMs: end - 1,
      });
      t += c.timedOutRetry.afterMs;
    }
    const client = id();
    const server = id();
    const failing = r.next() < (c.failShare ?? 0);
    let at = t + 1 + jitter(c.ms) / 2;
    let fails = false;
    const calls = c.calls ?? [];
    for (let i = 0; i < calls.length; i++) {
      const k = calls[i] as CallSpec;
      const res = emit(traceId, server, c.callee, k, at);
      fails ||= res.fails && !k.detached;
      if (!k.parallel && !k.detached) at = res.end;
    }
    const serverEnd = at + jitter(c.ms) / 2;
    const clientEnd = serverEnd + 1;
    const base = { traceId, error: false };
    spans.push({
      ...base,
      spanId: client,
      parentId: parent,
      service: caller,
      name: `GET ${c.route}`,
      route: null,
      kind: 3,
      startMs: t,
      endMs: clientEnd,
      error: failing,
    });
    spans.push({
      ...base,
      spanId: server,
      parentId: client,
      service: c.callee,
      name: `GET ${c.route}`,
      route: c.route,
      kind: 2,
      startMs: t + 0.5,
      endMs: serverEnd,
      error: failing,
    });
    return { end: clientEnd, fails: fails || (failing && c.propagates !== false) };
  };
  for (const e of entries) {
    for (
      let t = FAILURE_WORLD_START + r.exp(1000 / e.rate);
      t < FAILURE_WORLD_START + FAILURE_WORLD_MS - 10_000;
      t += r.exp(1000 / e.rate)
    ) {
      const traceId = (++traces).toString(16).padStart(32, '0');
      const root = id();
      let at = t + jitter(e.ms) / 2;
      let fails = false;
      const calls = e.calls ?? [];
      for (const c of calls) {
        const res = emit(traceId, root, 'web', c, at);
        fails ||= res.fails && !c.detached;
        if (!c.parallel && !c.detached) at = res.end;
      }
      const end = at + jitter(e.ms) / 2;
      spans.push({
        traceId,
        spanId: root,
        parentId: null,
        service: 'web',
        name: `GET ${e.route}`,
        route: e.route,
        kind: 2,
        startMs: t,
        endMs: end,
        error: fails,
      });
    }
  }
  return spans;
}

/** The calibration of `entries`, with each service's env (timeouts) from `env`. */
export function failureWorld(
  entries: readonly EntrySpec[],
  env: Record<string, Record<string, string>> = {},
  seed = 5,
): Calibration {
  const spans = failureWorldSpans(entries, seed);
  const services = new Set(spans.map((s) => s.service));
  const infra: InfraResource[] = [...services].flatMap((s, i) => deployment(s, { env: env[s] ?? {}, id: i + 1 }));
  return calibrate(
    {
      spans,
      window: { startMs: FAILURE_WORLD_START, endMs: FAILURE_WORLD_START + FAILURE_WORLD_MS },
      sampled: 1,
      infra,
      gauges: [],
      instances: new Map(),
    },
    { seed: 3 },
  );
}
