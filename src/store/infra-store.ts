// Infrastructure resources: an import replaces every row of its source in one statement
// pair (inside the caller's transaction), and reads by service, kind or source.
import type { InfraResource, InfraResourceInput, ServiceLink, WorkloadSpec } from '../model/index.js';
import type { Queryable, Row } from './db.js';
import { Where } from './where.js';

export interface InfraWrite extends InfraResourceInput {
  service: string | null;
  link: ServiceLink | null;
}

export interface InfraFilter {
  service?: string;
  kind?: string;
  source?: string;
}

function toResource(r: Row): InfraResource {
  return {
    id: Number(r.id),
    source: r.source as string,
    kind: r.kind as string,
    namespace: r.namespace as string,
    name: r.name as string,
    service: (r.service as string | null) ?? null,
    link: (r.link as ServiceLink | null) ?? null,
    labels: (r.labels as Record<string, string>) ?? {},
    spec: r.spec as InfraResource['spec'],
    rawRef: r.raw_ref as string,
    importedAt: (r.imported_at instanceof Date ? r.imported_at : new Date(String(r.imported_at))).toISOString(),
  };
}

const INSERT_CHUNK = 500;

/** Deletes the source's rows and inserts `resources`; returns how many rows were deleted. */
export async function replaceInfraSource(
  tx: Queryable,
  source: string,
  resources: readonly InfraWrite[],
  importedAt: Date,
): Promise<number> {
  const deleted = await tx.query<{ n: number }>(
    'WITH d AS (DELETE FROM infra_resource WHERE source = $1 RETURNING 1) SELECT count(*) AS n FROM d',
    [source],
  );
  for (let i = 0; i < resources.length; i += INSERT_CHUNK) {
    const chunk = resources.slice(i, i + INSERT_CHUNK);
    await tx.query(
      `INSERT INTO infra_resource (source, kind, namespace, name, service, link, labels, spec, raw_ref, imported_at)
       SELECT $1, kind, namespace, name, service, link, labels, spec, raw_ref, $2
         FROM jsonb_to_recordset($3::jsonb)
           AS x(kind text, namespace text, name text, service text, link jsonb, labels jsonb, spec jsonb, raw_ref text)`,
      [
        source,
        importedAt,
        JSON.stringify(
          chunk.map((r) => ({
            kind: r.kind,
            namespace: r.namespace,
            name: r.name,
            service: r.service,
            link: r.link,
            labels: r.labels,
            spec: r.spec,
            raw_ref: r.rawRef,
          })),
        ),
      ],
    );
  }
  return Number(deleted[0]?.n ?? 0);
}

export async function listInfra(q: Queryable, f: InfraFilter = {}): Promise<InfraResource[]> {
  const w = new Where();
  if (f.service !== undefined) w.add('service = ?', f.service);
  if (f.kind !== undefined) w.add('kind = ?', f.kind);
  if (f.source !== undefined) w.add('source = ?', f.source);
  const rows = await q.query(
    `SELECT * FROM infra_resource ${w.sql} ORDER BY service NULLS LAST, kind, namespace, name, source`,
    w.params,
  );
  return rows.map(toResource);
}

/** Workloads stored by imports other than `source`, for linking HPAs and Services across imports. */
export async function workloadsOutside(
  q: Queryable,
  source: string,
): Promise<
  Array<{
    kind: string;
    namespace: string;
    name: string;
    podLabels: Record<string, string>;
    service: string | null;
    link: ServiceLink | null;
  }>
> {
  const rows = await q.query(
    `SELECT kind, namespace, name, spec, service, link FROM infra_resource
      WHERE source <> $1 AND kind IN ('Deployment', 'StatefulSet', 'DaemonSet')`,
    [source],
  );
  return rows.map((r) => ({
    kind: r.kind as string,
    namespace: r.namespace as string,
    name: r.name as string,
    podLabels: (r.spec as WorkloadSpec).podLabels ?? {},
    service: (r.service as string | null) ?? null,
    link: (r.link as ServiceLink | null) ?? null,
  }));
}
