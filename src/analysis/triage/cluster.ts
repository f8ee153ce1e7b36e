// triage@1: the signals of a window clustered into problems, one per fault, and ranked.
// Error groups seed problems; log patterns with evidence of the same fault (evidence.ts: a
// shared trace, a quote, a series that moves with it, a shared onset) join one; an upstream
// symptom joins its downstream cause over a service-graph edge; tickets join the problem
// they name (ticket-match.ts); the rest of the tickets form ticket-only problems, duplicates
// merged. Each problem carries its members with the reason each joined, and a priority with
// its formula. Pure: plain rows in, ranked problems out.
import { priorityScore } from '../investigate/findings.js';
import { relateTickets } from '../investigate/related-tickets.js';
import { SIMILAR_TICKETS_ALGORITHM, buildTicketIndex, rankSimilarTickets } from '../retrieval/index.js';
import { HyperLogLog } from '../sketch/index.js';
import { TupleSet } from '../tuple-map.js';
import { EVIDENCE_DEFAULTS, type Evidence, type EvidenceOptions, type Evidential, sameFault } from './evidence.js';
import { FOLLOW_DEFAULTS, growthOf } from './series.js';
import {
  type ProblemProfile,
  TICKET_WEIGHTS,
  type TicketClues,
  scoreTicket,
  ticketClues,
  wordSet,
} from './ticket-match.js';
import {
  type Owners,
  type ProblemMember,
  TRIAGE_ALGORITHM,
  type TriageErrorGroup,
  type TriageInput,
  type TriageOptions,
  type TriagePattern,
  type TriageResult,
  type TriageTicket,
  type TriageTrend,
  type TriagedProblem,
} from './types.js';

/** Severity for the priority: 1 for errors and ERROR patterns, 0.4 for WARN patterns, 0.5 for a fault only tickets report. */
export const SEVERITY = { error: 1, warning: 0.4, tickets: 0.5 } as const;
export const DEFAULT_TICKET_MIN_SCORE = 3;
/** Candidates relateTickets judges for each ticket-only ticket: its nearest by text, and those sharing an entity. */
export const DEDUPE_TEXT_CANDIDATES = 20;
export const DEDUPE_ENTITY_CANDIDATES = 30;
/** As relateTickets: a ticket filed more than a week after another is not its duplicate. */
const DEDUPE_LATER_MS = 7 * 86_400_000;
/** A ticket that does not name the fault attaches only when its best problem scores this much above the next. */
export const TICKET_MIN_MARGIN = 1;

const ERROR_LEVEL = /^(?:err|error|fatal|crit|critical|severe|alert|emerg|emergency|panic)\b/i;

export function isErrorLevel(level: string | null): boolean {
  return level !== null && ERROR_LEVEL.test(level.trim());
}

const errorKey = (g: TriageErrorGroup) => `error:${g.service}:${g.fingerprint}`;
const patternKey = (p: TriagePattern) => `pattern:${p.service}:${p.key}`;
const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

function errorTitle(g: TriageErrorGroup): string {
  const type = g.type ?? 'Error';
  if (g.message) return clip(`${type}: ${g.message}`, 200);
  return clip(g.culprit ? `${type} in ${g.culprit}` : type, 200);
}

/** A problem while it is being built. */
interface Draft {
  key: string;
  kind: 'error' | 'pattern';
  service: string;
  title: string;
  seed: Evidential;
  /** Of the seed: an error group or ERROR pattern is an error; only an error is a cause others merge into. */
  severity: number;
  trend: TriageTrend;
  owners: Owners | null;
  errors: TriageErrorGroup[];
  patterns: TriagePattern[];
  members: ProblemMember[];
  /** Set when this draft merged into another as its upstream symptom. */
  parent: Draft | null;
  /** Why it merged (on the merged draft). */
  mergeWhy: string;
}

function newDraft(
  kind: 'error' | 'pattern',
  key: string,
  service: string,
  title: string,
  item: TriageErrorGroup | TriagePattern,
  seed: Evidential,
): Draft {
  return {
    key,
    kind,
    service,
    title,
    seed,
    severity: 'template' in item && !isErrorLevel(item.level) ? SEVERITY.warning : SEVERITY.error,
    trend: item.trend,
    owners: item.owners,
    errors: [],
    patterns: [],
    members: [],
    parent: null,
    mergeWhy: '',
  };
}

function root(d: Draft): Draft {
  let r = d;
  while (r.parent) r = r.parent;
  return r;
}

/** The candidate with the strongest evidence (the first of equals). */
function strongest<T>(
  candidates: Iterable<T>,
  test: (c: T) => Evidence | null,
): { target: T; evidence: Evidence } | null {
  let best: { target: T; evidence: Evidence } | null = null;
  for (const c of candidates) {
    const e = test(c);
    if (!e) continue;
    if (!best || e.strength > best.evidence.strength) best = { target: c, evidence: e };
  }
  return best;
}

function byService<T extends { service: string }>(list: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const l = out.get(x.service);
    if (l) l.push(x);
    else out.set(x.service, [x]);
  }
  return out;
}

class Distinct {
  private h: HyperLogLog | null = null;
  private readonly exact = new Set<string>();
  private sketched = false;

  addSketches(list: readonly Uint8Array[]): void {
    for (const bytes of list) {
      try {
        const s = HyperLogLog.fromBytes(bytes);
        if (this.h === null) this.h = s;
        else this.h.merge(s);
        this.sketched = true;
      } catch {
        // A sketch that does not decode is left out, as the analysis reads do.
      }
    }
  }

  add(id: string): void {
    this.exact.add(id);
  }

  /** Null when no member carried an id. */
  count(): number | null {
    if (!this.sketched) return this.exact.size > 0 ? this.exact.size : null;
    for (const id of this.exact) this.h!.add(id);
    return this.h!.estimate();
  }
}

function entitiesOf(t: TriageTicket, ...kinds: string[]): string[] {
  return t.entities.filter((e) => kinds.includes(e.slice(0, e.indexOf(':')))).map((e) => e.slice(e.indexOf(':') + 1));
}

function ticketMember(t: TriageTicket, role: ProblemMember['role'], why: string): ProblemMember {
  return {
    kind: 'ticket',
    ref: String(t.id),
    key: `ticket:${t.id}`,
    service: null,
    title: t.title,
    role,
    why,
    count: 1,
  };
}

export function rulesOf(o: EvidenceOptions, ticketMinScore: number): string[] {
  const same = [
    'they share a sampled trace (one request raised both)',
    `one's text quotes the other's message (at least ${Math.round(o.minQuoteShare * 100)}% of its words, ${o.minQuoteWords} or more)`,
    `their per-bucket series have Pearson r ≥ ${o.minCorrelation} (over at least ${o.minActiveBuckets} buckets with events)`,
    `or both were first seen inside the window within ${o.firstSeenSlackMs / 1000} s of each other, each at least ${o.onsetAfterServiceMs / 60_000} min after its service was first seen`,
  ].join(', ');
  return [
    'every error group with events in the window seeds a problem (key error:<service>:<fingerprint>)',
    `a WARN/ERROR log pattern joins the error problem of its service with the strongest evidence of one fault: ${same}`,
    'a pattern that joins no error problem joins a pattern problem of its service on the same evidence; otherwise, when new or rising, it seeds its own (key pattern:<service>:<key>; ERROR patterns first, then by volume); steady or falling patterns that join nothing are background and left out',
    `a problem merges into a problem of a service it calls (a service-graph edge caller → callee in the window) whose seed is an error (an error group or an ERROR pattern), on the same evidence between their seeds, where only the caller quoting the callee counts and the caller may not be first seen more than ${o.precedenceSlackMs / 1000} s before the callee: the upstream symptom joins the downstream cause (strongest evidence first, never in a cycle)`,
    `a ticket joins the problem it scores highest with, score = ${TICKET_WEIGHTS.message}·message + ${TICKET_WEIGHTS.type}·type + ${TICKET_WEIGHTS.hit}·hit + route + service + user, the last four weighed 1 in the problem's own service and ½ in a merged member's (see ticket-match.ts), when the score is ≥ ${ticketMinScore} and either the ticket names the fault (quotes its message or names its type) or no other problem comes within ${TICKET_MIN_MARGIN}; ties go to the closer message, then to more events`,
    `tickets that join no problem form ticket-only problems (key tickets:<lowest id>), tickets that relateTickets marks duplicates of each other merged into one (each judged against its ${DEDUPE_TEXT_CANDIDATES} nearest by text, ${SIMILAR_TICKETS_ALGORITHM}, and up to ${DEDUPE_ENTITY_CANDIDATES} tickets sharing a user, account, error or route with it)`,
    `priority = priorityScore: severity (${SEVERITY.error} errors and ERROR patterns, ${SEVERITY.warning} WARN patterns only, ${SEVERITY.tickets} tickets only) × reach (users, accounts: the HyperLogLog union of members and the users, emails and reporters of the tickets) × growth (the seed's later half over its earlier half) × (1 + 0.2·tickets)`,
  ];
}

export function triageProblems(input: TriageInput, opts: TriageOptions = {}): TriageResult {
  const fo: EvidenceOptions = { ...FOLLOW_DEFAULTS, ...EVIDENCE_DEFAULTS };
  for (const k of Object.keys(fo) as Array<keyof EvidenceOptions>) if (opts[k] !== undefined) fo[k] = opts[k]!;
  const ticketMinScore = opts.ticketMinScore ?? DEFAULT_TICKET_MIN_SCORE;
  const w = input.window;
  const sinceMs = Date.parse(w.since);
  const recentMs = Date.parse(w.recentSince);
  for (const x of [...input.errors, ...input.patterns]) {
    if (x.series.length !== w.buckets)
      throw new Error(`series of ${x.service} has ${x.series.length} buckets, the window ${w.buckets}`);
  }
  const serviceFirst = input.serviceFirstSeen ?? {};
  const evidential = new Map<TriageErrorGroup | TriagePattern, Evidential>();
  const ev = (x: TriageErrorGroup | TriagePattern): Evidential => {
    let e = evidential.get(x);
    if (!e) {
      e = {
        service: x.service,
        series: x.series,
        firstSeenMs: ms(x.firstSeen),
        serviceFirstSeenMs: ms(serviceFirst[x.service] ?? null),
        traces: new Set(x.traces),
        words: wordSet('template' in x ? x.template : (x.message ?? '')),
      };
      evidential.set(x, e);
    }
    return e;
  };
  const attachTest = (p: TriagePattern) => (d: Draft) => sameFault(ev(p), d.seed, sinceMs, fo, 'attach');

  // 1. One problem per error group.
  const errors = [...input.errors].sort((a, b) => b.count - a.count || errorKey(a).localeCompare(errorKey(b)));
  const drafts: Draft[] = [];
  for (const g of errors) {
    const d = newDraft('error', errorKey(g), g.service, errorTitle(g), g, ev(g));
    d.errors.push(g);
    d.members.push({
      kind: 'error',
      ref: g.fingerprint,
      key: d.key,
      service: g.service,
      title: d.title,
      role: 'seed',
      why: `error group: ${g.count} events in the window${g.culprit ? `, thrown in ${g.culprit}` : ''}`,
      count: g.count,
    });
    drafts.push(d);
  }
  const errorDrafts = byService(drafts);

  // 2. Patterns join the error problem of their service with the strongest evidence of one fault.
  const patterns = [...input.patterns].sort((a, b) => b.count - a.count || patternKey(a).localeCompare(patternKey(b)));
  const loose: TriagePattern[] = [];
  const attachPattern = (d: Draft, p: TriagePattern, f: Evidence) => {
    d.patterns.push(p);
    d.members.push({
      kind: 'pattern',
      ref: p.key,
      key: patternKey(p),
      service: p.service,
      title: clip(p.template, 200),
      role: 'attached',
      why: `${p.level ?? 'log'} pattern of the same fault as ${d.key}: ${f.why}`,
      count: p.count,
    });
  };
  for (const p of patterns) {
    const best = strongest(errorDrafts.get(p.service) ?? [], attachTest(p));
    if (best) attachPattern(best.target, p, best.evidence);
    else loose.push(p);
  }

  // 3. The rest: join a pattern problem of the service, else seed one when new or rising.
  loose.sort(
    (a, b) =>
      Number(isErrorLevel(b.level)) - Number(isErrorLevel(a.level)) ||
      b.count - a.count ||
      patternKey(a).localeCompare(patternKey(b)),
  );
  const patternDrafts = new Map<string, Draft[]>();
  let ignoredPatterns = 0;
  for (const p of loose) {
    const best = strongest(patternDrafts.get(p.service) ?? [], attachTest(p));
    if (best) {
      attachPattern(best.target, p, best.evidence);
      continue;
    }
    if (p.trend !== 'new' && p.trend !== 'rising') {
      ignoredPatterns++;
      continue;
    }
    const d = newDraft('pattern', patternKey(p), p.service, clip(p.template, 200), p, ev(p));
    d.patterns.push(p);
    d.members.push({
      kind: 'pattern',
      ref: p.key,
      key: d.key,
      service: p.service,
      title: d.title,
      role: 'seed',
      why: `${p.trend} ${p.level ?? 'log'} pattern that joins no error group: ${p.count} lines in the window`,
      count: p.count,
    });
    drafts.push(d);
    const list = patternDrafts.get(p.service);
    if (list) list.push(d);
    else patternDrafts.set(p.service, [d]);
  }

  // 4. An upstream symptom merges into its downstream cause over a service-graph edge.
  const inService = byService(drafts);
  const merges: Array<{ from: Draft; into: Draft; evidence: Evidence }> = [];
  const seenEdges = new TupleSet<[string, string]>();
  for (const e of input.edges) {
    if (e.caller === e.callee || seenEdges.has([e.caller, e.callee])) continue;
    seenEdges.add([e.caller, e.callee]);
    const causes = (inService.get(e.callee) ?? []).filter((d) => d.severity === SEVERITY.error);
    for (const from of inService.get(e.caller) ?? []) {
      const best = strongest(causes, (into) => sameFault(from.seed, into.seed, sinceMs, fo, 'upstream'));
      if (best) merges.push({ from, into: best.target, evidence: best.evidence });
    }
  }
  merges.sort(
    (a, b) =>
      b.evidence.strength - a.evidence.strength ||
      a.from.key.localeCompare(b.from.key) ||
      a.into.key.localeCompare(b.into.key),
  );
  for (const m of merges) {
    if (m.from.parent !== null || root(m.into) === m.from) continue;
    m.from.parent = m.into;
    m.from.mergeWhy = `upstream symptom: ${m.from.service} calls ${m.into.service} and ${m.from.key} is the same fault as ${m.into.key} (${m.evidence.why})`;
  }

  // Assemble each root with the drafts merged into it (transitively).
  const roots = drafts.filter((d) => d.parent === null);
  const absorbed = new Map<Draft, Draft[]>(roots.map((r) => [r, []]));
  for (const d of drafts) if (d.parent !== null) absorbed.get(root(d))!.push(d);
  const built = roots.map((r) => {
    const merged = absorbed.get(r)!;
    const members = [...r.members];
    for (const m of merged) {
      for (const x of m.members)
        members.push(x.role === 'seed' ? { ...x, role: 'merged', why: `${m.mergeWhy}; ${x.why}` } : x);
    }
    const errorsOf = [...r.errors, ...merged.flatMap((m) => m.errors)];
    const patternsOf = [...r.patterns, ...merged.flatMap((m) => m.patterns)];
    const services = [...new Set([r.service, ...merged.map((m) => m.service), ...patternsOf.map((p) => p.service)])];
    const profile: ProblemProfile = {
      home: r.service,
      services: new Set(services),
      types: new Set(errorsOf.flatMap((g) => (g.type ? [g.type] : []))),
      texts: [
        ...errorsOf.flatMap((g) => (g.message ? [wordSet(g.message)] : [])),
        ...patternsOf.map((p) => wordSet(p.template)),
      ],
      routes: new Map(services.map((s) => [s, new Set(input.serviceRoutes[s] ?? [])])),
    };
    return {
      root: r,
      merged,
      members,
      errors: errorsOf,
      patterns: patternsOf,
      services,
      profile,
      tickets: [] as TriageTicket[],
    };
  });
  type Built = (typeof built)[number];
  const events = new Map<Built, number>(
    built.map((b) => [b, b.errors.reduce((n, g) => n + g.count, 0) + b.patterns.reduce((n, p) => n + p.count, 0)]),
  );
  const eventsOf = (b: Built) => events.get(b)!;

  // 5. Tickets join the problem they name. Only problems sharing something with the ticket
  // (a word of an error it quotes, a type, a service, a route) can score, so only they are scored.
  const index = new Map<string, Set<Built>>();
  const put = (k: string, b: Built) => {
    const set = index.get(k);
    if (set) set.add(b);
    else index.set(k, new Set([b]));
  };
  for (const b of built) {
    for (const t of b.profile.types) {
      put(`type:${t}`, b);
      put(`type:${t.slice(t.lastIndexOf('.') + 1)}`, b);
    }
    for (const words of b.profile.texts) for (const w of words) put(`word:${w}`, b);
    for (const sv of b.profile.services) put(`service:${sv}`, b);
    for (const routes of b.profile.routes.values()) for (const r of routes) put(`route:${r}`, b);
  }
  const candidates = (c: TicketClues): Set<Built> => {
    const out = new Set<Built>();
    const add = (k: string) => {
      for (const b of index.get(k) ?? []) out.add(b);
    };
    for (const e of c.errors) {
      add(`type:${e.value}`);
      for (const w of e.words) add(`word:${w}`);
    }
    for (const sv of [...c.services, ...c.routeServices, ...c.userErrors.map((e) => e.service)]) add(`service:${sv}`);
    for (const r of c.routes) add(`route:${r}`);
    return out;
  };

  const loneTickets: TriageTicket[] = [];
  const tickets = [...input.tickets].sort((a, b) => a.id - b.id);
  for (const t of tickets) {
    const clues: TicketClues = ticketClues(t);
    let best: { b: Built; s: ReturnType<typeof scoreTicket>; events: number } | null = null;
    let runnerUp = 0;
    for (const b of candidates(clues)) {
      const s = scoreTicket(clues, b.profile);
      if (s.score <= 0) continue;
      const events = eventsOf(b);
      const better =
        !best ||
        s.score > best.s.score ||
        (s.score === best.s.score &&
          (s.overlap > best.s.overlap ||
            (s.overlap === best.s.overlap &&
              (events > best.events || (events === best.events && b.root.key < best.b.root.key)))));
      if (better) {
        if (best) runnerUp = Math.max(runnerUp, best.s.score);
        best = { b, s, events };
      } else {
        runnerUp = Math.max(runnerUp, s.score);
      }
    }
    const attach =
      best !== null && best.s.score >= ticketMinScore && (best.s.fault || best.s.score - runnerUp >= TICKET_MIN_MARGIN);
    if (attach && best) {
      best.b.tickets.push(t);
      best.b.members.push(ticketMember(t, 'attached', `ticket scoring ${best.s.score} (${best.s.parts.join('; ')})`));
    } else {
      loneTickets.push(t);
    }
  }

  const problems: TriagedProblem[] = [];
  for (const b of built) {
    const r = b.root;
    const users = new Distinct();
    const accounts = new Distinct();
    for (const x of [...b.errors, ...b.patterns]) {
      users.addSketches(x.userSketches);
      accounts.addSketches(x.accountSketches);
    }
    addTicketPeople(b.tickets, users, accounts);
    const severity =
      b.errors.length > 0 || b.patterns.some((p) => isErrorLevel(p.level)) ? SEVERITY.error : SEVERITY.warning;
    const u = users.count();
    const a = accounts.count();
    const growth = growthOf(r.seed.series);
    const priority = priorityScore({
      users: u,
      accounts: a,
      activeUsers: null,
      tickets: b.tickets.length,
      growth,
      severity,
    });
    const telemetry = [...b.errors, ...b.patterns];
    const firsts = telemetry.map((x) => x.firstSeen).filter((x): x is string => x !== null);
    const lasts = telemetry.map((x) => x.lastSeen).filter((x): x is string => x !== null);
    const owners = r.owners ?? [...b.errors, ...b.patterns].find((x) => x.owners)?.owners ?? null;
    const ticketIds = b.tickets.map((t) => t.id).sort((x, y) => x - y);
    const hint = [
      `${r.kind === 'error' ? 'error group' : `${r.trend} log pattern`} in ${r.service}`,
      b.patterns.length - (r.kind === 'pattern' ? 1 : 0) > 0
        ? `${b.patterns.length - (r.kind === 'pattern' ? 1 : 0)} pattern(s) of the same fault`
        : null,
      b.merged.length ? `${b.merged.map((m) => m.key).join(', ')} merged as upstream symptom(s)` : null,
      ticketIds.length ? `ticket(s) ${ticketIds.map((id) => `#${id}`).join(', ')} name it` : null,
      `priority ${priority.score}: severity ${severity}, ${u ?? 0} users, ${a ?? 0} accounts, growth ${priority.inputs.growth}, ${ticketIds.length} ticket(s)`,
    ]
      .filter(Boolean)
      .join('; ');
    problems.push({
      key: r.key,
      kind: r.kind,
      title: r.title,
      service: r.service,
      services: b.services,
      users: u,
      accounts: a,
      events: eventsOf(b),
      trend: r.trend,
      series: [...r.seed.series],
      tickets: ticketIds,
      owners: owners?.owners ?? null,
      ownersFrom: owners?.from ?? null,
      members: b.members,
      mergedFrom: b.merged.map((m) => m.key),
      priority,
      firstSeen: firsts.length ? firsts.reduce((x, y) => (Date.parse(x) <= Date.parse(y) ? x : y)) : null,
      lastSeen: lasts.length ? lasts.reduce((x, y) => (Date.parse(x) >= Date.parse(y) ? x : y)) : null,
      hint,
    });
  }

  // 6. Tickets that named no problem: ticket-only problems, duplicates merged.
  problems.push(...ticketProblems(loneTickets, w, sinceMs, recentMs));

  problems.sort((a, b) => b.priority.score - a.priority.score || b.events - a.events || a.key.localeCompare(b.key));
  return { algorithm: TRIAGE_ALGORITHM, window: w, rules: rulesOf(fo, ticketMinScore), problems, ignoredPatterns };
}

function addTicketPeople(tickets: readonly TriageTicket[], users: Distinct, accounts: Distinct): void {
  for (const t of tickets) {
    for (const u of entitiesOf(t, 'user', 'email')) users.add(u);
    if (t.reporterHash) users.add(t.reporterHash);
    for (const a of entitiesOf(t, 'account')) accounts.add(a);
  }
}

function ticketProblems(
  lone: readonly TriageTicket[],
  w: TriageInput['window'],
  sinceMs: number,
  recentMs: number,
): TriagedProblem[] {
  // Union–find over the duplicate pairs relateTickets finds among these tickets.
  const parent = new Map<number, number>(lone.map((t) => [t.id, t.id]));
  const find = (id: number): number => {
    let r = id;
    while (parent.get(r)! !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  // relateTickets over each ticket's nearest by text (one similar-tickets@1 index) and the
  // tickets sharing an entity with it, nearest in time first: a duplicate always shares an
  // entity (a person or a fault), and the nearest by text set the scale its text score is on.
  const textIndex = buildTicketIndex(
    lone.map((t) => ({ id: String(t.id), title: t.title, body: t.body, createdAt: t.createdAt })),
  );
  const byId = new Map(lone.map((t) => [t.id, t]));
  const byEntity = new Map<string, TriageTicket[]>();
  for (const t of lone) {
    for (const e of new Set(t.entities)) {
      const l = byEntity.get(e);
      if (l) l.push(t);
      else byEntity.set(e, [t]);
    }
  }
  const why = new Map<number, string>();
  for (const t of lone) {
    const near = new Set<TriageTicket>();
    for (const r of rankSimilarTickets({ id: String(t.id), title: t.title, body: t.body }, textIndex, {
      limit: DEDUPE_TEXT_CANDIDATES,
      createdUntil: t.createdAt + DEDUPE_LATER_MS,
    })) {
      near.add(byId.get(Number(r.id))!);
    }
    const sharing = new Set<TriageTicket>();
    for (const e of new Set(t.entities)) for (const o of byEntity.get(e) ?? []) if (o !== t) sharing.add(o);
    const nearest = [...sharing].sort(
      (a, b) => Math.abs(a.createdAt - t.createdAt) - Math.abs(b.createdAt - t.createdAt) || a.id - b.id,
    );
    for (const o of nearest.slice(0, DEDUPE_ENTITY_CANDIDATES)) near.add(o);
    for (const rel of relateTickets(t, [...near], { limit: 20, laterWindowMs: DEDUPE_LATER_MS })) {
      if (!rel.duplicate) continue;
      const [a, b] = [find(t.id), find(rel.id)];
      if (a === b) continue;
      parent.set(Math.max(a, b), Math.min(a, b));
      if (!why.has(Math.max(t.id, rel.id)))
        why.set(
          Math.max(t.id, rel.id),
          `duplicate of #${Math.min(t.id, rel.id)}: ${rel.hint.replace(/^duplicate: /, '')}`,
        );
    }
  }
  const groups = new Map<number, TriageTicket[]>();
  for (const t of lone) {
    const r = find(t.id);
    const g = groups.get(r);
    if (g) g.push(t);
    else groups.set(r, [t]);
  }
  const untilMs = Date.parse(w.until);
  const out: TriagedProblem[] = [];
  for (const [lowest, list] of groups) {
    list.sort((a, b) => a.id - b.id);
    const first = list[0]!;
    const users = new Distinct();
    const accounts = new Distinct();
    addTicketPeople(list, users, accounts);
    const series = new Array<number>(w.buckets).fill(0);
    for (const t of list) {
      if (t.createdAt >= sinceMs && t.createdAt < untilMs)
        series[Math.min(w.buckets - 1, Math.floor((t.createdAt - sinceMs) / w.bucketMs))]!++;
    }
    const linked = new Map<string, number>();
    for (const t of list)
      for (const s of new Set([...t.linkedServices, ...t.routeServices])) linked.set(s, (linked.get(s) ?? 0) + 1);
    const service = [...linked.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
    const firstMs = Math.min(...list.map((t) => t.createdAt));
    const lastMs = Math.max(...list.map((t) => Math.max(t.createdAt, t.updatedAt ?? 0)));
    const u = users.count();
    const a = accounts.count();
    const priority = priorityScore({
      users: u,
      accounts: a,
      activeUsers: null,
      tickets: list.length,
      growth: growthOf(series),
      severity: SEVERITY.tickets,
    });
    const owners = list.find((t) => t.owners)?.owners ?? null;
    out.push({
      key: `tickets:${lowest}`,
      kind: 'tickets',
      title: clip(first.title || `ticket ${first.externalId}`, 200),
      service,
      services: [...linked.keys()].sort(),
      users: u,
      accounts: a,
      events: 0,
      trend: firstMs >= recentMs ? 'new' : 'steady',
      series,
      tickets: list.map((t) => t.id),
      owners: owners?.owners ?? null,
      ownersFrom: owners?.from ?? null,
      members: list.map((t, i) =>
        ticketMember(
          t,
          i === 0 ? 'seed' : 'attached',
          i === 0 ? 'ticket that names no problem seen in telemetry' : (why.get(t.id) ?? `duplicate of #${lowest}`),
        ),
      ),
      mergedFrom: [],
      priority,
      firstSeen: new Date(firstMs).toISOString(),
      lastSeen: new Date(lastMs).toISOString(),
      hint: `${list.length} ticket(s) that name no problem seen in telemetry${list.length > 1 ? `, merged as duplicates (${SIMILAR_TICKETS_ALGORITHM})` : ''}; priority ${priority.score}: severity ${SEVERITY.tickets}, ${u ?? 0} users, ${a ?? 0} accounts, ${list.length} ticket(s)`,
    });
  }
  return out;
}
