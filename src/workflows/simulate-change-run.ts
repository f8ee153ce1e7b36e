// A change simulation kept like the others: the blast radius (sim-change@1) computed, then
// stored as a simulation of kind `change` with its algorithm id and the telemetry window it read,
// so `GET /api/simulations/:id` and the list show it beside the load and failure runs.
import type { ChangeSimulationRequest, Simulation } from '../model/index.js';
import { simulationStore } from '../store/index.js';
import type { Context } from './context.js';
import { type BlastRadiusOptions, type ChangeSubject, simulateChange } from './simulate-change.js';

export async function runChangeSimulation(
  ctx: Pick<Context, 'store'>,
  subject: ChangeSubject,
  opts: BlastRadiusOptions = {},
): Promise<Simulation> {
  const radius = await simulateChange(ctx, subject, opts);
  const request: ChangeSimulationRequest = {
    kind: 'change',
    range: subject.kind === 'range' ? subject.range : null,
    repository: subject.kind === 'range' ? (subject.repository ?? null) : null,
    deploy: subject.kind === 'deploy' ? subject.deployId : null,
    since: opts.window ? opts.window.since.toISOString() : null,
  };
  return simulationStore.insertSimulation(ctx.store.db, {
    request,
    result: { kind: 'change', ...radius },
    algorithm: radius.algorithm,
    window: radius.window ? { since: radius.window.since, until: radius.window.until } : null,
  });
}
