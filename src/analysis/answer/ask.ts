// ask@1, deterministic: a question's shape (question.ts), the entities its phrases name
// (entities.ts: exact spellings, else BM25F over services, endpoints, functions, templates,
// files, docs, commits and tickets), then a walk between them (path.ts) or the facts about
// the one it names — its callers and the routes that reach it, where a template is logged,
// who owns the code behind an endpoint, where something is handled — each line citing a
// `file:line` or a query. Files named by the answer are ranked for "where" questions.
import type { AnswerEntity, AnswerLine, AnswerStep, AskResult } from '../../model/index.js';
import { identityLabel } from '../identity-hash.js';
import { type CodeIndex, localizeText } from '../retrieval/index.js';
import { buildEntityIndex, type EntityIndex, findEntities } from './entities.js';
import { codeEvidence, commitEvidence, traceEvidence } from './evidence.js';
import { buildExplain, nodeLabel, nodeRef } from './explain.js';
import { commitsTouching, ownersLine, ownersOf } from './owners.js';
import { ASK_ALGORITHM, type AnswerWorld, type RouteFact, type SymbolFact, type UnitFact, refOf } from './facts.js';
import { routesOfEndpoint } from './link.js';
import { nodesOfEntity, pathSteps, runtimePath, staticPath } from './path.js';
import { parseQuestion } from './question.js';
import type { RuntimeNode } from './runtime-graph.js';

export interface AskInput {
  question: string;
  world: AnswerWorld;
  /** Built once for many questions over one world (buildEntityIndex). */
  entities?: EntityIndex;
  /** The repository's files for "where" questions (retrieval's code index); null: entities only. */
  code?: CodeIndex | null;
}

const FILES = 10;

function pathOfRef(ref: string): string {
  return ref.slice(0, ref.lastIndexOf(':'));
}

function lineOfRef(ref: string): number {
  return Number(ref.slice(ref.lastIndexOf(':') + 1));
}

function endpointEntity(n: RuntimeNode, world: AnswerWorld): AnswerEntity {
  return { kind: 'endpoint', name: `${n.service} ${n.name}`, service: n.service, ref: nodeRef(world, n), score: 0 };
}

/** The endpoints above a set of nodes in the traces (the nodes themselves when they are endpoints). */
function endpointsAbove(world: AnswerWorld, start: readonly RuntimeNode[]): RuntimeNode[] {
  const byId = new Map(world.runtime.nodes.map((n) => [n.id, n]));
  const parents = new Map<string, string[]>();
  for (const e of world.runtime.edges) {
    const list = parents.get(e.to);
    if (list) list.push(e.from);
    else parents.set(e.to, [e.from]);
  }
  const seen = new Set(start.map((n) => n.id));
  let frontier = [...seen];
  for (let d = 0; frontier.length && d < 16; d++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const p of parents.get(id) ?? [])
        if (!seen.has(p)) {
          seen.add(p);
          next.push(p);
        }
    frontier = next;
  }
  return [...seen].map((id) => byId.get(id)!).filter((n) => n.kind === 'endpoint');
}

function symbolOfEntity(world: AnswerWorld, e: AnswerEntity): SymbolFact | null {
  if (e.ref === null) return null;
  const path = pathOfRef(e.ref);
  const line = lineOfRef(e.ref);
  return world.symbols.find((s) => s.path === path && s.startLine === line) ?? null;
}

function routeOfEntity(world: AnswerWorld, e: AnswerEntity): RouteFact | null {
  if (e.ref === null) return null;
  const path = pathOfRef(e.ref);
  const line = lineOfRef(e.ref);
  return world.routes.find((r) => r.path === path && r.line === line) ?? null;
}

function unitsOfEntity(world: AnswerWorld, e: AnswerEntity): UnitFact[] {
  if (e.ref === null) return [];
  const path = pathOfRef(e.ref);
  const line = lineOfRef(e.ref);
  const out = new Map<string, UnitFact>();
  for (const c of world.staticCalls)
    for (const u of [c.from, c.to])
      if (u.path === path && u.startLine <= line && line <= u.endLine) out.set(`${u.path}:${u.startLine}:${u.name}`, u);
  return [...out.values()];
}

function filesOf(lines: readonly AnswerLine[], entities: readonly AnswerEntity[]): string[] {
  const out: string[] = [];
  const add = (p: string) => {
    if (!out.includes(p)) out.push(p);
  };
  for (const e of entities) if (e.ref) add(pathOfRef(e.ref));
  for (const l of lines)
    for (const ev of l.evidence) if (ev.kind === 'code' && ev.ref && /:\d+$/.test(ev.ref)) add(pathOfRef(ev.ref));
  return out;
}

function dedupeEntities(list: readonly AnswerEntity[]): AnswerEntity[] {
  const m = new Map<string, AnswerEntity>();
  for (const e of list) {
    const k = `${e.kind}\u0000${e.name}`;
    if (!m.has(k)) m.set(k, e);
  }
  return [...m.values()];
}

function deterministicText(lines: readonly AnswerLine[]): string {
  return lines.map((l) => l.text).join('\n');
}

export function buildAsk(input: AskInput): AskResult {
  const { world } = input;
  const index = input.entities ?? buildEntityIndex(world);
  const q = parseQuestion(input.question);
  const gaps = [...world.gaps];
  let lines: AnswerLine[] = [];
  let entities: AnswerEntity[] = [];
  let path: AnswerStep[] | null = null;
  let files: string[] | null = null;

  if (q.intent === 'path') {
    const from = findEntities(index, q.subject, ['endpoint', 'route', 'service', 'symbol', 'template'], 5);
    const to = findEntities(index, q.to ?? '', ['service', 'endpoint', 'route', 'symbol'], 5);
    if (from.length === 0) gaps.push(`nothing in the index or the traces is named like "${q.subject}"`);
    if (to.length === 0) gaps.push(`nothing in the index or the traces is named like "${q.to}"`);
    search: for (const a of from)
      for (const b of to) {
        const found = runtimePath(world, a, b);
        if (found) {
          path = pathSteps(world, found);
          entities = [
            a,
            b,
            ...found.nodes.map((n) =>
              n.kind === 'endpoint'
                ? endpointEntity(n, world)
                : { kind: 'symbol' as const, name: n.name, service: n.service, ref: nodeRef(world, n), score: 0 },
            ),
            ...found.nodes.map((n) => ({
              kind: 'service' as const,
              name: n.service,
              service: n.service,
              ref: null,
              score: 0,
            })),
          ];
          break search;
        }
        const steps = staticPath(world, unitsOfEntity(world, a), unitsOfEntity(world, b));
        if (steps) {
          path = steps;
          entities = [a, b];
          break search;
        }
      }
    if (path) lines = path.map((s) => s.line);
    else if (from.length && to.length)
      gaps.push(
        `no path from ${from[0]!.name} to ${to[0]!.name} in the sampled traces (${world.runtime.traces}) or the static calls`,
      );
  } else if (q.intent === 'callers') {
    const found = findEntities(index, q.subject, ['symbol', 'endpoint', 'route', 'service'], 3);
    const e = found[0];
    if (!e) gaps.push(`nothing in the index or the traces is named like "${q.subject}"`);
    else {
      const symbol = e.kind === 'symbol' ? symbolOfEntity(world, e) : null;
      const route = e.kind === 'endpoint' || e.kind === 'route' ? routeOfEntity(world, e) : null;
      const nodes = nodesOfEntity(world, e);
      const target = {
        kind:
          e.kind === 'service' ? ('service' as const) : e.kind === 'symbol' ? ('symbol' as const) : ('route' as const),
        name: e.kind === 'endpoint' && e.service ? e.name.slice(e.service.length + 1) : e.name,
        service: e.service,
        repository: symbol?.repository ?? route?.repository ?? null,
        path: symbol?.path ?? route?.path ?? null,
        startLine: symbol?.startLine ?? route?.symbol?.startLine ?? route?.line ?? null,
        endLine: symbol?.endLine ?? route?.symbol?.endLine ?? route?.line ?? null,
      };
      const ex = buildExplain(world, q.subject, { target, symbol, route });
      for (const s of ex.sections)
        if (s.title === 'Callers' || s.title === 'Routes that reach it') lines.push(...s.lines);
      const above = endpointsAbove(world, nodes).filter((n) => !nodes.some((m) => m.id === n.id));
      entities = [e, ...above.map((n) => endpointEntity(n, world))];
      if (lines.length === 0) gaps.push(`no caller of ${e.name} in the static calls or the sampled traces`);
    }
  } else if (q.intent === 'logged') {
    const found = findEntities(index, q.subject, ['template'], 3);
    const t = found[0];
    if (!t) gaps.push(`no log statement's template is like "${q.subject}"`);
    else {
      const site = world.callsites.find((c) => t.ref === refOf(c.path, c.line));
      const nodes = nodesOfEntity(world, t);
      const eps = endpointsAbove(world, nodes);
      if (site) {
        lines.push({
          text: `"${site.template}" is logged at ${refOf(site.path, site.line)}${site.symbol ? `, in ${site.symbol.parent ? `${site.symbol.parent}.` : ''}${site.symbol.name}` : ''}, service ${site.service ?? 'unknown'}`,
          evidence: [codeEvidence(site.path, site.line, `log statement "${site.template}"`)],
        });
      }
      for (const n of eps) {
        const log =
          world.runtime.logs.find((l) => nodes.some((m) => m.id === l.node) && l.service === n.service) ?? null;
        lines.push({
          text: `logged while serving ${nodeLabel(n)}, in ${n.traces} sampled traces`,
          evidence: [traceEvidence(log?.traceId ?? n.traceId, `a trace through ${nodeLabel(n)} that logged it`)],
        });
      }
      entities = [
        t,
        ...(site?.service
          ? [{ kind: 'service' as const, name: site.service, service: site.service, ref: null, score: 0 }]
          : []),
        ...(site?.symbol
          ? [
              {
                kind: 'symbol' as const,
                name: site.symbol.name,
                service: site.service,
                ref: refOf(site.path, site.symbol.startLine),
                score: 0,
              },
            ]
          : []),
        ...eps.map((n) => endpointEntity(n, world)),
        ...eps.map((n) => ({ kind: 'service' as const, name: n.service, service: n.service, ref: null, score: 0 })),
      ];
    }
  } else if (q.intent === 'owners') {
    const found = findEntities(index, q.subject, ['endpoint', 'route', 'symbol', 'file', 'service'], 3);
    const e = found[0];
    if (!e) gaps.push(`nothing in the index or the traces is named like "${q.subject}"`);
    else {
      let paths: string[] = [];
      if (e.kind === 'endpoint' || e.kind === 'route') {
        const node = nodesOfEntity(world, e)[0];
        const route = routeOfEntity(world, e) ?? (node ? (routesOfEndpoint(world, node)[0] ?? null) : null);
        if (route) {
          paths = [route.path];
          lines.push({
            text: `${e.name} is handled by ${route.handler ?? 'the route registered'} at ${refOf(route.path, route.line)}`,
            evidence: [codeEvidence(route.path, route.line, `${e.name} registered`)],
          });
        }
      } else if (e.kind === 'service') paths = world.files.filter((f) => f.service === e.name).map((f) => f.path);
      else if (e.ref) paths = [pathOfRef(e.ref)];
      const ranked = ownersOf(world, paths);
      const owned = ownersLine(world, paths, paths.length === 1 ? paths[0]! : `${paths.length} files`);
      if (owned) lines.push(owned);
      const pathSet = new Set(paths);
      const commits = commitsTouching(world, paths);
      const authors = [...new Set(commits.map((c) => c.author).filter((a): a is string => a !== null))].slice(0, 5);
      if (commits.length)
        lines.push({
          text: `recent authors: ${authors.join(', ')} (last commit ${commits[0]!.sha.slice(0, 10)} on ${commits[0]!.at.slice(0, 10)})`,
          evidence: commits
            .slice(0, 3)
            .map((c) =>
              commitEvidence(c.repository, c.sha, `commit ${c.sha.slice(0, 10)} by ${c.author ?? 'unknown'}`),
            ),
        });
      const svc = e.service ?? world.files.find((f) => pathSet.has(f.path))?.service ?? null;
      entities = [
        e,
        ...(svc ? [{ kind: 'service' as const, name: svc, service: svc, ref: null, score: 0 }] : []),
        ...paths.slice(0, 5).map((p) => ({ kind: 'file' as const, name: p, service: svc, ref: refOf(p, 1), score: 0 })),
        ...ranked.map((o) => ({ kind: 'owner' as const, name: identityLabel(o), service: svc, ref: null, score: 0 })),
      ];
      if (lines.length === 0) gaps.push(`no CODEOWNERS rule or indexed commit names the code behind ${e.name}`);
    }
  } else {
    const found = findEntities(
      index,
      q.subject,
      ['symbol', 'route', 'endpoint', 'template', 'doc', 'ticket', 'commit'],
      5,
    );
    const ranked = input.code ? localizeText({ title: q.subject, body: '' }, input.code, { limit: FILES }) : [];
    files = ranked.map((c) => c.path);
    for (const c of ranked.slice(0, 5))
      lines.push({
        text: `${c.path}: ${c.hint}`,
        evidence: [codeEvidence(c.path, 1, `${c.path}, ranked by the question's words`)],
      });
    for (const e of found) {
      if (e.ref === null) continue;
      const p = pathOfRef(e.ref);
      if (!files.includes(p)) files.push(p);
      lines.push({
        text: `${e.kind} ${e.name} at ${e.ref}`,
        evidence: [codeEvidence(p, lineOfRef(e.ref), `${e.kind} ${e.name}`)],
      });
    }
    entities = found;
    if (lines.length === 0) gaps.push(`nothing in the index matches "${q.subject}"`);
  }

  entities = dedupeEntities(entities);
  return {
    algorithm: ASK_ALGORITHM,
    question: input.question,
    intent: q.intent,
    entities,
    path,
    lines,
    files: (files ?? filesOf(lines, entities)).slice(0, FILES),
    answer: { text: deterministicText(lines), source: 'deterministic', model: null, citations: [] },
    window: world.window,
    gaps,
  };
}
