// `orrery demo`: builds the example world and leaves it running. Orrery runs as a child
// process on an embedded store in the demo folder; this process builds the shop's git
// history, has Orrery index it and its manifests, runs the shop's services (each exports
// OTLP to Orrery with the OpenTelemetry SDK), drives users through the storefront, performs
// the scenario's deploys, traffic changes and injected faults, files the customers' tickets,
// and writes each scenario's ground truth.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { type DemoUser, LoadDriver, type Observation, makePopulation } from './load.js';
import { EXIT_WITH_PARENT, orreryCommand, sdkNodeModules, shopSourceDir } from './paths.js';
import type { DemoOutput } from './progress.js';
import { type BuiltRepo, buildShopRepo } from './repo-builder.js';
import { type Plan, type ScenarioName, parseScenariosFile, planDemo } from './scenarios.js';
import { SHOP_SERVICES, type ShopService, type Staged, Supervisor, stopChild } from './supervisor.js';
import { type DemoTicket, noiseTickets, renumberTickets, scenarioTickets } from './tickets.js';
import { type DeployRecord, type ScenarioTruth, type TruthInput, scenarioTruth } from './truth.js';

export interface DemoOptions {
  scenarios: ScenarioName[];
  /** Length of the load phase in seconds. */
  durationS: number;
  seed: number;
  /** The demo's folder: the store, the shop repository, logs and truth files. */
  dir: string;
  port: number;
  otlpPort: number;
  users: number;
  accounts: number;
  /** Storefront requests per second at 1× traffic. */
  baseRps: number;
  out: DemoOutput;
}

export interface DemoWorld {
  api: string;
  otlp: string;
  shopUrl: string;
  dir: string;
  repoDir: string;
  truthDir: string;
  truth: ScenarioTruth[];
  deploys: DeployRecord[];
  tickets: DemoTicket[];
  /** What the shoppers saw during the traffic phase, in time order. */
  observations: readonly Observation[];
  /** The problem queue the demo's triage made, in its order. */
  problems: { id: number; title: string; service: string | null }[];
  /** Milliseconds from runDemo's start to the ready world. */
  readyMs: number;
  /** Starts traffic again at 1× (it pauses when the world is ready), until stop(). */
  keepDriving(): void;
  stop(): Promise<void>;
}

export class DemoError extends Error {}

const MARKER = 'orrery-demo.json';
/** Tickets per scenario (cart-badge is the loud one; the log-only failure barely reaches support). */
const TICKETS: Record<ScenarioName, number> = {
  'cart-badge': 12,
  'slow-dependency': 6,
  'inventory-timeout': 2,
  capacity: 5,
  'network-delay': 4,
  'cpu-saturation': 3,
};
/**
 * A deploy's replicas are started this long before it goes live, so that the go-live (the
 * onset, for a bad deploy) lands on its planned time however long the processes take to start.
 */
const DEPLOY_LEAD_MS = 15_000;
/** A baseline version went out this long after its release commit. */
const RELEASED_AFTER_MS = 30 * 60_000;
const NOISE_TICKETS = 10;
/** Orrery's analysis flush interval inside the demo, so the world is ready soon after load stops. */
const FLUSH_MS = 2_000;

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

class Api {
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
  opts: DemoOptions,
  storeDir: string,
  logFile: string,
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
  env.ORRERY_LOG_LEVEL = process.env.ORRERY_LOG_LEVEL ?? 'warn';
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
  const deadline = Date.now() + 60_000;
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
  throw new DemoError(`Orrery did not answer on ${api.base} within 60 s; see ${logFile}`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function indexWorld(api: Api, repo: BuiltRepo, out: DemoOutput): Promise<void> {
  const t0 = Date.now();
  const added = await api.call<{ sync: { commits?: number; files?: number } | null }>('POST', '/api/repos', {
    path: resolve(repo.dir),
    name: 'shop',
    services: SHOP_SERVICES.map((service) => ({ service, pathPrefix: `services/${service}/` })),
  });
  out.step(`✓ indexed the repository in ${seconds(Date.now() - t0)}: commits, owners, symbols, log call sites, routes`);
  void added;
  const k8s = join(repo.dir, 'deploy', 'k8s');
  const files = readdirSync(k8s)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: `deploy/k8s/${f}`, content: readFileSync(join(k8s, f), 'utf8') }));
  await api.call('POST', '/api/infra/import', { source: 'shop/deploy/k8s', files });
  out.step(`✓ imported ${files.length} Kubernetes manifests`);
}

interface Timeline {
  at: number;
  /** Events in one lane run one after another (a service's deploys). */
  lane: string;
  label: string;
  run(): Promise<void>;
}

function ticketPayload(t: DemoTicket): Record<string, unknown> {
  return {
    source: 'zendesk-demo',
    id: t.id,
    title: t.title,
    body: t.body,
    createdAt: t.createdAt,
    ...(t.reporter ? { reporter: t.reporter } : {}),
    ...(t.accountId ? { accountId: t.accountId } : {}),
    labels: t.labels,
  };
}

/** Keeps ticket times inside [from, to], in their order, as if filed while the world ran. */
function fitTimes(tickets: DemoTicket[], from: number, to: number): DemoTicket[] {
  if (tickets.length === 0) return tickets;
  const times = tickets.map((t) => Date.parse(t.createdAt));
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const span = Math.max(0, to - from);
  return tickets.map((t, i) => ({
    ...t,
    createdAt: new Date(hi === lo ? from : from + ((times[i]! - lo) / (hi - lo)) * span).toISOString(),
  }));
}

export async function runDemo(opts: DemoOptions): Promise<DemoWorld> {
  const started = Date.now();
  const { out } = opts;
  const dir = resolve(opts.dir);
  prepareDir(dir);
  const world = join(dir, 'world');
  const plan: Plan = planDemo(
    parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8')),
    opts.scenarios,
    opts.durationS,
  );

  out.step(
    `Orrery demo: scenario${plan.scenarios.length > 1 ? 's' : ''} ${plan.scenarios.join(', ')}; ${opts.durationS} s of traffic; seed ${opts.seed}`,
  );
  const orrery = await startOrrery(opts, join(dir, 'store'), join(world, 'logs', 'orrery.log'));
  const { api } = orrery;
  const otlp = `http://127.0.0.1:${opts.otlpPort}`;
  out.step(`✓ Orrery is up: API ${api.base}, OTLP ${otlp}, store ${join(dir, 'store')}`);

  let supervisor: Supervisor | undefined;
  let driver: LoadDriver | undefined;
  const stopAll = async () => {
    await driver?.stop();
    await supervisor?.stop();
    await stopChild(orrery.child, 15_000);
  };
  try {
    const repo = await buildShopRepo(join(shopSourceDir(), 'history'), join(world, 'shop'), {
      now: new Date(),
      onCommit: (n, total) => out.status(`building the shop repository: commit ${n}/${total}`),
    });
    out.step(`✓ built the shop repository: ${repo.commits.length} commits, ${repo.tags.size} tags (${repo.dir})`);
    await indexWorld(api, repo, out);

    supervisor = await Supervisor.create({
      repoDir: repo.dir,
      workDir: world,
      otlpEndpoint: otlp,
      nodeModules: sdkNodeModules(),
      environment: 'demo',
    });
    const deploys: DeployRecord[] = [];
    const shaOf = (tag: string) => {
      const sha = repo.tags.get(tag);
      if (!sha) throw new DemoError(`scenarios.json names tag ${tag}, which the shop history does not create`);
      return sha;
    };
    const stage = (service: ShopService, tag: string) => supervisor!.stage(service, tag, shaOf(tag));
    const deploy = async (staged: Staged, recorded: boolean, scenario: ScenarioName | null, at?: Date) => {
      const { service, tag, sha } = staged;
      const r = supervisor!.promote(staged);
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
    // All at once: no traffic flows until the load starts, after every service is healthy.
    // The world is older than the demo: a baseline version went out when its release was cut
    // (RELEASED_AFTER_MS after its tag's commit), and that is when a CD pipeline recorded it.
    const worldStart = Date.now();
    const releasedAt = (tag: string) => {
      const commit = repo.commits.find((c) => c.sha === shaOf(tag));
      return new Date(Math.min(worldStart, Date.parse(commit?.at ?? '') + RELEASED_AFTER_MS || worldStart));
    };
    await Promise.all(
      plan.baselines.map(async (b) => {
        await deploy(await stage(b.service, b.tag), b.recorded, null, releasedAt(b.tag));
        out.status(`started ${b.tag}`);
      }),
    );
    out.step(
      `✓ started the shop: ${plan.baselines.map((b) => b.tag).join(', ')} (storefront ${supervisor.url('web')})`,
    );

    const users: DemoUser[] = makePopulation(opts.seed, opts.users, opts.accounts);
    driver = new LoadDriver({ webUrl: supervisor.url('web'), seed: opts.seed, users, baseRps: opts.baseRps });
    const loadStart = Date.now();
    driver.start();
    out.step(`✓ ${users.length} users of ${opts.accounts} accounts are shopping (${opts.baseRps} requests/s at 1×)`);

    const trafficWindows = new Map<ScenarioName, NonNullable<TruthInput['trafficWindow']>>();
    const faultWindows = new Map<ScenarioName, NonNullable<TruthInput['faultWindow']>>();
    const dueOf = (at: number) => loadStart + at * opts.durationS * 1000;
    // Each deploy's replicas start DEPLOY_LEAD_MS ahead, one deploy of a service after another.
    const staging = new Map<ShopService, Promise<unknown>>();
    const staged = plan.deploys.map((d) => {
      const after = staging.get(d.service) ?? Promise.resolve();
      const ready = after
        .then(() => new Promise((r) => setTimeout(r, Math.max(0, dueOf(d.at) - DEPLOY_LEAD_MS - Date.now()))))
        .then(() => stage(d.service, d.tag));
      staging.set(
        d.service,
        ready.catch(() => {}),
      );
      ready.catch(() => {}); // awaited by the deploy's event
      return ready;
    });
    const events: Timeline[] = [
      ...plan.deploys.map((d, i) => ({
        at: d.at,
        lane: d.service,
        label: `deploy ${d.tag}${d.scenario ? ` (${d.scenario})` : ''}${d.recorded ? '' : ', not recorded'}`,
        run: async () => {
          await deploy(await staged[i]!, d.recorded, d.scenario);
        },
      })),
      ...plan.traffic.map((t) => ({
        at: t.at,
        lane: 'traffic',
        label: `traffic ${t.multiplier}× (${t.scenario})`,
        run: async () => {
          driver!.setMultiplier(t.multiplier);
          const w = trafficWindows.get(t.scenario);
          if (t.multiplier > 1 && !w)
            trafficWindows.set(t.scenario, {
              from: Date.now(),
              to: Number.POSITIVE_INFINITY,
              entry: 'web',
              multiplier: t.multiplier,
            });
          else if (t.multiplier <= 1 && w) w.to = Date.now();
        },
      })),
      ...plan.faults.map((f) => ({
        at: f.at,
        lane: `fault ${f.service}`,
        label:
          f.ms > 0
            ? `${f.kind} on ${f.service}: ${f.ms} ms (${f.scenario})`
            : `${f.kind} on ${f.service} lifted (${f.scenario})`,
        run: async () => {
          if (f.kind === 'network-delay') supervisor!.setNetworkDelay(f.service, f.ms);
          else supervisor!.setCpuWork(f.service, f.ms);
          const w = faultWindows.get(f.scenario);
          if (f.ms > 0 && !w)
            faultWindows.set(f.scenario, {
              from: Date.now(),
              to: Number.POSITIVE_INFINITY,
              service: f.service,
              type: f.kind === 'cpu' ? 'cpu-saturation' : 'network-delay',
              ms: f.ms,
            });
          else if (f.ms <= 0 && w) w.to = Date.now();
        },
      })),
    ].sort((a, b) => a.at - b.at);

    const end = loadStart + opts.durationS * 1000;
    const ticker = setInterval(() => {
      const s = driver!.stats();
      const next = events[0]
        ? `; next: ${events[0].label} in ${Math.max(0, Math.round((loadStart + events[0].at * opts.durationS * 1000 - Date.now()) / 1000))} s`
        : '';
      out.status(
        `${Math.round((Date.now() - loadStart) / 1000)}/${opts.durationS} s  ${s.rps.toFixed(0)} req/s  p95 ${Math.round(s.p95Ms)} ms  ` +
          `${s.requests} requests, ${s.byClass['5xx'] ?? 0} 5xx${next}`,
      );
    }, 1000);
    // Each event starts on time; a deploy that takes a while delays only later deploys of
    // the same service, never the rest of the timeline.
    const lanes = new Map<string, Promise<void>>();
    try {
      while (events.length) {
        const e = events[0]!;
        const due = dueOf(e.at);
        if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
        events.shift();
        const lane = (lanes.get(e.lane) ?? Promise.resolve()).then(async () => {
          await e.run();
          out.step(`✓ ${new Date().toISOString().slice(11, 19)} ${e.label}`);
        });
        lane.catch(() => {}); // awaited below
        lanes.set(e.lane, lane);
      }
      if (Date.now() < end) await new Promise((r) => setTimeout(r, end - Date.now()));
      await Promise.all(lanes.values());
    } finally {
      clearInterval(ticker);
    }
    // The traffic phase ends: no new sessions, and those under way finish, so that the
    // truth covers every request Orrery will hold.
    driver.setMultiplier(0);
    for (const until = Date.now() + 20_000; driver.stats().sessionsActive > 0 && Date.now() < until; ) {
      out.status(`traffic phase over: ${driver.stats().sessionsActive} sessions finishing`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // Tickets, from the users the faults actually hurt.
    const observations = driver.observations();
    const byEmail = new Map(users.map((u) => [u.id, u]));
    const now = Date.now();
    let tickets: DemoTicket[] = [];
    const truth: ScenarioTruth[] = [];
    const truthOf = (scenario: ScenarioName, filed: readonly DemoTicket[]) =>
      scenarioTruth({
        scenario,
        seed: opts.seed,
        startedAt: new Date(loadStart),
        commits: repo.commits,
        deploys,
        trafficWindow: trafficWindows.get(scenario),
        faultWindow: faultWindows.get(scenario),
        rootCause: plan.rootCauses[scenario],
        observations,
        tickets: filed,
      });
    for (const scenario of plan.scenarios) {
      const draft = truthOf(scenario, []);
      const hurt = draft.affected.users.map((u) => byEmail.get(u)).filter((u): u is DemoUser => u !== undefined);
      const onset = Date.parse(draft.onset);
      const made = scenarioTickets(
        scenario,
        { users: hurt },
        { seed: opts.seed, now: new Date(onset), count: hurt.length ? TICKETS[scenario] : 0 },
      );
      tickets.push(...fitTimes(made, Math.min(onset + 5_000, now), now));
    }
    tickets.push(
      ...fitTimes(
        noiseTickets(users, { seed: opts.seed, now: new Date(loadStart), count: NOISE_TICKETS }),
        loadStart,
        now,
      ),
    );
    // One numbering in filing order, so an id says nothing about the scenario.
    tickets = renumberTickets(tickets);
    if (tickets.length) await api.call('POST', '/api/tickets', { tickets: tickets.map(ticketPayload) });
    out.step(
      `✓ support filed ${tickets.length} tickets (${tickets.filter((t) => t.scenario).length} about the faults, ${tickets.filter((t) => t.duplicateOf).length} duplicates)`,
    );

    const truthDir = join(world, 'truth');
    mkdirSync(truthDir, { recursive: true });
    for (const scenario of plan.scenarios) {
      const t = truthOf(scenario, tickets);
      truth.push(t);
      writeFileSync(join(truthDir, `${scenario}.json`), `${JSON.stringify(t, null, 2)}\n`);
    }
    writeFileSync(join(world, 'deploys.json'), `${JSON.stringify(deploys, null, 2)}\n`);

    // The last spans and logs reach Orrery (the SDKs batch for ≤ 1 s), and its analysis flushes.
    await new Promise((r) => setTimeout(r, 1_500 + FLUSH_MS + 1_000));
    // The problem queue, as an on-call engineer opening the UI would want it: triage once.
    const queue = await api.call<{ problems: { id: number; title: string; service: string | null }[] }>(
      'POST',
      '/api/triage',
      {},
    );
    out.step(`✓ triage queued ${queue.problems.length} problems`);
    const readyMs = Date.now() - started;
    const running = driver;
    return {
      api: api.base,
      otlp,
      shopUrl: supervisor.url('web'),
      dir,
      repoDir: repo.dir,
      truthDir,
      truth,
      deploys,
      tickets,
      observations,
      problems: queue.problems.map((p) => ({ id: p.id, title: p.title, service: p.service })),
      readyMs,
      keepDriving: () => running.setMultiplier(1),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/** Problems of the queue nextSteps suggests investigating. */
const SUGGESTED_PROBLEMS = 4;

/**
 * What to run and open next, printed when the world is ready. `npm run bench -- accuracy
 * demo-commands` runs every `npx orrery …` line of it and checks the answers against the truth.
 */
export function nextSteps(w: DemoWorld, nowMs = Date.now()): string {
  const server = w.api === 'http://127.0.0.1:8470' ? '' : ` --server ${w.api}`;
  // An alert as an on-call engineer would get it: the storefront, since the latest fault
  // began (in whole minutes, as a pager would say it).
  const latest = Math.max(...w.truth.map((t) => Date.parse(t.onset)));
  const minutesAgo = Number.isFinite(latest) ? Math.max(1, Math.ceil((nowMs - latest) / 60_000)) : 10;
  const width = Math.max(0, ...w.problems.slice(0, SUGGESTED_PROBLEMS).map((p) => String(p.id).length));
  const problems = w.problems
    .slice(0, SUGGESTED_PROBLEMS)
    .map(
      (p) =>
        `  npx orrery investigate problem ${String(p.id).padEnd(width)}${server}   # ${p.service ?? '?'}: ${p.title.slice(0, 60)}\n`,
    )
    .join('');
  return `
The world is ready (${(w.readyMs / 1000).toFixed(0)} s). It keeps running until you press Ctrl-C.

  Orrery UI    ${w.api}/          (the problem queue, investigations, service map, search)
  Orrery API   ${w.api}/api       storefront ${w.shopUrl}
  repository   ${w.repoDir}
  truth files  ${w.truthDir}   (for scoring; Orrery never reads them)

Try:
  npx orrery triage list${server}
  npx orrery investigate alert --service web --since ${minutesAgo}m${server}
${problems}  npx orrery services --graph${server}
  npx orrery errors${server}
  npx orrery patterns${server}
  npx orrery deploy list${server}
  npx orrery tickets list${server}
`;
}
