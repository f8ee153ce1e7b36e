// The git source's parsers on hand-made output (log -z --numstat, ls-tree, cat-file --batch,
// blame --porcelain), the skip rules, the parse pool's worker threads, and the small input
// rules of `orrery repo` and the sync workflow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLineRange, parseServiceFlag } from '../src/cli/commands/repo.js';
import {
  LOG_FORMAT,
  ParsePoolError,
  countLines,
  openParsePool,
  parseBatch,
  parseBlamePorcelain,
  parseLog,
  parseTreeEntry,
  skipAfterReading,
  skipBeforeReading,
} from '../src/ingest/sources/git/index.js';
import { hashEmail, hashOwnerEmails, normalizePrefix } from '../src/workflows/repo-sync.js';

const RS = '\x1e';
const US = '\x1f';
const header = (sha: string, parents: string, name: string, email: string, message: string) =>
  `${RS}${sha}${US}${parents}${US}${name}${US}${email}${US}2026-01-05T10:00:00+01:00${US}2026-01-05T11:00:00Z${US}${message}${US}`;

async function collect<T>(g: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of g) out.push(x);
  return out;
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('git log parser', () => {
  it('uses unambiguous separators in its format', () => {
    assert.match(LOG_FORMAT, /^--format=\x1e%H\x1f%P\x1f%an\x1f%ae\x1f%aI\x1f%cI\x1f%B\x1f$/);
  });

  it('reads commits, parents, numstat (binary as null) and messages with separators in them', async () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const c = 'c'.repeat(40);
    const tokens = [
      header(c, `${a} ${b}`, 'Carol', 'c@x', 'Merge\n'),
      header(b, a, 'Bob', 'b@x', `Odd ${US} message\n\nbody\n`),
      '\n3\t1\tsrc/a file.ts',
      '-\t-\tlogo.png',
      '0\t0\tpath\twith\ttabs.txt',
      header(a, '', 'Ann', 'a@x', 'root\n'),
      '\n1\t0\tREADME.md',
    ];
    const commits = await collect(parseLog(tokens));
    assert.equal(commits.length, 3);
    assert.deepEqual(commits[0]!.parents, [a, b]);
    assert.deepEqual(commits[0]!.files, []);
    assert.equal(commits[1]!.message, `Odd ${US} message\n\nbody`);
    assert.deepEqual(commits[1]!.files, [
      { path: 'src/a file.ts', additions: 3, deletions: 1 },
      { path: 'logo.png', additions: null, deletions: null },
      { path: 'path\twith\ttabs.txt', additions: 0, deletions: 0 },
    ]);
    assert.deepEqual(commits[2]!.parents, []);
    assert.equal(commits[2]!.authoredAt.toISOString(), '2026-01-05T09:00:00.000Z');
    assert.equal(commits[2]!.committedAt.toISOString(), '2026-01-05T11:00:00.000Z');
  });
});

describe('ls-tree and cat-file parsers', () => {
  it('reads blob entries and leaves out submodules', () => {
    assert.deepEqual(parseTreeEntry(`100644 blob ${'d'.repeat(40)}     123\tdir/a b.go`), {
      path: 'dir/a b.go',
      sha: 'd'.repeat(40),
      size: 123,
      mode: '100644',
    });
    assert.equal(parseTreeEntry(`160000 commit ${'e'.repeat(40)}       -\tvendor/sub`), null);
  });

  it('splits a batch stream at any chunk boundary, including inside headers and contents', async () => {
    const body = Buffer.concat([
      Buffer.from(`${'1'.repeat(40)} blob 5\nhello\n`),
      Buffer.from(`${'2'.repeat(40)} missing\n`),
      Buffer.from(`${'3'.repeat(40)} blob 3\n`),
      Buffer.from([0, 10, 255]),
      Buffer.from('\n'),
      Buffer.from(`${'4'.repeat(40)} blob 0\n\n`),
    ]);
    for (const size of [1, 7, 1000]) {
      const out = await collect(parseBatch(chunked(body, size)));
      assert.deepEqual(
        out.map((b) => [b.sha[0], b.content === null ? null : [...b.content]]),
        [
          ['1', [...Buffer.from('hello')]],
          ['2', null],
          ['3', [0, 10, 255]],
          ['4', []],
        ],
        `chunk size ${size}`,
      );
    }
  });

  it('fails when the stream ends inside a blob', async () => {
    await assert.rejects(
      collect(parseBatch(chunked(Buffer.from(`${'1'.repeat(40)} blob 10\nabc`), 4))),
      /ended in the middle of blob/,
    );
  });
});

describe('blame --porcelain parser', () => {
  it('carries commit details to later lines of the same commit', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const out = [
      `${a} 1 10 2`,
      'author Ann',
      'author-mail <ann@x>',
      'author-time 1767607200',
      'summary First',
      'filename old/name.ts',
      '\tline ten',
      `${a} 2 11`,
      '\tline eleven',
      `${b} 12 12 1`,
      'author Bob',
      'author-time 1767693600',
      'summary Second',
      'previous x y',
      'filename new/name.ts',
      '\t\tindented',
      '',
    ].join('\n');
    const lines = parseBlamePorcelain(out);
    assert.deepEqual(
      lines.map((l) => [
        l.line,
        l.originalLine,
        l.sha[0],
        l.authorName,
        l.authorTime.toISOString(),
        l.summary,
        l.originalPath,
        l.text,
      ]),
      [
        [10, 1, 'a', 'Ann', '2026-01-05T10:00:00.000Z', 'First', 'old/name.ts', 'line ten'],
        [11, 2, 'a', 'Ann', '2026-01-05T10:00:00.000Z', 'First', 'old/name.ts', 'line eleven'],
        [12, 12, 'b', 'Bob', '2026-01-06T10:00:00.000Z', 'Second', 'new/name.ts', '\tindented'],
      ],
    );
  });
});

describe('what a sync reads and parses', () => {
  it('lists vendored, generated, huge files and links without reading them', () => {
    assert.equal(skipBeforeReading('web/node_modules/x/index.js', 10), 'vendored');
    assert.equal(skipBeforeReading('vendor/github.com/x/y.go', 10), 'vendored');
    assert.equal(skipBeforeReading('static/app.min.js', 10), 'generated');
    assert.equal(skipBeforeReading('api/v1/user.pb.go', 10), 'generated');
    assert.equal(skipBeforeReading('package-lock.json', 10), 'generated');
    assert.equal(skipBeforeReading('src/big.ts', 2 * 1024 * 1024), 'too-large');
    assert.equal(skipBeforeReading('src/big.ts', 2000, { maxBytes: 1000 }), 'too-large');
    assert.equal(skipBeforeReading('src/link.ts', 10, { mode: '120000' }), 'symlink');
    assert.equal(skipBeforeReading('src/vendors.ts', 10), null);
  });

  it('skips binary, generated-marked and minified contents', () => {
    assert.equal(skipAfterReading(Buffer.from([1, 2, 0, 3]), 1), 'binary');
    assert.equal(
      skipAfterReading(Buffer.from('// Code generated by protoc-gen-go. DO NOT EDIT.\npackage x\n'), 2),
      'generated',
    );
    assert.equal(skipAfterReading(Buffer.from('# @generated by tool\nx = 1\n'), 2), 'generated');
    const minified = Buffer.from('var a=1;'.repeat(5000));
    assert.equal(skipAfterReading(minified, 1), 'generated');
    assert.equal(skipAfterReading(Buffer.from('export const a = 1;\n'), 1), null);
  });

  it('counts lines with and without a final newline', () => {
    assert.equal(countLines(Buffer.from('')), 0);
    assert.equal(countLines(Buffer.from('a')), 1);
    assert.equal(countLines(Buffer.from('a\n')), 1);
    assert.equal(countLines(Buffer.from('a\nb')), 2);
    assert.equal(countLines(Buffer.from('\n\n')), 2);
  });

  it('parses on worker threads and says when the pool is gone', async () => {
    const pool = await openParsePool({ workers: 2 });
    try {
      const [go, py] = await Promise.all([
        pool.parse('go', 'package main\n\nfunc main() {\n}\n'),
        pool.parse('python', 'class A:\n    def f(self):\n        pass\n'),
      ]);
      assert.deepEqual(
        go.symbols.map((s) => [s.name, s.startLine, s.endLine]),
        [['main', 3, 4]],
      );
      assert.deepEqual(
        py.symbols.map((s) => [s.parent, s.name]),
        [
          [null, 'A'],
          ['A', 'f'],
        ],
      );
      assert.ok(pool.parseMs > 0);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.parse('go', 'package main'), ParsePoolError);
  });
});

describe('repo input rules', () => {
  it('normalizes service path prefixes and refuses ones outside the repository', () => {
    assert.equal(normalizePrefix(undefined), '');
    assert.equal(normalizePrefix('./'), '');
    assert.equal(normalizePrefix('services/cart'), 'services/cart/');
    assert.equal(normalizePrefix('/services/cart//'), 'services/cart/');
    assert.equal(normalizePrefix('./a\\b/'), 'a/b/');
    assert.throws(() => normalizePrefix('../x'), /must be a folder inside the repository/);
    assert.throws(() => normalizePrefix('a/./b'), /must be a folder inside the repository/);
  });

  it('hashes emails with the per-install key, trimmed and lower-cased, never keeping them', () => {
    assert.equal(hashEmail('k1', ' Bob@Example.COM '), hashEmail('k1', 'bob@example.com'));
    assert.match(hashEmail('k1', 'bob@example.com')!, /^h:[0-9a-f]{64}$/);
    assert.notEqual(hashEmail('k1', 'bob@example.com'), hashEmail('k2', 'bob@example.com'));
    assert.equal(hashEmail('k1', ''), null);
  });

  it('hashes CODEOWNERS owners that are emails and keeps handles', () => {
    const [rule] = hashOwnerEmails([{ line: 1, pattern: '*', owners: ['@acme/web', 'docs@example.com', '@bob'] }], 'k');
    assert.equal(rule!.owners[0], '@acme/web');
    assert.match(rule!.owners[1]!, /^h:[0-9a-f]{64}$/);
    assert.equal(rule!.owners[2], '@bob');
  });

  it('parses --service and -L', () => {
    assert.deepEqual(parseServiceFlag('cart'), [{ service: 'cart' }]);
    assert.deepEqual(parseServiceFlag('pay=services/pay/', [{ service: 'cart' }]), [
      { service: 'cart' },
      { service: 'pay', pathPrefix: 'services/pay/' },
    ]);
    assert.throws(() => parseServiceFlag('=x'), /give NAME or NAME=path\//);
    assert.deepEqual(parseLineRange('10,20'), { start: 10, end: 20 });
    assert.deepEqual(parseLineRange('10,+5'), { start: 10, end: 14 });
    assert.deepEqual(parseLineRange('7'), { start: 7, end: 7 });
    assert.throws(() => parseLineRange('20,10'), /need 1 <= START <= END/);
    assert.throws(() => parseLineRange('a-b'), /give START,END/);
  });
});
