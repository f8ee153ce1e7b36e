// Runs the shop's services the way a small cluster would: each deploy checks out its tag
// into a working tree, starts the replicas its Kubernetes manifest asks for with the
// manifest's container env, waits for /healthz, moves the service's proxy to the new
// replicas and stops the old ones (SIGTERM, so they flush their telemetry).
// Each service reaches the others through its own outbound proxies (a sidecar's egress), so
// a network fault can slow one service's inbound and outbound calls and nobody else's; and
// each replica runs the fault agent (fault-agent.ts), which can add CPU work to its requests.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { FAULT_AGENT, type FaultCommand } from './fault-agent.js';
import { EXIT_WITH_PARENT } from './paths.js';
import { ServiceProxy } from './proxy.js';

const run = promisify(execFile);

export const SHOP_SERVICES = ['web', 'cart', 'catalog', 'payments'] as const;
export type ShopService = (typeof SHOP_SERVICES)[number];

export interface Manifest {
  replicas: number;
  env: Record<string, string>;
}

/** The Deployment in deploy/k8s/<service>.yaml: replicas and the first container's plain env values. */
export function readManifest(text: string, service: string): Manifest {
  for (const doc of parseAllDocuments(text)) {
    const m = doc.toJS() as {
      kind?: string;
      spec?: {
        replicas?: number;
        template?: { spec?: { containers?: { env?: { name: string; value?: unknown }[] }[] } };
      };
    } | null;
    if (m?.kind !== 'Deployment') continue;
    const env: Record<string, string> = {};
    for (const e of m.spec?.template?.spec?.containers?.[0]?.env ?? []) {
      if (e.value !== undefined && e.value !== null) env[e.name] = String(e.value);
    }
    return { replicas: Math.max(1, Math.min(8, m.spec?.replicas ?? 1)), env };
  }
  throw new Error(`deploy/k8s/${service}.yaml has no Deployment`);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function waitHealthy(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  what: string,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what} exited during start-up (code ${child.exitCode}, signal ${child.signalCode}); see ${logFile}`,
      );
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer /healthz within ${timeoutMs / 1000} s; see ${logFile}`);
}

interface Replica {
  child: ChildProcess;
  port: number;
}

export interface Running {
  service: ShopService;
  tag: string;
  version: string;
  sha: string;
  replicas: Replica[];
  /** When the proxy started sending traffic to this version. */
  liveAt: Date;
}

export interface SupervisorOptions {
  repoDir: string;
  /** Worktrees, service data and logs go under here. */
  workDir: string;
  otlpEndpoint: string;
  nodeModules: string;
  environment: string;
}

/** A deploy whose replicas are up and healthy but get no traffic yet (see `Supervisor.stage`). */
export interface Staged {
  service: ShopService;
  tag: string;
  version: string;
  sha: string;
  replicas: Replica[];
}

export class Supervisor {
  private readonly proxies = new Map<ShopService, ServiceProxy>();
  /** `from→to`: the proxy `from` calls `to` through; it balances over `to`'s replicas too. */
  private readonly links = new Map<string, ServiceProxy>();
  private readonly cpuMs = new Map<ShopService, number>();
  private readonly staged = new Set<Staged>();
  private readonly live = new Map<ShopService, Running>();
  private instances = 0;
  private readonly retiring = new Set<Promise<unknown>>();
  private gitQueue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: SupervisorOptions) {}

  static async create(opts: SupervisorOptions): Promise<Supervisor> {
    const s = new Supervisor(opts);
    for (const name of SHOP_SERVICES) s.proxies.set(name, await ServiceProxy.listen(name));
    for (const from of SHOP_SERVICES)
      for (const to of SHOP_SERVICES)
        if (from !== to) s.links.set(`${from}→${to}`, await ServiceProxy.listen(`${from}→${to}`));
    mkdirSync(join(opts.workDir, 'logs'), { recursive: true });
    return s;
  }

  url(service: ShopService): string {
    return this.proxies.get(service)!.url;
  }

  /** What `from` calls `to` at. */
  private linkUrl(from: ShopService, to: ShopService): string {
    return from === to ? this.url(to) : this.links.get(`${from}→${to}`)!.url;
  }

  /** The proxies that carry `service`'s calls in (its balancer, the others' links to it) and out (its links). */
  private pathsOf(service: ShopService): ServiceProxy[] {
    const others = SHOP_SERVICES.filter((s) => s !== service);
    return [
      this.proxies.get(service)!,
      ...others.map((s) => this.links.get(`${s}→${service}`)!),
      ...others.map((s) => this.links.get(`${service}→${s}`)!),
    ];
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

  private async startReplica(
    service: ShopService,
    tree: string,
    version: string,
    sha: string,
    env: Record<string, string>,
    index: number,
  ): Promise<Replica> {
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
          ...env,
          PORT: String(port),
          SERVICE_NAME: service,
          SERVICE_VERSION: version,
          REPLICA: String(index),
          DATA_DIR: dataDir,
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
      await waitHealthy(port, child, 60_000, `${service} ${version}`, logFile);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return { child, port };
  }

  /** Deploys `tag` of `service`: start the new replicas, switch traffic, stop the old ones. */
  async deploy(service: ShopService, tag: string, sha: string): Promise<Running> {
    return this.promote(await this.stage(service, tag, sha));
  }

  /**
   * The first half of a deploy: starts `tag`'s replicas and waits until they are healthy,
   * without traffic. `promote` then switches to them at a chosen moment, so a deploy's
   * go-live time does not depend on how long its processes took to start.
   */
  async stage(service: ShopService, tag: string, sha: string): Promise<Staged> {
    const version = tag.slice(tag.lastIndexOf('/v') + 2);
    const tree = await this.worktree(tag);
    const manifest = readManifest(readFileSync(join(tree, 'deploy', 'k8s', `${service}.yaml`), 'utf8'), service);
    const started = await Promise.allSettled(
      Array.from({ length: manifest.replicas }, (_, i) =>
        this.startReplica(service, tree, version, sha, manifest.env, i),
      ),
    );
    const replicas = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(replicas.map((r) => stopChild(r.child)));
      throw failed.reason;
    }
    const staged: Staged = { service, tag, version, sha, replicas };
    this.staged.add(staged);
    return staged;
  }

  /** The second half of a deploy: moves the service's traffic to the staged replicas and stops the old ones. */
  promote(staged: Staged): Running {
    const { service, tag, version, sha, replicas } = staged;
    this.staged.delete(staged);
    const cpu = this.cpuMs.get(service) ?? 0;
    if (cpu > 0) for (const r of replicas) sendFault(r.child, { fault: 'cpu', ms: cpu });
    const old = this.live.get(service);
    const ports = replicas.map((r) => r.port);
    this.proxies.get(service)!.setBackends(ports);
    for (const from of SHOP_SERVICES) if (from !== service) this.links.get(`${from}→${service}`)!.setBackends(ports);
    const now: Running = { service, tag, version, sha, replicas, liveAt: new Date() };
    this.live.set(service, now);
    if (old) {
      // Connections opened just before the switch finish on the old replicas, which then
      // stop (and flush their telemetry) while the demo goes on.
      const retiring = new Promise((r) => setTimeout(r, 1000)).then(() =>
        Promise.all(old.replicas.map((r) => stopChild(r.child))),
      );
      this.retiring.add(retiring);
      void retiring.finally(() => this.retiring.delete(retiring));
    }
    return now;
  }

  async stop(): Promise<void> {
    await Promise.all(this.retiring);
    await Promise.all([...this.staged].flatMap((s) => s.replicas.map((x) => stopChild(x.child))));
    this.staged.clear();
    await Promise.all([...this.live.values()].flatMap((r) => r.replicas.map((x) => stopChild(x.child))));
    this.live.clear();
    await Promise.all([...this.proxies.values(), ...this.links.values()].map((p) => p.close()));
  }
}

function sendFault(child: ChildProcess, command: FaultCommand): void {
  if (child.connected) child.send(command, () => {});
}

/** SIGTERM, then SIGKILL after 8 s. */
export function stopChild(child: ChildProcess, graceMs = 8_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
