// Mention extraction over a fixture matrix of ticket texts written the way customers and
// support agents write them (test/fixtures/tickets/mentions/cases.json): each case lists
// exactly the mentions expected, so a missed identifier and a false one both fail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  errorTemplate,
  extractMentions,
  isKeyedHash,
  keyedHash,
  redactEmails,
  routeKey,
  routeTemplate,
  ticketMentions,
} from '../src/analysis/index.js';
import type { Mention } from '../src/model/index.js';

const KEY = 'test-key-0123456789';

interface Case {
  name: string;
  text: string;
  services?: string[];
  expected: Array<Mention | { kind: 'email'; email: string }>;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/tickets/mentions/cases.json', import.meta.url), 'utf8'),
) as {
  reference: string;
  services: string[];
  cases: Case[];
};
const opts = (c: Case) => ({
  emailKey: KEY,
  services: c.services ?? fixture.services,
  reference: new Date(fixture.reference),
});
const expected = (c: Case): Mention[] =>
  c.expected.map((m) => ('email' in m ? { kind: 'email' as const, value: keyedHash(KEY, m.email) } : m));
const byKey = (a: Mention, b: Mention) => `${a.kind} ${a.value}`.localeCompare(`${b.kind} ${b.value}`);
const EMAILS = /[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+/g;

describe('extractMentions: fixture matrix', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const got = extractMentions(c.text, opts(c));
      assert.deepEqual([...got].sort(byKey), expected(c).sort(byKey));
    });
  }
});

describe('extractMentions: contracts', () => {
  it('never returns an email in clear, whatever the case', () => {
    for (const c of fixture.cases) {
      const out = JSON.stringify(extractMentions(c.text, opts(c)));
      for (const email of c.text.match(EMAILS) ?? []) {
        assert.ok(!out.toLowerCase().includes(email.toLowerCase()), `${c.name}: ${email}`);
        assert.ok(!out.toLowerCase().includes(email.split(/@|%40/)[0]!.toLowerCase() + '@'), c.name);
      }
    }
  });

  it('reads text stored with redacted emails back to the same mentions', () => {
    for (const c of fixture.cases) {
      const redacted = redactEmails(c.text, KEY);
      assert.equal(redacted.match(EMAILS), null, `${c.name}: no email left in ${redacted}`);
      assert.deepEqual(extractMentions(redacted, opts(c)), extractMentions(c.text, opts(c)), c.name);
    }
  });

  it('is deterministic and orders by kind, then by where a mention first appears', () => {
    const c = fixture.cases.find((x) => x.name.startsWith('a long support thread'))!;
    const a = extractMentions(c.text, opts(c));
    assert.deepEqual(extractMentions(c.text, opts(c)), a);
    assert.deepEqual(
      a.map((m) => m.kind),
      ['email', 'user', 'account', 'url', 'route', 'error', 'error', 'trace', 'version', 'timestamp', 'service'],
    );
  });

  it('stays linear on hostile input (ticket text comes from outside)', () => {
    // Shapes that once made a pattern backtrack quadratically, plus a realistic mix; 200 kB each.
    const n = 200_000;
    for (const text of [
      'a@b' + '.c'.repeat(n / 2),
      'a.'.repeat(n / 2) + 'b',
      'GET /cart/1 "Failed to load" at 14:05 UTC '.repeat(n / 40),
      '/a'.repeat(n / 2),
    ]) {
      const t = performance.now();
      extractMentions(text, { emailKey: KEY, services: ['cart'], reference: new Date() });
      assert.ok(performance.now() - t < 3000, `took ${(performance.now() - t).toFixed(0)} ms on ${text.slice(0, 20)}…`);
    }
  });

  it('without a reference time, a time of day stays a time of day', () => {
    assert.deepEqual(extractMentions('broken since 14:05 UTC', { emailKey: KEY }), [
      { kind: 'timestamp', value: '14:05Z' },
    ]);
    assert.deepEqual(extractMentions('down at 9:30 pm EST', { emailKey: KEY }), [
      { kind: 'timestamp', value: '21:30-05:00' },
    ]);
  });

  it('a time later in the day than the ticket was written is read as the day before', () => {
    const m = extractMentions('it failed at 23:10 UTC', { emailKey: KEY, reference: new Date('2026-11-22T08:00:00Z') });
    assert.deepEqual(m, [{ kind: 'timestamp', value: '2026-11-21T23:10Z', at: '2026-11-21T23:10:00.000Z' }]);
  });
});

describe('keyed hashes', () => {
  it('normalizes case and surrounding space, and depends on the key', () => {
    const h = keyedHash(KEY, 'Jane.Doe@Example.com ');
    assert.equal(h, keyedHash(KEY, 'jane.doe@example.com'));
    assert.notEqual(h, keyedHash('another-key', 'jane.doe@example.com'));
    assert.ok(isKeyedHash(h));
    assert.match(h, /^h:[0-9a-f]{64}$/);
    assert.throws(() => keyedHash('', 'x'), /non-empty key/);
  });
});

describe('routes and error templates', () => {
  it('generalizes id segments to :id and keeps words', () => {
    const cases: Array<[string, string]> = [
      ['/api/cart/7781', '/api/cart/:id'],
      ['/orders/3f2a9c1e-77aa-4b7e-9c0e-1f2e3d4c5b6a/items', '/orders/:id/items'],
      ['/blobs/deadbeef42/raw', '/blobs/:id/raw'],
      ['/v2/oauth2/token', '/v2/oauth2/token'],
      ['/orders/ord_8fj2k3/', '/orders/:id'],
      ['/cart/:cartId', '/cart/:id'],
      ['/users/{userId}/cart?x=1', '/users/:id/cart'],
    ];
    for (const [path, template] of cases) assert.equal(routeTemplate(path), template, path);
  });
  it('compares routes by key: placeholders of any style, case and a trailing slash do not matter', () => {
    assert.equal(routeKey('/Cart/{cartId}/'), '/cart/:id');
    assert.equal(routeKey('/cart/:id'), routeKey('/cart/<int:id>'));
  });
  it('groups error messages that differ only by numbers and ids', () => {
    assert.equal(
      errorTemplate('Order 7712 failed (req 3f2a9c1e-77aa-4b7e-9c0e-1f2e3d4c5b6a)'),
      errorTemplate('order 15 failed (req 0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5)'),
    );
  });
});

describe('ticketMentions: one list per ticket', () => {
  it('merges title, body, comments, the reporter and fields, counting where each was found', () => {
    const reporter = keyedHash(KEY, 'jane@example.com');
    const m = ticketMentions(
      {
        title: 'Cart shows 0 for u-1042',
        body: 'user u-1042 (jane@example.com) sees it since 14:05 UTC',
        comments: ['Same for u-1042, trace 4bf92f3577b34da6a3ce929d0e0e4736'],
        reporterHash: reporter,
        accountIds: ['acct-9'],
      },
      { emailKey: KEY, services: ['cart'], reference: new Date('2026-11-22T16:00:00Z') },
    );
    const find = (kind: string, value: string) => m.find((x) => x.kind === kind && x.value === value);
    assert.deepEqual(find('email', reporter), {
      kind: 'email',
      value: reporter,
      fields: ['reporter', 'body'],
      count: 2,
    });
    assert.deepEqual(find('user', 'u-1042'), {
      kind: 'user',
      value: 'u-1042',
      fields: ['title', 'body', 'comment'],
      count: 3,
    });
    assert.deepEqual(find('account', 'acct-9'), { kind: 'account', value: 'acct-9', fields: ['field'], count: 1 });
    assert.equal(find('trace', '4bf92f3577b34da6a3ce929d0e0e4736')?.fields[0], 'comment');
    assert.ok(find('service', 'cart'));
    assert.deepEqual(
      [...new Set(m.map((x) => x.kind))],
      ['email', 'user', 'account', 'trace', 'timestamp', 'service'],
      'ordered by kind',
    );
  });
});
