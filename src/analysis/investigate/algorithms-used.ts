// The ids of the algorithms an investigation used, recorded in its result (investigate@3 on)
// so a stored run says what made it, whatever the current ids are later.
import type { InvestigationAlgorithms } from '../../model/index.js';
import { ERRORS_ALGORITHM } from '../errors/index.js';
import { PATTERNS_ALGORITHM } from '../patterns/index.js';
import { LOCALIZE_ALGORITHM, SIMILAR_TICKETS_ALGORITHM } from '../retrieval/index.js';

/** What was read and decided, as far as it tells which algorithms ran (InvestigationFacts fits). */
export interface AlgorithmFacts {
  /** The ranking, when signals were ranked. */
  rca: { algorithm: string } | null;
  /** The ticket subject, whose related tickets come from similar-tickets. */
  ticket: object | null;
  /** The code step; a location found from the ticket's text has a `text` source. */
  code: { locations: ReadonlyArray<{ sources: ReadonlyArray<{ kind: string }> }> } | null;
}

/**
 * rca when a ranking was made; similar-tickets for a ticket subject; localize-text when a code
 * location came from text. The patterns and errors ids are those of the groups the signals name.
 */
export function algorithmsUsed(facts: AlgorithmFacts): InvestigationAlgorithms {
  const fromText = facts.code?.locations.some((l) => l.sources.some((s) => s.kind === 'text')) ?? false;
  return {
    ...(facts.rca ? { rca: facts.rca.algorithm } : {}),
    ...(facts.ticket ? { 'similar-tickets': SIMILAR_TICKETS_ALGORITHM } : {}),
    ...(fromText ? { 'localize-text': LOCALIZE_ALGORITHM } : {}),
    patterns: PATTERNS_ALGORITHM,
    errors: ERRORS_ALGORITHM,
  };
}
