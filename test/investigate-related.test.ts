// Step 1 of an investigation: related tickets rank by text, shared people and faults, and
// time; a duplicate reads alike and shares who or what.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type TicketFacts, relateTickets } from '../src/analysis/index.js';

const H = 3_600_000;
const t0 = Date.parse('2026-11-22T10:00:00Z');
let next = 1;
function ticket(title: string, body: string, hours: number, entities: string[] = []): TicketFacts {
  const id = next++;
  return { id, externalId: `SUP-${id}`, title, body, createdAt: t0 + hours * H, entities };
}

describe('relateTickets', () => {
  const query = ticket(
    'Cart icon shows 0',
    'I added three things but the cart badge in the header says 0. Something went wrong on /api/cart',
    0,
    ['account:acct_1042', 'route:/api/cart'],
  );
  const dup = ticket('cart badge says zero', 'the cart badge shows 0 even though my cart has three items', 1, [
    'account:acct_1042',
  ]);
  const sameFaultOtherWords = ticket(
    'Checkout page broken',
    'Getting Something went wrong at /api/cart when paying',
    2,
    ['route:/api/cart'],
  );
  const unrelated = ticket(
    'Password reset email never arrives',
    'I requested a password reset twice, nothing in my inbox',
    1,
    ['account:acct_7'],
  );
  const lateDup = ticket('cart badge shows 0', 'cart badge shows 0 again', 24 * 30, ['account:acct_1042']);
  const all = [query, dup, sameFaultOtherWords, unrelated, lateDup];

  it('ranks the duplicate first and marks it, with its reasons', () => {
    const r = relateTickets(query, all);
    assert.equal(r[0]!.externalId, dup.externalId);
    assert.equal(r[0]!.duplicate, true);
    assert.deepEqual(r[0]!.sharedEntities, ['account:acct_1042']);
    assert.match(r[0]!.hint, /^duplicate: text 1\.00 .*shares account:acct_1042; 1 h apart$/);
  });

  it('finds a ticket through a shared route even when the words differ, without calling it a duplicate', () => {
    const r = relateTickets(query, all);
    const other = r.find((x) => x.externalId === sameFaultOtherWords.externalId);
    assert.ok(other, 'found');
    assert.equal(other.duplicate, false);
    assert.ok(other.score > (r.find((x) => x.externalId === unrelated.externalId)?.score ?? 0));
  });

  it('never returns the ticket itself, nor tickets filed long after it', () => {
    const r = relateTickets(query, all);
    assert.ok(!r.some((x) => x.id === query.id));
    assert.ok(!r.some((x) => x.id === lateDup.id));
    assert.deepEqual(relateTickets(query, [query]), []);
  });
});
