// Ties each infrastructure resource to the service it runs or serves, and says how.
// Order: a label or name that matches a known service; then, for an HPA, its scale target's
// service, and for a Kubernetes Service, the service of the workload its selector matches;
// then a naming label or the resource's name even though no telemetry has named the service
// yet. Names lose kind suffixes ("-deployment", "-svc", "-hpa" …) always, and looser suffixes
// ("-service", "-api" …) only when what remains is a known service, since "cart-api" is
// often the service's real name.
import type { InfraResourceInput, ServiceLink } from '../../../model/index.js';

export interface StoredWorkload {
  kind: string;
  namespace: string;
  name: string;
  podLabels: Record<string, string>;
  service: string | null;
  link: ServiceLink | null;
}

export interface LinkContext {
  /** Service names Orrery knows (telemetry, deploys, repository paths). */
  knownServices: readonly string[];
  /** Workloads from other imports, for HPAs and Services that point outside this one. */
  otherWorkloads?: readonly StoredWorkload[];
}

export interface Linked {
  service: string | null;
  link: ServiceLink | null;
}

/** Labels that name an application, most specific first. */
export const SERVICE_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app',
  'service',
  'component',
  'k8s-app',
];
/** Labels trusted to name the service even when Orrery has not seen it yet. */
const NAMING_LABELS = new Set(['app.kubernetes.io/name', 'app', 'service', 'k8s-app']);
const KIND_SUFFIXES = ['-deployment', '-deploy', '-statefulset', '-sts', '-daemonset', '-hpa', '-autoscaler', '-svc'];
const LOOSE_SUFFIXES = ['-service', '-api', '-server', '-app', '-web'];

function labelValues(labels: Record<string, string>): Array<[string, string]> {
  const lower = new Map(Object.entries(labels).map(([k, v]) => [k.toLowerCase(), [k, v] as [string, string]]));
  return SERVICE_LABELS.flatMap((k) => {
    const hit = lower.get(k);
    return hit?.[1].trim() ? [hit] : [];
  });
}

function stripOne(name: string, suffixes: readonly string[]): string | null {
  for (const s of suffixes) if (name.length > s.length && name.endsWith(s)) return name.slice(0, -s.length);
  return null;
}

export function linkServices(resources: readonly InfraResourceInput[], ctx: LinkContext): Linked[] {
  const known = new Map(ctx.knownServices.map((s) => [s.toLowerCase(), s]));
  const knownName = (v: string) => known.get(v.toLowerCase()) ?? null;

  /** A match against known services by labels, then by name (as is, without a kind suffix, without a loose one). */
  const byKnown = (r: InfraResourceInput, labels: Record<string, string>): Linked | null => {
    for (const [k, v] of labelValues(labels)) {
      const s = knownName(v);
      if (s) return { service: s, link: { by: 'label', detail: `label ${k}=${v}`, known: true } };
    }
    // A Terraform address ends in the resource's own name: module.db.aws_db_instance.orders[0] → orders.
    const name =
      r.spec.type === 'generic'
        ? r.name
            .replace(/\[[^\]]*\]$/, '')
            .split('.')
            .pop()!
        : r.name;
    const plain = knownName(name);
    if (plain) return { service: plain, link: { by: 'name', detail: `name ${name}`, known: true } };
    for (const suffixes of [KIND_SUFFIXES, LOOSE_SUFFIXES]) {
      const stripped = stripOne(name.toLowerCase(), suffixes);
      const s = stripped ? knownName(stripped) : null;
      if (s)
        return {
          service: s,
          link: { by: 'name', detail: `name ${name} without "${name.slice(stripped!.length)}"`, known: true },
        };
    }
    return null;
  };

  /** A naming label, or (for Kubernetes objects) the name without a kind suffix, for a service not seen yet. */
  const byUnknown = (r: InfraResourceInput, labels: Record<string, string>): Linked | null => {
    for (const [k, v] of labelValues(labels)) {
      if (NAMING_LABELS.has(k.toLowerCase()))
        return { service: v, link: { by: 'label', detail: `label ${k}=${v}`, known: false } };
    }
    if (r.spec.type === 'generic') return null; // a Terraform address is not a service name
    const stripped = stripOne(r.name, KIND_SUFFIXES);
    return {
      service: stripped ?? r.name,
      link: {
        by: 'name',
        detail: stripped ? `name ${r.name} without "${r.name.slice(stripped.length)}"` : `name ${r.name}`,
        known: false,
      },
    };
  };

  const own = (r: InfraResourceInput): Linked => {
    const labels = r.spec.type === 'workload' ? { ...r.spec.podLabels, ...r.labels } : r.labels;
    return byKnown(r, labels) ?? byUnknown(r, labels) ?? { service: null, link: null };
  };

  const out: Linked[] = resources.map(() => ({ service: null, link: null }));
  const workloads: StoredWorkload[] = [];
  resources.forEach((r, i) => {
    if (r.spec.type !== 'workload' && r.spec.type !== 'generic') return;
    out[i] = own(r);
    if (r.spec.type === 'workload') {
      workloads.push({ kind: r.kind, namespace: r.namespace, name: r.name, podLabels: r.spec.podLabels, ...out[i]! });
    }
  });
  const candidates = [...workloads, ...(ctx.otherWorkloads ?? [])];

  resources.forEach((r, i) => {
    if (r.spec.type === 'hpa') {
      const t = r.spec.target;
      const target = candidates.find((w) => w.kind === t.kind && w.name === t.name && w.namespace === r.namespace);
      if (target?.service) {
        out[i] = {
          service: target.service,
          link: { by: 'hpa-target', detail: `scaleTargetRef ${t.kind}/${t.name}`, known: target.link?.known ?? false },
        };
        return;
      }
      const viaTarget = t.name ? knownName(t.name) : null;
      if (viaTarget) {
        out[i] = {
          service: viaTarget,
          link: { by: 'hpa-target', detail: `scaleTargetRef ${t.kind}/${t.name} (not imported)`, known: true },
        };
        return;
      }
      out[i] = own(r);
    } else if (r.spec.type === 'service') {
      const sel = Object.entries(r.spec.selector);
      const matches =
        sel.length === 0
          ? []
          : candidates.filter(
              (w) => w.namespace === r.namespace && w.service && sel.every(([k, v]) => w.podLabels[k] === v),
            );
      const services = [...new Set(matches.map((w) => w.service))];
      if (services.length === 1) {
        const w = matches[0]!;
        out[i] = {
          service: w.service,
          link: {
            by: 'service-selector',
            detail: `selector ${sel.map(([k, v]) => `${k}=${v}`).join(',')} matches ${w.kind} ${w.name}`,
            known: w.link?.known ?? false,
          },
        };
        return;
      }
      out[i] = own(r);
    }
  });
  return out;
}
