// The inputs a prediction used, each with whether it was measured or assumed and from what: the
// list a result shows under "validity", so a reader can see what the figures rest on.
import type { SimulationInput } from '../../model/index.js';
import type { ModelSettings } from './overrides.js';
import type { Calibration, Setting } from './types.js';

const rate = (x: number) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(3));
const ms = (x: number) => `${x >= 10 ? Math.round(x) : x.toFixed(1)} ms`;
const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;

function item<T>(name: string, s: Setting<T>, show: (v: T) => string): SimulationInput {
  return { name, value: show(s.value), validity: s.validity, source: s.source };
}

/** Every input of the model with its validity; settings changed by `--set` show their new value. */
export function inputsOf(cal: Calibration, settings: ModelSettings): SimulationInput[] {
  const out: SimulationInput[] = [];
  const traced = `traces in the window${cal.sampled < 1 ? ` (${pct(cal.sampled)} of them read, by trace id)` : ''}`;
  for (const e of cal.entries)
    out.push({
      name: `${e.service} ${e.endpoint} arrival rate`,
      value: `${rate(e.ratePerSec)}/s`,
      validity: 'measured',
      source: `${Math.round(e.requests)} requests in ${traced}`,
    });
  cal.services.forEach((s, i) => {
    const c = settings.capacity[i] as Calibration['services'][number]['capacity'];
    const n = s.service;
    out.push({
      name: `${n} self time per visit`,
      value: `${ms(s.selfTime.mean)} mean, ${ms(s.selfTime.p95)} p95`,
      validity: 'measured',
      source: `${Math.round(s.visits)} visits in ${traced}`,
    });
    if (s.leaf)
      out.push({
        name: `${n} leaf calls (uninstrumented: a database, a third party)`,
        value: `${ms(s.leaf.duration.mean)} mean, ${ms(s.leaf.duration.p95)} p95`,
        validity: 'measured',
        source: `${Math.round(s.leaf.calls)} calls in ${traced}`,
      });
    out.push(item(`${n} replicas`, c.replicas, String));
    if (c.hpa)
      out.push({
        name: `${n} autoscaler`,
        value: `${c.hpa.min}–${c.hpa.max}${c.hpa.cpuTargetPercent === null ? ' (not on CPU: not modelled)' : ` at ${c.hpa.cpuTargetPercent}% CPU`}${c.cpuRequestCores === null ? ' (no CPU request: not modelled)' : ''}`,
        validity: 'measured',
        source: c.hpa.source,
      });
    out.push(item(`${n} workers per replica`, c.workers, String));
    out.push(item(`${n} CPU limit`, c.cpuLimitCores, (v) => (v === null ? 'none' : `${v} cores`)));
    if (s.cpu.from === 'gauge') out.push(item(`${n} CPU per visit`, s.cpu.msPerVisit, ms));
    else out.push(item(`${n} CPU share of self time`, s.cpu.share, pct));
    if (c.pool) {
      out.push(item(`${n} pool size per replica (${c.pool.name})`, c.pool.size, String));
      out.push(item(`${n} pool queue timeout`, c.pool.queueTimeoutMs, (v) => (v === null ? 'none' : ms(v))));
    }
    out.push(item(`${n} failure reaching the request`, s.errorPropagation, pct));
  });
  cal.edges.forEach((e, i) => {
    const t = settings.attemptTimeoutsMs[i] ?? [null];
    const changed = t.join() !== e.attemptTimeoutsMs.value.join();
    out.push({
      name: `${e.caller} → ${e.callee} attempt timeouts`,
      value: t.map((x) => (x === null ? 'none' : ms(x))).join(', '),
      validity: changed ? 'measured' : e.attemptTimeoutsMs.validity,
      source: changed ? `--set (calibrated: ${e.attemptTimeoutsMs.source})` : e.attemptTimeoutsMs.source,
    });
    if (e.errorRate > 0 || e.errorPropagation.validity === 'measured' || t.some((x) => x !== null))
      out.push(item(`${e.caller} → ${e.callee} failed call reaching the request`, e.errorPropagation, pct));
  });
  return out;
}
