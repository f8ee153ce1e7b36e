// What explain and ask read: one AnswerWorld, the code index's symbols, routes, log call
// sites, files with owners, the static calls between code units, the runtime graph of a
// sample of traces, RED per endpoint, error groups, commits, tickets, docs and open problems.
// The workflows fill it from the store and git; a bench may fill it from files.
import type { RuntimeGraph } from './runtime-graph.js';

export const EXPLAIN_ALGORITHM = 'explain@1';
export const ASK_ALGORITHM = 'ask@1';

export interface EnclosingSymbol {
  name: string;
  parent: string | null;
  startLine: number;
  endLine: number;
}

export interface SymbolFact {
  repository: string;
  path: string;
  name: string;
  parent: string | null;
  kind: string;
  startLine: number;
  endLine: number;
  service: string | null;
}

export interface RouteFact {
  repository: string;
  path: string;
  line: number;
  service: string | null;
  /** Upper case; null when the registration takes any method. */
  method: string | null;
  routePath: string;
  handler: string | null;
  symbol: EnclosingSymbol | null;
}

export interface CallsiteFact {
  repository: string;
  path: string;
  line: number;
  service: string | null;
  level: string | null;
  template: string;
  symbol: EnclosingSymbol | null;
}

export interface FileFact {
  repository: string;
  path: string;
  owners: string[];
  service: string | null;
}

/** A code unit as a static call names it: a function, a method, or a route registration. */
export interface UnitFact {
  repository: string;
  path: string;
  name: string;
  startLine: number;
  endLine: number;
  /** `GET /carts/:user` for a route registration's inline handler. */
  route: { method: string | null; path: string } | null;
}

export interface StaticCall {
  from: UnitFact;
  to: UnitFact;
}

export interface EndpointRedFact {
  service: string;
  endpoint: string;
  requests: number;
  errors: number;
  p95Ms: number | null;
}

export interface ErrorGroupFact {
  fingerprint: string;
  service: string;
  type: string;
  message: string;
  events: number;
  /** In-app frames, innermost first. */
  frames: Array<{ file: string; line: number | null; function: string | null }>;
}

export interface CommitFact {
  repository: string;
  sha: string;
  message: string;
  author: string | null;
  /** ISO. */
  at: string;
  files: string[];
}

export interface TicketFact {
  id: number;
  title: string;
  body: string;
  status: string;
}

export interface DocFact {
  repository: string;
  path: string;
  text: string;
}

export interface ProblemFact {
  id: number;
  title: string;
  status: string;
  /** What the problem is about: `error`, `pattern`, `edge`, `ticket`. */
  kind: string;
  services: string[];
  /** Fingerprints and pattern keys it holds. */
  errorGroups: string[];
}

export interface AnswerWorld {
  window: { since: string; until: string };
  /** Minutes in the window, for calls per minute. */
  minutes: number;
  services: string[];
  symbols: SymbolFact[];
  routes: RouteFact[];
  callsites: CallsiteFact[];
  files: FileFact[];
  staticCalls: StaticCall[];
  runtime: RuntimeGraph;
  endpoints: EndpointRedFact[];
  errorGroups: ErrorGroupFact[];
  commits: CommitFact[];
  tickets: TicketFact[];
  docs: DocFact[];
  problems: ProblemFact[];
  /** What could not be read. */
  gaps: string[];
}

/** A world with nothing in it but its window: what a reader fills. */
export function emptyAnswerWorld(window: { since: string; until: string }, minutes = 1): AnswerWorld {
  return {
    window,
    minutes,
    services: [],
    symbols: [],
    routes: [],
    callsites: [],
    files: [],
    staticCalls: [],
    runtime: emptyRuntime(),
    endpoints: [],
    errorGroups: [],
    commits: [],
    tickets: [],
    docs: [],
    problems: [],
    gaps: [],
  };
}

export function emptyRuntime(): RuntimeGraph {
  return { nodes: [], edges: [], logs: [], traces: 0 };
}

/** `path:line`, the ref a code citation carries. */
export function refOf(path: string, line: number): string {
  return `${path}:${line}`;
}
