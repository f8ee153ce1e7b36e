// Resource gauge tests: Student's t prediction test of the incident values on a log scale,
// one-sided up (see gaugeShift), the log offset the gauge's typical level across services; a
// utilization (a share of a limit, `*utilization`) on the scale of its headroom instead, so that
// a rise counts when it took at least half of what was left (headroomScale), and the same
// resource's usage gauge of that service is then not tested (saturation is nearness to the limit).
import { TupleSet } from '../../tuple-map.js';
import { gaugeShift, headroomScale, mean, median } from '../stats.js';
import type { RcaInput, SignalKind } from '../types.js';
import { type Draft, Pair, inWindow } from './common.js';

export const GAUGE_TESTS = {
  metric: "Student's t prediction test on log values, strongest incident minute, Bonferroni, one-sided (increase)",
} as const satisfies Partial<Record<SignalKind, string>>;

/**
 * A gauge that is a share of a limit, 0 to 1, by the OpenTelemetry naming (`k8s.pod.cpu_limit_utilization`,
 * `container.memory.utilization`, `system.cpu.utilization`).
 */
function isUtilization(name: string): boolean {
  return /utilization$/.test(name);
}

/** The resource a gauge measures: its name less a usage or utilization suffix (`k8s.pod.cpu.usage` → `k8s.pod.cpu`). */
function resourceOf(name: string): string {
  return name.replace(/[._](limit_|request_)?(usage|utilization)$/, '');
}

/** A rise of each service's gauges (saturation), against `metricBaseline` (else the baseline), appended to `out`. */
export function gaugeDrafts(input: RcaInput, out: Draft[]): void {
  const gauge = new Pair<[string, string], number[]>(() => []);
  for (const r of input.metrics ?? []) {
    const side = inWindow(r.minuteMs, input.metricBaseline ?? input.baseline)
      ? 'base'
      : inWindow(r.minuteMs, input.incident)
        ? 'inc'
        : null;
    if (side === null || !Number.isFinite(r.value)) continue;
    gauge.at(side, [r.service, r.name]).push(r.value);
  }
  // A gauge's typical level across services (the median of their baseline medians): a rise far
  // below what services of this fleet use is compressed on the log scale, not a large ratio.
  const levels = new Map<string, number[]>();
  for (const [[, name], b] of gauge.base) {
    if (b.length > 0) levels.set(name, [...(levels.get(name) ?? []), median(b)]);
  }
  // A service that reports a resource's utilization (its share of a limit) is tested on that: a
  // usage in cores or bytes says how much work the service did, the utilization how close to its
  // limit it came, which is what saturation is.
  const keys = gauge.keys();
  const limited = new TupleSet<[string, string]>();
  for (const [service, name] of keys) if (isUtilization(name)) limited.add([service, resourceOf(name)]);
  for (const k of keys) {
    const [service, name] = k;
    const share = isUtilization(name);
    if (!share && limited.has([service, resourceOf(name)])) continue;
    const b = gauge.base.get(k) ?? [];
    const i = gauge.inc.get(k) ?? [];
    const fleet = levels.get(name) ?? [];
    const t = share
      ? gaugeShift(b.map(headroomScale), i.map(headroomScale), { alternative: 'greater', scale: 'linear' })
      : gaugeShift(b, i, { alternative: 'greater', ...(fleet.length >= 3 ? { offset: median(fleet) } : {}) });
    if (t.p >= 1) continue;
    const test = share
      ? GAUGE_TESTS.metric.replace('on log values', 'on the headroom, log 1/(1 − utilization)')
      : GAUGE_TESTS.metric;
    out.push({
      kind: 'metric',
      service,
      key: name,
      baseline: mean(b),
      incident: mean(i),
      unit: share ? 'mean share of the limit' : 'mean',
      test,
      ...t,
      pMin: 0,
    });
  }
}
