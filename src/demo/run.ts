// `orrery demo`: builds the example world and leaves it running. Orrery runs as a child
// process on an embedded store in the demo folder; this process builds the shop's git
// history, has Orrery index it and its manifests, runs the shop's services (each exports
// OTLP to Orrery with the OpenTelemetry SDK), drives users through the storefront, performs
// the scenario's deploys, traffic changes and injected faults, files the customers' tickets,
// and writes each scenario's ground truth.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DemoUser, LoadDriver, type Observation, makePopulation } from './load.js';
import { shopSourceDir } from './paths.js';
import type { DemoOutput } from './progress.js';
import { type Plan, type ScenarioName, parseScenariosFile, planDemo } from './scenarios.js';
import { type ShopSettings, settingsFlags } from './settings.js';
import type { ShopService, Staged } from './supervisor.js';
import { type DemoTicket, noiseTickets, renumberTickets, scenarioTickets } from './tickets.js';
import { type DeployRecord, type ScenarioTruth, type TruthInput, scenarioTruth } from './truth.js';
import { DemoError, FLUSH_MS, startWorld } from './world.js';

export { DemoError };

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
  /** Capacity settings over the manifests (`--set`), for every deploy. */
  settings?: ShopSettings;
  /** Deploy verification's watch window in the demo's Orrery (default DEMO_VERIFY_WATCH_MINUTES). */
  verifyWatchMinutes?: number;
  /** How long Orrery may take to answer after it is started (default 60 s). */
  startTimeoutMs?: number;
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
  /** The two approver tokens the demo made: an approval names who approves, so each person has one. */
  approvers: Array<{ name: string; token: string }>;
  /** Milliseconds from runDemo's start to the ready world. */
  readyMs: number;
  /** Starts traffic again at 1× (it pauses when the world is ready), until stop(). */
  keepDriving(): void;
  /**
   * Starts traffic again at the multiplier the timeline left it at (a surge held to the end is
   * held again), or at `multiplier`, until stop().
   */
  drive(multiplier?: number): void;
  /** Everything the shoppers saw so far, traffic after the world was ready included (built on each call). */
  liveObservations(): readonly Observation[];
  stop(): Promise<void>;
}

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
const NOISE_TICKETS = 10;
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
  const plan: Plan = planDemo(
    parseScenariosFile(readFileSync(join(shopSourceDir(), 'scenarios.json'), 'utf8')),
    opts.scenarios,
    opts.durationS,
  );
  const what = plan.scenarios.length
    ? `scenario${plan.scenarios.length > 1 ? 's' : ''} ${plan.scenarios.join(', ')}`
    : 'no scenario (steady traffic)';
  const set = settingsFlags(opts.settings ?? {});
  out.step(
    `Orrery demo: ${what}; ${opts.durationS} s of traffic; seed ${opts.seed}${set.length ? `; --set ${set.join(' ')}` : ''}`,
  );
  const w = await startWorld(opts);
  const approvers: DemoWorld['approvers'] = [];
  const { api, otlp, dir, repo, supervisor, deploys } = w;
  let driver: LoadDriver | undefined;
  const stopAll = async () => {
    await driver?.stop();
    await w.stop();
  };
  try {
    const stage = (service: ShopService, tag: string) => supervisor.stage(service, tag, w.shaOf(tag));
    const deploy = (staged: Staged, recorded: boolean, scenario: ScenarioName | null) =>
      w.release(staged, { recorded, scenario });
    await w.startBaselines(plan.baselines);
    // Two people who may approve remediations, each with a named token: an approval always says who.
    for (const name of ['approver-ana', 'approver-ben']) {
      const t = await api.call<{ token: string }>('POST', '/api/tokens', { name, role: 'approver' });
      approvers.push({ name, token: t.token });
    }
    out.step(
      `✓ made two approver tokens (${approvers.map((a) => a.name).join(', ')}); approved proposals run on the supervisor`,
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
          if (f.kind === 'network-delay') supervisor.setNetworkDelay(f.service, f.ms);
          else supervisor.setCpuWork(f.service, f.ms);
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
        rightFix: plan.rightFixes[scenario],
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

    const truthDir = join(w.worldDir, 'truth');
    mkdirSync(truthDir, { recursive: true });
    for (const scenario of plan.scenarios) {
      const t = truthOf(scenario, tickets);
      truth.push(t);
      writeFileSync(join(truthDir, `${scenario}.json`), `${JSON.stringify(t, null, 2)}\n`);
    }
    writeFileSync(join(w.worldDir, 'deploys.json'), `${JSON.stringify(deploys, null, 2)}\n`);

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
      approvers,
      readyMs,
      keepDriving: () => running.setMultiplier(1),
      drive: (m = plan.finalMultiplier) => running.setMultiplier(m),
      liveObservations: () => running.observations(),
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
  npx orrery proposals list${server}

Remediation: \`orrery propose problem <id>\` (or investigation <id>) drafts a rollback or a scale-up
with its evidence, simulation, dry run and risk tier; two approvers can approve it:
${w.approvers.map((a) => `  ${a.name.padEnd(13)} ${a.token}`).join('\n')}
  ORRERY_TOKEN=<an approver's token> npx orrery proposals approve <id>${server}
`;
}
