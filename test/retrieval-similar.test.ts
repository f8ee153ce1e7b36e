// rankSimilarTickets: related tickets by text on a small fixture.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTicketIndex, rankSimilarTickets, tokenize } from '../src/analysis/retrieval/index.js';
import { DAY, TICKETS } from './helpers/retrieval-fixtures.js';

const index = buildTicketIndex(TICKETS);

describe('rankSimilarTickets', () => {
  it('finds the duplicate first and never returns the query itself', () => {
    const got = rankSimilarTickets(TICKETS[3]!, index);
    assert.equal(got[0]?.id, 'T1');
    assert.ok(got.every((t) => t.id !== 'T4'));
    // The evidence: words both tickets hold.
    const both = new Set(tokenize(`${TICKETS[0]!.title} ${TICKETS[0]!.body}`));
    assert.ok(got[0]!.terms.length > 0 && got[0]!.terms.every((t) => both.has(t)));
    assert.ok(got[0]!.terms.includes('npe'));
    assert.match(got[0]!.hint, /^shares /);
  });

  it('matches an error name to the same error written in words', () => {
    const got = rankSimilarTickets({ title: 'null pointer exception in checkout' }, index);
    assert.deepEqual(
      got
        .slice(0, 2)
        .map((t) => t.id)
        .sort(),
      ['T1', 'T4'],
    );
  });

  it('only ranks tickets created by createdUntil', () => {
    const q = TICKETS[1]!;
    assert.equal(rankSimilarTickets(q, index)[0]?.id, 'T5');
    const early = rankSimilarTickets(q, index, { createdUntil: q.createdAt! + DAY });
    assert.ok(early.every((t) => t.id !== 'T5'));
  });

  it('honours exclude and limit, and returns nothing for unrelated text', () => {
    const got = rankSimilarTickets(TICKETS[0]!, index, { exclude: new Set(['T4']), limit: 1 });
    assert.ok(got.length <= 1 && got.every((t) => t.id !== 'T4'));
    assert.deepEqual(rankSimilarTickets({ title: 'zebra quantum' }, index), []);
  });
});
