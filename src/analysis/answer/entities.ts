// Retrieval over the world's named things with the code-aware tokenizer and BM25F: services,
// endpoints (served in traces and declared as routes), functions, log templates, files, docs
// and READMEs, commit messages and tickets. A phrase that spells a name exactly (a service, a
// route, a function) is taken at once; otherwise the best-scoring entities of the kinds asked.
import type { AnswerEntity, AnswerEntityKind } from '../../model/index.js';
import { Bm25Index, type FieldSpec, dampen, queryTerms, tokenize } from '../retrieval/index.js';
import { type AnswerWorld, refOf } from './facts.js';
import { normalizeRoute, routeName, splitEndpoint } from './link.js';

type Field = 'name' | 'text';
const FIELDS: Readonly<Record<Field, FieldSpec>> = { name: { weight: 3, b: 0.5 }, text: { weight: 1, b: 0.75 } };
/** The text of a doc, a ticket or a commit read at most. */
const MAX_TEXT = 20_000;

export interface EntityIndex {
  entities: AnswerEntity[];
  bm25: Bm25Index<Field>;
}

function nameTerms(name: string): string[] {
  return tokenize(name.replace(/[/:{}<>]/g, ' '));
}

export function buildEntityIndex(world: AnswerWorld): EntityIndex {
  const entities: AnswerEntity[] = [];
  const docs: Array<Partial<Record<Field, string[]>>> = [];
  const add = (e: Omit<AnswerEntity, 'score'>, name: string, text = '') => {
    entities.push({ ...e, score: 0 });
    docs.push({ name: nameTerms(name), text: text ? tokenize(text.slice(0, MAX_TEXT)) : [] });
  };
  for (const s of world.services) add({ kind: 'service', name: s, service: s, ref: null }, s);
  const endpoints = new Set<string>();
  for (const n of world.runtime.nodes) {
    if (n.kind !== 'endpoint') continue;
    const r = world.routes.find(
      (x) =>
        x.service === n.service &&
        normalizeRoute(x.routePath) === normalizeRoute(splitEndpoint(n.name).path) &&
        (x.method === null || splitEndpoint(n.name).method === null || x.method === splitEndpoint(n.name).method),
    );
    endpoints.add(`${n.service} ${n.name}`);
    add(
      { kind: 'endpoint', name: `${n.service} ${n.name}`, service: n.service, ref: r ? refOf(r.path, r.line) : null },
      `${n.service} ${n.name}`,
      r?.handler ?? '',
    );
  }
  for (const r of world.routes) {
    const name = `${r.service ?? ''} ${routeName(r)}`.trim();
    if (endpoints.has(name)) continue;
    add({ kind: 'route', name, service: r.service, ref: refOf(r.path, r.line) }, name, `${r.handler ?? ''} ${r.path}`);
  }
  for (const s of world.symbols)
    add(
      {
        kind: 'symbol',
        name: s.parent ? `${s.parent}.${s.name}` : s.name,
        service: s.service,
        ref: refOf(s.path, s.startLine),
      },
      s.parent ? `${s.parent} ${s.name}` : s.name,
      s.path,
    );
  for (const n of world.runtime.nodes) {
    if (n.kind !== 'span' || world.symbols.some((s) => s.name === n.name && s.service === n.service)) continue;
    add({ kind: 'symbol', name: n.name, service: n.service, ref: null }, n.name);
  }
  for (const c of world.callsites)
    add(
      { kind: 'template', name: c.template, service: c.service, ref: refOf(c.path, c.line) },
      c.template,
      c.symbol?.name ?? '',
    );
  for (const f of world.files) add({ kind: 'file', name: f.path, service: f.service, ref: refOf(f.path, 1) }, f.path);
  for (const d of world.docs) add({ kind: 'doc', name: d.path, service: null, ref: refOf(d.path, 1) }, d.path, d.text);
  for (const c of world.commits)
    add({ kind: 'commit', name: c.sha, service: null, ref: null }, c.message.split('\n')[0] ?? '', c.message);
  for (const t of world.tickets) add({ kind: 'ticket', name: String(t.id), service: null, ref: null }, t.title, t.body);
  return { entities, bm25: Bm25Index.build(docs, FIELDS) };
}

/** The exact spellings in a phrase: a service's name, a route, a function's name. */
function exactMatches(index: EntityIndex, phrase: string, kinds: ReadonlySet<AnswerEntityKind>): AnswerEntity[] {
  const p = phrase.trim();
  const lower = p.toLowerCase();
  const routeIn = /(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?(\/\S*)/i.exec(p);
  // A service named outside the route's own text ("cart GET /carts/:user", not the "cart" in "/api/cart").
  const outside = routeIn ? lower.replace(routeIn[0].toLowerCase(), ' ') : lower;
  const words = new Set(outside.split(/[^\w$.-]+/).filter(Boolean));
  const rawWords = new Set(
    p
      .split(/[^\w$.]+/)
      .map((w) => w.replace(/\.$/, ''))
      .filter(Boolean),
  );
  const out: AnswerEntity[] = [];
  for (const e of index.entities) {
    if (!kinds.has(e.kind)) continue;
    if (e.kind === 'service' && words.has(e.name.toLowerCase())) out.push(e);
    else if ((e.kind === 'endpoint' || e.kind === 'route') && routeIn) {
      const ep = splitEndpoint(e.name.replace(/^\S+\s+(?=(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s|\/)/i, ''));
      const method = routeIn[1]?.toUpperCase() ?? null;
      if (normalizeRoute(ep.path) !== normalizeRoute(routeIn[2]!)) continue;
      if (method !== null && ep.method !== null && ep.method !== method) continue;
      if (
        e.service !== null &&
        index.entities.some((s) => s.kind === 'service' && words.has(s.name.toLowerCase())) &&
        !words.has(e.service.toLowerCase())
      )
        continue;
      out.push(e);
    } else if (e.kind === 'symbol') {
      // A whole phrase that is the name, or an identifier-looking word (camelCase, snake_case) in it.
      const bare = p.replace(/\(\)$/, '');
      if (bare === e.name || (e.name.length > 3 && /[A-Z_]/.test(e.name.slice(1)) && rawWords.has(e.name))) out.push(e);
    } else if (e.kind === 'template' && lower === e.name.toLowerCase()) out.push(e);
  }
  // The most specific first: a phrase naming a route in a service means the route, not the service.
  const rank: Partial<Record<AnswerEntityKind, number>> = { endpoint: 0, route: 1, symbol: 2, template: 3, service: 4 };
  const routed = new Set(out.filter((e) => e.kind === 'endpoint' || e.kind === 'route').map((e) => e.service));
  return out
    .filter((e) => !(e.kind === 'service' && routed.has(e.name)))
    .sort((a, b) => (rank[a.kind] ?? 9) - (rank[b.kind] ?? 9));
}

/** The entities a phrase names, best first: exact spellings, then BM25 over the kinds asked. */
export function findEntities(
  index: EntityIndex,
  phrase: string,
  kinds: readonly AnswerEntityKind[],
  limit = 5,
): AnswerEntity[] {
  const want = new Set(kinds);
  const exact = exactMatches(index, phrase, want);
  if (exact.length) return exact.slice(0, limit).map((e) => ({ ...e, score: Number.POSITIVE_INFINITY }));
  const terms = dampen(queryTerms(tokenize(phrase.slice(0, MAX_TEXT))));
  if (terms.length === 0) return [];
  const scores = index.bm25.scoreAll(terms);
  const ranked: number[] = [];
  for (let d = 0; d < scores.length; d++) if (scores[d]! > 0 && want.has(index.entities[d]!.kind)) ranked.push(d);
  ranked.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return ranked.slice(0, limit).map((d) => ({ ...index.entities[d]!, score: Number(scores[d]!.toFixed(4)) }));
}
