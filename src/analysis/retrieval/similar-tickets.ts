// Related tickets by text: BM25F over each ticket's title and body with code-aware tokens.
// Entity joins (same users, accounts, routes, time) are layered on top by the caller; this
// is the text part, with the shared words as its evidence.
import { Bm25Index, type FieldSpec, type QueryTerm, dampen, queryTerms } from './bm25.js';
import { tokenize } from './tokenize.js';

export const SIMILAR_TICKETS_ALGORITHM = 'similar-tickets@1';

export interface TicketDocument {
  id: string;
  title: string;
  body?: string | null;
  /** Creation time (ms since the epoch); tickets without one are always candidates. */
  createdAt?: number | null;
}

export interface SimilarTicketsOptions {
  /** How many tickets to return (default 10). */
  limit?: number;
  /** Only tickets created at or before this time (ms) are candidates: what existed when the
   *  query ticket was looked at. */
  createdUntil?: number;
  /** Ticket ids never returned (the query's own id is always left out). */
  exclude?: ReadonlySet<string>;
}

export interface SimilarTicket {
  id: string;
  score: number;
  /** The shared words with the largest share of the score, best first. */
  terms: string[];
  hint: string;
}

export type TicketField = 'title' | 'body';

/** Field weights and normalisation, one configuration for every ticket system and the
 *  same shape as for code: the short field weighs 3 with b 0.5, the long one 1 with b 0.75. */
export const TICKET_FIELDS: Readonly<Record<TicketField, FieldSpec>> = {
  title: { weight: 3, b: 0.5 },
  body: { weight: 1, b: 0.75 },
};
const QUERY_TITLE_WEIGHT = 2;

export interface TicketIndex {
  readonly algorithm: string;
  readonly ids: readonly string[];
  readonly createdAt: Float64Array;
  readonly bm25: Bm25Index<TicketField>;
}

export interface TicketIndexOptions {
  /** Field weights and b (default TICKET_FIELDS); for experiments, results change with them. */
  fields?: Readonly<Record<TicketField, FieldSpec>>;
  /** BM25 k1 (default 1.2). */
  k1?: number;
}

/** Indexes tickets once for many rankSimilarTickets calls. */
export function buildTicketIndex(tickets: readonly TicketDocument[], opts: TicketIndexOptions = {}): TicketIndex {
  return {
    algorithm: SIMILAR_TICKETS_ALGORITHM,
    ids: tickets.map((t) => t.id),
    createdAt: Float64Array.from(tickets, (t) =>
      typeof t.createdAt === 'number' && Number.isFinite(t.createdAt) ? t.createdAt : Number.NaN,
    ),
    bm25: Bm25Index.build(
      tickets.map((t) => ({ title: tokenize(t.title), body: t.body ? tokenize(t.body) : [] })),
      opts.fields ?? TICKET_FIELDS,
      { k1: opts.k1 },
    ),
  };
}

function toQuery(t: Pick<TicketDocument, 'title' | 'body'>): QueryTerm[] {
  const counts = queryTerms(tokenize(t.title), QUERY_TITLE_WEIGHT);
  if (t.body) queryTerms(tokenize(t.body), 1, counts);
  return dampen(counts);
}

/** The tickets whose text is closest to the query ticket's, best first. */
export function rankSimilarTickets(
  query: Pick<TicketDocument, 'title' | 'body'> & { id?: string },
  index: TicketIndex,
  opts: SimilarTicketsOptions = {},
): SimilarTicket[] {
  const terms = toQuery(query);
  const until = opts.createdUntil;
  const accept = (d: number) => {
    const id = index.ids[d]!;
    if (id === query.id || opts.exclude?.has(id)) return false;
    if (until !== undefined) {
      const c = index.createdAt[d]!;
      if (!Number.isNaN(c) && c > until) return false;
    }
    return true;
  };
  return index.bm25.search(terms, { limit: opts.limit ?? 10, accept }).map(({ doc, score }) => {
    const shared = index.bm25
      .explain(terms, doc)
      .slice(0, 5)
      .map((c) => c.term);
    return { id: index.ids[doc]!, score, terms: shared, hint: `shares ${shared.join(', ')}` };
  });
}
