// Investigations: what `orrery investigate` produces and stores (investigate@2). Every
// finding carries a confidence, a hint (why), and the evidence it stands on; a narrative
// (from an optional LLM) may only cite finding ids. This is the published JSON schema's
// TypeScript form: docs/investigations.md documents each field.

/**
 * investigate@2: the signals of rca@3 (log flow, log statements by call site), and the users
 * a latency regression hurt counted from the requests that failed or were slower than the
 * baseline's median (investigate@1 counted everyone who used the service).
 */
export const INVESTIGATE_ALGORITHM = 'investigate@2';

/** What an investigation starts from. */
export type InvestigationSubject =
  | { kind: 'ticket'; ticketId: number }
  | { kind: 'alert'; service: string; endpoint?: string; since: string }
  | { kind: 'problem'; problemId: number };

/** The kinds of evidence, each naming the rows or the query that back a claim. */
export const EVIDENCE_KINDS = [
  'ticket',
  'log_pattern',
  'error_group',
  'endpoint',
  'edge',
  'deploy',
  'commit',
  'blame',
  'code',
  'span',
  'log',
  'users',
  'infra',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

export interface Evidence {
  kind: EvidenceKind;
  /** One line a person can read: "TypeError in cart: 147 events, 17 users since 17:29". */
  summary: string;
  /** The API request that shows the rows again (path with query), when there is one. */
  query?: string;
  /** The identity of the object: a pattern key, a fingerprint, a deploy id, a commit SHA, a path:line. */
  ref?: string;
  /** A few source rows or figures, as stored. */
  rows?: unknown[];
}

export const FINDING_KINDS = [
  'related_tickets',
  'onset',
  'signal',
  'root_cause_service',
  'change',
  'code_location',
  'suspect_commit',
  'impact',
  'priority',
  'next_step',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  /** Stable within one result: `F1`, `F2`, … in the order the steps produced them. */
  id: string;
  kind: FindingKind;
  title: string;
  /** 0..1: how sure the step is. */
  confidence: number;
  /** Why: the test, the join or the rule that produced it, in words. */
  hint: string;
  /** Never empty: nothing is stated without evidence. */
  evidence: Evidence[];
  /** The finding's figures, by kind (e.g. a signal's baseline and incident values and p-value). */
  data: Record<string, unknown>;
}

export interface PriorityScore {
  score: number;
  /** The formula in words and symbols, as printed. */
  formula: string;
  inputs: Record<string, number>;
}

export interface InvestigationResult {
  algorithm: typeof INVESTIGATE_ALGORITHM;
  subject: InvestigationSubject;
  /** The incident window and the baseline it was compared with. */
  window: { since: string; until: string; onset: string | null; baselineSince: string; baselineUntil: string };
  /** One paragraph, deterministic, citing finding ids in brackets: "[F3]". */
  summary: string;
  findings: Finding[];
  priority: PriorityScore | null;
  /** From the optional LLM, only when it passed the citation check. */
  narrative: { text: string; model: string; citations: string[] } | null;
  /** Steps that could not run, and why ("no telemetry for the ticket's users"). */
  gaps: string[];
}

/** A stored investigation: one run. A re-run is a new row that points at the run before. */
export interface Investigation {
  id: number;
  problemId: number | null;
  createdAt: string;
  previousId: number | null;
  result: InvestigationResult;
  /** Against the previous run: findings added, removed, and changed in confidence. */
  diff: InvestigationDiff | null;
}

export interface InvestigationDiff {
  added: string[];
  removed: string[];
  changed: { title: string; from: number; to: number }[];
}
