// The HorizontalPodAutoscaler's arithmetic (autoscaling/v2, CPU utilization), as the
// Kubernetes controller does it each sync period: desired = ceil(current × utilization /
// target), no change within a 10% tolerance, clamped to [min, max]; a scale-up happens at
// once but at most doubles (or adds 4) per period, a scale-down only to the highest
// recommendation of the stabilization window. Pure: the supervisor measures and acts.
import type { HpaPolicy } from './manifest.js';

/** Kubernetes' --horizontal-pod-autoscaler-sync-period. */
export const HPA_SYNC_MS = 15_000;
/** Kubernetes' --horizontal-pod-autoscaler-tolerance. */
const TOLERANCE = 0.1;
/** Default scale-up policies: 100% or 4 pods per period, whichever is more. */
const UP_PODS = 4;

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface HpaStep {
  replicas: number;
  /** What this period recommends before stabilization; kept for the next periods' window. */
  recommendation: Recommendation;
}

/**
 * The replica count after one sync. `utilizationPercent` is the replicas' mean CPU use as a
 * percentage of their CPU request; `history` holds earlier recommendations (older than the
 * stabilization window are ignored).
 */
export function hpaStep(
  policy: HpaPolicy,
  current: number,
  utilizationPercent: number,
  history: readonly Recommendation[],
  now: number,
): HpaStep {
  const ratio = utilizationPercent / policy.targetPercent;
  const raw = Math.abs(ratio - 1) <= TOLERANCE ? current : Math.ceil(current * ratio);
  const recommended = Math.max(policy.min, Math.min(policy.max, raw));
  const recommendation = { at: now, replicas: recommended };
  if (recommended > current) {
    const cap = Math.max(current * 2, current + UP_PODS);
    return { replicas: Math.min(recommended, cap, policy.max), recommendation };
  }
  const windowStart = now - policy.scaleDownStabilizationS * 1000;
  const stable = Math.max(recommended, ...history.filter((r) => r.at >= windowStart).map((r) => r.replicas));
  return { replicas: Math.max(policy.min, Math.min(policy.max, current, stable)), recommendation };
}
