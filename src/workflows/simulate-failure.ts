// `orrery simulate failure`: calibrates on the window (as simulate load does), predicts each entry
// endpoint's outcome with one service failed (sim-failure@1), adds who used the endpoints the
// failure reaches over the last 7 days and the open tickets that name them, and stores the run.
import {
  DEFAULT_SIMULATION_WINDOW_MS,
  type ImpactFacts,
  type ImpactTicketFacts,
  SIM_FAILURE_ALGORITHM,
  SimulationInputError,
  parseFailureMode,
  parseWindow,
  simulateFailure as predictFailure,
  withImpact,
} from '../analysis/index.js';
import type { EndpointPeople, FailureSimulationRequest, FailureSimulationResult, Simulation } from '../model/index.js';
import { type Queryable, blastRadiusQuery, simulationStore } from '../store/index.js';
import type { Context } from './context.js';
import { type EndpointUse, endpointUse, endpointUseKey, peopleOf } from './endpoint-people.js';
import { type SimulateOptions, calibrateWindow } from './simulate.js';

export interface SimulateFailureInput {
  service: string;
  /** `down`, `slow=2s`, `errors=30%`. */
  mode: string;
  /** The calibration window's length (default 30 min) and end (default now). */
  windowMs?: number;
  until?: Date;
}

/** How far back the people and tickets of the affected endpoints are looked for. */
export const FAILURE_PEOPLE_LOOKBACK_MS = 7 * 86_400_000;

/** The people and tickets of the result's endpoints over the look-back ending at `until`. */
async function impactOf(db: Queryable, r: FailureSimulationResult, until: Date): Promise<ImpactFacts> {
  const since = new Date(until.getTime() - FAILURE_PEOPLE_LOOKBACK_MS);
  const services = [...new Set(r.endpoints.map((e) => e.service))];
  const uses = new Map<string, EndpointUse>();
  for (const u of await endpointUse(db, since, until, { services })) uses.set(endpointUseKey(u.service, u.endpoint), u);
  const endpoints = new Map<string, EndpointPeople>();
  for (const e of r.endpoints) {
    const u = uses.get(endpointUseKey(e.service, e.endpoint));
    endpoints.set(`${e.service} ${e.endpoint}`, { users: u?.users ?? null, accounts: u?.accounts ?? null });
  }
  const affected = r.endpoints.filter((e) => e.outcome !== 'unaffected');
  const [people, links, named] = await Promise.all([
    affected.length ? peopleOf(db, uses, affected, since, until) : null,
    blastRadiusQuery.openTicketLinks(db),
    blastRadiusQuery.openTicketsNamingPeople(db, affected, since, until),
  ]);
  const tickets = new Map<number, ImpactTicketFacts>();
  for (const t of links)
    if (t.routes.length)
      tickets.set(t.id, { id: t.id, title: t.title, status: t.status, routes: t.routes, people: [] });
  for (const n of named) {
    const t = tickets.get(n.id) ?? { id: n.id, title: n.title, status: n.status, routes: [], people: [] };
    t.people.push({ kind: n.kind, id: n.person, endpoints: n.endpoints });
    tickets.set(n.id, t);
  }
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    endpoints,
    people: uses.size === 0 ? null : people,
    tickets: [...tickets.values()],
  };
}

/** `orrery simulate failure`: calibrates on the window, predicts the failure, adds its people and tickets, stores the run. */
export async function simulateFailure(
  ctx: Context,
  input: SimulateFailureInput,
  opts: SimulateOptions = {},
): Promise<Simulation> {
  const windowMs = parseWindow(input.windowMs ?? DEFAULT_SIMULATION_WINDOW_MS);
  parseFailureMode(input.mode);
  const until = input.until ?? new Date();
  const endMs = until.getTime();
  const window = { startMs: endMs - windowMs, endMs };
  const request: FailureSimulationRequest = {
    kind: 'failure',
    service: input.service,
    mode: input.mode.trim(),
    windowMs,
  };
  const { calibration, spans, readMs, calibrateMs } = await calibrateWindow(ctx, window, opts);
  if (calibration.entries.length === 0)
    throw new SimulationInputError(
      `no trace began between ${new Date(window.startMs).toISOString()} and ${until.toISOString()}: nothing to calibrate on (a longer --window, or an --until when traces arrived)`,
    );
  const t2 = performance.now();
  const predicted = predictFailure(
    calibration,
    { service: request.service, mode: request.mode },
    { replicates: opts.replicates },
  );
  const result = withImpact(predicted, await impactOf(ctx.store.db, predicted, until));
  opts.onTimings?.({ readMs, calibrateMs, modelMs: performance.now() - t2, spans });
  return simulationStore.insertSimulation(ctx.store.db, {
    request,
    result,
    algorithm: SIM_FAILURE_ALGORITHM,
    window: result.window,
  });
}
