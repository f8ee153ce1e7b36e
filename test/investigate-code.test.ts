// Steps 4 and 5 of investigate@3, pure: frames, call sites, routes and changes landing on
// functions, and the commits of a deploy ranked by blame, files and the kind of change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BlamedLine,
  type CodeFileFacts,
  type CommitFacts,
  changeKind,
  changedHints,
  loopCallHints,
  matchFramePath,
  pathConcernsService,
  rankCodeLocations,
  rankSuspectCommits,
  symbolFor,
} from '../src/analysis/index.js';

const summary: CodeFileFacts = {
  repository: 'shop',
  path: 'services/cart/src/cart-summary.js',
  owners: ['@cart-team'],
  symbols: [
    { name: 'lineItems', parent: null, startLine: 6, endLine: 14 },
    { name: 'summarizeCart', parent: null, startLine: 16, endLine: 25 },
  ],
};
const server: CodeFileFacts = {
  repository: 'shop',
  path: 'services/cart/src/server.js',
  owners: ['@cart-team'],
  symbols: [
    { name: 'CartServer', parent: null, startLine: 1, endLine: 60 },
    { name: 'summarize', parent: 'CartServer', startLine: 18, endLine: 24 },
  ],
};

describe('matchFramePath', () => {
  it('takes the candidate sharing the most trailing segments, whatever the deployed prefix', () => {
    const candidates = [
      'shop/services/cart/src/server.js',
      'shop/services/web/src/server.js',
      'shop/services/cart/src/cart-summary.js',
    ];
    assert.equal(
      matchFramePath('/srv/releases/cart_v1.4.0/services/cart/src/server.js', candidates),
      'shop/services/cart/src/server.js',
    );
    assert.equal(
      matchFramePath('file:///app/services/web/src/server.js', candidates),
      'shop/services/web/src/server.js',
    );
    assert.equal(matchFramePath('C:\\app\\src\\cart-summary.js', candidates), 'shop/services/cart/src/cart-summary.js');
    assert.equal(matchFramePath('/app/src/unknown.js', candidates), null);
    assert.equal(matchFramePath('', candidates), null);
  });
});

describe('symbolFor', () => {
  it('finds a named function by name before line (the deployed lines may differ), else the innermost holding the line', () => {
    assert.equal(symbolFor(summary, 'summarizeCart', 3)?.name, 'summarizeCart');
    assert.equal(symbolFor(server, 'CartServer.summarize', null)?.name, 'summarize');
    assert.equal(symbolFor(server, '<anonymous>', 20)?.name, 'summarize', 'innermost symbol holding line 20');
    assert.equal(symbolFor(server, null, 40)?.name, 'CartServer');
    assert.equal(symbolFor(summary, null, 100), null);
  });
});

describe('rankCodeLocations', () => {
  it('ranks the function a frame and a change agree on above one only changed or only further out', () => {
    const ranked = rankCodeLocations(
      [
        {
          repository: 'shop',
          path: summary.path,
          line: 20,
          symbol: 'summarizeCart',
          source: { kind: 'frame', position: 0, frame: 'summarizeCart', errorGroup: 'fp1' },
        },
        {
          repository: 'shop',
          path: server.path,
          line: 21,
          symbol: null,
          source: { kind: 'frame', position: 1, frame: '<anonymous>', errorGroup: 'fp1' },
        },
        {
          repository: 'shop',
          path: summary.path,
          line: 16,
          symbol: 'summarizeCart',
          source: { kind: 'changed', sha: 'abc', lines: 6, share: 0.5 },
        },
        {
          repository: 'shop',
          path: summary.path,
          line: 6,
          symbol: 'lineItems',
          source: { kind: 'changed', sha: 'abc', lines: 6, share: 0.5 },
        },
      ],
      [summary, server],
    );
    assert.deepEqual(
      ranked.map((l) => l.symbol),
      ['summarizeCart', 'CartServer.summarize', 'lineItems'],
    );
    assert.equal(ranked[0]!.score, 1.4);
    assert.equal(ranked[0]!.startLine, 16);
    assert.deepEqual(ranked[0]!.owners, ['@cart-team']);
    assert.match(ranked[0]!.hint, /stack frame 1 .*; 6 of its lines changed by abc/);
  });

  it('lifts a place the likeliest suspect changed (a config file) above a log call site', () => {
    const config = { repository: 'shop', path: 'deploy/k8s/cart.yaml', line: null, symbol: null };
    const hints = [
      {
        repository: 'shop',
        path: server.path,
        line: 20,
        symbol: null,
        source: { kind: 'log_callsite', template: 'retrying <*>', pattern: 'p1' },
      } as const,
      { ...config, source: { kind: 'changed', sha: 'cfg', lines: 2, share: 1 } } as const,
    ];
    assert.equal(rankCodeLocations(hints, [server])[0]!.path, server.path, 'without the suspect pass, the call site');
    const ranked = rankCodeLocations(
      [...hints, { ...config, source: { kind: 'suspect', sha: 'cfg', confidence: 0.8 } }],
      [server],
    );
    assert.equal(ranked[0]!.path, 'deploy/k8s/cart.yaml');
    assert.equal(ranked[0]!.score, 0.82);
    assert.match(ranked[0]!.hint, /likeliest suspect commit cfg/);
  });

  it('counts the same hint once, and keeps a file-level hint when no symbol holds the line', () => {
    const frame = { kind: 'frame', position: 0, frame: 'x', errorGroup: 'fp' } as const;
    const ranked = rankCodeLocations(
      [
        { repository: 'shop', path: summary.path, line: 20, symbol: null, source: frame },
        { repository: 'shop', path: summary.path, line: 20, symbol: null, source: frame },
        {
          repository: 'shop',
          path: 'deploy/k8s/cart.yaml',
          line: null,
          symbol: null,
          source: { kind: 'text', score: 0.5, terms: ['cart'] },
        },
      ],
      [summary],
    );
    assert.equal(ranked[0]!.score, 1);
    assert.equal(ranked[1]!.symbol, null);
    assert.equal(ranked[1]!.path, 'deploy/k8s/cart.yaml');
  });
});

describe('changedHints', () => {
  it('turns blamed lines of the range commits into the functions they changed, with each function’s share', () => {
    const blame: BlamedLine[] = [
      ...[7, 8, 9].map((line) => ({ repository: 'shop', path: summary.path, line, sha: 'new', text: '' })),
      { repository: 'shop', path: summary.path, line: 20, sha: 'new', text: '' },
      { repository: 'shop', path: summary.path, line: 21, sha: 'old', text: '' },
    ];
    const hints = changedHints(blame, [summary], new Set(['new']));
    assert.deepEqual(
      hints.map((h) => [h.symbol, h.source.kind === 'changed' ? h.source.share : null]),
      [
        ['lineItems', 0.75],
        ['summarizeCart', 0.25],
      ],
    );
  });
});

describe('loopCallHints', () => {
  /** A file's lines blamed: `new` for the lines the range changed (marked with a leading "+"). */
  const blamed = (path: string, src: string): BlamedLine[] =>
    src.split('\n').map((t, i) => ({
      repository: 'shop',
      path,
      line: i + 1,
      sha: t.startsWith('+') ? 'new' : 'base',
      text: t.replace(/^\+/, ''),
    }));

  it('finds the function whose changed call sits in a loop, and ranks it above the new helper it calls', () => {
    const js = [
      'async function fetchRate(url, id) {', //  1
      "+  const res = await getJson(url + '/rates/' + id);",
      "+  if (!res) throw new Error('no rate for ' + id);",
      '+  return res.rate;',
      '}',
      '',
      'export async function total(url, lines) {', // 7
      '  let sum = 0;',
      '  for (const line of lines) {',
      '+    const rate = await fetchRate(url, line.id);',
      '    sum += rate * line.qty;',
      '  }',
      '  return sum;',
      '}',
    ].join('\n');
    const file: CodeFileFacts = {
      repository: 'shop',
      path: 'svc/pricing.js',
      owners: [],
      symbols: [
        { name: 'fetchRate', parent: null, startLine: 1, endLine: 5 },
        { name: 'total', parent: null, startLine: 7, endLine: 14 },
      ],
    };
    const blame = blamed(file.path, js);
    const loops = loopCallHints(blame, [file], new Set(['new']), 'pay→rates');
    assert.deepEqual(
      loops.map((h) => [h.symbol, h.source.kind === 'loop_call' ? h.source.line : null]),
      [['total', 10]],
    );
    const changedOnly = rankCodeLocations(changedHints(blame, [file], new Set(['new'])), [file]);
    assert.equal(changedOnly[0]?.symbol, 'fetchRate', 'by changed lines alone, the helper leads');
    const ranked = rankCodeLocations([...changedHints(blame, [file], new Set(['new'])), ...loops], [file]);
    assert.equal(ranked[0]?.symbol, 'total');
    assert.match(ranked[0]?.hint ?? '', /inside a loop .*pay→rates/);
  });

  it('reads loops by indentation in any language, and ignores calls outside loops and unchanged ones', () => {
    const py = [
      'def charge(client, items):', // 1
      '    if not items:',
      '+        log.warning("empty order")',
      '        return 0',
      '    total = 0',
      '    for item in items:',
      '        if item.qty > 0:',
      '+            total += client.price(item.sku) * item.qty',
      '    return total',
      '',
      'def refund(client, order):', // 11
      '    for line in order.lines:',
      '        client.refund(line.id)',
      '+    audit(order.id)',
    ].join('\n');
    const file: CodeFileFacts = {
      repository: 'shop',
      path: 'svc/charge.py',
      owners: [],
      symbols: [
        { name: 'charge', parent: null, startLine: 1, endLine: 9 },
        { name: 'refund', parent: null, startLine: 11, endLine: 14 },
      ],
    };
    const hints = loopCallHints(blamed(file.path, py), [file], new Set(['new']), 'a→b');
    assert.deepEqual(
      hints.map((h) => [h.symbol, h.source.kind === 'loop_call' ? h.source.line : null]),
      [['charge', 8]],
    );
  });
});

describe('changeKind and pathConcernsService', () => {
  it('tells docs-only and tests-only changes from code', () => {
    assert.equal(changeKind(['README.md', 'docs/runbook.md']), 'docs');
    assert.equal(changeKind(['services/cart/test/cart.test.js', 'services/cart/README.md']), 'tests');
    assert.equal(changeKind(['services/cart/src/cart.js', 'README.md']), 'code');
    assert.equal(changeKind([]), 'code');
  });
  it('knows a path concerns a service by its folder or by naming it', () => {
    assert.ok(pathConcernsService('services/cart/src/x.js', 'cart', 'services/cart/'));
    assert.ok(pathConcernsService('deploy/k8s/cart.yaml', 'cart', 'services/cart/'));
    assert.ok(!pathConcernsService('deploy/k8s/catalog.yaml', 'cart', 'services/cart/'));
    assert.ok(!pathConcernsService('services/cartography/x.js', 'cart', null));
  });
});

describe('rankSuspectCommits', () => {
  const commit = (sha: string, files: string[], at: string): CommitFacts => ({
    sha,
    authorName: 'Dana',
    committedAt: at,
    message: `${sha} subject\n\nbody`,
    files: files.map((path) => ({ path, additions: 1, deletions: 0 })),
  });
  const locations = rankCodeLocations(
    [
      {
        repository: 'shop',
        path: summary.path,
        line: 20,
        symbol: 'summarizeCart',
        source: { kind: 'frame', position: 0, frame: 'summarizeCart', errorGroup: 'fp' },
      },
    ],
    [summary],
  );

  it('puts the commit that last changed the localized lines first, with its blame lines and owners', () => {
    const ranked = rankSuspectCommits({
      service: 'cart',
      pathPrefix: 'services/cart/',
      repository: 'shop',
      commits: [
        commit('docs', ['services/cart/README.md'], '2026-11-20T00:00:00Z'),
        commit('other', ['services/web/src/app.js'], '2026-11-21T00:00:00Z'),
        commit('culprit', [summary.path, 'services/cart/test/cart-summary.test.js'], '2026-11-19T00:00:00Z'),
        commit('nearby', ['services/cart/src/inventory.js'], '2026-11-18T00:00:00Z'),
      ],
      locations,
      blame: [
        {
          repository: 'shop',
          path: summary.path,
          line: 20,
          sha: 'culprit',
          text: 'const off = line.discount.rate.percent',
        },
        { repository: 'shop', path: summary.path, line: 2, sha: 'nearby', text: '// header' },
      ],
      owners: new Map([[summary.path, ['@cart-team']]]),
    });
    assert.deepEqual(
      ranked.map((c) => c.sha),
      ['culprit', 'nearby', 'other', 'docs'],
    );
    assert.equal(ranked[0]!.blame.length, 1);
    // Each names its repository, blamed lines or not (the UI shows its diff from there).
    assert.deepEqual([...new Set(ranked.map((c) => c.repository))], ['shop']);
    assert.deepEqual(ranked[0]!.owners, ['@cart-team']);
    assert.match(ranked[0]!.hint, /last changed lines of summarizeCart/);
    assert.ok(ranked[0]!.confidence > 0.6);
    assert.match(ranked.at(-1)!.hint, /changes only docs/);
  });

  it('with no localized code, prefers a config change naming the service over docs and other services', () => {
    const ranked = rankSuspectCommits({
      service: 'cart',
      pathPrefix: 'services/cart/',
      repository: 'shop',
      commits: [
        commit('readme', ['services/cart/README.md'], '2026-11-20T00:00:00Z'),
        commit('web', ['services/web/src/app.js'], '2026-11-21T00:00:00Z'),
        commit('config', ['deploy/k8s/cart.yaml'], '2026-11-19T00:00:00Z'),
      ],
      locations: [],
      blame: [],
      owners: new Map(),
    });
    assert.equal(ranked[0]!.sha, 'config');
    assert.ok(Math.abs(ranked.reduce((a, c) => a + c.confidence, 0) - 1) < 0.01);
  });
});
