// Reads a set of infrastructure files: Kubernetes manifests in YAML (several documents per
// file, `List` kinds) or JSON, and `terraform show -json` output. A file that does not
// parse fails the whole set with its path and line, so an import is all or nothing.
import YAML, { LineCounter } from 'yaml';
import { TupleMap } from '../../../analysis/index.js';
import type { InfraResourceInput } from '../../../model/index.js';
import { appendAll, fromManifest, isObj } from './kubernetes.js';
import { fromTerraformShow, isTerraformShow } from './terraform.js';

export interface InfraFile {
  path: string;
  content: string;
}

export interface ParsedInfra {
  resources: InfraResourceInput[];
  skipped: Array<{ ref: string; reason: string }>;
  warnings: string[];
}

export class InfraParseError extends Error {
  constructor(
    readonly path: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(`${path}${line === null ? '' : `:${line}`}: ${detail}`);
  }
}

/** Aliases a document may expand at most: beyond this it is an alias bomb, not a manifest. */
const MAX_ALIASES = 100;

function lineAt(content: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < content.length; i++) if (content.charCodeAt(i) === 10) line++;
  return line;
}

function parseJson(file: InfraFile): unknown {
  try {
    return JSON.parse(file.content);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = /line (\d+)/.exec(msg);
    throw new InfraParseError(
      file.path,
      line ? Number(line[1]) : pos ? lineAt(file.content, Number(pos[1])) : null,
      `invalid JSON: ${msg}`,
    );
  }
}

function fromDocument(doc: unknown, file: InfraFile, ref: string, out: ParsedInfra): void {
  if (doc === null || doc === undefined) return; // an empty document between separators
  const warn = (m: string) => out.warnings.push(m);
  if (isTerraformShow(doc)) {
    appendAll(out.resources, fromTerraformShow(doc as Record<string, unknown>, file.path, warn));
    return;
  }
  const r = fromManifest(doc, ref, warn);
  appendAll(out.resources, r.resources);
  appendAll(out.skipped, r.skipped);
}

function parseYaml(file: InfraFile, out: ParsedInfra): void {
  const lines = new LineCounter();
  const docs = YAML.parseAllDocuments(file.content, { lineCounter: lines });
  for (const d of docs) {
    const err = d.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
      throw new InfraParseError(file.path, pos.line, `invalid YAML: ${err.message.split('\n')[0]}`);
    }
  }
  for (const d of docs) {
    const start = lines.linePos(d.contents?.range[0] ?? d.range[0]).line;
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      throw new InfraParseError(file.path, start, `invalid YAML: ${(err as Error).message}`);
    }
    fromDocument(value, file, `${file.path}:${start}`, out);
  }
}

/** Parses every file; throws InfraParseError for the first one that is not valid YAML or JSON. */
export function parseInfraFiles(files: readonly InfraFile[]): ParsedInfra {
  const out: ParsedInfra = { resources: [], skipped: [], warnings: [] };
  for (const file of files) {
    if (file.content.trim() === '') {
      out.skipped.push({ ref: file.path, reason: 'empty file' });
      continue;
    }
    if (/\.json$/i.test(file.path)) {
      const doc = parseJson(file);
      if (!isObj(doc))
        out.skipped.push({ ref: file.path, reason: 'not a Kubernetes manifest or terraform show -json output' });
      else fromDocument(doc, file, file.path, out);
    } else {
      parseYaml(file, out);
    }
  }
  return { ...out, resources: dedupe(out.resources, out.warnings) };
}

/** One resource per kind, namespace and name: the last file wins, as `kubectl apply` of the set would. */
function dedupe(resources: InfraResourceInput[], warnings: string[]): InfraResourceInput[] {
  const byKey = new TupleMap<[kind: string, namespace: string, name: string], InfraResourceInput>();
  for (const r of resources) {
    const key: [string, string, string] = [r.kind, r.namespace, r.name];
    const prev = byKey.get(key);
    if (prev) {
      warnings.push(
        `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} appears twice (${prev.rawRef} and ${r.rawRef}); kept ${r.rawRef}`,
      );
      byKey.delete(key);
    }
    byKey.set(key, r);
  }
  return [...byKey.values()];
}
