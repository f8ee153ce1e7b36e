// The capacity half of the calibration: each service's replicas, autoscaler bounds, CPU limit,
// workers and connection pool from its infrastructure (the newest imported workload linked to it),
// where the manifests are silent from the instances its telemetry shows, else stated assumptions;
// and the share of its self time that is CPU, from CPU gauges where they exist.
import type { HpaSpec, InfraResource, WorkloadSpec } from '../../model/index.js';
import { readEnv } from './env-settings.js';
import type { EdgeNames } from './env-settings.js';
import type { CapacitySettings, CpuDemand, HpaSettings, Setting } from './types.js';

/** One CPU gauge of a service over the window: its mean per series, summed over the series (pods). */
export interface CpuGauge {
  service: string;
  name: string;
  value: number;
  series: number;
}

/**
 * Without a gauge, a share of self time is taken as CPU work: mostly it is (code running, or
 * waiting for the CPU), but self time also holds waits for what is not traced (timers, I/O, the
 * host). The intervals draw it from 0.5–1, weighted toward 1; the value is that draw's median.
 */
export const ASSUMED_CPU_SHARE: { value: number; range: readonly [number, number] } = {
  value: 0.875,
  range: [0.5, 1],
};

function workloadName(r: InfraResource): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} (${r.rawRef})`;
}

const newest = (a: InfraResource, b: InfraResource) => b.importedAt.localeCompare(a.importedAt) || b.id - a.id;

/** The capacity settings of `service` from the stored infrastructure and the instances telemetry showed. */
export function capacityOf(
  service: string,
  infra: readonly InfraResource[],
  instances: number | null,
  outgoing: readonly EdgeNames[],
  warnings: string[],
): { capacity: CapacitySettings; envEdges: ReturnType<typeof readEnv>['edges'] } {
  const workload = infra.filter((r) => r.service === service && r.spec.type === 'workload').sort(newest)[0];
  const spec = workload?.spec as WorkloadSpec | undefined;
  const hpaRow = infra
    .filter(
      (r) =>
        r.service === service &&
        r.spec.type === 'hpa' &&
        (!workload || (r.spec as HpaSpec).target.name === workload.name),
    )
    .sort(newest)[0];
  const where = workload ? workloadName(workload) : null;
  const container =
    spec?.containers.find((c) => c.name === service || c.name === workload?.name) ?? spec?.containers[0] ?? null;
  if (container && container.env === undefined)
    warnings.push(
      `${where}: imported before env was read; run orrery infra import again to read its pool and timeouts`,
    );
  const env = { ...(container?.env ?? {}) };
  let hpa: HpaSettings | null = null;
  if (hpaRow) {
    const h = hpaRow.spec as HpaSpec;
    const cpu = h.metrics.find((m) => m.name === 'cpu' && m.target.averageUtilization !== undefined);
    hpa = {
      min: h.minReplicas,
      max: h.maxReplicas ?? h.minReplicas,
      cpuTargetPercent: cpu?.target.averageUtilization ?? null,
      source: workloadName(hpaRow),
    };
  }
  let replicas: Setting<number>;
  if (hpa) {
    const seen = instances === null ? null : Math.min(hpa.max, Math.max(hpa.min, instances));
    replicas =
      seen === null
        ? {
            value: Math.max(hpa.min, spec?.replicas ?? 0),
            validity: 'assumed',
            source: `${hpa.source}: its minimum (no instances counted)`,
          }
        : {
            value: seen,
            validity: 'measured',
            source: `${instances} instances in telemetry, within ${hpa.source}'s ${hpa.min}–${hpa.max}`,
          };
  } else if (spec) {
    replicas = {
      value: spec.replicas ?? 1,
      validity: 'measured',
      source: spec.replicas === null ? `${where}: replicas unset (Kubernetes runs 1)` : (where as string),
    };
    if (instances !== null && instances !== replicas.value)
      warnings.push(
        `${service}: the manifest says ${replicas.value} replicas, telemetry showed ${instances} instances; the manifest is used`,
      );
  } else if (instances !== null) {
    replicas = { value: instances, validity: 'measured', source: 'instances seen in telemetry (no manifest)' };
  } else {
    replicas = { value: 1, validity: 'assumed', source: 'no manifest and no instance count: 1 replica' };
  }
  const read = readEnv(env, outgoing);
  for (const u of read.unused) warnings.push(`${service}: ${u}`);
  const workers: Setting<number> = read.workers
    ? { value: read.workers.value, validity: 'measured', source: `${where} env ${read.workers.name}` }
    : {
        value: 1,
        validity: 'assumed',
        source: 'no worker setting: one request at a time on the CPU per replica (an event loop or a single worker)',
      };
  const limit = container?.limits.cpuMillicores ?? null;
  const cpuLimitCores: Setting<number | null> = container
    ? { value: limit === null ? null : limit / 1000, validity: 'measured', source: where as string }
    : { value: null, validity: 'assumed', source: 'no manifest: no CPU limit' };
  const request = container?.requests.cpuMillicores ?? null;
  return {
    capacity: {
      replicas,
      workers,
      cpuLimitCores,
      cpuRequestCores: request === null ? null : request / 1000,
      hpa,
      pool: read.pool
        ? {
            name: read.pool.name,
            size: { value: read.pool.size, validity: 'measured', source: `${where} env ${read.pool.name}` },
            queueTimeoutMs: read.pool.queueTimeout
              ? {
                  value: read.pool.queueTimeout.ms,
                  validity: 'measured',
                  source: `${where} env ${read.pool.queueTimeout.name}`,
                }
              : {
                  value: null,
                  validity: 'assumed',
                  source: 'no queue timeout setting: callers wait as long as it takes',
                },
          }
        : null,
      env,
      workload: where,
    },
    envEdges: read.edges,
  };
}

/** Cores in use from a service's CPU gauges, or null when none it can read (usage in cores, or utilization of the limit). */
export function cpuCores(
  gauges: readonly CpuGauge[],
  limitCores: number | null,
): { cores: number; source: string } | null {
  const usage = gauges.find((g) => /cpu[._]usage$/.test(g.name));
  if (usage) return { cores: usage.value, source: `gauge ${usage.name} (${usage.series} series)` };
  const ofLimit = gauges.find((g) => /cpu_limit_utilization$/.test(g.name));
  if (ofLimit && limitCores !== null)
    return { cores: ofLimit.value * limitCores, source: `gauge ${ofLimit.name} × the ${limitCores}-core limit` };
  return null;
}

/** A visit's CPU demand: busy cores over visits per second, from gauges; else an assumed share of its self time. */
export function cpuDemandOf(
  service: string,
  gauges: readonly CpuGauge[],
  limitCores: number | null,
  visitsPerSec: number,
): CpuDemand {
  const cpu = cpuCores(gauges, limitCores);
  if (cpu && visitsPerSec > 0)
    return {
      from: 'gauge',
      msPerVisit: {
        value: (cpu.cores * 1000) / visitsPerSec,
        validity: 'measured',
        source: `${cpu.source}: ${cpu.cores.toFixed(3)} cores over ${visitsPerSec.toFixed(2)} visits per second`,
      },
    };
  return {
    from: 'self-time',
    share: {
      value: ASSUMED_CPU_SHARE.value,
      validity: 'assumed',
      source: `no CPU gauge for ${service}: this share of its self time is taken as CPU work (the intervals draw it from ${ASSUMED_CPU_SHARE.range[0]}–${ASSUMED_CPU_SHARE.range[1]}, weighted toward ${ASSUMED_CPU_SHARE.range[1]})`,
      range: ASSUMED_CPU_SHARE.range,
      towardHigh: true,
    },
  };
}
