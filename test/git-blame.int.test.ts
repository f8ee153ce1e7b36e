// Blame on a real repository: each line's last commit, and with `since`, only the commits
// after it (older lines stop at the boundary, which is what makes blame cheap on a long history).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitError, blameRange } from '../src/ingest/sources/git/index.js';

describe('blameRange', () => {
  let dir: string;
  const shas: string[] = [];
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'A',
        GIT_AUTHOR_EMAIL: 'a@x',
        GIT_COMMITTER_NAME: 'A',
        GIT_COMMITTER_EMAIL: 'a@x',
      },
    }).trim();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'orrery-blame-'));
    git('init', '-q', '-b', 'main');
    const versions = [
      ['one', 'two', 'three', 'four'],
      ['one', 'TWO', 'three', 'four'],
      ['one', 'TWO', 'three', 'FOUR'],
    ];
    for (const [i, lines] of versions.entries()) {
      writeFileSync(join(dir, 'f.txt'), `${lines.join('\n')}\n`);
      git('add', 'f.txt');
      git('commit', '-q', '-m', `v${i}`);
      shas.push(git('rev-parse', 'HEAD'));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("names each line's last commit", async () => {
    const lines = await blameRange(dir, 'f.txt', { rev: shas[2]!, startLine: 1, endLine: 4 });
    assert.deepEqual(
      lines.map((l) => l.sha),
      [shas[0], shas[1], shas[0], shas[2]],
    );
  });

  it('stops at `since`: the commits after it keep their lines, older lines go to the boundary', async () => {
    const lines = await blameRange(dir, 'f.txt', { rev: shas[2]!, startLine: 1, endLine: 4, since: shas[1]! });
    assert.deepEqual(
      lines.map((l) => l.sha),
      [shas[1], shas[1], shas[1], shas[2]],
    );
    await assert.rejects(
      blameRange(dir, 'f.txt', { rev: shas[2]!, startLine: 1, endLine: 4, since: 'HEAD~1; rm -rf /' }),
      GitError,
    );
  });
});
