// `terraform show -json` output (state, or a plan's planned_values) as resources. The
// Kubernetes provider's deployments, stateful sets, HPAs and services become the same
// normalised specs as manifests; every other managed resource is kept generically (type,
// address and a few sizing attributes from an allow-list, so no secret is ever stored).
import type {
  ContainerSpec,
  GenericSpec,
  HpaMetric,
  HpaSpec,
  InfraResourceInput,
  ResourceAmounts,
  ServiceSpec,
  WorkloadSpec,
} from '../../../model/index.js';
import { type Warn, int, isObj, literalEnv, perPod, shown, stringMap } from './kubernetes.js';
import { cpuMillicores, memoryBytes } from './quantity.js';

type Obj = Record<string, unknown>;

/** True for the top-level shape of `terraform show -json` (state or plan). */
export function isTerraformShow(doc: unknown): boolean {
  return isObj(doc) && 'format_version' in doc && (isObj(doc.values) || isObj(doc.planned_values));
}

/** Provider blocks are lists of one object in Terraform's JSON; this takes the first. */
function block(v: unknown): Obj {
  if (Array.isArray(v)) return isObj(v[0]) ? v[0] : {};
  return isObj(v) ? v : {};
}

function blocks(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj);
  return isObj(v) ? [v] : [];
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

const WORKLOAD_TYPES: Record<string, string> = {
  kubernetes_deployment: 'Deployment',
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_stateful_set: 'StatefulSet',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_daemonset: 'DaemonSet',
  kubernetes_daemon_set_v1: 'DaemonSet',
};
const HPA_TYPES = new Set([
  'kubernetes_horizontal_pod_autoscaler',
  'kubernetes_horizontal_pod_autoscaler_v1',
  'kubernetes_horizontal_pod_autoscaler_v2',
  'kubernetes_horizontal_pod_autoscaler_v2beta2',
]);
const SERVICE_TYPES = new Set(['kubernetes_service', 'kubernetes_service_v1']);

/** Sizing and identity attributes worth keeping from any other resource (scalars, or lists of strings joined by commas). */
const GENERIC_ATTRIBUTES = [
  'instance_type',
  'instance_class',
  'instance_types',
  'machine_type',
  'node_type',
  'vm_size',
  'sku_name',
  'tier',
  'engine',
  'engine_version',
  'allocated_storage',
  'node_count',
  'initial_node_count',
  'desired_capacity',
  'desired_size',
  'min_size',
  'max_size',
  'min_capacity',
  'max_capacity',
  'replicas',
  'num_cache_nodes',
  'cpu',
  'memory',
  'region',
  'location',
  'availability_zone',
];
/** Nested blocks whose sizing attributes are lifted too (e.g. an EKS node group's scaling_config). */
const GENERIC_BLOCKS = ['scaling_config', 'autoscaling', 'node_config'];
const GENERIC_LABELS = ['labels', 'tags'];

function amounts(v: unknown, where: string, warn: Warn): ResourceAmounts {
  const o = block(v);
  const cpu = o.cpu === undefined || o.cpu === null ? null : cpuMillicores(o.cpu);
  const mem = o.memory === undefined || o.memory === null ? null : memoryBytes(o.memory);
  if (o.cpu != null && cpu === null) warn(`${where}: cpu "${shown(o.cpu)}" is not a quantity`);
  if (o.memory != null && mem === null) warn(`${where}: memory "${shown(o.memory)}" is not a quantity`);
  return { cpuMillicores: cpu, memoryBytes: mem };
}

function workload(kind: string, spec: Obj, ref: string, warn: Warn): WorkloadSpec {
  const template = block(spec.template);
  const containers: ContainerSpec[] = blocks(block(template.spec).container).map((c, i) => {
    const name = str(c.name) ?? `container-${i}`;
    const res = block(c.resources);
    return {
      name,
      image: str(c.image),
      requests: amounts(res.requests, `${ref} container ${name} requests`, warn),
      limits: amounts(res.limits, `${ref} container ${name} limits`, warn),
      env: literalEnv(blocks(c.env)),
    };
  });
  return {
    type: 'workload',
    replicas: kind === 'DaemonSet' ? null : int(spec.replicas),
    selector: stringMap(block(spec.selector).match_labels),
    podLabels: stringMap(block(template.metadata).labels),
    containers,
    perPod: perPod(containers),
  };
}

function metricTarget(name: string, t: Obj): HpaMetric['target'] {
  const out: HpaMetric['target'] = { type: str(t.type) ?? 'Utilization' };
  const util = int(t.average_utilization);
  if (util !== null) out.averageUtilization = util;
  const norm = (v: unknown): number | string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const n = name === 'cpu' ? cpuMillicores(v) : name === 'memory' ? memoryBytes(v) : null;
    return n ?? str(v) ?? undefined;
  };
  const av = norm(t.average_value);
  if (av !== undefined) out.averageValue = av;
  const v = norm(t.value);
  if (v !== undefined) out.value = v;
  return out;
}

function hpa(spec: Obj, ref: string, warn: Warn): HpaSpec {
  const target = block(spec.scale_target_ref);
  const metrics: HpaMetric[] = blocks(spec.metric).map((m) => {
    const type = str(m.type) ?? 'Resource';
    const key = type === 'ContainerResource' ? 'container_resource' : type.toLowerCase();
    const body = block(m[key]);
    const name = str(body.name) ?? str(block(body.metric).name) ?? '';
    return { type, name, target: metricTarget(name, block(body.target)) };
  });
  const cpuPercent = int(spec.target_cpu_utilization_percentage);
  if (cpuPercent !== null)
    metrics.push({ type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: cpuPercent } });
  const maxReplicas = int(spec.max_replicas);
  if (maxReplicas === null) warn(`${ref}: max_replicas is missing or not a number`);
  return {
    type: 'hpa',
    target: {
      kind: str(target.kind) ?? 'Deployment',
      name: str(target.name) ?? '',
      apiVersion: str(target.api_version),
    },
    minReplicas: int(spec.min_replicas) ?? 1,
    maxReplicas,
    metrics,
  };
}

function service(spec: Obj): ServiceSpec {
  return {
    type: 'service',
    serviceType: str(spec.type) ?? 'ClusterIP',
    selector: stringMap(spec.selector),
    ports: blocks(spec.port).map((p) => ({
      name: str(p.name) || null,
      port: int(p.port),
      targetPort:
        typeof p.target_port === 'number' ? p.target_port : (int(p.target_port) ?? (str(p.target_port) || null)),
      protocol: str(p.protocol) ?? 'TCP',
    })),
  };
}

function generic(type: string, values: Obj): { spec: GenericSpec; labels: Record<string, string> } {
  const attributes: GenericSpec['attributes'] = {};
  const lift = (o: Obj, prefix: string) => {
    for (const k of GENERIC_ATTRIBUTES) {
      const v = o[k];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[prefix + k] = v;
      else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string'))
        attributes[prefix + k] = v.join(',');
    }
  };
  lift(values, '');
  for (const b of GENERIC_BLOCKS) if (values[b] !== undefined) lift(block(values[b]), `${b}.`);
  let labels: Record<string, string> = {};
  for (const k of GENERIC_LABELS) if (isObj(values[k])) labels = { ...labels, ...stringMap(values[k]) };
  return { spec: { type: 'generic', resourceType: type, attributes }, labels };
}

function resourceOf(r: Obj, path: string, warn: Warn): InfraResourceInput | null {
  if (r.mode !== undefined && r.mode !== 'managed') return null; // data sources describe, they do not run anything
  const type = str(r.type);
  const address = str(r.address);
  if (!type || !address) return null;
  const values = isObj(r.values) ? r.values : {};
  const ref = `${path}#${address}`;
  const k8sKind =
    WORKLOAD_TYPES[type] ??
    (HPA_TYPES.has(type) ? 'HorizontalPodAutoscaler' : SERVICE_TYPES.has(type) ? 'Service' : null);
  if (k8sKind) {
    const meta = block(values.metadata);
    const spec = block(values.spec);
    const name = str(meta.name) ?? address;
    const at = `${ref} ${k8sKind} ${name}`;
    return {
      kind: k8sKind,
      namespace: str(meta.namespace) ?? '',
      name,
      labels: stringMap(meta.labels),
      spec:
        k8sKind === 'HorizontalPodAutoscaler'
          ? hpa(spec, at, warn)
          : k8sKind === 'Service'
            ? service(spec)
            : workload(k8sKind, spec, at, warn),
      rawRef: ref,
    };
  }
  const g = generic(type, values);
  return { kind: type, namespace: '', name: address, labels: g.labels, spec: g.spec, rawRef: ref };
}

/** Walks values.root_module (or planned_values) and its child_modules, depth first. */
export function fromTerraformShow(doc: Obj, path: string, warn: Warn): InfraResourceInput[] {
  const root = isObj(doc.values)
    ? doc.values.root_module
    : isObj(doc.planned_values)
      ? doc.planned_values.root_module
      : undefined;
  const out: InfraResourceInput[] = [];
  const visit = (mod: unknown, depth: number) => {
    if (!isObj(mod) || depth > 64) return;
    for (const r of Array.isArray(mod.resources) ? mod.resources : []) {
      if (!isObj(r)) continue;
      const res = resourceOf(r, path, warn);
      if (res) out.push(res);
    }
    for (const child of Array.isArray(mod.child_modules) ? mod.child_modules : []) visit(child, depth + 1);
  };
  visit(root, 0);
  return out;
}
