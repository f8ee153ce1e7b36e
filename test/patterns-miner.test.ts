// patterns@1: fixture matrix (test/fixtures/patterns/miner/*.txt: lines and the final
// template of each), template stability, convergence merges, seeding, and bounded memory
// under hostile high-cardinality input.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OVERFLOW_TEMPLATE, createPatternMiner, maskToken } from '../src/analysis/patterns/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'patterns', 'miner');

function readFixture(file: string): { lines: string[]; templates: string[] } {
  const text = readFileSync(join(DIR, file), 'utf8');
  const body = text.split('\n').filter((l) => !l.startsWith('#'));
  const li = body.indexOf('== lines');
  const ti = body.indexOf('== templates');
  const lines = body.slice(li + 1, ti).filter((l) => l !== '');
  const templates = body.slice(ti + 1).filter((l) => l !== '');
  return { lines, templates };
}

describe('patterns@1 fixtures', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt'))) {
    it(file, () => {
      const { lines, templates } = readFixture(file);
      assert.equal(lines.length, templates.length, 'a template per line');
      const miner = createPatternMiner();
      const ids = lines.map((l) => miner.add(l).id);
      assert.deepEqual(
        ids.map((id) => miner.template(id)),
        templates,
      );
    });
  }
});

describe('patterns@1 behaviour', () => {
  it('masks value shapes and keeps names that merely contain a digit', () => {
    const m = (t: string) => maskToken(t, []);
    assert.equal(m('blk_-1608999687919862906'), '<*>');
    assert.equal(m('10.251.199.159:50010'), '<*>:<*>');
    assert.equal(m('0x14f05578bd80002'), '<*>');
    assert.equal(m('core.9136'), 'core.<*>');
    assert.equal(m('8030.'), '<*>.');
    assert.equal(m('jk2_init()'), 'jk2_init()');
    assert.equal(m('HttpServer2'), 'HttpServer2');
    assert.equal(m('tty2'), 'tty2');
    assert.equal(m('/var/log/app.log'), '<*>');
    assert.equal(m('https://example.com/a/b?c=1'), 'https://<*>');
  });

  it('keeps a template stable as more lines of it arrive, with the same id', () => {
    const miner = createPatternMiner();
    const first = miner.add('user 17 logged in from 10.0.0.1');
    for (let i = 0; i < 1000; i++) {
      const r = miner.add(`user ${i} logged in from 10.0.${i % 250}.${i % 7}`);
      assert.equal(r.id, first.id);
      assert.equal(r.template, 'user <*> logged in from <*>');
    }
    assert.equal(miner.patterns().length, 1);
  });

  it('merges two patterns when they converge, and forwards the old id', () => {
    const miner = createPatternMiner();
    const a = miner.add('cache alpha evicted').id;
    const b = miner.add('cache beta evicted').id;
    assert.notEqual(a, b, 'two words: two messages so far');
    miner.add('cache gamma evicted');
    assert.equal(miner.resolve(a), miner.resolve(b));
    assert.equal(miner.template(a), 'cache <*> evicted');
    const live = miner.patterns();
    assert.equal(live.length, 1);
    assert.equal(live[0]!.count, 3);
  });

  it('types the slots', () => {
    const miner = createPatternMiner();
    miner.add('took 12 ms to reach 10.0.0.1 for 550e8400-e29b-41d4-a716-446655440000');
    const [p] = miner.patterns();
    assert.deepEqual(
      p!.slots.map((s) => s.type),
      ['int', 'ip', 'uuid'],
    );
  });

  it('seeded patterns keep their ids after a restart', () => {
    const before = createPatternMiner();
    before.add('session opened for user root');
    before.add('session opened for user news');
    const id = before.add('session opened for user cyrus').id;
    const stored = before.patterns().map((p) => ({ id: p.id, template: p.template }));
    const after = createPatternMiner();
    after.seed(stored);
    assert.equal(after.add('session opened for user mallory').id, before.resolve(id));
  });

  it('bounds memory under hostile, never-repeating input: overflow is counted', () => {
    const miner = createPatternMiner({ maxPatterns: 200 });
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const word = () => {
      let w = '';
      for (let i = 0; i < 6; i++) w += String.fromCharCode(97 + (rnd() % 26));
      return w;
    };
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    let overflow = 0;
    for (let i = 0; i < 100_000; i++) {
      // Each line: different words in every position and a random length, so nothing repeats.
      const n = 2 + (rnd() % 12);
      const words = Array.from({ length: n }, word);
      if (miner.add(words.join(' ')).overflow) overflow++;
    }
    const live = miner.patterns().filter((p) => p.template !== OVERFLOW_TEMPLATE);
    assert.ok(live.length <= 200, `patterns ${live.length} within the limit`);
    assert.ok(overflow > 90_000, `overflowed lines counted: ${overflow}`);
    assert.equal(miner.overflowed, overflow);
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - heap0;
    assert.ok(grown < 64 * 1024 * 1024, `heap grew ${(grown / 1048576).toFixed(1)} MiB`);
  });
});
