// What the shoppers measured, per entry endpoint, over a stretch of time: the load driver's
// own client-side timings (not Orrery's), for the simulation bench and the demo's reports.
// Pure: observations in, figures out.
import { ENTRY_ENDPOINTS, type EntryEndpoint, type Observation } from './load.js';

export interface EndpointStats {
  endpoint: EntryEndpoint;
  requests: number;
  /** Requests per second sent in the window. */
  rps: number;
  /** No answer (connection refused or reset, or the driver's timeout) or a 5xx. */
  errors: number;
  /** 4xx answers (an empty cart at checkout, an unknown product): the client's mistakes, not failures. */
  clientErrors: number;
  /** errors / requests; null without requests. */
  errorRate: number | null;
  /** Over every request, failed ones included (their time to the failure); null without requests. */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Badge reads answered 200 with a count other than the one the driver knows is right. */
  wrongAnswers: number;
}

/** Nearest-rank percentile of sorted values (p in 0..1). */
function rank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** Requests sent in [fromMs, toMs) (epoch ms), summarized per entry endpoint, in ENTRY_ENDPOINTS order. */
export function endpointStats(observations: readonly Observation[], fromMs: number, toMs: number): EndpointStats[] {
  const seconds = Math.max(0.001, (toMs - fromMs) / 1000);
  const by = new Map<EntryEndpoint, Observation[]>(ENTRY_ENDPOINTS.map((e) => [e, []]));
  for (const o of observations) if (o.at >= fromMs && o.at < toMs) by.get(o.endpoint)!.push(o);
  return ENTRY_ENDPOINTS.map((endpoint) => {
    const obs = by.get(endpoint)!;
    const ms = obs.map((o) => o.ms).sort((a, b) => a - b);
    const errors = obs.filter((o) => o.status === 0 || o.status >= 500).length;
    return {
      endpoint,
      requests: obs.length,
      rps: Math.round((obs.length / seconds) * 100) / 100,
      errors,
      clientErrors: obs.filter((o) => o.status >= 400 && o.status < 500).length,
      errorRate: obs.length ? errors / obs.length : null,
      p50Ms: round1(rank(ms, 0.5)),
      p95Ms: round1(rank(ms, 0.95)),
      p99Ms: round1(rank(ms, 0.99)),
      wrongAnswers: obs.filter((o) => o.badge && o.badge.shown !== o.badge.expected).length,
    };
  });
}
