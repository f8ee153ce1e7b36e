// The demo's support tickets: customers of the affected users writing in their own words
// about a scenario's fault, re-reports of the same problem, and unrelated everyday tickets.
// Texts come from examples/shop/tickets.json; which user writes, what they reveal about
// themselves and when is drawn from a seeded generator, so a seed gives the same tickets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DemoUser } from './load.js';
import { shopSourceDir } from './paths.js';
import { Prng, seedOf } from './prng.js';

export interface DemoTicket {
  id: string;
  title: string;
  body: string;
  createdAt: string;
  reporter?: { email?: string; name?: string };
  accountId?: string;
  labels: string[];
  /** The scenario the ticket is about; null for an unrelated (noise) ticket. */
  scenario: string | null;
  /** The earlier ticket of the same scenario this one re-reports. */
  duplicateOf?: string;
  /** Ground truth: the demo user who wrote it (whether or not the ticket says so). */
  aboutUser?: string;
}

// ---------------------------------------------------------------------------------------
// The catalog of texts

const phrases = z.array(z.string().min(1)).min(1);
const labelSets = z.array(z.array(z.string().min(1))).min(1);
const scenarioTexts = z.object({
  labels: labelSets,
  titles: phrases,
  bodies: phrases,
  /** How a customer re-reports (a duplicate): different words from the first ticket. */
  followUps: phrases,
  details: z.object({ error: phrases, route: phrases, time: phrases }),
});
const catalogSchema = z.object({
  version: z.literal(1),
  identity: z.object({
    greetings: z.array(z.string()).min(1),
    signoffs: z.array(z.string()).min(1),
    accountInText: phrases,
    emailInText: phrases,
  }),
  scenarios: z.record(z.string(), scenarioTexts),
  noise: z.array(z.object({ topic: z.string().min(1), labels: labelSets, titles: phrases, bodies: phrases })).min(1),
});

export type TicketCatalog = z.output<typeof catalogSchema>;

/** Reads and checks a ticket catalog; an invalid file names the first bad field. */
export function parseTicketCatalog(text: string, source = 'tickets.json'): TicketCatalog {
  const parsed = catalogSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const [name, s] of Object.entries(parsed.data.scenarios)) {
    for (const t of [...s.titles, ...s.bodies, ...s.followUps]) {
      if (/\{(?:email|account)\}/.test(t))
        throw new Error(`${source}: scenarios.${name}: identity goes in identity.*, not in "${t}"`);
    }
  }
  return parsed.data;
}

let defaultCatalog: TicketCatalog | null = null;

/** The shop's catalog (examples/shop/tickets.json), read once. */
export function ticketCatalog(): TicketCatalog {
  if (!defaultCatalog) {
    const path = join(shopSourceDir(), 'tickets.json');
    defaultCatalog = parseTicketCatalog(readFileSync(path, 'utf8'), path);
  }
  return defaultCatalog;
}

// ---------------------------------------------------------------------------------------
// Generation

export interface TicketOptions {
  seed: number;
  /** Tickets are dated at or after this time (for a scenario: its onset). */
  now: Date;
  count: number;
  /** Minutes after `now` over which first reports are spread (default 30). */
  spreadMinutes?: number;
  /** The number of the first `SUP-<n>` id (defaults keep scenarios and noise apart; see `renumberTickets`). */
  firstId?: number;
  catalog?: TicketCatalog;
}

/** Share of a scenario's tickets that re-report an earlier one. */
const DUPLICATE_SHARE = 0.2;
const MINUTE = 60_000;

/** What a ticket reveals about its writer: where the email and the account id appear, if anywhere. */
interface Reveal {
  email: 'field' | 'text' | 'none';
  account: 'field' | 'text' | 'none';
  name: boolean;
}

/**
 * `count` tickets about `scenario` from its affected users: about 20% re-report an earlier
 * ticket (the same user again, or a colleague on the same account, in other words, with
 * `duplicateOf`); the rest are one first report per user. Roughly half carry the writer's
 * email (mostly as the reporter, sometimes in the text), a quarter only the account id (in
 * the field or the text), the rest neither. Dates are at or after `opts.now`. The same seed,
 * users and `now` give the same tickets, whatever the order of `affected.users`.
 */
export function scenarioTickets(scenario: string, affected: { users: DemoUser[] }, opts: TicketOptions): DemoTicket[] {
  const catalog = opts.catalog ?? ticketCatalog();
  const texts = catalog.scenarios[scenario];
  if (!texts)
    throw new Error(`no ticket texts for scenario ${scenario} (known: ${Object.keys(catalog.scenarios).join(', ')})`);
  const users = uniqueSorted(affected.users);
  if (opts.count <= 0 || users.length === 0) return [];

  const rng = new Prng(seedOf(opts.seed, 'tickets', scenario));
  const now = opts.now.getTime();
  const spread = (opts.spreadMinutes ?? 30) * MINUTE;
  const duplicates = Math.round(opts.count * DUPLICATE_SHARE);
  const firsts = Math.max(1, Math.min(users.length, opts.count - duplicates));
  const writers = rng.sample(users, firsts);
  const times = writers
    .map(() => now + Math.round(rng.float(0.5 * MINUTE, Math.max(spread, MINUTE))))
    .sort((a, b) => a - b);

  const drafts: Array<DemoTicket & { at: number; dupIndex?: number }> = writers.map((user, i) => {
    const reveal = firstReportReveal(rng);
    return {
      ...scenarioText(rng, catalog, texts, user, reveal, { onset: now, at: times[i]!, followUp: false }),
      at: times[i]!,
      id: '',
      scenario,
      aboutUser: user.id,
    };
  });
  for (let k = opts.count - firsts; k > 0; k--) {
    const i = rng.int(0, firsts - 1);
    const first = drafts[i]!;
    const writer = writers[i]!;
    const colleagues = users.filter((u) => u.accountId === writer.accountId && u.id !== writer.id);
    const byColleague = colleagues.length > 0 && rng.chance(0.4);
    const user = byColleague ? rng.pick(colleagues) : writer;
    const reveal: Reveal = byColleague
      ? {
          email: rng.chance(0.6) ? 'field' : 'none',
          account: rng.chance(0.5) ? 'field' : 'text',
          name: rng.chance(0.8),
        }
      : first.reporter?.email && rng.chance(0.7)
        ? { email: 'field', account: 'none', name: first.reporter.name !== undefined }
        : firstReportReveal(rng);
    const at = first.at + Math.round(rng.float(2 * MINUTE, 15 * MINUTE));
    drafts.push({
      ...scenarioText(rng, catalog, texts, user, reveal, { onset: now, at, followUp: true }),
      at,
      id: '',
      scenario,
      aboutUser: user.id,
      dupIndex: i,
    });
  }
  const firstId = opts.firstId ?? 2001 + 1000 * Math.max(0, Object.keys(catalog.scenarios).indexOf(scenario));
  return finish(drafts, firstId);
}

/**
 * `count` everyday tickets unrelated to any scenario (password resets, shipping, invoices,
 * feature requests…): about half from real users (with their email, some with their
 * account), some from people who are not users, some anonymous.
 */
export function noiseTickets(users: DemoUser[], opts: TicketOptions): DemoTicket[] {
  const catalog = opts.catalog ?? ticketCatalog();
  const people = uniqueSorted(users);
  if (opts.count <= 0) return [];
  const rng = new Prng(seedOf(opts.seed, 'noise-tickets'));
  const now = opts.now.getTime();
  const spread = (opts.spreadMinutes ?? 30) * MINUTE;
  const drafts: Array<DemoTicket & { at: number }> = [];
  for (let i = 0; i < opts.count; i++) {
    const topic = rng.pick(catalog.noise);
    const at = now + Math.round(rng.float(0, Math.max(spread, MINUTE)));
    const r = rng.next();
    const user = r < 0.5 && people.length > 0 ? rng.pick(people) : null;
    const stranger = !user && r < 0.7 ? strangerEmail(rng) : null;
    const reveal: Reveal = user
      ? {
          email: rng.chance(0.9) ? 'field' : 'text',
          account: rng.chance(0.2) ? 'field' : 'none',
          name: rng.chance(0.8),
        }
      : { email: stranger ? 'field' : 'none', account: 'none', name: rng.chance(0.4) };
    const writer: DemoUser = user ?? { id: stranger ?? '', accountId: '', name: rng.pick(STRANGER_NAMES) };
    const vars: Vars = { ...revealedVars(writer, reveal), order: orderNumber(rng) };
    const body = composeBody(rng, catalog, [fill(rng.pick(usable(topic.bodies, vars)), vars)], writer, reveal, vars);
    drafts.push({
      id: '',
      title: casual(rng, fill(rng.pick(usable(topic.titles, vars)), vars)),
      body,
      createdAt: '',
      ...reporterOf(writer, reveal),
      ...(reveal.account === 'field' ? { accountId: writer.accountId } : {}),
      labels: [...rng.pick(topic.labels)],
      scenario: null,
      ...(user ? { aboutUser: user.id } : {}),
      at,
    });
  }
  return finish(drafts, opts.firstId ?? 1001);
}

/**
 * Gives tickets ids `SUP-<firstId>`, `SUP-<firstId+1>`, … in order of `createdAt`, with
 * `duplicateOf` rewritten to match: use it on the scenario and noise tickets together so
 * that ids interleave as in a real help desk, rather than coming in blocks per scenario.
 */
export function renumberTickets(tickets: readonly DemoTicket[], firstId = 1001): DemoTicket[] {
  const order = tickets
    .map((t, i) => ({ t, i }))
    .sort((a, b) => Date.parse(a.t.createdAt) - Date.parse(b.t.createdAt) || a.i - b.i);
  const ids = new Map(order.map(({ t }, k) => [t.id, `SUP-${firstId + k}`]));
  if (ids.size !== tickets.length) throw new Error('renumberTickets: ticket ids are not unique');
  return order.map(({ t }) => ({
    ...t,
    id: ids.get(t.id)!,
    ...(t.duplicateOf ? { duplicateOf: ids.get(t.duplicateOf) ?? t.duplicateOf } : {}),
  }));
}

// ---------------------------------------------------------------------------------------

type Vars = Record<string, string>;
type ScenarioTexts = TicketCatalog['scenarios'][string];

function uniqueSorted(users: readonly DemoUser[]): DemoUser[] {
  const byId = new Map(users.map((u) => [u.id, u]));
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function firstReportReveal(rng: Prng): Reveal {
  const r = rng.next();
  if (r < 0.5) {
    const a = rng.next();
    return {
      email: rng.chance(0.85) ? 'field' : 'text',
      account: a < 0.2 ? 'field' : a < 0.3 ? 'text' : 'none',
      name: rng.chance(0.85),
    };
  }
  if (r < 0.75) return { email: 'none', account: rng.chance(0.5) ? 'field' : 'text', name: rng.chance(0.6) };
  return { email: 'none', account: 'none', name: rng.chance(0.4) };
}

function scenarioText(
  rng: Prng,
  catalog: TicketCatalog,
  texts: ScenarioTexts,
  user: DemoUser,
  reveal: Reveal,
  when: { onset: number; at: number; followUp: boolean },
): Pick<DemoTicket, 'title' | 'body' | 'createdAt' | 'reporter' | 'accountId' | 'labels'> {
  const vars: Vars = { ...revealedVars(user, reveal), ...scenarioVars(rng, when.onset, when.at) };
  const sentences = [fill(rng.pick(when.followUp ? texts.followUps : texts.bodies), vars)];
  const details: Array<[readonly string[], number]> = [
    [texts.details.error, 0.35],
    [texts.details.route, 0.25],
    [texts.details.time, 0.35],
  ];
  for (const [options, p] of rng.shuffle(details)) if (rng.chance(p)) sentences.push(fill(rng.pick(options), vars));
  return {
    title: casual(rng, (when.followUp && rng.chance(0.5) ? 'Re: ' : '') + fill(rng.pick(texts.titles), vars)),
    body: composeBody(rng, catalog, sentences, user, reveal, vars),
    createdAt: '',
    ...reporterOf(user, reveal),
    ...(reveal.account === 'field' ? { accountId: user.accountId } : {}),
    labels: [...rng.pick(texts.labels)],
  };
}

/** Greeting, the sentences, the identity the writer puts in the text, a sign-off. */
function composeBody(
  rng: Prng,
  catalog: TicketCatalog,
  sentences: string[],
  user: DemoUser,
  reveal: Reveal,
  vars: Vars,
): string {
  const id = catalog.identity;
  const parts = [...sentences];
  if (reveal.account === 'text')
    parts.splice(rng.int(1, parts.length), 0, fill(rng.pick(id.accountInText), { ...vars, account: user.accountId }));
  if (reveal.email === 'text')
    parts.splice(rng.int(1, parts.length), 0, fill(rng.pick(id.emailInText), { ...vars, email: user.id }));
  const greeting = rng.pick(id.greetings);
  const signoff = fill(rng.pick(usable(id.signoffs, vars)), vars);
  const text = rng.chance(0.3) ? parts.join('\n') : parts.join(' ');
  return [greeting, text, signoff].filter((s) => s !== '').join('\n\n');
}

/** The placeholders a ticket may use about its writer: only what the writer chose to reveal. */
function revealedVars(user: DemoUser, reveal: Reveal): Vars {
  const vars: Vars = {};
  if (reveal.name && user.name) vars.name = user.name.split(' ')[0]!;
  if (reveal.email !== 'none' && user.id) vars.email = user.id;
  if (reveal.account !== 'none' && user.accountId) vars.account = user.accountId;
  return vars;
}

function reporterOf(user: DemoUser, reveal: Reveal): Pick<DemoTicket, 'reporter'> {
  const reporter: { email?: string; name?: string } = {};
  if (reveal.email === 'field' && user.id) reporter.email = user.id;
  if (reveal.name && user.name) reporter.name = user.name;
  return Object.keys(reporter).length > 0 ? { reporter } : {};
}

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'];

function scenarioVars(rng: Prng, onset: number, at: number): Vars {
  const qty = rng.int(2, 6);
  const shown = rng.chance(0.7) ? 0 : rng.int(1, qty - 1);
  // People remember the start roughly: a few minutes off, rounded to five.
  const remembered = new Date(Math.round((onset + rng.int(-6, 6) * MINUTE) / (5 * MINUTE)) * 5 * MINUTE);
  const h = remembered.getUTCHours();
  const m = remembered.getUTCMinutes();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const mins = Math.max(5, Math.round((at - onset) / (5 * MINUTE)) * 5);
  return {
    qty: rng.chance(0.5) ? NUMBER_WORDS[qty]! : String(qty),
    shown: String(shown),
    seconds: String(rng.int(8, 45)),
    clock12: `${h12}${m === 0 ? '' : `:${String(m).padStart(2, '0')}`}${h < 12 ? 'am' : 'pm'}`,
    clock24: `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
    ago: mins < 50 ? `${mins} minutes` : mins < 90 ? 'an hour' : `${Math.round(mins / 60)} hours`,
  };
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** Templates whose every placeholder has a value (an anonymous writer cannot sign with a name). */
function usable(templates: readonly string[], vars: Vars): readonly string[] {
  const ok = templates.filter((t) => [...t.matchAll(PLACEHOLDER)].every((m) => m[1]! in vars));
  return ok.length > 0 ? ok : [''];
}

function fill(template: string, vars: Vars): string {
  return template.replace(PLACEHOLDER, (whole, key: string) => vars[key] ?? whole);
}

/** Some people type titles all in lower case. */
function casual(rng: Prng, title: string): string {
  return rng.chance(0.15) ? title.toLowerCase() : title;
}

const STRANGER_WORDS = ['sunny', 'mike', 'kat', 'jj', 'traveller', 'bookworm', 'gardener', 'pixel'];
const STRANGER_DOMAINS = ['freemail.example', 'homenet.example'];
const STRANGER_NAMES = ['Sam', 'Alex', 'Jordan', 'Chris', 'Robin'];

/** An address no demo user has (their domains never include these). */
function strangerEmail(rng: Prng): string {
  return `${rng.pick(STRANGER_WORDS)}${rng.int(10, 9999)}@${rng.pick(STRANGER_DOMAINS)}`;
}

function orderNumber(rng: Prng): string {
  return rng.chance(0.5) ? `#${rng.int(10000, 99999)}` : `ORD-${rng.int(100000, 999999)}`;
}

/** Dates the drafts, orders them by time and numbers them; duplicates point at their first report. */
function finish(drafts: Array<DemoTicket & { at: number; dupIndex?: number }>, firstId: number): DemoTicket[] {
  const order = drafts.map((d, i) => ({ d, i })).sort((a, b) => a.d.at - b.d.at || a.i - b.i);
  const idOf = new Map(order.map(({ i }, k) => [i, `SUP-${firstId + k}`]));
  // Built field by field so that every ticket serializes with its keys in one order.
  return order.map(({ d, i }) => {
    return {
      id: idOf.get(i)!,
      title: d.title,
      body: d.body,
      createdAt: new Date(d.at).toISOString(),
      ...(d.reporter ? { reporter: d.reporter } : {}),
      ...(d.accountId ? { accountId: d.accountId } : {}),
      labels: d.labels,
      scenario: d.scenario,
      ...(d.dupIndex !== undefined ? { duplicateOf: idOf.get(d.dupIndex)! } : {}),
      ...(d.aboutUser ? { aboutUser: d.aboutUser } : {}),
    };
  });
}
