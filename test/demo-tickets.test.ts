// The demo's support tickets (src/demo/tickets.ts over examples/shop/tickets.json): the same
// seed gives the same tickets byte for byte; who reveals an email, an account or neither
// comes in the intended shares; duplicates re-report an earlier ticket of the same user or
// account; what a ticket reveals is what Orrery's mention extraction can link.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractMentions, keyedHash } from '../src/analysis/index.js';
import { type DemoUser, makePopulation } from '../src/demo/load.js';
import {
  type DemoTicket,
  noiseTickets,
  parseTicketCatalog,
  renumberTickets,
  scenarioTickets,
  ticketCatalog,
} from '../src/demo/tickets.js';

const NOW = new Date('2025-03-04T14:02:00.000Z');
const population = makePopulation(11, 1200, 150);
const SCENARIOS = ['cart-badge', 'slow-dependency', 'inventory-timeout', 'capacity'];
const byEmail = new Map(population.map((u) => [u.id, u]));

const text = (t: DemoTicket) => `${t.title}\n${t.body}`;
function reveals(t: DemoTicket): { email: boolean; account: boolean } {
  const u = byEmail.get(t.aboutUser!)!;
  return {
    email: t.reporter?.email === u.id || text(t).includes(u.id),
    account: t.accountId === u.accountId || text(t).includes(u.accountId),
  };
}

describe('scenarioTickets', () => {
  it('is deterministic for a seed, the affected users and now, whatever their order', () => {
    const users = population.slice(0, 80);
    const a = scenarioTickets('cart-badge', { users }, { seed: 5, now: NOW, count: 25 });
    const b = scenarioTickets('cart-badge', { users: [...users].reverse() }, { seed: 5, now: NOW, count: 25 });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    const c = scenarioTickets('cart-badge', { users }, { seed: 6, now: NOW, count: 25 });
    assert.notEqual(JSON.stringify(a), JSON.stringify(c));
    const d = scenarioTickets(
      'cart-badge',
      { users },
      { seed: 5, now: new Date(NOW.getTime() + 3_600_000), count: 25 },
    );
    assert.notEqual(JSON.stringify(a), JSON.stringify(d));
  });

  it('makes exactly count tickets, dated at or after now, with unique SUP ids in time order', () => {
    for (const scenario of SCENARIOS) {
      const got = scenarioTickets(scenario, { users: population.slice(0, 40) }, { seed: 1, now: NOW, count: 12 });
      assert.equal(got.length, 12, scenario);
      assert.equal(new Set(got.map((t) => t.id)).size, 12);
      for (const [i, t] of got.entries()) {
        assert.match(t.id, /^SUP-\d+$/);
        assert.equal(t.scenario, scenario);
        assert.ok(Date.parse(t.createdAt) >= NOW.getTime(), t.createdAt);
        if (i > 0) assert.ok(t.createdAt >= got[i - 1]!.createdAt);
        assert.ok(t.title.trim().length > 0 && t.body.trim().length > 0);
        assert.doesNotMatch(text(t), /\{\w+\}/, 'no placeholder left unfilled');
      }
    }
    assert.deepEqual(scenarioTickets('capacity', { users: population }, { seed: 1, now: NOW, count: 0 }), []);
    assert.deepEqual(scenarioTickets('capacity', { users: [] }, { seed: 1, now: NOW, count: 5 }), []);
    assert.throws(
      () => scenarioTickets('no-such', { users: population }, { seed: 1, now: NOW, count: 3 }),
      /no ticket texts.*cart-badge/,
    );
  });

  it('reveals an email in about half, only an account in a quarter, neither in the rest', () => {
    const got = scenarioTickets('cart-badge', { users: population }, { seed: 3, now: NOW, count: 1000 });
    const firsts = got.filter((t) => !t.duplicateOf);
    const share = (f: (r: { email: boolean; account: boolean }) => boolean) =>
      firsts.filter((t) => f(reveals(t))).length / firsts.length;
    const email = share((r) => r.email);
    const accountOnly = share((r) => !r.email && r.account);
    const neither = share((r) => !r.email && !r.account);
    assert.ok(email > 0.4 && email < 0.6, `email ${email}`);
    assert.ok(accountOnly > 0.18 && accountOnly < 0.32, `account only ${accountOnly}`);
    assert.ok(neither > 0.18 && neither < 0.32, `neither ${neither}`);
    // Both places occur for both identifiers: the reporter field and the customer's own words.
    assert.ok(firsts.some((t) => t.reporter?.email));
    assert.ok(firsts.some((t) => !t.reporter?.email && text(t).includes(t.aboutUser!)));
    assert.ok(firsts.some((t) => t.accountId));
    assert.ok(firsts.some((t) => !t.accountId && text(t).includes(byEmail.get(t.aboutUser!)!.accountId)));
    // A ticket that reveals neither mentions no other user's email or account either.
    for (const t of firsts.filter((x) => !reveals(x).email && !reveals(x).account)) {
      assert.doesNotMatch(text(t), /@|acct_/, t.id);
      assert.equal(t.reporter?.email, undefined);
    }
  });

  it('files about 20% duplicates, each re-reporting an earlier first report of the same user or account', () => {
    const users = population.slice(0, 300);
    const got = scenarioTickets('cart-badge', { users }, { seed: 9, now: NOW, count: 200 });
    const byId = new Map(got.map((t, i) => [t.id, { t, i }]));
    const dups = got.filter((t) => t.duplicateOf);
    assert.ok(dups.length >= 30 && dups.length <= 50, `duplicates ${dups.length}`);
    let colleague = 0;
    for (const d of dups) {
      const first = byId.get(d.duplicateOf!);
      assert.ok(first, `${d.id} points at ${d.duplicateOf}`);
      assert.ok(first.i < got.indexOf(d) && first.t.createdAt < d.createdAt, 'the first report is earlier');
      assert.equal(first.t.duplicateOf, undefined, 'points at the first report');
      assert.equal(first.t.scenario, d.scenario);
      const a = byEmail.get(first.t.aboutUser!)!;
      const b = byEmail.get(d.aboutUser!)!;
      assert.ok(a.id === b.id || a.accountId === b.accountId, `${d.id}: ${a.id} / ${b.id}`);
      if (a.id !== b.id) colleague++;
      assert.notEqual(d.body, first.t.body, 'in other words');
    }
    assert.ok(colleague > 0, 'some duplicates come from a colleague on the same account');
    const firsts = got.filter((t) => !t.duplicateOf).map((t) => t.aboutUser);
    assert.equal(new Set(firsts).size, firsts.length, 'one first report per user');
    for (const t of got) assert.ok(users.some((u) => u.id === t.aboutUser));
  });

  it('reveals identities in a form mention extraction links (emails, account ids)', () => {
    const key = 'demo-test-key-0123456789';
    const got = scenarioTickets('cart-badge', { users: population }, { seed: 4, now: NOW, count: 200 });
    for (const t of got) {
      const u = byEmail.get(t.aboutUser!)!;
      const mentions = extractMentions(text(t), { emailKey: key, reference: NOW });
      if (text(t).includes(u.id))
        assert.ok(
          mentions.some((m) => m.kind === 'email' && m.value === keyedHash(key, u.id)),
          t.body,
        );
      if (text(t).includes(u.accountId))
        assert.ok(
          mentions.some((m) => m.kind === 'account' && m.value === u.accountId),
          t.body,
        );
    }
  });

  it('speaks of each scenario in its own words, unlike the noise', () => {
    const words = (s: string) => new Set(s.toLowerCase().match(/[a-z]{4,}/g) ?? []);
    const noise = noiseTickets(population, { seed: 2, now: NOW, count: 150 });
    const noiseWords = new Map<string, number>();
    for (const t of noise) for (const w of words(text(t))) noiseWords.set(w, (noiseWords.get(w) ?? 0) + 1);
    for (const scenario of ['cart-badge', 'slow-dependency', 'capacity']) {
      const got = scenarioTickets(scenario, { users: population }, { seed: 2, now: NOW, count: 150 });
      const own = new Map<string, number>();
      for (const t of got) for (const w of words(text(t))) own.set(w, (own.get(w) ?? 0) + 1);
      // The words most typical of the scenario's tickets are rare in the noise.
      const top = [...own.entries()]
        .filter(
          ([w]) =>
            ![
              'hello',
              'thanks',
              'regards',
              'cheers',
              'there',
              'team',
              'support',
              'afternoon',
              'good',
              'thank',
            ].includes(w),
        )
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5);
      for (const [w, n] of top)
        assert.ok((noiseWords.get(w) ?? 0) < n / 4, `${scenario}: "${w}" ${n} vs noise ${noiseWords.get(w)}`);
    }
  });
});

describe('noiseTickets', () => {
  it('is deterministic, unrelated to the scenarios, and mixes real users, strangers and anonymous writers', () => {
    const a = noiseTickets(population, { seed: 8, now: NOW, count: 300 });
    assert.equal(
      JSON.stringify(a),
      JSON.stringify(noiseTickets([...population].reverse(), { seed: 8, now: NOW, count: 300 })),
    );
    assert.equal(a.length, 300);
    const real = a.filter((t) => t.aboutUser);
    const strangers = a.filter((t) => !t.aboutUser && t.reporter?.email);
    const anonymous = a.filter((t) => !t.aboutUser && !t.reporter?.email);
    for (const t of a) {
      assert.equal(t.scenario, null);
      assert.equal(t.duplicateOf, undefined);
      assert.ok(Date.parse(t.createdAt) >= NOW.getTime());
      assert.doesNotMatch(text(t), /\{\w+\}/);
    }
    for (const t of real) assert.ok(reveals(t).email, 'a real user writes with their email');
    for (const t of strangers) assert.ok(!byEmail.has(t.reporter!.email!), 'a stranger is not a user');
    assert.ok(real.length / a.length > 0.4 && real.length / a.length < 0.6, `real ${real.length}`);
    assert.ok(
      strangers.length > 30 && anonymous.length > 50,
      `${strangers.length} strangers, ${anonymous.length} anonymous`,
    );
    assert.ok(new Set(a.map((t) => t.labels.join())).size > 5, 'topics vary');
  });
});

describe('renumberTickets', () => {
  it('numbers scenario and noise tickets together in time order and keeps duplicates pointing at their first report', () => {
    const users: DemoUser[] = population.slice(0, 50);
    const all = [
      ...scenarioTickets('cart-badge', { users }, { seed: 1, now: NOW, count: 20 }),
      ...scenarioTickets('capacity', { users }, { seed: 1, now: NOW, count: 10 }),
      ...noiseTickets(population, { seed: 1, now: NOW, count: 20 }),
    ];
    assert.equal(new Set(all.map((t) => t.id)).size, all.length, 'default id ranges do not collide');
    const out = renumberTickets(all, 501);
    assert.deepEqual(
      out.map((t) => t.id),
      out.map((_, i) => `SUP-${501 + i}`),
    );
    for (let i = 1; i < out.length; i++) assert.ok(out[i]!.createdAt >= out[i - 1]!.createdAt);
    const scenarios = out.map((t) => t.scenario ?? 'noise');
    assert.ok(
      scenarios.slice(0, 10).some((s) => s !== scenarios[0]),
      'kinds interleave',
    );
    const oldById = new Map(all.map((t) => [t.id, t]));
    const newToOld = new Map(
      out.map((t, i) => [t.id, all.find((x) => x.createdAt === t.createdAt && x.body === out[i]!.body)!]),
    );
    for (const t of out.filter((x) => x.duplicateOf)) {
      const was = newToOld.get(t.id)!;
      assert.equal(newToOld.get(t.duplicateOf!), oldById.get(was.duplicateOf!));
    }
  });
});

describe('the ticket catalog', () => {
  it('has texts for every scenario of the demo', () => {
    const catalog = ticketCatalog();
    for (const s of SCENARIOS) assert.ok(catalog.scenarios[s], s);
    assert.ok(catalog.noise.length >= 5);
  });

  it('names the bad field of an invalid catalog', () => {
    const good = ticketCatalog();
    const bad = { ...good, scenarios: { ...good.scenarios, capacity: { ...good.scenarios.capacity!, bodies: [] } } };
    assert.throws(() => parseTicketCatalog(JSON.stringify(bad)), /scenarios\.capacity\.bodies/);
  });
});
