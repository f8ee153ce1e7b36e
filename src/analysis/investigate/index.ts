// investigate@5's pure parts: the decisions buildInvestigation makes from the facts read (anchor,
// windows, candidates, impact, next steps, summary), the findings, the Markdown rendering and the diff between runs.
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
  type CitableSource,
  checkCitedText,
  checkNarrative,
  narrativeMessages,
  splitSentences,
  NARRATIVE_MAX_CHARS,
  NARRATIVE_PROMPT_MAX_CHARS,
} from './narrative.js';
export type { ChatMessage, NarrativeCheck } from './narrative.js';
export { alertOnset, serviceBuckets } from './alert-onset.js';
export type { AlertOnset, AlertOnsetOptions, ServiceMinute } from './alert-onset.js';
export { groupOfMessage, ticketOnset, ticketWindow } from './onset.js';
export type { OnsetGroup, TicketOnset, TicketWindowInput, TicketWindowOptions, UsersFailure } from './onset.js';
export type {
  Anchor,
  CandidateChange,
  CodeStepResult,
  EntryFailures,
  HurtUsers,
  ImpactActivity,
  ImpactErrorGroup,
  ImpactPattern,
  InvestigationFacts,
  InvestigationWindows,
  LoadFacts,
  ProblemSubjectFacts,
  ServiceImpactFacts,
  TicketSubjectFacts,
  TrafficRow,
  UserActivity,
  VersionMinute,
} from './facts.js';
export {
  BASELINE_BUCKETS,
  BASELINE_FACTOR,
  BASELINE_MAX_MS,
  BASELINE_MIN_MS,
  INCIDENT_BUCKETS,
  TICKET_LOOK_BACK_MS,
  TICKET_WINDOW_AFTER_MS,
  alertAnchor,
  failingOrder,
  investigationWindows,
  problemAnchor,
  ticketAnchor,
  ticketService,
  ticketUntil,
} from './anchor.js';
export type { WindowOptions } from './anchor.js';
export {
  CHANGE_LOOK_BACK_MS,
  FLOW_CANDIDATES,
  candidateServices,
  firstRanking,
  focusOf,
  impactOrder,
  likelyChange,
  OWN_FAULT,
  faultScope,
  restrictToEndpoint,
  rootCandidates,
  withFlows,
} from './candidates.js';
export type { RankOptions } from './candidates.js';
export {
  ENTRY_TRACES,
  SLOW_QUANTILE,
  countsImpact,
  countsPattern,
  hurtThreshold,
  impactFindings,
  impactReads,
  slowThreshold,
} from './impact.js';
export type { ImpactOptions } from './impact.js';
export { codeFindings } from './code-findings.js';
export type { CodeFindings } from './code-findings.js';
export { nextSteps } from './next-steps.js';
export type { NextStepInput } from './next-steps.js';
export { summaryOf } from './summary.js';
export {
  compareVersions,
  judgeLoadChange,
  loadChangeFinding,
  loadJudgement,
  versionWords,
} from './load-change.js';
export type { LoadChange, LoadOptions, VersionComparison } from './load-change.js';
export {
  problemTicketsFinding,
  relatedFinding,
  ticketEvidence,
  ticketFindings,
  usersFailedFinding,
} from './ticket-findings.js';
export { buildInvestigation } from './build.js';
