// The audit trail as the API and the CLI show it: each entry (who did what, when, to what),
// its place in the hash chain, and the result of checking the chain.

/** One audit entry. `seq`, `prevHash`, `hash` and `mac` are null for entries written before the chain began. */
export interface AuditEntry {
  id: number;
  seq: number | null;
  at: string;
  /** `token:<id>` for an API token, `anonymous-loopback`, `cli-offline`, `bootstrap`, `system`. */
  actor: string;
  /** A dotted verb, e.g. `token.create`. */
  action: string;
  subjectKind: string | null;
  subjectId: string | null;
  detail: unknown;
  prevHash: string | null;
  hash: string | null;
  mac: string | null;
}

/** The newest chain position this node wrote or checked, signed with the audit key; kept outside the database. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  mac: string;
  writtenAt: string;
}

export type AuditProblemKind =
  /** A position of the chain is missing (an entry deleted) or repeated. */
  | 'gap'
  /** An entry's prevHash is not the hash of the entry before it. */
  | 'link'
  /** An entry's fields no longer give its hash (edited in place). */
  | 'hash'
  /** An entry's MAC does not verify (rewritten with the hash recomputed, or another key). */
  | 'mac'
  /** An entry newer than the chain's start that is not in the chain. */
  | 'unchained'
  /** The entries before the chain began are not the ones it started after. */
  | 'genesis'
  /** The anchor's own MAC does not verify. */
  | 'anchor'
  /** The chain ends before the anchor, or differs from it at the anchor's position. */
  | 'truncated';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The entry's row id and chain position, where the problem is one entry's. */
  id: number | null;
  seq: number | null;
  message: string;
}

export interface AuditVerification {
  /** True when no problem was found. */
  ok: boolean;
  entries: number;
  chained: number;
  /** Entries written before the chain began: their count is checked, their fields are not covered. */
  legacy: number;
  head: { seq: number; hash: string } | null;
  /** The anchor checked against; null when this node has none yet (then a truncated tail cannot be told). */
  anchor: { seq: number; hash: string; writtenAt: string } | null;
  problems: AuditProblem[];
}
