// The HorizontalPodAutoscaler of the demo's cluster: every sync period it measures each
// autoscaled service's replicas' CPU (from /proc, over the period), as a percentage of their
// CPU request, and scales the running version between the manifest's bounds (hpa.ts). New
// replicas take traffic once they answer /healthz; removed ones stop after their open
// connections had a moment to finish.
import { HPA_SYNC_MS, type Recommendation, hpaStep } from './hpa.js';
import { processCpuMs } from './proc-stat.js';
import type { Replica, Running, ShopService, Staged } from './workload.js';

/** What the autoscaler needs of the supervisor. */
export interface ScalingHost {
  running(service: ShopService): Running | undefined;
  startReplica(d: Omit<Staged, 'replicas'>): Promise<Replica>;
  routeTo(service: ShopService, ports: number[]): void;
  retire(replicas: readonly Replica[]): void;
  adopt(service: ShopService, replica: Replica): void;
}

interface ServiceState {
  history: Recommendation[];
  /** CPU milliseconds per pid at the last sync. */
  lastCpu: Map<number, { at: number; cpuMs: number }>;
  busy: boolean;
}

export class Autoscaler {
  private timer: NodeJS.Timeout | null = null;
  private readonly state = new Map<ShopService, ServiceState>();

  constructor(
    private readonly host: ScalingHost,
    private readonly onEvent: (line: string) => void,
    private readonly syncMs = HPA_SYNC_MS,
  ) {}

  /** Starts watching a service once a version with an HPA on CPU (and a CPU request) goes live. */
  track(r: Running): void {
    if (!r.manifest.hpa || r.manifest.cpuRequestM === null) return;
    if (!this.state.has(r.service)) this.state.set(r.service, { history: [], lastCpu: new Map(), busy: false });
    if (!this.timer) {
      this.timer = setInterval(() => void this.sync(), this.syncMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sync(): Promise<void> {
    for (const [service, st] of this.state) {
      const r = this.host.running(service);
      const policy = r?.manifest.hpa;
      const request = r?.manifest.cpuRequestM;
      if (!r || !policy || !request || st.busy) continue;
      const now = Date.now();
      const percents: number[] = [];
      const seen = new Map<number, { at: number; cpuMs: number }>();
      for (const x of r.replicas) {
        const pid = x.child.pid;
        const cpuMs = pid ? processCpuMs(pid) : null;
        if (!pid || cpuMs === null) continue;
        seen.set(pid, { at: now, cpuMs });
        const before = st.lastCpu.get(pid);
        if (before && now > before.at) percents.push((((cpuMs - before.cpuMs) / (now - before.at)) * 1e5) / request);
      }
      st.lastCpu = seen;
      // Replicas without a full period of measurements (just started) do not count yet.
      if (percents.length === 0) continue;
      const utilization = percents.reduce((a, b) => a + b, 0) / percents.length;
      const current = r.replicas.length;
      const step = hpaStep(policy, current, utilization, st.history, now);
      st.history = [
        ...st.history.filter((h) => h.at >= now - policy.scaleDownStabilizationS * 1000),
        step.recommendation,
      ];
      if (step.replicas === current) continue;
      this.onEvent(
        `autoscaler: ${service} ${current} → ${step.replicas} replicas (CPU ${Math.round(utilization)}% of request, target ${policy.targetPercent}%)`,
      );
      st.busy = true;
      try {
        if (step.replicas > current) await this.scaleUp(r, step.replicas - current);
        else this.scaleDown(r, current - step.replicas);
      } catch (err) {
        this.onEvent(`autoscaler: ${service} could not scale: ${(err as Error).message}`);
      } finally {
        st.busy = false;
      }
    }
  }

  private async scaleUp(r: Running, n: number): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: n }, () => this.host.startReplica(r)));
    const fresh = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    // A deploy may have replaced the version while they started: they are not needed then.
    if (this.host.running(r.service) !== r) {
      this.host.retire(fresh);
      return;
    }
    for (const x of fresh) {
      r.replicas.push(x);
      this.host.adopt(r.service, x);
    }
    this.host.routeTo(
      r.service,
      r.replicas.map((x) => x.port),
    );
  }

  private scaleDown(r: Running, n: number): void {
    const removed = r.replicas.splice(r.replicas.length - n, n);
    this.host.routeTo(
      r.service,
      r.replicas.map((x) => x.port),
    );
    this.host.retire(removed);
  }
}
