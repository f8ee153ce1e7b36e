// Deploys: recording one (API, CLI), listing them, showing one with the commit range it
// shipped, and inferring them from telemetry as new service.version values appear.
//
// Inference: after an OTLP batch commits, the (service, environment, service.version)
// tuples in it are compared with an in-memory cache; only a tuple not seen before, or seen
// with a later first record, or newly carrying a commit, touches the database. The first
// version seen for a service and environment is stored too, marked `baseline: true`: it
// is what was running when Orrery started watching (not a deploy it saw happen), and its
// commit is the base of the next deploy's range.
import { TupleMap } from '../analysis/index.js';
import type { Attributes, AttributeValue, Deploy, DeployDetail, DeployFilter } from '../model/index.js';
import {
  type DeployWrite,
  type ServiceSighting,
  type Store,
  type TelemetryBatch,
  commitRange,
  getDeploy,
  inferDeploy,
  listDeploys as listStoredDeploys,
  recordDeploy as recordStoredDeploy,
  touchServices,
} from '../store/index.js';
import type { Context } from './context.js';

export interface RecordDeployInput {
  service: string;
  version: string;
  commit?: string | null;
  /** Defaults to '' (no environment). */
  environment?: string;
  /** Defaults to now. */
  at?: Date;
  /** Defaults to 'api'. */
  source?: string;
  attributes?: Record<string, unknown>;
}

export class DeployInputError extends Error {}

/** Git object names: abbreviated (7+) to full SHA-1 (40) or SHA-256 (64), in hex. */
export const COMMIT_PATTERN = /^[0-9a-fA-F]{7,64}$/;

function clean(s: string, field: string): string {
  const v = s.trim();
  if (v === '') throw new DeployInputError(`${field}: must not be empty`);
  return v;
}

/**
 * Records (or re-records) a deploy and returns it with its commit range. With redaction on,
 * what is stored goes through the telemetry's redactor first: the attributes as attributes are
 * (a secret-named key's value becomes [REDACTED], text rules on every other string; the
 * caller's object is not changed), service, environment and version as telemetry's lifted
 * fields are, so a recorded deploy still meets the versions its telemetry reports.
 */
export async function recordDeploy(
  ctx: Pick<Context, 'store' | 'redactor'>,
  input: RecordDeployInput,
): Promise<DeployDetail & { created: boolean }> {
  const commit = input.commit?.trim() || null;
  if (commit !== null && !COMMIT_PATTERN.test(commit)) {
    throw new DeployInputError(`commit: "${commit}" is not a commit SHA (7 to 64 hex digits)`);
  }
  const at = input.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw new DeployInputError('at: not a valid time');
  const redactor = ctx.redactor;
  const text = (s: string) => (redactor ? redactor.text(s) : s);
  const attributes = structuredClone(input.attributes ?? {}) as Attributes;
  redactor?.attributes(attributes);
  const { deploy, created } = await recordStoredDeploy(ctx.store.db, {
    service: text(clean(input.service, 'service')),
    environment: text((input.environment ?? '').trim()),
    version: text(clean(input.version, 'version')),
    commitSha: commit?.toLowerCase() ?? null,
    deployedAt: at,
    source: text(input.source?.trim() || 'api'),
    attributes,
  });
  return { deploy, range: await commitRange(ctx.store.db, deploy), created };
}

export function listDeploys(ctx: Pick<Context, 'store'>, filter: DeployFilter): Promise<Deploy[]> {
  return listStoredDeploys(ctx.store.db, filter);
}

/** A deploy with its commit range expanded; null when there is no such deploy. */
export async function showDeploy(
  ctx: Pick<Context, 'store'>,
  id: number,
  opts: { restrictToService?: boolean } = {},
): Promise<DeployDetail | null> {
  const deploy = await getDeploy(ctx.store.db, id);
  if (!deploy) return null;
  return { deploy, range: await commitRange(ctx.store.db, deploy, { restrictToService: opts.restrictToService }) };
}

// ---------------------------------------------------------------------------------------
// Inference from telemetry

/** Resource attributes naming the commit a process runs, in priority order. */
const COMMIT_ATTRIBUTES = ['vcs.ref.head.revision', 'vcs.revision', 'git.commit.sha'] as const;
const SHA_LIKE = /^[0-9a-f]{7,40}$/i;
const DESCRIBE_SUFFIX = /-g([0-9a-f]{7,40})$/i;
/** Record times further ahead of arrival than this are a skewed clock, not a deploy time. */
const FUTURE_SLACK_MS = 60 * 60 * 1000;
const CACHE_LIMIT = 10_000;
const SERVICE_WRITE_INTERVAL_MS = 60_000;

/**
 * The commit a resource says it runs, and which attribute or rule said so. A version is
 * taken as a commit when it looks like a SHA (7 to 40 hex digits, not all decimal digits,
 * which would more likely be a build number) or ends in git describe's `-g<sha>`.
 */
export function commitOf(resource: Attributes, version: string | null): { sha: string; from: string } | null {
  for (const key of COMMIT_ATTRIBUTES) {
    const v: AttributeValue | undefined = resource[key];
    if (typeof v === 'string' && SHA_LIKE.test(v.trim())) return { sha: v.trim().toLowerCase(), from: key };
  }
  if (version) {
    if (SHA_LIKE.test(version) && /[a-f]/i.test(version))
      return { sha: version.toLowerCase(), from: 'service.version' };
    const m = DESCRIBE_SUFFIX.exec(version);
    if (m) return { sha: m[1]!.toLowerCase(), from: 'service.version (git describe)' };
  }
  return null;
}

/** (service, environment, version), with '' for no environment or version. */
type VersionKey = [service: string, environment: string, version: string];
/** (service.namespace, service name). */
type ServiceKey = [namespace: string, service: string];

interface Tuple {
  service: string;
  namespace: string;
  environment: string;
  version: string | null;
  resource: Attributes;
  /** Earliest and latest record times in ms; Infinity/-Infinity when none was usable. */
  min: number;
  max: number;
}

interface TimedRecord {
  service: string;
  serviceVersion: string | null;
  environment: string | null;
  resource: Attributes;
}

/**
 * Groups a batch's records by (service, environment, version) with their earliest and
 * latest times. Records of one resource are contiguous and share the resource object (and
 * its strings), so the per-record cost is a few identity comparisons and the time comparisons.
 */
export function scanBatch(batch: TelemetryBatch, nowMs: number): TupleMap<VersionKey, Tuple> {
  const tuples = new TupleMap<VersionKey, Tuple>();
  const limitMs = nowMs + FUTURE_SLACK_MS;
  let lastResource: Attributes | null = null;
  let lastEnv: string | null | undefined;
  let cur: Tuple | null = null;
  const tupleOf = (r: TimedRecord): Tuple => {
    if (
      cur &&
      r.resource === lastResource &&
      r.environment === lastEnv &&
      r.serviceVersion === cur.version &&
      r.service === cur.service
    ) {
      return cur;
    }
    const environment = r.environment ?? '';
    const key: VersionKey = [r.service, environment, r.serviceVersion ?? ''];
    let t = tuples.get(key);
    if (!t) {
      const ns = r.resource['service.namespace'];
      t = {
        service: r.service,
        namespace: typeof ns === 'string' ? ns : '',
        environment,
        version: r.serviceVersion,
        resource: r.resource,
        min: Number.POSITIVE_INFINITY,
        max: Number.NEGATIVE_INFINITY,
      };
      tuples.set(key, t);
    }
    lastResource = r.resource;
    lastEnv = r.environment;
    cur = t;
    return t;
  };
  const see = (t: Tuple, ns: number) => {
    if (!(ns > 0)) return;
    // A double holds today's nanoseconds to about 256 ns, so x.000 ms can arrive as
    // (x-1).99999974 ms: values within half a microsecond below a millisecond count as it.
    const ms = Math.floor(ns / 1e6 + 0.0005);
    if (ms > limitMs) return;
    if (ms < t.min) t.min = ms;
    if (ms > t.max) t.max = ms;
  };
  for (const s of batch.spans) see(tupleOf(s), s.startTimeUnixNano);
  for (const l of batch.logs) see(tupleOf(l), l.timeUnixNano > 0 ? l.timeUnixNano : l.observedTimeUnixNano);
  for (const m of batch.metrics) see(tupleOf(m), m.timeUnixNano);
  return tuples;
}

interface SeenVersion {
  /** The stored deploy's time in ms (for an inferred deploy, its earliest record). */
  minMs: number;
  hasCommit: boolean;
  /** A recorded deploy: telemetry no longer changes it. */
  frozen: boolean;
}

interface SeenService {
  lastWriteMs: number;
  pending: ServiceSighting | null;
}

/**
 * Per-store inference state: which versions and services this process already wrote, so
 * that the ingest path only reaches the database for news. Safe with several Orrery nodes
 * on one PostgreSQL: the writes are idempotent upserts under a per-service lock.
 */
export class DeployInference {
  private readonly versions = new TupleMap<VersionKey, SeenVersion>();
  private readonly services = new TupleMap<ServiceKey, SeenService>();
  failures = 0;
  lastError: string | null = null;

  constructor(private readonly store: Store) {}

  /** Looks at a committed batch; never throws (the batch is already accepted). */
  async observe(batch: TelemetryBatch, nowMs: number = Date.now()): Promise<void> {
    const tuples = scanBatch(batch, nowMs);
    const work: Promise<unknown>[] = [];
    const sightings = this.serviceSightings(tuples, nowMs);
    if (sightings.length) work.push(this.guard(this.touch(sightings)));
    for (const [key, t] of tuples) {
      if (t.version === null) continue;
      const write = this.deployWrite(key, t, nowMs);
      if (write) work.push(this.guard(this.infer(key, write)));
    }
    await Promise.all(work);
  }

  private async guard(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (err) {
      this.failures++;
      this.lastError = (err as Error).message;
    }
  }

  private async touch(sightings: ServiceSighting[]): Promise<void> {
    try {
      await touchServices(this.store.db, sightings);
    } catch (err) {
      for (const s of sightings) this.services.delete([s.namespace, s.name]); // retried with the next batch
      throw err;
    }
  }

  /** The upsert a tuple needs, or null when the cache says it changes nothing. */
  private deployWrite(key: VersionKey, t: Tuple, nowMs: number): DeployWrite | null {
    const at = Number.isFinite(t.min) ? t.min : nowMs;
    const commit = commitOf(t.resource, t.version);
    const seen = this.versions.get(key);
    if (seen && (seen.frozen || (at >= seen.minMs && (seen.hasCommit || !commit)))) return null;
    if (this.versions.size >= CACHE_LIMIT) this.versions.clear();
    // Claimed before the write, so that concurrent batches with later records skip it.
    this.versions.set(key, {
      minMs: Math.min(at, seen?.minMs ?? at),
      hasCommit: Boolean(seen?.hasCommit || commit),
      frozen: false,
    });
    return {
      service: t.service,
      environment: t.environment,
      version: t.version!,
      commitSha: commit?.sha ?? null,
      deployedAt: new Date(at),
      source: 'telemetry',
      attributes: commit ? { commitFrom: commit.from } : {},
    };
  }

  private async infer(key: VersionKey, w: DeployWrite): Promise<void> {
    try {
      const d = await inferDeploy(this.store.db, w);
      this.versions.set(key, { minMs: Date.parse(d.deployedAt), hasCommit: d.commitSha !== null, frozen: !d.inferred });
    } catch (err) {
      this.versions.delete(key);
      throw err;
    }
  }

  /** Services due a first_seen/last_seen write: new to this process, or not written for a minute. */
  private serviceSightings(tuples: TupleMap<VersionKey, Tuple>, nowMs: number): ServiceSighting[] {
    const due: ServiceSighting[] = [];
    const batch = new TupleMap<ServiceKey, ServiceSighting>();
    for (const t of tuples.values()) {
      const first = Number.isFinite(t.min) ? t.min : nowMs;
      const last = Number.isFinite(t.max) ? Math.min(t.max, nowMs) : nowMs;
      const key: ServiceKey = [t.namespace, t.service];
      const s = batch.get(key);
      if (s) {
        if (first < s.firstSeen.getTime()) s.firstSeen = new Date(first);
        if (last > s.lastSeen.getTime()) s.lastSeen = new Date(last);
      } else {
        batch.set(key, {
          namespace: t.namespace,
          name: t.service,
          firstSeen: new Date(first),
          lastSeen: new Date(last),
        });
      }
    }
    if (this.services.size >= CACHE_LIMIT) this.services.clear();
    for (const [key, s] of batch) {
      const seen = this.services.get(key);
      if (!seen) {
        this.services.set(key, { lastWriteMs: nowMs, pending: null });
        due.push(s);
        continue;
      }
      const p = seen.pending;
      seen.pending = p
        ? {
            ...p,
            firstSeen: s.firstSeen < p.firstSeen ? s.firstSeen : p.firstSeen,
            lastSeen: s.lastSeen > p.lastSeen ? s.lastSeen : p.lastSeen,
          }
        : s;
      if (nowMs - seen.lastWriteMs >= SERVICE_WRITE_INTERVAL_MS) {
        due.push(seen.pending);
        seen.pending = null;
        seen.lastWriteMs = nowMs;
      }
    }
    return due;
  }
}

const inference = new WeakMap<Store, DeployInference>();

/** The inference state of `ctx`'s store, created (and its failure gauge registered) on first use. */
export function deployInference(ctx: Pick<Context, 'store' | 'metrics'>): DeployInference {
  let d = inference.get(ctx.store);
  if (!d) {
    const created = new DeployInference(ctx.store);
    d = created;
    inference.set(ctx.store, created);
    ctx.metrics.gauge(
      'orrery_deploy_inference_failures',
      'Deploy inference or service upkeep writes that failed since start (the telemetry itself was stored).',
      () => created.failures,
    );
  }
  return d;
}
