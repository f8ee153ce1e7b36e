// Scoring a ticket against a problem: does the ticket name the problem's fault (its error
// type or message, a log line's template) or its place (a route its services serve, a
// linked service, a user who hit errors there)? Pure.
import { tokenize } from '../retrieval/index.js';
import { routeKey } from '../ticket-mentions.js';
import type { TriageTicket } from './types.js';

/** What a problem offers a ticket to match: gathered over all of its telemetry members. */
export interface ProblemProfile {
  /** The service of its seed (the cause); a clue there counts whole, in another member's service half. */
  home: string;
  services: ReadonlySet<string>;
  /** Exception types of its error groups (`TypeError`, `java.lang.IllegalStateException`). */
  types: ReadonlySet<string>;
  /** Error messages and log templates, as word sets. */
  texts: ReadonlyArray<ReadonlySet<string>>;
  /** Route keys each of its services served in the window. */
  routes: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * score = 3·message + 2·type + 2·hit·place + (route + service + user)·place, where
 *  - message ∈ {0} ∪ [0.8, 1]: the share of the shorter word set (≥ 3 words) found in the
 *    other, between an error the ticket quotes and an error message or log template;
 *  - type: an error the ticket names is an exception type of the problem (`TypeError`, or the
 *    last segment of a qualified one);
 *  - hit: a user the ticket names had an error in the window whose text (a failed span's
 *    status message, an ERROR log line) quotes one of the problem's messages or templates,
 *    or is quoted by it;
 *  - route: a route the ticket names was served by one of the problem's services (in the
 *    window, or in the spans the ticket was linked by at ingest);
 *  - service: the ticket is linked to, or names, one of the problem's services;
 *  - user (when there is no hit): a user the ticket names had errors in one of its services;
 *  - place: 1 when that service is the problem's own (its seed's), ½ for the service of a
 *    member merged in (an upstream symptom), so that a clue points at the cause first.
 * Only message and type name the fault; a hit says the person was hurt by it, which a
 * widespread fault makes likely by chance, so it weighs as a strong clue, not as the fault.
 */
export const TICKET_WEIGHTS = { message: 3, type: 2, hit: 2, route: 1, service: 1, user: 1 } as const;
export const MIN_MESSAGE_CONTAINMENT = 0.8;
export const MIN_MESSAGE_WORDS = 3;

export interface TicketScore {
  score: number;
  /** Jaccard of the best message pair, to break ties between problems. */
  overlap: number;
  /** The parts that counted, in words. */
  parts: string[];
  /** True when the message or the type matched (the ticket names the fault, not only the place). */
  fault: boolean;
}

const PLACEHOLDER = /<[a-z*]*>/gi;

/** The words of an error message or log template, placeholders left out, stemmed, without stopwords. */
export function wordSet(text: string): Set<string> {
  return new Set(tokenize(text.replace(PLACEHOLDER, ' ')));
}

function kindValue(entity: string): [string, string] {
  const i = entity.indexOf(':');
  return i < 0 ? [entity, ''] : [entity.slice(0, i), entity.slice(i + 1)];
}

/** Whether `text` holds at least MIN_MESSAGE_CONTAINMENT of `quoted`'s words (MIN_MESSAGE_WORDS or more). */
function quotes(quoted: ReadonlySet<string>, text: ReadonlySet<string>): boolean {
  if (quoted.size < MIN_MESSAGE_WORDS) return false;
  let n = 0;
  for (const w of quoted) if (text.has(w)) n++;
  return n / quoted.size >= MIN_MESSAGE_CONTAINMENT;
}

function typeMatches(named: string, type: string): boolean {
  if (named === type) return true;
  const last = type.slice(type.lastIndexOf('.') + 1);
  return last === named && /^[A-Z]/.test(named);
}

/** The parts of a ticket the score reads, computed once per ticket. */
export interface TicketClues {
  errors: Array<{ value: string; words: Set<string> }>;
  routes: Set<string>;
  /** Services that served a route it names (links made at ingest). */
  routeServices: Set<string>;
  services: Set<string>;
  userErrors: Array<{ service: string; words: Set<string> }>;
}

export function ticketClues(t: TriageTicket): TicketClues {
  const errors: TicketClues['errors'] = [];
  const routes = new Set<string>();
  const services = new Set(t.linkedServices);
  for (const e of t.entities) {
    const [kind, value] = kindValue(e);
    if (kind === 'error' && value) errors.push({ value, words: wordSet(value) });
    else if (kind === 'route' && value) routes.add(routeKey(value));
    else if (kind === 'service' && value) services.add(value);
  }
  const userErrors = t.userErrors.map((e) => ({ service: e.service, words: wordSet(e.text) }));
  return { errors, routes, routeServices: new Set(t.routeServices), services, userErrors };
}

export function scoreTicket(c: TicketClues, p: ProblemProfile): TicketScore {
  const parts: string[] = [];
  let score = 0;
  let fault = false;

  let best = 0;
  let overlap = 0;
  let quoted = '';
  for (const e of c.errors) {
    for (const words of p.texts) {
      const small = e.words.size <= words.size ? e.words : words;
      const large = small === e.words ? words : e.words;
      if (small.size < MIN_MESSAGE_WORDS) continue;
      let shared = 0;
      for (const w of small) if (large.has(w)) shared++;
      const containment = shared / small.size;
      const jaccard = shared / (e.words.size + words.size - shared);
      if (containment > best || (containment === best && jaccard > overlap)) {
        best = containment;
        overlap = jaccard;
        quoted = e.value;
      }
    }
  }
  if (best >= MIN_MESSAGE_CONTAINMENT) {
    score += TICKET_WEIGHTS.message * best;
    fault = true;
    parts.push(
      `quotes the error "${quoted.length > 60 ? `${quoted.slice(0, 59)}…` : quoted}" (${Math.round(best * 100)}% of words)`,
    );
  } else {
    overlap = 0;
  }

  const type = c.errors.find((e) => [...p.types].some((t) => typeMatches(e.value, t)));
  if (type) {
    score += TICKET_WEIGHTS.type;
    fault = true;
    parts.push(`names ${type.value}`);
  }
  const place = (service: string) => (service === p.home ? 1 : 0.5);
  const nearest = (list: Iterable<string>): string | null => {
    let top: string | null = null;
    for (const sv of list) if (p.services.has(sv) && (top === null || place(sv) > place(top))) top = sv;
    return top;
  };
  const served = [...p.routes].filter(([, routes]) => [...c.routes].some((r) => routes.has(r))).map(([sv]) => sv);
  const routeAt = nearest([...served, ...c.routeServices]);
  if (routeAt !== null) {
    score += TICKET_WEIGHTS.route * place(routeAt);
    parts.push(`names a route ${routeAt} served`);
  }
  const serviceAt = nearest(c.services);
  if (serviceAt !== null) {
    score += TICKET_WEIGHTS.service * place(serviceAt);
    parts.push(`is linked to ${serviceAt}`);
  }
  const hits = c.userErrors.filter(
    (e) => p.services.has(e.service) && p.texts.some((words) => quotes(words, e.words) || quotes(e.words, words)),
  );
  const hitAt = nearest(hits.map((e) => e.service));
  const userAt = nearest(c.userErrors.map((e) => e.service));
  if (hitAt !== null) {
    score += TICKET_WEIGHTS.hit * place(hitAt);
    parts.push(`a user it names hit this error in ${hitAt}`);
  } else if (userAt !== null) {
    score += TICKET_WEIGHTS.user * place(userAt);
    parts.push(`a user it names hit errors in ${userAt}`);
  }
  return { score: Number(score.toFixed(3)), overlap, parts, fault };
}
