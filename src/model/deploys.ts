// Deploys and the commit ranges they shipped. A deploy is identified by service +
// environment + version; it is recorded (API, CLI) or inferred from telemetry.
import type { DeployVerdictSummary } from './deploy-verification.js';

/** Where a deploy's record came from: 'api', 'cli', 'telemetry' (inferred) or a caller's own name. */
export type DeploySource = string;

export interface Deploy {
  id: number;
  service: string;
  /** '' when the deploy or its telemetry named no environment. */
  environment: string;
  version: string;
  /** The head commit it shipped (lower-case hex, possibly abbreviated), or null when unknown. */
  commitSha: string | null;
  /** The head of the previous deploy (by time) of the same service and environment that had one. */
  previousCommitSha: string | null;
  /** ISO-8601, millisecond precision. For an inferred deploy, the earliest record of the version. */
  deployedAt: string;
  inferred: boolean;
  source: DeploySource;
  /**
   * Free-form details. Set by Orrery: `baseline` (true on the first version telemetry showed
   * for a service and environment: Orrery saw it running, not being deployed), `commitFrom`
   * (which attribute gave the commit), `firstSeenInTelemetry` (kept when a recorded deploy
   * overrides an inferred one).
   */
  attributes: Record<string, unknown>;
  /** Its verification's decided verdict (deploy-verify); null while watched or never verified. Absent on deploys built outside the store. */
  verdict?: DeployVerdictSummary | null;
}

export interface DeployFilter {
  service?: string;
  environment?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

export interface CommitFileChange {
  path: string;
  additions: number | null;
  deletions: number | null;
}

export interface RangeCommit {
  sha: string;
  authorName: string | null;
  authoredAt: string;
  committedAt: string | null;
  message: string;
  parents: string[];
  files: CommitFileChange[];
  /** Files the commit changed; `files` holds at most a bounded number of them. */
  filesTotal: number;
  /** Whether a changed file is under the service's path prefix; null when the repository has no prefix for it. */
  touchesService: boolean | null;
}

/** The commits a deploy shipped: (previous deploy's head, this deploy's head]. */
export interface CommitRange {
  head: string | null;
  base: string | null;
  repository: { id: number; name: string } | null;
  /** Newest first (a commit before its parents). */
  commits: RangeCommit[];
  /** The list may be incomplete: the walk hit its bound, the base is not an indexed commit, or history has gaps. */
  truncated: boolean;
  /** The base commit is in the indexed history. */
  baseFound: boolean;
  /** The head is an ancestor of the base: the deploy went back to older code and shipped no new commits. */
  rollback: boolean;
  /** The service's sub-folder in a monorepo ('' or null for the whole repository). */
  pathPrefix: string | null;
  /** Only commits touching `pathPrefix` are listed (asked for with `paths=service`). */
  restrictedToService: boolean;
  /** Why the list is empty or partial, in words; null when there is nothing to say. */
  note: string | null;
}

export interface DeployDetail {
  deploy: Deploy;
  range: CommitRange;
}
