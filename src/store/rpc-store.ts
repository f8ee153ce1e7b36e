// gRPC rpcs of a repository's .proto files and their linked handlers: what the linker needs
// (the rpcs, the implementations found per file and the symbols near them), the links it
// made, and the lookup by rpc name that investigations and the API use.
import type { ExtractedGrpcImpl, LinkFile, LinkSymbol, RpcLink } from '../analysis/index.js';
import type { Queryable } from './db.js';

export interface RpcLinkRow {
  id: number;
  service: string;
  method: string;
}

/** A file as the linker sees it (analysis/code/grpc-link's LinkFile), with mutable lists. */
export interface ImplFileRow extends LinkFile {
  symbols: LinkSymbol[];
  impls: ExtractedGrpcImpl[];
}

export interface RpcLinkInput {
  rpcs: RpcLinkRow[];
  files: ImplFileRow[];
}

/** The rpcs of a repository, and the files the linker may look in: those with a gRPC
 *  implementation, the files beside them, and the files defining a registered handler's name. */
export async function rpcLinkInput(q: Queryable, repositoryId: number): Promise<RpcLinkInput> {
  const rpcs = (
    await q.query<{ id: number; service: string; method: string }>(
      `SELECT p.id, p.service, p.method FROM proto_rpc p JOIN file f ON f.id = p.file_id
       WHERE f.repository_id = $1 ORDER BY p.id`,
      [repositoryId],
    )
  ).map((r) => ({ id: Number(r.id), service: r.service, method: r.method }));
  if (rpcs.length === 0) return { rpcs, files: [] };
  const impls = await q.query<Record<string, unknown>>(
    `SELECT g.file_id, f.path, g.line, g.kind, g.service, g.qualifier, g.type_name, g.method, g.handler
     FROM grpc_impl g JOIN file f ON f.id = g.file_id WHERE f.repository_id = $1 ORDER BY f.path, g.line`,
    [repositoryId],
  );
  if (impls.length === 0) return { rpcs, files: [] };
  const dirs = [...new Set(impls.map((i) => (i.path as string).replace(/[^/]*$/, '')))];
  const handlers = [...new Set(impls.flatMap((i) => (i.handler ? [(i.handler as string).split('.').pop()!] : [])))];
  const fileRows = await q.query<{ id: number; path: string; language: string | null }>(
    `SELECT f.id, f.path, f.language FROM file f
     WHERE f.repository_id = $1 AND f.language IS NOT NULL
       AND (regexp_replace(f.path, '[^/]*$', '') = ANY($2::text[])
            OR EXISTS (SELECT 1 FROM symbol y WHERE y.file_id = f.id AND y.name = ANY($3::text[])))
     ORDER BY f.path`,
    [repositoryId, dirs, handlers],
  );
  const files = new Map<number, ImplFileRow>();
  for (const f of fileRows)
    files.set(Number(f.id), { id: Number(f.id), path: f.path, language: f.language ?? '', symbols: [], impls: [] });
  const symbols = await q.query<Record<string, unknown>>(
    `SELECT id, file_id, name, kind, parent, start_line, end_line FROM symbol
     WHERE file_id = ANY($1::bigint[]) ORDER BY file_id, start_line, id`,
    [[...files.keys()]],
  );
  for (const s of symbols) {
    files.get(Number(s.file_id))?.symbols.push({
      id: Number(s.id),
      name: s.name as string,
      kind: s.kind as string,
      parent: (s.parent as string | null) ?? null,
      startLine: s.start_line as number,
      endLine: s.end_line as number,
    });
  }
  for (const i of impls) {
    files.get(Number(i.file_id))?.impls.push({
      kind: i.kind === 'handler' ? 'handler' : 'type',
      service: i.service as string,
      qualifier: (i.qualifier as string | null) ?? null,
      line: i.line as number,
      typeName: (i.type_name as string | null) ?? null,
      method: (i.method as string | null) ?? null,
      handler: (i.handler as string | null) ?? null,
    });
  }
  return { rpcs, files: [...files.values()] };
}

/** Replaces the handler links of a repository's rpcs (rpcs left out get none). */
export async function saveRpcLinks(q: Queryable, repositoryId: number, links: readonly RpcLink[]): Promise<void> {
  await q.query(
    `UPDATE proto_rpc p SET handler_file_id = NULL, handler_symbol_id = NULL, handler_line = NULL,
       handler_symbol = NULL, linked_by = NULL
     FROM file f WHERE f.id = p.file_id AND f.repository_id = $1`,
    [repositoryId],
  );
  if (links.length === 0) return;
  await q.query(
    `UPDATE proto_rpc p SET handler_file_id = v.file_id, handler_symbol_id = v.symbol_id, handler_line = v.line,
       handler_symbol = v.symbol, linked_by = v.via
     FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, file_id bigint, symbol_id bigint, line int, symbol text, via text)
     WHERE p.id = v.id`,
    [
      JSON.stringify(
        links.map((l) => ({
          id: l.rpcId,
          file_id: l.fileId,
          symbol_id: l.symbolId,
          line: l.line,
          symbol: l.symbol,
          via: l.via,
        })),
      ),
    ],
  );
}

export interface RpcRecord {
  repository: string;
  /** `package.Service`. */
  service: string;
  method: string;
  protoPath: string;
  protoLine: number;
  handler: {
    path: string;
    line: number;
    symbol: string;
    /** The service the handler's file belongs to in the service map, if any. */
    codeService: string | null;
    linkedBy: string;
  } | null;
}

/** Rpcs by service (full `package.Service` or its last part) and method; all when unset. */
export async function findRpcs(
  q: Queryable,
  opts: { service?: string; method?: string; repository?: string; limit: number },
): Promise<RpcRecord[]> {
  const rows = await q.query<Record<string, unknown>>(
    `SELECT r.name AS repository, p.service, p.method, f.path AS proto_path, p.line AS proto_line,
       h.path AS handler_path, p.handler_line, p.handler_symbol, p.linked_by, s.name AS code_service
     FROM proto_rpc p JOIN file f ON f.id = p.file_id JOIN repository r ON r.id = f.repository_id
     LEFT JOIN file h ON h.id = p.handler_file_id LEFT JOIN service s ON s.id = h.service_id
     WHERE ($1::text IS NULL OR p.service = $1 OR p.service LIKE '%.' || $1)
       AND ($2::text IS NULL OR p.method = $2) AND ($3::text IS NULL OR r.name = $3)
     ORDER BY p.service, p.method, r.name LIMIT $4`,
    [opts.service ?? null, opts.method ?? null, opts.repository ?? null, opts.limit],
  );
  return rows.map((r) => ({
    repository: r.repository as string,
    service: r.service as string,
    method: r.method as string,
    protoPath: r.proto_path as string,
    protoLine: r.proto_line as number,
    handler:
      r.handler_path === null || r.handler_path === undefined
        ? null
        : {
            path: r.handler_path as string,
            line: r.handler_line as number,
            symbol: r.handler_symbol as string,
            codeService: (r.code_service as string | null) ?? null,
            linkedBy: r.linked_by as string,
          },
  }));
}
