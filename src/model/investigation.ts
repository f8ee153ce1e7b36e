// Investigations: what `orrery investigate` produces and stores (investigate@2). Every
// finding carries a confidence, a hint (why), and the evidence it stands on; a narrative
// (from an optional LLM) may only cite finding ids. This is the published JSON schema's
// TypeScript form (the findings are in findings.ts): docs/investigations.md documents each field.
import type { Finding } from './findings.js';

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

/** One run as /api/investigations lists it: the subject, how many findings, the priority score. */
export interface InvestigationSummary {
  id: number;
  createdAt: string;
  subject: InvestigationSubject;
  previousId: number | null;
  findings: number;
  priority: number | null;
}
