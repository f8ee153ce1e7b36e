// explain@1: what a symbol, route, service or `file:line` is, where it lives, who calls it
// and what it calls (static, from the code index's calls; runtime, from sampled traces), the
// routes that reach it, the services it calls with each call matched to the callee's handler,
// its log statements and error groups, its traffic, owners and recent commits, and the open
// problems that touch it. Every line cites a `file:line` or an API query.
import type { AnswerLine, AnswerSection, ExplainResult, ExplainTarget } from '../../model/index.js';
import {
  codeEvidence,
  commitEvidence,
  errorEvidence,
  logEvidence,
  problemEvidence,
  serviceEvidence,
  traceEvidence,
} from './evidence.js';
import {
  type AnswerWorld,
  EXPLAIN_ALGORITHM,
  type ErrorGroupFact,
  type RouteFact,
  type UnitFact,
  refOf,
} from './facts.js';
import { endpointsOfRoute, nodesOfUnit, routeName, routesOfEndpoint, splitEndpoint, symbolsOfSpan } from './link.js';
import { commitsTouching, ownersLine } from './owners.js';
import type { RuntimeNode } from './runtime-graph.js';
import type { SymbolFact } from './facts.js';

const MAX_LINES = 12;
const MAX_DEPTH = 12;

export interface ExplainSubject {
  target: ExplainTarget;
  symbol: SymbolFact | null;
  route: RouteFact | null;
}

function unitKey(u: Pick<UnitFact, 'path' | 'startLine' | 'name'>): string {
  return `${u.path}\u0000${u.startLine}\u0000${u.name}`;
}

function unitLabel(u: UnitFact): string {
  return u.route ? `${u.route.method ? `${u.route.method} ` : ''}${u.route.path} handler` : u.name;
}

/** The static-call units that are the target. */
function targetUnits(world: AnswerWorld, s: ExplainSubject): UnitFact[] {
  const units = new Map<string, UnitFact>();
  for (const c of world.staticCalls) for (const u of [c.from, c.to]) units.set(unitKey(u), u);
  const all = [...units.values()];
  const t = s.target;
  if (t.kind === 'service') return all.filter((u) => world.files.find((f) => f.path === u.path)?.service === t.service);
  if (t.path === null) return [];
  if (s.route) {
    const r = s.route;
    return all.filter(
      (u) =>
        u.path === r.path &&
        ((u.route && u.route.path === r.routePath && (r.method === null || u.route.method === r.method)) ||
          (r.symbol !== null && u.startLine === r.symbol.startLine)),
    );
  }
  return all.filter((u) => u.path === t.path && u.startLine === t.startLine);
}

function targetNodes(world: AnswerWorld, s: ExplainSubject, units: readonly UnitFact[]): RuntimeNode[] {
  const t = s.target;
  if (t.kind === 'service') return world.runtime.nodes.filter((n) => n.service === t.service);
  if (s.route) return endpointsOfRoute(world, s.route);
  if (t.kind === 'route') {
    const { method, path } = splitEndpoint(t.name);
    return world.runtime.nodes.filter(
      (n) =>
        n.kind === 'endpoint' &&
        n.service === t.service &&
        splitEndpoint(n.name).path === path &&
        (method === null || splitEndpoint(n.name).method === method),
    );
  }
  const out = new Map<string, RuntimeNode>();
  for (const u of units) for (const n of nodesOfUnit(world, u, t.service)) out.set(n.id, n);
  if (s.symbol) {
    const names = [s.symbol.name, s.symbol.parent ? `${s.symbol.parent}.${s.symbol.name}` : null];
    for (const n of world.runtime.nodes)
      if (n.kind === 'span' && (t.service === null || n.service === t.service) && names.includes(n.name))
        out.set(n.id, n);
  }
  return [...out.values()];
}

/** Where a runtime node's code is: its route handler or the function it is named after. */
export function nodeRef(world: AnswerWorld, n: RuntimeNode): string | null {
  if (n.kind === 'endpoint') {
    const r = routesOfEndpoint(world, n)[0];
    return r ? refOf(r.path, r.line) : null;
  }
  const s = symbolsOfSpan(world, n)[0];
  return s ? refOf(s.path, s.startLine) : null;
}

export function nodeLabel(n: RuntimeNode): string {
  return n.kind === 'endpoint' ? `${n.service} ${n.name}` : `${n.service} ${n.name}()`;
}

function nodeLine(world: AnswerWorld, n: RuntimeNode, text: string, traces: number, traceId: string): AnswerLine {
  const ref = nodeRef(world, n);
  const evidence = [traceEvidence(traceId, `${traces} sampled trace${traces === 1 ? '' : 's'}; one is ${traceId}`)];
  if (ref) {
    const [path, line] = [ref.slice(0, ref.lastIndexOf(':')), Number(ref.slice(ref.lastIndexOf(':') + 1))];
    evidence.push(codeEvidence(path, line, `${nodeLabel(n)} in code`));
  }
  return { text: ref ? `${text} (${ref})` : text, evidence };
}

function section(title: string, lines: AnswerLine[], empty: string): AnswerSection {
  const out: AnswerSection = { title, lines: lines.slice(0, MAX_LINES) };
  if (lines.length > MAX_LINES)
    out.lines.push({
      ...lines[MAX_LINES]!,
      text: `… and ${lines.length - MAX_LINES} more; first left out: ${lines[MAX_LINES]!.text}`,
    });
  if (lines.length === 0) out.empty = empty;
  return out;
}

function inRange(t: ExplainTarget, world: AnswerWorld, path: string, line: number | null): boolean {
  if (t.kind === 'service') return world.files.find((f) => f.path === path)?.service === t.service;
  if (t.path === null || path !== t.path) return false;
  if (line === null) return true;
  return line >= (t.startLine ?? 0) && line <= (t.endLine ?? Number.MAX_SAFE_INTEGER);
}

/** A frame's file as telemetry wrote it (absolute, file://, a container path) against an indexed path. */
export function frameMatches(frameFile: string, path: string): boolean {
  const f = frameFile.replace(/^file:\/\//, '').replace(/\\/g, '/');
  return f === path || f.endsWith(`/${path}`);
}

/** A log template (`<*>` for each value) as a regular expression over log bodies. */
export function templateRegex(template: string): RegExp {
  const parts = template.split('<*>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}

function errorGroupsIn(world: AnswerWorld, t: ExplainTarget): ErrorGroupFact[] {
  if (t.kind === 'service') return world.errorGroups.filter((g) => g.service === t.service);
  return world.errorGroups.filter((g) =>
    g.frames.some(
      (f) => t.path !== null && frameMatches(f.file, t.path) && (f.line === null || inRange(t, world, t.path, f.line)),
    ),
  );
}

/** Walks a relation from the start keys; each key once; depth-bounded. */
function reach<K>(start: readonly K[], next: (k: K) => readonly K[], key: (k: K) => string): K[] {
  const seen = new Set(start.map(key));
  const out: K[] = [];
  let frontier = [...start];
  for (let d = 0; frontier.length && d < MAX_DEPTH; d++) {
    const nxt: K[] = [];
    for (const k of frontier)
      for (const n of next(k)) {
        const id = key(n);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push(n);
        nxt.push(n);
      }
    frontier = nxt;
  }
  return out;
}

export function buildExplain(world: AnswerWorld, query: string, s: ExplainSubject): ExplainResult {
  const t = s.target;
  const w = world.window;
  const units = targetUnits(world, s);
  const unitKeys = new Set(units.map(unitKey));
  const nodes = targetNodes(world, s, units);
  const nodeIds = new Set(nodes.map((n) => n.id));
  const byId = new Map(world.runtime.nodes.map((n) => [n.id, n]));

  // What and where.
  const where = t.path !== null && t.startLine !== null ? refOf(t.path, t.startLine) : null;
  const what =
    t.kind === 'service'
      ? `${t.name} is a service: ${world.files.filter((f) => f.service === t.name).length} indexed files, ${world.routes.filter((r) => r.service === t.name).length} routes, ${nodes.filter((n) => n.kind === 'endpoint').length} endpoints seen in traces`
      : t.kind === 'route'
        ? `${t.name} is a route of ${t.service ?? 'an unknown service'}${s.route?.handler ? `, handled by ${s.route.handler}` : ''}${where ? `, registered at ${where}` : ', seen only in traces'}`
        : `${s.symbol ? `${t.kind === 'location' ? `${t.name} is in ` : ''}${s.symbol.parent ? `${s.symbol.parent}.` : ''}${s.symbol.name} (${s.symbol.kind}, lines ${s.symbol.startLine}-${s.symbol.endLine})` : `${t.name} (no function holds this line)`} in ${t.path}, service ${t.service ?? 'unknown'}`;
  const summaryEvidence =
    where && t.path !== null
      ? [codeEvidence(t.path, t.startLine!, `${t.name} in code`)]
      : [serviceEvidence(t.service ?? t.name, w, `${t.service ?? t.name}'s endpoints in the window`)];
  const summary: AnswerLine = { text: what, evidence: summaryEvidence };

  // Callers and callees: static first, marked when traces confirm them.
  const runtimeIn = world.runtime.edges.filter((e) => nodeIds.has(e.to) && !nodeIds.has(e.from));
  const runtimeOut = world.runtime.edges.filter((e) => nodeIds.has(e.from) && !nodeIds.has(e.to));
  const staticIn = world.staticCalls.filter((c) => unitKeys.has(unitKey(c.to)) && !unitKeys.has(unitKey(c.from)));
  const staticOut = world.staticCalls.filter((c) => unitKeys.has(unitKey(c.from)) && !unitKeys.has(unitKey(c.to)));
  const callerLines: AnswerLine[] = [];
  const confirmedIn = new Set<string>();
  for (const c of dedupe(staticIn, (c) => unitKey(c.from))) {
    const svc = world.files.find((f) => f.path === c.from.path)?.service ?? null;
    const seen = nodesOfUnit(world, c.from, svc).find((n) => runtimeIn.some((e) => e.from === n.id));
    if (seen) confirmedIn.add(seen.id);
    const e = seen ? runtimeIn.find((x) => x.from === seen.id)! : null;
    callerLines.push({
      text: `${unitLabel(c.from)} (${refOf(c.from.path, c.from.startLine)}) calls it${e ? `; runtime-confirmed in ${e.traces} sampled traces` : ' (static)'}`,
      evidence: [
        codeEvidence(c.from.path, c.from.startLine, `${unitLabel(c.from)} calls ${c.to.name}`),
        ...(e ? [traceEvidence(e.traceId, `${nodeLabel(byId.get(e.from)!)} → ${nodeLabel(byId.get(e.to)!)}`)] : []),
      ],
    });
  }
  for (const e of runtimeIn) {
    if (confirmedIn.has(e.from)) continue;
    const from = byId.get(e.from)!;
    callerLines.push(
      nodeLine(
        world,
        from,
        `${nodeLabel(from)} calls it${e.kind === 'http' ? ' over HTTP' : ''} (runtime, ${e.traces} sampled traces)`,
        e.traces,
        e.traceId,
      ),
    );
  }
  const calleeLines: AnswerLine[] = [];
  const confirmedOut = new Set<string>();
  for (const c of dedupe(staticOut, (c) => unitKey(c.to))) {
    const svc = world.files.find((f) => f.path === c.to.path)?.service ?? null;
    const seen = nodesOfUnit(world, c.to, svc).find((n) => runtimeOut.some((e) => e.to === n.id));
    if (seen) confirmedOut.add(seen.id);
    const e = seen ? runtimeOut.find((x) => x.to === seen.id)! : null;
    calleeLines.push({
      text: `calls ${unitLabel(c.to)} (${refOf(c.to.path, c.to.startLine)})${e ? `; runtime-confirmed in ${e.traces} sampled traces` : ' (static)'}`,
      evidence: [
        codeEvidence(c.to.path, c.to.startLine, `${c.to.name}, called from ${c.from.name}`),
        ...(e ? [traceEvidence(e.traceId, `${nodeLabel(byId.get(e.from)!)} → ${nodeLabel(byId.get(e.to)!)}`)] : []),
      ],
    });
  }
  for (const e of runtimeOut) {
    if (confirmedOut.has(e.to) || e.kind === 'http') continue;
    const to = byId.get(e.to)!;
    calleeLines.push(
      nodeLine(world, to, `calls ${nodeLabel(to)} (runtime, ${e.traces} sampled traces)`, e.traces, e.traceId),
    );
  }

  // Routes that reach it: up the static calls to route registrations, and up the traces to endpoints.
  const callersOf = new Map<string, UnitFact[]>();
  for (const c of world.staticCalls) {
    const k = unitKey(c.to);
    const list = callersOf.get(k);
    if (list) list.push(c.from);
    else callersOf.set(k, [c.from]);
  }
  const routeLines: AnswerLine[] = [];
  const routeSeen = new Set<string>();
  for (const u of reach(units, (u) => callersOf.get(unitKey(u)) ?? [], unitKey)) {
    if (!u.route) continue;
    const name = `${u.route.method ? `${u.route.method} ` : ''}${u.route.path}`;
    const svc = world.files.find((f) => f.path === u.path)?.service ?? null;
    routeSeen.add(`${svc} ${name}`);
    const ran = nodesOfUnit(world, u, svc)[0];
    routeLines.push({
      text: `${svc ?? ''} ${name} (${refOf(u.path, u.startLine)})${ran ? `, runtime-confirmed in ${ran.traces} sampled traces` : ' (static)'}`.trim(),
      evidence: [
        codeEvidence(u.path, u.startLine, `the ${name} handler reaches it through static calls`),
        ...(ran ? [traceEvidence(ran.traceId, `a trace through ${nodeLabel(ran)}`)] : []),
      ],
    });
  }
  const parentsOf = new Map<string, string[]>();
  for (const e of world.runtime.edges) {
    const list = parentsOf.get(e.to);
    if (list) list.push(e.from);
    else parentsOf.set(e.to, [e.from]);
  }
  if (t.kind !== 'service') {
    for (const id of reach(
      [...nodeIds],
      (id) => parentsOf.get(id) ?? [],
      (id) => id,
    )) {
      const n = byId.get(id)!;
      if (n.kind !== 'endpoint' || routeSeen.has(`${n.service} ${n.name}`)) continue;
      routeLines.push(nodeLine(world, n, `${nodeLabel(n)} (runtime, ${n.traces} sampled traces)`, n.traces, n.traceId));
    }
  } else {
    for (const r of world.routes.filter((r) => r.service === t.service)) {
      const ran = endpointsOfRoute(world, r)[0];
      routeLines.push({
        text: `${routeName(r)} (${refOf(r.path, r.line)})${ran ? `, ${ran.traces} sampled traces` : ', no trace in the sample'}`,
        evidence: [
          codeEvidence(r.path, r.line, `${routeName(r)} registered`),
          ...(ran ? [traceEvidence(ran.traceId, `a trace through ${nodeLabel(ran)}`)] : []),
        ],
      });
    }
  }

  // Downstream services: HTTP edges from it and from what it calls in-process.
  const childrenOf = new Map<string, typeof world.runtime.edges>();
  for (const e of world.runtime.edges) {
    const list = childrenOf.get(e.from);
    if (list) list.push(e);
    else childrenOf.set(e.from, [e]);
  }
  const inProcess = [
    ...nodeIds,
    ...reach(
      [...nodeIds],
      (id) => (childrenOf.get(id) ?? []).filter((e) => e.kind === 'call').map((e) => e.to),
      (id) => id,
    ),
  ];
  const downLines: AnswerLine[] = [];
  for (const id of new Set(inProcess))
    for (const e of childrenOf.get(id) ?? []) {
      if (e.kind !== 'http') continue;
      const to = byId.get(e.to)!;
      if (t.kind === 'service' && to.service === t.service) continue;
      const from = byId.get(e.from)!;
      downLines.push(
        nodeLine(
          world,
          to,
          `${from.kind === 'span' ? `${from.name}() ` : ''}calls ${to.service} ${to.name} (client span → server span in ${e.traces} sampled traces); handled by ${routesOfEndpoint(world, to)[0]?.handler ?? 'its route handler'}`,
          e.traces,
          e.traceId,
        ),
      );
    }

  // Log statements in it, with the lines traces saw at its nodes.
  const logLines: AnswerLine[] = [];
  for (const c of world.callsites.filter((c) => inRange(t, world, c.path, c.line))) {
    const re = templateRegex(c.template);
    const seen = world.runtime.logs.find(
      (l) => (nodeIds.has(l.node) || t.kind !== 'service') && l.service === (c.service ?? l.service) && re.test(l.body),
    );
    logLines.push({
      text: `${c.level ?? 'log'} "${c.template}" (${refOf(c.path, c.line)})${seen ? `; seen in ${seen.traces} sampled traces` : ''}`,
      evidence: [
        codeEvidence(c.path, c.line, `log statement "${c.template}"`),
        ...(seen ? [logEvidence(seen.traceId, `a line "${seen.body.slice(0, 120)}"`)] : []),
      ],
    });
  }
  const errorLines: AnswerLine[] = errorGroupsIn(world, t).map((g) => {
    const frame = g.frames.find((f) => t.path !== null && frameMatches(f.file, t.path)) ?? g.frames[0];
    return {
      text: `${g.type}: ${g.message.slice(0, 160)} (${g.events} events${frame ? `, at ${frame.function ?? '?'} ${frame.file.split('/').pop()}:${frame.line ?? '?'}` : ''})`,
      evidence: [errorEvidence(g.fingerprint, w, `error group ${g.fingerprint}`)],
    };
  });

  // Traffic: the endpoints it is, or the endpoints that reach it.
  const trafficLines: AnswerLine[] = [];
  const epNodes =
    t.kind === 'service'
      ? nodes.filter((n) => n.kind === 'endpoint')
      : [
          ...nodes.filter((n) => n.kind === 'endpoint'),
          ...reach(
            [...nodeIds],
            (id) => parentsOf.get(id) ?? [],
            (id) => id,
          )
            .map((id) => byId.get(id)!)
            .filter((n) => n.kind === 'endpoint' && n.service === (t.service ?? n.service)),
        ];
  const statKeys = new Set<string>();
  for (const n of epNodes) {
    const stat = world.endpoints.find((e) => e.service === n.service && e.endpoint === n.endpoint);
    if (!stat || statKeys.has(`${stat.service} ${stat.endpoint}`)) continue;
    statKeys.add(`${stat.service} ${stat.endpoint}`);
    trafficLines.push({
      text: `${nodes.some((x) => x.id === n.id) ? '' : 'runs within '}${n.service} ${stat.endpoint}: ${(stat.requests / Math.max(1, world.minutes)).toFixed(1)} calls/min, p95 ${stat.p95Ms === null ? 'unknown' : `${Math.round(stat.p95Ms)} ms`}, ${stat.errors} errors of ${stat.requests}`,
      evidence: [serviceEvidence(stat.service, w, `${stat.service} ${stat.endpoint} RED in the window`)],
    });
  }
  if (t.kind === 'service') {
    const mine = world.endpoints.filter((e) => e.service === t.name);
    const requests = mine.reduce((n, e) => n + e.requests, 0);
    if (mine.length)
      trafficLines.unshift({
        text: `${t.name}: ${(requests / Math.max(1, world.minutes)).toFixed(1)} calls/min over ${mine.length} endpoints, slowest p95 ${Math.round(Math.max(...mine.map((e) => e.p95Ms ?? 0)))} ms`,
        evidence: [serviceEvidence(t.name, w, `${t.name} RED in the window`)],
      });
  }

  // Owners and recent commits.
  const paths =
    t.kind === 'service' ? world.files.filter((f) => f.service === t.name).map((f) => f.path) : t.path ? [t.path] : [];
  const ownerLines: AnswerLine[] = [];
  const owned = ownersLine(world, paths, '');
  if (owned) ownerLines.push(owned);
  const commits = commitsTouching(world, paths);
  for (const c of commits.slice(0, 5))
    ownerLines.push({
      text: `${c.sha.slice(0, 10)} ${c.at.slice(0, 10)} ${c.author ?? 'unknown'}: ${c.message.split('\n')[0]!.slice(0, 120)}`,
      evidence: [commitEvidence(c.repository, c.sha, `commit ${c.sha.slice(0, 10)}`)],
    });

  // Open problems that touch it: holding one of its error groups, or (for a service or route) of its service.
  const groups = new Set(errorGroupsIn(world, t).map((g) => g.fingerprint));
  const problemLines: AnswerLine[] = world.problems
    .filter(
      (p) =>
        p.status === 'open' &&
        (p.errorGroups.some((g) => groups.has(g)) ||
          ((t.kind === 'service' || t.kind === 'route') && t.service !== null && p.services.includes(t.service))),
    )
    .map((p) => ({
      text: `problem ${p.id}: ${p.title} (${p.services.join(', ')})`,
      evidence: [problemEvidence(p, `problem ${p.id}`)],
    }));

  return {
    algorithm: EXPLAIN_ALGORITHM,
    query,
    target: t,
    summary,
    sections: [
      section('Callers', callerLines, 'no caller in the code index or in the sampled traces'),
      section('Callees', calleeLines, 'it calls nothing the code index resolves or the traces show'),
      section('Routes that reach it', routeLines, 'no route reaches it through static calls or in the sampled traces'),
      section('Downstream services', downLines, 'no call to another service in the sampled traces'),
      section('Log statements', logLines, 'no log statement in it'),
      section('Error groups', errorLines, 'no error group has a frame in it in the window'),
      section('Traffic', trafficLines, 'no RED minutes for its endpoints in the window'),
      section('Owners and recent commits', ownerLines, 'no CODEOWNERS rule or indexed commit names its file'),
      section('Open problems', problemLines, 'no open problem touches it'),
    ],
    window: w,
    gaps: [...world.gaps],
  };
}

function dedupe<T>(list: readonly T[], key: (t: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of list) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.values()];
}
