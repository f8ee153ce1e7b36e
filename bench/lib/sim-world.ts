// The example world as the simulation bench drives it: `orrery demo`'s world (Orrery, the
// shop's repository indexed, the shop at its baseline tags, as its manifests say) with the
// shoppers at a chosen multiple of the base rate, one measured step at a time. A step
// reports what the world itself saw: the host's CPU, each service's CPU against its limit
// and its pool timeouts (from the service's logs); the shoppers' per-endpoint timings are
// read afterwards for the step's window, once every request sent in it has finished.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DemoOutput,
  type EndpointStats,
  LoadDriver,
  type ReplicaSnapshot,
  type ShopService,
  type ShopSettings,
  type World,
  busyShare,
  endpointStats,
  hostCpuTimes,
  makePopulation,
  parseScenariosFile,
  planDemo,
  settingsFlags,
  shopSourceDir,
  startWorld,
} from '../../src/demo/index.js';
import type { ServiceUse } from './sim-score.js';

/** A step during which the host was busier than this is reported, not scored. */
export const MAX_HOST_BUSY = 0.8;

export interface StepWindow {
  label: string;
  factor: number;
  /** `--set` flags the world ran with. */
  settings: string[];
  from: number;
  to: number;
  hostBusy: number | null;
  valid: boolean;
  /** Sessions that could not start (every user busy, or the concurrency cap). */
  droppedSessions: number;
  uses: ServiceUse[];
}

export interface BenchWorldOptions {
  dir: string;
  port: number;
  otlpPort: number;
  otlpGrpcPort: number;
  seed: number;
  baseRps: number;
  users: number;
  accounts: number;
  requestTimeoutMs: number;
  out: DemoOutput;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Log lines of a service's replicas whose leading ISO time is in [from, to) and that match. */
export function countLogLines(logDir: string, service: string, from: number, to: number, pattern: RegExp): number {
  const lo = new Date(from).toISOString();
  const hi = new Date(to).toISOString();
  let n = 0;
  for (const f of readdirSync(logDir)) {
    if (!f.startsWith(`${service}-`) || !f.endsWith('.log')) continue;
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
      const at = line.slice(0, 24);
      if (at >= lo && at < hi && pattern.test(line)) n++;
    }
  }
  return n;
}

/** The service's own pool giving up (a caller's log quoting its 503 does not count). */
const POOL_TIMEOUT = /failed: timed out after \d+ ms waiting for a database connection/;

/** Per service: CPU over the window from two snapshots (replicas alive in both), against its limit. */
function serviceUses(
  before: readonly ReplicaSnapshot[],
  after: readonly ReplicaSnapshot[],
  ms: number,
  poolTimeouts: (service: ShopService) => number,
): ServiceUse[] {
  const services = [...new Set(after.map((a) => a.service))];
  return services.map((service) => {
    const now = after.filter((a) => a.service === service);
    let cpuMs = 0;
    let periods = 0;
    let throttled = 0;
    for (const a of now) {
      const b = before.find((x) => x.pid === a.pid);
      if (!b || a.cpuMs === null || b.cpuMs === null) continue;
      cpuMs += a.cpuMs - b.cpuMs;
      periods += (a.throttle?.periods ?? 0) - (b.throttle?.periods ?? 0);
      throttled += (a.throttle?.throttledPeriods ?? 0) - (b.throttle?.throttledPeriods ?? 0);
    }
    const limit = now[0]?.cpuLimitM ?? null;
    const cpuM = (cpuMs / ms) * 1000;
    return {
      service,
      replicas: now.length,
      cpuM: Math.round(cpuM),
      cpuLimitM: limit,
      cpuOfLimit: limit ? cpuM / (limit * now.length) : null,
      throttledShare: periods > 0 ? throttled / periods : null,
      poolTimeouts: poolTimeouts(service),
    };
  });
}

export class BenchWorld {
  private settings: ShopSettings = {};

  private constructor(
    readonly world: World,
    readonly driver: LoadDriver,
    readonly opts: BenchWorldOptions,
  ) {}

  /** Orrery, the indexed shop at its baselines (1× traffic, telemetry reaching Orrery) and the shoppers. */
  static async start(opts: BenchWorldOptions): Promise<BenchWorld> {
    const world = await startWorld({
      dir: opts.dir,
      port: opts.port,
      otlpPort: opts.otlpPort,
      otlpGrpcPort: opts.otlpGrpcPort,
      otlpRelay: true,
      out: opts.out,
    });
    try {
      const file = parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8'));
      await world.startBaselines(planDemo(file, []).baselines);
      const driver = new LoadDriver({
        webUrl: world.supervisor.url('web'),
        seed: opts.seed,
        users: makePopulation(opts.seed, opts.users, opts.accounts),
        baseRps: opts.baseRps,
        // Open loop: arrivals are not held back by slow answers (one session per user at a time).
        concurrency: opts.users,
        requestTimeoutMs: opts.requestTimeoutMs,
      });
      driver.start();
      return new BenchWorld(world, driver, opts);
    } catch (err) {
      await world.stop();
      throw err;
    }
  }

  get api(): string {
    return this.world.api.base;
  }

  get logDir(): string {
    return join(this.world.worldDir, 'logs');
  }

  /** Runs the shoppers at `factor` × the base rate for `warmS`, then measures `measureS`. */
  async step(label: string, factor: number, warmS: number, measureS: number): Promise<StepWindow> {
    this.driver.setMultiplier(factor);
    await sleep(warmS * 1000);
    const dropped0 = this.driver.stats().sessionsDropped;
    const snap0 = await this.world.supervisor.snapshot();
    const host0 = hostCpuTimes();
    const from = Date.now();
    await sleep(measureS * 1000);
    const to = Date.now();
    const host1 = hostCpuTimes();
    const snap1 = await this.world.supervisor.snapshot();
    const hostBusy = busyShare(host0, host1);
    return {
      label,
      factor,
      settings: settingsFlags(this.settings),
      from,
      to,
      hostBusy,
      valid: hostBusy === null || hostBusy <= MAX_HOST_BUSY,
      droppedSessions: this.driver.stats().sessionsDropped - dropped0,
      uses: serviceUses(snap0, snap1, to - from, (s) => countLogLines(this.logDir, s, from, to, POOL_TIMEOUT)),
    };
  }

  /**
   * The shoppers' figures per entry endpoint for a window. Waits until every request sent in
   * it has had time to finish (the driver's timeout), so slow ones are not left out.
   */
  async endpoints(w: { from: number; to: number }): Promise<EndpointStats[]> {
    const wait = w.to + this.opts.requestTimeoutMs + 500 - Date.now();
    if (wait > 0) await sleep(wait);
    return endpointStats(this.driver.observations(), w.from, w.to);
  }

  /**
   * Stops new sessions and waits (up to `maxS`) for those under way to finish, so that what
   * one measurement left behind (queues, slow sessions) does not spill into the next; then
   * traffic resumes at 1×. With `freshCarts`, every cart is emptied in between (the shop's
   * cart files and the shoppers' knowledge of them), so a fault that kept carts from being
   * checked out does not carry over either.
   */
  async settle(opts: { freshCarts?: boolean; maxS?: number } = {}): Promise<void> {
    this.driver.setMultiplier(0);
    for (const until = Date.now() + (opts.maxS ?? 60) * 1000; this.driver.stats().sessionsActive > 0; ) {
      if (Date.now() > until) break;
      await sleep(200);
    }
    if (opts.freshCarts && this.driver.stats().sessionsActive === 0) {
      // The files, not the folder: cart made it at start and writes into it.
      const carts = join(this.world.worldDir, 'data', 'cart', 'carts');
      for (const f of existsSync(carts) ? readdirSync(carts) : []) rmSync(join(carts, f), { force: true });
      this.driver.resetCarts();
    }
    this.driver.setMultiplier(1);
  }

  /** Runs the world with these settings: every service whose settings change is deployed again. */
  async applySettings(settings: ShopSettings): Promise<void> {
    const changed = new Set([...Object.keys(settings), ...Object.keys(this.settings)]);
    this.settings = settings;
    this.world.supervisor.setSettings(settings);
    for (const service of changed) await this.world.supervisor.redeploy(service as ShopService);
  }

  async stop(): Promise<void> {
    await this.driver.stop();
    await this.world.stop();
  }
}
