// Runs the shop's services the way a small cluster would: each deploy checks out its tag
// into a working tree, starts the replicas its Kubernetes manifest asks for with the
// manifest's container env, waits for /healthz, moves the service's proxy to the new
// replicas and stops the old ones (SIGTERM, so they flush their telemetry). The manifest's
// CPU limit is enforced on every replica (cpu-governor.ts) and its HorizontalPodAutoscaler
// scales the replicas on their measured CPU (autoscaler.ts); `--set` settings override the
// manifest (settings.ts).
// Each service reaches the others through its own outbound proxies (a sidecar's egress), so
// a network fault can slow one service's inbound and outbound calls and nobody else's; and
// each replica runs the fault agent (fault-agent.ts), which can add CPU work to its requests.
// For the failure faults a service can be taken down or slowed at its inbound proxies, or
// made to fail a share of its requests through the shop's own fault flags (FAULT_FLAGS_FILE).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Autoscaler } from './autoscaler.js';
import { CpuGovernor, type ThrottleStats } from './cpu-governor.js';
import { FAULT_AGENT, type FaultCommand } from './fault-agent.js';
import { readManifest } from './manifest.js';
import { EXIT_WITH_PARENT } from './paths.js';
import { freePort, stopChild, waitHealthy } from './processes.js';
import { processCpuMs } from './proc-stat.js';
import { ServiceProxy } from './proxy.js';
import { type ShopSettings, applySettings } from './settings.js';
import { type Replica, type Running, SHOP_SERVICES, type ShopService, type Staged } from './workload.js';

export { SHOP_SERVICES, stopChild };
export type { Replica, Running, ShopService, Staged };

const run = promisify(execFile);

/** A failure injected into one service: down (connections refused), slow (answers held back), errors (a share fail with 500). */
export type InjectedFailure = { mode: 'down' } | { mode: 'slow'; ms: number } | { mode: 'errors'; rate: number };

/** One live replica's CPU so far and how often its limit held it back. */
export interface ReplicaSnapshot {
  service: ShopService;
  version: string;
  pid: number;
  cpuMs: number | null;
  cpuLimitM: number | null;
  throttle: ThrottleStats | null;
}

export interface StageOptions {
  /** The version label; by default the tag's `/vX.Y.Z`. */
  version?: string;
  /** 'manifest': start the manifest's replica count even under an HPA (by default a rollout keeps the current count). */
  replicas?: 'current' | 'manifest';
}

export interface SupervisorOptions {
  repoDir: string;
  /** Worktrees, service data and logs go under here. */
  workDir: string;
  otlpEndpoint: string;
  nodeModules: string;
  environment: string;
  settings?: ShopSettings;
  /** What the autoscaler did, one line each. */
  onEvent?: (line: string) => void;
}

export class Supervisor {
  private readonly proxies = new Map<ShopService, ServiceProxy>();
  /** `from→to`: the proxy `from` calls `to` through; it balances over `to`'s replicas too. */
  private readonly links = new Map<string, ServiceProxy>();
  private readonly cpuMs = new Map<ShopService, number>();
  private readonly staged = new Set<Staged>();
  private readonly live = new Map<ShopService, Running>();
  private readonly failures = new Map<ShopService, InjectedFailure>();
  private instances = 0;
  private readonly retiring = new Set<Promise<unknown>>();
  private gitQueue: Promise<unknown> = Promise.resolve();
  private settings: ShopSettings;
  readonly governor: CpuGovernor | null;
  private readonly autoscaler: Autoscaler;

  private constructor(private readonly opts: SupervisorOptions) {
    this.settings = opts.settings ?? {};
    this.governor = CpuGovernor.start();
    this.autoscaler = new Autoscaler(this, opts.onEvent ?? (() => {}));
  }

  static async create(opts: SupervisorOptions): Promise<Supervisor> {
    const s = new Supervisor(opts);
    for (const name of SHOP_SERVICES) s.proxies.set(name, await ServiceProxy.listen(name));
    for (const from of SHOP_SERVICES)
      for (const to of SHOP_SERVICES)
        if (from !== to) s.links.set(`${from}→${to}`, await ServiceProxy.listen(`${from}→${to}`));
    mkdirSync(join(opts.workDir, 'logs'), { recursive: true });
    mkdirSync(join(opts.workDir, 'flags'), { recursive: true });
    for (const name of SHOP_SERVICES) s.writeFlags(name);
    return s;
  }

  url(service: ShopService): string {
    return this.proxies.get(service)!.url;
  }

  /** What `from` calls `to` at. */
  private linkUrl(from: ShopService, to: ShopService): string {
    return from === to ? this.url(to) : this.links.get(`${from}→${to}`)!.url;
  }

  /** The proxies that carry calls into `service`: its balancer and the others' links to it. */
  private inbound(service: ShopService): ServiceProxy[] {
    const others = SHOP_SERVICES.filter((s) => s !== service);
    return [this.proxies.get(service)!, ...others.map((s) => this.links.get(`${s}→${service}`)!)];
  }

  /** The proxies that carry `service`'s calls in (its balancer, the others' links to it) and out (its links). */
  private pathsOf(service: ShopService): ServiceProxy[] {
    const others = SHOP_SERVICES.filter((s) => s !== service);
    return [...this.inbound(service), ...others.map((s) => this.links.get(`${service}→${s}`)!)];
  }

  /**
   * A network fault on `service`: every chunk of its inbound and outbound calls is delayed
   * `ms` in each direction, on open connections too (0 ends it). Its callers' calls to other
   * services are untouched.
   */
  setNetworkDelay(service: ShopService, ms: number): void {
    for (const p of this.pathsOf(service)) p.setDelay(ms);
  }

  /** A CPU fault on `service`: each request does `ms` of CPU work first, on every replica, now and after deploys (0 ends it). */
  setCpuWork(service: ShopService, ms: number): void {
    this.cpuMs.set(service, ms);
    for (const r of this.live.get(service)?.replicas ?? []) sendFault(r.child, { fault: 'cpu', ms });
  }

  /**
   * A failure of `service` as its callers see it (null lifts it): down resets every connection
   * into it, slow holds each answer back `ms`, errors has the service's own fault flag fail
   * that share of its requests with a 500.
   */
  setFailure(service: ShopService, failure: InjectedFailure | null): void {
    if (failure) this.failures.set(service, failure);
    else this.failures.delete(service);
    for (const p of this.inbound(service)) {
      p.setDown(failure?.mode === 'down');
      p.setResponseDelay(failure?.mode === 'slow' ? failure.ms : 0);
    }
    this.writeFlags(service);
  }

  private flagsFile(service: ShopService): string {
    return join(this.opts.workDir, 'flags', `${service}.json`);
  }

  private writeFlags(service: ShopService): void {
    const f = this.failures.get(service);
    const errorRate = f?.mode === 'errors' ? f.rate : 0;
    writeFileSync(this.flagsFile(service), `${JSON.stringify({ errorRate })}\n`);
  }

  /** The settings the next deploys use. */
  currentSettings(): ShopSettings {
    return this.settings;
  }

  /** The failure injected into `service`, if any. */
  failureOf(service: ShopService): InjectedFailure | null {
    return this.failures.get(service) ?? null;
  }

  /** Settings for the next deploys (`redeploy` applies them to a running service). */
  setSettings(settings: ShopSettings): void {
    this.settings = settings;
  }

  running(service: ShopService): Running | undefined {
    return this.live.get(service);
  }

  /**
   * A working tree of the tag, shared by every service deployed at it. git's worktree
   * bookkeeping is not safe to run concurrently, so additions go one at a time.
   */
  private worktree(tag: string): Promise<string> {
    const dir = join(this.opts.workDir, 'trees', tag.replace(/[^\w.-]+/g, '_'));
    const next = this.gitQueue.then(async () => {
      if (!existsSync(dir)) {
        await run('git', ['worktree', 'add', '--detach', '--quiet', dir, tag], { cwd: this.opts.repoDir });
        symlinkSync(this.opts.nodeModules, join(dir, 'node_modules'), 'dir');
      }
      return dir;
    });
    this.gitQueue = next.catch(() => undefined);
    return next;
  }

  /** Starts one replica of a staged or running version; resolves when it answers /healthz. */
  async startReplica(d: Omit<Staged, 'replicas'>): Promise<Replica> {
    const { service, tree, version, sha, manifest } = d;
    const port = await freePort();
    const instance = `${service}-${version}-${++this.instances}`;
    const logFile = join(this.opts.workDir, 'logs', `${instance}.log`);
    const dataDir = join(this.opts.workDir, 'data', service);
    mkdirSync(dataDir, { recursive: true });
    const attrs = [
      `service.version=${version}`,
      `deployment.environment=${this.opts.environment}`,
      `vcs.ref.head.revision=${sha}`,
      `service.instance.id=${instance}`,
    ];
    const child = spawn(
      process.execPath,
      [
        '--import',
        EXIT_WITH_PARENT,
        // Before telemetry.js, so the instrumentation's server span wraps the agent's work.
        '--import',
        FAULT_AGENT,
        '--import',
        join(tree, 'lib', 'telemetry.js'),
        join(tree, 'services', service, 'src', 'server.js'),
      ],
      {
        cwd: tree,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          ...manifest.env,
          PORT: String(port),
          SERVICE_NAME: service,
          SERVICE_VERSION: version,
          DATA_DIR: dataDir,
          FAULT_FLAGS_FILE: this.flagsFile(service),
          WEB_URL: this.linkUrl(service, 'web'),
          CART_URL: this.linkUrl(service, 'cart'),
          CATALOG_URL: this.linkUrl(service, 'catalog'),
          PAYMENTS_URL: this.linkUrl(service, 'payments'),
          OTEL_SERVICE_NAME: service,
          OTEL_RESOURCE_ATTRIBUTES: attrs.join(','),
          OTEL_EXPORTER_OTLP_ENDPOINT: this.opts.otlpEndpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_METRICS_EXPORTER: 'none',
        },
      },
    );
    const log = createWriteStream(logFile);
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    child.once('exit', () => log.end());
    try {
      await waitHealthy(port, child, 180_000, `${service} ${version}`, logFile);
    } catch (err) {
      await this.stopReplica(child, 0);
      throw err;
    }
    // The limit holds once the replica is ready: start-up (loading the SDK) runs unthrottled,
    // as with a start-up CPU boost, so that deploys keep their timing on a busy host.
    if (child.pid && manifest.cpuLimitM !== null) this.governor?.limit(child.pid, manifest.cpuLimitM);
    return { child, port };
  }

  /** SIGTERM (continuing it first if its CPU limit holds it stopped), then SIGKILL after the grace period. */
  stopReplica(child: ChildProcess, graceMs = 8_000): Promise<void> {
    if (child.pid) this.governor?.limit(child.pid, null);
    return stopChild(child, graceMs);
  }

  /** Deploys `tag` of `service`: start the new replicas, switch traffic, stop the old ones. */
  async deploy(service: ShopService, tag: string, sha: string, opts: StageOptions = {}): Promise<Running> {
    return this.promote(await this.stage(service, tag, sha, opts));
  }

  /**
   * Deploys the running version of `service` again with the current settings, as applying
   * its manifest would: with the manifest's replica count, which an HPA then adjusts.
   */
  async redeploy(service: ShopService): Promise<Running> {
    const r = this.live.get(service);
    if (!r) throw new Error(`${service} is not running`);
    return this.deploy(service, r.tag, r.sha, { version: r.version, replicas: 'manifest' });
  }

  /**
   * The first half of a deploy: starts `tag`'s replicas and waits until they are healthy,
   * without traffic. `promote` then switches to them at a chosen moment, so a deploy's
   * go-live time does not depend on how long its processes took to start. `tag` may be any
   * ref; the version is the tag's `/vX.Y.Z` unless given.
   */
  async stage(service: ShopService, tag: string, sha: string, opts: StageOptions = {}): Promise<Staged> {
    const version = opts.version ?? tag.slice(tag.lastIndexOf('/v') + 2);
    const tree = await this.worktree(tag);
    const declared = readManifest(readFileSync(join(tree, 'deploy', 'k8s', `${service}.yaml`), 'utf8'), service);
    const manifest = applySettings(declared, this.settings[service]);
    // Under an autoscaler a rollout keeps the current replica count, as a Deployment's does.
    const current = opts.replicas === 'manifest' ? undefined : this.live.get(service)?.replicas.length;
    const count =
      manifest.hpa && current !== undefined
        ? Math.max(manifest.hpa.min, Math.min(manifest.hpa.max, current))
        : manifest.replicas;
    const base = { service, tag, version, sha, manifest, tree };
    const started = await Promise.allSettled(Array.from({ length: count }, () => this.startReplica(base)));
    const replicas = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(replicas.map((r) => this.stopReplica(r.child)));
      throw failed.reason;
    }
    const staged: Staged = { ...base, replicas };
    this.staged.add(staged);
    return staged;
  }

  /** Points the service's balancer and the others' links at these ports. */
  routeTo(service: ShopService, ports: number[]): void {
    this.proxies.get(service)!.setBackends(ports);
    for (const from of SHOP_SERVICES) if (from !== service) this.links.get(`${from}→${service}`)!.setBackends(ports);
  }

  /** The second half of a deploy: moves the service's traffic to the staged replicas and stops the old ones. */
  promote(staged: Staged): Running {
    const { service, replicas } = staged;
    this.staged.delete(staged);
    const cpu = this.cpuMs.get(service) ?? 0;
    if (cpu > 0) for (const r of replicas) sendFault(r.child, { fault: 'cpu', ms: cpu });
    const old = this.live.get(service);
    this.routeTo(
      service,
      replicas.map((r) => r.port),
    );
    const now: Running = { ...staged, liveAt: new Date() };
    this.live.set(service, now);
    this.autoscaler.track(now);
    if (old) this.retire(old.replicas);
    return now;
  }

  /** Connections opened just before a switch finish on the old replicas, which then stop (and flush their telemetry). */
  retire(replicas: readonly Replica[]): void {
    const retiring = new Promise((r) => setTimeout(r, 1000)).then(() =>
      Promise.all(replicas.map((r) => this.stopReplica(r.child))),
    );
    this.retiring.add(retiring);
    void retiring.finally(() => this.retiring.delete(retiring));
  }

  /** New replicas of a running version get the CPU fault the service has now. */
  adopt(service: ShopService, replica: Replica): void {
    const cpu = this.cpuMs.get(service) ?? 0;
    if (cpu > 0) sendFault(replica.child, { fault: 'cpu', ms: cpu });
  }

  /** Every live replica's CPU time so far and its throttling, for measuring a stretch of time. */
  async snapshot(): Promise<ReplicaSnapshot[]> {
    const throttle = new Map((await (this.governor?.stats() ?? Promise.resolve([]))).map((t) => [t.pid, t]));
    return [...this.live.values()].flatMap((r) =>
      r.replicas.flatMap((x) =>
        x.child.pid
          ? [
              {
                service: r.service,
                version: r.version,
                pid: x.child.pid,
                cpuMs: processCpuMs(x.child.pid),
                cpuLimitM: r.manifest.cpuLimitM,
                throttle: throttle.get(x.child.pid) ?? null,
              },
            ]
          : [],
      ),
    );
  }

  async stop(): Promise<void> {
    this.autoscaler.stop();
    await Promise.all(this.retiring);
    await Promise.all([...this.staged].flatMap((s) => s.replicas.map((x) => this.stopReplica(x.child))));
    this.staged.clear();
    await Promise.all([...this.live.values()].flatMap((r) => r.replicas.map((x) => this.stopReplica(x.child))));
    this.live.clear();
    await this.governor?.stop();
    await Promise.all([...this.proxies.values(), ...this.links.values()].map((p) => p.close()));
  }
}

function sendFault(child: ChildProcess, command: FaultCommand): void {
  if (child.connected) child.send(command, () => {});
}
