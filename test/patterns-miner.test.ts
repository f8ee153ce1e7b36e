// patterns@3: fixture matrix (test/fixtures/patterns/miner/*.txt: lines and the final
// template of each), template stability, convergence merges, seeding, bounded memory under
// hostile high-cardinality input, and the hot path (TokenMasker, ShapeCache) agreeing with
// the rules it speeds up.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OVERFLOW_TEMPLATE, createPatternMiner, maskToken } from '../src/analysis/patterns/index.js';
// The hot path's internals, checked against the rules they must agree with.
import { ShapeCache } from '../src/analysis/patterns/shape-cache.js';
import { TokenMasker } from '../src/analysis/patterns/token-masker.js';

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

describe('patterns@3 fixtures', () => {
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

describe('patterns@3 behaviour', () => {
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
    assert.equal(m('Z1234'), '<*>', 'more digits than letters: a code');
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

/** A deterministic pseudo-random source. */
function lcg(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

/** Pieces that reach the masking rules when glued together at random. */
const PIECES = [
  '0',
  '1',
  '9',
  '12',
  '2147483647',
  'a',
  'f',
  'x',
  'v',
  'V',
  'T',
  'K',
  'abcdef',
  'blk',
  'core',
  '.',
  '.',
  '-',
  '_',
  '+',
  '#',
  '/',
  '//',
  ':',
  '://',
  '=',
  ',',
  ';',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '|',
  '@',
  '<',
  '>',
  '*',
  '<*>',
  'true',
  'NULL',
  'False',
  'Jan',
  'Monday',
  'Sept',
  'http',
  'KB',
  'ms',
  '10.0.0.1',
  '0x1f',
  'v1.2',
  'é',
  'ü',
  '\u212a',
  '\u0130',
];

function randomToken(rnd: (n: number) => number): string {
  let t = '';
  const n = 1 + rnd(10);
  for (let i = 0; i < n; i++) t += PIECES[rnd(PIECES.length)];
  return t;
}

function fastMask(m: TokenMasker, line: string, start: number, limit: number): { text: string; end: number } {
  m.load(line, limit);
  m.length = 0;
  const end = m.token(start);
  return { text: m.string(), end };
}

/** The miner's key for a line, built from maskToken as the slow path builds it. */
function referenceTokens(line: string): string[] {
  const out: string[] = [];
  for (const tok of line.split(/[ \t\n\r\f\v]+/)) {
    if (tok === '') continue;
    const core = /[,;)]$/.test(tok) ? tok.slice(0, -1) : tok;
    const sizeUnit =
      tok.length <= 4 && ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'KiB', 'MiB', 'GiB', 'TiB', 'kB'].includes(core);
    if (out.length > 0 && sizeUnit && out[out.length - 1]!.endsWith('<*>')) {
      if (core !== tok) out[out.length - 1] += tok.slice(-1);
      continue;
    }
    out.push(maskToken(tok, []));
  }
  return out;
}

describe('patterns@3 call sites', () => {
  it('keeps lines of different call sites apart, even with the same words', () => {
    const miner = createPatternMiner();
    const a = miner.add('calculate time: 0 at 07:00', 'TravelServiceImpl.java:451');
    const b = miner.add('calculate time: 16 at 07:16', 'TravelServiceImpl.java:457');
    const a2 = miner.add('calculate time: 60 at 10:00', 'TravelServiceImpl.java:451');
    assert.notEqual(a.id, b.id);
    assert.equal(a2.id, a.id);
    assert.equal(miner.pattern(a.id)?.site, 'TravelServiceImpl.java:451');
    assert.equal(miner.pattern(b.id)?.site, 'TravelServiceImpl.java:457');
    // Without a site, the same lines share one pattern, as in patterns@1.
    const plain = createPatternMiner();
    assert.equal(plain.add('calculate time: 0 at 07:00').id, plain.add('calculate time: 16 at 07:16').id);
    assert.equal(plain.pattern(plain.add('calculate time: 1 at 07:01').id)?.site, undefined);
  });

  it('mines a site-less line apart from sited ones, and the cache never crosses sites', () => {
    const miner = createPatternMiner();
    const sited = miner.add('cache warmed in 12 ms', 'cache.ts:10');
    const plain = miner.add('cache warmed in 12 ms');
    const other = miner.add('cache warmed in 12 ms', 'cache.ts:99');
    assert.equal(new Set([sited.id, plain.id, other.id]).size, 3);
    // The exact-shape fast path answers each site with its own pattern.
    for (let i = 0; i < 5; i++) {
      assert.equal(miner.add('cache warmed in 12 ms', 'cache.ts:10').id, sited.id);
      assert.equal(miner.add('cache warmed in 12 ms').id, plain.id);
    }
  });

  it('restores sited patterns with their ids, and lines of that site count under them again', () => {
    const first = createPatternMiner();
    const p = first.add('seat request for 2 seats', 'Seat.java:137');
    const template = first.template(p.id);
    const second = createPatternMiner();
    second.seed([{ id: p.id, template, site: 'Seat.java:137' }]);
    assert.equal(second.add('seat request for 3 seats', 'Seat.java:137').id, p.id);
    assert.notEqual(second.add('seat request for 3 seats', 'Seat.java:200').id, p.id);
  });

  it('holds sited patterns to the same bound', () => {
    const miner = createPatternMiner({ maxPatterns: 10 });
    for (let i = 0; i < 200; i++) miner.add(`event ${i} happened`, `gen.ts:${i}`);
    assert.equal(miner.size, 10);
    assert.equal(miner.overflowed, 190);
  });
});

describe('patterns@3 hot path', () => {
  const fixtureTokens = readFileSync(join(DIR, '..', 'mask-tokens.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('# '));

  it('masks tokens in place exactly as maskToken does', () => {
    const m = new TokenMasker();
    const tokens = new Set(fixtureTokens);
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt'))) {
      for (const line of readFixture(file).lines) for (const t of line.split(/\s+/)) if (t !== '') tokens.add(t);
    }
    const rnd = lcg(42);
    for (let i = 0; i < 20_000; i++) tokens.add(randomToken(rnd));
    assert.ok(tokens.size > 15_000);
    for (const t of tokens) {
      // Alone, and inside a line with whitespace around it.
      assert.deepEqual(fastMask(m, t, 0, t.length), { text: maskToken(t, []), end: t.length }, t);
      const line = `ab\t${t}  cd`;
      assert.deepEqual(fastMask(m, line, 3, line.length), { text: maskToken(t, []), end: 3 + t.length }, line);
    }
  });

  it('masks a token cut at the mined length as maskToken masks the cut token', () => {
    const m = new TokenMasker();
    for (const t of fixtureTokens) {
      const line = `x ${t} y`;
      for (let cut = 3; cut < 2 + t.length; cut++) {
        const expected = maskToken(line.slice(2, cut), []);
        assert.deepEqual(fastMask(m, line, 2, cut), { text: expected, end: cut }, `${t} cut at ${cut - 2}`);
      }
    }
  });

  it('finds the shape of a line in place, whatever its whitespace, as the masked-token key would', () => {
    const cache = new ShapeCache<number>({ maxShapes: 1_000_000, maxChars: 100_000_000 });
    const ids = new Map<string, number>();
    const rnd = lcg(7);
    const spaces = [' ', ' ', ' ', '  ', '\t', ' \r\n ', '\f'];
    const shapes: string[][] = [];
    for (let i = 0; i < 300; i++) shapes.push(Array.from({ length: 1 + rnd(6) }, () => randomToken(rnd)));
    for (let i = 0; i < 20_000; i++) {
      // Lines share shapes: the same words with other values, other whitespace, size units.
      const words = (shapes[rnd(shapes.length)] as string[]).map((w) =>
        rnd(3) === 0 ? w.replace(/[0-9]+/, String(rnd(100000))) : w,
      );
      if (rnd(4) === 0)
        words.splice(rnd(words.length + 1), 0, `${rnd(100)}`, ['KB', 'B,', 'MiB)', 'kB;'][rnd(4)] as string);
      let line = rnd(5) === 0 ? ' ' : '';
      for (const w of words) line += w + (spaces[rnd(spaces.length)] as string);
      const tokens = referenceTokens(line);
      const key = tokens.join(' ');
      const id = ids.get(key);
      assert.equal(cache.get(line, line.length), id, JSON.stringify(line));
      if (id === undefined) {
        ids.set(key, ids.size);
        cache.set(tokens, ids.size - 1);
        assert.equal(cache.get(line, line.length), ids.size - 1, JSON.stringify(line));
      }
    }
    assert.ok(ids.size > 500 && ids.size < 15_000, `${ids.size} shapes`);
    assert.equal(cache.size, ids.size);
  });

  it('bounds the shape cache by characters as well as by shapes', () => {
    const cache = new ShapeCache<number>({ maxShapes: 1_000, maxChars: 20_000 });
    const rnd = lcg(3);
    let most = 0;
    for (let i = 0; i < 500; i++) {
      const tokens = Array.from({ length: 100 }, () => `w${rnd(1_000_000)}x`);
      cache.set(tokens, i);
      most = Math.max(most, cache.size);
      assert.equal(cache.get(tokens.join(' '), tokens.join(' ').length), i);
    }
    // About 1,500 characters a shape (100 tokens and a node each): at most 13 fit.
    assert.ok(most <= 13, `${most} shapes held at once`);
  });

  it('mines long lines through the cache like short ones', () => {
    const miner = createPatternMiner();
    const line = (i: number) =>
      `batch ${i} done: ${Array.from({ length: 300 }, (_, k) => `item-${i * 7 + k} ok`).join(' ')}`;
    assert.ok(line(1).length > 3000);
    const first = miner.add(line(1));
    assert.ok(first.created);
    for (let i = 2; i < 50; i++) {
      const r = miner.add(line(i));
      assert.equal(r.id, first.id);
      assert.equal(r.created, false);
    }
    assert.equal(miner.pattern(first.id)?.count, 49);
    assert.ok(first.template.startsWith('batch <*> done: <*> ok <*> ok'));
  });
});
