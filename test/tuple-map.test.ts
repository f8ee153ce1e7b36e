// TupleMap and TupleSet: keys compared by value, never colliding, returned as given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TupleMap, TupleSet, tupleKey } from '../src/analysis/index.js';

describe('tuple keys', () => {
  it('never collide, whatever the parts hold', () => {
    assert.notEqual(tupleKey(['a\u0000b', 'c']), tupleKey(['a', 'b\u0000c']));
    assert.notEqual(tupleKey(['1']), tupleKey([1]));
    assert.notEqual(tupleKey(['ab', '']), tupleKey(['a', 'b']));
    assert.notEqual(tupleKey(['1:a']), tupleKey([1, 'a']));
    assert.equal(tupleKey(['cart', 'GET /x', 3]), tupleKey(['cart', 'GET /x', 3]));
  });

  it('a map gives back its keys as tuples, in insertion order, and upserts', () => {
    const m = new TupleMap<[string, string], number>();
    m.set(['cart', 'a\u0000b'], 1);
    m.set(['cart', 'a'], 2);
    m.upsert(['web', 'x'], () => 0);
    assert.equal(
      m.upsert(['cart', 'a'], () => 99),
      2,
    );
    m.set(['cart', 'a'], 3);
    assert.deepEqual(
      [...m],
      [
        [['cart', 'a\u0000b'], 1],
        [['cart', 'a'], 3],
        [['web', 'x'], 0],
      ],
    );
    assert.deepEqual([...m.keys()][0], ['cart', 'a\u0000b']);
    assert.deepEqual([...m.values()], [1, 3, 0]);
    assert.equal(m.size, 3);
    assert.ok(m.has(['web', 'x']));
    assert.ok(m.delete(['web', 'x']));
    assert.equal(m.get(['web', 'x']), undefined);
    m.clear();
    assert.equal(m.size, 0);
    assert.ok(!m.has(['cart', 'a']));
  });

  it('a set keeps one copy of each tuple', () => {
    const s = new TupleSet<[string, number]>([
      ['a', 1],
      ['a', 1],
      ['a', 2],
    ]);
    assert.equal(s.size, 2);
    assert.ok(s.has(['a', 2]));
    assert.ok(!s.has(['a', 3]));
    assert.deepEqual(
      [...s],
      [
        ['a', 1],
        ['a', 2],
      ],
    );
    s.clear();
    assert.equal(s.size, 0);
  });
});
