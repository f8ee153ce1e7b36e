// Text retrieval (code-aware tokens, BM25F): related tickets, and ticket text to source files.
export { MAX_TOKENIZE_INPUT, STOPWORDS, type TokenizeOptions, stem, tokenize } from './tokenize.js';
export {
  Bm25Index,
  type Bm25Options,
  type FieldSpec,
  type QueryTerm,
  type ScoreOptions,
  type ScoredDoc,
  type TermContribution,
  dampen,
  queryTerms,
  topDocs,
} from './bm25.js';
export {
  CODE_FIELDS,
  LOCALIZE_ALGORITHM,
  type CodeDocument,
  type CodeField,
  type CodeIndexOptions,
  type CodeIndex,
  type FileCandidate,
  type LocalizeOptions,
  type LocalizeQuery,
  buildCodeIndex,
  localizeText,
} from './localize.js';
export {
  SIMILAR_TICKETS_ALGORITHM,
  TICKET_FIELDS,
  type SimilarTicket,
  type TicketField,
  type TicketIndexOptions,
  type SimilarTicketsOptions,
  type TicketDocument,
  type TicketIndex,
  buildTicketIndex,
  rankSimilarTickets,
} from './similar-tickets.js';
