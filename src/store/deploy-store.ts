// Deploys: recorded and inferred upserts that keep each deploy's previous-head pointer (its
// commit range's base) right as deploys land out of order, listing, and the commit range
// resolved from the indexed git history. Also the service table's first/last-seen upkeep
// that the same ingest pass drives.
import { type CommitNode, walkCommitRange } from '../analysis/index.js';
import type {
  CommitFileChange,
  CommitRange,
  Deploy,
  DeployFilter,
  DeployVerdictSummary,
  DeployVerification,
  RangeCommit,
} from '../model/index.js';
import type { Db, Queryable, Row } from './db.js';
import { iso } from './timestamps.js';
import { Where } from './where.js';

export interface DeployWrite {
  service: string;
  environment: string;
  version: string;
  commitSha: string | null;
  deployedAt: Date;
  source: string;
  attributes: Record<string, unknown>;
}

function toDeploy(r: Row): Deploy {
  return {
    id: Number(r.id),
    service: r.service as string,
    environment: r.environment as string,
    version: r.version as string,
    commitSha: (r.commit_sha as string | null) ?? null,
    previousCommitSha: (r.previous_commit_sha as string | null) ?? null,
    deployedAt: iso(r.deployed_at),
    inferred: r.inferred as boolean,
    source: r.source as string,
    attributes: (r.attributes as Record<string, unknown>) ?? {},
    verdict: verdictOf(r),
  };
}

function verdictOf(r: Row): DeployVerdictSummary | null {
  if (r.verdict === null || r.verdict === undefined) return null;
  const v = (r.verification ?? {}) as Partial<DeployVerification>;
  return {
    verdict: r.verdict as DeployVerdictSummary['verdict'],
    decidedAt: v.decidedAt ?? iso(r.verified_at),
    algorithm: v.algorithm ?? '',
    problemId: v.problemId ?? null,
  };
}

/** Serialises writers of one service+environment's deploys across transactions and Orrery nodes. */
async function lockChain(tx: Queryable, service: string, environment: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `orrery.deploy ${JSON.stringify([service, environment])}`,
  ]);
}

async function selectForUpdate(tx: Queryable, w: DeployWrite): Promise<Row | undefined> {
  const rows = await tx.query(
    'SELECT * FROM deploy WHERE service = $1 AND environment = $2 AND version = $3 FOR UPDATE',
    [w.service, w.environment, w.version],
  );
  return rows[0];
}

async function insertDeploy(tx: Queryable, w: DeployWrite, inferred: boolean): Promise<void> {
  await tx.query(
    `INSERT INTO deploy (service, environment, version, commit_sha, deployed_at, inferred, source, attributes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
     ON CONFLICT (service, environment, version) DO NOTHING`,
    [w.service, w.environment, w.version, w.commitSha, w.deployedAt, inferred, w.source, JSON.stringify(w.attributes)],
  );
}

/**
 * Recomputes previous_commit_sha (and the baseline mark) for the deploys of one service and
 * environment at or after `from`: each points at the nearest earlier deploy that has a
 * commit. Only the first deploy of the chain, when inferred, is a baseline.
 */
async function relink(tx: Queryable, service: string, environment: string, from: Date): Promise<void> {
  const before = await tx.query<{ commit_sha: string | null; earlier: boolean }>(
    `SELECT (SELECT commit_sha FROM deploy WHERE service = $1 AND environment = $2 AND deployed_at < $3 AND commit_sha IS NOT NULL
             ORDER BY deployed_at DESC, id DESC LIMIT 1) AS commit_sha,
            EXISTS (SELECT 1 FROM deploy WHERE service = $1 AND environment = $2 AND deployed_at < $3) AS earlier`,
    [service, environment, from],
  );
  let prev = before[0]?.commit_sha ?? null;
  let first = before[0]?.earlier !== true;
  const rows = await tx.query<{
    id: number;
    commit_sha: string | null;
    previous_commit_sha: string | null;
    inferred: boolean;
    baseline: boolean | null;
  }>(
    `SELECT id, commit_sha, previous_commit_sha, inferred, (attributes->>'baseline')::boolean AS baseline
       FROM deploy WHERE service = $1 AND environment = $2 AND deployed_at >= $3 ORDER BY deployed_at, id`,
    [service, environment, from],
  );
  for (const r of rows) {
    const baseline = first && r.inferred;
    if (r.previous_commit_sha !== prev || (r.baseline === true) !== baseline) {
      await tx.query(
        `UPDATE deploy SET previous_commit_sha = $2,
           attributes = CASE WHEN $3::boolean THEN attributes || '{"baseline": true}'::jsonb ELSE attributes - 'baseline' END
         WHERE id = $1`,
        [r.id, prev, baseline],
      );
    }
    if (r.commit_sha) prev = r.commit_sha;
    first = false;
  }
}

async function reread(tx: Queryable, w: DeployWrite): Promise<Deploy> {
  const rows = await tx.query('SELECT * FROM deploy WHERE service = $1 AND environment = $2 AND version = $3', [
    w.service,
    w.environment,
    w.version,
  ]);
  return toDeploy(rows[0]!);
}

/**
 * A deploy someone told us about. Re-recording the same service+environment+version updates
 * it; over an inferred deploy, the recorded time and commit win (the commit only when given)
 * and the telemetry's first-seen time is kept in attributes.
 */
export async function recordDeploy(db: Db, w: DeployWrite): Promise<{ deploy: Deploy; created: boolean }> {
  return db.transaction(async (tx) => {
    await lockChain(tx, w.service, w.environment);
    const old = await selectForUpdate(tx, w);
    if (!old) {
      await insertDeploy(tx, w, false);
      await relink(tx, w.service, w.environment, w.deployedAt);
      return { deploy: await reread(tx, w), created: true };
    }
    const extra: Record<string, unknown> = {};
    if (old.inferred) extra.firstSeenInTelemetry = iso(old.deployed_at);
    await tx.query(
      `UPDATE deploy SET deployed_at = $2, commit_sha = COALESCE($3, commit_sha), inferred = false, source = $4,
         attributes = (attributes - 'baseline') || $5::jsonb
       WHERE id = $1`,
      [old.id, w.deployedAt, w.commitSha, w.source, JSON.stringify({ ...w.attributes, ...extra })],
    );
    const oldAt = old.deployed_at as Date;
    await relink(tx, w.service, w.environment, oldAt < w.deployedAt ? oldAt : w.deployedAt);
    return { deploy: await reread(tx, w), created: false };
  });
}

/**
 * A deploy seen in telemetry. Creates it, or moves an inferred one earlier (and fills in a
 * commit it lacked); a recorded deploy is left alone. Returns the stored deploy.
 */
export async function inferDeploy(db: Db, w: DeployWrite): Promise<Deploy> {
  return db.transaction(async (tx) => {
    await lockChain(tx, w.service, w.environment);
    const old = await selectForUpdate(tx, w);
    if (!old) {
      await insertDeploy(tx, w, true);
      await relink(tx, w.service, w.environment, w.deployedAt);
      return reread(tx, w);
    }
    if (!old.inferred) return toDeploy(old);
    const oldAt = old.deployed_at as Date;
    const earlier = w.deployedAt < oldAt;
    const addCommit = old.commit_sha === null && w.commitSha !== null;
    if (!earlier && !addCommit) return toDeploy(old);
    await tx.query(
      `UPDATE deploy SET deployed_at = LEAST(deployed_at, $2), commit_sha = COALESCE(commit_sha, $3),
         attributes = attributes || $4::jsonb
       WHERE id = $1`,
      [old.id, w.deployedAt, w.commitSha, JSON.stringify(addCommit ? w.attributes : {})],
    );
    await relink(tx, w.service, w.environment, earlier ? w.deployedAt : oldAt);
    return reread(tx, w);
  });
}

export async function listDeploys(q: Queryable, f: DeployFilter): Promise<Deploy[]> {
  const w = new Where();
  if (f.service !== undefined) w.add('service = ?', f.service);
  if (f.environment !== undefined) w.add('environment = ?', f.environment);
  if (f.since !== undefined) w.add('deployed_at >= ?', f.since);
  if (f.until !== undefined) w.add('deployed_at < ?', f.until);
  const limit = w.param(f.limit);
  const rows = await q.query(
    `SELECT * FROM deploy ${w.sql} ORDER BY deployed_at DESC, id DESC LIMIT ${limit}`,
    w.params,
  );
  return rows.map(toDeploy);
}

export async function getDeploy(q: Queryable, id: number): Promise<Deploy | null> {
  const rows = await q.query('SELECT * FROM deploy WHERE id = $1', [id]);
  return rows[0] ? toDeploy(rows[0]) : null;
}

// ---------------------------------------------------------------------------------------
// Commit ranges

export interface RangeOptions {
  /** Only commits touching the service's path prefix in its repository. */
  restrictToService?: boolean;
  /** Commits in the range at most (default 500). */
  limit?: number;
  /** Files listed per commit at most (default 100). */
  filesPerCommit?: number;
}

/** Rows fetched per round of the ancestor prefetch, beyond the range bound. */
const FETCH_SLACK = 200;
const MAX_FETCH_ROUNDS = 10;

interface Located {
  repositoryId: number;
  repositoryName: string;
  sha: string;
}

/** The repository holding `sha` (full or abbreviated): the service's own repositories first, then any. */
async function locateCommit(q: Queryable, service: string, sha: string): Promise<Located | 'ambiguous' | null> {
  const rows = await q.query<{ repository_id: number; sha: string; name: string; mine: boolean }>(
    `SELECT c.repository_id, c.sha, r.name,
            EXISTS (SELECT 1 FROM service_path sp WHERE sp.repository_id = c.repository_id AND sp.service = $2) AS mine
       FROM commit c JOIN repository r ON r.id = c.repository_id
      WHERE c.sha LIKE $1
      ORDER BY mine DESC, c.repository_id
      LIMIT 10`,
    [`${sha.replace(/[\\%_]/g, '')}%`, service],
  );
  if (rows.length === 0) return null;
  const best = rows.filter((r) => r.mine === rows[0]!.mine);
  const inFirstRepo = best.filter((r) => r.repository_id === best[0]!.repository_id);
  if (inFirstRepo.length > 1) return 'ambiguous';
  const r = inFirstRepo[0]!;
  return { repositoryId: Number(r.repository_id), repositoryName: r.name, sha: r.sha };
}

async function resolveIn(q: Queryable, repositoryId: number, sha: string): Promise<string | null> {
  const rows = await q.query<{ sha: string }>(
    'SELECT sha FROM commit WHERE repository_id = $1 AND sha LIKE $2 LIMIT 2',
    [repositoryId, `${sha.replace(/[\\%_]/g, '')}%`],
  );
  return rows.length === 1 ? rows[0]!.sha : null;
}

/** Loads `from` and their ancestors (breadth first, at most `max` commits) into `nodes`. */
async function fetchAncestors(
  q: Queryable,
  repositoryId: number,
  from: string[],
  max: number,
  nodes: Map<string, CommitNode>,
): Promise<void> {
  const rows = await q.query<{ sha: string; parents: string[]; t: Date | null }>(
    `WITH RECURSIVE walk(sha) AS (
       SELECT unnest($2::text[])
       UNION
       SELECT unnest(c.parents) FROM walk w JOIN commit c ON c.repository_id = $1 AND c.sha = w.sha
     )
     SELECT c.sha, c.parents, COALESCE(c.committed_at, c.authored_at) AS t
       FROM (SELECT sha FROM walk LIMIT $3) w JOIN commit c ON c.repository_id = $1 AND c.sha = w.sha`,
    [repositoryId, from, max],
  );
  for (const r of rows) nodes.set(r.sha, { parents: r.parents ?? [], time: r.t ? new Date(r.t).getTime() : undefined });
}

function emptyRange(
  head: string | null,
  base: string | null,
  note: string,
  over: Partial<CommitRange> = {},
): CommitRange {
  return {
    head,
    base,
    repository: null,
    commits: [],
    truncated: false,
    baseFound: false,
    rollback: false,
    pathPrefix: null,
    restrictedToService: false,
    note,
    ...over,
  };
}

/** The commits `deploy` shipped, from the indexed history; empty with a note when it cannot be known. */
export async function commitRange(q: Queryable, deploy: Deploy, opts: RangeOptions = {}): Promise<CommitRange> {
  const limit = opts.limit ?? 500;
  const head = deploy.commitSha;
  const base = deploy.previousCommitSha;
  if (!head) {
    return emptyRange(
      null,
      base,
      'this deploy has no commit: record it with --commit, or send the vcs.ref.head.revision resource attribute',
    );
  }
  const located = await locateCommit(q, deploy.service, head);
  if (located === 'ambiguous')
    return emptyRange(head, base, `the abbreviated commit ${head} matches several commits; record the full SHA`);
  if (!located) {
    const repos = await q.query<{ n: number }>('SELECT count(*) AS n FROM repository');
    return emptyRange(
      head,
      base,
      Number(repos[0]?.n ?? 0) === 0
        ? 'no repository is indexed, so the commits are unknown: add the service repository with `orrery repo add`'
        : `commit ${head} is not in any indexed repository (is the service repository added and synced?)`,
    );
  }
  const { repositoryId } = located;
  const baseSha = base ? ((await resolveIn(q, repositoryId, base)) ?? base.toLowerCase()) : null;

  const nodes = new Map<string, CommitNode>();
  await fetchAncestors(
    q,
    repositoryId,
    baseSha ? [located.sha, baseSha] : [located.sha],
    limit * 2 + FETCH_SLACK,
    nodes,
  );
  let walk = walkCommitRange(located.sha, baseSha, (s) => nodes.get(s), { limit });
  const absent = new Set<string>();
  for (let round = 0; round < MAX_FETCH_ROUNDS; round++) {
    const want = walk.missing.filter((s) => !absent.has(s));
    if (want.length === 0) break;
    const had = nodes.size;
    await fetchAncestors(q, repositoryId, want, limit + FETCH_SLACK, nodes);
    for (const s of want) if (!nodes.has(s)) absent.add(s);
    if (nodes.size === had) break;
    walk = walkCommitRange(located.sha, baseSha, (s) => nodes.get(s), { limit });
  }

  const prefixRows = await q.query<{ path_prefix: string }>(
    'SELECT path_prefix FROM service_path WHERE repository_id = $1 AND service = $2 ORDER BY length(path_prefix) DESC LIMIT 1',
    [repositoryId, deploy.service],
  );
  const pathPrefix = prefixRows[0]?.path_prefix ?? null;
  const scoped = pathPrefix !== null && pathPrefix !== '';
  let commits = await loadCommits(
    q,
    repositoryId,
    walk.commits,
    scoped ? pathPrefix : null,
    opts.filesPerCommit ?? 100,
  );
  const restricted = Boolean(opts.restrictToService && scoped);
  if (restricted) commits = commits.filter((c) => c.touchesService);

  const notes: string[] = [];
  if (!base)
    notes.push('no earlier deploy of this service and environment has a commit: showing the head commit alone');
  else if (!walk.baseFound)
    notes.push(`the previous deploy's commit ${base} is not in ${located.repositoryName}; the list stops at the bound`);
  if (baseSha === located.sha)
    notes.push(
      'the same commit as the previous deploy: no new commits shipped (a configuration or infrastructure change?)',
    );
  if (walk.rollback)
    notes.push(`rollback: ${head} is an ancestor of the previous deploy's commit ${base}, so no new commits shipped`);
  if (walk.truncated && walk.baseFound)
    notes.push(`the list is incomplete: over ${limit} commits, or history is missing commits`);
  if (restricted)
    notes.push(`only commits touching ${pathPrefix} (${walk.commits.length - commits.length} others left out)`);
  if (opts.restrictToService && !scoped)
    notes.push('the service has the whole repository, so no commits were left out');

  return {
    head: located.sha,
    base: baseSha,
    repository: { id: repositoryId, name: located.repositoryName },
    commits,
    truncated: walk.truncated,
    baseFound: walk.baseFound,
    rollback: walk.rollback,
    pathPrefix,
    restrictedToService: restricted,
    note: notes.length ? notes.join('; ') : null,
  };
}

async function loadCommits(
  q: Queryable,
  repositoryId: number,
  shas: string[],
  pathPrefix: string | null,
  filesPerCommit: number,
): Promise<RangeCommit[]> {
  if (shas.length === 0) return [];
  const rows = await q.query<{
    sha: string;
    author_name: string | null;
    authored_at: Date;
    committed_at: Date | null;
    message: string;
    parents: string[];
    files_total: number;
    touches: boolean | null;
  }>(
    `SELECT c.sha, c.author_name, c.authored_at, c.committed_at, c.message, c.parents,
            (SELECT count(*) FROM commit_file f WHERE f.repository_id = c.repository_id AND f.sha = c.sha) AS files_total,
            CASE WHEN $3::text IS NULL THEN NULL ELSE EXISTS (
              SELECT 1 FROM commit_file f WHERE f.repository_id = c.repository_id AND f.sha = c.sha AND f.path LIKE $3 || '%'
            ) END AS touches
       FROM commit c WHERE c.repository_id = $1 AND c.sha = ANY($2::text[])`,
    [repositoryId, shas, pathPrefix === null ? null : pathPrefix.replace(/[\\%_]/g, (ch) => `\\${ch}`)],
  );
  const files = await q.query<{ sha: string; path: string; additions: number | null; deletions: number | null }>(
    `SELECT sha, path, additions, deletions FROM (
       SELECT sha, path, additions, deletions, row_number() OVER (PARTITION BY sha ORDER BY path) AS rn
         FROM commit_file WHERE repository_id = $1 AND sha = ANY($2::text[])
     ) f WHERE rn <= $3 ORDER BY sha, path`,
    [repositoryId, shas, filesPerCommit],
  );
  const bySha = new Map<string, CommitFileChange[]>();
  for (const f of files) {
    let list = bySha.get(f.sha);
    if (!list) {
      list = [];
      bySha.set(f.sha, list);
    }
    list.push({ path: f.path, additions: f.additions, deletions: f.deletions });
  }
  const byRow = new Map(rows.map((r) => [r.sha, r]));
  return shas.flatMap((sha) => {
    const r = byRow.get(sha);
    if (!r) return [];
    return [
      {
        sha,
        authorName: r.author_name,
        authoredAt: iso(r.authored_at),
        committedAt: r.committed_at ? iso(r.committed_at) : null,
        message: r.message,
        parents: r.parents ?? [],
        files: bySha.get(sha) ?? [],
        filesTotal: Number(r.files_total),
        touchesService: r.touches,
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------
// Services seen in telemetry

export interface ServiceSighting {
  namespace: string;
  name: string;
  firstSeen: Date;
  lastSeen: Date;
}

/** Upserts services with first_seen moved earlier and last_seen later; rows that would not change are not written. */
export async function touchServices(q: Queryable, sightings: ServiceSighting[]): Promise<void> {
  if (sightings.length === 0) return;
  // A fixed order, so that concurrent writers on several nodes lock rows in the same order.
  const s = [...sightings].sort((a, b) =>
    a.namespace === b.namespace ? (a.name < b.name ? -1 : 1) : a.namespace < b.namespace ? -1 : 1,
  );
  await q.query(
    `INSERT INTO service (namespace, name, first_seen, last_seen)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
     ON CONFLICT (namespace, name) DO UPDATE
       SET first_seen = LEAST(service.first_seen, EXCLUDED.first_seen),
           last_seen = GREATEST(service.last_seen, EXCLUDED.last_seen)
     WHERE service.first_seen IS NULL OR service.last_seen IS NULL
        OR EXCLUDED.first_seen < service.first_seen OR EXCLUDED.last_seen > service.last_seen`,
    [
      s.map((x) => x.namespace),
      s.map((x) => x.name),
      s.map((x) => x.firstSeen.toISOString()),
      s.map((x) => x.lastSeen.toISOString()),
    ],
  );
}

/** Names Orrery knows as services: seen in telemetry, deployed, or mapped to a repository path. */
export async function knownServiceNames(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ name: string }>(
    'SELECT name FROM service UNION SELECT service FROM service_path UNION SELECT service FROM deploy',
  );
  return rows.map((r) => r.name);
}

/** The first deploy of `version` of a service (in `environment`) at or after `since`: when a rollback went live. */
export async function firstDeployOf(
  q: Queryable,
  w: { service: string; environment: string; version: string; since: Date },
): Promise<{ id: number; deployedAt: string } | null> {
  const rows = await q.query(
    `SELECT id, deployed_at FROM deploy WHERE service = $1 AND environment = $2 AND version = $3 AND deployed_at >= $4
      ORDER BY deployed_at, id LIMIT 1`,
    [w.service, w.environment, w.version, w.since],
  );
  return rows.length ? { id: Number(rows[0]!.id), deployedAt: iso(rows[0]!.deployed_at) } : null;
}
