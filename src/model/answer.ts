// What `orrery explain` and `orrery ask` answer: lines of text, each citing the evidence that
// backs it (a `file:line` in an indexed repository, or an API query that returns the rows), in
// the Evidence shape the investigation's findings use. One home for the server, the CLI, the
// web UI and MCP.
import type { Evidence } from './findings.js';

/** One statement of an answer and what backs it; `evidence` is never empty. */
export interface AnswerLine {
  text: string;
  evidence: Evidence[];
}

export interface AnswerSection {
  /** `Callers`, `Downstream services`, … */
  title: string;
  lines: AnswerLine[];
  /** Said when the section is empty: why nothing is listed. */
  empty?: string;
}

export type ExplainTargetKind = 'symbol' | 'route' | 'service' | 'location';

/** What an explain target resolved to. */
export interface ExplainTarget {
  kind: ExplainTargetKind;
  /** As a reader names it: `summarizeCart`, `GET /carts/:user`, `cart`, `services/cart/src/server.js:42`. */
  name: string;
  service: string | null;
  repository: string | null;
  path: string | null;
  /** 1-based and inclusive; null for a service. */
  startLine: number | null;
  endLine: number | null;
}

export interface ExplainResult {
  algorithm: string;
  /** The target as asked. */
  query: string;
  target: ExplainTarget;
  /** One line: what it is and where it lives. */
  summary: AnswerLine;
  sections: AnswerSection[];
  /** The telemetry window read (ISO). */
  window: { since: string; until: string };
  /** What could not be read, and why. */
  gaps: string[];
}

/**
 * The body of GET /api/explain's 400 when the target names nothing or several things:
 * the nearest names (an unknown target), or the candidates, each written so that explain
 * takes it at once (an ambiguous one). Both empty for a target that is missing or too long.
 */
export interface ExplainRefusal {
  statusCode: 400;
  error: string;
  message: string;
  suggestions: string[];
  candidates: ExplainTarget[];
}

/** The kinds of thing a question's words can name. */
export const ANSWER_ENTITY_KINDS = [
  'service',
  'endpoint',
  'route',
  'symbol',
  'template',
  'file',
  'doc',
  'commit',
  'ticket',
  'owner',
] as const;
export type AnswerEntityKind = (typeof ANSWER_ENTITY_KINDS)[number];

export interface AnswerEntity {
  kind: AnswerEntityKind;
  /** `cart`, `cart GET /carts/:user`, `summarizeCart`, a template, a path, a SHA, a ticket id, an owner. */
  name: string;
  service: string | null;
  /** `path:line` when it lives in code. */
  ref: string | null;
  /** Retrieval score (BM25), or 0 for an entity found by the walk. */
  score: number;
}

export type AnswerStepKind = 'endpoint' | 'handler' | 'call' | 'http' | 'span';

/** One step of a path through the code and runtime graph. */
export interface AnswerStep {
  kind: AnswerStepKind;
  service: string;
  /** The endpoint (`GET /carts/:user`), the function or the span's name. */
  name: string;
  /** `path:line` of its code, when the index has it. */
  ref: string | null;
  line: AnswerLine;
}

export type AskIntent = 'path' | 'callers' | 'logged' | 'owners' | 'where';

export interface AskResult {
  algorithm: string;
  question: string;
  intent: AskIntent;
  /** What retrieval and the walk found, best first. */
  entities: AnswerEntity[];
  /** For a "how does A reach B" question: the steps from A to B; null when not asked or not found. */
  path: AnswerStep[] | null;
  /** The deterministic answer: each line cites its evidence. */
  lines: AnswerLine[];
  /** Files named in the answer, best first. */
  files: string[];
  /** The prose shown: the model's when it passed the citation check, else the deterministic lines joined. */
  answer: { text: string; source: 'deterministic' | 'llm'; model: string | null; citations: string[] };
  window: { since: string; until: string };
  gaps: string[];
}
