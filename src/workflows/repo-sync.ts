// Adding a git repository and syncing it into the world model: commits (with numstat),
// files with owners and services, and per file the symbols, log call sites and routes.
// A sync is incremental: it reads only commits after the last synced head and re-parses only
// files whose blob changed (or that an older extractor version parsed).
import { basename } from 'node:path';
import {
  CODE_EXTRACTION_ALGORITHM,
  type CodeLanguage,
  type CodeownerRule,
  inferServicePaths,
  ProtoSyntaxError,
  UNPARSED_REASON,
  keyedHash,
  languageOf,
  linkRpcs,
  parseProto,
  unparsedLanguageOf,
  ownersOf,
  parseCodeowners,
  serviceOf,
} from '../analysis/index.js';
import {
  type GitCommit,
  GitError,
  MAX_FILE_BYTES,
  type ParsePool,
  ParsePoolError,
  type TreeEntry,
  commitExists,
  countCommits,
  countLines,
  defaultParseWorkers,
  listTree,
  openParsePool,
  openRepository,
  readBlobs,
  readLog,
  skipAfterReading,
  skipBeforeReading,
} from '../ingest/sources/git/index.js';
import {
  EMAIL_HASH_KEY,
  type FileWrite,
  type RepositoryRecord,
  type ServicePathRecord,
  type StoredFile,
  codeStore,
  instanceSecret,
  rpcStore,
} from '../store/index.js';
import type { Context } from './context.js';

/**
 * Stored per parsed file (`file.extractor`): the extraction algorithm's version id. When it
 * changes, the next sync re-parses every file an older version parsed.
 */
export const CODE_EXTRACTOR = CODE_EXTRACTION_ALGORITHM;

/** Where CODEOWNERS may live, in GitHub's order of precedence (GitLab's folder last). */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.gitlab/CODEOWNERS'] as const;

export class RepoInputError extends Error {
  readonly statusCode = 400;
}
export class RepoNotFoundError extends Error {
  readonly statusCode = 404;
}
export class RepoConflictError extends Error {
  readonly statusCode = 409;
}

export interface ServiceMapping {
  service: string;
  /** A folder of the repository ('' or absent: the whole repository). */
  pathPrefix?: string;
}

export interface AddRepositoryInput {
  /** A folder in a git working tree, on the filesystem of the process that runs this. */
  path: string;
  name?: string;
  /** Given service mapping; without it the mapping is inferred at each sync. */
  services?: ServiceMapping[];
}

const NAME = /^[A-Za-z0-9][\w.-]{0,127}$/;
const SERVICE = /^[^\s/][^\s]{0,255}$/;

/** What is stored instead of an author's email: the per-install keyed hash that tickets use
 * too (analysis/identity-hash), so a commit author and a ticket reporter join. */
export function hashEmail(key: string, email: string): string | null {
  return email.trim() ? keyedHash(key, email) : null;
}

/** CODEOWNERS may name owners by email: those are stored as keyed hashes, handles as written. */
export function hashOwnerEmails(rules: CodeownerRule[], key: string): CodeownerRule[] {
  const isEmail = (o: string) => !o.startsWith('@') && o.includes('@');
  return rules.map((r) =>
    r.owners.some(isEmail) ? { ...r, owners: r.owners.map((o) => (isEmail(o) ? keyedHash(key, o) : o)) } : r,
  );
}

/** '' for the whole repository, otherwise 'a/b/' (no leading './' or '/', one trailing '/'). */
export function normalizePrefix(prefix: string | undefined): string {
  const p = (prefix ?? '')
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
  if (p === '' || p === '.') return '';
  if (p.split('/').some((s) => s === '..' || s === '.' || s === ''))
    throw new RepoInputError(`service path "${prefix}" must be a folder inside the repository`);
  return `${p}/`;
}

/** The folder's name made into a valid repository name. */
function defaultName(root: string): string {
  const name =
    basename(root)
      .replace(/[^\w.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 128) || 'repository';
  return /^\d+$/.test(name) ? `repo-${name}`.slice(0, 128) : name;
}

function givenPaths(services: readonly ServiceMapping[]): ServicePathRecord[] {
  const byPrefix = new Map<string, ServicePathRecord>();
  for (const s of services) {
    if (!SERVICE.test(s.service))
      throw new RepoInputError(
        `service name "${s.service}" must be 1 to 256 characters with no spaces, not starting with "/"`,
      );
    const pathPrefix = normalizePrefix(s.pathPrefix);
    const prev = byPrefix.get(pathPrefix);
    if (prev && prev.service !== s.service) {
      throw new RepoInputError(
        `path "${pathPrefix || '(whole repository)'}" is given to two services: ${prev.service} and ${s.service}`,
      );
    }
    byPrefix.set(pathPrefix, { pathPrefix, service: s.service, source: 'given' });
  }
  return [...byPrefix.values()];
}

/**
 * Registers a repository (it is read at its first sync). Adding a path that is already
 * registered returns it, with the given service mapping applied; a name taken by another
 * path is a conflict.
 */
export async function addRepository(
  ctx: Context,
  input: AddRepositoryInput,
): Promise<{ repository: RepositoryRecord; created: boolean }> {
  const paths = input.services?.length ? givenPaths(input.services) : null;
  if (input.name !== undefined && (!NAME.test(input.name) || /^\d+$/.test(input.name))) {
    throw new RepoInputError(
      `repository name "${input.name}" must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, and not all digits (those are read as ids)`,
    );
  }
  let head: Awaited<ReturnType<typeof openRepository>>;
  try {
    head = await openRepository(input.path);
  } catch (err) {
    if (err instanceof GitError && err.kind !== 'failed' && err.kind !== 'git-missing')
      throw new RepoInputError(`cannot add ${input.path}: ${err.message}`);
    throw err;
  }
  const db = ctx.store.db;
  return db.transaction(async (tx) => {
    let repository = await codeStore.findRepositoryByPath(tx, head.root);
    let created = false;
    if (repository && input.name !== undefined && repository.name !== input.name) {
      throw new RepoConflictError(`${head.root} is already added as "${repository.name}"`);
    }
    if (!repository) {
      const name = input.name ?? defaultName(head.root);
      const taken = await codeStore.findRepository(tx, name);
      if (taken)
        throw new RepoConflictError(
          `a repository named "${name}" already exists (at ${taken.path}); choose another with --name`,
        );
      repository = await codeStore.insertRepository(tx, { name, path: head.root, defaultBranch: head.branch });
      created = true;
    }
    if (paths) await codeStore.replaceServicePaths(tx, repository.id, paths);
    return { repository, created };
  });
}

export async function getRepository(ctx: Context, idOrName: string | number): Promise<RepositoryRecord> {
  const repository = await codeStore.findRepository(ctx.store.db, idOrName);
  if (!repository) throw new RepoNotFoundError(`no repository "${idOrName}"; see \`orrery repo list\``);
  return repository;
}

// ---- sync ----

export interface SyncProgress {
  phase: 'start' | 'commits' | 'files' | 'owners' | 'note' | 'done';
  commits: { done: number; total: number | null };
  files: { done: number; total: number | null };
  /** One human-readable line saying where the sync is. */
  message: string;
}

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void;
  /** Files larger than this are listed but not read (default 1 MiB). */
  maxFileBytes?: number;
  /** Parse worker threads (0: parse on this thread); default by core count for large syncs. */
  parseWorkers?: number;
}

export interface SyncResult {
  repository: string;
  head: string;
  previousHead: string | null;
  /** Commits read from `git log` (only those after the previous head). */
  commitsRead: number;
  /** Of those, the ones that were not stored yet. */
  commitsStored: number;
  filesInTree: number;
  /** New or changed files whose contents were read. */
  filesRead: number;
  /** Of those, the ones parsed for symbols, call sites and routes. */
  filesParsed: number;
  /** New or changed files listed without reading them (vendored, generated, too large). */
  filesListed: number;
  filesUnchanged: number;
  filesDeleted: number;
  skipped: Record<string, number>;
  /** Lines of the files read and of the files parsed. */
  linesRead: number;
  linesParsed: number;
  symbols: number;
  callsites: number;
  routes: number;
  /** rpcs declared in the repository's .proto files, and how many of them are linked to a handler. */
  rpcs: number;
  rpcsLinked: number;
  /** Files of languages Orrery knows but cannot parse (kotlin, elixir), by language. */
  unparsed: Record<string, number>;
  codeownersChanged: boolean;
  ownersUpdated: number;
  servicesChanged: boolean;
  services: ServicePathRecord[];
  durationMs: number;
  /** Where the time went. Commits and files run side by side, so phases overlap. */
  timings: SyncTimings;
}

export interface SyncTimings {
  /** Wall time of reading and storing commits. */
  commitsMs: number;
  /** Wall time of listing the tree, diffing it with the store, CODEOWNERS and the service map. */
  treeMs: number;
  /** Parsing, summed over the parse threads. */
  parseMs: number;
  /** Wall time of the file transactions. */
  writeMs: number;
  /** Wall time of the files phase: reading, parsing and writing. */
  filesMs: number;
}

const COMMIT_BATCH = 1000;
const FILE_BATCH = 400;
// Files parsed at once (across the workers) ahead of the one being collected.
const PARSE_WINDOW = 64;
// Fewer files than this are parsed on this thread: starting workers (each loads every
// grammar) costs more than it saves.
const POOL_THRESHOLD = 200;
const PROGRESS_EVERY_MS = 250;

// One sync per repository at a time in this process; a second request waits for the first.
const running = new Map<number, Promise<unknown>>();

export async function syncRepository(
  ctx: Context,
  idOrName: string | number,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const repository = await getRepository(ctx, idOrName);
  const before = running.get(repository.id);
  const run = (async () => {
    await before?.catch(() => {});
    return new RepoSync(ctx, repository.id, opts).run();
  })();
  running.set(repository.id, run);
  try {
    return await run;
  } finally {
    if (running.get(repository.id) === run) running.delete(repository.id);
  }
}

interface FileTask {
  entry: TreeEntry;
  stored: StoredFile | undefined;
  language: CodeLanguage | null;
  skip: string | null;
}

class RepoSync {
  private readonly db;
  private readonly progress: SyncProgress = {
    phase: 'start',
    commits: { done: 0, total: null },
    files: { done: 0, total: null },
    message: '',
  };
  private lastEmit = 0;
  private readonly maxBytes: number;
  private serviceIdOf: (path: string) => number | null = () => null;
  /** Set when either side of the sync failed: the other stops at its next step. */
  private failed = false;
  /** The per-install key for email hashes, read at the start of each sync. */
  private emailKey = '';

  constructor(
    ctx: Context,
    private readonly repositoryId: number,
    private readonly opts: SyncOptions,
  ) {
    this.db = ctx.store.db;
    this.maxBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  }

  private emit(phase: SyncProgress['phase'], message: string, force = false): void {
    this.progress.phase = phase;
    this.progress.message = message;
    const now = Date.now();
    if (!this.opts.onProgress || (!force && now - this.lastEmit < PROGRESS_EVERY_MS)) return;
    this.lastEmit = now;
    this.opts.onProgress(structuredClone(this.progress));
  }

  private filesMessage(): string {
    const { done, total } = this.progress.files;
    const pct = total ? ` (${((100 * done) / total).toFixed(1)}%)` : '';
    const commits = this.progress.commits;
    const c =
      commits.total !== null && commits.done < commits.total ? `, commits ${commits.done}/${commits.total}` : '';
    return `indexing ${done}/${total ?? '?'} files${pct}${c}`;
  }

  async run(): Promise<SyncResult> {
    const started = Date.now();
    const repository = (await codeStore.findRepository(this.db, this.repositoryId))!;
    let head: Awaited<ReturnType<typeof openRepository>>;
    try {
      head = await openRepository(repository.path);
    } catch (err) {
      if (err instanceof GitError)
        throw new RepoInputError(`repository "${repository.name}" at ${repository.path}: ${err.message}`);
      throw err;
    }
    const previous =
      repository.headSha && (await commitExists(head.root, repository.headSha)) ? repository.headSha : null;
    const result: SyncResult = {
      repository: repository.name,
      head: head.head,
      previousHead: repository.headSha,
      commitsRead: 0,
      commitsStored: 0,
      filesInTree: 0,
      filesRead: 0,
      filesParsed: 0,
      filesListed: 0,
      filesUnchanged: 0,
      filesDeleted: 0,
      skipped: {},
      linesRead: 0,
      linesParsed: 0,
      symbols: 0,
      callsites: 0,
      routes: 0,
      rpcs: 0,
      rpcsLinked: 0,
      unparsed: {},
      codeownersChanged: false,
      ownersUpdated: 0,
      servicesChanged: false,
      services: [],
      durationMs: 0,
      timings: { commitsMs: 0, treeMs: 0, parseMs: 0, writeMs: 0, filesMs: 0 },
    };
    this.emit(
      'start',
      `syncing ${repository.name} at ${head.head.slice(0, 12)}${previous ? ` (since ${previous.slice(0, 12)})` : ''}`,
      true,
    );

    // Commits (git computes numstat diffs in its own process) and files (parsed here) run
    // side by side: on two cores, each hides most of the other's time.
    // When one side fails the other stops early, and both have ended before this returns.
    this.emailKey = await instanceSecret(this.db, EMAIL_HASH_KEY);
    const commitsStarted = Date.now();
    const stopOnError = (err: unknown) => {
      this.failed = true;
      throw err;
    };
    const [commitsDone, filesDone] = await Promise.allSettled([
      this.syncCommits(head.root, head.head, previous)
        .catch(stopOnError)
        .finally(() => {
          result.timings.commitsMs = Date.now() - commitsStarted;
        }),
      this.syncFiles(head.root, head.head, result).catch(stopOnError),
    ]);
    if (filesDone.status === 'rejected') throw filesDone.reason;
    if (commitsDone.status === 'rejected') throw commitsDone.reason;
    const commits = commitsDone.value;
    result.commitsRead = commits.read;
    result.commitsStored = commits.stored;
    await this.linkRpcs(result);

    await codeStore.markSynced(this.db, this.repositoryId, { headSha: head.head, defaultBranch: head.branch });
    result.durationMs = Date.now() - started;
    this.emit(
      'done',
      `synced ${repository.name}: ${result.commitsRead} commits, ${result.filesRead} files read (${result.filesParsed} parsed), ` +
        `${result.filesUnchanged} unchanged, ${result.filesDeleted} deleted; ${result.symbols} symbols, ${result.callsites} log call sites, ${result.routes} routes` +
        (result.rpcs ? `, ${result.rpcsLinked} of ${result.rpcs} gRPC rpcs linked to a handler` : ''),
      true,
    );
    return result;
  }

  /** Links every rpc of the repository's .proto files to its handler (the whole repository:
   *  an rpc and its handler may sit in files that changed at different syncs). */
  private async linkRpcs(result: SyncResult): Promise<void> {
    const input = await rpcStore.rpcLinkInput(this.db, this.repositoryId);
    const links = linkRpcs(input.rpcs, input.files);
    await this.db.transaction((tx) => rpcStore.saveRpcLinks(tx, this.repositoryId, links));
    result.rpcs = input.rpcs.length;
    result.rpcsLinked = links.length;
  }

  private async syncCommits(
    root: string,
    head: string,
    exclude: string | null,
  ): Promise<{ read: number; stored: number }> {
    const total = await countCommits(root, { head, exclude });
    this.progress.commits.total = total;
    let read = 0;
    let stored = 0;
    let batch: GitCommit[] = [];
    const flush = async () => {
      const rows = batch.map((c) => ({
        sha: c.sha,
        parents: c.parents,
        authorName: c.authorName,
        authorEmailHash: hashEmail(this.emailKey, c.authorEmail),
        authoredAt: c.authoredAt,
        committedAt: c.committedAt,
        message: c.message,
        files: c.files,
      }));
      batch = [];
      stored += await this.db.transaction((tx) => codeStore.writeCommits(tx, this.repositoryId, rows));
      this.progress.commits.done = read;
      this.emit(
        'commits',
        this.progress.files.total === null ? `reading commits ${read}/${total}` : this.filesMessage(),
      );
    };
    for await (const c of readLog(root, { head, exclude })) {
      if (this.failed) return { read, stored };
      batch.push(c);
      read++;
      if (batch.length >= COMMIT_BATCH) await flush();
    }
    if (batch.length) await flush();
    this.progress.commits.done = read;
    return { read, stored };
  }

  /** The blob contents of a few small files (CODEOWNERS, manifests), by path. */
  private async readSmall(root: string, entries: readonly TreeEntry[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const small = entries.filter((e) => e.size <= this.maxBytes && e.mode !== '120000');
    const byPath = new Map<string, string>();
    for await (const b of readBlobs(root, [...new Set(small.map((e) => e.sha))]))
      byPath.set(b.sha, b.content.toString('utf8'));
    for (const e of small) out.set(e.path, byPath.get(e.sha) ?? '');
    return out;
  }

  private async syncFiles(root: string, head: string, result: SyncResult): Promise<void> {
    const treeStarted = Date.now();
    const tree = await listTree(root, head);
    const stored = new Map((await codeStore.getStoredFiles(this.db, this.repositoryId)).map((f) => [f.path, f]));
    result.filesInTree = tree.length;
    const inTree = new Set(tree.map((e) => e.path));

    // CODEOWNERS: the first of the usual places; rules change only when its contents do.
    const ownersEntry = CODEOWNERS_PATHS.map((p) => tree.find((e) => e.path === p)).find((e) => e !== undefined);
    const ownersText = ownersEntry ? ((await this.readSmall(root, [ownersEntry])).get(ownersEntry.path) ?? '') : '';
    const rules: CodeownerRule[] = hashOwnerEmails(parseCodeowners(ownersText), this.emailKey);
    // The new rules are stored only after every file's owners follow them, so that a sync that
    // fails half-way still sees them as changed the next time.
    result.codeownersChanged = !sameRules(await codeStore.getCodeownerRules(this.db, this.repositoryId), rules);

    // What needs work: new files, changed blobs, and files an older extractor parsed.
    const tasks: FileTask[] = [];
    for (const entry of tree) {
      const old = stored.get(entry.path);
      const language = languageOf(entry.path);
      const unparsed = unparsedLanguageOf(entry.path);
      if (unparsed) result.unparsed[unparsed] = (result.unparsed[unparsed] ?? 0) + 1;
      const reparse =
        (language !== null || isProtoPath(entry.path)) &&
        old !== undefined &&
        (old.skipped === null || old.skipped === 'parse-error') &&
        old.extractor !== CODE_EXTRACTOR;
      if (old && old.blobSha === entry.sha && !reparse) continue;
      tasks.push({
        entry,
        stored: old,
        language,
        skip: skipBeforeReading(entry.path, entry.size, { mode: entry.mode, maxBytes: this.maxBytes }),
      });
    }
    result.filesUnchanged = tree.length - tasks.length;
    if (Object.keys(result.unparsed).length)
      this.emit(
        'note',
        `listing ${formatCounts(result.unparsed)} files without parsing them: ${UNPARSED_REASON}`,
        true,
      );
    // Parse workers start now: loading their grammars overlaps with the steps below.
    const pool = await this.openPool(tasks);
    try {
      const gone = [...stored.values()].filter((f) => !inTree.has(f.path));
      result.filesDeleted = gone.length;
      if (gone.length)
        await this.db.transaction((tx) =>
          codeStore.deleteFiles(
            tx,
            gone.map((f) => f.id),
          ),
        );

      // The service mapping: given by the user, or inferred again when files came or went.
      const current = await codeStore.getServicePaths(this.db, this.repositoryId);
      const given = current.filter((p) => p.source === 'given');
      let mapping = current;
      if (given.length === 0 && (tasks.length > 0 || gone.length > 0 || current.length === 0)) {
        mapping = await this.inferMapping(root, tree, result.repository);
        result.servicesChanged = await this.db.transaction((tx) =>
          codeStore.replaceServicePaths(tx, this.repositoryId, mapping),
        );
      }
      result.services = mapping;
      const serviceIds = await codeStore.ensureServices(
        this.db,
        this.repositoryId,
        mapping.map((p) => p.service),
      );
      this.serviceIdOf = (path) => {
        const service = serviceOf(path, mapping);
        return service === null ? null : (serviceIds.get(service) ?? null);
      };

      const skippedBefore = tasks.filter((t) => t.skip !== null);
      if (skippedBefore.length) {
        const why = countBy(skippedBefore.map((t) => t.skip!));
        this.emit('note', `listing ${skippedBefore.length} files without reading them (${formatCounts(why)})`, true);
      }
      this.progress.files.total = tasks.length;
      this.emit('files', this.filesMessage(), true);
      result.timings.treeMs = Date.now() - treeStarted;

      const filesStarted = Date.now();
      await this.writeFiles(root, tasks, pool, rules, result);
      result.timings.filesMs = Date.now() - filesStarted;
    } finally {
      result.timings.parseMs = Math.round(pool?.parseMs ?? 0);
      await pool?.close();
    }

    // Unchanged files: owners move only when CODEOWNERS changed, services when the mapping did.
    const touched = new Set(tasks.map((t) => t.entry.path));
    const unchanged = [...stored.values()].filter((f) => !touched.has(f.path) && inTree.has(f.path));
    const moved = unchanged
      .map((f) => ({ id: f.id, serviceId: this.serviceIdOf(f.path), before: f.serviceId }))
      .filter((f) => f.serviceId !== f.before);
    if (moved.length) await this.db.transaction((tx) => codeStore.updateServiceIds(tx, moved));
    if (result.codeownersChanged) {
      const updates: Array<{ id: number; owners: string[] }> = [];
      for (const f of unchanged) {
        const owners = ownersOf(f.path, rules);
        if (owners.join('\0') !== f.owners.join('\0')) updates.push({ id: f.id, owners });
      }
      result.ownersUpdated = updates.length;
      if (updates.length)
        this.emit('owners', `CODEOWNERS changed: updating the owners of ${updates.length} files`, true);
      await this.db.transaction(async (tx) => {
        await codeStore.updateOwners(tx, updates);
        await codeStore.replaceCodeownerRules(tx, this.repositoryId, rules);
      });
    }
  }

  private async inferMapping(root: string, tree: readonly TreeEntry[], rootName: string): Promise<ServicePathRecord[]> {
    const files = tree.filter((e) => skipBeforeReading(e.path, 0, { mode: e.mode }) === null).map((e) => e.path);
    const manifestEntries = tree.filter(
      (e) =>
        isManifestPath(e.path) && skipBeforeReading(e.path, e.size, { mode: e.mode, maxBytes: this.maxBytes }) === null,
    );
    const contents = await this.readSmall(root, manifestEntries);
    const manifests = manifestEntries.map((e) => ({ path: e.path, content: contents.get(e.path) ?? '' }));
    return inferServicePaths({ files, manifests, rootName }).map((p) => ({
      pathPrefix: p.pathPrefix,
      service: p.service,
      source: p.source,
    }));
  }

  /** Worker threads when there is enough to parse, this thread otherwise, nothing when nothing is parsed. */
  private async openPool(tasks: readonly FileTask[]): Promise<ParsePool | null> {
    const toParse = tasks.filter((t) => t.skip === null && t.language !== null).length;
    if (toParse === 0) return null;
    return openParsePool({
      workers: this.opts.parseWorkers ?? (toParse >= POOL_THRESHOLD ? defaultParseWorkers() : 0),
    });
  }

  /**
   * Reads, parses and writes the files that need it, a batch per transaction. A window of
   * files is in flight so that the parse workers stay busy while this thread reads blobs and
   * writes the previous batch.
   */
  private async writeFiles(
    root: string,
    tasks: FileTask[],
    pool: ParsePool | null,
    rules: readonly CodeownerRule[],
    result: SyncResult,
  ): Promise<void> {
    const toRead = tasks.filter((t) => t.skip === null);
    let batch: FileWrite[] = [];
    let inFlight: Promise<void> | null = null;
    let done = 0;
    const skipped = result.skipped;
    const count = (reason: string) => {
      skipped[reason] = (skipped[reason] ?? 0) + 1;
    };

    const flush = async (writes: FileWrite[]) => {
      const started = Date.now();
      const r = await this.db.transaction(async (tx) => {
        return codeStore.writeFiles(tx, this.repositoryId, writes);
      });
      result.symbols += r.symbols;
      result.callsites += r.callsites;
      result.routes += r.routes;
      result.timings.writeMs += Date.now() - started;
      done += writes.length;
      this.progress.files.done = done;
      this.emit('files', this.filesMessage());
    };
    // One batch is written while the next is parsed; an error in either stops the sync.
    const add = async (writes: FileWrite[]) => {
      batch.push(...writes);
      if (batch.length < FILE_BATCH) return;
      if (inFlight) await inFlight;
      inFlight = flush(batch);
      inFlight.catch(() => {});
      batch = [];
    };
    const base = (t: FileTask): FileWrite => ({
      id: t.stored?.id ?? null,
      path: t.entry.path,
      language: t.language,
      blobSha: t.entry.sha,
      lines: null,
      owners: ownersOf(t.entry.path, rules),
      serviceId: this.serviceIdOf(t.entry.path),
      skipped: t.skip,
      extractor: null,
      symbols: [],
      callsites: [],
      routes: [],
    });

    // Files not read at all (vendored, too large, links) are only listed.
    for (const t of tasks) {
      if (t.skip === null) continue;
      count(t.skip);
      result.filesListed++;
      await add([base(t)]);
    }

    // The same blob at several paths is read once.
    const bySha = new Map<string, FileTask[]>();
    for (const t of toRead) {
      const list = bySha.get(t.entry.sha);
      if (list) list.push(t);
      else bySha.set(t.entry.sha, [t]);
    }
    const one = async (
      t: FileTask,
      lines: number,
      contentSkip: string | null,
      source: string | null,
    ): Promise<FileWrite> => {
      const w = base(t);
      result.filesRead++;
      w.lines = contentSkip === 'binary' ? null : lines;
      if (contentSkip !== 'binary') result.linesRead += lines;
      if (contentSkip !== null) {
        w.skipped = contentSkip;
        count(contentSkip);
        return w;
      }
      if (source !== null && isProtoPath(t.entry.path)) {
        w.extractor = CODE_EXTRACTOR;
        w.language = 'proto';
        try {
          w.rpcs = parseProto(source).rpcs;
          result.filesParsed++;
          result.linesParsed += lines;
        } catch (err) {
          if (!(err instanceof ProtoSyntaxError)) throw err;
          w.skipped = 'parse-error';
          count('parse-error');
          this.emit('note', `could not parse ${t.entry.path}: ${err.message}`, true);
        }
        return w;
      }
      if (t.language === null || source === null || !pool) return w;
      w.extractor = CODE_EXTRACTOR;
      try {
        const x = await pool.parse(t.language, source);
        w.symbols = x.symbols;
        w.callsites = x.callsites;
        w.routes = x.routes;
        w.grpc = x.grpc;
        result.filesParsed++;
        result.linesParsed += lines;
      } catch (err) {
        if (err instanceof ParsePoolError) throw err;
        w.skipped = 'parse-error';
        count('parse-error');
        this.emit('note', `could not parse ${t.entry.path}: ${(err as Error).message}`, true);
      }
      return w;
    };
    const window: Array<Promise<FileWrite[]>> = [];
    try {
      for await (const blob of readBlobs(root, [...bySha.keys()])) {
        if (this.failed) break;
        const lines = countLines(blob.content);
        const contentSkip = skipAfterReading(blob.content, lines);
        const paths = bySha.get(blob.sha)!;
        const source =
          contentSkip === null && paths.some((t) => t.language !== null || isProtoPath(t.entry.path))
            ? blob.content.toString('utf8')
            : null;
        const p = Promise.all(paths.map((t) => one(t, lines, contentSkip, source)));
        p.catch(() => {});
        window.push(p);
        if (window.length >= PARSE_WINDOW) await add(await window.shift()!);
      }
      while (window.length && !this.failed) await add(await window.shift()!);
    } finally {
      // On an error, let what is still in flight settle before the pool closes under it.
      await Promise.allSettled(window);
    }
    if (inFlight) await inFlight;
    if (batch.length && !this.failed) await flush(batch);
  }
}

// Manifests whose contents name a service (the inference finds Dockerfiles and Gradle
// builds by path alone).
const MANIFEST = /(^|\/)(package\.json|go\.mod|pom\.xml|pyproject\.toml|setup\.py|setup\.cfg|Chart\.yaml|Cargo\.toml)$/;

function isProtoPath(path: string): boolean {
  return path.endsWith('.proto');
}

function isManifestPath(path: string): boolean {
  return MANIFEST.test(path);
}

function sameRules(a: readonly CodeownerRule[], b: readonly CodeownerRule[]): boolean {
  const key = (r: readonly CodeownerRule[]) => JSON.stringify(r.map((x) => [x.line, x.pattern, x.owners]));
  return key(a) === key(b);
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function formatCounts(c: Record<string, number>): string {
  return Object.entries(c)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
}
