// Step 1 of an investigation: the tickets related to the one under investigation, and which
// of them are duplicates. Text similarity (similar-tickets@1: BM25F, code-aware tokens) is
// joined with shared entities (the same users, accounts, error names, routes, trace ids)
// and time proximity. Pure: tickets in, ranked tickets out.
import { buildTicketIndex, rankSimilarTickets } from '../retrieval/index.js';

export interface TicketFacts {
  id: number;
  externalId: string;
  title: string;
  body: string;
  /** Epoch ms. */
  createdAt: number;
  /**
   * Join keys as `kind:value` (mention kinds: `user:…`, `account:…`, `email:h:…`,
   * `error:TypeError`, `route:/api/cart`, `trace:…`). Routes and errors use their template
   * where there is one, so `/cart/123` and `/cart/456` join.
   */
  entities: readonly string[];
}

export interface RelatedTicket {
  id: number;
  externalId: string;
  title: string;
  /** 0..1, the weighted sum below. */
  score: number;
  /** 0..1: the BM25 score over the best candidate's. */
  text: number;
  sharedWords: string[];
  sharedEntities: string[];
  hoursApart: number;
  duplicate: boolean;
  hint: string;
}

/** Who the ticket is about: sharing one of these is strong evidence of the same problem. */
const PERSON = new Set(['user', 'account', 'email']);
/** What went wrong: sharing one of these is evidence of the same fault. */
const FAULT = new Set(['error', 'route', 'trace', 'url']);

export const RELATED_WEIGHTS = { text: 0.55, person: 0.15, fault: 0.2, time: 0.1 } as const;
/**
 * A duplicate reads like the ticket and comes from the same person or account (a
 * re-report), or reads very much like it and names the same fault (error, route, trace).
 */
export const DUPLICATE_MIN_TEXT = { samePerson: 0.5, sameFault: 0.8 } as const;
/** Time proximity halves every this many hours. */
const TIME_HALF_LIFE_H = 24;

export interface RelateOptions {
  limit?: number;
  /** Candidates created more than this after the ticket are ignored (default 7 days). */
  laterWindowMs?: number;
}

function kindOf(entity: string): string {
  const i = entity.indexOf(':');
  return i < 0 ? entity : entity.slice(0, i);
}

export function relateTickets(
  query: TicketFacts,
  others: readonly TicketFacts[],
  opts: RelateOptions = {},
): RelatedTicket[] {
  const limit = opts.limit ?? 10;
  const until = query.createdAt + (opts.laterWindowMs ?? 7 * 86_400_000);
  const candidates = others.filter((t) => t.id !== query.id && t.createdAt <= until);
  if (candidates.length === 0) return [];
  const byExternal = new Map(candidates.map((t) => [String(t.id), t]));
  const index = buildTicketIndex(
    candidates.map((t) => ({ id: String(t.id), title: t.title, body: t.body, createdAt: t.createdAt })),
  );
  const text = rankSimilarTickets({ title: query.title, body: query.body }, index, { limit: Math.max(50, limit * 5) });
  const best = text[0]?.score ?? 1;
  const textById = new Map(text.map((r) => [r.id, r]));

  const mine = new Set(query.entities);
  const pool = new Set<string>(text.map((r) => r.id));
  for (const t of candidates) if (t.entities.some((e) => mine.has(e))) pool.add(String(t.id));

  const out: RelatedTicket[] = [];
  for (const id of pool) {
    const t = byExternal.get(id)!;
    const tr = textById.get(id);
    const textScore = tr ? tr.score / best : 0;
    const shared = t.entities.filter((e) => mine.has(e));
    const person = shared.some((e) => PERSON.has(kindOf(e))) ? 1 : 0;
    const fault = Math.min(1, shared.filter((e) => FAULT.has(kindOf(e))).length / 2);
    const hoursApart = Math.abs(t.createdAt - query.createdAt) / 3_600_000;
    const time = 0.5 ** (hoursApart / TIME_HALF_LIFE_H);
    const score =
      RELATED_WEIGHTS.text * textScore +
      RELATED_WEIGHTS.person * person +
      RELATED_WEIGHTS.fault * fault +
      RELATED_WEIGHTS.time * time;
    const duplicate =
      (person === 1 && textScore >= DUPLICATE_MIN_TEXT.samePerson) ||
      (fault > 0 && textScore >= DUPLICATE_MIN_TEXT.sameFault);
    const why = [
      tr ? `text ${textScore.toFixed(2)} (${tr.terms.slice(0, 3).join(', ')})` : null,
      shared.length ? `shares ${shared.slice(0, 3).join(', ')}` : null,
      `${hoursApart < 1 ? '<1' : Math.round(hoursApart)} h apart`,
    ].filter(Boolean);
    out.push({
      id: t.id,
      externalId: t.externalId,
      title: t.title,
      score,
      text: textScore,
      sharedWords: tr?.terms ?? [],
      sharedEntities: shared,
      hoursApart,
      duplicate,
      hint: `${duplicate ? 'duplicate: ' : ''}${why.join('; ')}`,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, limit);
}
