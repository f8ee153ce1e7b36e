// Infrastructure resources read from Kubernetes manifests and `terraform show -json`,
// normalised (CPU in millicores, memory in bytes) and linked to the service they run.

/** Requests or limits of one container, or their sum over a pod. Null where not set. */
export interface ResourceAmounts {
  cpuMillicores: number | null;
  memoryBytes: number | null;
}

export interface ContainerSpec {
  name: string;
  image: string | null;
  requests: ResourceAmounts;
  limits: ResourceAmounts;
  /**
   * Env vars written as literal values (settings such as DB_POOL_SIZE or a timeout), redacted like
   * labels; secret-named vars and values from Secrets or ConfigMaps are never kept. Absent in
   * resources imported before env was read.
   */
  env?: Record<string, string>;
}

/** A Deployment, StatefulSet or DaemonSet. */
export interface WorkloadSpec {
  type: 'workload';
  /** As written; null when unset (Kubernetes then runs 1, or what an HPA decides). DaemonSets have none. */
  replicas: number | null;
  /** spec.selector.matchLabels. */
  selector: Record<string, string>;
  /** spec.template.metadata.labels: what a Service selector matches. */
  podLabels: Record<string, string>;
  containers: ContainerSpec[];
  /** Sums over the containers; null where no container sets the value. */
  perPod: { requests: ResourceAmounts; limits: ResourceAmounts };
}

export interface HpaMetricTarget {
  /** 'Utilization', 'AverageValue' or 'Value'. */
  type: string;
  /** Percent of the request. */
  averageUtilization?: number;
  /** CPU in millicores, memory in bytes, anything else as written. */
  averageValue?: number | string;
  value?: number | string;
}

export interface HpaMetric {
  /** 'Resource', 'ContainerResource', 'Pods', 'Object' or 'External'. */
  type: string;
  /** The resource ('cpu', 'memory') or the metric's name. */
  name: string;
  target: HpaMetricTarget;
}

export interface HpaSpec {
  type: 'hpa';
  target: { kind: string; name: string; apiVersion: string | null };
  /** Kubernetes' default (1) when unset. */
  minReplicas: number;
  maxReplicas: number | null;
  metrics: HpaMetric[];
}

export interface ServicePort {
  name: string | null;
  port: number | null;
  targetPort: number | string | null;
  protocol: string;
}

/** A Kubernetes Service (the network object, not Orrery's service). */
export interface ServiceSpec {
  type: 'service';
  serviceType: string;
  selector: Record<string, string>;
  ports: ServicePort[];
}

/** Any other Terraform resource: its type and a few sizing attributes (never secrets). */
export interface GenericSpec {
  type: 'generic';
  resourceType: string;
  attributes: Record<string, string | number | boolean>;
}

export type InfraSpec = WorkloadSpec | HpaSpec | ServiceSpec | GenericSpec;

/** How a resource was tied to a service, so a person can check or disagree. */
export interface ServiceLink {
  by: 'label' | 'hpa-target' | 'service-selector' | 'name';
  /** e.g. 'label app.kubernetes.io/name=cart' or 'name cart-svc without "-svc"'. */
  detail: string;
  /** The service is known to Orrery (telemetry, deploys or a repository's paths). */
  known: boolean;
}

/** A parsed resource before it is stored. */
export interface InfraResourceInput {
  /** 'Deployment', 'StatefulSet', 'DaemonSet', 'HorizontalPodAutoscaler', 'Service', or a Terraform type. */
  kind: string;
  /** '' when the manifest names none. */
  namespace: string;
  /** The Kubernetes name, or the Terraform address for generic Terraform resources. */
  name: string;
  labels: Record<string, string>;
  spec: InfraSpec;
  /** Where it came from: 'path:line' for a manifest, 'path#address' for Terraform. */
  rawRef: string;
}

export interface InfraResource extends InfraResourceInput {
  id: number;
  /** The import it belongs to; a re-import of the same source replaces its rows. */
  source: string;
  service: string | null;
  link: ServiceLink | null;
  importedAt: string;
}

export interface InfraImportResult {
  source: string;
  /** Resources stored, per kind. */
  imported: Record<string, number>;
  /** Rows of an earlier import of this source that the import replaced. */
  replaced: number;
  resources: Array<Pick<InfraResource, 'kind' | 'namespace' | 'name' | 'service' | 'link' | 'rawRef'>>;
  /** Documents or files that held nothing Orrery reads (other kinds, non-manifests). */
  skipped: Array<{ ref: string; reason: string }>;
  /** Values that could not be read (an unparsable quantity, a duplicate name); the rest was imported. */
  warnings: string[];
}
