// What the demo's little cluster reads from a service's deploy/k8s/<service>.yaml, the way a
// kubelet and the HPA controller would: the Deployment's replicas, its first container's
// plain env values and CPU request and limit, and a HorizontalPodAutoscaler on CPU
// utilization. The world enforces exactly this (supervisor.ts), so what Orrery reads from the
// same manifests is what runs. Read here, not with Orrery's infra parser: the world is the
// ground truth Orrery is checked against, so it shares none of Orrery's code.
import { parseAllDocuments } from 'yaml';

/** An autoscaler on average CPU utilization (percent of the CPU request), as autoscaling/v2 has it. */
export interface HpaPolicy {
  min: number;
  max: number;
  /** Target average utilization, percent of each replica's CPU request. */
  targetPercent: number;
  /** How long a lower recommendation must hold before scaling down (Kubernetes' default is 300 s). */
  scaleDownStabilizationS: number;
}

export interface Manifest {
  replicas: number;
  env: Record<string, string>;
  /** Millicores; null when the manifest sets none. */
  cpuRequestM: number | null;
  /** Millicores; null when the manifest sets none (no limit). */
  cpuLimitM: number | null;
  hpa: HpaPolicy | null;
}

/** The most replicas the demo runs of one service (each is a Node process on the same host). */
export const MAX_REPLICAS = 8;
const DEFAULT_SCALE_DOWN_S = 300;

/** A Kubernetes CPU quantity ("250m", "1", "0.5") in millicores; null when unreadable. */
export function cpuMillicores(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.ceil(v * 1000) : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const milli = m[2] === 'm' ? Math.ceil(n) : Math.ceil(n * 1000);
  return milli > 0 ? milli : null;
}

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    replicas?: number;
    template?: {
      spec?: {
        containers?: {
          env?: { name: string; value?: unknown }[];
          resources?: { requests?: { cpu?: unknown }; limits?: { cpu?: unknown } };
        }[];
      };
    };
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: {
      type?: string;
      resource?: { name?: string; target?: { type?: string; averageUtilization?: number } };
    }[];
    behavior?: { scaleDown?: { stabilizationWindowSeconds?: number } };
  };
}

const clampReplicas = (n: number) => Math.max(1, Math.min(MAX_REPLICAS, Math.round(n)));

/** The Deployment (and an HPA on it, if any) in deploy/k8s/<service>.yaml. */
export function readManifest(text: string, service: string): Manifest {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc | null);
  const deployment = docs.find((d) => d?.kind === 'Deployment');
  if (!deployment) throw new Error(`deploy/k8s/${service}.yaml has no Deployment`);
  const container = deployment.spec?.template?.spec?.containers?.[0];
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) {
    if (e.value !== undefined && e.value !== null) env[e.name] = String(e.value);
  }
  const name = deployment.metadata?.name ?? service;
  const hpaDoc = docs.find(
    (d) =>
      d?.kind === 'HorizontalPodAutoscaler' &&
      d.spec?.scaleTargetRef?.kind === 'Deployment' &&
      d.spec.scaleTargetRef.name === name,
  );
  let hpa: HpaPolicy | null = null;
  const cpuTarget = hpaDoc?.spec?.metrics?.find(
    (m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization',
  )?.resource?.target?.averageUtilization;
  if (hpaDoc && typeof cpuTarget === 'number' && cpuTarget > 0) {
    const min = clampReplicas(hpaDoc.spec?.minReplicas ?? 1);
    hpa = {
      min,
      max: Math.max(min, clampReplicas(hpaDoc.spec?.maxReplicas ?? min)),
      targetPercent: cpuTarget,
      scaleDownStabilizationS: hpaDoc.spec?.behavior?.scaleDown?.stabilizationWindowSeconds ?? DEFAULT_SCALE_DOWN_S,
    };
  }
  return {
    replicas: clampReplicas(deployment.spec?.replicas ?? 1),
    env,
    cpuRequestM: cpuMillicores(container?.resources?.requests?.cpu),
    cpuLimitM: cpuMillicores(container?.resources?.limits?.cpu),
    hpa,
  };
}
