// The GitOps executor's edits, on text: an action becomes changes to the Kubernetes manifests
// (Deployment image tag, replicas, container env, the pod template's restart annotation, the
// HorizontalPodAutoscaler's minimum) or to Terraform variables (`<service>_version`,
// `_image_tag`, `_replicas`, `_min_replicas`, `_<env name>` in *.tfvars, the service's dashes as
// underscores). A scalar is replaced where it stands, in its own quoting, so the diff is the
// changed values and nothing else. Every value changed from is checked: a manifest that no
// longer says what the proposal changes from is a problem, not an edit.
import { type Document, isMap, isScalar, isSeq, parseAllDocuments, type Scalar, type YAMLMap } from 'yaml';
import type { ProposalAction } from '../../../model/index.js';

export interface ManifestFile {
  path: string;
  text: string;
}

export interface ManifestEdit {
  path: string;
  before: string;
  after: string;
  changes: Array<{ what: string; from: string | null; to: string | null }>;
}

export interface EditResult {
  edits: ManifestEdit[];
  /** Why the action cannot be written here (a value that is not what it changes from, nothing found). */
  problems: string[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet']);
const NAME_LABELS = ['app', 'app.kubernetes.io/name'];

/** A scalar's replacement in the quoting the original used; env values stay strings. */
function render(original: string, value: string | number): string {
  if (typeof value === 'number') return String(value);
  if (original.startsWith('"')) return JSON.stringify(value);
  if (original.startsWith("'")) return `'${value.replace(/'/g, "''")}'`;
  const plainSafe = /^[A-Za-z_/][\w./:@+-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~)$/i.test(value);
  return plainSafe ? value : JSON.stringify(value);
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

function getStr(doc: Document | YAMLMap, path: readonly (string | number)[]): unknown {
  return (doc as Document).getIn(path);
}

function isWorkloadOf(doc: Document, service: string): boolean {
  if (!WORKLOAD_KINDS.has(String(doc.get('kind')))) return false;
  if (doc.getIn(['metadata', 'name']) === service) return true;
  return NAME_LABELS.some((l) => doc.getIn(['metadata', 'labels', l]) === service);
}

function containerOf(doc: Document, service: string): { node: YAMLMap; index: number } | null {
  const list = doc.getIn(['spec', 'template', 'spec', 'containers'], true);
  if (!isSeq(list)) return null;
  const items = list.items.filter(isMap) as YAMLMap[];
  const idx = items.findIndex((c) => c.get('name') === service);
  const index = idx >= 0 ? idx : 0;
  return items[index] ? { node: items[index], index } : null;
}

/** The image reference split: `registry/name`, the tag (null when none), a digest. */
function splitImage(image: string): { name: string; tag: string | null; digest: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at) : '';
  const ref = at >= 0 ? image.slice(0, at) : image;
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/')
    ? { name: ref.slice(0, colon), tag: ref.slice(colon + 1), digest }
    : { name: ref, tag: null, digest };
}

/** Edits one YAML file for the action; null when the file holds nothing of the service. */
function editYaml(
  file: ManifestFile,
  a: Exclude<ProposalAction, { kind: 'revert' | 'flag' }>,
  service: string,
  proposalId: number,
  problems: string[],
): ManifestEdit | null {
  let docs: Document[];
  try {
    docs = parseAllDocuments(file.text) as Document[];
  } catch {
    return null;
  }
  if (!Array.isArray(docs)) return null;
  const splices: Splice[] = [];
  const changes: ManifestEdit['changes'] = [];
  const replace = (node: unknown, value: string | number, what: string, from: string | null) => {
    const s = node as Scalar;
    const [start, end] = s.range ?? [0, 0];
    const original = file.text.slice(start, end);
    splices.push({ start, end, text: render(original, value) });
    changes.push({ what: `${file.path}: ${what}`, from, to: String(value) });
  };
  const workloads = docs.filter((d) => isWorkloadOf(d, service));
  const workloadNames = workloads.map((d) => String(d.getIn(['metadata', 'name'])));
  const hpas = docs.filter(
    (d) =>
      d.get('kind') === 'HorizontalPodAutoscaler' &&
      workloadNames.includes(String(d.getIn(['spec', 'scaleTargetRef', 'name']))),
  );
  let touched = workloads.length > 0;
  for (const doc of workloads) {
    const c = containerOf(doc, service);
    if (a.kind === 'rollback') {
      const img = c?.node.get('image', true);
      if (!c || !isScalar(img)) {
        problems.push(`${file.path}: the ${service} container has no image`);
        continue;
      }
      const { name, tag, digest } = splitImage(String(img.value));
      const prefix = tag?.startsWith('v') && tag.slice(1) === a.fromVersion ? 'v' : '';
      if (tag === null || (tag !== a.fromVersion && tag !== `v${a.fromVersion}`)) {
        problems.push(
          `${file.path}: the image ${String(img.value)} is not tagged with the running version ${a.fromVersion}, so this repository does not set ${service}'s version`,
        );
        continue;
      }
      if (digest)
        problems.push(`${file.path}: the image is pinned by digest (${digest}); the tag alone cannot roll it back`);
      else replace(img, `${name}:${prefix}${a.toVersion}`, `${service} image`, String(img.value));
    }
    if (a.kind === 'scale' && a.replicas) {
      const node = doc.getIn(['spec', 'replicas'], true);
      if (!isScalar(node)) problems.push(`${file.path}: ${service} sets no spec.replicas to change`);
      else if (a.replicas.from !== null && Number(node.value) !== a.replicas.from)
        problems.push(`${file.path}: ${service} has ${String(node.value)} replicas, not ${a.replicas.from}`);
      else replace(node, a.replicas.to, `${service} spec.replicas`, String(node.value));
    }
    if (a.kind === 'config') {
      const env = c?.node.get('env', true);
      const entry = isSeq(env)
        ? (env.items.filter(isMap) as YAMLMap[]).find((e) => e.get('name') === a.name)
        : undefined;
      const value = entry?.get('value', true);
      if (!entry || !isScalar(value)) {
        problems.push(`${file.path}: ${service}'s container sets no literal ${a.name} to change`);
        continue;
      }
      if (a.from !== null && String(value.value) !== a.from) {
        problems.push(`${file.path}: ${service}'s ${a.name} is ${String(value.value)}, not ${a.from}`);
        continue;
      }
      replace(value, a.to, `${service} env ${a.name}`, String(value.value));
    }
    if (a.kind === 'restart') {
      // What `kubectl rollout restart` does: a changed pod-template annotation rolls every pod.
      const key = 'orrery.dev/restarted-by';
      const value = `proposal-${proposalId}`;
      const ann = doc.getIn(['spec', 'template', 'metadata', 'annotations'], true);
      const existing = isMap(ann) ? ann.get(key, true) : undefined;
      if (isScalar(existing)) replace(existing, value, `${service} pod template ${key}`, String(existing.value));
      else {
        doc.setIn(['spec', 'template', 'metadata', 'annotations', key], value);
        const [start, , end] = doc.range ?? [0, 0, file.text.length];
        splices.push({ start, end, text: doc.toString() });
        changes.push({ what: `${file.path}: ${service} pod template ${key}`, from: null, to: value });
      }
    }
  }
  if (a.kind === 'scale' && a.hpaMin) {
    if (hpas.length === 0 && workloads.length > 0)
      problems.push(`${file.path}: ${service} has no HorizontalPodAutoscaler here`);
    for (const doc of hpas) {
      touched = true;
      const node = doc.getIn(['spec', 'minReplicas'], true);
      const max = Number(getStr(doc, ['spec', 'maxReplicas']));
      if (!isScalar(node)) problems.push(`${file.path}: the HPA of ${service} sets no minReplicas to change`);
      else if (a.hpaMin.from !== null && Number(node.value) !== a.hpaMin.from)
        problems.push(`${file.path}: the HPA's minReplicas is ${String(node.value)}, not ${a.hpaMin.from}`);
      else if (Number.isFinite(max) && a.hpaMin.to > max)
        problems.push(`${file.path}: the HPA's maxReplicas is ${max}, below the minimum ${a.hpaMin.to} asked for`);
      else replace(node, a.hpaMin.to, `${service} HPA minReplicas`, String(node.value));
    }
  }
  if (!touched) return null;
  if (splices.length === 0) return { path: file.path, before: file.text, after: file.text, changes: [] };
  let after = file.text;
  for (const s of [...splices].sort((x, y) => y.start - x.start))
    after = after.slice(0, s.start) + s.text + after.slice(s.end);
  return { path: file.path, before: file.text, after, changes };
}

/** The Terraform variable names an action sets for a service. */
function tfvarNames(a: ProposalAction, service: string): Array<{ name: string; from: string | null; to: string }> {
  const s = service.replace(/-/g, '_');
  if (a.kind === 'rollback')
    return [
      { name: `${s}_version`, from: a.fromVersion, to: a.toVersion },
      { name: `${s}_image_tag`, from: a.fromVersion, to: a.toVersion },
    ];
  if (a.kind === 'scale')
    return [
      ...(a.replicas
        ? [{ name: `${s}_replicas`, from: a.replicas.from?.toString() ?? null, to: String(a.replicas.to) }]
        : []),
      ...(a.hpaMin
        ? [{ name: `${s}_min_replicas`, from: a.hpaMin.from?.toString() ?? null, to: String(a.hpaMin.to) }]
        : []),
    ];
  if (a.kind === 'config') return [{ name: `${s}_${a.name.toLowerCase()}`, from: a.from, to: a.to }];
  return [];
}

function editTfvars(file: ManifestFile, a: ProposalAction, service: string, problems: string[]): ManifestEdit | null {
  const changes: ManifestEdit['changes'] = [];
  let found = false;
  const lines = file.text.split('\n').map((line) => {
    for (const v of tfvarNames(a, service)) {
      const m = new RegExp(`^(\\s*${v.name}\\s*=\\s*)("?)([^"#\\n]*?)("?)(\\s*(?:#.*)?)$`).exec(line);
      if (!m) continue;
      found = true;
      const current = m[3]!.trim();
      const was =
        v.from !== null && a.kind === 'rollback' ? [v.from, `v${v.from}`] : v.from === null ? [current] : [v.from];
      if (!was.includes(current)) {
        problems.push(`${file.path}: ${v.name} is ${current}, not ${v.from}`);
        return line;
      }
      const to = a.kind === 'rollback' && current.startsWith('v') ? `v${v.to}` : v.to;
      changes.push({ what: `${file.path}: ${v.name}`, from: current, to });
      return `${m[1]}${m[2]}${to}${m[4]}${m[5]}`;
    }
    return line;
  });
  if (!found) return null;
  return { path: file.path, before: file.text, after: lines.join('\n'), changes };
}

/** The edits the action makes to these files (Kubernetes YAML and *.tfvars). */
export function editManifests(files: readonly ManifestFile[], a: ProposalAction, proposalId: number): EditResult {
  const problems: string[] = [];
  if (a.kind === 'revert' || a.kind === 'flag')
    return { edits: [], problems: [`a ${a.kind} is not a manifest change`] };
  const services = a.kind === 'restart' ? a.services : [a.service];
  // Several services' edits may land in one file: each edits the text the one before left.
  const current = new Map(files.map((f) => [f.path, f.text]));
  const changed = new Map<string, ManifestEdit['changes']>();
  for (const service of services) {
    let hits = 0;
    const seen = problems.length;
    for (const f of files) {
      const file = { path: f.path, text: current.get(f.path) ?? f.text };
      const e = /\.tfvars$/.test(f.path)
        ? editTfvars(file, a, service, problems)
        : /\.ya?ml$/.test(f.path)
          ? editYaml(file, a, service, proposalId, problems)
          : null;
      if (!e || e.changes.length === 0) continue;
      hits++;
      current.set(f.path, e.after);
      changed.set(f.path, [...(changed.get(f.path) ?? []), ...e.changes]);
    }
    if (hits === 0 && problems.length === seen)
      problems.push(`no Kubernetes manifest or Terraform variable of ${service} was found`);
  }
  const edits = files
    .filter((f) => changed.has(f.path))
    .map((f) => ({ path: f.path, before: f.text, after: current.get(f.path)!, changes: changed.get(f.path)! }));
  return { edits, problems };
}
