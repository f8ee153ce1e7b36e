// BM25F: ranking, field weights, filters and explanations on a small corpus.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bm25Index, topDocs, tokenize } from '../src/analysis/retrieval/index.js';

const q = (text: string) => tokenize(text).map((term) => ({ term, weight: 1 }));

const DOCS = [
  { title: 'Checkout fails with an empty cart', body: 'Clicking checkout with nothing in the cart gives a 500 error.' },
  { title: 'Login page slow', body: 'The login page takes ten seconds to render for some users.' },
  {
    title: 'Password reset email never arrives',
    body: 'Reset email missing; the mail queue shows the password email stuck.',
  },
  {
    title: 'Search results empty',
    body: 'Searching for shoes returns nothing although products exist. The cart is fine.',
  },
];
const FIELDS = { title: { weight: 3, b: 0.5 }, body: { weight: 1, b: 0.75 } };
const index = Bm25Index.build(
  DOCS.map((d) => ({ title: tokenize(d.title), body: tokenize(d.body) })),
  FIELDS,
);

describe('Bm25Index', () => {
  it('ranks the document about the query first', () => {
    assert.equal(index.search(q('password email'))[0]?.doc, 2);
    assert.equal(index.search(q('checkout cart error'))[0]?.doc, 0);
    assert.equal(index.search(q('slow login'))[0]?.doc, 1);
  });

  it('returns only matching documents, best first', () => {
    const hits = index.search(q('cart'), { limit: 10 });
    assert.deepEqual(
      hits.map((h) => h.doc),
      [0, 3],
    );
    assert.ok(hits[0]!.score > hits[1]!.score, 'a title match outweighs a body match');
  });

  it('weights fields: the same word in a title counts more than in a body', () => {
    const titleOnly = Bm25Index.build(
      [
        { title: ['cart'], body: ['x'] },
        { title: ['x'], body: ['cart'] },
      ],
      FIELDS,
    );
    assert.equal(titleOnly.search([{ term: 'cart', weight: 1 }])[0]?.doc, 0);
    const bodyHeavy = Bm25Index.build(
      [
        { title: ['cart'], body: ['x'] },
        { title: ['x'], body: ['cart'] },
      ],
      {
        title: { weight: 1, b: 0 },
        body: { weight: 5, b: 0 },
      },
    );
    assert.equal(bodyHeavy.search([{ term: 'cart', weight: 1 }])[0]?.doc, 1);
  });

  it('gives rare terms more weight than common ones', () => {
    assert.ok(index.idf('password') > index.idf('cart'));
    assert.equal(index.idf('absent'), 0);
    assert.equal(index.documentFrequency('cart'), 2);
  });

  it('honours the limit and the accept filter', () => {
    assert.equal(index.search(q('cart empty'), { limit: 1 }).length, 1);
    const hits = index.search(q('cart'), { accept: (d) => d !== 0 });
    assert.deepEqual(
      hits.map((h) => h.doc),
      [3],
    );
  });

  it('explains a score by its terms, adding up to it', () => {
    const query = q('checkout cart password');
    const [best] = index.search(query);
    const parts = index.explain(query, best!.doc);
    assert.deepEqual(parts.map((p) => p.term).sort(), ['cart', 'checkout']);
    const sum = parts.reduce((s, p) => s + p.score, 0);
    assert.ok(Math.abs(sum - best!.score) < 1e-6);
  });

  it('handles an empty corpus and an empty query', () => {
    const empty = Bm25Index.build<'body'>([], { body: { weight: 1, b: 0.75 } });
    assert.deepEqual(empty.search(q('anything')), []);
    assert.deepEqual(index.search([]), []);
  });
});

describe('topDocs', () => {
  it('keeps the highest positive scores, ties to the lower index', () => {
    const got = topDocs(Float64Array.from([0, 2, 5, 2, -1, 7]), 3);
    assert.deepEqual(
      got.map((g) => g.doc),
      [5, 2, 1],
    );
  });
});
