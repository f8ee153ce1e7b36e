// What the code endpoints answer: one indexed commit with its patch (/api/repos/:repo/commits/:sha)
// and `git blame` of a line range (/api/blame). Dates are Dates on the server and ISO strings on
// the wire (`Json<T>`, model/json.ts). Also the indexed repositories (/api/repos) and their files
// (/api/repos/:repo/files).
import type { CommitFileChange } from './deploys.js';

/** A commit as the code index keeps it. */
export interface CommitRecord {
  sha: string;
  parents: string[];
  authorName: string | null;
  authorEmailHash: string | null;
  authoredAt: Date;
  committedAt: Date | null;
  message: string;
  files: CommitFileChange[];
}

export interface CommitDetail {
  repository: string;
  commit: CommitRecord;
  patch: string;
  /** True when the patch was longer than the server's limit and was cut. */
  truncated: boolean;
}

export interface BlameLine {
  /** The line number in the blamed revision. */
  line: number;
  /** The line number in the commit that last changed it. */
  originalLine: number;
  sha: string;
  authorName: string;
  authorTime: Date;
  summary: string;
  /** The file as it was called in that commit (it may have been renamed since). */
  originalPath: string;
  text: string;
}

export interface BlameResult {
  repository: string;
  path: string;
  /** The commit blamed at: the synced head, or HEAD when the repository was never synced. */
  rev: string;
  lines: BlameLine[];
}

/** An indexed repository as stored. */
export interface RepositoryRecord {
  id: number;
  name: string;
  path: string;
  defaultBranch: string | null;
  headSha: string | null;
  syncedAt: Date | null;
}

/** A repository as /api/repos lists it: with its counts and the services its paths map to. */
export interface RepositorySummary extends RepositoryRecord {
  files: number;
  commits: number;
  symbols: number;
  services: string[];
}

/** One indexed file (/api/repos/:repo/files). */
export interface FileRecord {
  id: number;
  repository: string;
  path: string;
  language: string | null;
  lines: number | null;
  owners: string[];
  service: string | null;
  skipped: string | null;
  symbols: number;
}
