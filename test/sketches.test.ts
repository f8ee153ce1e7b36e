// The sketches against the fixture matrix in test/fixtures/sketches/: each <name>.json names
// a seeded input stream and the bound it must meet (DDSketch: |estimate − exact| ≤ α·exact at
// every listed quantile; HyperLogLog: relative error), and whether to split it into parts
// and merge them; <name>.expected.json next to it is the readable snapshot of the results.
// Run with UPDATE_FIXTURES=1 to rewrite the snapshots after a deliberate change (then read
// the diff: it is the review). Contract tests (merging, encodings, garbage) follow.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DDSKETCH_MIN_INDEXABLE, DDSketch, HyperLogLog, SketchDecodeError } from '../src/analysis/index.js';

const ROOT = join(import.meta.dirname, 'fixtures', 'sketches');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

interface DDFixture {
  name: string;
  kind: 'ddsketch';
  generator: 'lognormal' | 'pareto' | 'exponential' | 'uniform' | 'loguniform' | 'bimodal' | 'constant';
  n: number;
  seed: number;
  alpha?: number;
  maxBins?: number;
  quantiles: number[];
  relativeError: number;
  absoluteError?: number;
  parts?: number;
  split?: Split;
  expectCollapsed?: boolean;
  round?: boolean;
  zeroFraction?: number;
  [param: string]: unknown;
}

interface HLLFixture {
  name: string;
  kind: 'hll';
  generator: 'distinct' | 'ranges';
  format: IdFormat;
  n?: number;
  ranges?: Array<[number, number]>;
  repeat?: number;
  seed: number;
  precision?: number;
  maxRelativeError: number;
  parts?: number;
  split?: Split;
  expectSparse?: boolean;
}

type Split = 'random' | 'contiguous';
type IdFormat = 'sequential' | 'numeric' | 'uuid' | 'keyed';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

function param(f: DDFixture, key: string): number {
  const v = f[key];
  assert.equal(typeof v, 'number', `${f.name}: parameter ${key}`);
  return v as number;
}

function latencies(f: DDFixture): Float64Array {
  const rand = mulberry32(f.seed);
  const out = new Float64Array(f.n);
  for (let i = 0; i < f.n; i++) {
    let v: number;
    switch (f.generator) {
      case 'lognormal':
        v = Math.exp(param(f, 'mu') + param(f, 'sigma') * normal(rand));
        break;
      case 'bimodal':
        v =
          rand() < param(f, 'weight2')
            ? Math.exp(param(f, 'mu2') + param(f, 'sigma2') * normal(rand))
            : Math.exp(param(f, 'mu') + param(f, 'sigma') * normal(rand));
        break;
      case 'pareto':
        v = param(f, 'scale') / (1 - rand()) ** (1 / param(f, 'shape'));
        break;
      case 'exponential':
        v = -param(f, 'mean') * Math.log(1 - rand());
        break;
      case 'uniform':
        v = param(f, 'low') + (param(f, 'high') - param(f, 'low')) * rand();
        break;
      case 'loguniform':
        v = param(f, 'low') * (param(f, 'high') / param(f, 'low')) ** rand();
        break;
      case 'constant':
        v = param(f, 'value');
        break;
    }
    if (f.round) v = Math.round(v);
    if (f.zeroFraction !== undefined && rand() < f.zeroFraction) v = 0;
    out[i] = v;
  }
  return out;
}

function idOf(format: IdFormat, seed: number, i: number): string {
  switch (format) {
    case 'sequential':
      return `user-${i}`;
    case 'numeric':
      return String(100000 + i);
    case 'uuid':
    case 'keyed': {
      const rand = mulberry32((seed * 0x9e3779b1) ^ i);
      const hex = (k: number) =>
        Array.from({ length: k }, () =>
          Math.floor(rand() * 0x10000)
            .toString(16)
            .padStart(4, '0'),
        ).join('');
      if (format === 'keyed') return `h:${hex(16)}`;
      const h = hex(8);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
    }
  }
}

/** Which part each of n items goes to. */
function assign(n: number, parts: number, split: Split, seed: number): Uint16Array {
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = split === 'random' ? Math.floor(rand() * parts) : Math.floor((i * parts) / n);
  return out;
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const rand = mulberry32(seed ^ 0x1234567);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/** Significant digits for readable snapshots. */
const sig = (x: number) => Number(x.toPrecision(6));

function fixtureNames(): string[] {
  return readdirSync(ROOT)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function checkSnapshot(name: string, actual: object): void {
  const path = join(ROOT, `${name}.expected.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (UPDATE) writeFileSync(path, text);
  assert.deepEqual(actual, JSON.parse(readFileSync(path, 'utf8')));
}

function runDD(name: string, f: DDFixture): void {
  const values = latencies(f);
  const opts = { alpha: f.alpha, maxBins: f.maxBins };
  const whole = new DDSketch(opts);
  for (const v of values) whole.add(v);
  const alpha = f.alpha ?? 0.01;
  assert.ok(f.relativeError >= 0 && f.relativeError <= alpha, `${f.name}: the fixture may not ask for less than α`);

  const sorted = Float64Array.from(values).sort();
  const rows: Array<{ q: number; exact: number; estimate: number; relativeError: number }> = [];
  for (const q of f.quantiles) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
    const est = whole.quantile(q);
    const bound = f.relativeError * exact * (1 + 1e-9) + (f.absoluteError ?? 0);
    assert.ok(Math.abs(est - exact) <= bound, `${f.name}: q=${q} estimate ${est} vs exact ${exact} (bound ${bound})`);
    rows.push({
      q,
      exact: sig(exact),
      estimate: sig(est),
      relativeError: exact === 0 ? 0 : sig(Math.abs(est - exact) / exact),
    });
  }
  assert.equal(whole.count, f.n);
  assert.equal(whole.min, sorted[0]);
  assert.equal(whole.max, sorted[sorted.length - 1]);
  const exactSum = values.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(whole.sum - exactSum) <= 1e-9 * exactSum);
  assert.equal(whole.collapsed, f.expectCollapsed ?? false, `${f.name}: collapsed`);
  assert.ok(whole.binCount <= (f.maxBins ?? 2048));

  // Round trip.
  const bytes = whole.toBytes();
  const back = DDSketch.fromBytes(bytes);
  assert.deepEqual(back.bins(), whole.bins());
  assert.deepEqual(back.toJSON(), whole.toJSON());
  assert.equal(back.zeros, whole.zeros);
  assert.deepEqual(back.toBytes(), bytes);

  // Split into parts, store them (bytes), merge: the same bins as the single stream.
  if (f.parts !== undefined) {
    const part = assign(f.n, f.parts, f.split ?? 'random', f.seed);
    const sketches = Array.from({ length: f.parts }, () => new DDSketch(opts));
    for (let i = 0; i < values.length; i++) sketches[part[i]!]!.add(values[i]!);
    const merged = new DDSketch(opts);
    for (const s of sketches) merged.merge(DDSketch.fromBytes(s.toBytes()));
    assert.deepEqual(merged.bins(), whole.bins(), `${f.name}: merged bins`);
    assert.equal(merged.zeros, whole.zeros);
    assert.equal(merged.count, whole.count);
    assert.equal(merged.min, whole.min);
    assert.equal(merged.max, whole.max);
    assert.equal(merged.collapsed, whole.collapsed);
    assert.ok(Math.abs(merged.sum - whole.sum) <= 1e-9 * whole.sum);
    for (const q of f.quantiles) assert.equal(merged.quantile(q), whole.quantile(q));
    // Pairwise (tree) merge order gives the same bins too.
    let level = sketches;
    while (level.length > 1) {
      const next: DDSketch[] = [];
      for (let i = 0; i < level.length; i += 2) {
        const a = level[i]!;
        if (level[i + 1]) a.merge(level[i + 1]!);
        next.push(a);
      }
      level = next;
    }
    assert.deepEqual(level[0]!.bins(), whole.bins(), `${f.name}: tree-merged bins`);
  }

  checkSnapshot(name, {
    name: f.name,
    count: whole.count,
    bins: whole.binCount,
    zeros: whole.zeros,
    bytes: bytes.length,
    quantiles: rows,
  });
}

function runHLL(name: string, f: HLLFixture): void {
  const opts = { precision: f.precision };
  // The parts (each a list of ids) and the truth.
  let parts: string[][];
  if (f.generator === 'ranges') {
    parts = f.ranges!.map(([lo, hi]) => Array.from({ length: hi - lo }, (_, i) => idOf(f.format, f.seed, lo + i)));
  } else {
    const ids: string[] = [];
    for (let r = 0; r < (f.repeat ?? 1); r++) for (let i = 0; i < f.n!; i++) ids.push(idOf(f.format, f.seed, i));
    if (f.repeat !== undefined) shuffle(ids, f.seed);
    if (f.parts === undefined) parts = [ids];
    else {
      const which = assign(ids.length, f.parts, f.split ?? 'random', f.seed);
      parts = Array.from({ length: f.parts }, () => []);
      for (let i = 0; i < ids.length; i++) parts[which[i]!]!.push(ids[i]!);
    }
  }
  const truth = new Set(parts.flat()).size;

  const whole = new HyperLogLog(opts);
  for (const p of parts) for (const id of p) whole.add(id);
  const est = whole.estimate();
  const err = Math.abs(est - truth) / truth;
  assert.ok(err <= f.maxRelativeError, `${f.name}: estimate ${est} vs ${truth} (${(err * 100).toFixed(3)}%)`);
  if (f.expectSparse !== undefined) assert.equal(whole.isSparse, f.expectSparse, `${f.name}: sparse`);

  const bytes = whole.toBytes();
  const back = HyperLogLog.fromBytes(bytes);
  assert.equal(back.estimate(), est);
  assert.deepEqual(back.toBytes(), bytes);

  if (parts.length > 1) {
    const sketches = parts.map((p) => {
      const s = new HyperLogLog(opts);
      for (const id of p) s.add(id);
      return s;
    });
    const merged = new HyperLogLog(opts);
    for (const s of sketches) merged.merge(HyperLogLog.fromBytes(s.toBytes()));
    assert.deepEqual(merged.toBytes(), bytes, `${f.name}: merged registers equal the single stream's`);
    assert.equal(merged.estimate(), est);
    // Merging in place into the first part, in order, gives the same state.
    const first = sketches[0]!;
    for (const s of sketches.slice(1)) first.merge(s);
    assert.deepEqual(first.toBytes(), bytes, `${f.name}: in-place merge`);
  }

  checkSnapshot(name, {
    name: f.name,
    truth,
    estimate: est,
    relativeError: sig(err),
    sparse: whole.isSparse,
    bytes: bytes.length,
    parts: parts.length,
  });
}

describe('sketch fixtures', () => {
  for (const name of fixtureNames()) {
    it(name, () => {
      const f = JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8')) as DDFixture | HLLFixture;
      if (f.kind === 'ddsketch') runDD(name, f);
      else if (f.kind === 'hll') runHLL(name, f);
      else assert.fail(`${name}: unknown kind`);
    });
  }

  it('covers both sketches, the small cardinalities exactly, merges and a collapse', () => {
    const all = fixtureNames().map(
      (n) => JSON.parse(readFileSync(join(ROOT, `${n}.json`), 'utf8')) as DDFixture | HLLFixture,
    );
    const hll = all.filter((f): f is HLLFixture => f.kind === 'hll');
    for (const n of [1, 10, 100, 1000])
      assert.ok(
        hll.some((f) => f.n === n && f.maxRelativeError === 0),
        `exact HLL fixture for ${n}`,
      );
    for (const n of [10_000, 100_000, 1_000_000])
      assert.ok(
        hll.some((f) => f.n === n && f.maxRelativeError <= 0.02),
        `HLL fixture for ${n}`,
      );
    assert.ok(hll.some((f) => f.generator === 'ranges'));
    const dd = all.filter((f): f is DDFixture => f.kind === 'ddsketch');
    assert.ok(dd.some((f) => f.parts !== undefined) && dd.some((f) => f.expectCollapsed));
  });
});

/** Every strict prefix, the input with a byte appended, and every single-byte change. */
function mutations(bytes: Uint8Array, seed: number): { truncated: Uint8Array[]; changed: Uint8Array[] } {
  const truncated = Array.from({ length: bytes.length }, (_, i) => bytes.slice(0, i));
  truncated.push(Uint8Array.from([...bytes, 0]));
  const rand = mulberry32(seed);
  const changed: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.slice();
    c[i] = (c[i]! + 1 + Math.floor(rand() * 255)) & 0xff;
    changed.push(c);
  }
  return { truncated, changed };
}

/** Decoding garbage either throws SketchDecodeError or yields a sketch that encodes stably. */
function decodesSafely<T extends { toBytes(): Uint8Array }>(decode: (b: Uint8Array) => T, b: Uint8Array): void {
  let s: T;
  try {
    s = decode(b);
  } catch (err) {
    assert.ok(err instanceof SketchDecodeError, `unexpected ${String(err)}`);
    return;
  }
  const again = s.toBytes();
  assert.deepEqual(decode(again).toBytes(), again);
}

describe('DDSketch contracts', () => {
  it('rejects negative, NaN and infinite values and bad counts', () => {
    const s = new DDSketch();
    for (const v of [-1, -1e-12, Number.NaN, Number.POSITIVE_INFINITY]) assert.throws(() => s.add(v), RangeError);
    for (const c of [-1, 0.5, Number.NaN]) assert.throws(() => s.add(1, c), RangeError);
    s.add(5, 0);
    assert.equal(s.count, 0);
    assert.throws(() => new DDSketch({ alpha: 0 }), RangeError);
    assert.throws(() => new DDSketch({ maxBins: 1 }), RangeError);
    assert.throws(() => s.quantile(1.5), RangeError);
  });

  it('empty: NaN quantiles, null summary, a two-byte encoding', () => {
    const s = new DDSketch();
    assert.ok(Number.isNaN(s.quantile(0.5)));
    assert.deepEqual(s.toJSON(), { count: 0, sum: 0, min: null, max: null, p50: null, p90: null, p99: null });
    assert.equal(s.toBytes().length, 2);
    assert.deepEqual(DDSketch.fromBytes(s.toBytes()).toJSON(), s.toJSON());
    s.merge(new DDSketch());
    assert.equal(s.count, 0);
  });

  it('weighted adds equal repeated adds', () => {
    const a = new DDSketch();
    const b = new DDSketch();
    a.add(12.5, 3);
    a.add(0, 2);
    for (let i = 0; i < 3; i++) b.add(12.5);
    b.add(0);
    b.add(0);
    assert.deepEqual(a.toBytes(), b.toBytes());
  });

  it('summary: count, sum, min, max and p50/p90/p99', () => {
    const s = new DDSketch();
    for (let i = 1; i <= 100; i++) s.add(i);
    const j = s.toJSON();
    assert.equal(j.count, 100);
    assert.equal(j.sum, 5050);
    assert.equal(j.min, 1);
    assert.equal(j.max, 100);
    for (const [q, exact] of [
      [j.p50, 50],
      [j.p90, 90],
      [j.p99, 99],
    ] as const)
      assert.ok(Math.abs(q! - exact) <= 0.01 * exact, `${q} vs ${exact}`);
  });

  it('values below the smallest indexable count as zero', () => {
    const s = new DDSketch();
    s.add(0);
    s.add(DDSKETCH_MIN_INDEXABLE / 2);
    s.add(1);
    assert.equal(s.zeros, 2);
    assert.equal(s.binCount, 1);
    assert.equal(s.quantile(0), 0);
    assert.ok(s.quantile(0.5) < DDSKETCH_MIN_INDEXABLE);
  });

  it('merge refuses a different alpha and is safe with itself', () => {
    const a = new DDSketch();
    a.add(10);
    assert.throws(() => a.merge(new DDSketch({ alpha: 0.02 })), /alpha 0.02/);
    a.merge(a);
    assert.equal(a.count, 2);
    assert.deepEqual(a.bins(), [[a.binIndex(10), 2]]);
  });

  it('merge adds in place when every bin is there already, collapsed or not: the same as one stream', () => {
    for (const maxBins of [2048, 8]) {
      const values = Array.from({ length: 400 }, (_, i) => 1 + ((i * 37) % 100) * 0.5);
      const whole = new DDSketch({ maxBins });
      const target = new DDSketch({ maxBins });
      for (const v of values) target.add(v);
      // A part whose bins are all in `target` already, and one with a bin below its lowest.
      const part = new DDSketch({ maxBins });
      for (const v of values.slice(0, 50)) part.add(v);
      const low = new DDSketch({ maxBins });
      low.add(0.001);
      low.add(3);
      for (const v of [...values, ...values.slice(0, 50), 0.001, 3]) whole.add(v);
      target.merge(part);
      target.merge(low);
      assert.deepEqual(target.bins(), whole.bins(), `maxBins ${maxBins}`);
      assert.equal(target.count, whole.count);
      assert.equal(target.min, whole.min);
      assert.equal(target.max, whole.max);
      assert.equal(target.collapsed, whole.collapsed);
    }
  });

  it('stays compact: a handful of bytes per distinct bin', () => {
    const s = new DDSketch();
    s.add(42);
    assert.ok(s.toBytes().length <= 32, `${s.toBytes().length} bytes`);
    const rand = mulberry32(3);
    for (let i = 0; i < 10_000; i++) s.add(Math.exp(3 + normal(rand)));
    assert.ok(s.toBytes().length <= 40 + 3 * s.binCount, `${s.toBytes().length} bytes for ${s.binCount} bins`);
  });

  it('fromBytes rejects truncated, extended and garbage input', () => {
    const s = new DDSketch({ alpha: 0.02, maxBins: 100 });
    const rand = mulberry32(5);
    for (let i = 0; i < 2000; i++) s.add(rand() < 0.05 ? 0 : Math.exp(1e-3 + 12 * rand()));
    assert.ok(s.collapsed);
    for (const sketch of [
      s,
      new DDSketch(),
      (() => {
        const t = new DDSketch();
        t.add(3);
        return t;
      })(),
    ]) {
      const bytes = sketch.toBytes();
      const { truncated, changed } = mutations(bytes, 7);
      for (const b of truncated)
        assert.throws(() => DDSketch.fromBytes(b), SketchDecodeError, `${b.length} of ${bytes.length} bytes`);
      for (const b of changed) decodesSafely(DDSketch.fromBytes, b);
    }
    // A claimed huge bin count is refused before allocating.
    assert.throws(
      () => DDSketch.fromBytes(Uint8Array.from([1, 8, 0, ...new Uint8Array(24), 0xff, 0xff, 0xff, 0xff, 0x0f])),
      /bin count/,
    );
    for (const b of [
      new Uint8Array(0),
      Uint8Array.from([2, 0]),
      Uint8Array.from([1, 0x80]),
      Uint8Array.from([1, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    ]) {
      assert.throws(() => DDSketch.fromBytes(b), SketchDecodeError);
    }
    const r = mulberry32(11);
    for (let i = 0; i < 2000; i++)
      decodesSafely(
        DDSketch.fromBytes,
        Uint8Array.from({ length: 1 + Math.floor(r() * 64) }, (_, j) => (j === 0 ? 1 : Math.floor(r() * 256))),
      );
  });
});

describe('HyperLogLog contracts', () => {
  it('empty estimates 0; one id added many times estimates 1', () => {
    const h = new HyperLogLog();
    assert.equal(h.estimate(), 0);
    assert.equal(HyperLogLog.fromBytes(h.toBytes()).estimate(), 0);
    for (let i = 0; i < 10_000; i++) h.add('alice');
    assert.equal(h.estimate(), 1);
    assert.ok(h.isSparse);
  });

  it('three users serialize to tens of bytes; a dense sketch to 3m/4 bytes', () => {
    const h = new HyperLogLog();
    for (const id of ['alice', 'bob', 'carol']) h.add(id);
    assert.ok(h.toBytes().length <= 24, `${h.toBytes().length} bytes`);
    for (let i = 0; i < 20_000; i++) h.add(`u${i}`);
    assert.equal(h.isSparse, false);
    assert.equal(h.toBytes().length, 3 + (16384 * 3) / 4);
  });

  it('hashes any string: empty, unicode, long', () => {
    const h = new HyperLogLog();
    for (const id of ['', 'é', '😀', 'x'.repeat(10_000), 'ab', 'ba']) h.add(id);
    assert.equal(h.estimate(), 6);
  });

  it('sparse entries land in the same registers as direct dense adds', () => {
    // 20 sparse sets of 3000 ids merged into a dense sketch vs the same ids added to it
    // directly: ~30 entries need the stored rank (index bits below the dense index all zero).
    for (const precision of [14, 4, 18]) {
      const viaSparse = new HyperLogLog({ precision });
      const direct = new HyperLogLog({ precision });
      for (let i = 0; i < 100_000; i++) {
        viaSparse.add(`seed-${i}`);
        direct.add(`seed-${i}`);
      }
      assert.equal(direct.isSparse, false);
      for (let c = 0; c < 20; c++) {
        const part = new HyperLogLog({ precision });
        for (let i = 0; i < 3000; i++) {
          part.add(`c${c}-${i}`);
          direct.add(`c${c}-${i}`);
        }
        if (precision === 14) assert.ok(part.isSparse);
        viaSparse.merge(part);
      }
      assert.deepEqual(viaSparse.toBytes(), direct.toBytes(), `precision ${precision}`);
    }
  });

  it('merge refuses a different precision and is a no-op with itself', () => {
    const a = new HyperLogLog();
    a.add('x');
    assert.throws(() => a.merge(new HyperLogLog({ precision: 12 })), /precision 12/);
    a.merge(a);
    assert.equal(a.estimate(), 1);
    assert.throws(() => new HyperLogLog({ precision: 3 }), RangeError);
  });

  it('fromBytes rejects truncated, extended and garbage input', () => {
    const sparse = new HyperLogLog();
    for (let i = 0; i < 500; i++) sparse.add(`s${i}`);
    const dense = new HyperLogLog({ precision: 6 });
    for (let i = 0; i < 500; i++) dense.add(`d${i}`);
    assert.equal(dense.isSparse, false);
    for (const h of [sparse, dense, new HyperLogLog()]) {
      const bytes = h.toBytes();
      const { truncated, changed } = mutations(bytes, 9);
      for (const b of truncated)
        assert.throws(() => HyperLogLog.fromBytes(b), SketchDecodeError, `${b.length} of ${bytes.length} bytes`);
      for (const b of changed) decodesSafely(HyperLogLog.fromBytes, b);
    }
    // A claimed huge entry count is refused before allocating.
    assert.throws(() => HyperLogLog.fromBytes(Uint8Array.from([1, 14, 0, 0xff, 0xff, 0xff, 0x7f])), /entry count/);
    for (const b of [
      new Uint8Array(0),
      Uint8Array.from([1, 3, 0, 0]),
      Uint8Array.from([1, 14, 2, 0]),
      Uint8Array.from([1, 14, 1, 0]),
    ]) {
      assert.throws(() => HyperLogLog.fromBytes(b), SketchDecodeError);
    }
    const r = mulberry32(13);
    for (let i = 0; i < 2000; i++)
      decodesSafely(
        HyperLogLog.fromBytes,
        Uint8Array.from({ length: 3 + Math.floor(r() * 64) }, (_, j) =>
          j === 0 ? 1 : j === 1 ? 14 : j === 2 ? 0 : Math.floor(r() * 256),
        ),
      );
  });
});
