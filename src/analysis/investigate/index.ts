// investigate@1's pure parts: the Markdown rendering and the diff between runs.
export { diffInvestigations } from './diff.js';
export { investigationMarkdown } from './markdown.js';
export { relateTickets, RELATED_WEIGHTS, DUPLICATE_MIN_TEXT } from './related-tickets.js';
export type { TicketFacts, RelatedTicket, RelateOptions } from './related-tickets.js';
export { FindingList, changeFinding, priorityScore, rcaFindings, signalEvidence } from './findings.js';
export type { ImpactInput } from './findings.js';
