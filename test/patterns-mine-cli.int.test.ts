// `orrery patterns mine` as a user runs it (a child process, no server): one JSON row per input
// line in input order, the same id for lines of the same shape, CSV columns, CRLF files, the
// --summary table, and exit 2 with a clear message for a missing file or column.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/patterns/', import.meta.url));
const TXT = join(FIXTURES, 'mine-input.txt');
const CSV = join(FIXTURES, 'mine-input.csv');

interface Row {
  line: number;
  id: string;
  template: string;
}

function rows(stdout: string): Row[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row);
}

/** Asserts that the lines (1-based) in each group share one id and that groups differ. */
function assertGroups(out: Row[], groups: number[][]): void {
  const idOf = (line: number) => out[line - 1]!.id;
  for (const g of groups) {
    for (const line of g)
      assert.equal(idOf(line), idOf(g[0]!), `line ${line} should share the id of line ${g[0]}: ${JSON.stringify(out)}`);
  }
  const ids = groups.map((g) => idOf(g[0]!));
  assert.equal(new Set(ids).size, groups.length, `each shape should have its own id: ${JSON.stringify(out)}`);
}

describe('orrery patterns mine', () => {
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'orrery-patterns-mine-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  // mine-input.txt: connections on lines 1, 3, 6, 10; logins on 2, 5, 9; disks on 4, 8;
  // line 7 is empty.
  const TXT_GROUPS = [[1, 3, 6, 10], [2, 5, 9], [4, 8], [7]];

  it('prints one row per line, in input order, with the same id for the same shape', async () => {
    const r = await runCli(['patterns', 'mine', TXT]);
    assert.equal(r.code, 0, r.stderr);
    const out = rows(r.stdout);
    assert.deepEqual(
      out.map((row) => row.line),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(Object.keys(out[0]!), ['line', 'id', 'template']);
    assertGroups(out, TXT_GROUPS);
    // Every line of a pattern reports the pattern's final template, with its parameters.
    for (const g of TXT_GROUPS) assert.equal(new Set(g.map((l) => out[l - 1]!.template)).size, 1);
    const connection = out[0]!.template;
    assert.match(connection, /^Connection from .*<\*>.* closed after .*<\*>.* ms$/);
    assert.match(out[1]!.template, /^User <\*> logged in from /);
    assert.equal(out[6]!.template, '');
  });

  it('reads CRLF files the same as LF files', async () => {
    const crlf = join(work, 'crlf.txt');
    writeFileSync(crlf, readFileSync(TXT, 'utf8').replace(/\n/g, '\r\n'));
    const [lf, cr] = await Promise.all([runCli(['patterns', 'mine', TXT]), runCli(['patterns', 'mine', crlf])]);
    assert.equal(cr.code, 0, cr.stderr);
    assert.equal(cr.stdout, lf.stdout);
  });

  it('mines one column of a CSV, quoted fields and all', async () => {
    const r = await runCli(['patterns', 'mine', CSV, '--column', 'Content']);
    assert.equal(r.code, 0, r.stderr);
    const out = rows(r.stdout);
    // 8 data rows (the header is not a line): connections 1, 3, 6; logins 2, 5, 8; disks 4, 7.
    // (Three users: a word position becomes a value once three different words were seen there.)
    assert.deepEqual(
      out.map((row) => row.line),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assertGroups(out, [
      [1, 3, 6],
      [2, 5, 8],
      [4, 7],
    ]);
    assert.match(out[1]!.template, /^User <\*>, admin, logged in from /);
    assert.match(out[3]!.template, /^Disk .* is .* full$/);
  });

  it('prints a table of templates with --summary', async () => {
    const r = await runCli(['patterns', 'mine', TXT, '--summary']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id\s+lines\s+template$/m);
    assert.match(r.stdout, /\s4\s+Connection from .* closed after .* ms$/m);
    assert.match(r.stdout, /\s3\s+User <\*> logged in from /m);
    assert.match(r.stdout, /10 lines of .*mine-input\.txt, \d+ patterns \(patterns@\d+\)/);
  });

  it('exits 2 on a missing file, printing nothing', async () => {
    const r = await runCli(['patterns', 'mine', join(work, 'nope.log')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /nope\.log: no such file/);
  });

  it('exits 2 on a CSV without that column, listing the columns it has', async () => {
    const r = await runCli(['patterns', 'mine', CSV, '--column', 'Message']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /has no column "Message"; its columns are: "LineId", "Level", "Content"/);
  });

  it('exits 2 when --summary and --jsonl are both given', async () => {
    const r = await runCli(['patterns', 'mine', TXT, '--summary', '--jsonl']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot be used with/);
  });
});
