// From the walk and the runtime view to exposed endpoints: the routes the code walk reached
// and the endpoints runtime evidence confirmed, then every endpoint that calls one of those
// (endpoint-to-endpoint calls seen in the sampled traces), each marked runtime-confirmed or
// static-only, with its traffic; and the services behind them, including the callers the
// service graph shows but no sampled trace placed at an endpoint.
import type { BlastEndpoint, BlastEvidence, BlastService } from '../../../model/index.js';
import { routeKey } from '../../ticket-mentions.js';
import { type RuntimeEvidence, type RuntimeView, endpointKey, runtimeKey } from './runtime.js';
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
  /** `caller\u0000callee` service pairs whose calls sampled traces placed at endpoints. */
  sampledCalls?: ReadonlySet<string>;
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
  /** The method of the runtime endpoint (null: any, or unknown). */
  method: string | null;
  depth: number;
}

export function exposure(input: ExposureInput): Exposure {
  const byId = new Map(input.units.map((u) => [u.id, u]));
  const runtime = input.runtime;
  const traffic = new Map(input.traffic.map((t) => [endpointKey(t.service, t.endpoint), t]));
  // Runtime endpoints by key, and the ones the traffic names but no sampled trace went through.
  const known = new Map<string, { service: string; endpoint: string; method: string | null }>();
  for (const [k, e] of runtime?.endpoints ?? []) known.set(k, e);
  const sampledRoutes = new Set([...known.values()].map((e) => endpointKey(e.service, e.endpoint)));
  for (const t of input.traffic) {
    if (!sampledRoutes.has(endpointKey(t.service, t.endpoint)))
      known.set(runtimeKey(t.service, null, t.endpoint), { service: t.service, endpoint: t.endpoint, method: null });
  }
  /** A method's share of its route's requests, from the local root spans sampled. */
  const spansOf = new Map<string, number>();
  for (const e of runtime?.endpoints.values() ?? []) {
    const k = endpointKey(e.service, e.endpoint);
    spansOf.set(k, (spansOf.get(k) ?? 0) + e.spans);
  }
  const shareOf = (k: string): number => {
    const e = runtime?.endpoints.get(k);
    if (!e) return 1;
    const all = spansOf.get(endpointKey(e.service, e.endpoint)) ?? 0;
    return all > 0 ? e.spans / all : 1;
  };

  /** The runtime endpoints a declared route of a service is served as (none: never served). */
  const servedAs = (service: string, path: string, method: string | null): string[] => {
    const want = keyOf(path);
    const exact: string[] = [];
    const suffix: string[] = [];
    for (const [k, e] of known) {
      if (e.service !== service) continue;
      if (method !== null && e.method !== null && e.method !== method) continue;
      const have = keyOf(e.endpoint);
      if (have === want) exact.push(k);
      else if (have.endsWith(want)) suffix.push(k);
    }
    return exact.length ? exact : suffix;
  };

  const drafts = new Map<string, Draft>();
  const blank = (service: string, endpoint: string, method: string | null): BlastEndpoint => ({
    service,
    endpoint,
    methods: method ? [method] : [],
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
  const evidenceOf = (x: RuntimeEvidence, suffix = ''): BlastEvidence => ({
    kind: x.kind,
    unit: byId.has(x.unit) ? unitLabel(byId.get(x.unit)!) : x.unit,
    detail: `${x.detail}${suffix}`,
    traceId: x.traceId,
  });

  // Routes the code walk reached, nearest to the change first.
  const routes = input.units
    .filter((u) => u.kind === 'route' && u.route && u.service)
    .sort((a, b) => a.depth - b.depth);
  for (const u of routes) {
    const service = u.service!;
    const method = u.route!.method;
    const served = servedAs(service, u.route!.path, method);
    const keys = served.length ? served : [runtimeKey(service, method, u.route!.path)];
    for (const k of keys) {
      const e = known.get(k) ?? { service, endpoint: u.route!.path, method };
      let d = drafts.get(k);
      if (!d) {
        d = { ep: blank(service, e.endpoint, e.method ?? method), method: e.method, depth: u.depth };
        drafts.set(k, d);
      }
      const ep = d.ep;
      if (ep.path.length === 0) {
        ep.path = chainTo(u, byId);
        ep.handler = u.startLine === null ? null : { path: u.path, line: u.startLine };
      }
      for (const o of u.owners) if (!ep.owners.includes(o)) ep.owners.push(o);
      // A changed route that served requests: its own handler is the changed code, and it ran.
      const t = traffic.get(endpointKey(service, e.endpoint));
      if (u.depth === 0 && served.length && t && t.requests > 0 && !ep.evidence.some((x) => x.kind === 'handler')) {
        ep.mark = 'runtime-confirmed';
        ep.evidence.push({
          kind: 'handler',
          unit: unitLabel(u),
          detail: 'its handler is changed code, and it served requests in the window',
          traceId: null,
        });
      }
    }
  }
  // Code that runs when the process starts (a module's statements, a top-level variable's
  // initializer) reaches the change: if it breaks, the service does not start, and every
  // endpoint of it is exposed. A variable whose own value changed exposes only its users.
  const startup = new Map<string, WalkedUnit>();
  for (const u of input.units) {
    const atStart = u.kind === 'module' || (u.kind === 'variable' && u.depth > 0);
    if (atStart && u.service !== null && !startup.has(u.service)) startup.set(u.service, u);
  }
  for (const [service, u] of startup) {
    for (const [k, e] of known) {
      if (e.service !== service || drafts.has(k)) continue;
      const d: Draft = { ep: blank(service, e.endpoint, e.method), method: e.method, depth: u.depth + 1 };
      d.ep.path = [...chainTo(u, byId), `${service} startup`];
      drafts.set(k, d);
    }
  }
  // Endpoints runtime evidence confirmed (also those the walk missed).
  for (const [k, all] of runtime?.confirmed ?? []) {
    const evidence = all.filter((x) => x.direct);
    if (evidence.length === 0) continue;
    const e = known.get(k)!;
    let d = drafts.get(k);
    if (!d) {
      d = { ep: blank(e.service, e.endpoint, e.method), method: e.method, depth: Number.POSITIVE_INFINITY };
      drafts.set(k, d);
      const first = byId.get(evidence[0]!.unit);
      d.ep.path = [...(first ? chainTo(first, byId) : []), `${e.service} ${e.endpoint}`];
    }
    d.ep.mark = 'runtime-confirmed';
    d.ep.evidence.push(...evidence.map((x) => evidenceOf(x)));
  }

  // Up the calls seen in traces: whoever calls an exposed endpoint is exposed through it.
  const callers = new Map<string, Map<string, number>>();
  for (const [caller, row] of runtime?.calls ?? []) {
    for (const [callee, n] of row) {
      let m = callers.get(callee);
      if (!m) {
        m = new Map();
        callers.set(callee, m);
      }
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
        const ep = blank(e.service, e.endpoint, e.method);
        ep.via = 'calls';
        ep.path = [...from.ep.path, `${e.service} ${e.endpoint}`];
        // Confirmed by evidence further down its own traces, or by calling (as traces show)
        // an endpoint whose requests ran the changed code.
        const below = runtime?.confirmed.get(caller) ?? [];
        ep.mark = below.length || from.ep.mark === 'runtime-confirmed' ? 'runtime-confirmed' : 'static-only';
        ep.evidence.push(...below.slice(0, 2).map((x) => evidenceOf(x, ', further down its traces')));
        const display = `${from.ep.service} ${from.ep.methods.join(',')} ${from.ep.endpoint}`.replace(/\s+/g, ' ');
        ep.evidence.push({
          kind: 'trace-call',
          unit: display,
          detail: `calls ${display} in ${callers.get(callee)!.get(caller)} sampled traces`,
          traceId: null,
        });
        drafts.set(caller, { ep, method: e.method, depth: from.depth });
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
    ep.entry = seen ? seen.entry : !calledBy.has(k) && !hasCallers.has(ep.service);
    const t = traffic.get(endpointKey(ep.service, ep.endpoint));
    if (t && input.minutes) {
      const share = shareOf(k);
      ep.callsPerMinute = round((t.requests * share) / input.minutes);
      ep.errorsPerMinute = round((t.errors * share) / input.minutes);
      ep.users = t.users;
      ep.accounts = t.accounts;
    } else if (input.minutes) {
      ep.callsPerMinute = 0;
      ep.errorsPerMinute = 0;
    }
    if (ep.owners.length === 0) ep.owners = [...(input.serviceOwners.get(ep.service) ?? [])];
  }
  const endpoints = [...drafts.values()]
    .map((d) => d.ep)
    .sort(
      (a, b) =>
        Number(b.entry) - Number(a.entry) ||
        (b.callsPerMinute ?? -1) - (a.callsPerMinute ?? -1) ||
        a.service.localeCompare(b.service) ||
        a.endpoint.localeCompare(b.endpoint) ||
        a.methods.join().localeCompare(b.methods.join()),
    );
  const sampledCalls = new Set<string>();
  for (const [caller, row] of runtime?.calls ?? []) {
    for (const callee of row.keys())
      sampledCalls.add(`${known.get(caller)!.service}\u0000${known.get(callee)!.service}`);
  }
  return { endpoints, services: servicesOf(endpoints, { ...input, sampledCalls }) };
}

function servicesOf(endpoints: readonly BlastEndpoint[], input: ExposureInput): BlastService[] {
  const out = new Map<string, BlastService>();
  for (const e of endpoints) {
    let s = out.get(e.service);
    if (!s) {
      s = {
        service: e.service,
        mark: 'static-only',
        endpoints: 0,
        entryEndpoints: 0,
        callsPerMinute: null,
        via: e.via,
        owners: [...(input.serviceOwners.get(e.service) ?? [])],
      };
      out.set(e.service, s);
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
        // Sampled traces already say which of the caller's endpoints call this service.
        if (input.sampledCalls?.has(`${e.caller}\u0000${e.callee}`)) continue;
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
    (a, b) =>
      b.endpoints - a.endpoints ||
      (b.callsPerMinute ?? -1) - (a.callsPerMinute ?? -1) ||
      a.service.localeCompare(b.service),
  );
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
