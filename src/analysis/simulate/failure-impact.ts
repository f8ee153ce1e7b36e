// Who a predicted failure would hurt: the users and accounts of each endpoint over the look-back
// (read by the workflow from the RED minutes' sketches and the spans), and the open tickets that
// name an affected endpoint's route or one of the users or accounts who used it.
import type { EndpointPeople, FailureSimulationResult, FailureTicket, PersonActivity } from '../../model/index.js';
import { routeKey } from '../ticket-mentions.js';

export interface ImpactTicketFacts {
  id: number;
  title: string;
  status: string;
  /** Route templates it names. */
  routes: string[];
  /** Users and accounts it names who used an affected endpoint in the look-back, with those endpoints (`service endpoint`). */
  people: Array<{ kind: 'user' | 'account'; id: string; endpoints: string[] }>;
}

export interface ImpactFacts {
  since: string;
  until: string;
  /** Per `service endpoint`, its distinct users and accounts in the look-back. */
  endpoints: ReadonlyMap<string, EndpointPeople>;
  /** The failed and degraded endpoints' people together; null when not read. */
  people: (EndpointPeople & { topUsers: PersonActivity[]; topAccounts: PersonActivity[] }) | null;
  tickets: readonly ImpactTicketFacts[];
}

/** Tickets listed at most. */
const MAX_TICKETS = 50;

/** The `service endpoint` key the impact facts use. */
export const impactKey = (service: string, endpoint: string) => `${service} ${endpoint}`;

/** The result with its people and tickets filled in from `facts`. */
export function withImpact(r: FailureSimulationResult, facts: ImpactFacts): FailureSimulationResult {
  const affected = r.endpoints.filter((e) => e.outcome !== 'unaffected');
  const byRoute = new Map<string, string[]>();
  for (const e of affected) {
    const k = routeKey(e.endpoint.replace(/^[A-Z]+\s+(?=\/)/, ''));
    if (!k.startsWith('/')) continue;
    byRoute.set(k, [...(byRoute.get(k) ?? []), impactKey(e.service, e.endpoint)]);
  }
  const affectedKeys = new Set(affected.map((e) => impactKey(e.service, e.endpoint)));
  const tickets: FailureTicket[] = [];
  for (const t of facts.tickets) {
    const named = t.routes.map(routeKey).filter((k) => byRoute.has(k));
    const people = t.people.filter((p) => p.endpoints.some((x) => affectedKeys.has(x)));
    if (named.length === 0 && people.length === 0) continue;
    const endpoints = new Set<string>([
      ...named.flatMap((k) => byRoute.get(k) ?? []),
      ...people.flatMap((p) => p.endpoints.filter((x) => affectedKeys.has(x))),
    ]);
    const why = [
      ...named.map((k) => `names ${k}`),
      ...people
        .slice(0, 3)
        .map((p) => `names ${p.kind} ${p.id}, who used ${p.endpoints.filter((x) => affectedKeys.has(x)).join(', ')}`),
    ].join('; ');
    tickets.push({ id: t.id, title: t.title, status: t.status, why, endpoints: [...endpoints].sort() });
  }
  tickets.sort((a, b) => b.id - a.id);
  const listed = tickets.slice(0, MAX_TICKETS);
  const endpoints = r.endpoints.map((e) => {
    const key = impactKey(e.service, e.endpoint);
    return {
      ...e,
      people: facts.endpoints.get(key) ?? { users: null, accounts: null },
      tickets: e.outcome === 'unaffected' ? [] : listed.filter((t) => t.endpoints.includes(key)).map((t) => t.id),
    };
  });
  const warnings = [...r.warnings];
  if (tickets.length > MAX_TICKETS)
    warnings.push(
      `${tickets.length} open tickets name the affected endpoints or their people; ${MAX_TICKETS} are listed`,
    );
  return {
    ...r,
    endpoints,
    people: facts.people ? { since: facts.since, until: facts.until, ...facts.people } : null,
    tickets: listed,
    warnings,
  };
}
