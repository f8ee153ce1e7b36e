// Pure analysis: plain data in, plain results out, no I/O (checked by the dependency rule).
export { parseTimeArg, TimeArgError } from './time-arg.js';
export { walkCommitRange, COMMIT_RANGE_ALGORITHM } from './commit-range.js';
export type { CommitNode, CommitRangeOptions, CommitRangeWalk } from './commit-range.js';
export { keyedHash, isKeyedHash, normalizeIdentity } from './identity-hash.js';
export {
  extractMentions,
  ticketMentions,
  redactEmails,
  routeTemplate,
  routeKey,
  errorTemplate,
  TICKET_MENTIONS_ALGORITHM,
} from './ticket-mentions.js';
export type { ExtractOptions, TicketText } from './ticket-mentions.js';
export {
  languageOf,
  compileQueries,
  extractFromTree,
  CODE_EXTRACTION_ALGORITHM,
  toTemplate,
  parseCodeowners,
  ownersOf,
  codeownersRegex,
  inferServicePaths,
  normalizeServiceName,
  serviceOf,
} from './code/index.js';
export type {
  CodeLanguage,
  CodeQueries,
  CodeownerRule,
  ExtractedCallsite,
  ExtractedRoute,
  ExtractedSymbol,
  FileExtraction,
  ServiceMapInput,
  ServicePath,
  SymbolKind,
} from './code/index.js';
