// Where an explain or ask citation leads in the web UI (src/web/answer-links.ts): a file:line to
// the code view, each API query an answer cites to the page that shows its rows, anything else to
// the API itself; and the explain refusal's body read as its type, other 400s not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExplainTarget } from '../src/model/index.js';
import {
  citationLabel,
  citationLink,
  codeLink,
  explainRefusal,
  pageOfQuery,
  parseRef,
  targetCodeLink,
  withExplain,
} from '../src/web/answer-links.js';

describe('answer citations in the web UI', () => {
  it('reads file:line refs, and leaves other refs alone', () => {
    assert.deepEqual(parseRef('services/cart/src/server.js:42'), { path: 'services/cart/src/server.js', line: 42 });
    assert.deepEqual(parseRef('C:/x.js:3'), { path: 'C:/x.js', line: 3 });
    assert.equal(parseRef('services/cart/src/server.js'), null);
    assert.equal(parseRef('x.js:0'), null);
    assert.equal(parseRef('abc123'), null);
  });

  it('links code to the code view, in its repository when the answer knows it', () => {
    const code = { kind: 'code' as const, summary: 's', ref: 'services/cart/src/server.js:42' };
    assert.deepEqual(citationLink(code), { to: '/code?path=services%2Fcart%2Fsrc%2Fserver.js&line=42', page: true });
    assert.deepEqual(citationLink(code, 'shop'), {
      to: '/code?repo=shop&path=services%2Fcart%2Fsrc%2Fserver.js&line=42',
      page: true,
    });
    assert.equal(citationLabel(code), 'services/cart/src/server.js:42');
    assert.equal(codeLink('a.js', { line: 5, end: 3 }), '/code?path=a.js&line=5');
    assert.equal(codeLink('a.js', { line: 5, end: 9 }), '/code?path=a.js&line=5&end=9');
  });

  it("maps each query explain and ask cite to the page that shows the query's rows", () => {
    const w = 'since=2026-12-01T00%3A00%3A00.000Z&until=2026-12-02T00%3A00%3A00.000Z';
    assert.equal(pageOfQuery('/api/spans?trace=abc'), '/traces/abc');
    assert.equal(pageOfQuery('/api/logs?trace=abc'), '/traces/abc');
    assert.equal(pageOfQuery(`/api/services?service=cart&${w}`), '/map?highlight=cart');
    assert.equal(pageOfQuery(`/api/errors/fp%2F1?${w}`), `/errors/fp%2F1?${w}`);
    assert.equal(pageOfQuery('/api/repos/shop/commits/abcdef'), '/commits/shop/abcdef');
    assert.equal(pageOfQuery('/api/problems/3'), '/problems/3');
    assert.equal(pageOfQuery('/api/tickets/4'), '/tickets/4');
    assert.equal(
      pageOfQuery('/api/repos/shop/files?path=services%2Fcart%2F'),
      '/code?repo=shop&path=services%2Fcart%2F',
    );
    assert.equal(pageOfQuery('/api/routes?path=/x'), null);
    assert.equal(pageOfQuery('/elsewhere'), null);
    // A query no page shows is linked as the API answer.
    assert.deepEqual(citationLink({ kind: 'endpoint', summary: 's', query: '/api/routes?path=%2Fx' }), {
      to: '/api/routes?path=%2Fx',
      page: false,
    });
    assert.equal(citationLink({ kind: 'users', summary: 's' }), null);
    assert.equal(citationLabel({ kind: 'span', summary: 's', ref: '0123456789abcdef0123' }), 'trace 0123456789ab');
  });

  it('links a target that lives in code, and not a service', () => {
    const t: ExplainTarget = {
      kind: 'symbol',
      name: 'summarizeCart',
      service: 'cart',
      repository: 'shop',
      path: 'services/cart/src/cart-summary.js',
      startLine: 3,
      endLine: 20,
    };
    assert.equal(targetCodeLink(t), '/code?repo=shop&path=services%2Fcart%2Fsrc%2Fcart-summary.js&line=3&end=20');
    assert.equal(targetCodeLink({ ...t, kind: 'service', path: null, startLine: null, endLine: null }), null);
  });

  it("reads an explain refusal's body, and not another 400's", () => {
    const body = {
      statusCode: 400,
      error: 'Bad Request',
      message: 'no symbol, route, service or file is named "summariseCart"; nearest: summarizeCart',
      suggestions: ['summarizeCart'],
      candidates: [],
    };
    assert.deepEqual(explainRefusal(body), body);
    assert.equal(explainRefusal({ statusCode: 400, error: 'Bad Request', message: 'querystring/target …' }), null);
    assert.equal(explainRefusal(null), null);
    assert.equal(explainRefusal('text'), null);
    assert.equal(explainRefusal({ message: 'm', suggestions: [1], candidates: [] }), null);
  });

  it('opens and closes the Explain drawer in the address, keeping the rest', () => {
    assert.equal(
      withExplain('?service=cart', 'cart GET /carts/:user'),
      '?service=cart&explain=cart+GET+%2Fcarts%2F%3Auser',
    );
    assert.equal(withExplain('?service=cart&explain=x', null), '?service=cart');
    assert.equal(withExplain('', null), '');
  });
});
