// A load simulation as Markdown: the prediction per endpoint and per service with each interval,
// the bottleneck and the knee, then what it rests on (inputs measured or assumed, assumptions).
import type { LoadSimulationResult } from '../../model/index.js';
import { fig, msOf, num, pctOf, table, validityLines } from './markdown-parts.js';

const factorOf = (x: number | null) => (x === null ? '–' : `${x.toFixed(x < 10 ? 2 : 1)}×`);

export function loadSimulationMarkdown(r: LoadSimulationResult, opts: { id?: number } = {}): string {
  const out: string[] = [];
  const span = (Date.parse(r.window.until) - Date.parse(r.window.since)) / 60_000;
  out.push(
    `# Load simulation: ${r.factor}× ${r.endpoint ? `the traffic of ${r.endpoint}` : 'the traffic'}${opts.id ? ` (simulation ${opts.id})` : ''}`,
  );
  out.push('');
  out.push(
    `${r.algorithm}, calibrated on ${r.window.since} – ${r.window.until} (${num(span)} min, ${Math.round(r.traces).toLocaleString('en-US')} traces${r.sampled < 1 ? `, ${pctOf(r.sampled)} read` : ''}). ` +
      `Figures are the estimate with the 10th–90th percentile over ${r.replicates} bootstrap replicates of the calibration in brackets; ∞: a queue that grows without bound.`,
  );
  if (r.settings.length) {
    out.push('');
    out.push('Settings changed:');
    for (const s of r.settings) out.push(`- ${s.setting}: ${s.from} → ${s.to} (\`--set ${s.set}\`)`);
  }
  out.push('');
  out.push('## Verdict');
  out.push('');
  const b = r.bottleneck;
  out.push(
    b
      ? `- First bottleneck: **${b.service} ${b.resource === 'cpu' ? 'CPU' : 'pool'}**, saturating at ${fig(b.saturatesAt, factorOf)} the load; at ${r.factor}× it is ${fig(b.utilization, pctOf)} busy.`
      : `- Nothing saturates below ${r.scannedTo}× the load.`,
  );
  out.push(
    r.knee.value === null
      ? `- Latency does not take off (p95 past ${2}× its 1× value) below ${r.scannedTo}×${r.knee.p10 !== null ? ` (in some replicates from ${factorOf(r.knee.p10)})` : ''}.`
      : `- Latency takes off (an endpoint's p95 past twice its 1× value) at ${fig(r.knee, factorOf)} the load.`,
  );
  out.push('');
  out.push('## Endpoints');
  out.push('');
  out.push(
    table(
      ['endpoint', 'requests/s', 'p50 ms: 1× → predicted', 'p95 ms: 1× → predicted', 'errors: 1× → predicted', 'knee'],
      r.endpoints.map((e) => [
        `${e.service} ${e.endpoint}`,
        `${num(e.rate.baseline)} → ${num(e.rate.predicted)}`,
        `${msOf(e.baseline.p50)} → ${fig(e.predicted.p50, msOf)}`,
        `${msOf(e.baseline.p95)} → ${fig(e.predicted.p95, msOf)}`,
        `${pctOf(e.baseline.errorRate)} → ${fig(e.predicted.errorRate, pctOf)}`,
        fig(e.knee, factorOf),
      ]),
    ),
  );
  out.push('');
  out.push('## Services');
  out.push('');
  out.push(
    table(
      ['service', 'replicas', 'resource', 'servers', 'utilization: 1× → predicted', 'added wait ms', 'failing'],
      r.services.flatMap((s) =>
        s.resources.map((x) => [
          s.service,
          s.replicas.baseline === s.replicas.predicted
            ? String(s.replicas.predicted)
            : `${s.replicas.baseline} → ${s.replicas.predicted}`,
          x.kind === 'cpu' ? 'CPU' : 'pool',
          String(x.servers),
          `${pctOf(x.baselineUtilization)} → ${fig(x.utilization, pctOf)}${x.saturated ? ' saturated' : ''}`,
          fig(x.waitMs, msOf),
          fig(x.failShare, pctOf),
        ]),
      ),
    ),
  );
  if (r.edges.length) {
    out.push('');
    out.push('## Timeouts and retries');
    out.push('');
    out.push(
      table(
        ['call', 'attempt timeouts', 'first attempt timing out', 'load multiplier', 'failing every attempt'],
        r.edges.map((e) => [
          `${e.caller} → ${e.callee}`,
          e.attemptTimeoutsMs.map((t) => (t === null ? 'none' : `${num(t)} ms`)).join(', '),
          fig(e.timeoutShare, pctOf),
          fig(e.loadMultiplier, (x) => (x === null ? '∞' : `${x.toFixed(2)}×`)),
          fig(e.failShare, pctOf),
        ]),
      ),
    );
  }
  out.push('');
  out.push(...validityLines(r));
  out.push('');
  return out.join('\n');
}
