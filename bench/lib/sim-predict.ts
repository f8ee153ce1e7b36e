// The prediction side of the simulation bench: one function per part, each asking Orrery's
// API (`POST /api/simulations`, kind load, failure or change) and reading the answer into
// what the bench compares. Where the API is not there yet (404) or answers something else,
// the function returns no prediction and says why; the bench still prints every measured
// figure. This file is the one place to change when the API's result shape moves.
import { z } from 'zod';
import type { ChangePrediction, FailurePrediction, LoadPrediction } from './sim-score.js';

/** A prediction, or why there is none, and how long the simulation took. */
export interface Predicted<T> {
  prediction: T | null;
  /** Why there is no prediction, e.g. "simulate load not available". */
  note: string | null;
  ms: number;
}

/** The telemetry window the model is calibrated on. */
export interface Window {
  from: string;
  to: string;
}

const num = z.number().finite();
const interval = z
  .union([z.tuple([num, num]), z.object({ low: num, high: num }), z.object({ p10: num, p90: num })])
  .nullish()
  .transform((v): [number, number] | null => {
    if (!v) return null;
    if (Array.isArray(v)) return [v[0], v[1]];
    return 'low' in v ? [v.low, v.high] : [v.p10, v.p90];
  });
/** An endpoint as "GET /api/cart", or as a method and a route. */
const named = {
  endpoint: z.string().optional(),
  method: z.string().optional(),
  route: z.string().optional(),
};
const nameOf = (e: { endpoint?: string; method?: string; route?: string }) =>
  e.endpoint ?? `${(e.method ?? 'GET').toUpperCase()} ${e.route ?? '?'}`;
const resourceKind = z
  .string()
  .transform((r) => (/pool|connection|DB_POOL/i.test(r) ? 'pool' : /cpu/i.test(r) ? 'cpu' : r));

const loadResult = z.object({
  endpoints: z.array(
    z.looseObject({
      ...named,
      p50Ms: num.nullish(),
      p95Ms: num.nullish(),
      errorRate: num.nullish(),
      p95Interval: interval,
      errorRateInterval: interval,
    }),
  ),
  bottleneck: z.looseObject({ service: z.string(), resource: resourceKind }).nullish(),
  kneeFactor: num.nullish(),
});

const failureResult = z.object({
  endpoints: z.array(
    z.looseObject({
      ...named,
      outcome: z.enum(['failed', 'degraded', 'unaffected']),
      errorRate: num.nullish(),
      p95Ms: num.nullish(),
    }),
  ),
});

const changeResult = z.object({
  endpoints: z.array(z.union([z.string(), z.looseObject(named)])),
});

/** The answer's result: `{ simulation: { result } }` or `{ result }`. */
function resultOf(body: unknown): unknown {
  const b = body as { simulation?: { result?: unknown }; result?: unknown } | null;
  return b?.simulation?.result ?? b?.result ?? body;
}

async function simulate<T>(
  api: string,
  kind: string,
  request: Record<string, unknown>,
  read: (result: unknown) => T,
): Promise<Predicted<T>> {
  const t0 = performance.now();
  const done = (prediction: T | null, note: string | null): Predicted<T> => ({
    prediction,
    note,
    ms: Math.round(performance.now() - t0),
  });
  let res: Response;
  try {
    res = await fetch(`${api}/api/simulations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ kind, ...request }),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    return done(null, `simulate ${kind} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (res.status === 404 && /not found/i.test(text) && /simulations/.test(text))
    return done(null, `simulate ${kind} not available`);
  if (!res.ok) return done(null, `simulate ${kind} answered ${res.status}: ${text.slice(0, 200)}`);
  try {
    return done(read(resultOf(JSON.parse(text))), null);
  } catch (err) {
    const msg = err instanceof z.ZodError ? (err.issues[0]?.message ?? 'bad shape') : (err as Error).message;
    return done(null, `simulate ${kind}: answer not understood (${msg})`);
  }
}

export function predictLoad(
  api: string,
  req: { factor: number; set: readonly string[]; window: Window },
): Promise<Predicted<LoadPrediction>> {
  return simulate(api, 'load', { factor: req.factor, set: req.set, window: req.window }, (r) => {
    const p = loadResult.parse(r);
    const b = p.bottleneck;
    return {
      factor: req.factor,
      endpoints: p.endpoints.map((e) => ({
        endpoint: nameOf(e),
        p50Ms: e.p50Ms ?? null,
        p95Ms: e.p95Ms ?? null,
        errorRate: e.errorRate ?? null,
        p95Interval: e.p95Interval,
        errorRateInterval: e.errorRateInterval,
      })),
      bottleneck:
        b && (b.resource === 'cpu' || b.resource === 'pool') ? { service: b.service, resource: b.resource } : null,
      kneeFactor: p.kneeFactor ?? null,
    };
  });
}

export function predictFailure(
  api: string,
  req: { service: string; mode: string; window: Window },
): Promise<Predicted<FailurePrediction>> {
  return simulate(api, 'failure', { service: req.service, mode: req.mode, window: req.window }, (r) => ({
    endpoints: failureResult.parse(r).endpoints.map((e) => ({
      endpoint: nameOf(e),
      outcome: e.outcome,
      errorRate: e.errorRate ?? null,
      p95Ms: e.p95Ms ?? null,
    })),
  }));
}

export function predictChange(
  api: string,
  req: { repo: string; base: string; head: string; window: Window },
): Promise<Predicted<ChangePrediction>> {
  return simulate(api, 'change', { repo: req.repo, range: `${req.base}..${req.head}`, window: req.window }, (r) => ({
    endpoints: changeResult.parse(r).endpoints.map((e) => (typeof e === 'string' ? e : nameOf(e))),
  }));
}
