// review@1 as a whole: from the facts a workflow read (the blast radius, what reaches each
// changed symbol, production's minutes up to the review's time, error groups, past suspects,
// owners and the manifests' changes) to the typed Review: each changed symbol with its
// production context, the tests, the owners, the risk reasons and tier, a rollout and the
// annotations for the changed lines that have production evidence.
import type {
  BlastRadius,
  ChangedUnitKind,
  Review,
  ReviewAnnotation,
  ReviewConfigChange,
  ReviewEndpoint,
  ReviewEvidence,
  ReviewOwner,
  ReviewReason,
  ReviewRollout,
  ReviewRouteChange,
  ReviewSymbol,
  ReviewTest,
} from '../../model/index.js';
import { type Production, measureConfig } from './config.js';
import type { SymbolReach } from './reach.js';
import type { ReadPathChange } from './read-paths.js';
import type { RemoteLoopCall } from './remote-calls.js';
import { assess } from './rules.js';

export const REVIEW_ALGORITHM = 'review@1';

type Lines = { startLine: number; endLine: number };

/** A changed unit as sim-change found it, with its lines at both revisions. */
export interface ReviewChangedFacts {
  path: string;
  name: string;
  kind: ChangedUnitKind;
  change: 'added' | 'removed' | 'modified';
  head: Lines | null;
  base: Lines | null;
  service: string | null;
}

export interface ReviewFacts {
  repository: string;
  base: string;
  head: string;
  asOf: string;
  commits: Review['commits'];
  blast: BlastRadius;
  changed: readonly ReviewChangedFacts[];
  /** By symbol id (`path name`). */
  reach: Readonly<Record<string, SymbolReach>>;
  /** Lines added or changed at head, per path. */
  hunks: Readonly<Record<string, readonly Lines[]>>;
  /** By symbol id: its changed loops' calls to other services (remote-calls). */
  loopCalls: Readonly<Record<string, readonly RemoteLoopCall[]>>;
  /** By symbol id: its changed nested reads through keys no code here writes (read-paths). */
  unwrittenReads: Readonly<Record<string, ReadonlyArray<ReadPathChange & { unwritten: string[] }>>>;
  production: Production;
  errorGroups: ReadonlyArray<{
    service: string;
    fingerprint: string;
    frames: ReadonlyArray<{ function: string; file: string; line: number | null }>;
  }>;
  /** Past investigations whose suspect commits changed the path, by path. */
  suspects: Readonly<Record<string, number>>;
  /** CODEOWNERS entries and recent authors of each changed path. */
  codeowners: Readonly<Record<string, readonly string[]>>;
  recentAuthors: Readonly<Record<string, readonly string[]>>;
  /** The manifests' setting changes (config.configChanges), measured here against `production`. */
  config: readonly ReviewConfigChange[];
  notes: readonly string[];
}

const symbolId = (path: string, name: string) => `${path} ${name}`;
const bareOf = (name: string) =>
  name
    .split(/[.#\s]/)
    .filter(Boolean)
    .pop() ?? name;

function frameIn(frame: { function: string; file: string; line: number | null }, c: ReviewChangedFacts): boolean {
  if (!frame.file || !(frame.file === c.path || frame.file.endsWith(`/${c.path}`))) return false;
  // Production ran the base revision: its lines, else the function's name.
  if (frame.line !== null && c.base && frame.line >= c.base.startLine && frame.line <= c.base.endLine) return true;
  return c.kind === 'symbol' && bareOf(frame.function) === bareOf(c.name);
}

function symbols(f: ReviewFacts): ReviewSymbol[] {
  const p = f.production;
  const stat = new Map(p.endpoints.map((e) => [`${e.service} ${e.endpoint}`, e]));
  const seen = new Map(f.blast.changed.map((c) => [symbolId(c.path, c.name), c.seenAtRuntime]));
  return f.changed.map((c) => {
    const id = symbolId(c.path, c.name);
    const reach = f.reach[id] ?? { routes: [], tests: [] };
    const endpoints: ReviewEndpoint[] = f.blast.endpoints
      .filter(
        (e) =>
          e.via === 'code' &&
          e.handler !== null &&
          reach.routes.some(
            (r) => r.path === e.handler!.path && e.handler!.line >= r.startLine && e.handler!.line <= r.endLine,
          ),
      )
      .map((e) => {
        const s = stat.get(`${e.service} ${e.endpoint}`);
        return {
          service: e.service,
          endpoint: e.endpoint,
          entry: e.entry,
          mark: e.mark,
          callsPerMinute: e.callsPerMinute,
          errorsPerMinute: e.errorsPerMinute,
          p95Ms: s?.p95Ms ?? null,
          p99Ms: s?.p99Ms ?? null,
        };
      })
      .sort((a, b) => (b.callsPerMinute ?? 0) - (a.callsPerMinute ?? 0));
    const withCalls = endpoints.filter((e) => e.callsPerMinute !== null);
    const callsPerMinute = withCalls.length ? withCalls.reduce((a, e) => a + e.callsPerMinute!, 0) : null;
    const p95s = endpoints.flatMap((e) => (e.p95Ms === null ? [] : [e.p95Ms]));
    const seenAtRuntime = seen.get(id) ?? false;
    const errorGroups = f.errorGroups.flatMap((g) => {
      const fr = g.frames.find((x) => frameIn(x, c));
      return fr
        ? [
            {
              service: g.service,
              fingerprint: g.fingerprint,
              frame: `${fr.function} (${fr.file}${fr.line === null ? '' : `:${fr.line}`})`,
            },
          ]
        : [];
    });
    const endpointNames = endpoints.map((e) => `${e.service} ${e.endpoint}`);
    return {
      id,
      path: c.path,
      name: c.name,
      kind: c.kind,
      change: c.change,
      lines: c.head ?? c.base,
      service: c.service,
      endpoints,
      callsPerMinute,
      p95Ms: p95s.length ? Math.max(...p95s) : null,
      seenAtRuntime,
      hot: seenAtRuntime || (callsPerMinute ?? 0) > 0,
      errorGroups,
      problems: f.blast.problems
        .filter((x) => x.why === 'code' && x.detail.includes(c.path))
        .map((x) => ({ id: x.id, title: x.title })),
      tickets: f.blast.tickets
        .filter((t) => endpointNames.some((n) => t.why.endsWith(`served by ${n}`)))
        .map((t) => ({ id: t.id, title: t.title })),
      suspectInvestigations: f.suspects[c.path] ?? 0,
      tests: reach.tests,
      loopCalls: (f.loopCalls[id] ?? []).map((l) => ({
        ...l,
        p95Ms: stat.get(`${l.service} ${l.endpoint}`)?.p95Ms ?? null,
      })),
      unwrittenReads: (f.unwrittenReads[id] ?? []).map((u) => ({
        line: u.line,
        read: u.read,
        replaced: u.replaced,
        unwritten: [...u.unwritten],
      })),
    };
  });
}

/** Routes the change removed, with production's traffic to them; `renamed` when the file gained one route of the same method. */
function routeChanges(f: ReviewFacts): ReviewRouteChange[] {
  const routes = f.changed.filter((c) => c.kind === 'route');
  const out: ReviewRouteChange[] = [];
  const methodPath = (name: string) => {
    const m = /^([A-Z]+)\s+(\S+)$/.exec(name);
    return m ? { method: m[1]!, path: m[2]! } : { method: null, path: name };
  };
  for (const r of routes.filter((x) => x.change === 'removed')) {
    const { method, path } = methodPath(r.name);
    const added = routes.filter(
      (x) => x.change === 'added' && x.path === r.path && methodPath(x.name).method === method,
    );
    const served = f.production.endpoints.filter(
      (e) => e.endpoint === path && (r.service === null || e.service === r.service),
    );
    const requests = served.reduce((a, e) => a + e.requests, 0);
    out.push({
      service: served[0]?.service ?? r.service ?? f.repository,
      endpoint: path,
      path: r.path,
      change: added.length === 1 ? 'renamed' : 'removed',
      renamedTo: added.length === 1 ? methodPath(added[0]!.name).path : null,
      callsPerMinute: served.length && f.production.minutes > 0 ? requests / f.production.minutes : null,
    });
  }
  return out;
}

function tests(list: readonly ReviewSymbol[]): ReviewTest[] {
  const by = new Map<string, string[]>();
  for (const s of list) for (const t of s.tests) by.set(t, [...(by.get(t) ?? []), s.id]);
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, reaches]) => ({ path, reaches }));
}

function owners(f: ReviewFacts): ReviewOwner[] {
  const out = new Map<string, ReviewOwner>();
  const add = (owner: string, why: ReviewOwner['why'], path: string) => {
    const k = `${why}\u0000${owner}`;
    const o = out.get(k) ?? { owner, why, paths: [] };
    if (!o.paths.includes(path)) o.paths.push(path);
    out.set(k, o);
  };
  for (const [path, list] of Object.entries(f.codeowners)) for (const o of list) add(o, 'codeowners', path);
  for (const [path, list] of Object.entries(f.recentAuthors)) for (const a of list) add(a, 'recent-author', path);
  return [...out.values()].sort(
    (a, b) => Number(a.why !== 'codeowners') - Number(b.why !== 'codeowners') || b.paths.length - a.paths.length,
  );
}

/** The first changed line range inside the symbol at head (else its first line). */
function firstChangedLine(f: ReviewFacts) {
  return (s: ReviewSymbol): ReviewReason['at'] => {
    if (!s.lines) return null;
    const h = (f.hunks[s.path] ?? []).find((x) => x.endLine >= s.lines!.startLine && x.startLine <= s.lines!.endLine);
    const startLine = h ? Math.max(h.startLine, s.lines.startLine) : s.lines.startLine;
    const endLine = h ? Math.min(h.endLine, s.lines.endLine) : s.lines.startLine;
    return { path: s.path, startLine, endLine };
  };
}

function rollout(
  tierOf: Review['tier'],
  reasons: readonly ReviewReason[],
  list: readonly ReviewSymbol[],
): ReviewRollout {
  const watch: ReviewEvidence[] = [];
  const add = (e: ReviewEvidence) => {
    if (!watch.some((w) => w.kind === e.kind && w.ref === e.ref)) watch.push(e);
  };
  for (const r of reasons)
    for (const e of r.evidence) if (e.kind === 'edge' || e.kind === 'error-group' || e.kind === 'endpoint') add(e);
  const busiest = list
    .flatMap((s) => s.endpoints)
    .filter((e) => (e.callsPerMinute ?? 0) > 0)
    .sort((a, b) => b.callsPerMinute! - a.callsPerMinute!);
  for (const e of busiest.slice(0, 3))
    add({ kind: 'endpoint', ref: `${e.service} ${e.endpoint}`, detail: `${e.callsPerMinute!.toFixed(1)} calls/min` });
  const shown = watch.slice(0, 6);
  const names = shown.map((w) => (w.kind === 'error-group' ? `error group ${w.ref}` : w.ref));
  const list2 = names.length ? `, watch ${names.join('; ')}` : '';
  if (tierOf === 'high')
    return {
      strategy: 'staged',
      watch: shown,
      text: `fix or justify each high reason before merging; if it ships, canary to the smallest share first${list2}, and roll back on any rise`,
    };
  if (tierOf === 'medium') return { strategy: 'canary', watch: shown, text: `canary${list2}` };
  return { strategy: 'direct', watch: shown, text: `the usual rollout${list2}` };
}

const LEVEL = { high: 'failure', medium: 'warning' } as const;

/** One annotation per reason with a place, and a notice on each hot changed symbol's changed lines. */
function annotations(
  reasons: readonly ReviewReason[],
  list: readonly ReviewSymbol[],
  f: ReviewFacts,
): ReviewAnnotation[] {
  const out: ReviewAnnotation[] = [];
  for (const r of reasons) {
    if (!r.at) continue;
    out.push({
      ...r.at,
      level: LEVEL[r.tier],
      title: `${r.tier} risk: ${r.rule}`,
      message: `${r.finding}. ${r.says}\n${r.evidence.map((e) => `- ${e.ref}: ${e.detail}`).join('\n')}`,
    });
  }
  const at = firstChangedLine(f);
  for (const s of list) {
    if (!s.hot || s.change === 'removed') continue;
    const where = at(s);
    if (!where || out.some((a) => a.path === where.path && a.startLine === where.startLine)) continue;
    const top = s.endpoints[0];
    out.push({
      ...where,
      level: 'notice',
      title: `production: ${s.name}`,
      message: [
        s.callsPerMinute === null
          ? null
          : `${s.callsPerMinute.toFixed(1)} calls/min behind ${s.endpoints.length} endpoint(s)`,
        top && top.p95Ms !== null ? `p95 ${top.p95Ms.toFixed(1)} ms on ${top.service} ${top.endpoint}` : null,
        s.seenAtRuntime ? 'sampled traces ran it' : null,
        s.tests.length ? `tests: ${s.tests.join(', ')}` : 'no test reaches it',
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  return out;
}

export function buildReview(f: ReviewFacts): Review {
  const list = symbols(f);
  const routes = routeChanges(f);
  const config = measureConfig(f.config, f.production);
  const { tier, reasons } = assess({
    symbols: list,
    config,
    routes,
    firstChangedLine: firstChangedLine(f),
  });
  return {
    algorithm: REVIEW_ALGORITHM,
    repository: f.repository,
    base: f.base,
    head: f.head,
    asOf: f.asOf,
    window: f.blast.window,
    commits: [...f.commits],
    tier,
    reasons,
    rollout: rollout(tier, reasons, list),
    symbols: list,
    untestedHot: list.filter((s) => s.hot && s.tests.length === 0 && s.change !== 'removed').map((s) => s.id),
    tests: tests(list),
    owners: owners(f),
    config,
    routes,
    annotations: annotations(reasons, list, f),
    blastRadius: f.blast,
    notes: [...f.notes],
  };
}
