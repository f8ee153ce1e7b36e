// Kubernetes manifests as normalised resources: Deployments, StatefulSets and DaemonSets
// (replicas, selector, pod labels, containers with requests/limits), HorizontalPodAutoscalers
// (autoscaling/v1 and v2) and Services. Other kinds are skipped; Secrets and ConfigMaps in
// particular are never read. Of env vars only literal values under names that do not name a
// secret are kept (what capacity simulation reads: pool sizes, timeouts); annotations are not.
import type {
  ContainerSpec,
  HpaMetric,
  HpaSpec,
  InfraResourceInput,
  ResourceAmounts,
  ServicePort,
  ServiceSpec,
  WorkloadSpec,
} from '../../../model/index.js';
import { isSecretKey } from '../../transforms/index.js';
import { cpuMillicores, memoryBytes } from './quantity.js';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
const KINDS = new Set<string>([...WORKLOAD_KINDS, 'HorizontalPodAutoscaler', 'Service']);

type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * A value as a warning quotes it. `String(v)` throws on an object whose `toString` is not a
 * function (a manifest can say `replicas: {toString: 1}`), so objects are shown as JSON.
 */
export function shown(v: unknown): string {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  try {
    return (JSON.stringify(v) ?? '').slice(0, 200);
  } catch {
    return '(unreadable)';
  }
}

/** An integer as written (a number, or a numeric string as Terraform keeps them), else null. */
export function int(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    const s = str(x);
    if (s !== null) out[k] = s;
  }
  return out;
}

/** Collects unreadable values without failing the import. */
export type Warn = (message: string) => void;

function amounts(v: unknown, where: string, warn: Warn): ResourceAmounts {
  const o = obj(v);
  const cpu = o.cpu === undefined ? null : cpuMillicores(o.cpu);
  const mem = o.memory === undefined ? null : memoryBytes(o.memory);
  if (o.cpu !== undefined && cpu === null) warn(`${where}: cpu "${shown(o.cpu)}" is not a quantity`);
  if (o.memory !== undefined && mem === null) warn(`${where}: memory "${shown(o.memory)}" is not a quantity`);
  return { cpuMillicores: cpu, memoryBytes: mem };
}

/** Longer env values are not settings (certificates, JSON blobs): left out. */
const MAX_ENV_VALUE = 256;

/**
 * A container's env list (`[{name, value}]`) as a map of its literal values; entries from
 * valueFrom (Secrets, ConfigMaps, fields), secret-named ones and long values are left out.
 */
export function literalEnv(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (!isObj(e)) continue;
    const name = str(e.name);
    const value = str(e.value);
    if (!name || value === null || value.length > MAX_ENV_VALUE || isSecretKey(name)) continue;
    out[name] = value;
  }
  return out;
}

function sum(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

export function perPod(containers: ContainerSpec[]): WorkloadSpec['perPod'] {
  const total = (pick: (c: ContainerSpec) => ResourceAmounts): ResourceAmounts => ({
    cpuMillicores: sum(containers.map((c) => pick(c).cpuMillicores)),
    memoryBytes: sum(containers.map((c) => pick(c).memoryBytes)),
  });
  return { requests: total((c) => c.requests), limits: total((c) => c.limits) };
}

function workload(kind: string, spec: Obj, ref: string, warn: Warn): WorkloadSpec {
  const template = obj(spec.template);
  const containers: ContainerSpec[] = (
    Array.isArray(obj(template.spec).containers) ? (obj(template.spec).containers as unknown[]) : []
  )
    .filter(isObj)
    .map((c, i) => {
      const name = str(c.name) ?? `container-${i}`;
      const res = obj(c.resources);
      return {
        name,
        image: str(c.image),
        requests: amounts(res.requests, `${ref} container ${name} requests`, warn),
        limits: amounts(res.limits, `${ref} container ${name} limits`, warn),
        env: literalEnv(c.env),
      };
    });
  const replicas = kind === 'DaemonSet' ? null : int(spec.replicas);
  if (spec.replicas !== undefined && replicas === null && kind !== 'DaemonSet')
    warn(`${ref}: replicas "${shown(spec.replicas)}" is not a number`);
  return {
    type: 'workload',
    replicas,
    selector: stringMap(obj(spec.selector).matchLabels),
    podLabels: stringMap(obj(template.metadata).labels),
    containers,
    perPod: perPod(containers),
  };
}

function metricTarget(name: string, t: Obj): HpaMetric['target'] {
  const out: HpaMetric['target'] = { type: str(t.type) ?? 'Utilization' };
  const util = int(t.averageUtilization ?? t.average_utilization);
  if (util !== null) out.averageUtilization = util;
  const norm = (v: unknown): number | string | undefined => {
    if (v === undefined || v === null) return undefined;
    const n = name === 'cpu' ? cpuMillicores(v) : name === 'memory' ? memoryBytes(v) : null;
    return n ?? str(v) ?? undefined;
  };
  const av = norm(t.averageValue ?? t.average_value);
  if (av !== undefined) out.averageValue = av;
  const v = norm(t.value);
  if (v !== undefined) out.value = v;
  return out;
}

/** autoscaling/v2 metrics (and the v2beta1 spellings). */
function hpaMetrics(list: unknown): HpaMetric[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((m) => {
    const type = str(m.type) ?? 'Resource';
    const body = obj(m[type.charAt(0).toLowerCase() + type.slice(1)]);
    const name = str(body.name) ?? str(obj(body.metric).name) ?? str(body.metricName) ?? '';
    if (isObj(body.target)) return { type, name, target: metricTarget(name, body.target) };
    // v2beta1: targetAverageUtilization / targetAverageValue / targetValue on the metric itself
    const legacy: Obj = {
      type:
        body.targetAverageUtilization !== undefined
          ? 'Utilization'
          : body.targetAverageValue !== undefined
            ? 'AverageValue'
            : 'Value',
      averageUtilization: body.targetAverageUtilization,
      averageValue: body.targetAverageValue,
      value: body.targetValue,
    };
    return { type, name, target: metricTarget(name, legacy) };
  });
}

function hpa(spec: Obj, ref: string, warn: Warn): HpaSpec {
  const target = obj(spec.scaleTargetRef);
  const metrics = hpaMetrics(spec.metrics);
  const cpuPercent = int(spec.targetCPUUtilizationPercentage);
  if (cpuPercent !== null)
    metrics.push({ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuPercent } });
  const maxReplicas = int(spec.maxReplicas);
  if (maxReplicas === null) warn(`${ref}: maxReplicas is missing or not a number`);
  return {
    type: 'hpa',
    target: {
      kind: str(target.kind) ?? 'Deployment',
      name: str(target.name) ?? '',
      apiVersion: str(target.apiVersion),
    },
    minReplicas: int(spec.minReplicas) ?? 1,
    maxReplicas,
    metrics,
  };
}

function service(spec: Obj): ServiceSpec {
  const ports: ServicePort[] = (Array.isArray(spec.ports) ? spec.ports : []).filter(isObj).map((p) => ({
    name: str(p.name),
    port: int(p.port),
    targetPort: typeof p.targetPort === 'number' ? p.targetPort : str(p.targetPort),
    protocol: str(p.protocol) ?? 'TCP',
  }));
  return { type: 'service', serviceType: str(spec.type) ?? 'ClusterIP', selector: stringMap(spec.selector), ports };
}

export type ManifestResult = { resources: InfraResourceInput[]; skipped: Array<{ ref: string; reason: string }> };

/** Lists inside Lists deeper than this are not read: kubectl writes one level, and a deeper one would recurse without bound. */
export const MAX_LIST_DEPTH = 8;

/** push(...items) passes each item as an argument, which overflows the stack for a List of a few hundred thousand. */
export function appendAll<T>(to: T[], items: readonly T[]): void {
  for (const x of items) to.push(x);
}

/**
 * One parsed manifest document (an object, or a `List` / `*List` holding items) as
 * resources. `ref` says where it came from ('path:line').
 */
export function fromManifest(doc: unknown, ref: string, warn: Warn, depth = 0): ManifestResult {
  const out: ManifestResult = { resources: [], skipped: [] };
  if (!isObj(doc)) {
    out.skipped.push({ ref, reason: 'not a Kubernetes object' });
    return out;
  }
  const kind = str(doc.kind);
  if (kind?.endsWith('List') && Array.isArray(doc.items)) {
    if (depth >= MAX_LIST_DEPTH) {
      out.skipped.push({ ref, reason: `a List nested more than ${MAX_LIST_DEPTH} deep` });
      return out;
    }
    doc.items.forEach((item, i) => {
      const r = fromManifest(item, `${ref} items[${i}]`, warn, depth + 1);
      appendAll(out.resources, r.resources);
      appendAll(out.skipped, r.skipped);
    });
    return out;
  }
  if (!kind || !str(doc.apiVersion)) {
    out.skipped.push({ ref, reason: 'no kind and apiVersion: not a Kubernetes manifest' });
    return out;
  }
  if (!KINDS.has(kind)) {
    out.skipped.push({ ref, reason: `kind ${kind} is not read` });
    return out;
  }
  const meta = obj(doc.metadata);
  const name = str(meta.name);
  if (!name) {
    warn(`${ref}: ${kind} has no metadata.name; skipped`);
    out.skipped.push({ ref, reason: `${kind} without a name` });
    return out;
  }
  const spec = obj(doc.spec);
  const at = `${ref} ${kind} ${name}`;
  out.resources.push({
    kind,
    namespace: str(meta.namespace) ?? '',
    name,
    labels: stringMap(meta.labels),
    spec:
      kind === 'HorizontalPodAutoscaler'
        ? hpa(spec, at, warn)
        : kind === 'Service'
          ? service(spec)
          : workload(kind, spec, at, warn),
    rawRef: ref,
  });
  return out;
}
