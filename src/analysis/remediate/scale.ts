// Rule 3's arithmetic: from a load simulation at the present load, how many replicas bring the
// service's busiest resource under the target utilization. The target is the service's own
// autoscaler's CPU target when it has one (what its owners chose), else 70%. The workflow checks
// the count with a second simulation at that many replicas and steps up if it falls short.
import type { LoadSimulationResult, ProposalAction } from '../../model/index.js';

export const DEFAULT_UTILIZATION_TARGET = 0.7;
/** The most replicas rule 3 proposes; past it the answer is not "more of the same". */
export const MAX_SCALE_REPLICAS = 50;

export interface ScaleNeed {
  /** Replicas running at the simulated load (after the autoscaler). */
  current: number;
  /** The busiest resource's predicted utilization, and which it is. */
  utilization: number;
  resource: string;
  saturated: boolean;
}

/** The service's busiest resource at the simulated load; null when the simulation does not model the service. */
export function scaleNeed(sim: LoadSimulationResult, service: string): ScaleNeed | null {
  const s = sim.services.find((x) => x.service === service);
  if (!s || s.resources.length === 0) return null;
  const worst = [...s.resources].sort(
    (a, b) => (b.utilization.value ?? Number.POSITIVE_INFINITY) - (a.utilization.value ?? Number.POSITIVE_INFINITY),
  )[0]!;
  return {
    current: s.replicas.predicted,
    utilization: worst.utilization.value ?? Number.POSITIVE_INFINITY,
    resource: worst.kind,
    saturated: s.resources.some((r) => r.saturated),
  };
}

/**
 * Replicas that bring `need.utilization` under `target`, since a resource's utilization falls in
 * proportion to its servers: ⌈current × utilization ÷ target⌉, at least one more than now.
 * Null when it is already under the target and nothing saturates.
 */
export function replicasFor(need: ScaleNeed, target: number): number | null {
  if (!need.saturated && need.utilization < target) return null;
  const scaled = Number.isFinite(need.utilization)
    ? Math.ceil((need.current * need.utilization) / target)
    : need.current * 2;
  return Math.min(MAX_SCALE_REPLICAS, Math.max(need.current + 1, scaled));
}

/** The scale action for `to` replicas: the HPA's minimum when the service has one (it governs the count), else the Deployment's replicas. */
export function scaleAction(
  service: string,
  to: number,
  manifest: { replicas: number | null; hpaMin: number | null; hasHpa: boolean },
): ProposalAction {
  return manifest.hasHpa
    ? { kind: 'scale', service, replicas: null, hpaMin: { from: manifest.hpaMin, to } }
    : { kind: 'scale', service, replicas: { from: manifest.replicas, to }, hpaMin: null };
}
