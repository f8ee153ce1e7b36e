// Infrastructure import: parse Kubernetes manifests and `terraform show -json` output, link
// each resource to its service, and replace the source's earlier import, all in one
// transaction (a file that does not parse means nothing is written). Parsed text is made
// storable first: YAML's "\0" and JSON's "\u0000" or "\ud800" escapes become U+FFFD.
import { type InfraFile, linkServices, parseInfraFiles } from '../ingest/sources/infra/index.js';
import { storableValue } from '../ingest/transforms/index.js';
import type { InfraImportResult, InfraResource } from '../model/index.js';
import {
  type InfraFilter,
  knownServiceNames,
  listInfra,
  replaceInfraSource,
  workloadsOutside,
} from '../store/index.js';
import type { Context } from './context.js';
import { redactInfra } from './infra-redaction.js';

export interface ImportInfraOptions {
  files: readonly InfraFile[];
  /** What a later import must name to replace this one; by default the files' common folder (or the one file). */
  source?: string;
}

export class InfraImportInputError extends Error {}

/** The longest folder prefix every path shares, or the path itself for one file. */
export function defaultSource(paths: readonly string[]): string {
  if (paths.length === 1) return paths[0]!;
  const split = paths.map((p) => p.split('/'));
  const common: string[] = [];
  for (let i = 0; i < split[0]!.length - 1; i++) {
    const part = split[0]![i]!;
    if (split.every((s) => i < s.length - 1 && s[i] === part)) common.push(part);
    else break;
  }
  const dir = common.join('/');
  return dir === '' ? (paths[0]!.startsWith('/') ? '/' : '.') : dir;
}

/** Imports the files as one source; with redaction on, labels, tags and attributes go through the redactor (infra-redaction). */
export async function importInfra(
  ctx: Pick<Context, 'store' | 'redactor'>,
  opts: ImportInfraOptions,
): Promise<InfraImportResult> {
  if (opts.files.length === 0) throw new InfraImportInputError('files: give at least one file');
  const parsed = storableValue(parseInfraFiles(opts.files));
  if (ctx.redactor) redactInfra(parsed, ctx.redactor);
  const source = opts.source?.trim() || defaultSource(opts.files.map((f) => f.path));
  const importedAt = new Date();
  return ctx.store.db.transaction(async (tx) => {
    const links = linkServices(parsed.resources, {
      knownServices: await knownServiceNames(tx),
      otherWorkloads: await workloadsOutside(tx, source),
    });
    const writes = parsed.resources.map((r, i) => ({ ...r, ...links[i]! }));
    const replaced = await replaceInfraSource(tx, source, writes, importedAt);
    const imported: Record<string, number> = {};
    for (const r of writes) imported[r.kind] = (imported[r.kind] ?? 0) + 1;
    return {
      source,
      imported,
      replaced,
      resources: writes.map((r) => ({
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        service: r.service,
        link: r.link,
        rawRef: r.rawRef,
      })),
      skipped: parsed.skipped,
      warnings: parsed.warnings,
    };
  });
}

export function listInfraResources(ctx: Pick<Context, 'store'>, filter: InfraFilter = {}): Promise<InfraResource[]> {
  return listInfra(ctx.store.db, filter);
}
