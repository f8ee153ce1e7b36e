// The example world without its timeline: a fresh demo folder, Orrery on an embedded store
// in it (a child process), the shop's repository built from its history and indexed by
// Orrery with its manifests, and the supervisor ready to run the shop's services. `orrery
// demo` (run.ts) plays the scenarios on it; the simulation bench drives it step by step.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { ControlServer } from './control.js';
import { type Manifest, readManifest } from './manifest.js';
import { EXIT_WITH_PARENT, orreryCommand, sdkNodeModules, shopSourceDir } from './paths.js';
import type { DemoOutput } from './progress.js';
import { ServiceProxy } from './proxy.js';
import { type BuiltRepo, buildShopRepo, latestHistoryFile } from './repo-builder.js';
import type { ScenarioName } from './scenarios.js';
import type { SettableService, ShopSettings } from './settings.js';
import { SHOP_SERVICES, type ShopService, type Staged, Supervisor, stopChild } from './supervisor.js';
import type { DeployRecord } from './truth.js';

export class DemoError extends Error {}

const MARKER = 'orrery-demo.json';
/** Orrery's analysis flush interval inside the demo, so the world is ready soon after load stops. */
export const FLUSH_MS = 2_000;
/**
 * The deploy verification watch window of the demo's Orrery (ORRERY_VERIFY_WATCH_MINUTES; 10 by
 * default elsewhere): the demo's timeline is minutes long, so a benign deploy is judged healthy
 * while the world still runs. A regression is called as soon as it shows, whatever the window.
 */
export const DEMO_VERIFY_WATCH_MINUTES = 4;
/** A baseline version went out this long after its release commit. */
const RELEASED_AFTER_MS = 30 * 60_000;

export interface WorldOptions {
  /** The demo's folder: the store, the shop repository, logs and truth files. */
  dir: string;
  port: number;
  otlpPort: number;
  settings?: ShopSettings;
  /**
   * The shop's OTLP goes through a relay the caller can cut (`setIngest(false)`), so a
   * measurement can run without Orrery's ingest sharing the host.
   */
  otlpRelay?: boolean;
  /** The watch window of the Orrery it starts, in minutes (default DEMO_VERIFY_WATCH_MINUTES). */
  verifyWatchMinutes?: number;
  /** How long Orrery may take to answer after it is started (default 60 s; a busy host may need more). */
  startTimeoutMs?: number;
  out: DemoOutput;
}

export interface World {
  api: Api;
  otlp: string;
  dir: string;
  /** `<dir>/world`: the repository, service logs, data and truth files. */
  worldDir: string;
  repo: BuiltRepo;
  supervisor: Supervisor;
  /** The commit of a tag the history creates. */
  shaOf(tag: string): string;
  /** Every deploy that went live, in order. */
  deploys: DeployRecord[];
  /**
   * Puts a staged deploy live and records it; a recorded one is also reported to Orrery
   * (POST /api/deploys, as a CD pipeline would), at `at` when given.
   */
  release(staged: Staged, opts: { recorded: boolean; scenario: ScenarioName | null; at?: Date }): Promise<DeployRecord>;
  /**
   * Starts every service at its baseline tag at once (no traffic flows until the load starts).
   * The world is older than the demo: a baseline version went out when its release was cut
   * (half an hour after its tag's commit), and that is when a CD pipeline recorded it.
   */
  startBaselines(baselines: readonly { service: ShopService; tag: string; recorded: boolean }[]): Promise<void>;
  /** With `otlpRelay`: whether the shop's telemetry reaches Orrery (it is refused otherwise). */
  setIngest(on: boolean): void;
  /** Stops the shop, then Orrery. */
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A fresh demo folder: an earlier demo's is wiped; anything else that is not empty is refused. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER))) {
      throw new DemoError(`${dir} exists and is not a demo folder (no ${MARKER}); choose another with --dir`);
    }
    const lock = join(dir, 'store', 'orrery.lock');
    if (existsSync(lock)) {
      const pid = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new DemoError(`a demo is already running in ${dir} (Orrery pid ${pid}); stop it first, or use --dir`);
      }
    }
    for (const sub of ['store', 'world']) rmSync(join(dir, sub), { recursive: true, force: true });
  }
  mkdirSync(join(dir, 'world', 'logs'), { recursive: true });
  writeFileSync(join(dir, MARKER), `${JSON.stringify({ createdAt: new Date().toISOString() })}\n`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Orrery's HTTP API as the demo calls it: JSON in and out, a non-2xx answer is a DemoError. */
const START_TIMEOUT_MS = 180_000;

export class Api {
  constructor(readonly base: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(300_000),
    });
    const text = await res.text();
    if (!res.ok) throw new DemoError(`Orrery answered ${res.status} to ${method} ${path}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

async function startOrrery(
  opts: WorldOptions,
  storeDir: string,
  logFile: string,
  control: ControlServer,
): Promise<{ child: ChildProcess; api: Api }> {
  for (const [flag, port] of [
    ['--port', opts.port],
    ['--otlp-port', opts.otlpPort],
  ] as const) {
    if (!(await portFree(port))) {
      throw new DemoError(
        `port ${port} is in use (is \`orrery up\` or another demo running?); pass ${flag} to use another`,
      );
    }
  }
  const cmd = orreryCommand();
  const env: NodeJS.ProcessEnv = {};
  // The demo's Orrery is its own: an embedded store in the demo folder, whatever the shell sets.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ORRERY_')) env[k] = v;
  env.ORRERY_ANALYSIS_FLUSH_MS = String(FLUSH_MS);
  env.ORRERY_VERIFY_WATCH_MINUTES = String(opts.verifyWatchMinutes ?? DEMO_VERIFY_WATCH_MINUTES);
  env.ORRERY_LOG_LEVEL = process.env.ORRERY_LOG_LEVEL ?? 'warn';
  // Approved proposals run on the supervisor, through its control API (control.ts).
  env.ORRERY_EXECUTORS = 'demo';
  env.ORRERY_DEMO_EXECUTOR_URL = control.url;
  env.ORRERY_DEMO_EXECUTOR_TOKEN = control.token;
  const args = [
    '--import',
    EXIT_WITH_PARENT,
    ...cmd.args,
    'up',
    '--data-dir',
    storeDir,
    '--port',
    String(opts.port),
    '--otlp-port',
    String(opts.otlpPort),
    '--host',
    '127.0.0.1',
  ];
  const child = spawn(cmd.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const api = new Api(`http://127.0.0.1:${opts.port}`);
  // Generous: on a busy shared host the start (tsx compiling, the store's migrations) takes minutes.
  const startTimeoutMs = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
      throw new DemoError(`Orrery exited during start-up (code ${child.exitCode}):\n${tail}`);
    }
    try {
      await api.call('GET', '/api/status');
      return { child, api };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stopChild(child);
  throw new DemoError(`Orrery did not answer on ${api.base} within ${startTimeoutMs / 1000} s; see ${logFile}`);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function indexWorld(api: Api, repo: BuiltRepo, out: DemoOutput): Promise<void> {
  const t0 = Date.now();
  await api.call('POST', '/api/repos', {
    path: resolve(repo.dir),
    name: 'shop',
    services: SHOP_SERVICES.map((service) => ({ service, pathPrefix: `services/${service}/` })),
  });
  out.step(`✓ indexed the repository in ${seconds(Date.now() - t0)}: commits, owners, symbols, log call sites, routes`);
  const k8s = join(repo.dir, 'deploy', 'k8s');
  const files = readdirSync(k8s)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: `deploy/k8s/${f}`, content: readFileSync(join(k8s, f), 'utf8') }));
  await api.call('POST', '/api/infra/import', { source: 'shop/deploy/k8s', files });
  out.step(`✓ imported ${files.length} Kubernetes manifests`);
}

/** Each service's manifest at the head of the shop's history (what `--set` is checked against). */
export function headManifests(historyDir = join(shopSourceDir(), 'history')): Map<ShopService, Manifest> {
  const out = new Map<ShopService, Manifest>();
  for (const service of SHOP_SERVICES) {
    const text = latestHistoryFile(historyDir, `deploy/k8s/${service}.yaml`);
    if (text === null) throw new DemoError(`the shop's history has no deploy/k8s/${service}.yaml`);
    out.set(service, readManifest(text, service));
  }
  return out;
}

/** What `--set` may name for each service, from its manifest at the history's head. */
export function settableServices(manifests = headManifests()): Map<string, SettableService> {
  return new Map([...manifests].map(([s, m]) => [s, { env: Object.keys(m.env), hasHpa: m.hpa !== null }]));
}

/**
 * Prepares the demo folder, starts Orrery, builds and indexes the shop's repository and
 * creates the supervisor (no service runs yet). On failure everything started is stopped.
 */
export async function startWorld(opts: WorldOptions): Promise<World> {
  const { out } = opts;
  const dir = resolve(opts.dir);
  prepareDir(dir);
  const worldDir = join(dir, 'world');
  const control = await ControlServer.listen();
  let orrery: Awaited<ReturnType<typeof startOrrery>>;
  try {
    orrery = await startOrrery(opts, join(dir, 'store'), join(worldDir, 'logs', 'orrery.log'), control);
  } catch (err) {
    await control.close();
    throw err;
  }
  const { api } = orrery;
  const otlp = `http://127.0.0.1:${opts.otlpPort}`;
  out.step(`✓ Orrery is up: API ${api.base}, OTLP ${otlp}, store ${join(dir, 'store')}`);
  let supervisor: Supervisor | undefined;
  let relay: ServiceProxy | undefined;
  const stop = async () => {
    await supervisor?.stop();
    await relay?.close();
    await stopChild(orrery.child, 15_000);
    await control.close();
  };
  try {
    const repo = await buildShopRepo(join(shopSourceDir(), 'history'), join(worldDir, 'shop'), {
      now: new Date(),
      onCommit: (n, total) => out.status(`building the shop repository: commit ${n}/${total}`),
    });
    out.step(`✓ built the shop repository: ${repo.commits.length} commits, ${repo.tags.size} tags (${repo.dir})`);
    await indexWorld(api, repo, out);
    if (opts.otlpRelay) {
      relay = await ServiceProxy.listen('otlp');
      relay.setBackends([opts.otlpPort]);
    }
    supervisor = await Supervisor.create({
      repoDir: repo.dir,
      workDir: worldDir,
      otlpEndpoint: relay?.url ?? otlp,
      nodeModules: sdkNodeModules(),
      environment: 'demo',
      settings: opts.settings,
      onEvent: (line) => out.step(`✓ ${new Date().toISOString().slice(11, 19)} ${line}`),
    });
    if (!supervisor.governor) out.step('! CPU limits are not enforced on this host (no /proc/<pid>/schedstat)');
    const shaOf = (tag: string) => {
      const sha = repo.tags.get(tag);
      if (!sha) throw new DemoError(`scenarios.json names tag ${tag}, which the shop history does not create`);
      return sha;
    };
    const sup = supervisor;
    const deploys: DeployRecord[] = [];
    const release: World['release'] = async (staged, { recorded, scenario, at }) => {
      const { service, tag, sha } = staged;
      const r = sup.promote(staged);
      const rec: DeployRecord = {
        service,
        version: r.version,
        tag,
        sha,
        at: (at ?? r.liveAt).toISOString(),
        recorded,
        scenario,
      };
      deploys.push(rec);
      if (recorded) {
        await api.call('POST', '/api/deploys', {
          service,
          version: r.version,
          commit: sha,
          environment: 'demo',
          at: rec.at,
          source: 'demo-cd',
        });
      }
      return rec;
    };
    control.bind({
      supervisor: sup,
      tags: repo.tags,
      release: async (staged) => {
        await release(staged, { recorded: true, scenario: null });
      },
    });
    const startBaselines: World['startBaselines'] = async (baselines) => {
      const worldStart = Date.now();
      const releasedAt = (tag: string) => {
        const commit = repo.commits.find((c) => c.sha === shaOf(tag));
        return new Date(Math.min(worldStart, Date.parse(commit?.at ?? '') + RELEASED_AFTER_MS || worldStart));
      };
      await Promise.all(
        baselines.map(async (b) => {
          const staged = await sup.stage(b.service, b.tag, shaOf(b.tag));
          await release(staged, { recorded: b.recorded, scenario: null, at: releasedAt(b.tag) });
          out.status(`started ${b.tag}`);
        }),
      );
      out.step(`✓ started the shop: ${baselines.map((b) => b.tag).join(', ')} (storefront ${sup.url('web')})`);
    };
    const setIngest = (on: boolean) => relay?.setDown(!on);
    return {
      api,
      otlp,
      dir,
      worldDir,
      repo,
      supervisor: sup,
      shaOf,
      deploys,
      release,
      startBaselines,
      setIngest,
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
