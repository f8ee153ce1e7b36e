// sim-change@1: a change's blast radius from plain facts — the diff, the changed units, the
// units the caller walk reached, the runtime view, traffic, open problems and tickets — into
// one result. The workflow (workflows/simulate-change) gathers the facts from git and the store.
import type {
  BlastChangedFile,
  BlastChangedUnit,
  BlastOwner,
  BlastProblem,
  BlastRadius,
  BlastReachedUnit,
  BlastTicket,
} from '../../../model/index.js';
import { routeKey } from '../../ticket-mentions.js';
import { type EndpointTraffic, type WalkedUnit, exposure } from './exposure.js';
import type { RuntimeUnit, RuntimeView } from './runtime.js';
import type { ChangedUnit, FileDiff } from './types.js';

export const SIM_CHANGE_ALGORITHM = 'sim-change@1';

/** Reached units listed in the result at most (the count is always whole). */
const MAX_REACHED_LISTED = 200;
/** Problems listed only for being in an exposed service, at most (highest priority first). */
const MAX_SERVICE_PROBLEMS = 10;
/** Tickets listed at most. */
const MAX_TICKETS = 25;

export interface BlastProblemFacts {
  id: number;
  title: string;
  service: string | null;
  services: string[];
  priority: number | null;
  /** Its error groups (`error`, fingerprint) and patterns (`pattern`, key), per service. */
  members: Array<{ kind: string; ref: string; service: string | null }>;
}

export interface BlastTicketFacts {
  id: number;
  title: string;
  status: string;
  /** Route keys it names (analysis routeKey). */
  routes: string[];
  services: string[];
  problemId: number | null;
}

export interface BlastErrorGroupFacts {
  service: string;
  fingerprint: string;
  /** The group's stack as stored (frames), one `function (file:line)` per frame. */
  frames: Array<{ function: string; file: string; line: number | null }>;
}

export interface BlastPatternFacts {
  service: string;
  key: string;
  template: string;
}

export interface BlastRadiusFacts {
  repository: string;
  base: string;
  head: string;
  deploy: { id: number; service: string; version: string } | null;
  service: string | null;
  window: { since: string; until: string; minutes: number } | null;
  diff: readonly FileDiff[];
  /** Changed units, with the service and owners of their file. */
  changed: ReadonlyArray<ChangedUnit & { id: string; service: string | null; owners: string[] }>;
  /** Every unit the walk reached, the changed ones included (depth 0). */
  walked: readonly WalkedUnit[];
  walkTruncated: boolean;
  /** The affected units as runtime evidence names them (for log templates and frames). */
  runtimeUnits: readonly RuntimeUnit[];
  runtime: RuntimeView | null;
  endpointsSampled: number;
  traffic: readonly EndpointTraffic[];
  serviceEdges: ReadonlyArray<{ caller: string; callee: string }>;
  serviceOwners: ReadonlyMap<string, string[]>;
  problems: readonly BlastProblemFacts[];
  tickets: readonly BlastTicketFacts[];
  errorGroups: readonly BlastErrorGroupFacts[];
  patterns: readonly BlastPatternFacts[];
  notes: readonly string[];
}

function pathMatches(file: string, path: string): boolean {
  const f = file.replace(/\\/g, '/');
  return f === path || f.endsWith(`/${path}`);
}

/** Error groups with a frame in an affected unit, and patterns logged by an affected unit. */
function codeSignals(facts: BlastRadiusFacts): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of facts.errorGroups) {
    for (const f of g.frames) {
      const u = facts.runtimeUnits.find(
        (x) =>
          (x.service === null || x.service === g.service) &&
          pathMatches(f.file, x.path) &&
          f.line !== null &&
          x.startLine !== null &&
          f.line >= x.startLine &&
          f.line <= (x.endLine ?? x.startLine),
      );
      if (u) {
        out.set(
          `error:${g.service}:${g.fingerprint}`,
          `its error group's frame ${f.function} is in ${u.path} ${u.name}`,
        );
        break;
      }
    }
  }
  const norm = (t: string) => t.replace(/<\*>/g, '<*>').replace(/\s+/g, ' ').trim().toLowerCase();
  for (const p of facts.patterns) {
    const u = facts.runtimeUnits.find(
      (x) =>
        (x.service === null || x.service === p.service) && x.logTemplates.some((t) => norm(t) === norm(p.template)),
    );
    if (u) out.set(`pattern:${p.service}:${p.key}`, `its pattern "${p.template}" is logged by ${u.path} ${u.name}`);
  }
  return out;
}

export function buildBlastRadius(facts: BlastRadiusFacts): BlastRadius {
  const seen = facts.runtime?.unitsSeen ?? new Set<string>();
  const { endpoints, services } = exposure({
    units: facts.walked,
    runtime: facts.runtime,
    traffic: facts.traffic,
    minutes: facts.window?.minutes ?? null,
    serviceEdges: facts.serviceEdges,
    serviceOwners: facts.serviceOwners,
  });

  const perFile = new Map<string, number>();
  for (const c of facts.changed) perFile.set(c.path, (perFile.get(c.path) ?? 0) + 1);
  const files: BlastChangedFile[] = facts.diff.map((d) => {
    const path = (d.newPath ?? d.oldPath)!;
    const units = perFile.get(path) ?? 0;
    const note = d.binary
      ? 'binary'
      : units === 0
        ? facts.service !== null && !facts.changed.some((c) => c.path === path)
          ? `not parsed, or outside what ${facts.service} runs`
          : 'no function, route or variable changed (not parsed, or comments and whitespace only)'
        : null;
    return { path, oldPath: d.status === 'renamed' ? d.oldPath : null, status: d.status, units, note };
  });

  const changed: BlastChangedUnit[] = facts.changed.map((c) => ({
    path: c.path,
    name: c.name,
    kind: c.kind,
    change: c.change,
    why: c.why,
    lines: c.head ?? c.base,
    service: c.service,
    owners: c.owners,
    seenAtRuntime: seen.has(c.id),
  }));
  const byId = new Map(facts.walked.map((u) => [u.id, u]));
  const reachedAll = facts.walked.filter((u) => u.depth > 0);
  const reached: BlastReachedUnit[] = reachedAll.slice(0, MAX_REACHED_LISTED).map((u) => {
    const callee = u.via ? byId.get(u.via) : undefined;
    return {
      path: u.path,
      name: u.name,
      kind: u.kind,
      service: u.service,
      depth: u.depth,
      calls: callee ? `${callee.path} ${callee.name}` : '',
      seenAtRuntime: seen.has(u.id),
    };
  });

  const exposedServices = new Set(services.map((s) => s.service));
  const signals = codeSignals(facts);
  const problems: BlastProblem[] = [];
  for (const p of facts.problems) {
    const byCode = p.members.map((m) => signals.get(`${m.kind}:${m.service}:${m.ref}`)).find((x) => x !== undefined);
    const inService =
      p.services.find((s) => exposedServices.has(s)) ??
      (p.service && exposedServices.has(p.service) ? p.service : undefined);
    if (byCode)
      problems.push({
        id: p.id,
        title: p.title,
        service: p.service,
        priority: p.priority,
        why: 'code',
        detail: byCode,
      });
    else if (inService)
      problems.push({
        id: p.id,
        title: p.title,
        service: p.service,
        priority: p.priority,
        why: 'service',
        detail: `in exposed service ${inService}`,
      });
  }
  problems.sort(
    (a, b) =>
      Number(b.why === 'code') - Number(a.why === 'code') || (b.priority ?? 0) - (a.priority ?? 0) || a.id - b.id,
  );
  const byService = problems.filter((p) => p.why === 'service').length;
  if (byService > MAX_SERVICE_PROBLEMS) {
    problems.splice(problems.length - (byService - MAX_SERVICE_PROBLEMS));
  }

  const routeKeys = new Map<string, string>();
  for (const e of endpoints)
    routeKeys.set(routeKey(e.endpoint.replace(/^[A-Z]+\s+(?=\/)/, '')), `${e.service} ${e.endpoint}`);
  const problemIds = new Set(problems.map((p) => p.id));
  const tickets: BlastTicket[] = [];
  for (const t of facts.tickets) {
    const route = t.routes.find((r) => routeKeys.has(r));
    const service = t.services.find((s) => exposedServices.has(s));
    const why = route
      ? `names ${route}, served by ${routeKeys.get(route)}`
      : t.problemId !== null && problemIds.has(t.problemId)
        ? `attached to problem ${t.problemId}`
        : service
          ? `linked to exposed service ${service}`
          : null;
    if (why) tickets.push({ id: t.id, title: t.title, status: t.status, why });
  }
  const ticketsFound = tickets.length;
  tickets.splice(MAX_TICKETS);

  const owners = new Map<string, BlastOwner>();
  const own = (owner: string, role: BlastOwner['role'], path: string) => {
    const k = `${role}\u0000${owner}`;
    let o = owners.get(k);
    if (!o) {
      o = { owner, role, paths: [] };
      owners.set(k, o);
    }
    if (!o.paths.includes(path)) o.paths.push(path);
  };
  for (const c of facts.changed) for (const o of c.owners) own(o, 'changed', c.path);
  for (const e of endpoints) for (const o of e.owners) own(o, 'exposed', e.handler?.path ?? `service ${e.service}`);

  const entry = endpoints.filter((e) => e.entry);
  const notes = [...facts.notes];
  if (byService > MAX_SERVICE_PROBLEMS)
    notes.push(
      `${byService} open problems are in exposed services; the ${MAX_SERVICE_PROBLEMS} of highest priority are listed`,
    );
  if (ticketsFound > MAX_TICKETS)
    notes.push(`${ticketsFound} open tickets touch the exposed endpoints; ${MAX_TICKETS} are listed`);
  if (facts.walkTruncated) notes.push('the caller walk hit its bound: more code may reach the change');
  if (reachedAll.length > MAX_REACHED_LISTED)
    notes.push(`${reachedAll.length} units reach the change; the first ${MAX_REACHED_LISTED} are listed`);
  return {
    algorithm: SIM_CHANGE_ALGORITHM,
    repository: facts.repository,
    base: facts.base,
    head: facts.head,
    deploy: facts.deploy,
    service: facts.service,
    window: facts.window,
    summary: {
      changedUnits: changed.length,
      reachedUnits: reachedAll.length,
      endpoints: endpoints.length,
      entryEndpoints: entry.length,
      runtimeConfirmed: endpoints.filter((e) => e.mark === 'runtime-confirmed').length,
      staticOnly: endpoints.filter((e) => e.mark === 'static-only').length,
      services: services.length,
      entryCallsPerMinute: facts.window
        ? Math.round(entry.reduce((a, e) => a + (e.callsPerMinute ?? 0), 0) * 1000) / 1000
        : null,
    },
    files,
    changed,
    reached,
    endpoints,
    services,
    people: { users: null, accounts: null, topUsers: [], topAccounts: [] },
    problems,
    tickets,
    owners: [...owners.values()].sort((a, b) =>
      a.role === b.role ? a.owner.localeCompare(b.owner) : a.role === 'changed' ? -1 : 1,
    ),
    runtime: { traces: facts.runtime?.traces ?? 0, endpointsSampled: facts.endpointsSampled },
    notes,
  };
}
