// Who used which endpoints over a window: each endpoint's requests, errors and distinct users and
// accounts from the RED minutes (their HyperLogLog sketches merged), and for a set of endpoints
// their users and accounts together with the most active of them from the spans. Shared by the
// change simulation (who uses the exposed endpoints) and the failure simulation (who uses the
// endpoints a failure reaches).
import { HyperLogLog } from '../analysis/index.js';
import { type MinuteWindow, blastRadiusQuery, redInWindow } from '../store/index.js';
import type { Queryable } from '../store/index.js';

/** One endpoint's use in the window, with the sketches its people counts came from. */
export interface EndpointUse {
  service: string;
  endpoint: string;
  requests: number;
  errors: number;
  users: number | null;
  accounts: number | null;
  sketches: { users: Uint8Array[]; accounts: Uint8Array[] };
}

export interface PeopleTogether {
  users: number | null;
  accounts: number | null;
  topUsers: Array<{ id: string; requests: number }>;
  topAccounts: Array<{ id: string; requests: number }>;
}

/** The distinct count of the sketches' union; null when there is none (a sketch that does not decode is left out). */
export function hllUnion(list: ReadonlyArray<readonly Uint8Array[]>): number | null {
  let acc: HyperLogLog | null = null;
  for (const bytes of list.flat()) {
    try {
      const h = HyperLogLog.fromBytes(bytes);
      if (acc === null) acc = h;
      else acc.merge(h);
    } catch {
      // left out rather than failing the read
    }
  }
  return acc === null ? null : Math.round(acc.estimate());
}

/** The key endpointUse's map is keyed by. */
export const endpointUseKey = (service: string, endpoint: string) => `${service}\u0000${endpoint}`;

/** Every endpoint's use in [since, until) (of `services` only, when given), from the RED minutes. */
export async function endpointUse(
  db: Queryable,
  since: Date,
  until: Date,
  opts: { services?: string[] } = {},
): Promise<EndpointUse[]> {
  const win: MinuteWindow = {
    since,
    until,
    buckets: 1,
    bucketMs: until.getTime() - since.getTime(),
    recentSince: since,
  };
  const red = await redInWindow(db, win, { limit: 10_000, ...(opts.services ? { services: opts.services } : {}) });
  return red.map((r) => {
    const users = r.minutes.sketches.users ?? [];
    const accounts = r.minutes.sketches.accounts ?? [];
    return {
      service: r.service,
      endpoint: r.endpoint,
      requests: r.minutes.totals.requests ?? 0,
      errors: r.minutes.totals.errors ?? 0,
      users: hllUnion([users]),
      accounts: hllUnion([accounts]),
      sketches: { users, accounts },
    };
  });
}

/** The people of `endpoints` together: the union of their sketches, and the most active from the spans. */
export async function peopleOf(
  db: Queryable,
  uses: ReadonlyMap<string, EndpointUse>,
  endpoints: ReadonlyArray<{ service: string; endpoint: string }>,
  since: Date,
  until: Date,
): Promise<PeopleTogether> {
  const picked = endpoints.map((e) => uses.get(endpointUseKey(e.service, e.endpoint))).filter((u) => u !== undefined);
  const top = await blastRadiusQuery.topPeople(db, endpoints, since, until);
  return {
    users: hllUnion(picked.map((u) => u.sketches.users)),
    accounts: hllUnion(picked.map((u) => u.sketches.accounts)),
    topUsers: top.users,
    topAccounts: top.accounts,
  };
}
