// Code-aware tokenization: a fixture table of texts and the terms they give.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TOKENIZE_INPUT, stem, tokenize } from '../src/analysis/retrieval/index.js';

const CASES: { text: string; terms: string[]; note: string }[] = [
  { note: 'camelCase: whole and split', text: 'getUserById', terms: ['getuserbyid', 'user', 'id'] },
  { note: 'snake_case: whole and split', text: 'cart_item_count', terms: ['cart_item_count', 'cart', 'item', 'count'] },
  {
    note: 'error names kept whole beside their words',
    text: 'NullPointerException',
    terms: ['nullpointerexception', 'null', 'pointer', 'exception'],
  },
  {
    note: 'dotted names kept whole, then each segment',
    text: 'java.io.EOFException',
    terms: ['java.io.eofexception', 'java', 'io', 'eofexception', 'eof', 'exception'],
  },
  {
    note: 'acronym runs split before the next word',
    text: 'XMLHttpRequest',
    terms: ['xmlhttprequest', 'xml', 'http', 'request'],
  },
  {
    note: 'digits inside a name stay in the whole name only',
    text: 'utf8 HTTP2Server',
    terms: ['utf8', 'utf', 'http2server', 'http', 'server'],
  },
  { note: 'stopwords and one-letter words dropped', text: 'The cart is EMPTY, a b', terms: ['cart', 'empty'] },
  { note: 'surrounding underscores are not part of the name', text: '__init__', terms: ['init'] },
  { note: 'plain words stemmed', text: 'connections connecting stopped', terms: ['connection', 'connect', 'stop'] },
  { note: 'numbers and punctuation are not terms', text: '42 = 3.14 -> {}', terms: [] },
  { note: 'repeats kept (term frequency)', text: 'cart cart', terms: ['cart', 'cart'] },
];

describe('tokenize', () => {
  for (const c of CASES) {
    it(`${c.note}: ${JSON.stringify(c.text)}`, () => {
      assert.deepEqual(tokenize(c.text), c.terms);
    });
  }

  it('keeps stopwords and exact words when asked', () => {
    assert.deepEqual(tokenize('the Connections', { stopwords: false, stem: false }), ['the', 'connections']);
  });

  it('never stems a whole identifier', () => {
    assert.ok(tokenize('processEvents').includes('processevents'));
    assert.ok(tokenize('processEvents').includes('event'));
  });

  it('caps its input', () => {
    const terms = tokenize(`${'word '.repeat(MAX_TOKENIZE_INPUT / 5)}tail`);
    assert.ok(!terms.includes('tail'));
  });

  it('stems verb forms together', () => {
    assert.equal(stem('disposed'), stem('dispose'));
    assert.equal(stem('queries'), 'query');
    assert.equal(stem('class'), 'class');
  });
});
