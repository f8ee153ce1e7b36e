// Investigations: what `orrery investigate` produces and stores (investigate@5). Every
// finding carries a confidence, a hint (why), and the evidence it stands on; a narrative
// (from an optional LLM) may only cite finding ids. This is the published JSON schema's
// TypeScript form (the findings are in findings.ts): docs/investigations.md documents each field.
import type { Finding } from './findings.js';

/**
 * investigate@5: investigate@4 (investigate@3 — round 1's results, with the ids of the
 * algorithms it used in `algorithms` — with an alert's window from its onset, rca@5's span-tree
 * findings, and the issue-18 changes the changelog lists) with self time and edge own time read
 * from the per-minute roll-up where a minute has one. The changelog is src/analysis/versions.ts.
 */
export const INVESTIGATE_ALGORITHM = 'investigate@5';

/** Every id a stored investigation may carry: runs keep the id that made them. */
export const INVESTIGATE_ALGORITHMS = [
  'investigate@2',
  'investigate@3',
  'investigate@4',
  INVESTIGATE_ALGORITHM,
] as const;
export type InvestigateAlgorithm = (typeof INVESTIGATE_ALGORITHMS)[number];

/**
 * The ids of the algorithms a run used (investigate@3 on). `rca` is absent when nothing was
 * ranked, `similar-tickets` unless the subject is a ticket (its related tickets), `localize-text`
 * unless a code location came from the ticket's text; patterns and errors are the ids of the
 * groups its signals name.
 */
export interface InvestigationAlgorithms {
  rca?: string;
  'similar-tickets'?: string;
  'localize-text'?: string;
  patterns: string;
  errors: string;
}

/** What an investigation starts from. */
export type InvestigationSubject =
  | { kind: 'ticket'; ticketId: number }
  | { kind: 'alert'; service: string; endpoint?: string; since: string }
  | { kind: 'problem'; problemId: number };

export interface PriorityScore {
  score: number;
  /** The formula in words and symbols, as printed. */
  formula: string;
  inputs: Record<string, number>;
}

export interface InvestigationResult {
  algorithm: InvestigateAlgorithm;
  /** Absent from investigate@2 runs. */
  algorithms?: InvestigationAlgorithms;
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

/** One run as /api/investigations lists it: the subject, how many findings, the priority score. */
export interface InvestigationSummary {
  id: number;
  createdAt: string;
  subject: InvestigationSubject;
  previousId: number | null;
  findings: number;
  priority: number | null;
}
