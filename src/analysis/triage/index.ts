// triage@1: one prioritized queue of problems from the window's error groups, log patterns,
// service graph and tickets, duplicates merged, each problem with its members and reasons.
export {
  triageProblems,
  rulesOf,
  isErrorLevel,
  SEVERITY,
  DEFAULT_TICKET_MIN_SCORE,
  TICKET_MIN_MARGIN,
} from './cluster.js';
export { sameFault, quoteShare, EVIDENCE_DEFAULTS } from './evidence.js';
export type { Evidence, EvidenceOptions, Evidential } from './evidence.js';
export { pearson, follows, growthOf, FOLLOW_DEFAULTS } from './series.js';
export type { Follow, FollowOptions, Signal } from './series.js';
export {
  scoreTicket,
  ticketClues,
  wordSet,
  TICKET_WEIGHTS,
  MIN_MESSAGE_CONTAINMENT,
  MIN_MESSAGE_WORDS,
} from './ticket-match.js';
export type { ProblemProfile, TicketClues, TicketScore } from './ticket-match.js';
export { TRIAGE_ALGORITHM } from './types.js';
export type {
  MemberKind,
  Owners,
  ProblemMember,
  TriageErrorGroup,
  TriageInput,
  TriageOptions,
  TriagePattern,
  TriageResult,
  TriageTicket,
  TriageTrend,
  TriageWindow,
  TriagedProblem,
} from './types.js';
