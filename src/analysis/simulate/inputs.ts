// The numbers one run of the model uses: the calibration's own (the estimate), or a bootstrap
// replicate of them — the window's blocks drawn with replacement for the rates and the mean
// times, each entry's sampled traces drawn with replacement for its visits per request, and each
// assumed value drawn from its range — so the spread of the predictions over replicates is the
// interval each predicted figure carries.
import type { Random } from './stats.js';
import { type BlockSums, type Calibration, type TreeSample, drawSetting } from './types.js';

export interface PerRequest {
  index: number;
  perRequest: number;
}

export interface ModelInputs {
  /** Per entry: requests per second. */
  rate: number[];
  /** Per entry: visits to each service, leaf calls of each service, calls on each edge, per request. */
  visits: PerRequest[][];
  leaf: PerRequest[][];
  edgeCalls: PerRequest[][];
  /** Per service: visits and leaf calls per second, and their mean times (ms) and cv². */
  visitRate: number[];
  selfMs: number[];
  selfCv2: number[];
  leafRate: number[];
  leafMs: number[];
  leafCv2: number[];
  /** Per service: the CPU demand per visit from gauges (ms), or null; else the share of self time taken as CPU. */
  cpuMs: Array<number | null>;
  cpuShare: number[];
}

function fromSums(b: BlockSums, picks: readonly number[]): { count: number; mean: number; cv2: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const i of picks) {
    n += b.count[i] as number;
    sum += b.sum[i] as number;
    sq += b.sumSq[i] as number;
  }
  if (n === 0) return { count: 0, mean: 0, cv2: 0 };
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sq - n * mean * mean) / (n - 1)) : 0;
  return { count: n, mean, cv2: mean > 0 ? variance / (mean * mean) : 0 };
}

/** The calibration's own figures. */
export function pointInputs(cal: Calibration): ModelInputs {
  const sec = (cal.window.endMs - cal.window.startMs) / 1000;
  return {
    rate: cal.entries.map((e) => e.ratePerSec),
    visits: cal.entries.map((e) => e.visits.map((v) => ({ index: v.service, perRequest: v.perRequest }))),
    leaf: cal.entries.map((e) => e.leafCalls.map((v) => ({ index: v.service, perRequest: v.perRequest }))),
    edgeCalls: cal.entries.map((e) => e.edgeCalls.map((v) => ({ index: v.edge, perRequest: v.perRequest }))),
    visitRate: cal.services.map((s) => s.visits / sec),
    selfMs: cal.services.map((s) => s.selfTime.mean),
    selfCv2: cal.services.map((s) => s.selfTime.cv2),
    leafRate: cal.services.map((s) => (s.leaf ? s.leaf.calls / sec : 0)),
    leafMs: cal.services.map((s) => s.leaf?.duration.mean ?? 0),
    leafCv2: cal.services.map((s) => s.leaf?.duration.cv2 ?? 0),
    cpuMs: cal.services.map((s) => (s.cpu.from === 'gauge' ? s.cpu.msPerVisit.value : null)),
    cpuShare: cal.services.map((s) => (s.cpu.from === 'self-time' ? s.cpu.share.value : 1)),
  };
}

/** Mean per-request touches of `samples` drawn at `picks`. */
function touchMeans(
  samples: readonly TreeSample[],
  picks: readonly number[],
): { visits: Map<number, number>; leaf: Map<number, number>; calls: Map<number, number> } {
  const visits = new Map<number, number>();
  const leaf = new Map<number, number>();
  const calls = new Map<number, number>();
  for (const p of picks) {
    const t = samples[p] as TreeSample;
    for (const s of t.services) {
      if (s.visits) visits.set(s.service, (visits.get(s.service) ?? 0) + s.visits);
      if (s.leafCalls) leaf.set(s.service, (leaf.get(s.service) ?? 0) + s.leafCalls);
    }
    for (const e of t.edges) calls.set(e.edge, (calls.get(e.edge) ?? 0) + e.calls);
  }
  const n = picks.length || 1;
  for (const m of [visits, leaf, calls]) for (const [k, v] of m) m.set(k, v / n);
  return { visits, leaf, calls };
}

/**
 * A bootstrap replicate. Each entry's visits are its measured means moved by the resampled
 * traces' deviation from their sample's mean, scaled by √(sample / requests) so that a sample
 * smaller than the window's traces adds no spread of its own.
 */
export function bootstrapInputs(cal: Calibration, random: Random): ModelInputs {
  const sec = (cal.window.endMs - cal.window.startMs) / 1000;
  const share = cal.sampled > 0 ? cal.sampled : 1;
  const blocks = Array.from({ length: cal.blocks }, () => random.int(cal.blocks));
  const base = pointInputs(cal);
  const rate = cal.entries.map((e) => {
    let n = 0;
    for (const b of blocks) n += e.blockRequests[b] as number;
    return n / share / sec;
  });
  const moved = (
    point: readonly { index: number; perRequest: number }[],
    all: Map<number, number>,
    re: Map<number, number>,
    scale: number,
  ) => {
    const keys = new Set([...point.map((p) => p.index), ...all.keys(), ...re.keys()]);
    const pointOf = new Map(point.map((p) => [p.index, p.perRequest]));
    const out: PerRequest[] = [];
    for (const k of [...keys].sort((a, b) => a - b)) {
      const v = (pointOf.get(k) ?? 0) + ((re.get(k) ?? 0) - (all.get(k) ?? 0)) * scale;
      if (v > 0) out.push({ index: k, perRequest: v });
    }
    return out;
  };
  const visits: PerRequest[][] = [];
  const leaf: PerRequest[][] = [];
  const edgeCalls: PerRequest[][] = [];
  cal.entries.forEach((e, i) => {
    const k = e.samples.length;
    if (k === 0) {
      visits.push(base.visits[i] as PerRequest[]);
      leaf.push(base.leaf[i] as PerRequest[]);
      edgeCalls.push(base.edgeCalls[i] as PerRequest[]);
      return;
    }
    const all = touchMeans(
      e.samples,
      Array.from({ length: k }, (_, j) => j),
    );
    const re = touchMeans(
      e.samples,
      Array.from({ length: k }, () => random.int(k)),
    );
    const scale = Math.sqrt(k / Math.max(k, e.requests * share));
    visits.push(moved(base.visits[i] as PerRequest[], all.visits, re.visits, scale));
    leaf.push(moved(base.leaf[i] as PerRequest[], all.leaf, re.leaf, scale));
    edgeCalls.push(moved(base.edgeCalls[i] as PerRequest[], all.calls, re.calls, scale));
  });
  const selfMs: number[] = [];
  const selfCv2: number[] = [];
  const visitRate: number[] = [];
  const leafMs: number[] = [];
  const leafCv2: number[] = [];
  const leafRate: number[] = [];
  cal.services.forEach((s, i) => {
    const v = fromSums(s.blocks.visits, blocks);
    const l = fromSums(s.blocks.leaf, blocks);
    visitRate.push(v.count / share / sec);
    selfMs.push(v.count > 0 ? v.mean : (base.selfMs[i] as number));
    selfCv2.push(v.count > 1 ? v.cv2 : (base.selfCv2[i] as number));
    leafRate.push(l.count / share / sec);
    leafMs.push(l.count > 0 ? l.mean : (base.leafMs[i] as number));
    leafCv2.push(l.count > 1 ? l.cv2 : (base.leafCv2[i] as number));
  });
  const cpuShare = cal.services.map((s) => (s.cpu.from === 'gauge' ? 1 : drawSetting(s.cpu.share, random.next())));
  // A gauge's demand per visit moves with the visits the replicate counts (the busy cores stay).
  const cpuMs = cal.services.map((s, i) =>
    s.cpu.from === 'gauge' && (visitRate[i] as number) > 0
      ? (s.cpu.msPerVisit.value * (base.visitRate[i] as number)) / (visitRate[i] as number)
      : s.cpu.from === 'gauge'
        ? s.cpu.msPerVisit.value
        : null,
  );
  return { rate, visits, leaf, edgeCalls, visitRate, selfMs, selfCv2, leafRate, leafMs, leafCv2, cpuMs, cpuShare };
}
