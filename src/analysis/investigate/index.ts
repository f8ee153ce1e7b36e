// investigate@2's pure parts: the Markdown rendering and the diff between runs.
export { diffInvestigations } from './diff.js';
export { investigationMarkdown } from './markdown.js';
export { relateTickets, RELATED_WEIGHTS, DUPLICATE_MIN_TEXT } from './related-tickets.js';
export type { TicketFacts, RelatedTicket, RelateOptions } from './related-tickets.js';
export { FindingList, changeFinding, priorityScore, rcaFindings, signalEvidence } from './findings.js';
export type { ImpactInput } from './findings.js';
export {
  LOCATION_WEIGHTS,
  SUSPECT_WEIGHTS,
  changeKind,
  changedHints,
  loopCallHints,
  enclosingSymbol,
  matchFramePath,
  pathConcernsService,
  qualifiedName,
  rankCodeLocations,
  rankSuspectCommits,
  symbolFor,
} from './code-suspects.js';
export type {
  BlamedLine,
  CodeFileFacts,
  CodeLocation,
  CodeSymbol,
  CommitFacts,
  LocationHint,
  LocationSource,
  SuspectCommit,
  SuspectInput,
} from './code-suspects.js';
export {
  checkNarrative,
  narrativeMessages,
  splitSentences,
  NARRATIVE_MAX_CHARS,
  NARRATIVE_PROMPT_MAX_CHARS,
} from './narrative.js';
export type { ChatMessage, NarrativeCheck } from './narrative.js';
export { groupOfMessage, ticketOnset } from './ticket-onset.js';
export type { OnsetGroup, TicketOnset, UsersFailure } from './ticket-onset.js';
