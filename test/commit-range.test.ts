// The pure base..head walk: linear history, merges (including a side branch that forked
// before the base), rollbacks, an unknown base, gaps in history and the bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CommitNode, walkCommitRange } from '../src/analysis/index.js';

/** A graph from "child: parent parent" lines; each commit's time is its line number (later lines newer). */
function graph(spec: string): (sha: string) => CommitNode | undefined {
  const nodes = new Map<string, CommitNode>();
  spec
    .trim()
    .split('\n')
    .forEach((line, i) => {
      const [sha, parents] = line.split(':').map((s) => s.trim());
      nodes.set(sha!, { parents: parents ? parents.split(/\s+/) : [], time: i });
    });
  return (sha) => nodes.get(sha);
}

/** a ← b ← c ← … (each the parent of the next), n commits named c0…c(n-1). */
function linear(n: number): (sha: string) => CommitNode | undefined {
  return graph(Array.from({ length: n }, (_, i) => `c${i}: ${i > 0 ? `c${i - 1}` : ''}`).join('\n'));
}

describe('walkCommitRange', () => {
  it('linear history: the commits after the base up to the head, newest first', () => {
    const r = walkCommitRange('c9', 'c5', linear(10));
    assert.deepEqual(r.commits, ['c9', 'c8', 'c7', 'c6']);
    assert.equal(r.truncated, false);
    assert.equal(r.baseFound, true);
    assert.equal(r.rollback, false);
    assert.deepEqual(r.missing, []);
  });

  it('visits only about the range, not the whole history', () => {
    const seen = new Set<string>();
    const inner = linear(5000);
    const r = walkCommitRange('c4999', 'c4990', (s) => {
      seen.add(s);
      return inner(s);
    });
    assert.equal(r.commits.length, 9);
    assert.ok(seen.size < 30, `looked up ${seen.size} commits`);
  });

  it('a merge brings in its side branch; a branch that forked before the base stops at the fork', () => {
    // main: a ← b ← c(base) ← m(merge of c and f) ← h(head); feature: b ← e ← f
    const lookup = graph(`
      a:
      b: a
      e: b
      c: b
      f: e
      m: c f
      h: m
    `);
    const r = walkCommitRange('h', 'c', lookup);
    assert.deepEqual(new Set(r.commits), new Set(['h', 'm', 'f', 'e']));
    assert.deepEqual(r.commits.slice(0, 2), ['h', 'm'], 'children before parents');
    assert.ok(r.commits.indexOf('f') < r.commits.indexOf('e'));
    assert.equal(r.truncated, false);
  });

  it('a merge of a branch older than everything still excludes the base ancestry, even with skewed clocks', () => {
    // x was committed "in the past" (time 0) but is new; a and b are the base's history.
    const lookup = (sha: string): CommitNode | undefined =>
      ({
        a: { parents: [], time: 1 },
        b: { parents: ['a'], time: 2 },
        x: { parents: ['a'], time: 0 },
        m: { parents: ['b', 'x'], time: 4 },
      })[sha];
    const r = walkCommitRange('m', 'b', lookup);
    assert.deepEqual(r.commits, ['m', 'x']);
  });

  it('a rollback to an ancestor of the base ships nothing and says so', () => {
    const r = walkCommitRange('c3', 'c8', linear(10));
    assert.deepEqual(r.commits, []);
    assert.equal(r.rollback, true);
    assert.equal(r.truncated, false);
  });

  it('the same head as the base is an empty range', () => {
    const r = walkCommitRange('c4', 'c4', linear(10));
    assert.deepEqual(r.commits, []);
    assert.equal(r.truncated, false);
  });

  it('an unknown base: walks to the bound and reports the range truncated', () => {
    const r = walkCommitRange('c99', 'deadbeef', linear(100), { limit: 20 });
    assert.equal(r.commits.length, 20);
    assert.equal(r.commits[0], 'c99');
    assert.equal(r.commits[19], 'c80');
    assert.equal(r.truncated, true);
    assert.equal(r.baseFound, false);
    assert.ok(r.missing.includes('deadbeef'));
  });

  it('an unknown base with short history is still truncated (where the range ends is unknown)', () => {
    const r = walkCommitRange('c4', 'deadbeef', linear(5));
    assert.deepEqual(r.commits, ['c4', 'c3', 'c2', 'c1', 'c0']);
    assert.equal(r.truncated, true);
  });

  it('hitting the bound on a long range', () => {
    const r = walkCommitRange('c50', 'c0', linear(51), { limit: 10 });
    assert.equal(r.commits.length, 10);
    assert.equal(r.truncated, true);
    assert.equal(r.baseFound, true);
  });

  it('reports commits it needs but does not have, so a caller can fetch them and walk again', () => {
    const full = linear(10);
    const partial = (s: string) => (['c9', 'c8', 'c7'].includes(s) ? full(s) : s === 'c2' ? full(s) : undefined);
    const r = walkCommitRange('c9', 'c2', partial);
    assert.deepEqual(r.commits, ['c9', 'c8', 'c7']);
    assert.ok(r.missing.includes('c6'));
    assert.equal(r.truncated, true);
  });

  it('an unknown head gives nothing and asks for it', () => {
    const r = walkCommitRange('zzz', 'c2', linear(5));
    assert.deepEqual(r.commits, []);
    assert.ok(r.missing.includes('zzz'));
    assert.equal(r.truncated, true);
  });

  it('no base (first deploy): the head alone', () => {
    assert.deepEqual(walkCommitRange('c4', null, linear(5)).commits, ['c4']);
  });
});
