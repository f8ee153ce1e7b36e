// deploy-verify@1's false-alarm rate on real no-change data: pseudo-deploys at random minutes of
// the Nezha TrainTicket days' fault-free stretches (construct_data's per-pod minute gauges:
// workload and server-side p95 latency; the dataset's success-rate column is always 0 and holds no
// errors to test), each judged over its watch window against its 30 minutes before. A window is
// fault-free when no injected fault (rca_data's fault list, placed on the telemetry's clock as the
// accuracy bench places it) falls within 40 minutes before the pseudo-deploy or 30 after.
// Skipped, with the reason, when the datasets folder is not there (../shared/datasets, or
// ORRERY_DATASETS).
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readNezha } from '../bench/lib/accuracy-nezha.js';
import { csvRows, extractNezhaOnce, nezhaArchivePaths, serviceOfPod } from '../bench/lib/nezha-archive.js';
import { type MinuteCount, type VerifySeries, judge } from '../src/analysis/verify/index.js';
import { rng } from './helpers/rca-worlds.js';

const MIN = 60_000;
const BASELINE = 30;
const WATCH = 10;
const PER_DAY = 300;

interface PodMinute {
  requests: number;
  p95Ms: number;
}

async function podSeries(dir: string): Promise<Map<string, Map<number, PodMinute>>> {
  const out = new Map<string, Map<number, PodMinute>>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('_metric.csv')) continue;
    const series = new Map<number, PodMinute>();
    for await (const r of csvRows(join(dir, f))) {
      const t = Number(r.TimeStamp) * 1000;
      const w = Number(r['PodWorkload(Ops)']);
      const p95 = Number(r['PodServerLatencyP95(s)']);
      if (!Number.isFinite(t) || !Number.isFinite(w)) continue;
      series.set(Math.floor(t / MIN) * MIN, { requests: Math.round(w * 60), p95Ms: p95 * 1000 });
    }
    out.set(serviceOfPod(f.replace(/_metric\.csv$/, '')), series);
  }
  return out;
}

/** The pseudo-deploy's series: traffic, the system's load, and the minutes' p95 as the latency test's. */
function seriesAt(
  service: string,
  pod: Map<number, PodMinute>,
  load: Map<number, number>,
  deployMinute: number,
): VerifySeries {
  const side = (from: number, to: number) => {
    const traffic: MinuteCount[] = [];
    const sys: MinuteCount[] = [];
    const lat: Array<{ minuteMs: number; count: number; p50: null; p95: number | null }> = [];
    for (let m = from; m < to; m += MIN) {
      const p = pod.get(m);
      if (p) {
        traffic.push({ minuteMs: m, x: p.requests, n: 1 });
        // A minute without requests has no latency.
        lat.push({ minuteMs: m, count: p.requests, p50: null, p95: p.requests > 0 && p.p95Ms > 0 ? p.p95Ms : null });
      }
      const l = load.get(m);
      if (l !== undefined) sys.push({ minuteMs: m, x: l, n: 1 });
    }
    return { traffic, sys, lat };
  };
  const b = side(deployMinute - BASELINE * MIN, deployMinute);
  // Time-split (no versions): the deploy's minute is left out.
  const a = side(deployMinute + MIN, deployMinute + (WATCH + 1) * MIN);
  return {
    deploy: { id: 1, service, environment: '', version: 'pseudo', deployedAtMs: deployMinute + 30_000 },
    previousVersion: null,
    baseline: { startMs: deployMinute - BASELINE * MIN, endMs: deployMinute },
    afterStartMs: deployMinute + MIN,
    completeMinutes: WATCH,
    traffic: { before: b.traffic, after: a.traffic, unit: 'requests' },
    load: { before: b.sys, after: a.sys },
    errorShare: [],
    errorGroups: [],
    patterns: [],
    pooled: { errorGroups: [], patterns: [] },
    latency: [{ key: '*', label: null, before: b.lat, after: a.lat }],
    selfTime: null,
    edges: [],
    otherDeploys: [],
  };
}

const archives = nezhaArchivePaths();

describe('deploy-verify@1 on Nezha fault-free minutes', () => {
  it('calls at most 1% of pseudo-deploys regressed', {
    skip: archives.length === 0 ? 'the Nezha dataset is not there (../shared/datasets or ORRERY_DATASETS)' : false,
  }, async () => {
    let total = 0;
    let regressed = 0;
    let healthy = 0;
    const calls: string[] = [];
    for (const archive of archives) {
      const root = await extractNezhaOnce(archive, () => undefined);
      const data = await readNezha(root);
      const faults = data.faults.map((f) => f.injectMs).filter((t) => Number.isFinite(t));
      for (const day of readdirSync(join(root, 'construct_data'))) {
        const dir = join(root, 'construct_data', day, 'metric');
        if (!existsSync(dir)) continue;
        const pods = await podSeries(dir);
        const load = new Map<number, number>();
        for (const s of pods.values()) for (const [m, p] of s) load.set(m, (load.get(m) ?? 0) + p.requests);
        const minutes = [...load.keys()].sort((x, y) => x - y);
        const services = [...pods.keys()].sort();
        const r = rng(archive.length * 31 + day.length);
        let drawn = 0;
        for (let tries = 0; drawn < PER_DAY && tries < PER_DAY * 50; tries++) {
          const m = minutes[Math.floor(r() * minutes.length)]!;
          const service = services[Math.floor(r() * services.length)]!;
          if (faults.some((f) => f >= m - 40 * MIN && f < m + 30 * MIN)) continue;
          if (m - BASELINE * MIN < minutes[0]! || m + (WATCH + 1) * MIN > minutes.at(-1)!) continue;
          drawn++;
          total++;
          const j = judge(seriesAt(service, pods.get(service)!, load, m), { watchMinutes: WATCH });
          if (j.verdict === 'regressed') {
            regressed++;
            calls.push(`${service} ${new Date(m).toISOString()}: ${j.reason}`);
          } else if (j.verdict === 'healthy') healthy++;
        }
      }
    }
    process.stdout.write(
      `# nezha pseudo-deploys: ${total}, regressed ${regressed} (${((100 * regressed) / Math.max(1, total)).toFixed(2)}%), healthy ${healthy}\n`,
    );
    assert.ok(total >= 300, `only ${total} fault-free pseudo-deploys could be placed`);
    assert.ok(regressed <= 0.01 * total, `false alarms ${regressed}/${total}:\n${calls.join('\n')}`);
  });
});
