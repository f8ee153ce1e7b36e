// The code part of the world model: repositories, their service mapping, files with owners,
// symbols, log call sites, route handlers and commits. Bulk rows go in with COPY; a file's
// symbols, call sites and routes are always replaced inside the caller's transaction, so a
// failed sync never leaves half of a file.
import { TupleMap, tupleKey } from '../analysis/index.js';
import type { CommitRecord, FileRecord, RepositoryRecord, RepositorySummary } from '../model/index.js';
import { NULL, int, text } from './copy-text.js';
import type { Queryable } from './db.js';

// The API's shapes of a repository and a file live in model/code-api.ts (the web UI reads them).
export type { FileRecord, RepositoryRecord, RepositorySummary };

export interface ServicePathRecord {
  /** '' for the whole repository, otherwise a folder ending in '/'. */
  pathPrefix: string;
  service: string;
  /** 'given' (by the user) or what it was inferred from, e.g. 'package.json'. */
  source: string;
}

export interface CodeownerRuleRecord {
  line: number;
  pattern: string;
  owners: string[];
}

/** What a sync compares against: the stored state of each file. */
export interface StoredFile {
  id: number;
  path: string;
  blobSha: string | null;
  owners: string[];
  skipped: string | null;
  extractor: string | null;
  serviceId: number | null;
}

export interface SymbolInput {
  name: string;
  kind: string;
  parent?: string | null;
  startLine: number;
  endLine: number;
}

export interface CallsiteInput {
  line: number;
  logger: string;
  level?: string | null;
  template: string;
  raw: string;
  /** The innermost enclosing symbol, `Class.method` for methods; null at top level. */
  symbol?: string | null;
}

export interface RouteInput {
  line: number;
  framework: string;
  method?: string | null;
  path: string;
  handler?: string | null;
  symbol?: string | null;
}

export interface GrpcImplInput {
  line: number;
  kind: string;
  service: string;
  qualifier: string | null;
  typeName: string | null;
  method: string | null;
  handler: string | null;
}

export interface ProtoRpcInput {
  service: string;
  method: string;
  line: number;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

/** One file to write: `id` null inserts it, otherwise its row and extraction are replaced. */
export interface FileWrite {
  id: number | null;
  path: string;
  language: string | null;
  blobSha: string;
  lines: number | null;
  owners: string[];
  serviceId: number | null;
  skipped: string | null;
  extractor: string | null;
  symbols: readonly SymbolInput[];
  callsites: readonly CallsiteInput[];
  routes: readonly RouteInput[];
  /** gRPC service implementations found in the file. */
  grpc?: readonly GrpcImplInput[];
  /** The rpcs of a .proto file. */
  rpcs?: readonly ProtoRpcInput[];
}

export interface CommitInput {
  sha: string;
  parents: string[];
  authorName: string;
  /** A stable hash of the lower-cased email; the clear email is never stored. */
  authorEmailHash: string | null;
  authoredAt: Date;
  committedAt: Date;
  message: string;
  files: ReadonlyArray<{ path: string; additions: number | null; deletions: number | null }>;
}

// ---- COPY helpers ----

/** A text[] value in COPY text format: an array literal with every element quoted. */
function textArray(values: readonly string[]): string {
  const lit = `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
  return text(lit);
}

function row(fields: string[]): string {
  return `${fields.join('\t')}\n`;
}

function time(d: Date): string {
  return Number.isNaN(d.getTime()) ? NULL : d.toISOString();
}

/** Ids from a bigserial's sequence, taken ahead so that rows can be COPYed with their ids. */
async function takeIds(q: Queryable, table: 'file' | 'symbol', n: number): Promise<number[]> {
  if (n === 0) return [];
  const rows = await q.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('${table}', 'id')) AS id FROM generate_series(1, $1::int)`,
    [n],
  );
  return rows.map((r) => Number(r.id));
}

// ---- repositories ----

function toRepository(r: Record<string, unknown>): RepositoryRecord {
  return {
    id: Number(r.id),
    name: r.name as string,
    path: r.path as string,
    defaultBranch: (r.default_branch as string | null) ?? null,
    headSha: (r.head_sha as string | null) ?? null,
    syncedAt: (r.synced_at as Date | null) ?? null,
  };
}

/** By name, or by id when `idOrName` is all digits. */
/** The largest id a bigint column holds: a longer run of digits can only be a name. */
const MAX_BIGINT = 2n ** 63n - 1n;

export async function findRepository(q: Queryable, idOrName: string | number): Promise<RepositoryRecord | null> {
  const byId = typeof idOrName === 'number' || (/^\d+$/.test(idOrName) && BigInt(idOrName) <= MAX_BIGINT);
  const rows = await q.query(`SELECT * FROM repository WHERE ${byId ? 'id = $1::bigint' : 'name = $1'}`, [
    String(idOrName),
  ]);
  return rows[0] ? toRepository(rows[0]) : null;
}

export async function findRepositoryByPath(q: Queryable, path: string): Promise<RepositoryRecord | null> {
  const rows = await q.query('SELECT * FROM repository WHERE path = $1', [path]);
  return rows[0] ? toRepository(rows[0]) : null;
}

export async function insertRepository(
  q: Queryable,
  r: { name: string; path: string; defaultBranch: string | null },
): Promise<RepositoryRecord> {
  const rows = await q.query('INSERT INTO repository (name, path, default_branch) VALUES ($1, $2, $3) RETURNING *', [
    r.name,
    r.path,
    r.defaultBranch,
  ]);
  return toRepository(rows[0]!);
}

export async function markSynced(
  q: Queryable,
  id: number,
  s: { headSha: string; defaultBranch: string | null },
): Promise<RepositoryRecord> {
  const rows = await q.query(
    'UPDATE repository SET head_sha = $2, default_branch = COALESCE($3, default_branch), synced_at = now() WHERE id = $1 RETURNING *',
    [id, s.headSha, s.defaultBranch],
  );
  return toRepository(rows[0]!);
}

export async function listRepositories(q: Queryable): Promise<RepositorySummary[]> {
  const rows = await q.query(
    `SELECT r.*,
       (SELECT count(*) FROM file f WHERE f.repository_id = r.id) AS files,
       (SELECT count(*) FROM commit c WHERE c.repository_id = r.id) AS commits,
       (SELECT count(*) FROM symbol s JOIN file f ON f.id = s.file_id WHERE f.repository_id = r.id) AS symbols,
       ARRAY(SELECT DISTINCT sp.service FROM service_path sp WHERE sp.repository_id = r.id ORDER BY 1) AS services
     FROM repository r ORDER BY r.name`,
  );
  return rows.map((r) => ({
    ...toRepository(r),
    files: Number(r.files),
    commits: Number(r.commits),
    symbols: Number(r.symbols),
    services: (r.services as string[]) ?? [],
  }));
}

// ---- service mapping ----

export async function getServicePaths(q: Queryable, repositoryId: number): Promise<ServicePathRecord[]> {
  const rows = await q.query<{ path_prefix: string; service: string; source: string }>(
    'SELECT path_prefix, service, source FROM service_path WHERE repository_id = $1 ORDER BY path_prefix',
    [repositoryId],
  );
  return rows.map((r) => ({ pathPrefix: r.path_prefix, service: r.service, source: r.source }));
}

function samePaths(a: readonly ServicePathRecord[], b: readonly ServicePathRecord[]): boolean {
  const key = (p: ServicePathRecord) => tupleKey([p.pathPrefix, p.service, p.source]);
  const sa = a.map(key).sort();
  const sb = b.map(key).sort();
  return sa.length === sb.length && sa.every((k, i) => k === sb[i]);
}

/** Replaces a repository's service mapping; returns whether it changed. */
export async function replaceServicePaths(
  q: Queryable,
  repositoryId: number,
  paths: readonly ServicePathRecord[],
): Promise<boolean> {
  const before = await getServicePaths(q, repositoryId);
  if (samePaths(before, paths)) return false;
  await q.query('DELETE FROM service_path WHERE repository_id = $1', [repositoryId]);
  if (paths.length) {
    await q.query(
      `INSERT INTO service_path (repository_id, path_prefix, service, source)
       SELECT $1, p, s, src FROM unnest($2::text[], $3::text[], $4::text[]) AS v(p, s, src)
       ON CONFLICT (repository_id, path_prefix) DO UPDATE SET service = EXCLUDED.service, source = EXCLUDED.source`,
      [repositoryId, paths.map((p) => p.pathPrefix), paths.map((p) => p.service), paths.map((p) => p.source)],
    );
  }
  return true;
}

/**
 * The ids of `service` rows (namespace '') by name, creating the missing ones; a service
 * seen before only in telemetry gets linked to this repository.
 */
export async function ensureServices(
  q: Queryable,
  repositoryId: number,
  names: readonly string[],
): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  const rows = await q.query<{ id: number; name: string }>(
    `INSERT INTO service (namespace, name, repository_id)
     SELECT '', s, $1 FROM unnest($2::text[]) AS v(s)
     ON CONFLICT (namespace, name) DO UPDATE SET repository_id = COALESCE(service.repository_id, EXCLUDED.repository_id)
     RETURNING id, name`,
    [repositoryId, unique],
  );
  return new Map(rows.map((r) => [r.name, Number(r.id)]));
}

/** Moves files to another service (after the mapping changed). */
export async function updateServiceIds(
  q: Queryable,
  updates: ReadonlyArray<{ id: number; serviceId: number | null }>,
): Promise<void> {
  if (updates.length === 0) return;
  await q.query(
    'UPDATE file SET service_id = v.s FROM unnest($1::bigint[], $2::bigint[]) AS v(id, s) WHERE file.id = v.id',
    [updates.map((u) => u.id), updates.map((u) => u.serviceId)],
  );
}

// ---- CODEOWNERS ----

export async function getCodeownerRules(q: Queryable, repositoryId: number): Promise<CodeownerRuleRecord[]> {
  const rows = await q.query<{ line: number; pattern: string; owners: string[] }>(
    'SELECT line, pattern, owners FROM codeowner_rule WHERE repository_id = $1 ORDER BY line',
    [repositoryId],
  );
  return rows.map((r) => ({ line: r.line, pattern: r.pattern, owners: r.owners }));
}

/** Replaces the rules; returns whether they changed. */
export async function replaceCodeownerRules(
  q: Queryable,
  repositoryId: number,
  rules: readonly CodeownerRuleRecord[],
): Promise<boolean> {
  const before = await getCodeownerRules(q, repositoryId);
  const key = (r: readonly CodeownerRuleRecord[]) => JSON.stringify(r.map((x) => [x.line, x.pattern, x.owners]));
  if (key(before) === key(rules)) return false;
  await q.query('DELETE FROM codeowner_rule WHERE repository_id = $1', [repositoryId]);
  await q.copyFrom(
    'codeowner_rule',
    ['repository_id', 'line', 'pattern', 'owners'],
    rules.map((r) => row([int(repositoryId), int(r.line), text(r.pattern), textArray(r.owners)])).join(''),
  );
  return true;
}

/** Sets the owners of files whose CODEOWNERS resolution changed. */
export async function updateOwners(
  q: Queryable,
  updates: ReadonlyArray<{ id: number; owners: string[] }>,
): Promise<void> {
  if (updates.length === 0) return;
  await q.query(
    `UPDATE file f SET owners = ARRAY(SELECT jsonb_array_elements_text(v.owners))
     FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, owners jsonb) WHERE f.id = v.id`,
    [JSON.stringify(updates)],
  );
}

// ---- files and what was extracted from them ----

export async function getStoredFiles(q: Queryable, repositoryId: number): Promise<StoredFile[]> {
  const rows = await q.query<{
    id: number;
    path: string;
    blob_sha: string | null;
    owners: string[];
    skipped: string | null;
    extractor: string | null;
    service_id: number | null;
  }>('SELECT id, path, blob_sha, owners, skipped, extractor, service_id FROM file WHERE repository_id = $1', [
    repositoryId,
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    path: r.path,
    blobSha: r.blob_sha,
    owners: r.owners ?? [],
    skipped: r.skipped,
    extractor: r.extractor,
    serviceId: r.service_id === null ? null : Number(r.service_id),
  }));
}

/** Deletes files and (by cascade) their symbols, call sites and routes. */
export async function deleteFiles(q: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length) await q.query('DELETE FROM file WHERE id = ANY($1::bigint[])', [ids]);
}

type SymbolKey = [kind: string, parent: string, name: string];

const symbolKey = (s: { kind: string; parent?: string | null; name: string }): SymbolKey => [
  s.kind,
  s.parent ?? '',
  s.name,
];

interface PlacedSymbol {
  id: number;
  name: string;
  qualified: string;
  startLine: number;
  endLine: number;
}

/**
 * The symbol a call site or route belongs to: the extraction names it (`Class.method`), and
 * among symbols of that name the innermost one containing the line wins (overloads, nested
 * functions of the same name).
 */
function resolveSymbol(symbols: readonly PlacedSymbol[], name: string | null | undefined, line: number): number | null {
  if (!name) return null;
  let best: PlacedSymbol | null = null;
  let fallback: PlacedSymbol | null = null;
  for (const s of symbols) {
    if (s.qualified !== name && s.name !== name && !s.qualified.endsWith(`.${name}`)) continue;
    fallback ??= s;
    if (s.startLine <= line && line <= s.endLine && (!best || s.endLine - s.startLine < best.endLine - best.startLine))
      best = s;
  }
  return (best ?? fallback)?.id ?? null;
}

/**
 * The symbol a route runs: its named handler when that is defined in the same file (exactly,
 * or by its last name segment when only one symbol has it: `s.Charge` → `Server.Charge`),
 * otherwise the symbol the registration sits in.
 */
function resolveHandler(symbols: readonly PlacedSymbol[], r: RouteInput): number | null {
  if (r.handler) {
    const exact = symbols.filter(
      (s) => s.qualified === r.handler || (s.name === r.handler && !r.handler.includes('.')),
    );
    if (exact.length === 1) return exact[0]!.id;
    const last = r.handler.slice(r.handler.lastIndexOf('.') + 1);
    const byLast = symbols.filter((s) => s.name === last);
    if (exact.length === 0 && byLast.length === 1) return byLast[0]!.id;
  }
  return resolveSymbol(symbols, r.symbol, r.line);
}

export interface WriteFilesResult {
  /** Ids of the written files, in input order. */
  ids: number[];
  symbols: number;
  callsites: number;
  routes: number;
}

/**
 * Inserts new files and replaces changed ones with their symbols, call sites and routes. Run
 * it inside a transaction: the rows of one file are all written or none are.
 *
 * Call sites link to their enclosing symbol, routes to their handler (see resolveHandler).
 * A changed file keeps the ids of symbols that are still there (same kind, parent and name,
 * matched in order), with their new line ranges, so that links to them from endpoints and
 * log patterns survive a re-parse; symbols that are gone are deleted, new ones inserted.
 */
export async function writeFiles(
  q: Queryable,
  repositoryId: number,
  files: readonly FileWrite[],
): Promise<WriteFilesResult> {
  const result: WriteFilesResult = { ids: [], symbols: 0, callsites: 0, routes: 0 };
  if (files.length === 0) return result;
  const fresh = files.filter((f) => f.id === null);
  const changed = files.filter((f) => f.id !== null);

  // Files: COPY the new ones with ids taken ahead, update the changed ones in one statement.
  const newIds = await takeIds(q, 'file', fresh.length);
  const idOf = new Map<FileWrite, number>();
  for (const [i, f] of fresh.entries()) idOf.set(f, newIds[i]!);
  for (const f of changed) idOf.set(f, f.id!);
  await q.copyFrom(
    'file',
    ['id', 'repository_id', 'path', 'language', 'blob_sha', 'lines', 'owners', 'service_id', 'skipped', 'extractor'],
    fresh
      .map((f) =>
        row([
          int(idOf.get(f)),
          int(repositoryId),
          text(f.path),
          text(f.language),
          text(f.blobSha),
          int(f.lines),
          textArray(f.owners),
          int(f.serviceId),
          text(f.skipped),
          text(f.extractor),
        ]),
      )
      .join(''),
  );
  const changedIds = changed.map((f) => f.id!);
  // Old symbols of changed files, to keep the ids of those still there.
  const oldByFile = new Map<number, TupleMap<SymbolKey, Array<{ id: number; start: number; end: number }>>>();
  if (changed.length) {
    await q.query(
      `UPDATE file f SET language = v.language, blob_sha = v.blob_sha, lines = v.lines,
         owners = ARRAY(SELECT jsonb_array_elements_text(v.owners)), service_id = v.service_id, skipped = v.skipped, extractor = v.extractor
       FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, language text, blob_sha text, lines int, owners jsonb, service_id bigint, skipped text, extractor text)
       WHERE f.id = v.id`,
      [
        JSON.stringify(
          changed.map((f) => ({
            id: f.id,
            language: f.language,
            blob_sha: f.blobSha,
            lines: f.lines,
            owners: f.owners,
            service_id: f.serviceId,
            skipped: f.skipped,
            extractor: f.extractor,
          })),
        ),
      ],
    );
    await q.query('DELETE FROM log_callsite WHERE file_id = ANY($1::bigint[])', [changedIds]);
    await q.query('DELETE FROM route_handler WHERE file_id = ANY($1::bigint[])', [changedIds]);
    await q.query('DELETE FROM grpc_impl WHERE file_id = ANY($1::bigint[])', [changedIds]);
    await q.query('DELETE FROM proto_rpc WHERE file_id = ANY($1::bigint[])', [changedIds]);
    const old = await q.query<{
      id: number;
      file_id: number;
      name: string;
      kind: string;
      parent: string | null;
      start_line: number;
      end_line: number;
    }>(
      'SELECT id, file_id, name, kind, parent, start_line, end_line FROM symbol WHERE file_id = ANY($1::bigint[]) ORDER BY id',
      [changedIds],
    );
    for (const s of old) {
      const fileId = Number(s.file_id);
      let byKey = oldByFile.get(fileId);
      if (!byKey) {
        byKey = new TupleMap();
        oldByFile.set(fileId, byKey);
      }
      byKey.upsert(symbolKey(s), () => []).push({ id: Number(s.id), start: s.start_line, end: s.end_line });
    }
  }

  // Symbols: match kept ones, then take ids for the rest.
  const placed = new Map<FileWrite, PlacedSymbol[]>();
  const toInsert: Array<{ file: FileWrite; sym: SymbolInput; slot: PlacedSymbol }> = [];
  const moved: Array<{ id: number; start: number; end: number }> = [];
  for (const f of files) {
    const pool = f.id === null ? undefined : oldByFile.get(f.id);
    const list: PlacedSymbol[] = [];
    for (const sym of f.symbols) {
      const qualified = sym.parent ? `${sym.parent}.${sym.name}` : sym.name;
      const slot: PlacedSymbol = { id: 0, name: sym.name, qualified, startLine: sym.startLine, endLine: sym.endLine };
      const kept = pool?.get(symbolKey(sym))?.shift();
      if (kept) {
        slot.id = kept.id;
        if (kept.start !== sym.startLine || kept.end !== sym.endLine)
          moved.push({ id: kept.id, start: sym.startLine, end: sym.endLine });
      } else {
        toInsert.push({ file: f, sym, slot });
      }
      list.push(slot);
    }
    placed.set(f, list);
  }
  const gone = [...oldByFile.values()].flatMap((byKey) => [...byKey.values()].flat().map((s) => s.id));
  if (gone.length) await q.query('DELETE FROM symbol WHERE id = ANY($1::bigint[])', [gone]);
  if (moved.length) {
    await q.query(
      `UPDATE symbol SET start_line = v.s, end_line = v.e
       FROM unnest($1::bigint[], $2::int[], $3::int[]) AS v(id, s, e) WHERE symbol.id = v.id`,
      [moved.map((m) => m.id), moved.map((m) => m.start), moved.map((m) => m.end)],
    );
  }
  const symbolIds = await takeIds(q, 'symbol', toInsert.length);
  for (const [i, t] of toInsert.entries()) t.slot.id = symbolIds[i]!;
  await q.copyFrom(
    'symbol',
    ['id', 'file_id', 'name', 'kind', 'parent', 'start_line', 'end_line'],
    toInsert
      .map((t) =>
        row([
          int(t.slot.id),
          int(idOf.get(t.file)),
          text(t.sym.name),
          text(t.sym.kind),
          text(t.sym.parent ?? null),
          int(t.sym.startLine),
          int(t.sym.endLine),
        ]),
      )
      .join(''),
  );

  // Call sites and routes, linked to their enclosing symbols.
  let callsites = '';
  let routes = '';
  let grpc = '';
  let rpcs = '';
  for (const f of files) {
    const fileId = int(idOf.get(f));
    for (const g of f.grpc ?? []) {
      grpc += row([
        fileId,
        int(g.line),
        text(g.kind),
        text(g.service),
        text(g.qualifier),
        text(g.typeName),
        text(g.method),
        text(g.handler),
      ]);
    }
    for (const r of f.rpcs ?? []) {
      rpcs += row([
        fileId,
        text(r.service),
        text(r.method),
        int(r.line),
        r.clientStreaming ? 't' : 'f',
        r.serverStreaming ? 't' : 'f',
      ]);
    }
    const syms = placed.get(f)!;
    for (const c of f.callsites) {
      callsites += row([
        fileId,
        int(resolveSymbol(syms, c.symbol, c.line)),
        int(c.line),
        text(c.logger),
        text(c.level ?? null),
        text(c.template),
        text(c.raw),
      ]);
    }
    for (const r of f.routes) {
      routes += row([
        fileId,
        int(resolveHandler(syms, r)),
        int(r.line),
        text(r.framework),
        text(r.method ?? null),
        text(r.path),
        text(r.handler ?? null),
      ]);
    }
    result.symbols += f.symbols.length;
    result.callsites += f.callsites.length;
    result.routes += f.routes.length;
    result.ids.push(idOf.get(f)!);
  }
  await q.copyFrom('log_callsite', ['file_id', 'symbol_id', 'line', 'logger', 'level', 'template', 'raw'], callsites);
  await q.copyFrom('route_handler', ['file_id', 'symbol_id', 'line', 'framework', 'method', 'path', 'handler'], routes);
  if (grpc)
    await q.copyFrom(
      'grpc_impl',
      ['file_id', 'line', 'kind', 'service', 'qualifier', 'type_name', 'method', 'handler'],
      grpc,
    );
  if (rpcs)
    await q.copyFrom(
      'proto_rpc',
      ['file_id', 'service', 'method', 'line', 'client_streaming', 'server_streaming'],
      rpcs,
    );
  return result;
}

// ---- commits ----

/** Writes commits not stored yet (a resumed sync may meet some again); returns how many were new. */
export async function writeCommits(
  q: Queryable,
  repositoryId: number,
  commits: readonly CommitInput[],
): Promise<number> {
  if (commits.length === 0) return 0;
  const existing = new Set(
    (
      await q.query<{ sha: string }>('SELECT sha FROM commit WHERE repository_id = $1 AND sha = ANY($2::text[])', [
        repositoryId,
        commits.map((c) => c.sha),
      ])
    ).map((r) => r.sha),
  );
  const seen = new Set<string>();
  let commitRows = '';
  let fileRows = '';
  const repo = int(repositoryId);
  for (const c of commits) {
    if (existing.has(c.sha) || seen.has(c.sha)) continue;
    seen.add(c.sha);
    commitRows += row([
      repo,
      text(c.sha),
      text(c.authorName),
      text(c.authorEmailHash),
      time(c.authoredAt),
      time(c.committedAt),
      text(c.message),
      textArray(c.parents),
    ]);
    // A path can be listed twice in one commit (a type change is a delete and an add).
    const byPath = new Map<string, { additions: number | null; deletions: number | null }>();
    for (const f of c.files) {
      const prev = byPath.get(f.path);
      if (!prev) byPath.set(f.path, { additions: f.additions, deletions: f.deletions });
      else {
        prev.additions = prev.additions === null || f.additions === null ? null : prev.additions + f.additions;
        prev.deletions = prev.deletions === null || f.deletions === null ? null : prev.deletions + f.deletions;
      }
    }
    for (const [path, f] of byPath)
      fileRows += row([repo, text(c.sha), text(path), int(f.additions), int(f.deletions)]);
  }
  await q.copyFrom(
    'commit',
    ['repository_id', 'sha', 'author_name', 'author_email_hash', 'authored_at', 'committed_at', 'message', 'parents'],
    commitRows,
  );
  await q.copyFrom('commit_file', ['repository_id', 'sha', 'path', 'additions', 'deletions'], fileRows);
  return seen.size;
}

// ---- queries for the API ----

export async function listFiles(
  q: Queryable,
  repositoryId: number,
  opts: { pathPrefix?: string; limit: number },
): Promise<FileRecord[]> {
  const rows = await q.query(
    `SELECT f.id, r.name AS repository, f.path, f.language, f.lines, f.owners, s.name AS service, f.skipped,
       (SELECT count(*) FROM symbol y WHERE y.file_id = f.id) AS symbols
     FROM file f JOIN repository r ON r.id = f.repository_id LEFT JOIN service s ON s.id = f.service_id
     WHERE f.repository_id = $1 AND starts_with(f.path, $2)
     ORDER BY f.path LIMIT $3`,
    [repositoryId, opts.pathPrefix ?? '', opts.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    repository: r.repository as string,
    path: r.path as string,
    language: (r.language as string | null) ?? null,
    lines: (r.lines as number | null) ?? null,
    owners: (r.owners as string[]) ?? [],
    service: (r.service as string | null) ?? null,
    skipped: (r.skipped as string | null) ?? null,
    symbols: Number(r.symbols),
  }));
}

export interface SymbolRecord {
  id: number;
  repository: string;
  path: string;
  name: string;
  kind: string;
  parent: string | null;
  startLine: number;
  endLine: number;
  service: string | null;
}

/** `*` in a name matches any characters; otherwise names match exactly (also as `Parent.name`). */
function likePattern(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}

export async function findSymbols(
  q: Queryable,
  opts: { name: string; repository?: string; path?: string; limit: number },
): Promise<SymbolRecord[]> {
  const rows = await q.query(
    `SELECT y.id, r.name AS repository, f.path, y.name, y.kind, y.parent, y.start_line, y.end_line, s.name AS service
     FROM symbol y JOIN file f ON f.id = y.file_id JOIN repository r ON r.id = f.repository_id
       LEFT JOIN service s ON s.id = f.service_id
     WHERE (y.name LIKE $1 OR (y.parent IS NOT NULL AND y.parent || '.' || y.name LIKE $1))
       AND ($2::text IS NULL OR r.name = $2) AND ($3::text IS NULL OR starts_with(f.path, $3))
     ORDER BY r.name, f.path, y.start_line LIMIT $4`,
    [likePattern(opts.name), opts.repository ?? null, opts.path ?? null, opts.limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    repository: r.repository as string,
    path: r.path as string,
    name: r.name as string,
    kind: r.kind as string,
    parent: (r.parent as string | null) ?? null,
    startLine: r.start_line as number,
    endLine: r.end_line as number,
    service: (r.service as string | null) ?? null,
  }));
}

/** Where an extracted call site or route sits, and the symbol around it. */
interface Located {
  id: number;
  repository: string;
  path: string;
  line: number;
  service: string | null;
  symbol: { id: number; name: string; parent: string | null; startLine: number; endLine: number } | null;
}

export interface RouteRecord extends Located {
  framework: string;
  method: string | null;
  routePath: string;
  handler: string | null;
}

export interface CallsiteRecord extends Located {
  logger: string;
  level: string | null;
  template: string;
  raw: string;
}

function located(r: Record<string, unknown>): Located {
  return {
    id: Number(r.id),
    repository: r.repository as string,
    path: r.path as string,
    line: r.line as number,
    service: (r.service as string | null) ?? null,
    symbol:
      r.symbol_id === null || r.symbol_id === undefined
        ? null
        : {
            id: Number(r.symbol_id),
            name: r.symbol_name as string,
            parent: (r.symbol_parent as string | null) ?? null,
            startLine: r.symbol_start as number,
            endLine: r.symbol_end as number,
          },
  };
}

const LOCATED_COLUMNS = `x.id, r.name AS repository, f.path, x.line, s.name AS service, x.symbol_id,
  y.name AS symbol_name, y.parent AS symbol_parent, y.start_line AS symbol_start, y.end_line AS symbol_end`;
const LOCATED_JOINS = `JOIN file f ON f.id = x.file_id JOIN repository r ON r.id = f.repository_id
  LEFT JOIN service s ON s.id = f.service_id LEFT JOIN symbol y ON y.id = x.symbol_id`;

/** Routes whose declared path contains `path` (case-insensitive); all routes without it. */
export async function findRoutes(
  q: Queryable,
  opts: { path?: string; method?: string; repository?: string; limit: number },
): Promise<RouteRecord[]> {
  const rows = await q.query(
    `SELECT ${LOCATED_COLUMNS}, x.framework, x.method, x.path AS route_path, x.handler
     FROM route_handler x ${LOCATED_JOINS}
     WHERE ($1::text IS NULL OR x.path ILIKE '%' || $1 || '%') AND ($2::text IS NULL OR x.method = upper($2) OR x.method IS NULL)
       AND ($3::text IS NULL OR r.name = $3)
     ORDER BY x.path, x.method, r.name, f.path, x.line LIMIT $4`,
    [opts.path === undefined ? null : likePattern(opts.path), opts.method ?? null, opts.repository ?? null, opts.limit],
  );
  return rows.map((r) => ({
    ...located(r),
    framework: r.framework as string,
    method: (r.method as string | null) ?? null,
    routePath: r.route_path as string,
    handler: (r.handler as string | null) ?? null,
  }));
}

/** Call sites whose template contains `text` (case-insensitive). */
export async function findCallsites(
  q: Queryable,
  opts: { text?: string; repository?: string; limit: number },
): Promise<CallsiteRecord[]> {
  const rows = await q.query(
    `SELECT ${LOCATED_COLUMNS}, x.logger, x.level, x.template, x.raw
     FROM log_callsite x ${LOCATED_JOINS}
     WHERE ($1::text IS NULL OR x.template ILIKE '%' || $1 || '%') AND ($2::text IS NULL OR r.name = $2)
     ORDER BY r.name, f.path, x.line LIMIT $3`,
    [opts.text === undefined ? null : likePattern(opts.text), opts.repository ?? null, opts.limit],
  );
  return rows.map((r) => ({
    ...located(r),
    logger: r.logger as string,
    level: (r.level as string | null) ?? null,
    template: r.template as string,
    raw: r.raw as string,
  }));
}

// The shape is the API's (model/code-api.ts); re-exported for the store's callers.
export type { CommitRecord } from '../model/index.js';

const COMMIT_FILES = `COALESCE((SELECT jsonb_agg(jsonb_build_object('path', cf.path, 'additions', cf.additions, 'deletions', cf.deletions) ORDER BY cf.path)
                FROM commit_file cf WHERE cf.repository_id = c.repository_id AND cf.sha = c.sha), '[]'::jsonb) AS files`;

/** Newest first; with `path`, only commits that changed that file (or a file under that folder). */
export async function listCommits(
  q: Queryable,
  repositoryId: number,
  opts: { path?: string; limit: number },
): Promise<CommitRecord[]> {
  const rows = await q.query(
    `SELECT c.*, ${COMMIT_FILES}
     FROM commit c
     WHERE c.repository_id = $1 AND ($2::text IS NULL OR EXISTS (
       SELECT 1 FROM commit_file cf WHERE cf.repository_id = c.repository_id AND cf.sha = c.sha AND (cf.path = $2 OR starts_with(cf.path, rtrim($2, '/') || '/'))))
     ORDER BY c.committed_at DESC, c.authored_at DESC LIMIT $3`,
    [repositoryId, opts.path ?? null, opts.limit],
  );
  return rows.map(commitRecord);
}

/** One indexed commit by its full sha or a unique prefix (4+ hex digits); null when none or several match. */
export async function findCommit(q: Queryable, repositoryId: number, sha: string): Promise<CommitRecord | null> {
  const rows = await q.query(
    `SELECT c.*, ${COMMIT_FILES} FROM commit c WHERE c.repository_id = $1 AND starts_with(c.sha, $2) LIMIT 2`,
    [repositoryId, sha.toLowerCase()],
  );
  return rows.length === 1 ? commitRecord(rows[0] as Record<string, unknown>) : null;
}

function commitRecord(r: Record<string, unknown>): CommitRecord {
  return {
    sha: r.sha as string,
    parents: (r.parents as string[]) ?? [],
    authorName: (r.author_name as string | null) ?? null,
    authorEmailHash: (r.author_email_hash as string | null) ?? null,
    authoredAt: r.authored_at as Date,
    committedAt: (r.committed_at as Date | null) ?? null,
    message: r.message as string,
    files: (typeof r.files === 'string' ? JSON.parse(r.files) : r.files) as CommitRecord['files'],
  };
}

// ---- queries for investigations ----

export interface IndexedFile {
  id: number;
  repository: string;
  path: string;
  owners: string[];
  service: string | null;
}

function indexedFile(r: Record<string, unknown>): IndexedFile {
  return {
    id: Number(r.id),
    repository: r.repository as string,
    path: r.path as string,
    owners: (r.owners as string[]) ?? [],
    service: (r.service as string | null) ?? null,
  };
}

/** Indexed files whose file name (the last path segment) is one of `names`. */
export async function filesByBaseName(q: Queryable, names: readonly string[], limit = 500): Promise<IndexedFile[]> {
  if (names.length === 0) return [];
  const rows = await q.query(
    `SELECT f.id, r.name AS repository, f.path, f.owners, s.name AS service
     FROM file f JOIN repository r ON r.id = f.repository_id LEFT JOIN service s ON s.id = f.service_id
     WHERE regexp_replace(f.path, '^.*/', '') = ANY($1::text[])
     ORDER BY r.name, f.path LIMIT $2`,
    [[...new Set(names)], limit],
  );
  return rows.map(indexedFile);
}

/** Files by (repository, path), with their symbols. */
export async function filesWithSymbols(
  q: Queryable,
  repository: string,
  paths: readonly string[],
): Promise<
  Array<
    IndexedFile & {
      lines: number | null;
      symbols: Array<{ name: string; parent: string | null; startLine: number; endLine: number }>;
    }
  >
> {
  if (paths.length === 0) return [];
  const rows = await q.query(
    `SELECT f.id, r.name AS repository, f.path, f.owners, s.name AS service, f.lines,
       COALESCE((SELECT jsonb_agg(jsonb_build_object('name', y.name, 'parent', y.parent, 'startLine', y.start_line, 'endLine', y.end_line) ORDER BY y.start_line)
                 FROM symbol y WHERE y.file_id = f.id), '[]'::jsonb) AS symbols
     FROM file f JOIN repository r ON r.id = f.repository_id LEFT JOIN service s ON s.id = f.service_id
     WHERE r.name = $1 AND f.path = ANY($2::text[])`,
    [repository, [...new Set(paths)]],
  );
  return rows.map((r) => ({
    ...indexedFile(r),
    lines: (r.lines as number | null) ?? null,
    symbols: (typeof r.symbols === 'string' ? JSON.parse(r.symbols) : r.symbols) as never,
  }));
}

/** Every parsed file of the service (by its repository mapping; every file when null), with owners and blob; at most `limit`. */
export async function serviceFiles(
  q: Queryable,
  service: string | null,
  limit: number,
): Promise<Array<IndexedFile & { blobSha: string | null }>> {
  const rows = await q.query(
    `SELECT f.id, r.name AS repository, f.path, f.owners, s.name AS service, f.blob_sha
     FROM file f JOIN repository r ON r.id = f.repository_id LEFT JOIN service s ON s.id = f.service_id
     WHERE ($1::text IS NULL OR s.name = $1) AND f.skipped IS NULL ORDER BY r.name, f.path LIMIT $2`,
    [service, limit],
  );
  return rows.map((r) => ({ ...indexedFile(r), blobSha: (r.blob_sha as string | null) ?? null }));
}
