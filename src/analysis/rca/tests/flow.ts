// Log flow tests (rca@3 on): for each log statement of a service (its call site when its lines
// named one, else its pattern), what followed it in the same span, the span's end included,
// baseline against incident: each successor's share of the statement's successors (Fisher's
// exact, two-sided: a successor that stopped following is as telling as one that started), its
// z divided by the square root of the share's quasi-binomial dispersion across baseline minutes.
// A statement no longer followed by its usual next one is a path cut short (an exception) or
// sent elsewhere; conditioned on the statement, so the mix of requests does not move it.
import { binomialDispersion, deflate, fisherMinP, fisherTest } from '../stats.js';
import type { RcaInput, SignalKind } from '../types.js';
import {
  type Comparison,
  type Draft,
  type PerMinute,
  VS_REFERENCE,
  addAt,
  sideOf,
  twoSided,
  upsert,
} from './common.js';

export const FLOW_TESTS = {
  'log-flow': "Fisher's exact on the share of a statement's successors in the same span, two-sided",
} as const satisfies Partial<Record<SignalKind, string>>;

/** The successor that stands for the end of the span (nothing followed the statement). */
const END = '∎';

function dispersed(phi: number): string {
  return phi > 1 ? `, z ÷ √${phi.toFixed(1)} (the baseline's minute-to-minute dispersion)` : '';
}

/** One service's log flow on one side: statement → successor → minute → count, and statement → minute → its successors. */
interface FlowSide {
  pair: Map<string, Map<string, PerMinute>>;
  from: Map<string, PerMinute>;
}

/** Adds `n` transitions a → b in `minute` to one side. */
function addTransition(side: FlowSide, a: string, b: string, minute: number, n: number): void {
  addAt(
    upsert(
      upsert(side.pair, a, () => new Map<string, PerMinute>()),
      b,
      (): PerMinute => new Map(),
    ),
    minute,
    n,
  );
  addAt(
    upsert(side.from, a, (): PerMinute => new Map()),
    minute,
    n,
  );
}

function total(m: PerMinute | undefined): number {
  let n = 0;
  for (const v of m?.values() ?? []) n += v;
  return n;
}

/** The log-flow tests of the services that have flow rows, against one comparison window, appended to `out`. */
export function flowDrafts(input: RcaInput, against: Comparison, out: Draft[]): void {
  if (!input.flows || input.flows.length === 0) return;
  // Per service (only those with flow rows: the flow is often read for a few services of many),
  // its statements' nodes and labels, and per side its transitions.
  interface ServiceFlow {
    nodeOf: Map<string, string>;
    labelOf: Map<string, string>;
    sides: [FlowSide, FlowSide];
  }
  const services = new Map<string, ServiceFlow>();
  const newSide = (): FlowSide => ({ pair: new Map(), from: new Map() });
  for (const f of input.flows)
    upsert(services, f.service, () => ({ nodeOf: new Map(), labelOf: new Map(), sides: [newSide(), newSide()] }));
  const patterns = input.patterns.filter((p) => services.has(p.service));
  for (const p of patterns) {
    const sf = services.get(p.service)!;
    const node = p.site ?? p.key;
    sf.nodeOf.set(p.key, node);
    if (!sf.labelOf.has(node)) sf.labelOf.set(node, p.site ?? p.label ?? p.key);
  }
  const sideIndex = (minuteMs: number): 0 | 1 | null => {
    const side = sideOf(minuteMs, input, against);
    return side === null ? null : side === 'base' ? 0 : 1;
  };
  for (const f of input.flows) {
    const s = sideIndex(f.minuteMs);
    if (s === null) continue;
    const sf = services.get(f.service)!;
    addTransition(sf.sides[s], sf.nodeOf.get(f.from) ?? f.from, sf.nodeOf.get(f.to) ?? f.to, f.minuteMs, f.count);
  }
  // The statement's lines that nothing followed (the span's last line, or a path cut short):
  // its lines less its transitions, minute by minute, as the successor END.
  const lines = new Map<string, [Map<string, PerMinute>, Map<string, PerMinute>]>();
  for (const p of patterns) {
    const s = sideIndex(p.minuteMs);
    if (s === null) continue;
    const sf = services.get(p.service)!;
    const perService = upsert(
      lines,
      p.service,
      () => [new Map(), new Map()] as [Map<string, PerMinute>, Map<string, PerMinute>],
    );
    addAt(
      upsert(perService[s], sf.nodeOf.get(p.key) ?? p.key, (): PerMinute => new Map()),
      p.minuteMs,
      p.count,
    );
  }
  for (const [service, perSide] of lines) {
    const sf = services.get(service)!;
    for (const s of [0, 1] as const) {
      const side = sf.sides[s];
      for (const [a, perMinute] of perSide[s]) {
        const followed = side.from.get(a);
        for (const [minute, n] of perMinute) {
          const end = n - (followed?.get(minute) ?? 0);
          if (end > 0) addTransition(side, a, END, minute, end);
        }
      }
    }
  }
  for (const [service, sf] of services) {
    const [base, inc] = sf.sides;
    for (const a of new Set([...base.pair.keys(), ...inc.pair.keys()])) {
      const fromBase = base.from.get(a);
      const ni = total(inc.from.get(a));
      // A statement not reached on one side is a traffic change, not a change of path.
      if (fromBase === undefined || ni === 0) continue;
      const nb = total(fromBase);
      if (nb === 0) continue;
      const pairsBase = base.pair.get(a);
      const pairsInc = inc.pair.get(a);
      for (const b of new Set([...(pairsBase?.keys() ?? []), ...(pairsInc?.keys() ?? [])])) {
        const pairBase = pairsBase?.get(b);
        const perMinute = [...fromBase].map(([minute, n]) => [pairBase?.get(minute) ?? 0, n] as const);
        const xb = total(pairBase);
        // Calibrated to how much the share moved from minute to minute in the baseline: a path that
        // swings there (an earlier incident inside the baseline, a branch taken by some requests
        // only) moving again is weaker evidence than one that never moved.
        const phi = binomialDispersion(perMinute);
        const xi = total(pairsInc?.get(b));
        const t = deflate(twoSided(fisherTest(xb, nb, xi, ni)), phi);
        const la = sf.labelOf.get(a) ?? a;
        const lb = b === END ? 'the end of the span' : (sf.labelOf.get(b) ?? b);
        out.push({
          kind: 'log-flow',
          service,
          key: `${a}→${b}`,
          label: `${la} → ${lb}`,
          baseline: xb / nb,
          incident: xi / ni,
          unit: `share of what followed ${la}`,
          test: FLOW_TESTS['log-flow'] + dispersed(phi) + (against === 'reference' ? VS_REFERENCE : ''),
          ...t,
          pMin: deflate({ statistic: 1, p: fisherMinP(xb + xi, nb, ni, 'two-sided') }, phi).p,
        });
      }
    }
  }
}
