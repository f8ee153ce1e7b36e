// CODEOWNERS parsing and matching with GitHub's semantics.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownersOf, parseCodeowners } from '../src/analysis/index.js';

const FILE = `# Default owners for everything.
*                       @acme/everyone

# Any .js file, at any depth.
*.js                    @js-owner   # trailing comment
/build/logs/            @doctocat
apps/                   @octocat
docs/*                  docs@example.com
**/fixtures             @test-team
/services/**/*.sql      @dba
/services/cart/         @acme/cart
/services/cart/vendor/
path\\ with\\ spaces/     @spaces
[Section]
!negated.js             @nobody
`;

describe('parseCodeowners', () => {
  it('reads patterns and owners with line numbers, skipping comments, sections and negations', () => {
    const rules = parseCodeowners(FILE);
    assert.deepEqual(rules, [
      { line: 2, pattern: '*', owners: ['@acme/everyone'] },
      { line: 5, pattern: '*.js', owners: ['@js-owner'] },
      { line: 6, pattern: '/build/logs/', owners: ['@doctocat'] },
      { line: 7, pattern: 'apps/', owners: ['@octocat'] },
      { line: 8, pattern: 'docs/*', owners: ['docs@example.com'] },
      { line: 9, pattern: '**/fixtures', owners: ['@test-team'] },
      { line: 10, pattern: '/services/**/*.sql', owners: ['@dba'] },
      { line: 11, pattern: '/services/cart/', owners: ['@acme/cart'] },
      { line: 12, pattern: '/services/cart/vendor/', owners: [] },
      { line: 13, pattern: 'path with spaces/', owners: ['@spaces'] },
    ]);
  });

  it('accepts CRLF, blank and empty files', () => {
    assert.deepEqual(parseCodeowners(''), []);
    assert.deepEqual(parseCodeowners('\r\n\r\n'), []);
    assert.deepEqual(parseCodeowners('*.go @gophers\r\n'), [{ line: 1, pattern: '*.go', owners: ['@gophers'] }]);
  });
});

describe('ownersOf', () => {
  const rules = parseCodeowners(FILE);
  const cases: Array<[string, string[]]> = [
    ['README.md', ['@acme/everyone']],
    // unanchored pattern without a slash: any depth; later rules win over the default
    ['src/deep/app.js', ['@js-owner']],
    // a leading slash anchors to the root
    ['build/logs/today.log', ['@doctocat']],
    ['build/logs/2024/01/today.log', ['@doctocat']],
    ['src/build/logs/today.log', ['@acme/everyone']],
    // a trailing slash means a directory, at any depth when unanchored
    ['apps/web/main.ts', ['@octocat']],
    ['frontend/apps/x/y.ts', ['@octocat']],
    ['apps', ['@acme/everyone']],
    // dir/* owns only the files directly inside
    ['docs/getting-started.md', ['docs@example.com']],
    ['docs/build-app/troubleshooting.md', ['@acme/everyone']],
    // ** spans directories
    ['fixtures/a.json', ['@test-team']],
    ['test/unit/fixtures/b.json', ['@test-team']],
    ['services/orders/db/migrations/001.sql', ['@dba']],
    ['services/x.sql', ['@dba']],
    // last match wins: the cart rule comes after *.js and *.sql
    ['services/cart/index.js', ['@acme/cart']],
    ['services/cart/db/schema.sql', ['@acme/cart']],
    // a rule with no owners un-owns
    ['services/cart/vendor/lib.js', []],
    ['path with spaces/file.txt', ['@spaces']],
    // leading ./ or / in the asked path is ignored
    ['./apps/a.ts', ['@octocat']],
  ];
  for (const [path, owners] of cases) {
    it(`${path} → ${owners.join(' ') || '(no owners)'}`, () => assert.deepEqual(ownersOf(path, rules), owners));
  }

  it('owns nothing when no rule matches or there are no rules', () => {
    assert.deepEqual(ownersOf('a.ts', []), []);
    assert.deepEqual(ownersOf('a.ts', parseCodeowners('*.go @gophers')), []);
  });

  it('matches * and ? within one path segment only, and literally otherwise', () => {
    const r = parseCodeowners('/src/*.ts @ts\n/lib/?.c @c\n/a+b(c)/ @regex-chars');
    assert.deepEqual(ownersOf('src/a.ts', r), ['@ts']);
    assert.deepEqual(ownersOf('src/sub/a.ts', r), []);
    assert.deepEqual(ownersOf('lib/x.c', r), ['@c']);
    assert.deepEqual(ownersOf('lib/xy.c', r), []);
    assert.deepEqual(ownersOf('a+b(c)/x', r), ['@regex-chars']);
    assert.deepEqual(ownersOf('aab(c)/x', r), []);
  });

  it('returns a copy the caller may change', () => {
    const r = parseCodeowners('* @a');
    ownersOf('x', r).push('@mutated');
    assert.deepEqual(r[0]!.owners, ['@a']);
  });
});
