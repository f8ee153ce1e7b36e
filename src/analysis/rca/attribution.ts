// Which end of a call edge a rise of its own time (the network and queueing between client and
// server) belongs to. A delay on one service's network slows every edge that touches it, inbound
// and outbound, while each of its neighbours sees only its edge to it slowed: the rise is
// attributed to the end that touches more risen edges, then to the one with the larger share of
// its edges risen, then to the callee (the side the request waits on).
import type { RcaSignal } from './types.js';

export interface EdgeEnds {
  caller: string;
  callee: string;
}

/** "caller→callee" as its two ends (null for a key that is not an edge). */
export function edgeEnds(key: string): EdgeEnds | null {
  const at = key.indexOf('→');
  if (at <= 0 || at === key.length - 1) return null;
  return { caller: key.slice(0, at), callee: key.slice(at + 1) };
}

/**
 * The significant signals with each edge-time signal moved to the end it is attributed to (see
 * the module comment), its label saying why. `edges` are the edges the incident had (keys
 * "caller→callee"): a service's share is its risen edges over those touching it.
 */
export function attributeEdgeTimes(signals: readonly RcaSignal[], edges: ReadonlySet<string>): RcaSignal[] {
  const risen = new Set(signals.filter((s) => s.kind === 'edge-time').map((s) => s.key));
  if (risen.size === 0) return [...signals];
  const touching = new Map<string, { all: number; risen: number }>();
  const count = (service: string, rose: boolean) => {
    const t = touching.get(service) ?? { all: 0, risen: 0 };
    t.all++;
    if (rose) t.risen++;
    touching.set(service, t);
  };
  for (const key of new Set([...edges, ...risen])) {
    const e = edgeEnds(key);
    if (e === null) continue;
    count(e.caller, risen.has(key));
    if (e.callee !== e.caller) count(e.callee, risen.has(key));
  }
  const share = (s: string) => {
    const t = touching.get(s) ?? { all: 1, risen: 0 };
    return { share: t.risen / Math.max(1, t.all), ...t };
  };
  return signals.map((s) => {
    if (s.kind !== 'edge-time') return s;
    const e = edgeEnds(s.key);
    if (e === null) return s;
    const a = share(e.caller);
    const b = share(e.callee);
    const toCaller = a.risen > b.risen || (a.risen === b.risen && a.share > b.share);
    const end = toCaller ? e.caller : e.callee;
    const why = `${e.caller} ${a.risen} of ${a.all} edges rose, ${e.callee} ${b.risen} of ${b.all}`;
    return {
      ...s,
      service: end,
      label: `own time of ${s.key}, attributed to the ${toCaller ? 'caller' : 'callee'} ${end} (${why})`,
    };
  });
}
