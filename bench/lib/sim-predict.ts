// The prediction side of the simulation bench: one function per part, each asking Orrery's
// API and reading the answer into what the bench compares. Load: POST /api/simulations
// (kind load, calibrated on the bench's window). Change: POST /api/simulations/change (a range
// of the indexed shop repository). Failure: POST /api/simulations (kind failure). Where a
// simulation is not there yet (404, or the server says the kind is not supported) the function
// returns no prediction and says why; the bench still prints every measured figure.
import { ENTRY_ENDPOINTS, type EntryEndpoint } from '../../src/demo/index.js';
import type {
  BlastRadius,
  FailureSimulationResult,
  Json,
  LoadSimulationResult,
  Simulation,
} from '../../src/model/index.js';
import type { ChangePrediction, FailurePrediction, LoadPrediction } from './sim-score.js';

/** A prediction, or why there is none, and how long the simulation took. */
export interface Predicted<T> {
  prediction: T | null;
  /** Why there is no prediction, e.g. "simulate load not available". */
  note: string | null;
  ms: number;
}

/** The telemetry window the model is calibrated on (epoch ms). */
export interface Window {
  from: number;
  to: number;
}

/** The storefront service whose routes the shoppers call. */
const ENTRY_SERVICE = 'web';

/**
 * A predicted endpoint as one of the shoppers' entry endpoints: the model names an endpoint by
 * its service and `http.route` (`/api/cart`), the bench by method and route; web's routes are
 * unique by path. Null for anything else (another service's endpoint).
 */
export function entryEndpointOf(
  service: string,
  endpoint: string,
  methods: readonly string[] = [],
): EntryEndpoint | null {
  if (service !== ENTRY_SERVICE) return null;
  const path = endpoint.replace(/^[A-Z]+ /, '');
  const found = ENTRY_ENDPOINTS.find((e) => e.slice(e.indexOf(' ') + 1) === path);
  if (!found) return null;
  const method = found.slice(0, found.indexOf(' '));
  return methods.length === 0 || methods.includes(method) ? found : null;
}

const interval = (f: { p10: number | null; p90: number | null }): [number, number] | null =>
  f.p10 !== null && f.p90 !== null ? [f.p10, f.p90] : null;

/** The bench's view of a load simulation's result. */
export function loadPredictionOf(r: Json<LoadSimulationResult>): LoadPrediction {
  const endpoints = r.endpoints.flatMap((e) => {
    const endpoint = entryEndpointOf(e.service, e.endpoint);
    if (!endpoint) return [];
    const { p50, p95, errorRate } = e.predicted;
    return [
      {
        endpoint,
        p50Ms: p50.value,
        p95Ms: p95.value,
        errorRate: errorRate.value,
        p95Interval: interval(p95),
        errorRateInterval: interval(errorRate),
      },
    ];
  });
  return {
    factor: r.factor,
    endpoints,
    bottleneck: r.bottleneck ? { service: r.bottleneck.service, resource: r.bottleneck.resource } : null,
    kneeFactor: r.knee.value,
  };
}

/** The bench's view of a blast radius: the entry endpoints it exposes, runtime-confirmed or static-only. */
export function changePredictionOf(r: Json<BlastRadius>): ChangePrediction {
  const exposed = r.endpoints.flatMap((e) => {
    const endpoint = e.entry ? entryEndpointOf(e.service, e.endpoint, e.methods) : null;
    return endpoint ? [endpoint] : [];
  });
  return { endpoints: [...new Set(exposed)] };
}

async function post<T>(
  api: string,
  path: string,
  kind: string,
  body: Record<string, unknown>,
  read: (answer: unknown) => T,
): Promise<Predicted<T>> {
  const t0 = performance.now();
  const done = (prediction: T | null, note: string | null): Predicted<T> => ({
    prediction,
    note,
    ms: Math.round(performance.now() - t0),
  });
  let res: Response;
  try {
    res = await fetch(`${api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(300_000),
    });
  } catch (err) {
    return done(null, `simulate ${kind} failed: ${(err as Error).message}`);
  }
  const text = await res.text();
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the text
  }
  if (res.status === 404 && /route .* not found/i.test(message)) return done(null, `simulate ${kind} not available`);
  if (res.status === 400 && /not yet supported/i.test(message))
    return done(null, `simulate ${kind} not available (the server says: ${message})`);
  if (!res.ok) return done(null, `simulate ${kind} answered ${res.status}: ${message}`);
  try {
    return done(read(JSON.parse(text)), null);
  } catch (err) {
    return done(null, `simulate ${kind}: answer not understood (${(err as Error).message})`);
  }
}

export function predictLoad(
  api: string,
  req: { factor: number; set: readonly string[]; window: Window },
): Promise<Predicted<LoadPrediction>> {
  const body = {
    kind: 'load',
    factor: req.factor,
    set: req.set,
    window: req.window.to - req.window.from,
    until: new Date(req.window.to).toISOString(),
  };
  return post(api, '/api/simulations', 'load', body, (a) => {
    const run = (a as { simulation: Json<Simulation> }).simulation;
    if (run?.result?.kind !== 'load') throw new Error('no load simulation in the answer');
    return loadPredictionOf(run.result);
  });
}

/** A failure mode as `simulate failure` takes it: down, slow=2s, errors=30%. */
export function predictFailure(
  api: string,
  req: { service: string; mode: string; window: Window },
): Promise<Predicted<FailurePrediction>> {
  const body = {
    kind: 'failure',
    service: req.service,
    mode: req.mode,
    window: req.window.to - req.window.from,
    until: new Date(req.window.to).toISOString(),
  };
  return post(api, '/api/simulations', 'failure', body, (a) => {
    const run = (a as { simulation: Json<Simulation> }).simulation;
    if (run?.result?.kind !== 'failure') throw new Error('no failure simulation in the answer');
    return failurePredictionOf(run.result);
  });
}

/** The bench's view of a failure simulation's result: each storefront entry endpoint's outcome, error rate and p95. */
export function failurePredictionOf(r: Json<FailureSimulationResult>): FailurePrediction {
  const endpoints = r.endpoints.flatMap((e) => {
    const endpoint = entryEndpointOf(e.service, e.endpoint);
    return endpoint ? [{ endpoint, outcome: e.outcome, errorRate: e.errorRate.value, p95Ms: e.p95.value }] : [];
  });
  return { endpoints };
}

export function predictChange(
  api: string,
  req: { repo: string; base: string; head: string },
): Promise<Predicted<ChangePrediction>> {
  const body = { range: `${req.base}..${req.head}`, repository: req.repo };
  return post(api, '/api/simulations/change', 'change', body, (a) => {
    const result = (a as { simulation: { result: Json<BlastRadius> } }).simulation?.result;
    if (!Array.isArray(result?.endpoints)) throw new Error('no blast radius in the answer');
    return changePredictionOf(result);
  });
}
