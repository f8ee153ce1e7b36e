// From the walk and the runtime view to exposed endpoints: the routes the code walk reached
// and the endpoints runtime evidence confirmed, then every endpoint that calls one of those
// (endpoint-to-endpoint calls seen in the sampled traces), each marked runtime-confirmed or
// static-only, with its traffic; and the services behind them, including the callers the
// service graph shows but no sampled trace placed at an endpoint.
import type { BlastEndpoint, BlastEvidence, BlastService } from '../../../model/index.js';
import { routeKey } from '../../ticket-mentions.js';
import { type RuntimeView, endpointKey } from './runtime.js';
import type { RouteFacts, UnitKind } from './types.js';

/** A unit the walk reached (a changed unit at depth 0), with what the store knows of it. */
export interface WalkedUnit {
  id: string;
  path: string;
  name: string;
  kind: UnitKind;
  service: string | null;
  owners: string[];
  depth: number;
  /** The id of the unit it calls on the way to the change; null for a changed unit. */
  via: string | null;
  route: RouteFacts | null;
  startLine: number | null;
}

export interface EndpointTraffic {
  service: string;
  endpoint: string;
  requests: number;
  errors: number;
  users: number | null;
  accounts: number | null;
}

export interface ExposureInput {
  units: readonly WalkedUnit[];
  runtime: RuntimeView | null;
  traffic: readonly EndpointTraffic[];
  /** Minutes of the window that hold data, for calls per minute; null without telemetry. */
  minutes: number | null;
  serviceEdges: ReadonlyArray<{ caller: string; callee: string }>;
  /** CODEOWNERS owners of each service's folder. */
  serviceOwners: ReadonlyMap<string, string[]>;
}

export interface Exposure {
  endpoints: BlastEndpoint[];
  services: BlastService[];
}

/** `GET /carts/:user` (a span name) or `/carts/:user` → the route's comparison key. */
function keyOf(endpoint: string): string {
  return routeKey(endpoint.replace(/^[A-Z]+\s+(?=\/)/, ''));
}

function unitLabel(u: WalkedUnit): string {
  return u.kind === 'route' ? `${u.name} (${u.path})` : `${u.path} ${u.name}`;
}

/** The chain from the changed unit up to `u`, each step once. */
function chainTo(u: WalkedUnit, byId: ReadonlyMap<string, WalkedUnit>): string[] {
  const out: string[] = [];
  let cur: WalkedUnit | undefined = u;
  for (let i = 0; cur && i < 64; i++) {
    out.push(unitLabel(cur));
    cur = cur.via ? byId.get(cur.via) : undefined;
  }
  return out.reverse();
}

interface Draft {
  ep: BlastEndpoint;
  depth: number;
}

export function exposure(input: ExposureInput): Exposure {
  const byId = new Map(input.units.map((u) => [u.id, u]));
  const runtime = input.runtime;
  const traffic = new Map(input.traffic.map((t) => [endpointKey(t.service, t.endpoint), t]));
  const known = new Map<string, { service: string; endpoint: string }>();
  for (const t of input.traffic) known.set(endpointKey(t.service, t.endpoint), t);
  for (const [k, e] of runtime?.endpoints ?? []) known.set(k, e);

  /** The telemetry name of a declared route of a service, when it was served. */
  const servedAs = (service: string, path: string): string | null => {
    const want = keyOf(path);
    let best: string | null = null;
    for (const e of known.values()) {
      if (e.service !== service) continue;
      const have = keyOf(e.endpoint);
      if (have === want) return e.endpoint;
      if (have.endsWith(want) && best === null) best = e.endpoint;
    }
    return best;
  };

  const drafts = new Map<string, Draft>();
  const blank = (service: string, endpoint: string): BlastEndpoint => ({
    service,
    endpoint,
    methods: [],
    entry: false,
    mark: 'static-only',
    via: 'code',
    path: [],
    callsPerMinute: null,
    errorsPerMinute: null,
    users: null,
    accounts: null,
    evidence: [],
    handler: null,
    owners: [],
  });

  // Routes the code walk reached, nearest to the change first.
  const routes = input.units.filter((u) => u.kind === 'route' && u.route && u.service).sort((a, b) => a.depth - b.depth);
  for (const u of routes) {
    const service = u.service!;
    const name = servedAs(service, u.route!.path) ?? u.route!.path;
    const k = endpointKey(service, name);
    let d = drafts.get(k);
    if (!d) drafts.set(k, (d = { ep: blank(service, name), depth: u.depth }));
    const ep = d.ep;
    if (ep.path.length === 0) {
      ep.path = chainTo(u, byId);
      ep.handler = u.startLine === null ? null : { path: u.path, line: u.startLine };
    }
    if (u.route!.method && !ep.methods.includes(u.route!.method)) ep.methods.push(u.route!.method);
    for (const o of u.owners) if (!ep.owners.includes(o)) ep.owners.push(o);
  }
  // Endpoints runtime evidence confirmed (also those the walk missed).
  for (const [k, all] of runtime?.confirmed ?? []) {
    const evidence = all.filter((x) => x.direct);
    if (evidence.length === 0) continue;
    const e = known.get(k)!;
    let d = drafts.get(k);
    if (!d) {
      drafts.set(k, (d = { ep: blank(e.service, e.endpoint), depth: Number.POSITIVE_INFINITY }));
      const first = byId.get(evidence[0]!.unit);
      d.ep.path = first ? [...chainTo(first, byId), `${e.service} ${e.endpoint}`] : [`${e.service} ${e.endpoint}`];
    }
    d.ep.mark = 'runtime-confirmed';
    d.ep.evidence.push(
      ...evidence.map(
        (x): BlastEvidence => ({
          kind: x.kind,
          unit: byId.has(x.unit) ? unitLabel(byId.get(x.unit)!) : x.unit,
          detail: x.detail,
          traceId: x.traceId,
        }),
      ),
    );
  }

  // Up the calls seen in traces: whoever calls an exposed endpoint is exposed through it.
  const callers = new Map<string, Map<string, number>>();
  for (const [caller, row] of runtime?.calls ?? []) {
    for (const [callee, n] of row) {
      let m = callers.get(callee);
      if (!m) callers.set(callee, (m = new Map()));
      m.set(caller, n);
    }
  }
  let frontier = [...drafts.keys()];
  for (let step = 0; frontier.length && step < 32; step++) {
    const next: string[] = [];
    for (const callee of frontier) {
      const from = drafts.get(callee)!;
      for (const caller of [...(callers.get(callee)?.keys() ?? [])].sort()) {
        if (drafts.has(caller)) continue;
        const e = known.get(caller)!;
        const ep = blank(e.service, e.endpoint);
        ep.via = 'calls';
        ep.path = [...from.ep.path, `${e.service} ${e.endpoint}`];
        const below = runtime?.confirmed.get(caller) ?? [];
        ep.mark = below.length ? 'runtime-confirmed' : 'static-only';
        for (const x of below.slice(0, 2)) {
          ep.evidence.push({
            kind: x.kind,
            unit: byId.has(x.unit) ? unitLabel(byId.get(x.unit)!) : x.unit,
            detail: `${x.detail}, further down its traces`,
            traceId: x.traceId,
          });
        }
        ep.evidence.push({
          kind: 'trace-call',
          unit: `${from.ep.service} ${from.ep.endpoint}`,
          detail: `calls ${from.ep.service} ${from.ep.endpoint} in ${callers.get(callee)!.get(caller)} sampled traces`,
          traceId: null,
        });
        drafts.set(caller, { ep, depth: from.depth });
        next.push(caller);
      }
    }
    frontier = next;
  }

  const calledBy = new Set<string>();
  for (const row of runtime?.calls.values() ?? []) for (const k of row.keys()) calledBy.add(k);
  const hasCallers = new Set(input.serviceEdges.map((e) => e.callee));
  for (const [k, d] of drafts) {
    const ep = d.ep;
    const seen = runtime?.endpoints.get(k);
    if (seen) {
      ep.entry = seen.entry;
      for (const m of seen.methods) if (!ep.methods.includes(m)) ep.methods.push(m);
    } else {
      ep.entry = !calledBy.has(k) && !hasCallers.has(ep.service);
    }
    const t = traffic.get(k);
    if (t && input.minutes) {
      ep.callsPerMinute = round(t.requests / input.minutes);
      ep.errorsPerMinute = round(t.errors / input.minutes);
      ep.users = t.users;
      ep.accounts = t.accounts;
    } else if (input.minutes) {
      ep.callsPerMinute = 0;
      ep.errorsPerMinute = 0;
    }
    if (ep.owners.length === 0) ep.owners = [...(input.serviceOwners.get(ep.service) ?? [])];
    ep.methods.sort();
  }
  const endpoints = [...drafts.values()]
    .map((d) => d.ep)
    .sort(
      (a, b) =>
        Number(b.entry) - Number(a.entry) ||
        (b.callsPerMinute ?? -1) - (a.callsPerMinute ?? -1) ||
        a.service.localeCompare(b.service) ||
        a.endpoint.localeCompare(b.endpoint),
    );
  return { endpoints, services: servicesOf(endpoints, input) };
}

function servicesOf(endpoints: readonly BlastEndpoint[], input: ExposureInput): BlastService[] {
  const out = new Map<string, BlastService>();
  for (const e of endpoints) {
    let s = out.get(e.service);
    if (!s) {
      out.set(
        e.service,
        (s = {
          service: e.service,
          mark: 'static-only',
          endpoints: 0,
          entryEndpoints: 0,
          callsPerMinute: null,
          via: e.via,
          owners: [...(input.serviceOwners.get(e.service) ?? [])],
        }),
      );
    }
    s.endpoints++;
    if (e.entry) s.entryEndpoints++;
    if (e.mark === 'runtime-confirmed') s.mark = 'runtime-confirmed';
    if (e.via === 'code') s.via = 'code';
    if (e.callsPerMinute !== null) s.callsPerMinute = round((s.callsPerMinute ?? 0) + e.callsPerMinute);
  }
  // Services that call an exposed service where no sampled trace named the calling endpoint.
  let frontier = [...out.keys()];
  for (let step = 0; frontier.length && step < 32; step++) {
    const next: string[] = [];
    for (const callee of frontier) {
      for (const e of input.serviceEdges) {
        if (e.callee !== callee || out.has(e.caller)) continue;
        out.set(e.caller, {
          service: e.caller,
          mark: 'static-only',
          endpoints: 0,
          entryEndpoints: 0,
          callsPerMinute: null,
          via: 'service-graph',
          owners: [...(input.serviceOwners.get(e.caller) ?? [])],
        });
        next.push(e.caller);
      }
    }
    frontier = next;
  }
  return [...out.values()].sort(
    (a, b) => b.endpoints - a.endpoints || (b.callsPerMinute ?? -1) - (a.callsPerMinute ?? -1) || a.service.localeCompare(b.service),
  );
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
