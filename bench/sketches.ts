// `npm run bench -- sketches`: the latency and distinct-user sketches on their hot path and
// at rest: adds per second, serialized bytes and heap bytes per sketch at several sizes,
// and the measured errors (DDSketch quantiles against exact ones, HyperLogLog over seeds).
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DDSketch, HyperLogLog } from '../src/analysis/index.js';
import { int, table } from './lib/format.js';

const USAGE = `usage: npm run bench -- sketches [--trials N]

Prints DDSketch and HyperLogLog add throughput (ops/s), merge and encode times, bytes per
serialized sketch and heap bytes per sketch at several sizes, and measured errors: DDSketch
relative error at p50…p99.9 against exact quantiles, HyperLogLog relative error over N seeds
(default 10) at each cardinality. Runs in about 20 s.
`;

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

function lognormal(n: number, seed: number, mu = 3, sigma = 1): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
  return out;
}

function pareto(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  return Float64Array.from({ length: n }, () => 2 / (1 - rand()) ** (1 / 1.2));
}

function uuids(n: number, seed: number): string[] {
  const rand = mulberry32(seed);
  const hex = () =>
    Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return Array.from({ length: n }, () => {
    const h = hex() + hex() + hex() + hex();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  });
}

/** Best of `reps` runs of fn (which does `ops` operations), as operations per second. */
function rate(ops: number, reps: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return (ops / best) * 1000;
}

function gcFunction(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

/** Heap bytes per object made by make(), over `count` live objects. */
function heapPer(count: number, make: (i: number) => object, gc: (() => void) | null): number | null {
  if (!gc) return null;
  // Typed arrays past a few dozen bytes live outside the V8 heap, in arrayBuffers.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  gc();
  gc();
  const before = used();
  const keep = Array.from({ length: count }, (_, i) => make(i));
  gc();
  gc();
  const after = used();
  return keep.length > 0 ? (after - before) / count : null;
}

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
const rightFrom = (n: number, width: number) => new Set(Array.from({ length: width - n }, (_, i) => i + n));

export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { trials: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const trials = Number(values.trials ?? 10);
  if (!Number.isInteger(trials) || trials < 1) {
    process.stderr.write(`--trials must be a positive integer\n\n${USAGE}`);
    return 2;
  }
  const gc = gcFunction();
  const out = (s: string) => process.stdout.write(`${s}\n`);

  // ---- DDSketch throughput
  const lat = lognormal(2_000_000, 1);
  const ddAdd = rate(lat.length, 5, () => {
    const s = new DDSketch();
    for (let i = 0; i < lat.length; i++) s.add(lat[i]!);
  });
  const minutes = Array.from({ length: 60 }, (_, m) => {
    const s = new DDSketch();
    for (let i = m; i < 600_000; i += 60) s.add(lat[i]!);
    return s;
  });
  const ddMerge = rate(60, 20, () => {
    const h = new DDSketch();
    for (const s of minutes) h.merge(s);
  });
  const encoded = minutes.map((s) => s.toBytes());
  const ddEncode = rate(60, 20, () => {
    for (const s of minutes) s.toBytes();
  });
  const ddDecode = rate(60, 20, () => {
    for (const b of encoded) DDSketch.fromBytes(b);
  });
  const ddQuantile = rate(60 * 3, 20, () => {
    for (const s of minutes) s.toJSON();
  });

  // ---- HyperLogLog throughput
  const ids = uuids(1_000_000, 2);
  const hllDenseAdd = rate(ids.length, 5, () => {
    const h = new HyperLogLog();
    for (let i = 0; i < ids.length; i++) h.add(ids[i]!);
  });
  const few = ids.slice(0, 50);
  const hllSparseAdd = rate(1_000_000, 5, () => {
    const h = new HyperLogLog();
    for (let i = 0; i < 1_000_000; i++) h.add(few[i % 50]!);
  });
  const growing = ids.slice(0, 3000);
  const hllSparseGrow = rate(3000 * 100, 3, () => {
    for (let r = 0; r < 100; r++) {
      const h = new HyperLogLog();
      for (let i = 0; i < growing.length; i++) h.add(growing[i]!);
    }
  });
  const hllMinutes = Array.from({ length: 60 }, (_, m) => {
    const h = new HyperLogLog();
    for (let i = m; i < 600_000; i += 60) h.add(ids[i]!);
    return h;
  });
  const hllMerge = rate(60, 10, () => {
    const h = new HyperLogLog();
    for (const s of hllMinutes) h.merge(s);
  });
  const hllEncoded = hllMinutes.map((h) => h.toBytes());
  const hllDecode = rate(60, 10, () => {
    for (const b of hllEncoded) HyperLogLog.fromBytes(b);
  });
  const hllEstimate = rate(60, 10, () => {
    for (const h of hllMinutes) h.estimate();
  });

  out('Throughput (best of several runs; ops/s)');
  out(
    table(
      ['operation', 'ops/s', 'ns/op'],
      [
        ['DDSketch.add (lognormal ms, 2M values)', int(ddAdd), (1e9 / ddAdd).toFixed(1)],
        ['DDSketch.merge (a 10k-value minute, ~380 bins)', int(ddMerge), (1e9 / ddMerge).toFixed(0)],
        ['DDSketch.toBytes (same)', int(ddEncode), (1e9 / ddEncode).toFixed(0)],
        ['DDSketch.fromBytes (same)', int(ddDecode), (1e9 / ddDecode).toFixed(0)],
        ['DDSketch quantile (toJSON: 3 quantiles)', int(ddQuantile), (1e9 / ddQuantile).toFixed(0)],
        ['HyperLogLog.add, dense (1M distinct uuids)', int(hllDenseAdd), (1e9 / hllDenseAdd).toFixed(1)],
        ['HyperLogLog.add, sparse (50 users repeated)', int(hllSparseAdd), (1e9 / hllSparseAdd).toFixed(1)],
        ['HyperLogLog.add, sparse growing to 3000', int(hllSparseGrow), (1e9 / hllSparseGrow).toFixed(1)],
        ['HyperLogLog.merge (dense into dense)', int(hllMerge), (1e9 / hllMerge).toFixed(0)],
        ['HyperLogLog.fromBytes (dense)', int(hllDecode), (1e9 / hllDecode).toFixed(0)],
        ['HyperLogLog.estimate (dense)', int(hllEstimate), (1e9 / hllEstimate).toFixed(0)],
      ],
      new Set([1, 2]),
    ),
  );

  // ---- Sizes
  const ddSizes = [0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
  const pool = lognormal(1_000_000, 3);
  const ddRows = ddSizes.map((n) => {
    const make = (k: number) => {
      const s = new DDSketch();
      for (let i = 0; i < n; i++) s.add(pool[(k * 7919 + i) % pool.length]!);
      return s;
    };
    const s = make(0);
    const heap = n <= 10_000 ? heapPer(n <= 100 ? 5000 : 500, (k) => make(k + 1), gc) : null;
    return [int(n), int(s.binCount), int(s.toBytes().length), heap === null ? '-' : int(heap)];
  });
  out('\nDDSketch size (lognormal μ=3 σ=1 ms, α=0.01)');
  out(table(['values', 'bins', 'bytes serialized', 'memory bytes'], ddRows, rightFrom(0, 4)));

  const hllSizes = [0, 1, 3, 10, 100, 1_000, 3_000, 3_100, 10_000, 100_000, 1_000_000];
  const hllRows = hllSizes.map((n) => {
    const h = new HyperLogLog();
    for (let i = 0; i < n; i++) h.add(ids[i]!);
    const bytes = h.toBytes().length;
    const heap =
      n <= 10_000
        ? heapPer(
            n <= 100 ? 5000 : 200,
            (k) => {
              const x = new HyperLogLog();
              for (let i = 0; i < n; i++) x.add(ids[(i + k * 7919) % ids.length]!);
              x.estimate();
              return x;
            },
            gc,
          )
        : null;
    return [int(n), h.isSparse ? 'sparse' : 'dense', int(bytes), heap === null ? '-' : int(heap)];
  });
  out('\nHyperLogLog size (p=14; sparse up to 3,072 distinct 25-bit indexes)');
  out(table(['distinct ids', 'mode', 'bytes serialized', 'memory bytes'], hllRows, rightFrom(0, 4)));
  if (!gc) out('(memory per sketch unavailable: could not expose gc)');

  // ---- Errors
  const qs = [0.5, 0.9, 0.99, 0.999];
  const ddErrRows: string[][] = [];
  for (const [name, v] of [
    ['lognormal μ=3 σ=1, 1M', lognormal(1_000_000, 5)],
    ['lognormal μ=1 σ=2.5, 1M', lognormal(1_000_000, 6, 1, 2.5)],
    ['pareto shape 1.2, 1M', pareto(1_000_000, 7)],
  ] as const) {
    const s = new DDSketch();
    for (let i = 0; i < v.length; i++) s.add(v[i]!);
    const sorted = Float64Array.from(v).sort();
    const errs = qs.map((q) => {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      return Math.abs(s.quantile(q) - exact) / exact;
    });
    ddErrRows.push([name, ...errs.map(pct), pct(Math.max(...errs))]);
  }
  out('\nDDSketch relative error vs exact quantile (bound α = 1.000%)');
  out(table(['input', ...qs.map((q) => `p${q * 100}`), 'max'], ddErrRows, rightFrom(1, qs.length + 2)));

  const cards = [10, 100, 1_000, 3_000, 10_000, 100_000, 1_000_000];
  const hllErrRows = cards.map((n) => {
    const errs: number[] = [];
    for (let t = 0; t < trials; t++) {
      const h = new HyperLogLog();
      const prefix = `t${t}-user-`;
      for (let i = 0; i < n; i++) h.add(prefix + i);
      errs.push((h.estimate() - n) / n);
    }
    const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
    const mean = errs.reduce((a, e) => a + e, 0) / errs.length;
    return [int(n), pct(mean), pct(rms), pct(Math.max(...errs.map(Math.abs)))];
  });
  out(`\nHyperLogLog relative error over ${trials} seeds (std error 1.04/√16384 = 0.813%; target ≤ 2%)`);
  out(table(['distinct ids', 'mean (bias)', 'rms', 'max |err|'], hllErrRows, rightFrom(0, 4)));
  return 0;
}
